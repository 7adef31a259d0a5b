"""The disclosure policy: what may be published of a count, a share, a school.

See :mod:`segspatial.disclosure` for the guarantee; this module holds the rules
(:class:`Policy`), primary and complementary suppression of schools and the checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from segspatial._reasons import reason as _reason

#: The reason given for a value the audit withholds.
HIDDEN = _reason("withheld", "not shown (disclosure control)")
#: Exclusion reasons that count pupils by group membership (a group count per area):
#: their pupils are not published in disclosure mode.
GROUP_REASONS = frozenset({"not_in_comparison", "missing_value", "unknown_code",
                           "invalid_value", "between_bands"})


# --------------------------------------------------------------------------- the policy


def check_min_cell(min_cell: Any) -> int | None:
    """``min_cell`` checked: None, or an int of at least 1.

    Examples
    --------
    >>> check_min_cell(10), check_min_cell(None)
    (10, None)
    """
    if min_cell is None:
        return None
    if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)):
        raise TypeError(f"min_cell must be an int or None, got {min_cell!r}")
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell!r}")
    return int(min_cell)


def round_counts(values: Any, base: int) -> np.ndarray:
    """Counts rounded to the nearest multiple of ``base`` (halves up); NaN stays NaN.

    Examples
    --------
    >>> round_counts([0, 2, 3, 7, 8, 12.5], 5).tolist()
    [0.0, 0.0, 5.0, 5.0, 10.0, 15.0]
    """
    values = np.asarray(values, dtype=np.float64)
    return base * np.floor(values / base + 0.5)


@dataclass(frozen=True)
class Policy:
    """What disclosure mode publishes (see :mod:`segspatial.disclosure`).

    Attributes
    ----------
    min_cell : int
        N: no count below it may be derivable.
    count_base : int
        Pupil counts are rounded to multiples of it (default 5).
    digits : int
        Decimals of published index values (default 2).
    share_digits : int
        Decimals of published percentages (default 0: whole percents).
    band : int
        Width, in percentage points, of the bands of schools' shares (default 10).
    """

    min_cell: int
    count_base: int = 5
    digits: int = 2
    share_digits: int = 0
    band: int = 10

    def __post_init__(self) -> None:
        check_min_cell(self.min_cell)
        for name in ("count_base", "band"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.band > 100 or 100 % self.band:
            raise ValueError(f"band must divide 100, got {self.band!r}")
        for name in ("digits", "share_digits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")

    def counts(self, values: Any) -> np.ndarray:
        """Published counts: rounded to ``count_base``, NaN (shown ``"< N"``) below
        ``min_cell``. With N = 1 a zero is rounded too (``"< 1"`` would give it away).

        A count at or above N never reads as a number below N: when N is not a multiple
        of ``count_base`` (N = 7: 7 would round to 5), it is published as the smallest
        multiple of ``count_base`` at or above N (10), so an output checker never sees a
        published count under N."""
        values = np.asarray(values, dtype=np.float64)
        rounded = round_counts(values, self.count_base)
        if self.min_cell <= 1:
            return rounded
        floor = math.ceil(self.min_cell / self.count_base) * self.count_base
        with np.errstate(invalid="ignore"):
            below = values < self.min_cell
            rounded = np.where(rounded < floor, floor, rounded)
        return np.where(below, np.nan, rounded)

    def values(self, values: Any) -> np.ndarray:
        """Published index values: rounded to ``digits`` decimals (a value that rounds
        to zero is 0.0, never -0.0: its sign would be a digit more)."""
        return np.round(np.asarray(values, dtype=np.float64), self.digits) + 0.0

    def shares(self, values: Any) -> np.ndarray:
        """Published shares (fractions), rounded to ``share_digits`` decimals of a percent."""
        return np.round(np.asarray(values, dtype=np.float64), 2 + self.share_digits) + 0.0

    def bands(self, shares: Any) -> np.ndarray:
        """The band (0, 1, ...) of each share; the top band includes 100%; NaN for NaN."""
        shares = np.asarray(shares, dtype=np.float64)
        n = 100 // self.band
        with np.errstate(invalid="ignore"):
            index = np.clip(np.floor(shares * 100 / self.band + 1e-9), 0, n - 1)
        return np.where(np.isfinite(shares), index, np.nan)

    def band_limits(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper share of each band index."""
        index = np.asarray(index, dtype=np.float64)
        return index * self.band / 100, (index + 1) * self.band / 100


def policy(min_cell: int | None) -> Policy | None:
    """The disclosure policy for ``min_cell`` (None: no disclosure control)."""
    min_cell = check_min_cell(min_cell)
    return None if min_cell is None else Policy(min_cell)


# --------------------------------------------------------------------------- schools


def suppressed_schools(a: Any, b: Any, min_cell: int | None,
                       area: Any = None) -> np.ndarray:
    """Which schools have their group counts, share and local measures hidden.

    With ``min_cell=N`` a school is suppressed when its (finite) count of group A
    or of group B is below N (*primary* suppression). Showing the other group's
    count, the share of A or any measure computed from a or b (``p = a / t``, the D
    contribution ``|a/A - b/B| / 2``, ...) next to the pupil total would give the
    hidden count back, so none of them is shown for such a school.

    The area's totals are published too, so a single suppressed school in an area
    could still be recovered as the area total minus the other schools' counts.
    Where an area has exactly one primary-suppressed school, the area's unsuppressed
    school with the smallest group count is suppressed as well (*complementary*
    suppression; ties go to the first such school), which leaves only a range for
    each hidden count (Hundepool et al. 2012, *Statistical Disclosure Control*,
    ch. 5).

    Parameters
    ----------
    a, b : array-like
        Counts of group A and group B per school.
    min_cell : int or None
        The disclosure threshold; None suppresses nothing.
    area : array-like, optional
        The area of each school; None means all schools are in one area.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> suppressed_schools([3, 40, 120], [200, 9, 30], 10).tolist()
    [True, True, False]
    >>> suppressed_schools([3, 40, 120, 60], [200, 90, 30, 70], 10).tolist()
    [True, False, True, False]
    >>> suppressed_schools([3, 40, 120, 60], [200, 90, 30, 70], 10,
    ...                    area=["X", "X", "Y", "Y"]).tolist()
    [True, True, False, False]
    >>> suppressed_schools([3], [200], None).tolist()
    [False]
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if min_cell is None:
        return np.zeros(np.broadcast(a, b).shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        primary = (np.isfinite(a) & (a < min_cell)) | (np.isfinite(b) & (b < min_cell))
    smallest = np.fmin(a, b)
    codes = None if area is None else np.asarray(area)
    if codes is None or (codes.size and pd.notna(codes[0]) and (codes == codes[0]).all()):
        # one area (a report's page): the same rule without grouping
        others = ~primary & ~np.isnan(smallest)
        if primary.sum() != 1 or not others.any():
            return primary
        hidden = primary.copy()
        hidden[np.flatnonzero(others)[np.argmin(smallest[others])]] = True  # first smallest
        return hidden
    frame = pd.DataFrame({
        "area": np.zeros(primary.size, dtype=np.int8) if area is None else np.asarray(area),
        "primary": primary,
        "smallest": smallest,
    })
    alone = frame.groupby("area", sort=False)["primary"].transform("sum").to_numpy() == 1
    candidates = frame[alone & ~primary]
    if candidates.empty:
        return primary
    partner = candidates.groupby("area", sort=False)["smallest"].idxmin().to_numpy()
    hidden = primary.copy()
    hidden[partner] = True
    return hidden


def school_publication(a: Any, b: Any, pupils: Any, policy: Policy,
                       area: Any = None) -> pd.DataFrame:
    """What a school map may show of each school, in disclosure mode.

    Returns
    -------
    pandas.DataFrame
        ``suppressed`` (bool), ``band`` (index, NaN when suppressed), ``band_low`` and
        ``band_high`` (shares), ``share`` (the band's middle, the value colours and
        Moran's I use), ``pupils`` (rounded, NaN below N) and ``size`` (the pupils
        for a marker's size: rounded, at least N).

    Examples
    --------
    >>> p = school_publication([3, 40], [200, 90], [203, 130], Policy(10), area=["X", "Y"])
    >>> p[["suppressed", "band_low", "band_high", "pupils"]].values.tolist()
    [[True, nan, nan, 205.0], [False, 0.3, 0.4, 130.0]]
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    hidden = suppressed_schools(a, b, policy.min_cell, area=area)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(a + b > 0, a / (a + b), np.nan)
    band = np.where(hidden, np.nan, policy.bands(share))
    low, high = policy.band_limits(band)
    rounded = policy.counts(pupils)
    size = np.where(np.isfinite(rounded), rounded, float(policy.min_cell))
    return pd.DataFrame({"suppressed": hidden, "band": band, "band_low": low,
                         "band_high": high, "share": (low + high) / 2, "pupils": rounded,
                         "size": np.maximum(size, float(policy.min_cell))})


def check_published(results: pd.DataFrame, min_cell: int | None,
                    what: str = "results") -> None:
    """With ``min_cell=N``, ``results`` must have been written under disclosure control
    with at least N (:func:`protect_results` marks them with a ``min_cell`` column):
    only a command that saw the counts could audit them, so a map or a grid drawn
    from other results would not carry the guarantee.

    Raises
    ------
    ValueError
        When the ``min_cell`` column is missing or below ``min_cell``.
    """
    min_cell = check_min_cell(min_cell)
    if min_cell is None:
        return
    written = (pd.to_numeric(results["min_cell"], errors="coerce")
               if "min_cell" in results.columns else pd.Series([], dtype=float))
    if written.empty or written.isna().any() or (written < min_cell).any():
        have = ("it has no 'min_cell' column" if "min_cell" not in results.columns else
                f"it was written with --min-cell {written.min():.0f}")
        raise ValueError(
            f"min_cell={min_cell}: {what}: not written under disclosure control with "
            f"N >= {min_cell} ({have}); compute them with `segspatial indices ... "
            f"--min-cell {min_cell}` (or segspatial.disclosure.protect_results), which "
            "audits the counts")
