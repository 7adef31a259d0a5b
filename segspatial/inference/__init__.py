"""Inference: uncertainty and significance for every index, all area-years at once.

Three questions, three tools (all vectorised over areas, years, comparisons and
replicates; explicit ``rng``; the same seed gives byte-identical results whatever the
chunking, the number of threads or the order of the areas):

**How precise is the value?** :func:`bootstrap` (or :func:`infer` with ``n_boot``):
standard error ``se``, a confidence interval ``ci_low``–``ci_high`` and the
bias-corrected estimate ``2·value − mean(replicates)`` (as R ``segregation``).

* *Individual bootstrap* (default): resample the pupils of each area-year (a multinomial
  draw over its school × group cells, with the number of pupils fixed). It answers: how
  precisely do these pupils measure the segregation of these schools? (sampling
  variability of the pupils given the schools: new cohorts, the same school system).
* *Cluster bootstrap* (``cluster=True``): resample the schools with replacement. It
  answers: how much would the index vary if the schools were a sample from a larger
  population of schools? All schools of a municipality are observed, so this is rarely
  the question for the report; use it for samples of schools.

Segregation indices are biased upwards in finite samples (a school's share is estimated
with noise, and D, H and V grow with noise). The bootstrap replicates carry the same bias
again, so the plain *percentile* interval sits about two biases above the truth. The
default ``interval="bias_corrected"`` takes the percentiles of ``2·value − replicate``
(R ``segregation``'s interval; the "basic" bootstrap interval), which removes the
first-order bias. In 1,000 simulated towns of 40 schools of 150–400 pupils
(``tests/test_inference.py``), 95% bias-corrected intervals cover the true D, H and V in
94.2%, 95.5% and 95.9% of the towns; percentile intervals in only 91.5%, 85.2% and
89.7%. In small areas the bias is larger than its first-order estimate and coverage
falls short of nominal: towns of 6 schools of 20–60 pupils, nearly even, get 90% (D) to
92% (H, V) with bias-corrected intervals and 73–78% with percentile ones.

**Is there segregation beyond chance?** :func:`randomisation_test` (``null_draws``):
deal each area-year's pupils to its schools at random (school sizes and group totals
fixed; exact multivariate hypergeometric draws, no per-pupil permutation) and compare:
``p_value`` = (k + 1) / (n + 1), one- or two-sided; ``null_mean`` and ``null_se`` give
the index's distribution under random allocation (the simulated variance of D, so D*
carries a standard error under the null).

**Did it change?** :func:`change`: per area, the difference between two years and the
linear trend, with bootstrap intervals and p-values, in one tidy table
(:data:`segspatial.schema.CHANGE_COLUMNS`); ``direction`` is ``rising`` or ``falling``
only when the interval excludes zero, else ``no_clear_change``.

**Multigroup results** (:func:`segspatial.multigroup_segregation`,
:func:`segspatial.pupil_multigroup_segregation`: K >= 2 groups) get the same columns:
the individual bootstrap draws over the school × K-group cells, the cluster bootstrap
resamples schools, and random allocation deals the groups one after another over the
seats left (a binary tree of hypergeometric splits per group). In 500 simulated towns of
20 schools and three groups, 95% bias-corrected intervals cover the true multigroup H,
D and M in 95.2%, 95.2% and 95.4% of the towns (percentile: 84.0%, 91.8%, 84.0%).
Decomposition rows (between/within) and the rank-order index get no intervals.

**Spatial indices** (:func:`segspatial.spatial.spatial_segregation`): the spatial D,
H, exposure and isolation at every bandwidth get the same columns. The local
environments depend on where the schools are, not on who attends them, so each
bandwidth's environment operator K is built once per area-year
(:func:`spatial_environments`) and every replicate is a sparse-times-dense product
``K @ A`` over all replicates at once. The individual bootstrap and random allocation
redraw the school x group counts and apply K; the school bootstrap draws schools with
replacement and adjusts K to the copies exactly (a copy is one more school at the same
place: :func:`segspatial.spatial.spatial_dissimilarity_theil` with ``multiplicity``;
for k nearest neighbours the original schools' neighbour sets are kept).

* ``context="all"`` (neighbours in other areas): an area-year's operator has one row
  per unit its pupils reach, in any area of the year (units of areas the area filter
  dropped included); only its own pupils are redrawn, the neighbours' places are
  fixed. No school bootstrap there (a drawn copy would change other areas'
  environments), and no intervals for the Reardon & O'Sullivan form with
  ``context="all"`` (its local shares hold other areas' pupils, which their own
  area-years redraw independently).
* Moran's I (``morans_i``): the table's kernel weights without self-weights,
  row-standardised per replicate; bootstrap intervals, no randomisation test (its
  test is the permutation p-value ``morans_i_p``) and no school bootstrap. In 1,000
  simulated towns of 40 schools at 1 km, 95% bias-corrected intervals cover the
  superpopulation's Moran's I in 92.6% (percentile 93.2%).
* Morrill's D (``morrill_d``, Delaunay contiguity): intervals (individual and school
  bootstrap: copies of a school are contiguous with each other and with its
  neighbours' copies) and the randomisation test; coverage 95.2% in the same towns.
  With clipped Voronoi catchments (``morrill_contiguity="voronoi_clipped"``) no
  intervals (the polygons are not kept in the result).
* Spatial multigroup M and H (:func:`segspatial.spatial.
  spatial_multigroup_segregation`): the dispersal operator on the K group counts of
  every replicate; all three resampling schemes.

The district decomposition gets no intervals. Rows without an interval that was asked
for are named with the reason in the command line's summary. Other spatial indices plug
in through :class:`EnvironmentIndex` (rectangular operators through its ``row_unit``).

**Why did it change?** ``change(..., decomposition=True)``: every difference of Theil's
M or H is split into the parts of Elbers (2021) (R ``segregation::mutual_difference``,
Shapley method with iterative proportional fitting): schools and groups in only one of
the years (``additions``, ``removals``), the changed group composition
(``group_marginal``), the changed school sizes (``unit_marginal``) and the change in
segregation with both margins fixed (``structural``), each with a bootstrap interval.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from segspatial.compute import SegregationResult
from segspatial.inference._change import change_from_table
from segspatial.inference._engine import DEFAULT_CHUNK_ROWS, EnvironmentIndex
from segspatial.inference._infer import Inference, bootstrap, infer, randomisation_test
from segspatial.inference._spatial import spatial_environments
from segspatial.inference._streams import DEFAULT_SEED
from segspatial.inference._summary import ALTERNATIVES, INTERVALS

__all__ = [
    "ALTERNATIVES",
    "DEFAULT_SEED",
    "INTERVALS",
    "EnvironmentIndex",
    "Inference",
    "bootstrap",
    "change",
    "infer",
    "randomisation_test",
    "spatial_environments",
]


def change(
    result: SegregationResult | pd.DataFrame,
    *,
    from_year: Any = None,
    to_year: Any = None,
    trend: bool = True,
    decomposition: bool = False,
    n_boot: int = 1000,
    level: float = 0.95,
    cluster: bool = False,
    interval: str = "bias_corrected",
    indices: str | Iterable[str] | None = None,
    environments: Iterable[EnvironmentIndex] | None = None,
    rng: np.random.Generator | int | None = None,
    n_jobs: int = 1,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> pd.DataFrame:
    """Change over time per area: the difference between two years and the trend.

    Parameters
    ----------
    result : SegregationResult or pandas.DataFrame
        A result with counts (the change is bootstrapped: the replicates of the two
        years are subtracted, those of all years regressed on the year), or a results
        table with standard errors ``se`` (normal approximation, years independent).
    from_year, to_year : int, optional
        The years compared; default per series the first and the last year with a
        defined value. The trend uses every year from ``from_year`` to ``to_year``.
    trend : bool, default True
        Also the least-squares slope per year (needs three years with a value).
    decomposition : bool, default False
        Also decompose every difference of Theil's M or H (``mutual_information``,
        ``theil_h``, ``multigroup_theil_h``) into the parts of Elbers (2021), as R
        ``segregation::mutual_difference(method = "shapley")``: five more rows per
        difference, ``statistic`` = ``additions``, ``removals`` (schools or groups in
        only one of the two years), ``group_marginal`` (the changed group composition),
        ``unit_marginal`` (the changed school sizes) and ``structural`` (the change in
        segregation with both margins held fixed); they add up to the difference.
        Schools are matched across years by their id. With the individual bootstrap
        each part gets its interval and p-value from the same replicates as the
        difference (the cluster bootstrap resamples schools, so its parts have no
        interval). The difference and its parts carry ``decomposition`` =
        ``shapley_ipf``. Needs the counts (a result, not a table).
    n_boot, level, cluster, interval, indices, environments, rng, n_jobs, chunk_rows
        See :func:`infer` (``n_boot`` is ignored for a table).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`segspatial.schema.CHANGE_COLUMNS`: ``area``,
        ``comparison``, ``group_a``, ``group_b``, ``index``, ``bandwidth``, ``kernel``,
        ``statistic`` (difference or trend), ``from_year``, ``to_year``, ``n_years``,
        ``value_from``, ``value_to``, ``change``, ``se``, ``ci_low``, ``ci_high``,
        ``ci_level``, ``p_value`` (two-sided, no change), ``direction`` (rising /
        falling / no_clear_change), ``n_boot``, ``bootstrap``, ``interval``,
        ``reason``.

    Raises
    ------
    ValueError
        Without a (numeric) year column, with ``from_year >= to_year``, a ``from_year``
        or ``to_year`` that is not a year of the results, for a table without
        standard errors, or ``decomposition`` for a table. (A year missing for some
        areas only is their ``reason``.)

    References
    ----------
    Elbers, B. (2021). A method for studying differences in segregation across time
        and space. *Sociological Methods & Research* 52(1), 5-42.

    Examples
    --------
    >>> import pandas as pd, segspatial as ss
    >>> from segspatial.inference import change
    >>> df = pd.DataFrame({"school": ["I", "II"] * 2, "year": [2017, 2017, 2018, 2018],
    ...                    "a": [20, 130, 60, 90], "b": [60, 30, 50, 40]})
    >>> res = ss.segregation(df, "school", "a", "b", year="year", indices="dissimilarity",
    ...                      min_unit_size=0, min_area_size=0)
    >>> row = change(res, n_boot=999, rng=1).iloc[0]
    >>> row["statistic"], int(row["from_year"]), int(row["to_year"]), row["direction"]
    ('difference', 2017, 2018, 'falling')
    """
    if isinstance(result, pd.DataFrame):
        if decomposition:
            raise ValueError("decomposition needs the counts of both years (a "
                             "SegregationResult), not a results table")
        return change_from_table(result, level=level, from_year=from_year, to_year=to_year,
                                 trend=trend)
    return infer(result, n_boot=n_boot, level=level, cluster=cluster, interval=interval,
                 indices=indices, environments=environments, change=True,
                 from_year=from_year, to_year=to_year, trend=trend,
                 decomposition=decomposition, rng=rng, n_jobs=n_jobs,
                 chunk_rows=chunk_rows).change
