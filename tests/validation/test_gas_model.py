"""find_encounters against the gas model of conflict rates (domain.md section 6a).

Two populations fly straight at constant speed with uniform random headings on a periodic
square of side L. New horizontal conflicts (distance < R) occur at the rate
lambda = (n1 n2 / L^2) 2R E|u1 - u2|, so the expected number of entries in [0, T] is
lambda T exactly; with altitudes uniform in a walled band H and a vertical threshold h,
it is multiplied by P_v = 2h/H - (h/H)^2.

The torus is unrolled: side-0 aircraft fly one unwrapped straight leg; every side-1
aircraft is represented by its periodic images shifted by (kL, mL), each image a separate
flight, for all k, m that can come within R of a side-0 path during T. Since R < L/2, at
most one image of a pair is in conflict at a time, so entries on the torus equal the sum
of entries over images.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import ellipe

from sim.detect.encounters import find_encounters_levels
from sim.detect.tracks import Tracks

NM_M = 1852.0
KT_MS = NM_M / 3600.0
FT_M = 0.3048


def mean_relative_speed(v1: float, v2: float) -> float:
    """E|u1 - u2| for speeds ``v1``, ``v2`` with independent uniform headings."""
    if v1 + v2 == 0:
        return 0.0
    return 2 / math.pi * (v1 + v2) * float(ellipe(4 * v1 * v2 / (v1 + v2) ** 2))


def mean_relative_speed_by_quadrature(v1: float, v2: float) -> float:
    """The same mean as an integral over the heading difference theta in [0, pi]."""
    value, _ = quad(
        lambda th: math.sqrt(v1 * v1 + v2 * v2 - 2 * v1 * v2 * math.cos(th)), 0.0, math.pi, epsabs=1e-12, epsrel=1e-12
    )
    return value / math.pi


@pytest.mark.parametrize("v", [1.0, 70.0, 420.0])
def test_equal_speeds_give_4v_over_pi(v: float) -> None:
    assert mean_relative_speed(v, v) == pytest.approx(4 * v / math.pi, rel=1e-12)


def test_one_speed_zero_gives_the_other() -> None:
    assert mean_relative_speed(3.0, 0.0) == pytest.approx(3.0, rel=1e-12)
    assert mean_relative_speed(0.0, 3.0) == pytest.approx(3.0, rel=1e-12)


def test_published_value() -> None:
    assert mean_relative_speed(1.0, 0.3) == pytest.approx(1.022630, abs=5e-7)


@pytest.mark.parametrize("v1, v2", [(1.0, 0.3), (420.0, 70.0), (5.0, 4.9), (0.01, 250.0)])
def test_ellipe_formula_matches_quadrature(v1: float, v2: float) -> None:
    assert mean_relative_speed(v1, v2) == pytest.approx(mean_relative_speed_by_quadrature(v1, v2), rel=1e-10)


def torus_tracks(
    rng: np.random.Generator,
    n1: int,
    n2: int,
    side_m: float,
    v1: float,
    v2: float,
    horizon_s: float,
    reach_m: float,
    band_m: float,
) -> Tracks:
    """One replicate: ``n1`` unwrapped side-0 flights, periodic images of ``n2`` side-1."""
    pos0 = rng.uniform(0, side_m, (n1, 2))
    head0 = rng.uniform(0, 2 * math.pi, n1)
    z0 = rng.uniform(0, band_m, n1)
    pos1 = rng.uniform(0, side_m, (n2, 2))
    head1 = rng.uniform(0, 2 * math.pi, n2)
    z1 = rng.uniform(0, band_m, n2)
    # Image k covers [kL - v2 T, (k+1)L + v2 T]; side-0 paths stay in [-v1 T, L + v1 T].
    spread = v1 * horizon_s + v2 * horizon_s + reach_m + side_m
    k_max = math.floor(spread / side_m)
    shifts = np.arange(-k_max, k_max + 1) * side_m
    grid_x, grid_y = np.meshgrid(shifts, shifts, indexing="ij")
    starts = np.concatenate(
        [pos0, (pos1[:, None, :] + np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)[None, :, :]).reshape(-1, 2)]
    )
    n_images = len(shifts) ** 2
    heading = np.concatenate([head0, np.repeat(head1, n_images)])
    speed = np.concatenate([np.full(n1, v1), np.full(n2 * n_images, v2)])
    height = np.concatenate([z0, np.repeat(z1, n_images)])
    ends = starts + (speed * horizon_s)[:, None] * np.stack([np.cos(heading), np.sin(heading)], axis=1)
    names = [f"a{i}" for i in range(n1)] + [f"b{j}@{k}" for j in range(n2) for k in range(n_images)]
    n = len(names)
    return Tracks.from_rows(
        names * 2,
        ["a"] * n1 + ["b"] * (n - n1) + ["a"] * n1 + ["b"] * (n - n1),
        np.r_[np.zeros(n), np.full(n, horizon_s)],
        np.r_[starts[:, 0], ends[:, 0]],
        np.r_[starts[:, 1], ends[:, 1]],
        np.r_[height, height],
        side_names=("a", "b"),
    )


def test_gas_model_entry_rate() -> None:
    n1 = n2 = 20
    side_m, reach_m = 100 * NM_M, 5 * NM_M
    v1, v2 = 420 * KT_MS, 70 * KT_MS
    horizon_s = 3600.0
    band_m, thin_m = 10_000 * FT_M, 1_000 * FT_M
    replicates = 200
    expected = n1 * n2 / side_m**2 * 2 * reach_m * mean_relative_speed(v1, v2) * horizon_s
    assert expected == pytest.approx(169.17, abs=0.01)
    p_vertical = 2 * thin_m / band_m - (thin_m / band_m) ** 2

    # Mean number of pairs already in conflict at t = 0 (occupancy).
    occupancy = n1 * n2 * math.pi * reach_m**2 / side_m**2
    flat_counts, thin_counts, initial_counts = [], [], []
    for seed in np.random.SeedSequence(6_1970).spawn(replicates):
        tracks = torus_tracks(np.random.default_rng(seed), n1, n2, side_m, v1, v2, horizon_s, reach_m, band_m)
        # A vertical threshold above the band makes the first level purely horizontal.
        flat, thin = find_encounters_levels(tracks, [(reach_m, 2 * band_m), (reach_m, thin_m)])
        # Entries only: pairs already in conflict at t = 0 do not count.
        flat_counts.append(int(np.count_nonzero(flat.t_start_s > 0)))
        thin_counts.append(int(np.count_nonzero(thin.t_start_s > 0)))
        initial_counts.append(int(np.count_nonzero(flat.t_start_s == 0)))

    for counts, want in ((flat_counts, expected), (thin_counts, expected * p_vertical)):
        mean = float(np.mean(counts))
        standard_error = float(np.std(counts, ddof=1)) / math.sqrt(replicates)
        assert abs(mean - want) < 4 * standard_error, (mean, standard_error, want)
        assert abs(mean - want) < (0.05 if want is expected else 0.10) * want
    mean = float(np.mean(initial_counts))
    standard_error = float(np.std(initial_counts, ddof=1)) / math.sqrt(replicates)
    assert abs(mean - occupancy) < 4 * standard_error, (mean, standard_error, occupancy)


def test_gas_model_with_position_errors() -> None:
    """The risk estimator on the same set-up, with normal errors on every flight.

    Horizontally the offsets change nothing in expectation (a constant offset of a pair moves
    a uniform position on the torus to a uniform position); vertically the volume is convolved
    with the errors: with heights uniform in the band, the offset Δz = z1 - z2 has the
    triangular density (B - |Δ|) / B**2 on (-B, B), so P_v becomes
    ∫ (B - |Δ|) / B**2 · P(|Δ + e| < h) dΔ with e normal of sd sqrt(2) s. The expected count
    (entries plus pairs in conflict at t = 0) is then (λ T + occupancy) · P_v.
    """
    from sim.detect.risk import FlightErrors, expected_encounters

    n1 = n2 = 20
    side_m, reach_m = 100 * NM_M, 5 * NM_M
    v1, v2 = 420 * KT_MS, 70 * KT_MS
    horizon_s = 3600.0
    band_m, thin_m = 3_000 * FT_M, 500 * FT_M
    lateral_m, vertical_m = 0.1 * NM_M, 600 * FT_M
    s = math.sqrt(2) * vertical_m
    from scipy.special import ndtr

    p_vertical = quad(
        lambda d: (band_m - abs(d)) / band_m**2 * (ndtr((thin_m - d) / s) - ndtr((-thin_m - d) / s)),
        -band_m,
        band_m,
        points=[-thin_m, 0.0, thin_m],
    )[0]
    rate = n1 * n2 / side_m**2 * 2 * reach_m * mean_relative_speed(v1, v2) * horizon_s
    occupancy = n1 * n2 * math.pi * reach_m**2 / side_m**2
    want = (rate + occupancy) * p_vertical
    totals = []
    replicates = 40
    for seed in np.random.SeedSequence(7_2015).spawn(replicates):
        tracks = torus_tracks(np.random.default_rng(seed), n1, n2, side_m, v1, v2, horizon_s, reach_m, band_m)
        errors = FlightErrors.uniform(len(tracks), lateral_m, vertical_m)
        totals.append(expected_encounters(tracks, errors, reach_m, thin_m).total)
    mean = float(np.mean(totals))
    standard_error = float(np.std(totals, ddof=1)) / math.sqrt(replicates)
    assert abs(mean - want) < 4 * standard_error, (mean, standard_error, want)
    assert abs(mean - want) < 0.08 * want
    # the errors matter: without them P_v would be 2h/B - (h/B)^2
    no_errors = (rate + occupancy) * (2 * thin_m / band_m - (thin_m / band_m) ** 2)
    assert abs(mean - no_errors) > 4 * standard_error, (mean, standard_error, no_errors)
