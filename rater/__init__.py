"""Rater: blind rating of recorded interviews against a codebook, with defensible reliability."""

# The one source of the version: pyproject.toml reads it from here (dynamic), and a frozen
# bundle, which carries no package metadata, still knows it.
__version__ = "0.1.0"
