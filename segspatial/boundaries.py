"""Download CBS boundaries (gebiedsindelingen) from the public cartomap service, cached.

``https://cartomap.github.io/nl/<projection>/<level>_<year>.geojson`` publishes the
generalised CBS region boundaries (municipalities, districts, provinces, labour-market
regions) per year, in RD New (``rd``, EPSG:28992) or WGS84 (``wgs84``, EPSG:4326).
:func:`fetch_boundaries` downloads one file into a cache folder (written atomically,
checked to be GeoJSON with features) and returns its path; a second call reads the
cache. Only the standard library is used here (``urllib``), so importing this module
is light.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from segspatial._write import write_bytes

__all__ = [
    "BASE_URL",
    "LEVELS",
    "PROJECTIONS",
    "BoundaryFetchError",
    "boundaries_cache_dir",
    "boundaries_url",
    "fetch_boundaries",
]

#: The public cartomap service (CBS gebiedsindelingen as GeoJSON).
BASE_URL = "https://cartomap.github.io/nl"
#: Region levels cartomap publishes.
LEVELS = ("gemeente", "wijk", "provincie", "arbeidsmarktregio")
#: Projections: ``rd`` = EPSG:28992 (RD New, metres), ``wgs84`` = EPSG:4326 (lon/lat).
PROJECTIONS = ("rd", "wgs84")

_MIN_YEAR, _MAX_YEAR = 1800, 2200


class BoundaryFetchError(OSError):
    """A boundary file could not be downloaded (offline, server down, not published).

    The message says how to use a local file instead.
    """


def boundaries_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder where downloaded boundaries are kept.

    ``cache_dir`` if given, else ``$SEGSPATIAL_DATA/boundaries``, else the user cache
    folder: ``$XDG_CACHE_HOME/segspatial/boundaries`` (default ``~/.cache``) on Linux,
    ``~/Library/Caches/segspatial/boundaries`` on macOS,
    ``%LOCALAPPDATA%\\segspatial\\Cache\\boundaries`` on Windows.
    """
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("SEGSPATIAL_DATA")
    if env:
        return Path(env) / "boundaries"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "segspatial" / "Cache" / "boundaries"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "segspatial" / "boundaries"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "segspatial" / "boundaries"


def _check(level: str, year: int, projection: str) -> int:
    if level not in LEVELS:
        raise ValueError(f"level={level!r} is not a cartomap level; use one of {list(LEVELS)!r}")
    if projection not in PROJECTIONS:
        raise ValueError(f"projection={projection!r} is not available; use 'rd' (EPSG:28992, "
                         "metres) or 'wgs84' (EPSG:4326, lon/lat)")
    if isinstance(year, bool) or not isinstance(year, int | str):
        raise TypeError(f"year must be a whole year such as 2019, got {year!r}")
    try:
        value = int(year)
    except ValueError:
        raise ValueError(f"year={year!r} is not a whole year such as 2019") from None
    if not _MIN_YEAR <= value <= _MAX_YEAR:
        raise ValueError(f"year={year!r} is out of range; use a year such as 2019")
    return value


def boundaries_url(level: str, year: int, *, projection: str = "rd",
                   base_url: str = BASE_URL) -> str:
    """The cartomap address of one boundary file.

    Examples
    --------
    >>> boundaries_url("gemeente", 2019)
    'https://cartomap.github.io/nl/rd/gemeente_2019.geojson'
    """
    year = _check(level, year, projection)
    return f"{base_url.rstrip('/')}/{projection}/{level}_{year}.geojson"


def _validate_geojson(payload: bytes, source: str) -> int:
    """The number of features of a GeoJSON FeatureCollection, or a ValueError."""
    try:
        data = json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source} is not valid GeoJSON (JSON error: {exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{source} is not a GeoJSON FeatureCollection (type {kind!r})")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValueError(f"{source} has no features")
    bad = sum(1 for f in features if not isinstance(f, dict) or f.get("type") != "Feature"
              or "geometry" not in f)
    if bad:
        raise ValueError(f"{source}: {bad} of {len(features)} features are not GeoJSON "
                         "Features with a geometry")
    return len(features)


def _offline_hint(level: str, year: int, projection: str, target: Path) -> str:
    return (
        f"Without network access, download {level}_{year}.geojson elsewhere (or use "
        f"any boundary file: GeoJSON, TopoJSON, GeoPackage, Shapefile, GeoParquet) and "
        f"pass its path instead, e.g. `segspatial join results.csv my_{level}_{year}"
        f".geojson --area-code statcode ...` or `--areas-from FILE`; or copy it to "
        f"{str(target)!r} so fetch finds it in the cache."
    )


def fetch_boundaries(
    level: str,
    year: int,
    *,
    projection: str = "rd",
    cache_dir: str | os.PathLike | None = None,
    base_url: str = BASE_URL,
    timeout: float = 60.0,
    refresh: bool = False,
) -> Path:
    """Download CBS boundaries for one level and year (cached) and return the file path.

    Parameters
    ----------
    level : {"gemeente", "wijk", "provincie", "arbeidsmarktregio"}
        Municipalities, districts, provinces or labour-market regions.
    year : int
        The year of the regional division (municipal mergers change it yearly).
    projection : {"rd", "wgs84"}, default "rd"
        ``rd`` = EPSG:28992 (RD New, metres), ``wgs84`` = EPSG:4326.
    cache_dir : path, optional
        Where to keep the file; default :func:`boundaries_cache_dir` (honours
        ``$SEGSPATIAL_DATA``).
    base_url : str, default "https://cartomap.github.io/nl"
        The service (a mirror, or a local server in tests).
    timeout : float, default 60
        Seconds to wait for the server.
    refresh : bool, default False
        Download again even when the file is cached.

    Returns
    -------
    pathlib.Path
        ``<cache_dir>/<projection>/<level>_<year>.geojson``; read it with
        :func:`segspatial.read_boundaries`.

    Raises
    ------
    ValueError
        For an unknown level or projection, a bad year, or a download that is not a
        GeoJSON FeatureCollection with features (nothing is written then).
    BoundaryFetchError
        When the server cannot be reached or does not have the file; the message
        says how to use a local file instead.

    Notes
    -----
    The boundaries are Statistics Netherlands' (CBS) generalised *gebiedsindelingen*
    (via PDOK), converted to GeoJSON by the cartomap project; cite CBS as the source.
    """
    year = _check(level, year, projection)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    folder = boundaries_cache_dir(cache_dir) / projection
    target = folder / f"{level}_{year}.geojson"
    if target.is_file() and not refresh:
        try:
            _validate_geojson(target.read_bytes(), f"cached file {str(target)!r}")
            return target
        except ValueError:
            pass  # a damaged cache entry: download it again
    url = boundaries_url(level, year, projection=projection, base_url=base_url)
    request = urllib.request.Request(url, headers={"User-Agent": "segspatial"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except urllib.error.HTTPError as exc:
        what = ("the service has no such file (is the year published?)" if exc.code == 404
                else f"the server answered HTTP {exc.code} {exc.reason}")
        raise BoundaryFetchError(
            f"could not download {url}: {what}. "
            + _offline_hint(level, year, projection, target)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BoundaryFetchError(
            f"could not download {url} ({reason}); are you offline? "
            + _offline_hint(level, year, projection, target)) from None
    _validate_geojson(payload, f"the download from {url}")
    write_bytes(target, payload)
    return target
