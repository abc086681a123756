"""Datasets of the course: procedural images, simulated counts and the registry of real data."""

from . import datasets
from .digits import ImageSplit, load_digits, split_images
from .group_sampler import BalancedGroupSampler
from .haber2017 import read_haber2017_regions
from .kang2018 import load_kang2018
from .mnist import load_mnist, read_mnist_npz
from .preprocess import select_highly_variable_genes
from .scenes import Scenes, make_scenes, render_scene
from .shapes import Shapes, make_shapes, render_shape, render_shapes
from .simulate import simulate_counts

__all__ = ["datasets", "ImageSplit", "load_digits", "split_images", "load_mnist", "read_mnist_npz", "load_kang2018", "read_haber2017_regions", "BalancedGroupSampler", "select_highly_variable_genes", "Scenes", "make_scenes", "render_scene", "simulate_counts",
           "Shapes", "make_shapes", "render_shape", "render_shapes"]
