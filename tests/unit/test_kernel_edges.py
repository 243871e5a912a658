"""The closed-form window's ends are exactly the stretch's ends where the conflict is under way
at its start or goes on past its end, and never outside it, even where ``t_ref + (ta - t_ref)``
is not ``ta`` in floats.

Those are the cases where an encounter spans two stretches: its pieces must meet exactly at
the leg boundary to merge, and a piece that strays a rounding error outside its stretch
would be counted twice or lost. Rounding of that kind needs a reference time far below the
stretch (``ta > 2 t_ref``, outside Sterbenz's lemma), so the stretches below start late on a
leg that began early; a few in 10^6 then round, and the test checks it has met some.
"""

from __future__ import annotations

import numpy as np

from sim.detect.kernel import conflict_window

H_M, V_M = 9260.0, 304.8  # 5 NM, 1,000 ft


def _stretches(n: int, seed: int) -> tuple[tuple[np.ndarray, ...], ...]:
    """``n`` stretches whose aircraft pass within 1.2 thresholds of each other near the stretch."""
    rng = np.random.default_rng(seed)
    t_ref = rng.uniform(0.0, 10.0, n)
    ta = rng.uniform(1e3, 1e5, n)
    tb = ta + rng.uniform(1e-3, 600.0, n)
    t_near = rng.uniform(ta - 600.0, tb + 600.0)
    w = (rng.uniform(-300, 300, n), rng.uniform(-300, 300, n), rng.uniform(-30, 30, n))
    near = (
        rng.uniform(-1.2 * H_M, 1.2 * H_M, n),
        rng.uniform(-1.2 * H_M, 1.2 * H_M, n),
        rng.uniform(-1.2 * V_M, 1.2 * V_M, n),
    )
    d = tuple(near[k] - w[k] * (t_near - t_ref) for k in range(3))
    return d, w, (t_ref, ta, tb)


def test_window_ends_are_the_stretch_ends_exactly_and_never_outside() -> None:
    d, w, (t_ref, ta, tb) = _stretches(2_000_000, seed=0)
    t_lo, t_hi, ok, s_lo, s_hi, _s_c, _moving = conflict_window(d, w, t_ref, ta, tb, H_M, V_M)  # type: ignore[arg-type]
    assert ok.sum() > 250_000
    assert (t_lo[ok] >= ta[ok]).all() and (t_hi[ok] <= tb[ok]).all() and (t_lo[ok] < t_hi[ok]).all()
    under_way = ok & (s_lo <= ta - t_ref)
    goes_on = ok & (s_hi >= tb - t_ref)
    assert (t_lo[under_way] == ta[under_way]).all()
    assert (t_hi[goes_on] == tb[goes_on]).all()
    # the sample holds stretches where adding the offset back does not give the end again,
    # rounding inside the stretch (a clip would not repair it) at both ends
    assert ((t_ref + s_lo)[under_way] > ta[under_way]).any()
    assert ((t_ref + s_hi)[goes_on] < tb[goes_on]).any()
