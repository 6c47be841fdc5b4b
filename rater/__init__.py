"""Rater: blind rating of recorded interviews against a codebook, with defensible reliability."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rater")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
