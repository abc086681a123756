"""latentbio: models, datasets, metrics and plots for the course "Latent representations in biology"."""

from importlib.metadata import PackageNotFoundError, version

from .device import configure, get_device
from .seed import seed_everything

try:
    __version__ = version("latentbio")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["configure", "get_device", "seed_everything", "__version__"]
