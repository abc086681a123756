"""Metrics of the course, each a short documented function tested on representations whose answer is known."""

from .disentanglement import discretize, mutual_information_gap, mutual_information_matrix

__all__ = ["discretize", "mutual_information_gap", "mutual_information_matrix"]
