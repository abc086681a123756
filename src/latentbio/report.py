"""Recording a chapter's key numbers so that other pages of the book can quote them."""

import math
import re

import numpy as np
import torch

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _plain(value, name: str):
    """``value`` as a plain Python bool, int, float or str, so the book shows ``0.5`` and not
    ``np.float64(0.5)``; ``TypeError`` for anything else, ``ValueError`` for NaN or infinity."""
    if torch.is_tensor(value) or isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise TypeError(f"record {name!r}: give one number or a short string, not an array of shape "
                            f"{tuple(value.shape)}")
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (bool, int, float, str)):
        raise TypeError(f"record {name!r}: give a number or a string, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"record {name!r}: the value is {value}; a page would quote it as a result. "
                         "Find out why it is not finite first")
    return value


def record(name: str, value):
    """Store ``value`` under ``name`` with myst-nb's ``glue`` (without displaying it) and return it
    as a plain Python value (NumPy and torch scalars are converted, so the book shows ``0.5``).

    The summary chapter quotes recorded numbers with ``{glue:text}`` instead of typing
    them, so the book always shows what the notebooks computed. ``name`` is an identifier
    (letters, digits, underscores); ``value`` one finite number, a bool or a string.
    Outside the book (no myst-nb installed, e.g. on Colab) this only returns the value.
    """
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(f"record: the name must be an identifier such as 'ch1_mig_pca'; got {name!r}")
    value = _plain(value, name)
    try:
        from myst_nb import glue
    except ImportError:
        return value
    glue(name, value, display=False)
    return value
