"""Labels et subventions qui ne sont pas des droits individuels : données sourcées, liens officiels."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.core.params import ParameterError
from quartiers.core.rules import labels, registry
from quartiers.core.rules.sources import is_official


def test_the_states_presentation_is_covered() -> None:
    found = {entry.slug: entry for entry in labels.all_labels()}
    for slug in ("quartiers_ete", "campus_connectes", "cites_emploi", "quartiers_productifs"):
        assert slug in found, slug
    assert not set(found) & set(registry.SLUGS), "un dispositif calculable n'est pas un label"
    for entry in found.values():
        assert entry.what and entry.who and entry.reference, entry.slug
        assert entry.kind_label
        for link in entry.links:
            assert link.url.startswith("https://") and is_official(link.host), link.url


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "labels.yaml"
    path.write_text(body, encoding="utf-8")
    return path


ENTRY = """labels:
  - slug: x
    title: X
    kind: {kind}
    since: 2020-01-01
    what: Quoi
    who: Qui
    links: [{{title: Page, url: "{url}"}}]
    reference: Texte
    checked: 2026-12-01
"""


def test_an_unofficial_link_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(kind="label", url="https://www.example-blog.com/x"))
    with pytest.raises(ParameterError, match="pas une source officielle"):
        labels.load(path)


def test_an_unknown_kind_and_a_missing_field_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.format(kind="droit", url="https://www.service-public.fr/x"))
    with pytest.raises(ParameterError, match="type « droit » inconnu"):
        labels.load(path)
    path = _write(
        tmp_path,
        ENTRY.replace("    who: Qui\n", "").format(
            kind="label", url="https://www.service-public.fr/x"
        ),
    )
    with pytest.raises(ParameterError, match="« who » attendu"):
        labels.load(path)
    ok = labels.load(
        _write(tmp_path, ENTRY.format(kind="label", url="https://www.service-public.fr/x"))
    )
    assert ok[0].links[0].host == "www.service-public.fr"
