"""The dataset registry's offline paths: mirror, cache, download from a local server, and its errors."""

import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from latentbio.data import datasets
from latentbio.data.datasets import (CachePermissionError, ChecksumError, DatasetUnavailableError, RemoteFile, fetch,
                                     sha256_of)

CONTENT = b"latent representations in biology\n" * 100


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output free of request logs
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 that serves the files of a temporary folder; yields (folder, base URL)."""
    served = tmp_path / "served"
    served.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    """A local port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def entry(monkeypatch, tmp_path):
    """Register a small test file (its sha256 is that of CONTENT) and return a function to re-point its URL."""
    reference = tmp_path / "reference.txt"
    reference.write_bytes(CONTENT)

    def make(url="http://127.0.0.1:9/unused.txt"):
        registered = RemoteFile(name="test_file", filename="test_file.txt", url=url, sha256=sha256_of(reference),
                                size_bytes=len(CONTENT), citation="none", licence="none", description="test")
        monkeypatch.setitem(datasets.REGISTRY, registered.name, registered)
        return registered

    return make


@pytest.fixture(autouse=True)
def no_mirror_from_environment(monkeypatch):
    monkeypatch.delenv("LATENTBIO_DATA_MIRROR", raising=False)
    monkeypatch.delenv("LATENTBIO_DATA_CACHE", raising=False)


def test_sha256_of_a_known_file(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_mirror_hit_is_returned_without_download(entry, tmp_path):
    entry()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "test_file.txt").write_bytes(CONTENT)
    assert fetch("test_file", mirror=mirror, cache=tmp_path / "cache", download=False) == mirror / "test_file.txt"


def test_mirror_from_the_environment_variable(entry, tmp_path, monkeypatch):
    entry()
    (tmp_path / "test_file.txt").write_bytes(CONTENT)
    monkeypatch.setenv("LATENTBIO_DATA_MIRROR", str(tmp_path))
    assert fetch("test_file", cache=tmp_path / "cache", download=False) == tmp_path / "test_file.txt"


def test_mirror_with_wrong_checksum_raises(entry, tmp_path):
    entry()
    (tmp_path / "test_file.txt").write_bytes(CONTENT + b"corrupted")
    with pytest.raises(ChecksumError, match="sha256"):
        fetch("test_file", mirror=tmp_path, cache=tmp_path / "cache")


def test_cache_hit_is_returned_without_download(entry, tmp_path):
    entry()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "test_file.txt").write_bytes(CONTENT)
    assert fetch("test_file", cache=cache, download=False) == cache / "test_file.txt"


def test_missing_file_without_download_raises(entry, tmp_path):
    entry()
    with pytest.raises(DatasetUnavailableError, match="download=False"):
        fetch("test_file", cache=tmp_path / "cache", download=False)


def test_download_from_a_local_server_lands_in_the_cache(entry, server, tmp_path):
    served, base = server
    (served / "file.txt").write_bytes(CONTENT)
    entry(f"{base}/file.txt")
    cache = tmp_path / "cache"
    path = fetch("test_file", cache=cache)
    assert path == cache / "test_file.txt"
    assert path.read_bytes() == CONTENT
    (served / "file.txt").unlink()  # a second fetch is served from the cache
    assert fetch("test_file", cache=cache) == path


def test_download_of_wrong_bytes_raises_and_keeps_nothing(entry, server, tmp_path):
    served, base = server
    (served / "file.txt").write_bytes(b"not the registered file")
    entry(f"{base}/file.txt")
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="not kept"):
        fetch("test_file", cache=cache)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_unreachable_url_raises_with_advice_and_keeps_nothing(entry, tmp_path):
    entry(f"http://127.0.0.1:{closed_port()}/file.txt")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetUnavailableError, match="LATENTBIO_DATA_MIRROR"):
        fetch("test_file", cache=cache)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_http_404_raises_dataset_unavailable(entry, server, tmp_path):
    _, base = server
    entry(f"{base}/no_such_file.txt")
    with pytest.raises(DatasetUnavailableError, match="the server answered 404"):
        fetch("test_file", cache=tmp_path / "cache")


def test_unreachable_url_says_offline(entry, tmp_path):
    entry(f"http://127.0.0.1:{closed_port()}/file.txt")
    with pytest.raises(DatasetUnavailableError, match="could not reach 127.0.0.1.*offline"):
        fetch("test_file", cache=tmp_path / "cache")


def corrupted_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "test_file.txt").write_bytes(CONTENT[:100])  # a partial file from an interrupted copy
    return cache


def test_corrupted_cache_file_without_download_is_removed_and_reported(entry, tmp_path):
    entry()
    cache = corrupted_cache(tmp_path)
    with pytest.raises(ChecksumError, match="does not have the registered sha256.*has been removed.*download=True"):
        fetch("test_file", cache=cache, download=False)
    assert list(cache.iterdir()) == []
    with pytest.raises(DatasetUnavailableError, match="not in the mirror"):  # now it is simply missing
        fetch("test_file", cache=cache, download=False)


def test_corrupted_cache_file_is_replaced_by_a_fresh_download(entry, server, tmp_path):
    served, base = server
    (served / "file.txt").write_bytes(CONTENT)
    entry(f"{base}/file.txt")
    cache = corrupted_cache(tmp_path)
    with pytest.warns(UserWarning, match="removed and is downloaded again"):
        path = fetch("test_file", cache=cache)
    assert path.read_bytes() == CONTENT and list(cache.iterdir()) == [path]


def test_corrupted_cache_file_that_cannot_be_removed(entry, tmp_path, monkeypatch):
    entry()
    cache = corrupted_cache(tmp_path)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(cache), "unlink", refuse)
    with pytest.raises(ChecksumError, match="could not be removed .*Permission denied.*delete it yourself"):
        fetch("test_file", cache=cache, download=False)


def test_read_only_cache_says_permission_not_offline(entry, tmp_path, monkeypatch):
    entry("https://example.org/file.txt")

    def read_only(*args, **kwargs):  # what pooch raises when it cannot create its temporary file
        raise PermissionError(13, "Permission denied", str(tmp_path / "cache"))

    monkeypatch.setattr(datasets.pooch, "retrieve", read_only)
    with pytest.raises(CachePermissionError, match="cannot write test_file.txt in the cache folder.*Permission "
                                                   "denied.*LATENTBIO_DATA_CACHE") as caught:
        fetch("test_file", cache=tmp_path / "cache")
    assert "offline" not in str(caught.value)


def test_cache_folder_that_cannot_be_created(entry, tmp_path, monkeypatch):
    entry("https://example.org/file.txt")

    def refuse(self, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(type(tmp_path), "mkdir", refuse)
    with pytest.raises(CachePermissionError, match="cannot create the folder.*Read-only file system"):
        fetch("test_file", cache=tmp_path / "cache")


class TruncatingHandler(QuietHandler):
    """Promises the whole file but sends only its first half, then closes the connection."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(CONTENT)))
        self.end_headers()
        self.wfile.write(CONTENT[: len(CONTENT) // 2])
        self.close_connection = True


def test_interrupted_download_leaves_no_partial_file(entry, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), TruncatingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        entry(f"http://127.0.0.1:{httpd.server_address[1]}/file.txt")
        cache = tmp_path / "cache"
        with pytest.raises(DatasetUnavailableError, match="broke off before the end.*nothing was kept"):
            fetch("test_file", cache=cache)
        assert list(cache.iterdir()) == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_unknown_name_raises_value_error_listing_the_known_ones():
    with pytest.raises(ValueError, match="registered datasets"):
        fetch("no_such_dataset")


def test_register_rejects_a_bad_checksum_and_a_conflicting_entry(entry):
    registered = entry()
    with pytest.raises(ValueError, match="64 hexadecimal"):
        datasets.register(RemoteFile("short_hash", "f", "u", "abc", None, "", "", ""))
    conflicting = RemoteFile(registered.name, "other.txt", registered.url, registered.sha256, None, "", "", "")
    with pytest.raises(ValueError, match="already registered"):
        datasets.register(conflicting)
    assert datasets.register(registered) is registered


def test_the_registered_datasets_have_well_formed_entries():
    for registered in datasets.REGISTRY.values():
        assert registered.url.startswith("https://"), registered.name
        assert len(registered.sha256) == 64 and int(registered.sha256, 16) >= 0, registered.name
