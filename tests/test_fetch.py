"""Fetching CBS boundaries: against a local HTTP server on 127.0.0.1, never the network."""

from __future__ import annotations

import functools
import json
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from segspatial.boundaries import (
    BoundaryFetchError,
    boundaries_cache_dir,
    boundaries_url,
    fetch_boundaries,
)
from segspatial.cli import main

SQUARE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"statcode": "GM0001", "statnaam": "Een"},
    "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1000, 0], [1000, 1000],
                                                     [0, 1000], [0, 0]]]}}]}


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def site(tmp_path):
    """A local server laid out like cartomap: <root>/<projection>/<level>_<year>.geojson."""
    root = tmp_path / "site"
    (root / "rd").mkdir(parents=True)
    (root / "wgs84").mkdir()
    (root / "rd" / "gemeente_2001.geojson").write_text(json.dumps(SQUARE))
    (root / "rd" / "wijk_2001.geojson").write_text("{not json")
    (root / "rd" / "provincie_2001.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": []}))
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "root": root,
               "requests": requests}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def refused_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_url_layout():
    assert boundaries_url("wijk", 2014, projection="wgs84", base_url="http://h/nl/") == (
        "http://h/nl/wgs84/wijk_2014.geojson")


def test_fetch_downloads_checks_and_caches(site, tmp_path):
    cache = tmp_path / "cache"
    path = fetch_boundaries("gemeente", 2001, cache_dir=cache, base_url=site["url"])
    assert path == cache / "rd" / "gemeente_2001.geojson"
    assert json.loads(path.read_text()) == SQUARE
    assert site["requests"] == ["/rd/gemeente_2001.geojson"]
    # cached: no second request; refresh downloads again
    assert fetch_boundaries("gemeente", 2001, cache_dir=cache, base_url=site["url"]) == path
    assert len(site["requests"]) == 1
    fetch_boundaries("gemeente", 2001, cache_dir=cache, base_url=site["url"], refresh=True)
    assert len(site["requests"]) == 2
    assert [p.name for p in (cache / "rd").iterdir()] == ["gemeente_2001.geojson"]  # no temp


def test_damaged_cache_is_downloaded_again(site, tmp_path):
    target = tmp_path / "rd" / "gemeente_2001.geojson"
    target.parent.mkdir()
    target.write_text('{"type": "FeatureCollection", "featu')  # interrupted copy
    path = fetch_boundaries("gemeente", 2001, cache_dir=tmp_path, base_url=site["url"])
    assert json.loads(path.read_text()) == SQUARE
    assert len(site["requests"]) == 1


def test_fetch_real_file_in_cartomap_layout(shared_data, site, tmp_path):
    source = shared_data / "boundaries" / "nl_maps_rd_gemeente_2019.geojson"
    (site["root"] / "rd" / "gemeente_2019.geojson").symlink_to(source)
    path = fetch_boundaries("gemeente", 2019, cache_dir=tmp_path, base_url=site["url"])
    assert path.read_bytes() == source.read_bytes()
    from segspatial.geo import read_boundaries

    gdf = read_boundaries(path)
    assert len(gdf) == 355 and gdf.crs.to_epsg() == 28992


def test_cache_dir_from_environment(monkeypatch, tmp_path, site):
    monkeypatch.setenv("SEGSPATIAL_DATA", str(tmp_path / "data"))
    assert boundaries_cache_dir() == tmp_path / "data" / "boundaries"
    path = fetch_boundaries("gemeente", 2001, base_url=site["url"])
    assert path == tmp_path / "data" / "boundaries" / "rd" / "gemeente_2001.geojson"


def test_default_cache_dir_is_a_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("SEGSPATIAL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert boundaries_cache_dir() == tmp_path / "segspatial" / "boundaries"


def test_not_published_is_a_fetch_error(site, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(BoundaryFetchError, match=r"no such file.*pass its path instead"):
        fetch_boundaries("gemeente", 1999, cache_dir=cache, base_url=site["url"])
    assert not cache.exists()


def test_invalid_download_is_refused_and_not_cached(site, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match="not valid GeoJSON"):
        fetch_boundaries("wijk", 2001, cache_dir=cache, base_url=site["url"])
    with pytest.raises(ValueError, match="has no features"):
        fetch_boundaries("provincie", 2001, cache_dir=cache, base_url=site["url"])
    assert site["requests"] == ["/rd/wijk_2001.geojson", "/rd/provincie_2001.geojson"]
    assert not cache.exists() or not list(cache.rglob("*"))


def test_offline_message_says_how_to_use_a_local_file(refused_url, tmp_path):
    with pytest.raises(BoundaryFetchError, match=r"are you offline\?.*pass its path instead"):
        fetch_boundaries("gemeente", 2019, cache_dir=tmp_path, base_url=refused_url,
                         timeout=5)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"level": "buurt"}, ValueError, "level='buurt' is not a cartomap level"),
    ({"projection": "utm"}, ValueError, "projection='utm' is not available"),
    ({"year": "twenty"}, ValueError, "not a whole year"),
    ({"year": 19}, ValueError, "out of range"),
    ({"year": 2019.5}, TypeError, "whole year"),
    ({"timeout": 0}, ValueError, "timeout must be a positive"),
])
def test_bad_arguments(kwargs, error, match, tmp_path):
    args = {"level": "gemeente", "year": 2019, **kwargs}
    with pytest.raises(error, match=match):
        fetch_boundaries(args.pop("level"), args.pop("year"), cache_dir=tmp_path,
                         base_url="http://127.0.0.1:1", **args)


def test_cli_fetch_prints_the_path(site, tmp_path, capsys):
    status = main(["boundaries", "fetch", "--level", "gemeente", "--year", "2001",
                   "--cache-dir", str(tmp_path), "--base-url", site["url"]])
    assert status == 0
    assert Path(capsys.readouterr().out.strip()) == tmp_path / "rd" / "gemeente_2001.geojson"


def test_cli_fetch_offline_fails_with_advice(refused_url, tmp_path, capsys):
    status = main(["boundaries", "fetch", "--level", "gemeente", "--year", "2019",
                   "--cache-dir", str(tmp_path), "--base-url", refused_url, "--timeout", "5"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("segspatial boundaries fetch: error: could not download")
    assert "pass its path instead" in err and "--areas-from FILE" in err
