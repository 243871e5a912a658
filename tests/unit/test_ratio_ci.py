"""The paired ratio of means and its delta-method interval (``summary.csv`` columns ``ratio*``).

Checked three ways that do not go through the code under test: the closed form written out
with plain sums, the limits (proportional samples, a zero reference), and the coverage of the
interval on paired samples drawn with a known ratio of means.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as student_t

from sim.experiment.compare import ratio_ci


def _by_hand(a: list[float], b: list[float]) -> tuple[float, float, float]:
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    saa = sum((x - ma) ** 2 for x in a) / (n - 1)
    sbb = sum((y - mb) ** 2 for y in b) / (n - 1)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True)) / (n - 1)
    se = math.sqrt((saa / ma**2 + sbb / mb**2 - 2 * sab / (ma * mb)) / n)
    t = float(student_t.ppf(0.975, n - 1))
    r = ma / mb
    return r, r / math.exp(t * se), r * math.exp(t * se)


def test_matches_the_closed_form_written_out() -> None:
    a = [0.0, 2.0, 1.0, 3.0, 0.5, 1.5] * 3
    b = [1.0, 4.0, 2.5, 3.0, 2.0, 2.5] * 3
    got = ratio_ci(np.array(a), np.array(b))
    want = _by_hand(a, b)
    assert got == pytest.approx(want, rel=1e-12)
    assert got[1] < got[0] < got[2]


def test_limits() -> None:
    b = np.array([1.0, 3.0, 2.0, 5.0] * 4)
    assert ratio_ci(0.25 * b, b) == pytest.approx((0.25, 0.25, 0.25))  # proportional: no spread in the ratio
    r, low, high = ratio_ci(np.zeros(len(b)), b)  # the rule removes every event: ratio 0, no log interval
    assert r == 0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in ratio_ci(b, np.zeros(len(b))))  # nothing to divide by
    r, low, high = ratio_ci(np.array([2.0]), np.array([4.0]))
    assert r == 0.5 and math.isnan(low)


@pytest.mark.parametrize(("true_ratio", "n"), [(0.3, 40), (1.0, 100), (0.05, 400)])
def test_interval_covers_the_true_ratio_about_95_percent_of_the_time(true_ratio: float, n: int) -> None:
    """Paired, skewed samples like replication risks: a shared gamma 'traffic' factor times
    independent gamma noise; the policy's mean is ``true_ratio`` times the reference's."""
    rng = np.random.default_rng(20261204)
    trials = 2000
    covered = 0
    for _ in range(trials):
        traffic = rng.gamma(2.0, 1.0, n)
        ref = traffic * rng.gamma(4.0, 0.25, n)
        pol = true_ratio * traffic * rng.gamma(4.0, 0.25, n)
        _, low, high = ratio_ci(pol, ref)
        covered += low <= true_ratio <= high
    coverage = covered / trials
    # binomial sd at 0.95 over 2000 trials is 0.005; the delta method is a large-sample interval
    assert 0.925 <= coverage <= 0.97, coverage


def test_no_interval_when_a_few_replications_carry_the_mean() -> None:
    """One day in a hundred holds the risk: (sum x)**2 / sum x**2 is about 1, far below 10."""
    b = np.full(100, 1e-6)
    b[36] = 1.0
    a = 0.9 * b
    r, low, high = ratio_ci(a, b)
    assert r == pytest.approx(0.9) and math.isnan(low) and math.isnan(high)
    spread = np.random.default_rng(3).gamma(2.0, 1.0, 100)  # effective size about 67
    assert not math.isnan(ratio_ci(0.9 * spread * np.random.default_rng(4).gamma(20, 0.05, 100), spread)[1])
