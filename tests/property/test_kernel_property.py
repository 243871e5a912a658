"""The one-stretch kernel (plain floats) against the array kernel the detector uses."""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.detect.kernel import conflict_window, conflict_window_one

EXAMPLES = 100 if os.environ.get("MUTANT_UNDER_TEST") else 2000
coord = st.one_of(st.floats(-5e4, 5e4), st.sampled_from([0.0, 1000.0, -1000.0, 9260.0]))
speed = st.one_of(st.floats(-400, 400), st.just(0.0))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("MUTANT_UNDER_TEST")))
@given(
    d=st.tuples(coord, coord, st.floats(-3000, 3000)),
    w=st.tuples(speed, speed, st.one_of(st.floats(-50, 50), st.just(0.0))),
    ta=st.floats(-200, 200),
    span=st.floats(0.001, 500),
    ref_back=st.floats(0, 100),
    h=st.sampled_from([152.4, 9260.0, 37040.0]),
    v=st.sampled_from([30.48, 304.8, 1e5]),
)
def test_one_stretch_equals_the_array_kernel(
    d: tuple[float, float, float],
    w: tuple[float, float, float],
    ta: float,
    span: float,
    ref_back: float,
    h: float,
    v: float,
) -> None:
    tb, t_ref = ta + span, ta - ref_back
    arr = conflict_window(
        tuple(np.array([c]) for c in d),  # type: ignore[arg-type]
        tuple(np.array([c]) for c in w),  # type: ignore[arg-type]
        np.array([t_ref]),
        np.array([ta]),
        np.array([tb]),
        h,
        v,
    )
    t_lo, t_hi, ok = float(arr[0][0]), float(arr[1][0]), bool(arr[2][0])
    one = conflict_window_one(d, w, t_ref, ta, tb, h, v)
    if ok:
        assert one is not None, (t_lo, t_hi)
        assert math.isclose(one[0], t_lo, rel_tol=1e-12, abs_tol=1e-9)
        assert math.isclose(one[1], t_hi, rel_tol=1e-12, abs_tol=1e-9)
    else:
        # only a window shorter than a rounding error may differ (hypot's last bit)
        assert one is None or one[1] - one[0] < 1e-9 * max(1.0, abs(one[1]))
