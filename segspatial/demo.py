"""A deterministic synthetic data set: fictional municipalities, 2009-2018.

Pupil-level data is never public, so the demo, the tests and the benchmarks generate
their own. The demo towns are built to show what the indices can and cannot see:

* **Havenstad**: a large city split in two halves (group A concentrated in the west):
  segregation that follows residential patterns.
* **Polderdam**: a checkerboard: neighbouring schools alternate between mostly A and
  mostly B (local sorting by school choice). Its aspatial D is close to Havenstad's.
* **Duinhoven**: a smooth gradient from the old centre outwards.
* **Bergveld**: mildly mixed.
* **Rivierwoude**: a small municipality (below the report's 10,000 pupils a year),
  dropped by the default area filter.

Every town also has a few small schools (below 50 pupils) that the unit filter drops.
Coordinates are in EPSG:28992 (RD New, metres).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEMO_CRS", "DEMO_YEARS", "demo_counts", "demo_pupils", "demo_schools"]

DEMO_CRS = "EPSG:28992"
DEMO_YEARS = tuple(range(2009, 2019))
from segspatial._defaults import DEFAULT_SEED  # noqa: E402 (the CLI reads it too)

# code, name, centre x, centre y, radius (m), schools, pattern, share of A
_TOWNS = (
    ("GM9001", "Havenstad", 92_000, 437_000, 6_000, 110, "halves", 0.30),
    ("GM9002", "Polderdam", 140_000, 480_000, 4_500, 64, "checkerboard", 0.30),
    ("GM9003", "Duinhoven", 100_000, 470_000, 4_000, 52, "gradient", 0.22),
    ("GM9004", "Bergveld", 190_000, 390_000, 4_000, 48, "mixed", 0.15),
    ("GM9005", "Rivierwoude", 170_000, 440_000, 2_500, 22, "mixed", 0.12),
)

_PREFIXES = ("De", "Het", "Sint", "Open", "Prins", "Koning", "Oranje", "Groen")
_STEMS = ("Regenboog", "Klimop", "Vlinder", "Zonnewijzer", "Wilg", "Kompas", "Linde",
          "Eik", "Toermalijn", "Horizon", "Triangel", "Meander", "Kameleon", "Bron")


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def demo_schools(rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """The demo's schools: location, size and baseline share of group A.

    Parameters
    ----------
    rng : numpy.random.Generator or int, optional
        Random generator or seed; default a fixed seed, so the demo is the same on
        every machine.

    Returns
    -------
    pandas.DataFrame
        ``municipality``, ``municipality_name``, ``school``, ``school_name``, ``x``,
        ``y`` (EPSG:28992), ``pattern``, ``size`` (pupils in 2009) and ``share_a``.
    """
    rng = np.random.default_rng(DEFAULT_SEED if rng is None else rng)
    frames = []
    for code, name, cx, cy, radius, n, pattern, share in _TOWNS:
        # a jittered grid inside a disc: schools spread like in a real town
        side = int(np.ceil(np.sqrt(n * 4 / np.pi))) + 2
        gx, gy = np.meshgrid(np.arange(side), np.arange(side))
        gx = (gx - (side - 1) / 2).ravel()
        gy = (gy - (side - 1) / 2).ravel()
        order = np.argsort(np.hypot(gx, gy), kind="stable")[:n]
        gx, gy = gx[order], gy[order]
        step = radius / (side / 2)
        x = cx + (gx + rng.uniform(-0.3, 0.3, n)) * step
        y = cy + (gy + rng.uniform(-0.3, 0.3, n)) * step
        rel_x, rel_r = (x - cx) / radius, np.hypot(x - cx, y - cy) / radius
        if pattern == "halves":
            lean = np.where(rel_x < 0, 1.5, -1.5)
        elif pattern == "checkerboard":
            lean = np.where((gx + gy) % 2 == 0, 1.5, -1.5)
        elif pattern == "gradient":
            lean = 2.0 * (0.6 - rel_r)
        else:
            lean = np.zeros(n)
        share_a = _expit(_logit(np.full(n, share)) + lean + rng.normal(0, 0.35, n))
        size = np.round(rng.lognormal(np.log(230), 0.45, n)).clip(60, 900)
        small = rng.choice(n, size=max(1, n // 25), replace=False)
        size[small] = rng.integers(18, 48, small.size)
        stems = rng.choice(len(_STEMS), n)
        prefixes = rng.choice(len(_PREFIXES), n)
        frames.append(pd.DataFrame({
            "municipality": code,
            "municipality_name": name,
            "school": [f"{code[2:]}{i:03d}" for i in range(n)],
            "school_name": [f"{_PREFIXES[p]} {_STEMS[s]}" for p, s in zip(prefixes, stems,
                                                                      strict=True)],
            "x": x.round(1),
            "y": y.round(1),
            "pattern": pattern,
            "size": size.astype(np.int64),
            "share_a": share_a,
        }))
    return pd.concat(frames, ignore_index=True)


def demo_counts(
    rng: np.random.Generator | int | None = None, *, years: tuple[int, ...] = DEMO_YEARS
) -> pd.DataFrame:
    """Synthetic counts per school and year for the demo towns.

    Each school's share of A drifts slowly over the years; counts are binomial draws,
    and about 12% of the pupils belong to neither group (they count in ``total``).

    Parameters
    ----------
    rng : numpy.random.Generator or int, optional
        Random generator or seed; default a fixed seed.
    years : tuple of int
        The years to generate.

    Returns
    -------
    pandas.DataFrame
        One row per school per year: the columns of :func:`demo_schools` (without
        ``size`` and ``share_a``) plus ``year``, ``a``, ``b`` and ``total``.
    """
    rng = np.random.default_rng(DEFAULT_SEED if rng is None else rng)
    schools = demo_schools(rng)
    n, n_years = len(schools), len(years)
    growth = rng.normal(0, 0.03, (n_years, n)).cumsum(axis=0)
    total = np.round(schools["size"].to_numpy() * np.exp(growth)).astype(np.int64)
    drift = rng.normal(0, 0.05, (n_years, n)).cumsum(axis=0)
    trend = np.linspace(0, 0.25, n_years)[:, None]  # A grows a little over the decade
    p_a = _expit(_logit(schools["share_a"].to_numpy()) + drift + trend)
    in_comparison = rng.binomial(total, 0.88)
    a = rng.binomial(in_comparison, p_a)
    frame = schools.drop(columns=["size", "share_a"]).loc[np.tile(np.arange(n), n_years)]
    frame = frame.reset_index(drop=True)
    frame.insert(4, "year", np.repeat(np.asarray(years, dtype=np.int64), n))
    frame["a"] = a.ravel()
    frame["b"] = (in_comparison - a).ravel()
    frame["total"] = total.ravel()
    return frame


def demo_pupils(
    rng: np.random.Generator | int | None = None, *, years: tuple[int, ...] = DEMO_YEARS
) -> pd.DataFrame:
    """Synthetic pupil-level data for the demo towns: one row per pupil per year.

    The schools are those of :func:`demo_schools`. Each school's share of pupils with
    a non-western migration background follows its town's pattern (halves,
    checkerboard, gradient, mixed) and drifts slowly over the years; the share with a
    western background varies between schools too. Household income depends on the
    school's neighbourhood status (lower where the migrant share is high, plus noise)
    and on the pupil's background; parental education follows income. So all three
    themes show segregation, clustered by neighbourhood and school. About 1.5% of
    the incomes, 0.4% of the backgrounds and 3% of the education levels are missing,
    and 0.2% of the incomes are negative (a business loss), as in real data.

    Parameters
    ----------
    rng : numpy.random.Generator or int, optional
        Random generator or seed; default a fixed seed, so the data are the same on
        every machine.
    years : tuple of int
        The years to generate.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``municipality`` (GM code), ``school``, ``ethnicity`` (``dutch``,
        ``western``, ``nonwestern`` or missing), ``income`` (euros a year, float, NaN
        when missing) and ``education`` (``low``, ``middle``, ``high`` or missing).
    """
    rng = np.random.default_rng(DEFAULT_SEED if rng is None else rng)
    schools = demo_schools(rng)
    n, n_years = len(schools), len(years)
    share = schools["share_a"].to_numpy()
    growth = rng.normal(0, 0.03, (n_years, n)).cumsum(axis=0)
    size = np.round(schools["size"].to_numpy() * np.exp(growth)).astype(np.int64)
    drift = rng.normal(0, 0.05, (n_years, n)).cumsum(axis=0)
    trend = np.linspace(0, 0.25, n_years)[:, None]
    p_nonwestern = _expit(_logit(share) + drift + trend)
    p_western = (1 - p_nonwestern) * _expit(_logit(0.11) + rng.normal(0, 0.6, n))
    town_share = schools.groupby("municipality")["share_a"].transform("mean").to_numpy()
    status = -0.8 * (_logit(share) - _logit(town_share)) + rng.normal(0, 0.4, n)

    school_year = np.repeat(np.arange(n_years * n), size.ravel())
    year_index, school = np.divmod(school_year, n)
    m = school_year.size
    u = rng.random((5, m))
    pn, pw = p_nonwestern.ravel()[school_year], p_western.ravel()[school_year]
    ethnicity = np.where(u[0] < pn, 2, np.where(u[0] < pn + pw, 1, 0))
    noise = rng.normal(0, 1, (2, m))
    log_income = (10.6 + 0.18 * status[school] - 0.3 * (ethnicity == 2)
                  + 0.05 * (ethnicity == 1) + 0.015 * year_index + 0.55 * noise[0])
    income = np.round(np.exp(log_income), -1)
    loss = u[1] < 0.002
    income[loss] = -np.round(20_000 * u[2][loss], -1)
    income[u[3] < 0.015] = np.nan
    z = (log_income - log_income.mean()) / log_income.std()
    latent = 0.6 * z + 0.15 * status[school] + 0.8 * noise[1]
    education = np.where(latent < -0.55, 0, np.where(latent > 0.55, 2, 1))
    ethnicity[u[4] < 0.004] = -1  # missing
    education[(u[4] >= 0.004) & (u[4] < 0.034)] = -1
    towns, town = np.unique(schools["municipality"].to_numpy(), return_inverse=True)
    return pd.DataFrame({  # categoricals: light, and what Parquet dictionaries give
        "year": np.asarray(years, dtype=np.int64)[year_index],
        "municipality": pd.Categorical.from_codes(town[school], categories=towns),
        "school": pd.Categorical.from_codes(school, categories=schools["school"]),
        "ethnicity": pd.Categorical.from_codes(ethnicity,
                                               categories=["dutch", "western", "nonwestern"]),
        "income": income,
        "education": pd.Categorical.from_codes(education, categories=["low", "middle", "high"]),
    })
