"""Reproducibility: one call seeds every random number generator the course uses."""

import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA).

    Call it once at the top of a notebook: with the same seed, the same machine
    gives the same numbers on every run. It also sets ``PYTHONHASHSEED`` for any
    subprocess the notebook starts.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.backends.cudnn.is_available():
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
