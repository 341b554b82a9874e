"""Walls of a level and the walls that straight segments cross.

A wall is an edge shared by two room polygons. Edges that belong to one room only form the
building envelope. Crossing tests are closed-form segment intersections in numpy, because
the radio model counts walls on about a million rays to build the ground truth, which is
too many for one GEOS call per ray.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

_KEY_DECIMALS = 3  # edges are matched after rounding their vertices to the millimetre
_PAIRS_PER_CHUNK = 2_000_000  # ray × wall pairs evaluated at once, bounds memory use


@dataclass(frozen=True)
class Walls:
    """Interior walls and envelope edges of one level, in plan metres."""

    start: np.ndarray  # (n, 2) first vertex of each interior wall
    end: np.ndarray  # (n, 2) second vertex
    concrete: np.ndarray  # (n,) bool: the wall is concrete, else plasterboard
    rooms: np.ndarray  # (n, 2) indices of the two rooms on either side
    envelope_start: np.ndarray  # (m, 2) edges of the building envelope
    envelope_end: np.ndarray


def extract_walls(polygons: list[Polygon], concrete: list[bool]) -> Walls:
    """Find the interior walls of a tiling of polygons.

    Parameters
    ----------
    polygons
        Rooms of one level. Neighbours must share edges exactly, vertex for vertex.
    concrete
        Per room, whether its walls are concrete. A wall between a concrete room and a
        plasterboard room counts as concrete.

    Returns
    -------
    Walls
        One entry per shared edge, and the edges that belong to one room only.
    """
    owners: dict[tuple, list[int]] = {}
    for index, polygon in enumerate(polygons):
        coords = np.round(np.asarray(polygon.exterior.coords), _KEY_DECIMALS)
        for a, b in zip(coords[:-1], coords[1:]):
            key = tuple(sorted([tuple(a), tuple(b)]))
            owners.setdefault(key, []).append(index)

    interior = [(key, rooms) for key, rooms in owners.items() if len(rooms) == 2]
    envelope = [key for key, rooms in owners.items() if len(rooms) == 1]
    overlapping = [key for key, rooms in owners.items() if len(rooms) > 2]
    if overlapping:
        raise ValueError(f"edge {overlapping[0]} belongs to more than two rooms: rooms overlap")

    return Walls(
        start=np.array([key[0] for key, _ in interior], dtype=float).reshape(-1, 2),
        end=np.array([key[1] for key, _ in interior], dtype=float).reshape(-1, 2),
        concrete=np.array([concrete[i] or concrete[j] for _, (i, j) in interior], dtype=bool),
        rooms=np.array([rooms for _, rooms in interior], dtype=int).reshape(-1, 2),
        envelope_start=np.array([key[0] for key in envelope], dtype=float).reshape(-1, 2),
        envelope_end=np.array([key[1] for key in envelope], dtype=float).reshape(-1, 2),
    )


def crossing_parameters(p0: np.ndarray, p1: np.ndarray, a: np.ndarray,
                        b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intersect every segment p0→p1 with every wall a→b.

    Returns ``(t, crosses)``, both of shape (rays, walls). ``t`` is the fraction of the way
    from p0 to p1 where the ray meets the wall's line. ``crosses`` is true where the ray
    passes through the wall strictly between its own ends. The wall includes its first
    vertex and excludes its second, so a ray through the joint of two collinear walls
    crosses exactly one of them. Parallel segments never cross.
    """
    d = p1 - p0
    e = b - a
    denominator = d[:, None, 0] * e[None, :, 1] - d[:, None, 1] * e[None, :, 0]
    ax = a[None, :, 0] - p0[:, None, 0]
    ay = a[None, :, 1] - p0[:, None, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (ax * e[None, :, 1] - ay * e[None, :, 0]) / denominator
        u = (ax * d[:, None, 1] - ay * d[:, None, 0]) / denominator
    crosses = (denominator != 0) & (t > 0) & (t < 1) & (u >= 0) & (u < 1)
    return t, crosses


def wall_loss_db(p0: np.ndarray, p1: np.ndarray, walls: Walls, drywall_db: float,
                 concrete_db: float) -> np.ndarray:
    """Sum the losses of the interior walls crossed by each segment p0→p1, in dB.

    ``p0`` and ``p1`` are arrays of shape (n, 2) in plan metres; the result has shape (n,).
    """
    losses = np.where(walls.concrete, concrete_db, drywall_db)
    return summed_wall_loss_db(p0, p1, walls, losses)


def summed_wall_loss_db(p0: np.ndarray, p1: np.ndarray, walls: Walls,
                        losses_db: np.ndarray) -> np.ndarray:
    """Sum ``losses_db`` (one value per interior wall) over the walls each segment p0→p1 crosses."""
    losses = np.asarray(losses_db, dtype=float)
    total = np.zeros(len(p0))
    if len(losses) == 0:
        return total
    chunk = max(1, _PAIRS_PER_CHUNK // len(losses))
    for first in range(0, len(p0), chunk):
        last = first + chunk
        _, crosses = crossing_parameters(p0[first:last], p1[first:last], walls.start, walls.end)
        total[first:last] = crosses @ losses
    return total


def wall_crossing_fractions(p0: tuple[float, float], p1: tuple[float, float],
                            walls: Walls) -> np.ndarray:
    """Return the sorted fractions along p0→p1 where the segment crosses an interior wall."""
    t, crosses = crossing_parameters(np.array([p0], dtype=float), np.array([p1], dtype=float),
                                     walls.start, walls.end)
    return np.sort(t[crosses])
