"""Sources montrées aux usagers : seulement les officielles (Légifrance, service-public, pages des
ministères et des opérateurs publics).

Les fichiers de paramètres gardent, dans leurs références et leurs notes, la trace de la recherche
(blogs, presse, sites de cabinets ou d'associations) : utile pour relire, jamais affichée.
`official_text` retire d'un texte ces mentions (entre parenthèses, ou entre « ; ») et garde le
reste ; `unofficial_mentions` les trouve (tests des pages).
"""

from __future__ import annotations

import re

# Hôtes officiels : l'État (*.gouv.fr, académies), le service public et ses opérateurs.
OFFICIAL_HOSTS = frozenset(
    {
        "service-public.fr",
        "www.service-public.fr",
        "entreprendre.service-public.fr",
        "francetravail.fr",
        "www.francetravail.fr",
        "urssaf.fr",
        "www.urssaf.fr",
        "caf.fr",
        "www.caf.fr",
        "epide.fr",
        "www.epide.fr",
        "senat.fr",
        "www.senat.fr",
        "assemblee-nationale.fr",
        "www.assemblee-nationale.fr",
        "europa.eu",
        "eur-lex.europa.eu",
    }
)
OFFICIAL_SUFFIXES = (".gouv.fr",)
ACADEMY = re.compile(r"^(?:www\.)?ac-[a-z-]+\.fr$")
# Sources de recherche citées sans leur domaine dans les fichiers de paramètres.
RESEARCH_NAMES = ("bpifrance-creation", "affiches-parisiennes", "cap-metiers", "tricoteuses")
HOST = re.compile(
    r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:fr|org|com|net|eu|info|re|io|biz))\b(?![\w-])",
    re.IGNORECASE,
)
# Modules Python cités dans des textes (« quartiers.core.fr ») : pas des sites.
NOT_HOSTS = re.compile(r"^quartiers\.", re.IGNORECASE)


def is_official(host: str) -> bool:
    host = host.lower().removeprefix("www.") if host.lower().startswith("www.") else host.lower()
    return (
        host in OFFICIAL_HOSTS
        or f"www.{host}" in OFFICIAL_HOSTS
        or host.endswith(OFFICIAL_SUFFIXES)
        or host in {s.lstrip(".") for s in OFFICIAL_SUFFIXES}
        or bool(ACADEMY.match(host))
    )


def unofficial_mentions(text: str) -> list[str]:
    """Les sources non officielles nommées dans un texte (domaines et noms connus)."""
    found = [
        m.group(1)
        for m in HOST.finditer(text)
        if not NOT_HOSTS.match(m.group(1)) and not is_official(m.group(1))
    ]
    lowered = text.lower()
    return found + [name for name in RESEARCH_NAMES if name in lowered]


def _clean_part(part: str) -> str:
    return "" if unofficial_mentions(part) else part


def _clean_list(text: str, separator: str) -> str:
    kept = [p for p in (_clean_part(s.strip()) for s in text.split(separator)) if p]
    return separator.join(kept)


PARENS = re.compile(r"\s*\(([^()]*)\)")


def official_text(text: str) -> str:
    """Le texte sans ses sources non officielles : « Décret n° 2022-199 ; evasionfm.com » →
    « Décret n° 2022-199 » ; « Instruction du 03/03/2025 (resocolo.org) » → « Instruction du
    03/03/2025 ». Rien n'est retiré d'un texte qui n'en cite pas."""
    if not unofficial_mentions(text):
        return text

    def inner(match: re.Match[str]) -> str:
        body = match.group(1)
        if not unofficial_mentions(body):
            return match.group(0)
        kept = _clean_list(body, " ; ")
        kept = _clean_list(kept, ", ") if kept else ""
        return f" ({kept})" if kept else ""

    previous = None
    while previous != text:  # parenthèses imbriquées : de l'intérieur vers l'extérieur
        previous, text = text, PARENS.sub(inner, text)
    text = _clean_list(text, " ; ")
    if unofficial_mentions(text):  # mention au milieu d'une phrase : la phrase part
        text = " ".join(s for s in re.split(r"(?<=[.!?])\s+", text) if not unofficial_mentions(s))
    return text.strip(" ;,")
