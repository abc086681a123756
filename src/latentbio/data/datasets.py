"""The registry of real datasets: where each comes from, how to check it, where it is kept.

Each entry names a public URL and the file's sha256. :func:`fetch` looks for the file

1. in a mirror folder (argument ``mirror`` or the variable ``LATENTBIO_DATA_MIRROR``),
   which is how CI and offline classrooms provide files;
2. in the cache folder (argument ``cache`` or ``LATENTBIO_DATA_CACHE``; by default the
   ``data/`` folder of a source checkout, else the user cache of ``pooch``);
3. at the public URL, downloaded with ``pooch`` into the cache.

Every file is checked against its sha256. Each failure raises an error that says what
actually happened and how to fix it, and leaves no partial file behind:

- :class:`ChecksumError`: a file does not have the registered sha256. A bad file in the
  cache is removed (and downloaded again if ``download`` allows); a bad mirror file is left
  alone (the mirror belongs to whoever filled it) and reported.
- :class:`CachePermissionError`: the cache folder or file cannot be created, read or written.
- :class:`DatasetUnavailableError`: the file is in neither place and ``download=False``,
  or the URL cannot be reached (offline, time-out) or answers with an HTTP error.
"""

from __future__ import annotations

import errno
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pooch
import requests

from ..checks import check_flag


@dataclass(frozen=True)
class RemoteFile:
    """One file of a public dataset, with what a reader needs to trust and cite it."""

    name: str
    filename: str
    url: str
    sha256: str
    size_bytes: int | None
    citation: str
    licence: str
    description: str


class DatasetUnavailableError(RuntimeError):
    """The file is in no mirror or cache and could not be downloaded."""


class CachePermissionError(DatasetUnavailableError, PermissionError):
    """The cache folder or a file in it cannot be created, read or written."""


class ChecksumError(ValueError):
    """A file's sha256 is not the registered one (a corrupted, partial or different file)."""


REGISTRY: dict[str, RemoteFile] = {}


def register(entry: RemoteFile) -> RemoteFile:
    """Add ``entry`` to the registry (a name can be registered only once) and return it."""
    if entry.name in REGISTRY and REGISTRY[entry.name] != entry:
        raise ValueError(f"a different dataset is already registered as {entry.name!r}")
    if len(entry.sha256) != 64:
        raise ValueError(f"{entry.name}: sha256 must be 64 hexadecimal characters")
    REGISTRY[entry.name] = entry
    return entry


def sha256_of(path: str | Path) -> str:
    """The sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache() -> Path:
    """The cache folder: ``LATENTBIO_DATA_CACHE``, else ``data/`` of a source checkout, else pooch's user cache."""
    if os.environ.get("LATENTBIO_DATA_CACHE"):
        return Path(os.environ["LATENTBIO_DATA_CACHE"])
    checkout_data = Path(__file__).resolve().parents[3] / "data"
    if (checkout_data / "README.md").is_file():
        return checkout_data
    return Path(pooch.os_cache("latentbio"))


def lookup(name: str) -> RemoteFile:
    """The registry entry called ``name``; a ``ValueError`` lists the known names otherwise."""
    if name not in REGISTRY:
        raise ValueError(f"unknown dataset {name!r}; registered datasets: {sorted(REGISTRY)}")
    return REGISTRY[name]


def _permission_advice(cache: Path, action: str, error: OSError) -> CachePermissionError:
    return CachePermissionError(
        f"cannot {action} in the cache folder {cache} ({error.strerror or error}). Set LATENTBIO_DATA_CACHE "
        "to a folder you can write to (or pass cache=...), or ask whoever owns the folder.")


def _is_permission_error(error: BaseException) -> bool:
    return isinstance(error, PermissionError) or (isinstance(error, OSError) and error.errno in (errno.EACCES,
                                                                                              errno.EPERM, errno.EROFS))


def _matches(path: Path, entry: RemoteFile, cache: Path) -> bool:
    try:
        return sha256_of(path) == entry.sha256
    except OSError as error:
        if _is_permission_error(error):
            raise _permission_advice(cache, f"read {path.name}", error) from error
        raise


def _download(entry: RemoteFile, cache: Path) -> Path:
    """Download ``entry`` into ``cache`` with pooch (which writes to a temporary file, checks
    the sha256 and only then moves it into place, so no partial file is left)."""
    try:
        path = pooch.retrieve(entry.url, known_hash=f"sha256:{entry.sha256}", fname=entry.filename,
                              path=cache, progressbar=False)
    except requests.exceptions.HTTPError as error:
        status = error.response.status_code if error.response is not None else "an error"
        raise DatasetUnavailableError(
            f"could not download {entry.name}: the server answered {status} for {entry.url}. The file may "
            f"have moved; report it, and meanwhile copy {entry.filename} into a folder and set "
            "LATENTBIO_DATA_MIRROR to it.") from error
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
        raise DatasetUnavailableError(
            f"could not reach {urlparse(entry.url).netloc} to download {entry.name} ({type(error).__name__}): "
            f"you may be offline. Copy {entry.filename} into a folder and set LATENTBIO_DATA_MIRROR to it, "
            f"or place it in {cache}.") from error
    except requests.exceptions.ChunkedEncodingError as error:
        raise DatasetUnavailableError(
            f"the download of {entry.name} from {entry.url} broke off before the end ({error}); nothing was "
            "kept. Try again.") from error
    except ValueError as error:  # pooch's checksum mismatch; it has deleted the download
        raise ChecksumError(
            f"the file downloaded from {entry.url} does not match the registered sha256 of {entry.name}; "
            f"it was not kept. The server may serve a different version: report it. ({error})") from error
    except OSError as error:
        if _is_permission_error(error):
            raise _permission_advice(cache, f"write {entry.filename}", error) from error
        raise DatasetUnavailableError(f"could not download {entry.name} from {entry.url} "
                                      f"({type(error).__name__}: {error})") from error
    return Path(path)


def fetch(name: str, *, mirror: str | Path | None = None, cache: str | Path | None = None,
          download: bool = True) -> Path:
    """Return the local path of the registered file ``name``, verified by its sha256.

    Looks in the mirror folder, then the cache, then (if ``download``) fetches the public URL
    into the cache. A cached file with the wrong sha256 is removed (with a warning, and
    downloaded again when ``download`` is true). Raises :class:`ChecksumError` for a file
    whose checksum does not match, :class:`CachePermissionError` when the cache cannot be
    used, and :class:`DatasetUnavailableError` when the file cannot be had.
    """
    entry = lookup(name)
    download = check_flag(download, "download")
    mirror = mirror if mirror is not None else os.environ.get("LATENTBIO_DATA_MIRROR")
    if mirror:
        candidate = Path(mirror) / entry.filename
        if candidate.is_file():
            if sha256_of(candidate) != entry.sha256:
                raise ChecksumError(
                    f"{candidate} does not have the registered sha256 of {name} ({entry.sha256}). "
                    f"Replace it with the file from {entry.url}.")
            return candidate
    cache = Path(cache) if cache is not None else default_cache()
    cached = cache / entry.filename
    if cached.is_file():
        if _matches(cached, entry, cache):
            return cached
        problem = (f"{cached} does not have the registered sha256 of {name} (a corrupted, partial or "
                   "different file)")
        try:
            cached.unlink()
        except OSError as error:
            raise ChecksumError(f"{problem}, and it could not be removed ({error.strerror or error}): delete it "
                                "yourself, then fetch again.") from error
        if not download:
            raise ChecksumError(f"{problem}; it has been removed. Fetch again with download=True, or copy a good "
                                f"copy of {entry.filename} into the cache or a mirror folder.")
        warnings.warn(f"{problem}; it has been removed and is downloaded again.", stacklevel=2)
    elif not download:
        raise DatasetUnavailableError(
            f"{entry.filename} ({name}) is not in the mirror ({mirror or 'LATENTBIO_DATA_MIRROR not set'}) "
            f"nor in the cache ({cache}), and download=False. Fetch with download=True, or copy the file from "
            f"{entry.url} into one of these folders.")
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if _is_permission_error(error):
            raise _permission_advice(cache, "create the folder", error) from error
        raise
    return _download(entry, cache)
