"""Agrégation sur petites grilles faites à la main, aux réponses connues.

Seuil de l'unité de test : 11 500 € (voir helpers). Population minimale : 1 000.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from quartiers.core.identification import CellStatus, IdentificationInput, identify
from quartiers.core.identification.criteria import IndividualIncomes
from quartiers.core.identification.units import UrbanUnit
from tests.core.identification.helpers import (
    NATIONAL,
    THRESHOLD,
    UU,
    UU_MEDIAN,
    make_grid,
    run_grid,
)

POOR = 9000.0
RICH = 20000.0


def test_diagonal_cells_join_with_8_but_not_4_neighbours():
    cells = {(0, 0): (600, POOR), (1, 1): (600, POOR)}
    four = run_grid(cells, contiguity=4, bridge_cells=0)
    assert len(four.quartiers) == 0
    assert [a.population for a in four.rejected] == [600, 600]
    assert "population 600 < 1 000" in four.rejected[0].explanation
    eight = run_grid(cells, contiguity=8, bridge_cells=0)
    assert len(eight.quartiers) == 1
    assert eight.quartiers[0].population == 1200


def test_bridge_over_one_empty_cell():
    cells = {(0, 0): (600, POOR), (2, 0): (600, POOR)}
    assert len(run_grid(cells, bridge_cells=0).quartiers) == 0
    bridged = run_grid(cells, bridge_cells=1)
    assert len(bridged.quartiers) == 1
    assert bridged.quartiers[0].n_cells == 2  # la case vide n'est pas un carreau du quartier
    wide_gap = {(0, 0): (600, POOR), (3, 0): (600, POOR)}
    assert len(run_grid(wide_gap, bridge_cells=1).quartiers) == 0
    assert len(run_grid(wide_gap, bridge_cells=2).quartiers) == 1


def test_bridge_never_crosses_an_inhabited_richer_cell():
    cells = {(0, 0): (600, POOR), (1, 0): (50, RICH), (2, 0): (600, POOR)}
    result = run_grid(cells, bridge_cells=1)
    assert len(result.quartiers) == 0
    assert result.cell_status[1] == CellStatus.NOT_CANDIDATE


def test_999_inhabitants_fail_1000_pass():
    short = run_grid({(0, 0): (500, POOR), (1, 0): (499, POOR)})
    assert len(short.quartiers) == 0
    assert "population 999 < 1 000" in short.rejected[0].explanation
    enough = run_grid({(0, 0): (500, POOR), (1, 0): (500, POOR)})
    assert len(enough.quartiers) == 1
    assert "population 1 000 ≥ 1 000" in enough.quartiers[0].explanation


def test_median_exactly_equal_to_threshold_is_not_below():
    # Carreaux au seuil exact : non candidats…
    at = run_grid({(0, 0): (600, THRESHOLD), (1, 0): (600, THRESHOLD)})
    assert len(at.aggregates) == 0
    assert set(at.cell_status.tolist()) == {CellStatus.NOT_CANDIDATE}
    # … et, candidats par une marge de simulation, l'agrégat échoue : 11 500 n'est pas < 11 500.
    margin = run_grid({(0, 0): (600, THRESHOLD), (1, 0): (600, THRESHOLD)}, candidate_margin="0.01")
    assert len(margin.quartiers) == 0
    assert "médiane 11 500 € (estimation) ≥ seuil 11 500 €" in margin.rejected[0].explanation
    below = run_grid({(0, 0): (600, THRESHOLD - 1), (1, 0): (600, THRESHOLD - 1)})
    assert "médiane 11 499 € (estimation) < seuil 11 500 €" in below.quartiers[0].explanation


def test_trimming_removes_richer_edge_cells_then_retests():
    edge_rich = THRESHOLD + 50
    cells = {
        (0, 0): (700, edge_rich),
        (1, 0): (400, POOR),
        (2, 0): (400, POOR),
        (3, 0): (400, POOR),
        (4, 0): (700, edge_rich),
    }
    result = run_grid(cells, candidate_margin="0.05", bridge_cells=0)
    assert len(result.quartiers) == 1
    q = result.quartiers[0]
    assert q.population == 1200
    assert q.n_cells == 3
    assert "2 carreau(x) de bord plus riche(s) retiré(s)" in q.explanation
    assert "agrégat initial : médiane 11 550 €" in q.explanation
    assert result.cell_status[0] == CellStatus.TRIMMED
    assert result.cell_status[4] == CellStatus.TRIMMED
    # Sans assez d'habitants une fois rogné : rejet, avec la raison.
    small = {k: (v[0] if v[1] != POOR else 300, v[1]) for k, v in cells.items()}
    rejected = run_grid(small, candidate_margin="0.05", bridge_cells=0)
    assert len(rejected.quartiers) == 0
    assert any("population 900 < 1 000" in a.explanation for a in rejected.rejected)


def test_enclave_inside_a_quartier_is_absorbed():
    cells = {(c, r): (150, POOR) for c in range(3) for r in range(3)}
    cells[(1, 1)] = (100, RICH)
    result = run_grid(cells, bridge_cells=0)
    assert len(result.quartiers) == 1
    q = result.quartiers[0]
    assert q.population == 8 * 150 + 100
    assert q.enclaves == 1
    centre = list(cells).index((1, 1))
    assert result.cell_status[centre] == CellStatus.ENCLAVE
    kept_out = run_grid(cells, bridge_cells=0, absorb_enclaves="false")
    assert kept_out.quartiers[0].population == 1200


def test_small_urban_unit_is_not_an_urban_territory():
    cells = {(0, 0): (600, POOR), (1, 0): (600, POOR)}
    out = run_grid(cells, uu_population=9900)
    assert len(out.aggregates) == 0
    assert set(out.cell_status.tolist()) == {CellStatus.OUTSIDE}
    assert "< 10 000" in out.thresholds[UU].reason
    assert len(run_grid(cells, uu_population=9901).quartiers) == 1


def test_individual_incomes_give_exact_weighted_medians():
    grid = make_grid({(0, 0): (600, np.nan), (1, 0): (600, np.nan)})
    # Carreau 0 : 600 personnes à 9 000 € ; carreau 1 : 300 à 11 000 €, 300 à 30 000 €.
    incomes = IndividualIncomes(
        cell=np.array([0, 1, 1], dtype=np.int64),
        income_per_cu=np.array([9000.0, 11000.0, 30000.0]),
        weight=np.array([600.0, 300.0, 300.0]),
    )
    result = identify(
        IdentificationInput(
            grid=grid,
            urban_units={UU: UrbanUnit(UU, 50_000, UU_MEDIAN)},
            composition={"99001": UU},
            national_median=NATIONAL,
            incomes=incomes,
        )
    )
    assert not result.estimated
    q = result.quartiers[0]
    assert q.median_income_per_cu == Decimal("9000.00")
    assert "(estimation)" not in q.explanation
    assert result.cell_values.tolist() == [9000.0, 11000.0]


def test_no_per_cell_loop_scales_to_many_territories():
    """Deux unités urbaines voisines : un agrégat ne franchit jamais la limite d'unité urbaine."""
    grid = make_grid({(0, 0): (600, POOR), (1, 0): (600, POOR)})
    grid.commune_index = np.array([0, 1], dtype=np.int32)
    grid.communes = ("99001", "99002")
    result = identify(
        IdentificationInput(
            grid=grid,
            urban_units={
                "A": UrbanUnit("A", 50_000, UU_MEDIAN),
                "B": UrbanUnit("B", 50_000, UU_MEDIAN),
            },
            composition={"99001": "A", "99002": "B"},
            national_median=NATIONAL,
        )
    )
    assert len(result.quartiers) == 0
    assert sorted(a.territory for a in result.rejected) == ["A", "B"]


def test_martinique_reunion_variant_commune_density_and_department_threshold():
    """Décret 2014-1575 : commune ≥ 15 000 habitants, densité ≥ 2 000 hab./km², seuil départemental."""
    cells = {
        (0, 0): (600, 9000.0),
        (1, 0): (600, 9600.0),
        (5, 5): (600, 9000.0),
        (6, 5): (600, 9000.0),
    }
    grid = make_grid(cells)
    grid.crs = "EPSG:2975"
    grid.commune_index = np.array([0, 0, 1, 1], dtype=np.int32)
    grid.communes = ("97411", "97424")
    result = identify(
        IdentificationInput(
            grid=grid,
            urban_units={
                "97411": UrbanUnit("97411", 150_000),
                "97424": UrbanUnit("97424", 14_999),
            },
            national_median=Decimal(18750),
            department_median=Decimal(15000),
        )
    )
    assert result.overseas
    saint_denis = result.thresholds["97411"]
    assert saint_denis.eligible and saint_denis.low_income_threshold == Decimal(9700)
    assert "2014-1575" in saint_denis.formula
    assert not result.thresholds["97424"].eligible  # 14 999 < 15 000
    assert result.cell_status[2] == CellStatus.OUTSIDE
    (q,) = result.quartiers
    assert q.territory == "97411" and q.population == 1200
    assert "densité 15 000 hab./km² ≥ 2 000" in q.explanation
    assert "< seuil 9 700 €" in q.explanation


def test_trimming_can_split_an_aggregate_in_two():
    rich = THRESHOLD + 50
    cells = {
        (0, 0): (600, POOR),
        (1, 0): (600, POOR),
        (2, 0): (2500, rich),  # au milieu, mais au bord (rien au-dessus ni au-dessous)
        (3, 0): (600, POOR),
        (4, 0): (600, POOR),
    }
    result = run_grid(cells, candidate_margin="0.05", bridge_cells=0)
    assert [q.population for q in result.quartiers] == [1200, 1200]
    assert all(
        "1 carreau(x) de bord plus riche(s) retiré(s)" in q.explanation for q in result.quartiers
    )
    assert result.cell_status[2] == CellStatus.TRIMMED


def test_per_territory_fallback_gives_the_same_answer(monkeypatch):
    """Au-delà d'une emprise maximale, la trame se fait territoire par territoire : même résultat."""
    from quartiers.core.identification.stages import aggregation

    cells = {(c, r): (150, POOR) for c in range(3) for r in range(3)}
    cells[(1, 1)] = (100, RICH)
    cells[(6, 0)] = (600, POOR)
    cells[(8, 0)] = (600, POOR)
    single = run_grid(cells)
    monkeypatch.setattr(aggregation, "MAX_RASTER_CELLS", 0)
    fallback = run_grid(cells)
    assert [(q.population, q.n_cells, q.enclaves) for q in single.quartiers] == [
        (q.population, q.n_cells, q.enclaves) for q in fallback.quartiers
    ]
    assert single.cell_status.tolist() == fallback.cell_status.tolist()
    assert len(single.quartiers) == 2
