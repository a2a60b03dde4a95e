"""L'outil des étapes 4 et 6 : étiqueter des carreaux contigus sur une petite trame.

Un ensemble de carreaux est tramé dans un tableau à peine plus grand que son emprise, puis
étiqueté par `scipy.ndimage.label` (4 ou 8 voisins) : une boucle par territoire ou par agrégat,
jamais par carreau. Le pont (`bridge_cells`) relie deux carreaux séparés par au plus N cases
**vides** : une case qui porte un carreau habité, même non candidat, ne fait jamais pont.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from quartiers.core.identification.grid import CellGrid, IntArray
from quartiers.core.identification.parameters import IdentificationParameters


def structure(contiguity: int) -> npt.NDArray[np.bool_]:
    """Le voisinage de `ndimage.label` : 4 voisins (croix) ou 8 (carré)."""
    return np.asarray(ndimage.generate_binary_structure(2, 1 if contiguity == 4 else 2))


class Labeller:
    """Étiquette des ensembles de carreaux d'un territoire, avec pont au-dessus des cases vides."""

    def __init__(self, grid: CellGrid, params: IdentificationParameters) -> None:
        self.contiguity = params.contiguity
        self.bridge = params.bridge_cells
        self.structure = structure(params.contiguity)
        self.sorted_keys = np.sort(grid.keys())

    def inhabited(self, col: IntArray, row: IntArray) -> npt.NDArray[np.bool_]:
        keys = (row.astype(np.int64) << 32) + col.astype(np.int64)
        pos = np.searchsorted(self.sorted_keys, keys)
        pos = np.clip(pos, 0, len(self.sorted_keys) - 1)
        return np.asarray(self.sorted_keys[pos] == keys)

    def label(
        self, r: IntArray, c: IntArray, shape: tuple[int, int], c0: int, r0: int
    ) -> tuple[IntArray, int, npt.NDArray[np.int32]]:
        """Étiquettes 0..k-1 des carreaux (r, c) (coordonnées locales), nombre k, trame étiquetée."""
        mask = np.zeros(shape, dtype=bool)
        mask[r, c] = True
        conn = mask
        if self.bridge > 0:
            dil = np.zeros(shape, dtype=bool)
            n = self.bridge
            for dr in range(n + 1):
                for dc in range(n + 1):
                    if self.contiguity == 4 and dr and dc:
                        continue
                    dil[dr:, dc:] |= mask[: shape[0] - dr, : shape[1] - dc]
            extra = dil & ~mask
            er, ec = np.nonzero(extra)
            if len(er):
                occupied = self.inhabited(ec.astype(np.int64) + c0, er.astype(np.int64) + r0)
                extra[er[occupied], ec[occupied]] = False
            conn = mask | extra
        labels, _count = ndimage.label(conn, structure=self.structure)
        at_cells = labels[r, c]
        uniq, inverse = np.unique(at_cells, return_inverse=True)
        return inverse.astype(np.int64), len(uniq), labels


def hole_owners(
    raster: npt.NDArray[np.int32], bg_labels: npt.NDArray[np.int32], holes: IntArray
) -> IntArray:
    """Pour chaque trou, l'étiquette de l'agrégat qui le borde (lue sur les seuls pixels du trou)."""
    lookup = np.zeros(int(bg_labels.max()) + 1, dtype=bool)
    lookup[holes] = True
    hr, hc = np.nonzero(lookup[bg_labels])
    ids = bg_labels[hr, hc]
    owner_of = np.zeros(len(lookup), dtype=np.int64)
    h, w = raster.shape
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            nr = np.clip(hr + dr, 0, h - 1)
            nc = np.clip(hc + dc, 0, w - 1)
            np.maximum.at(owner_of, ids, raster[nr, nc].astype(np.int64))
    return owner_of
