"""Datasets of the course: procedural images, simulated counts and the registry of real data."""

from . import datasets
from .kang2018 import load_kang2018
from .scenes import Scenes, make_scenes, render_scene

__all__ = ["datasets", "load_kang2018", "Scenes", "make_scenes", "render_scene"]
