"""Where and how tensors compute: a GPU when one is present, else the CPU with a set number of threads."""

import os

import torch

# Measured with scripts/bench/threads.py on the course's 2-core machine (see that script):
# one thread was fastest for every network of the course, alone and beside a second busy process.
DEFAULT_THREADS = 1
_configured_threads: int | None = None  # set by configure()


def get_device(prefer: str | None = None) -> torch.device:
    """Return the device to train on.

    ``prefer`` can force ``"cpu"`` or ``"cuda"``; by default CUDA is used when
    ``torch.cuda.is_available()`` and the CPU otherwise, so the same notebook runs
    unchanged on a laptop, on Binder and on a Colab GPU.
    """
    if prefer is not None:
        if prefer not in ("cpu", "cuda"):
            raise ValueError(f"prefer must be 'cpu', 'cuda' or None, got {prefer!r}")
        if prefer == "cuda" and not torch.cuda.is_available():
            raise ValueError("prefer='cuda' but torch sees no CUDA device")
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def configure(threads: int | None = None) -> int:
    """The course's one thread policy: set how many CPU threads torch uses, and return it.

    ``threads`` if given, else the environment variable ``LATENTBIO_THREADS``, else
    ``DEFAULT_THREADS`` (the measured fastest setting for the course's small networks).
    Every chapter calls it once in its setup cell, before training anything.
    """
    if threads is None:
        setting = os.environ.get("LATENTBIO_THREADS", "").strip()
        if setting and not setting.isdigit():
            raise ValueError(f"LATENTBIO_THREADS must be a positive integer, got {setting!r}")
        threads = int(setting) if setting else DEFAULT_THREADS
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    global _configured_threads
    _configured_threads = threads
    torch.set_num_threads(threads)
    return threads


def reapply_thread_policy() -> None:
    """Set torch back to the thread count chosen by :func:`configure`, if it was called.

    Other libraries change torch's thread count behind the chapter's back (scanpy's
    ``sc.pp.neighbors`` leaves it at the number of cores), so every training run calls this first.
    """
    if _configured_threads is not None and torch.get_num_threads() != _configured_threads:
        torch.set_num_threads(_configured_threads)
