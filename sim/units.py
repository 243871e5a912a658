"""Unit conversions: scenario files speak aviation units, the model speaks SI."""

FT_M = 0.3048
"""metres per foot (exact)."""
NM_M = 1852.0
"""metres per nautical mile (exact)."""
KT_MPS = NM_M / 3600.0
"""metres per second per knot."""
MIN_S = 60.0
"""seconds per minute."""
H_S = 3600.0
"""seconds per hour."""
