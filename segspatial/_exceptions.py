"""Warning and error types shared by every module."""

from __future__ import annotations

__all__ = ["SegregationWarning"]


class SegregationWarning(UserWarning):
    """An index could not be computed for some input and was returned as NaN.

    The message always says why (absent group, non-integer counts, ...).
    """
