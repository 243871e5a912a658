"""Side by side with BlueSky's conflict detection (TU Delft, PyPI ``bluesky-simulator``).

Run with ``pytest bench/bench_bluesky.py -s`` (about 30 s, 3.6 GiB peak for the numpy
kernel at 4,000 aircraft). Skipped when BlueSky is not installed (``pip install .[peers]``);
its compiled kernel is skipped alone when the wheel lacks the ``cstatebased`` extension.

Both detectors see the reference traffic of ``bench_conflicts.traffic`` (same seeds as there).
Ours, ``find_encounters_levels``, finds every encounter between the two sides over the whole
hour, for 5 NM / 1,000 ft and NMAC (500 ft / 100 ft) in one pass. BlueSky checks all pairs of
aircraft (both sides and within a side) in the state at one instant, projecting each straight
ahead for a 300 s lookahead at 5 NM / 1,000 ft; a BlueSky simulation calls it every time step
(1 s by default). So BlueSky's hour is taken as 3,600 times one call on a snapshot of the
traffic at mid-hour, and the printed ratio is that over the time of one call of ours.

The snapshot: each aircraft at t = 1,800 s, on the leg it is flying then; position from the
local plane to latitude and longitude with ``LocalProjection(35.0, 38.0)`` (box centred on the
origin), track, ground speed and vertical speed from that leg. Units are BlueSky's: degrees,
metres, m/s. The kernels are called without initialising a simulation:

- ``StateBased.detect`` does not use ``self``; it is called unbound (``self=None``).
- ``CStateBased`` only sets ``self.detect = cstatebased.detect`` in ``__init__``, but creating
  any BlueSky entity needs the traffic object of a running simulation, so the compiled
  ``cstatebased.detect`` is called directly.
- Both read ``ntraf, id, lat, lon, alt, trk, gs, vs`` of ownship and intruder (a namespace of
  float64 arrays, ``id`` a list), and per-aircraft arrays ``rpz`` (m), ``hpz`` (m) and
  ``dtlookahead`` (s): the compiled kernel walks all three with a pointer per aircraft, so
  they must be arrays of length ``ntraf``, not scalars. Their values are BlueSky's defaults
  from ``bluesky.settings`` (``asas_pzr`` 5 NM, ``asas_pzh`` 1,000 ft, ``asas_dtlookahead``
  300 s), which importing ``bluesky.traffic.asas`` registers.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

# ImportError as well as ModuleNotFoundError: a broken install (say, a numpy ABI mismatch) skips too.
_WHY = "bluesky-simulator not installed or not importable (pip install .[peers])"
bluesky = pytest.importorskip("bluesky", reason=_WHY, exc_type=ImportError)
statebased = pytest.importorskip("bluesky.traffic.asas.statebased", reason=_WHY, exc_type=ImportError)

from sim.detect.encounters import find_encounters, find_encounters_levels  # noqa: E402
from sim.detect.tracks import Tracks  # noqa: E402
from sim.scenario.projection import LocalProjection  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_conflicts import FT_M, LOS, NM_M, NMAC, traffic  # noqa: E402

SNAPSHOT_S = 1800.0
HOUR_STEPS = 3600  # BlueSky's default time step is 1 s
SIZES = (1000, 4000)
ROUNDS = {  # (kernel, N) -> rounds; fastest round is reported
    ("ours", 1000): 5,
    ("ours", 4000): 3,
    ("cstatebased", 1000): 5,
    ("cstatebased", 4000): 3,
    ("statebased", 1000): 3,
    ("statebased", 4000): 2,
}
KERNELS = ("cstatebased", "statebased")
HAS_COMPILED = hasattr(statebased, "CStateBased") and hasattr(statebased, "cstatebased")

# Fastest round of each benchmark in this run, for the closing table: (kernel, N) -> seconds.
TIMES: dict[tuple[str, int], float] = {}
INFO: dict[tuple[str, int], dict[str, Any]] = {}


def snapshot(tracks: Tracks, t_s: float, width_m: float, height_m: float) -> SimpleNamespace:
    """BlueSky-style traffic state of every flight at ``t_s`` (each must be flying then)."""
    pf, t = tracks.point_flight, tracks.t_s
    flights = np.arange(len(tracks))
    # Last point at or before t_s of each flight: points are sorted by flight, then time.
    key = pf * 1e7 + t
    i = np.searchsorted(key, flights * 1e7 + t_s, side="right") - 1
    if np.any(i < 0) or np.any(i + 1 >= len(t)) or np.any(pf[i] != flights) or np.any(pf[i + 1] != flights):
        raise ValueError(f"every flight must be airborne at t = {t_s} s")
    dt = t[i + 1] - t[i]
    vx, vy, vz = ((c[i + 1] - c[i]) / dt for c in (tracks.x_m, tracks.y_m, tracks.z_m))
    x = tracks.x_m[i] + vx * (t_s - t[i]) - width_m / 2
    y = tracks.y_m[i] + vy * (t_s - t[i]) - height_m / 2
    lat, lon = LocalProjection(35.0, 38.0).to_latlon(x, y)
    return SimpleNamespace(
        ntraf=len(tracks),
        id=list(tracks.flight_names),
        lat=np.ascontiguousarray(lat, dtype=np.float64),
        lon=np.ascontiguousarray(lon, dtype=np.float64),
        alt=np.ascontiguousarray(tracks.z_m[i] + vz * (t_s - t[i]), dtype=np.float64),
        trk=np.degrees(np.arctan2(vx, vy)) % 360.0,  # compass: from north, clockwise
        gs=np.hypot(vx, vy),
        vs=np.ascontiguousarray(vz, dtype=np.float64),
        side=tracks.flight_side,  # not read by BlueSky
    )


def zones(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-aircraft rpz (m), hpz (m), dtlookahead (s) at BlueSky's defaults."""
    settings = bluesky.settings
    return (
        np.full(n, settings.asas_pzr * NM_M),
        np.full(n, settings.asas_pzh * FT_M),
        np.full(n, float(settings.asas_dtlookahead)),
    )


def detector(kernel: str) -> Any:
    if kernel == "cstatebased":
        if not HAS_COMPILED:
            pytest.skip("BlueSky's compiled cstatebased extension is not available")
        return statebased.cstatebased.detect
    return lambda own, intruder, rpz, hpz, look: statebased.StateBased.detect(None, own, intruder, rpz, hpz, look)


def box(n_aircraft: int) -> tuple[float, float]:
    scale = math.sqrt(n_aircraft / 1000)
    return 440e3 * scale, 410e3 * scale


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}")
def case(request: pytest.FixtureRequest) -> tuple[int, Tracks, SimpleNamespace]:
    n = request.param
    tracks = traffic(n, np.random.default_rng(n))  # the same seeds as bench_conflicts
    return n, tracks, snapshot(tracks, SNAPSHOT_S, *box(n))


def fastest(benchmark: Any) -> float | None:
    stats = getattr(benchmark, "stats", None)
    return None if stats is None else float(stats.stats.min)


def test_settings_defaults() -> None:
    """The zones BlueSky uses by default are the separation we count (5 NM / 1,000 ft)."""
    rpz, hpz, look = zones(1)
    assert rpz[0] == pytest.approx(LOS[0]) and hpz[0] == pytest.approx(LOS[1]) and look[0] == 300.0


@pytest.mark.benchmark(group="bluesky")
def test_ours_whole_hour(benchmark: Any, case: tuple[int, Tracks, SimpleNamespace]) -> None:
    n, tracks, _ = case
    los, nmac = benchmark.pedantic(
        find_encounters_levels, (tracks, [LOS, NMAC]), rounds=ROUNDS["ours", n], iterations=1
    )
    info = {"legs": tracks.n_legs, "los": len(los), "nmac": len(nmac)}
    benchmark.extra_info.update(info)
    INFO["ours", n] = info
    if (best := fastest(benchmark)) is not None:
        TIMES["ours", n] = best


@pytest.mark.benchmark(group="bluesky")
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # StateBased uses np.matrix
def test_bluesky_one_step(benchmark: Any, kernel: str, case: tuple[int, Tracks, SimpleNamespace]) -> None:
    n, _, state = case
    detect = detector(kernel)
    result = benchmark.pedantic(detect, (state, state, *zones(n)), rounds=ROUNDS[kernel, n], iterations=1)
    # A failed argument conversion makes the compiled kernel print and return None.
    assert isinstance(result, tuple) and len(result) == 9, result
    confpairs, lospairs = result[0], result[1]
    side = dict(zip(state.id, state.side.tolist(), strict=True))
    opposing = {frozenset(p) for p in lospairs if side[p[0]] != side[p[1]]}
    info = {
        "conflict_pairs": len({frozenset(p) for p in confpairs}),
        "los_pairs": len({frozenset(p) for p in lospairs}),
        "los_pairs_opposing": len(opposing),
    }
    benchmark.extra_info.update(info)
    INFO[kernel, n] = info
    if (best := fastest(benchmark)) is not None:
        TIMES[kernel, n] = best


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_snapshot_matches_ours(kernel: str) -> None:
    """At mid-hour, BlueSky's losses of separation between sides are our open encounters."""
    n = SIZES[0]
    tracks = traffic(n, np.random.default_rng(n))
    state = snapshot(tracks, SNAPSHOT_S, *box(n))
    lospairs = detector(kernel)(state, state, *zones(n))[1]
    side = dict(zip(state.id, state.side.tolist(), strict=True))
    theirs = {frozenset(p) for p in lospairs if side[p[0]] != side[p[1]]}
    los = find_encounters(tracks, *LOS)
    open_now = (los.t_start_s < SNAPSHOT_S) & (los.t_end_s > SNAPSHOT_S)
    ours = {frozenset(p) for p in zip(los.flight_a[open_now].tolist(), los.flight_b[open_now].tolist(), strict=True)}
    print(
        f"\n{kernel} N={n} at t={SNAPSHOT_S:.0f} s: {len(theirs)} opposing LoS pairs, ours {len(ours)} open "
        f"encounters, {len(theirs ^ ours)} differ"
    )
    # Only pairs within metres of the 5 NM boundary could differ (projection and BlueSky's
    # flat-earth distance differ by well under 0.1 %).
    assert ours and len(theirs ^ ours) <= max(1, len(ours) // 20)


def test_ratio_table() -> None:
    """Print BlueSky at 1 s steps over the hour against ours over the hour, from this run."""
    rows = []
    for n in SIZES:
        if ("ours", n) not in TIMES:
            pytest.skip("needs the timings of test_ours_whole_hour (benchmarks enabled, not deselected)")
        ours = TIMES["ours", n]
        for kernel in KERNELS:
            if (kernel, n) in TIMES:
                one = TIMES[kernel, n]
                rows.append((n, kernel, ours, one, HOUR_STEPS * one, HOUR_STEPS * one / ours))
    print("\n| N | BlueSky kernel | ours, whole hour | BlueSky, one step | BlueSky, 3,600 steps | ratio |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, kernel, ours, one, hour, ratio in rows:
        print(f"| {n:,} | {kernel} | {ours * 1e3:.0f} ms | {one * 1e3:.1f} ms | {hour:,.0f} s | {ratio:,.0f}x |")
    for n in SIZES:
        print(
            f"N={n:,}: ours {INFO.get(('ours', n))}; "
            + "; ".join(f"{k} {INFO[k, n]}" for k in KERNELS if (k, n) in INFO)
        )
    compiled = [ratio for _, kernel, *_, ratio in rows if kernel == "cstatebased"]
    assert all(ratio >= 100 for ratio in compiled), compiled
