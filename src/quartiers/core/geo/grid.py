"""Grilles emboîtées qui accélèrent la localisation point → périmètre sans rien perdre d'exact.

Pourquoi : tester chaque point contre les polygones (STRtree de shapely) coûte quelques
microsecondes par point ; sur des millions d'adresses, l'essentiel de ce temps est perdu pour
des points loin de toute limite. On découpe donc le monde en cellules carrées de 2^-e degré,
sur plusieurs niveaux (par défaut 1°, 1/64°, 1/512°, 1/4096° ≈ 25 m) :

- une cellule est « vide » si aucun de ses points n'est dans un périmètre ;
- elle est « intérieure au périmètre k » si tous ses points sont dans k et qu'aucun périmètre
  de rang inférieur ne la touche ;
- sinon elle est « limite » : on la redécoupe au niveau suivant, et au dernier niveau elle
  garde la liste de ses périmètres candidats, testés exactement (test de parité certifié de
  `crossing.py` quand il conclut, shapely `intersects` sinon).

Classement exact et bon marché : une cellule qu'aucune arête du périmètre ne peut toucher
(emprises d'arêtes rastérisées, par excès) est tout entière dedans ou dehors, et un test de
point sur son coin bas-gauche le dit ; les autres sont classées sur leur boîte fermée par les
prédicats robustes de GEOS (`intersects`, `contains_properly`).

Les tailles de cellule sont des puissances de deux : `floor(x · 2^e)` est alors calculé sans
arrondi en float64, les bords de cellule sont exactement représentables, et le rang d'une
cellule au niveau grossier s'obtient par décalage de bits. Une cellule est semi-ouverte
([x0, x1[ × [y0, y1[) : un point sur un bord appartient à la cellule de droite (ou du haut), et
c'est pour ces points-là que le classement est établi. Tout repose sur les prédicats de GEOS,
les mêmes que `STRtree.query(..., predicate="intersects")` : les réponses sont identiques.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from quartiers.core.geo.crossing import (
    MAX_KEY_EXPONENT,
    LeafEdges,
    cell_key,
    edge_cells,
    ring_edges,
)

IntArray = npt.NDArray[np.int64]
AnyIntArray = npt.NDArray[np.signedinteger[Any]]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

DEFAULT_EXPONENTS = (0, 6, 9, 12)
CHUNK = 1 << 17
_EMPTY = -1
_NO_PERIMETER = np.iinfo(np.int64).max


@dataclass
class _Pairs:
    """Couples (cellule, périmètre candidat) d'un niveau : `key` est le rang de la cellule dans
    la table du niveau, (`cx`, `cy`) ses coordonnées entières au pas du niveau."""

    key: IntArray
    cx: IntArray
    cy: IntArray
    perimeter: IntArray

    def take(self, which: npt.NDArray[np.bool_] | IntArray) -> _Pairs:
        return _Pairs(self.key[which], self.cx[which], self.cy[which], self.perimeter[which])


class CellGrid:
    """Grilles emboîtées sur un tableau de géométries préparées (rangs = rangs du tableau).

    `tables[0]` couvre le monde au pas 2^-e0 ; `tables[l]` a une ligne par cellule « limite »
    du niveau l-1, une colonne par sous-cellule. Valeur ≥ 0 : périmètre qui couvre la cellule ;
    -1 : aucun ; ≤ -2 : cellule limite n° (-2 - valeur), redécoupée au niveau suivant ou, au
    dernier niveau, testée exactement contre `leaf_candidates[leaf_offsets[n]:leaf_offsets[n+1]]`.
    """

    def __init__(self, geoms: ObjectArray, exponents: Sequence[int] = DEFAULT_EXPONENTS) -> None:
        exps = tuple(int(e) for e in exponents)
        if not exps or any(b <= a for a, b in itertools.pairwise(exps)) or exps[0] < 0:
            raise ValueError("les exposants de grille doivent être positifs et croissants")
        if exps[0] > 6 or exps[-1] > 30 or any(b - a > 8 for a, b in itertools.pairwise(exps)):
            raise ValueError(
                "exposants de grille hors limites : premier ≤ 6, dernier ≤ 30, écart ≤ 8"
            )
        self._geoms = geoms
        self.exponents = exps
        self._width0 = (360 << exps[0]) + 1
        self.tables: list[npt.NDArray[np.int32]] = []
        self.boundary_cells: list[int] = []
        self.leaf_offsets: IntArray = np.zeros(1, dtype=np.int64)
        self.leaf_candidates: IntArray = np.zeros(0, dtype=np.int64)
        self.leaf_edges: LeafEdges | None = None
        self._edges = ring_edges(geoms) if len(geoms) else None
        self._build(shapely.bounds(geoms).reshape(-1, 4))

    @property
    def nbytes(self) -> int:
        """Mémoire occupée par les tables, en octets."""
        leaves = self.leaf_offsets.nbytes + self.leaf_candidates.nbytes
        edges = self.leaf_edges.nbytes if self.leaf_edges is not None else 0
        return sum(t.nbytes for t in self.tables) + leaves + edges

    # --- Construction -------------------------------------------------------------------

    def _build(self, bounds: FloatArray) -> None:
        e0 = self.exponents[0]
        lo_x, lo_y, hi_x, hi_y = _cell_ranges(bounds, e0)
        cx, cy, owner = _expand(lo_x, lo_y, hi_x - lo_x + 1, hi_y - lo_y + 1)
        key = (cy + (90 << e0)) * self._width0 + (cx + (180 << e0))
        pairs = _Pairs(key, cx, cy, owner)
        size = self._width0 * ((180 << e0) + 1)
        for level, e in enumerate(self.exponents):
            cell_keys, values, candidates, cand_nodes = self._classify(pairs, e)
            n_boundary = int((values <= -2).sum())
            table = np.full(size, _EMPTY, dtype=np.int32)
            table[cell_keys] = values
            self.tables.append(table)
            self.boundary_cells.append(n_boundary)
            if level == len(self.exponents) - 1:
                self.leaf_candidates = candidates.perimeter
                self.leaf_offsets = np.searchsorted(cand_nodes, np.arange(n_boundary + 1))
                self._build_leaf_edges(candidates, e)
                break
            f = 1 << (self.exponents[level + 1] - e)
            pairs = _children(candidates, cand_nodes, bounds, self.exponents[level + 1], f)
            size = n_boundary * f * f
        if len(self.tables) > 1:
            self._make_directory()

    def _build_leaf_edges(self, candidates: _Pairs, e: int) -> None:
        """Arêtes des cellules limites à candidat unique (test par parité, `crossing.py`)."""
        first = self.leaf_offsets[:-1]
        single = np.diff(self.leaf_offsets) == 1
        if e > MAX_KEY_EXPONENT:  # clés de jointure sur 64 bits : au-delà, shapely seul
            single[:] = False
        self.leaf_edges = LeafEdges.build(
            self._geoms,
            e,
            candidates.cx[first],
            candidates.cy[first],
            candidates.perimeter[first],
            single,
        )

    def _make_directory(self) -> None:
        """Niveau 0 → numéro de bloc du niveau 1 pour toutes les cellules, même vides ou
        intérieures (blocs constants ajoutés en fin de table) : la recherche fait alors ses deux
        premiers niveaux sans trier les points, ce qui épargne une passe sur tout le lot."""
        top, blocks = self.tables[0], self.tables[1]
        block_size = 1 << (2 * (self.exponents[1] - self.exponents[0]))
        n_blocks = len(blocks) // block_size
        constants = np.unique(top[top >= _EMPTY])
        directory = np.where(top <= -2, -2 - top, 0).astype(np.int32)
        for i, value in enumerate(constants.tolist()):
            directory[top == value] = n_blocks + i
        filler = np.repeat(constants.astype(np.int32), block_size)
        self.tables[0] = directory
        self.tables[1] = np.concatenate([blocks, filler])

    def _classify(self, pairs: _Pairs, e: int) -> tuple[IntArray, IntArray, _Pairs, IntArray]:
        """Classe les cellules d'un niveau ; rend leurs clés, leurs valeurs codées et les
        candidats (avec le n° de cellule limite) des cellules limites."""
        order = np.lexsort((pairs.perimeter, pairs.key))
        pairs = pairs.take(order)
        geoms = self._geoms[pairs.perimeter]
        if self._edges is not None and e <= MAX_KEY_EXPONENT:
            hit, cover = self._by_edges(self._edges, pairs, geoms, e)
        else:
            hit, cover = _by_boxes(pairs, geoms, e)
        new_cell = np.ones(len(pairs.key), dtype=bool)
        new_cell[1:] = pairs.key[1:] != pairs.key[:-1]
        cell_of_pair = np.cumsum(new_cell) - 1
        cell_keys = pairs.key[new_cell]
        n_cells = len(cell_keys)
        # Les couples sont triés par périmètre dans chaque cellule : le premier touché est le plus petit.
        first_hit = _first_per_cell(n_cells, cell_of_pair, pairs.perimeter, hit)
        first_cover = _first_per_cell(n_cells, cell_of_pair, pairs.perimeter, cover)
        touched_cell = first_hit != _NO_PERIMETER
        interior = touched_cell & (first_hit == first_cover)
        boundary = touched_cell & ~interior
        node = np.cumsum(boundary) - 1
        values = np.where(interior, first_hit, np.where(boundary, -2 - node, _EMPTY))
        keep = hit & boundary[cell_of_pair] & (pairs.perimeter <= first_cover[cell_of_pair])
        return cell_keys, values, pairs.take(keep), node[cell_of_pair[keep]]

    def _by_edges(
        self,
        edges: tuple[FloatArray, FloatArray, IntArray],
        pairs: _Pairs,
        geoms: ObjectArray,
        e: int,
    ) -> tuple[BoolArray, BoolArray]:
        """Classement par les arêtes : une cellule qu'aucune emprise d'arête du périmètre ne
        touche est tout entière dedans ou dehors (la limite n'y passe pas), et son coin bas-gauche
        le dit, par un test de point bien moins cher qu'une boîte ; seules les autres passent par
        les boîtes fermées de `_by_boxes`."""
        a, b, owner = edges
        n = max(1, len(self._geoms))
        ecx, ecy, edge = edge_cells(a, b, e)
        keys = np.unique(cell_key(ecx, ecy, e) * n + owner[edge])
        wanted = cell_key(pairs.cx, pairs.cy, e) * n + pairs.perimeter
        pos = np.clip(np.searchsorted(keys, wanted), 0, max(0, len(keys) - 1))
        touched = keys[pos] == wanted if len(keys) else np.zeros(len(wanted), dtype=bool)
        hit = np.zeros(len(touched), dtype=bool)
        cover = np.zeros(len(touched), dtype=bool)
        near = np.flatnonzero(touched)
        hit[near], cover[near] = _by_boxes(pairs.take(near), geoms[near], e)
        free = np.flatnonzero(~touched)
        scale = float(2**e)
        corner = shapely.points(pairs.cx[free] / scale, pairs.cy[free] / scale)
        inside = np.asarray(shapely.intersects(geoms[free], corner), dtype=bool)
        hit[free] = inside
        cover[free] = inside
        return hit, cover

    # --- Recherche ----------------------------------------------------------------------

    def lookup(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Rang du premier périmètre qui touche chaque point (coordonnées finies, dans les bornes
        du monde), -1 sinon.

        Par paquets de `CHUNK` points : les tableaux intermédiaires tiennent alors dans le cache
        du processeur au lieu de parcourir la mémoire vive une quarantaine de fois."""
        if len(x) <= CHUNK:
            return self._lookup(x, y)
        out = np.empty(len(x), dtype=np.int64)
        for start in range(0, len(x), CHUNK):
            stop = start + CHUNK
            out[start:stop] = self._lookup(x[start:stop], y[start:stop])
        return out

    def _lookup(self, x: FloatArray, y: FloatArray) -> IntArray:
        if not len(x) or not self.tables:
            return np.full(len(x), _EMPTY, dtype=np.int64)
        # Entiers 32 bits quand ils suffisent : deux fois moins de mémoire à parcourir.
        small = self.exponents[-1] <= 19 and max(len(t) for t in self.tables) < 2**31
        dtype: type[np.signedinteger[Any]] = np.int32 if small else np.int64
        fx = _floor_scaled(x, self.exponents[-1], dtype)
        fy = _floor_scaled(y, self.exponents[-1], dtype)
        e0 = self.exponents[0]
        shift = self.exponents[-1] - e0
        flat = fy >> shift
        flat += 90 << e0
        flat *= self._width0
        flat += fx >> shift
        flat += 180 << e0
        values = self.tables[0][flat]
        if len(self.exponents) > 1:  # répertoire : le bloc du niveau 1 de chaque point
            values = self.tables[1][self._child(values.astype(dtype), fx, fy, 1)]
        out: IntArray = values.astype(np.int64)
        out[out < 0] = _EMPTY
        down = np.flatnonzero(values <= -2)
        idx, fx, fy = down, fx[down], fy[down]
        node = -2 - values[down].astype(dtype)
        for level in range(2, len(self.exponents)):
            values = self.tables[level][self._child(node, fx, fy, level)]
            inner = values >= 0
            out[idx[inner]] = values[inner]
            down = np.flatnonzero(values <= -2)
            idx, fx, fy = idx[down], fx[down], fy[down]
            node = -2 - values[down].astype(dtype)
        if len(idx):
            out[idx] = self._exact(x[idx], y[idx], node.astype(np.int64))
        return out

    def _child(
        self, node: AnyIntArray, fx: AnyIntArray, fy: AnyIntArray, level: int
    ) -> AnyIntArray:
        """Rang dans la table du niveau `level` : bloc de la cellule-mère, puis ligne et colonne."""
        step = self.exponents[level] - self.exponents[level - 1]
        shift = self.exponents[-1] - self.exponents[level]
        mask = (1 << step) - 1
        row = fy >> shift
        row &= mask
        col = fx >> shift
        col &= mask
        node = node << (2 * step)
        row <<= step
        node |= row
        node |= col
        return node

    def _exact(self, x: FloatArray, y: FloatArray, leaf: IntArray) -> IntArray:
        """Points des cellules limites : test de parité exact quand il conclut, shapely sinon."""
        found = np.full(len(leaf), _EMPTY, dtype=np.int64)
        edges = self.leaf_edges
        if edges is None:
            return self._shapely(x, y, leaf)
        fast = np.flatnonzero(edges.usable[leaf])
        decided, inside = edges.inside(x[fast], y[fast], leaf[fast])
        yes = fast[decided & inside]
        found[yes] = self.leaf_candidates[self.leaf_offsets[leaf[yes]]]
        rest = np.concatenate([np.flatnonzero(~edges.usable[leaf]), fast[~decided]])
        if len(rest):
            found[rest] = self._shapely(x[rest], y[rest], leaf[rest])
        return found

    def _shapely(self, x: FloatArray, y: FloatArray, leaf: IntArray) -> IntArray:
        """Test exact (shapely `intersects`, géométries préparées) contre chaque candidat."""
        start = self.leaf_offsets[leaf]
        count = self.leaf_offsets[leaf + 1] - start
        point_of_pair = np.repeat(np.arange(len(leaf)), count)
        within = np.arange(len(point_of_pair)) - np.repeat(np.cumsum(count) - count, count)
        candidate = self.leaf_candidates[np.repeat(start, count) + within]
        points = shapely.points(x, y)
        hit = np.flatnonzero(shapely.intersects(self._geoms[candidate], points[point_of_pair]))
        found = np.full(len(leaf), _EMPTY, dtype=np.int64)
        # Candidats triés par rang : le premier touché de chaque point est le plus petit rang.
        points_hit, first = np.unique(point_of_pair[hit], return_index=True)
        found[points_hit] = candidate[hit[first]]
        return found


def _by_boxes(pairs: _Pairs, geoms: ObjectArray, e: int) -> tuple[BoolArray, BoolArray]:
    """Classement par boîtes fermées (prédicats GEOS) : touchée (`intersects`) et couverte
    (`contains_properly`) ; sert aux pas trop fins pour les clés de `_by_edges`."""
    scale = float(2**e)
    boxes = shapely.box(
        pairs.cx / scale, pairs.cy / scale, (pairs.cx + 1) / scale, (pairs.cy + 1) / scale
    )
    hit = np.asarray(shapely.intersects(geoms, boxes), dtype=bool)
    cover = np.zeros(len(hit), dtype=bool)
    touched = np.flatnonzero(hit)
    cover[touched] = shapely.contains_properly(geoms[touched], boxes[touched])
    return hit, cover


def _floor_scaled(v: FloatArray, e: int, dtype: type[np.signedinteger[Any]]) -> AnyIntArray:
    """`floor(v · 2^e)` : multiplication par une puissance de deux, donc sans arrondi."""
    scaled = v * float(2**e)
    np.floor(scaled, out=scaled)
    return scaled.astype(dtype)


def _cell_ranges(bounds: FloatArray, e: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cellules (bornes incluses) qu'occupe l'emprise de chaque périmètre au pas 2^-e.

    Une cellule est ouverte à droite et en haut pour les points : celle qui ne fait que toucher
    l'emprise par son bord droit ne peut contenir aucun point du périmètre, on l'omet."""
    scaled = np.floor(bounds * float(2**e)).astype(np.int64)
    return scaled[:, 0], scaled[:, 1], scaled[:, 2], scaled[:, 3]


def _expand(
    x0: IntArray, y0: IntArray, wx: IntArray, wy: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Toutes les cellules des rectangles [x0, x0+wx[ × [y0, y0+wy[, avec le rang du rectangle."""
    wx = np.maximum(wx, 0)
    wy = np.maximum(wy, 0)
    count = wx * wy
    owner = np.repeat(np.arange(len(x0), dtype=np.int64), count)
    local = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    width = wx[owner]
    return (
        x0[owner] + local % np.maximum(width, 1),
        y0[owner] + local // np.maximum(width, 1),
        owner,
    )


def _children(candidates: _Pairs, nodes: IntArray, bounds: FloatArray, e: int, f: int) -> _Pairs:
    """Sous-cellules des cellules limites, restreintes à l'emprise de chaque candidat."""
    lo_x, lo_y, hi_x, hi_y = _cell_ranges(bounds, e)
    p = candidates.perimeter
    x0 = np.maximum(candidates.cx * f, lo_x[p])
    y0 = np.maximum(candidates.cy * f, lo_y[p])
    x1 = np.minimum(candidates.cx * f + f - 1, hi_x[p])
    y1 = np.minimum(candidates.cy * f + f - 1, hi_y[p])
    cx, cy, owner = _expand(x0, y0, x1 - x0 + 1, y1 - y0 + 1)
    local = (cy - candidates.cy[owner] * f) * f + (cx - candidates.cx[owner] * f)
    return _Pairs(nodes[owner] * f * f + local, cx, cy, p[owner])


def _first_per_cell(
    n_cells: int, cell_of_pair: IntArray, perimeter: IntArray, flag: npt.NDArray[np.bool_]
) -> IntArray:
    """Plus petit rang de périmètre marqué par cellule (`_NO_PERIMETER` s'il n'y en a pas)."""
    out = np.full(n_cells, _NO_PERIMETER, dtype=np.int64)
    marked = np.flatnonzero(flag)
    cells, first = np.unique(cell_of_pair[marked], return_index=True)
    out[cells] = perimeter[marked[first]]
    return out
