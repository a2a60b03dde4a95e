"""Le moteur : `identify()` enchaîne les étapes de la méthode, chacune dans `stages`.

Méthode (décret n° 2014-767, art. 1, 2 et 4 ; décret n° 2014-1575, art. 1 et 2 ; choix de
méthode signalés dans `parameters.yaml`) :

1. chaque carreau est placé dans sa commune (`lcog_geo`), donc dans son unité urbaine ;
   seules les unités urbaines d'au moins 10 000 habitants (arrondis aux 100 supérieurs) sont
   des territoires urbains. Martinique et La Réunion : le territoire est la commune
   d'au moins 15 000 habitants (`stages.territories`) ;
2. seuil par territoire (`stages.thresholds`) ; carreaux candidats : ceux que le critère
   retient (`stages.candidates`) ;
3. agrégation des candidats contigus (4 ou 8 voisins), en franchissant au plus N carreaux
   **vides** (`bridge_cells`, 1 par défaut) ; les carreaux habités non candidats entièrement
   entourés par un agrégat y sont intégrés (`absorb_enclaves`) (`stages.aggregation`) ;
4. chaque agrégat est testé : population ≥ 1 000, (outre-mer : densité ≥ 2 000 hab./km²),
   puis le critère (médiane strictement sous le seuil) (`stages.checks`) ;
5. **rognage** : un agrégat assez peuplé qui échoue seulement au critère perd ses carreaux
   de bord plus riches que le seuil, passe après passe ; les morceaux restants (il peut se
   scinder) sont testés à nouveau (`stages.trimming`) ;
6. statuts des carreaux, codes et explications des agrégats (`stages.explanations`).

Le calcul est vectorisé : une boucle Python par territoire (≈ 600 en France), jamais par carreau ;
chaque territoire est tramé dans un petit tableau et étiqueté par `scipy.ndimage.label`.

Les types de l'entrée et du résultat (`model`) sont aussi importables d'ici.
"""

from __future__ import annotations

import datetime as dt

from quartiers.core.identification.model import (
    STATUS_CODES,
    STATUS_LABELS,
    Aggregate,
    CellStatus,
    IdentificationInput,
    IdentificationResult,
    ProgressFn,
)
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.stages.aggregation import aggregate_candidates
from quartiers.core.identification.stages.candidates import candidate_cells
from quartiers.core.identification.stages.checks import check_aggregates
from quartiers.core.identification.stages.criterion import choose_criterion
from quartiers.core.identification.stages.explanations import (
    build_aggregates,
    cell_statuses,
    renumber,
)
from quartiers.core.identification.stages.labelling import Labeller
from quartiers.core.identification.stages.territories import is_overseas, place_in_territories
from quartiers.core.identification.stages.thresholds import territory_thresholds
from quartiers.core.identification.stages.trimming import trim_aggregates

__all__ = [
    "STATUS_CODES",
    "STATUS_LABELS",
    "STEPS",
    "Aggregate",
    "CellStatus",
    "IdentificationInput",
    "IdentificationResult",
    "ProgressFn",
    "identify",
]

STEPS = 4  # seuils, agrégation, tests et rognage, explications


def identify(data: IdentificationInput, progress: ProgressFn | None = None) -> IdentificationResult:
    """Identifie les quartiers ; toutes les décisions sont expliquées."""
    params = data.params or IdentificationParameters.at(dt.date.today())
    grid = data.grid
    overseas = is_overseas(data)
    chosen = choose_criterion(data, params)
    criterion, values = chosen.criterion, chosen.values

    territories = place_in_territories(data, overseas)
    thresholds = territory_thresholds(data, territories, criterion, values, params, overseas)
    candidates = candidate_cells(territories, thresholds, criterion, values)
    _step(progress, 1)

    labeller = Labeller(grid, params)
    grouping = aggregate_candidates(
        grid, labeller, params, territories, thresholds, candidates, values
    )
    _step(progress, 2)

    groups = check_aggregates(grid, criterion, params, overseas, grouping, thresholds)
    trimming = trim_aggregates(
        grid, labeller, params, criterion, groups, grouping, candidates, values
    )
    _step(progress, 3)

    aggregates = build_aggregates(groups, grouping, trimming, territories)
    status = cell_statuses(aggregates, groups, grouping, trimming, candidates, values)
    cell_aggregate = renumber(aggregates, groups, grouping)
    _step(progress, 4)
    return IdentificationResult(
        grid=grid,
        params=params,
        criterion=criterion.name,
        criterion_label=criterion.label,
        estimated=criterion.estimated or grid.population_estimated,
        overseas=overseas,
        national_median=thresholds.national_median,
        thresholds=thresholds.by_code,
        cell_status=status,
        cell_aggregate=cell_aggregate,
        cell_values=values,
        aggregates=aggregates,
        warnings=[*chosen.warnings, *territories.warnings, *thresholds.warnings],
    )


def _step(progress: ProgressFn | None, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)
