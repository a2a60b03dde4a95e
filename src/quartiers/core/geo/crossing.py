"""Test exact et vectorisé d'un point dans une cellule limite, sans appeler GEOS point par point.

Pourquoi : au dernier niveau des grilles, les points des cellules que traverse une limite
demandaient chacun un appel à shapely (≈ 1 µs). Ici, pour une cellule limite à un seul
périmètre candidat, on connaît d'avance un coin R de la cellule qui n'est pas sur la limite,
et s'il est dedans ; un point P de la cellule est dedans si et seulement si le segment PR
coupe la limite un nombre impair de fois. Seules les arêtes qui touchent la cellule peuvent
couper PR (il est dans la cellule) : on les garde pour chaque cellule.

Exactitude : chaque coupe se décide par quatre signes d'orientation calculés en float64 avec
le filtre d'erreur de Shewchuk (« Adaptive precision floating-point arithmetic », 1997,
borne `ccwerrboundA`) : un signe n'est retenu que s'il est certain. Dès qu'un signe est
incertain ou nul — point sur une arête, segment PR passant par un sommet, alignements —, le
point est rendu à shapely (`intersects`). Le résultat est donc celui de GEOS, limite comprise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

_EPS = 2.0**-53
CCW_ERRBOUND = (3.0 + 16.0 * _EPS) * _EPS  # Shewchuk, ccwerrboundA


def orientation(
    ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray, px: FloatArray, py: FloatArray
) -> npt.NDArray[np.int8]:
    """Signe de l'orientation (a, b, p) : +1 à gauche, -1 à droite, 0 si nul OU incertain."""
    left = (ax - px) * (by - py)
    right = (ay - py) * (bx - px)
    det = left - right
    bound = CCW_ERRBOUND * (np.abs(left) + np.abs(right))
    sign = np.zeros(len(det), dtype=np.int8)
    sign[det > bound] = 1
    sign[det < -bound] = -1
    return sign


MAX_KEY_EXPONENT = 16  # clés (cellule, périmètre) sur 64 bits jusqu'à ce pas


def ring_edges(geoms: ObjectArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Toutes les arêtes des anneaux (extérieurs et trous) : extrémités a, b et rang du périmètre."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[1:] == ring_of[:-1]
    owner: IntArray = part_owner[ring_part[ring_of[:-1][same]]].astype(np.int64)
    return coords[:-1][same], coords[1:][same], owner


def edge_cells(
    a: FloatArray, b: FloatArray, e: int, margin: int = 0
) -> tuple[IntArray, IntArray, IntArray]:
    """Cellules (pas 2^-e) qu'occupe l'emprise de chaque arête, élargie de `margin` cellules à
    gauche et en bas ; rend (cx, cy, rang de l'arête). Une arête qui coupe la cellule semi-ouverte
    [x0, x1[ × [y0, y1[ y figure toujours (surensemble : jamais d'oubli)."""
    scale = float(2**e)
    lo_x = np.floor(np.minimum(a[:, 0], b[:, 0]) * scale).astype(np.int64) - margin
    hi_x = np.floor(np.maximum(a[:, 0], b[:, 0]) * scale).astype(np.int64)
    lo_y = np.floor(np.minimum(a[:, 1], b[:, 1]) * scale).astype(np.int64) - margin
    hi_y = np.floor(np.maximum(a[:, 1], b[:, 1]) * scale).astype(np.int64)
    wx, wy = hi_x - lo_x + 1, hi_y - lo_y + 1
    count = wx * wy
    edge = np.repeat(np.arange(len(a), dtype=np.int64), count)
    local = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return lo_x[edge] + local % wx[edge], lo_y[edge] + local // wx[edge], edge


def cell_key(cx: IntArray, cy: IntArray, e: int) -> IntArray:
    """Numéro unique (positif) d'une cellule du monde au pas 2^-e, marge d'une cellule comprise."""
    width = (360 << e) + 3
    key: IntArray = (cy + (90 << e) + 1) * width + (cx + (180 << e) + 1)
    return key


@dataclass
class LeafEdges:
    """Pour chaque cellule limite : coin de référence, son état, et les arêtes qui la touchent.

    `usable[n]` est faux quand la cellule a plusieurs candidats ou aucun coin hors limite :
    ses points passent alors directement par shapely.
    """

    usable: BoolArray
    ref_x: FloatArray
    ref_y: FloatArray
    ref_inside: BoolArray
    offsets: IntArray
    ax: FloatArray
    ay: FloatArray
    bx: FloatArray
    by: FloatArray
    ref_side: npt.NDArray[np.int8]

    @classmethod
    def build(
        cls,
        geoms: ObjectArray,
        e: int,
        leaf_cx: IntArray,
        leaf_cy: IntArray,
        leaf_perimeter: IntArray,
        single: BoolArray,
    ) -> LeafEdges:
        """Cellules limites (coordonnées entières au pas 2^-e, périmètre candidat, vrai si seul
        candidat) → coins de référence et arêtes. Clé de jointure : (cellule, périmètre)."""
        n = len(leaf_cx)
        scale = float(2**e)
        usable = single.copy()
        ref_x = np.zeros(n)
        ref_y = np.zeros(n)
        ref_inside = np.zeros(n, dtype=bool)
        pending = np.flatnonzero(usable)
        boundaries = shapely.boundary(geoms)
        shapely.prepare(boundaries)
        for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
            if not len(pending):
                break
            cx = (leaf_cx[pending] + dx) / scale
            cy = (leaf_cy[pending] + dy) / scale
            corner = shapely.points(cx, cy)
            g = geoms[leaf_perimeter[pending]]
            on_line = np.asarray(
                shapely.intersects(boundaries[leaf_perimeter[pending]], corner), dtype=bool
            )
            ok = pending[~on_line]
            ref_x[ok], ref_y[ok] = cx[~on_line], cy[~on_line]
            ref_inside[ok] = shapely.intersects(g[~on_line], corner[~on_line])
            pending = pending[on_line]
        usable[pending] = False

        # Arêtes qui touchent la boîte fermée de chaque cellule (une cellule de marge à gauche
        # et en bas : une arête qui ne fait qu'effleurer le bord compte aussi).
        a, b, owner = ring_edges(geoms)
        ecx, ecy, edge = edge_cells(a, b, e, margin=1)
        n_geoms = max(1, len(geoms))

        def key(cx: IntArray, cy: IntArray, p: IntArray) -> IntArray:
            return cell_key(cx, cy, e) * n_geoms + p

        leaf_key = key(leaf_cx, leaf_cy, leaf_perimeter)
        leaf_key[~usable] = -1
        order = np.argsort(leaf_key, kind="stable")
        sorted_keys = leaf_key[order]
        edge_key = key(ecx, ecy, owner[edge])
        pos = np.clip(np.searchsorted(sorted_keys, edge_key), 0, max(0, n - 1))
        match = (sorted_keys[pos] == edge_key) if n else np.zeros(len(edge_key), dtype=bool)
        leaf_of_edge = order[pos[match]]
        kept = edge[match]
        by_leaf = np.argsort(leaf_of_edge, kind="stable")
        leaf_of_edge, kept = leaf_of_edge[by_leaf], kept[by_leaf]
        offsets = np.searchsorted(leaf_of_edge, np.arange(n + 1))
        ax, ay, bx, by = a[kept, 0].copy(), a[kept, 1].copy(), b[kept, 0].copy(), b[kept, 1].copy()
        # Côté du coin de référence par rapport à chaque arête, calculé une fois ; un coin
        # aligné sur une arête (signe nul ou incertain) rend la cellule inutilisable.
        ref_side = orientation(ax, ay, bx, by, ref_x[leaf_of_edge], ref_y[leaf_of_edge])
        usable[np.unique(leaf_of_edge[ref_side == 0])] = False
        return cls(usable, ref_x, ref_y, ref_inside, offsets, ax, ay, bx, by, ref_side)

    @property
    def nbytes(self) -> int:
        arrays = (self.usable, self.ref_x, self.ref_y, self.ref_inside, self.offsets)
        return sum(v.nbytes for v in arrays) + 4 * self.ax.nbytes + self.ref_side.nbytes

    def inside(self, x: FloatArray, y: FloatArray, leaf: IntArray) -> tuple[BoolArray, BoolArray]:
        """(décidé, dedans) pour des points de cellules utilisables ; non décidé → shapely."""
        start = self.offsets[leaf]
        count = self.offsets[leaf + 1] - start
        point = np.repeat(np.arange(len(leaf)), count)
        edge = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(len(point))
        ax, ay, bx, by = self.ax[edge], self.ay[edge], self.bx[edge], self.by[edge]
        px, py = x[point], y[point]
        rx, ry = self.ref_x[leaf][point], self.ref_y[leaf][point]
        o1 = orientation(ax, ay, bx, by, px, py)
        o2 = self.ref_side[edge]
        o3 = orientation(px, py, rx, ry, ax, ay)
        o4 = orientation(px, py, rx, ry, bx, by)
        unsure = (o1 == 0) | (o3 == 0) | (o4 == 0)
        cross = (o1 != o2) & (o3 != o4) & ~unsure
        n = len(leaf)
        decided = np.bincount(point[unsure], minlength=n) == 0
        parity = np.bincount(point[cross], minlength=n) % 2 == 1
        return decided, self.ref_inside[leaf] ^ parity
