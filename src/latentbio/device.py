"""Where tensors live: a GPU when one is present, else the CPU."""

import torch


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
