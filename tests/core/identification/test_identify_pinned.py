"""Résultats complets d'`identify()` figés avant le découpage du moteur par étapes.

Les valeurs ont été relevées sur le moteur d'un seul tenant (`aggregate.py`, 1 030 lignes) :
si elles changent, le découpage (ou une modification ultérieure) a changé la méthode.
"""

from __future__ import annotations

import pytest

from quartiers.core.identification import CellStatus, RunOptions, run
from tests.conftest import shared
from tests.core.identification.helpers import THRESHOLD, run_grid

POOR = 9000.0
RICH = 20000.0


def test_synthetic_grid_result_is_pinned():
    """Une enclave, un rognage, un agrégat trop petit, deux carreaux en diagonale (4 voisins)."""
    edge = THRESHOLD + 50
    cells = {(c, r): (150.0, POOR) for c in range(3) for r in range(3)}
    cells[(1, 1)] = (100, RICH)
    cells.update(
        {
            (6, 0): (700, edge),
            (7, 0): (400, POOR),
            (8, 0): (400, POOR),
            (9, 0): (400, POOR),
            (10, 0): (700, edge),
            (0, 6): (300, POOR),
            (1, 6): (300, POOR),
            (5, 6): (600, POOR),
            (6, 7): (600, POOR),
        }
    )
    result = run_grid(cells, candidate_margin="0.05", bridge_cells=0)
    assert (len(result.quartiers), len(result.rejected)) == (2, 3)
    assert result.warnings == []
    assert result.status_counts() == {
        "hors territoire urbain": 0,
        "sans donnée de revenu": 0,
        "non candidat": 0,
        "candidat, agrégat rejeté": 4,
        "retiré au rognage": 2,
        "dans un quartier": 11,
        "enclave intégrée au quartier": 1,
    }
    S, E, T, R = CellStatus.QUARTIER, CellStatus.ENCLAVE, CellStatus.TRIMMED, CellStatus.REJECTED
    assert result.cell_status.tolist() == [S, S, S, S, E, S, S, S, S, T, S, S, S, T, R, R, R, R]
    assert result.cell_aggregate.tolist() == [0] * 9 + [-1, 1, 1, 1, -1, 2, 2, 3, 4]
    assert [a.code for a in result.aggregates] == [
        "SIM-00001-001",
        "SIM-00001-002",
        "REJ-00001-001",
        "REJ-00001-002",
        "REJ-00001-003",
    ]
    assert result.thresholds["00001"].reason == (
        "territoire urbain (50 000 habitants ≥ 10 000), seuil 11 500 €"
    )
    assert result.aggregates[0].explanation == (
        "Quartier retenu — territoire 00001 (Unité de test), communes 99001, 9 carreau(x) "
        "(1 enclave(s) intégrée(s)) : population 1 300 ≥ 1 000 ; médiane 9 000 € (estimation) "
        "< seuil 11 500 €."
    )
    assert result.aggregates[1].explanation == (
        "Quartier retenu — territoire 00001 (Unité de test), communes 99001, 3 carreau(x) "
        "(agrégat initial : médiane 11 550 € (estimation) ≥ seuil 11 500 € ; 2 carreau(x) de bord "
        "plus riche(s) retiré(s) au rognage) : population 1 200 ≥ 1 000 ; médiane 9 000 € "
        "(estimation) < seuil 11 500 €."
    )
    assert result.aggregates[2].explanation == (
        "Agrégat rejeté — territoire 00001 (Unité de test), communes 99001, 2 carreau(x) : "
        "population 600 < 1 000 ; médiane 9 000 € (estimation) < seuil 11 500 €."
    )


@pytest.fixture(scope="module")
def reunion():
    return run(
        RunOptions(
            grid=shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv"), criterion="poor-share"
        )
    )


def test_reunion_result_is_pinned(reunion):
    assert (len(reunion.quartiers), len(reunion.rejected)) == (17, 488)
    assert reunion.status_counts() == {
        "hors territoire urbain": 0,
        "sans donnée de revenu": 0,
        "non candidat": 12297,
        "candidat, agrégat rejeté": 1671,
        "retiré au rognage": 0,
        "dans un quartier": 108,
        "enclave intégrée au quartier": 0,
    }
    assert sorted(round(q.population) for q in reunion.quartiers) == [
        1030, 1039, 1145, 1159, 1254, 1366, 1434, 1442, 1448,
        1490, 1651, 2030, 2307, 2442, 2937, 3147, 3185,
    ]  # fmt: skip
    assert reunion.warnings == [
        "critère « part de ménages pauvres » : critère de substitution pour une grille sans "
        "revenus, ce n'est pas le critère du décret (revenu médian)",
        "population estimée : ménages × 2,8 personnes par ménage (à vérifier)",
        "la grille ne dit pas la commune de chaque carreau (lcog_geo) : toute la grille forme un "
        "seul territoire",
    ]
    assert reunion.thresholds["GRILLE"].reason == (
        "aucune commune sur les carreaux : la grille entière forme un seul territoire "
        "(condition de territoire urbain non vérifiée)"
    )
    assert reunion.find("SIM-GRILLE-001").explanation == (
        "Quartier retenu — territoire GRILLE (grille entière), communes inconnues, 15 carreau(x) "
        ": population 3 185 (estimation) ≥ 1 000 ; densité 5 308 hab./km² ≥ 2 000 ; part de "
        "ménages pauvres 65,2 % > 50,0 %."
    )
    assert reunion.find("REJ-GRILLE-001").explanation == (
        "Agrégat rejeté — territoire GRILLE (grille entière), communes inconnues, 81 carreau(x) "
        "(4 enclave(s) intégrée(s)) : population 1 487 (estimation) ≥ 1 000 ; densité 459 "
        "hab./km² < 2 000 ; part de ménages pauvres 66,1 % > 50,0 %."
    )
    assert reunion.find("REJ-GRILLE-488").explanation == (
        "Agrégat rejeté — territoire GRILLE (grille entière), communes inconnues, 1 carreau(x) : "
        "population 1 (estimation) < 1 000 ; densité 15 hab./km² < 2 000 ; part de ménages "
        "pauvres 54,5 % > 50,0 %."
    )
