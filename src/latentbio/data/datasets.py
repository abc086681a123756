"""The registry of real datasets: where each comes from, how to check it, where it is kept.

Each entry names a public URL and the file's sha256. :func:`fetch` looks for the file

1. in a mirror folder (argument ``mirror`` or the variable ``LATENTBIO_DATA_MIRROR``),
   which is how CI and offline classrooms provide files;
2. in the cache folder (argument ``cache`` or ``LATENTBIO_DATA_CACHE``; by default the
   ``data/`` folder of a source checkout, else the user cache of ``pooch``);
3. at the public URL, downloaded with ``pooch`` into the cache.

Every file is checked against its sha256. A failed or corrupted download raises an
error that says what went wrong and how to fix it, and leaves no partial file behind.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pooch


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


class ChecksumError(ValueError):
    """A file's sha256 is not the registered one (a corrupted or different file)."""


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


def fetch(name: str, *, mirror: str | Path | None = None, cache: str | Path | None = None,
          download: bool = True) -> Path:
    """Return the local path of the registered file ``name``, verified by its sha256.

    Looks in the mirror folder, then the cache, then (if ``download``) fetches the
    public URL into the cache. Raises :class:`ChecksumError` for a file whose checksum
    does not match and :class:`DatasetUnavailableError` when the file cannot be had.
    """
    entry = lookup(name)
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
    if cached.is_file() and sha256_of(cached) == entry.sha256:
        return cached
    if not download:
        raise DatasetUnavailableError(
            f"{entry.filename} ({name}) is not in the mirror ({mirror or 'LATENTBIO_DATA_MIRROR not set'}) "
            f"nor in the cache ({cache}), and download=False.")
    try:
        path = pooch.retrieve(entry.url, known_hash=f"sha256:{entry.sha256}", fname=entry.filename,
                              path=cache, progressbar=False)
    except ValueError as error:  # pooch's checksum mismatch; it has deleted the download
        raise ChecksumError(
            f"the file downloaded from {entry.url} does not match the registered sha256 of {name}; "
            f"it was not kept. The server may serve a different version: report it. ({error})") from error
    except Exception as error:  # network errors: no connection, HTTP 404, time-out ...
        raise DatasetUnavailableError(
            f"could not download {name} from {entry.url} ({type(error).__name__}: {error}). "
            f"If you are offline, copy {entry.filename} into a folder and set LATENTBIO_DATA_MIRROR "
            f"to it, or place it in {cache}.") from error
    return Path(path)
