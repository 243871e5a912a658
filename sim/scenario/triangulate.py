"""Triangulating a simple polygon by ear clipping, to sample points uniformly without rejection.

A sector is sampled thousands of times per run (every sortie's work points): choosing a
triangle by area and a uniform point inside it costs a few numpy calls, where rejection in
the bounding box needs a point-in-polygon test over every edge.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["sample_in_triangles", "triangle_points", "triangulate"]


def _cross(o: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _holds_other_vertex(rem: NDArray[np.float64], i: int) -> bool:
    """True if the triangle at position ``i`` of ring ``rem`` (n, 2) holds another of its vertices."""
    n = len(rem)
    a, b, c = rem[i - 1], rem[i], rem[(i + 1) % n]
    px, py = rem[:, 0], rem[:, 1]
    c1 = (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0])
    c2 = (c[0] - b[0]) * (py - b[1]) - (c[1] - b[1]) * (px - b[0])
    c3 = (a[0] - c[0]) * (py - c[1]) - (a[1] - c[1]) * (px - c[0])
    inside = (c1 >= 0) & (c2 >= 0) & (c3 >= 0)
    inside[[i - 1, i, (i + 1) % n]] = False
    return bool(inside.any())


def triangulate(ring: NDArray[np.float64]) -> NDArray[np.float64]:
    """Triangles (m, 3, 2) covering the simple polygon ``ring`` (k, 2), closed or not.

    Ear clipping: repeatedly cut off a convex vertex whose triangle holds no other vertex.
    Collinear and repeated vertices are dropped as they are met. O(k^2) numpy work in the
    worst case, run once per sector.
    """
    pts = np.asarray(ring, dtype=np.float64)
    if len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
        pts = pts[:-1]
    x, y = pts[:, 0], pts[:, 1]
    if 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) < 0:
        pts = pts[::-1]
    rem = pts.copy()
    triangles: list[NDArray[np.float64]] = []
    stalled = 0
    i = 0
    while len(rem) > 3:
        n = len(rem)
        i %= n
        turn = _cross(rem[i - 1], rem[i], rem[(i + 1) % n])
        if turn == 0.0:  # collinear or repeated: drop the middle vertex
            rem = np.delete(rem, i, axis=0)
            stalled = 0
            continue
        if turn > 0 and not _holds_other_vertex(rem, i):
            triangles.append(np.array([rem[i - 1], rem[i], rem[(i + 1) % n]]))
            rem = np.delete(rem, i, axis=0)
            stalled = 0
            continue
        i += 1
        stalled += 1
        if stalled > n:  # no ear: a self-touching ring; cut the most convex vertex anyway
            turns = [_cross(rem[k - 1], rem[k], rem[(k + 1) % n]) for k in range(n)]
            k = int(np.argmax(turns))
            triangles.append(np.array([rem[k - 1], rem[k], rem[(k + 1) % n]]))
            rem = np.delete(rem, k, axis=0)
            stalled = 0
    if len(rem) == 3 and _cross(rem[0], rem[1], rem[2]) != 0:
        triangles.append(rem.copy())
    return np.array(triangles).reshape(-1, 3, 2)


def triangle_points(
    triangles: NDArray[np.float64], cum_area: NDArray[np.float64], u: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Points (n, 2) from uniforms ``u`` (n, 3): column 0 picks a triangle by area, 1-2 place the point."""
    pick = np.searchsorted(cum_area, u[:, 0] * cum_area[-1], side="right")
    tri = triangles[np.minimum(pick, len(triangles) - 1)]
    r1 = np.sqrt(u[:, 1:2])
    r2 = u[:, 2:3]
    return (1 - r1) * tri[:, 0] + r1 * (1 - r2) * tri[:, 1] + r1 * r2 * tri[:, 2]


def sample_in_triangles(
    triangles: NDArray[np.float64], cum_area: NDArray[np.float64], rng: np.random.Generator, n: int
) -> NDArray[np.float64]:
    """``n`` points (n, 2) uniform over the triangles (m, 3, 2); ``cum_area`` (m,) their cumulative areas."""
    return triangle_points(triangles, cum_area, rng.random((n, 3)))
