"""When to show progress bars: for a person watching, never in recorded output."""

import os
import sys


def progress_enabled() -> bool:
    """Return whether training loops should draw a progress bar.

    ``LATENTBIO_PROGRESS=1`` or ``0`` decides outright (the Makefile sets ``0`` so that
    executed notebooks, the book and the tests record no bars and no timings).
    Otherwise bars are shown inside Jupyter (a person is watching) and on a terminal,
    and hidden when output goes to a file or a pipe.
    """
    setting = os.environ.get("LATENTBIO_PROGRESS", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    if setting:
        raise ValueError(f"LATENTBIO_PROGRESS must be '0' or '1', got {setting!r}")
    if "ipykernel" in sys.modules:
        return True
    return sys.stderr.isatty()
