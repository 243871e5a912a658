"""deconflict: simulate two air forces without a common controller and count their near-conflicts exactly."""

__version__ = "0.1.0"

__all__ = ["__version__"]
