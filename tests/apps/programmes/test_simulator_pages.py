"""Les pages du simulateur : étapes courtes, erreurs en clair, résumé d'abord, démarches datées,
sources officielles seulement, écritures françaises."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from quartiers import demo
from quartiers.core import fr
from quartiers.core.params import ParameterError
from quartiers.core.rules import next_steps, registry
from quartiers.core.rules.sources import official_text, unofficial_mentions

pytestmark = pytest.mark.django_db

PERSON = {
    "_asked": "x",
    "date": "2025-06-01",
    "birth_date": "2004-03-01",
    "lon": "2.388",
    "lat": "46.654",
    "employment_status": "jobseeker",
    "household_tax_situation": "not_taxed",
    "receives_incompatible_benefit": "non",
    "resultats": "1",
}
EMPLOYER = {
    "_asked": "x",
    "date": "2024-06-01",
    "hire_date": "2024-03-01",
    "contract_type": "cdi",
    "organisation_type": "association",
    "employment_status": "jobseeker",
    "birth_date": "1980-01-01",
    "lon": "2.388",
    "lat": "46.654",
    "resultats": "1",
}
STRUCTURE = {
    "_asked": "x",
    "date": "2025-06-01",
    "organisation_type": "company",
    "premises_lon": "2.388",
    "premises_lat": "46.654",
    "resultats": "1",
}


def _text(html: str) -> str:
    """Le texte visible du contenu et les adresses de ses liens (sans scripts ni styles ; le pied
    de page commun, avec la licence, n'est pas une source de dispositif)."""
    html = html.split('id="content"', 1)[-1].split("</main>", 1)[0]
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    hrefs = " ".join(re.findall(r'href="([^"]+)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + hrefs)


def _pages(client: Client) -> dict[str, str]:
    return {
        "index": client.get("/dispositifs/").content.decode(),
        "paramètres": client.get("/dispositifs/parametres/").content.decode(),
        "personne": client.get("/dispositifs/personne/", PERSON).content.decode(),
        "employeur": client.get("/dispositifs/employeur/", EMPLOYER).content.decode(),
        "structure": client.get("/dispositifs/structure/", STRUCTURE).content.decode(),
    }


def test_pages_show_only_official_sources() -> None:
    """Les notes de recherche (blogs, presse, cabinets) restent dans les fichiers YAML."""
    demo.build_geography()
    files = " ".join(p.read_text() for p in Path(registry.PARAMETERS_DIR).glob("*.yaml"))
    assert unofficial_mentions(files), "les fichiers gardent leurs notes de recherche"
    for name, html in _pages(Client()).items():
        found = unofficial_mentions(_text(html))
        assert not found, f"page {name} : sources non officielles {sorted(set(found))}"


def test_official_text_keeps_the_official_part() -> None:
    assert official_text("Décret n° 2022-199 ; evasionfm.com") == "Décret n° 2022-199"
    assert official_text("Instruction du 03/03/2025 (resocolo.org)") == "Instruction du 03/03/2025"
    assert official_text("ac-toulouse.fr ; resocolo.org") == "ac-toulouse.fr"
    assert official_text("SP F1190 ; travail-emploi.gouv.fr") == "SP F1190 ; travail-emploi.gouv.fr"
    assert official_text("ash.tm.fr ; weka.fr") == ""


def test_parameters_page_is_written_the_french_way() -> None:
    html = Client().get("/dispositifs/parametres/").content.decode()
    body = _text(html.split("<main", 1)[-1])
    for python in ("True", "False", "None", "null", "jobseeker", "[[", "2018-04-01"):
        assert not re.search(rf"\b{re.escape(python)}", body), python
    assert "1er avril 2018" in body and "fermé" in body and "Demandeur d'emploi" in body
    assert "5\u202f000 €/an" in body


def test_french_writing_helpers() -> None:
    assert fr.long_date(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert fr.long_date(dt.date(2004, 7, 14)) == "14 juillet 2004"
    assert fr.euros(Decimal(5000), cents=True) == "5\u202f000,00 €"
    assert fr.value(True) == "oui" and fr.value(None) == "fermé"
    assert fr.value(0.3, "ratio") == "30 %" and fr.value(17538.4, "€/an") == "17\u202f538,40 €/an"


def test_results_start_with_a_summary_then_next_steps_behind_details() -> None:
    demo.build_geography()
    html = Client().get("/dispositifs/personne/", PERSON).content.decode()
    summary = html.index('id="resume"')
    assert summary < html.index('id="resultats"')
    assert (
        "2 aides possibles : Contrat d&#x27;engagement jeune (CEJ) et Parrainage vers l&#x27;emploi"
        " — ≈ 562 €/mois"
    ) in html
    cej = html[html.index('id="resultat-contrat_engagement_jeune"') :]
    cej = cej[: cej.index("</section>")]
    assert "Que faire ?" in cej and "https://www.1jeune1solution.gouv.fr/" in cej
    assert "vérifiée le 1er décembre 2026" in cej
    assert cej.index("Que faire ?") < cej.index("<details") < cej.index("Conditions —")
    assert "561,68 €/mois" in cej


def test_one_theme_per_screen_and_errors_in_plain_french() -> None:
    demo.build_geography()
    client = Client()
    first = client.get("/dispositifs/personne/").content.decode()
    assert "Étape 1 sur" in first and "Vous" in first and 'id="q-employment_status"' not in first
    bad = client.get(
        "/dispositifs/personne/",
        {"_asked": "employment_status", "date": "2025-06-01", "employment_status": "chomeur"},
    ).content.decode()
    assert "Situation professionnelle : choisissez une réponse de la liste" in bad
    assert "jobseeker," not in bad and "employment_status :" not in bad
    assert 'href="#f-employment_status"' in bad and "fr-select-group--error" in bad
    yes_no = client.get(
        "/dispositifs/personne/",
        {"_asked": "disability_recognised", "disability_recognised": "peut-être"},
    ).content.decode()
    assert "répondez oui ou non" in yes_no and "Je ne sais pas" in yes_no


def test_next_steps_accept_only_official_links(tmp_path: Path) -> None:
    for slug in registry.SLUGS:
        for entry in next_steps.for_programme(slug):
            assert all(link.url.startswith("https://") for link in entry.links)
    path = tmp_path / "x.yaml"
    path.write_text(
        "next_steps:\n  2024-01-01:\n    how: Demander\n    reference: Décret\n"
        "    checked: 2026-12-01\n    links:\n      - {title: Blog, url: 'https://weka.fr/x'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="source officielle"):
        next_steps.load(path)


def test_index_lists_the_labels_that_are_not_individual_rights() -> None:
    html = Client().get("/dispositifs/").content.decode()
    body = _text(html)
    for title in ("Quartiers d'été", "Campus connectés", "Cités de l'emploi"):
        assert title in body, title
    assert "pas des droits individuels" in body
    assert (
        "https://agence-cohesion-territoires.gouv.fr/premiere-evaluation-nationale-des-cites-de-lemploi-1109"
        in body
    )
    assert "1er décembre 2026" in body and "2026-12-01" not in body
