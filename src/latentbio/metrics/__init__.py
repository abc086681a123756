"""Metrics of the course, each a short documented function tested on representations whose answer is known.

Arrays in, numbers out; every input check comes from :mod:`latentbio.checks`.
"""

from .clustering import cluster_codes, clustering_ari, silhouette
from .disentanglement import (anchor_codes, code_information, discretize, factor_entropies,
                              mutual_information_gap, mutual_information_matrix)
from .expression import mean_expression_r2, mean_response_r2, top_differential_genes
from .higgins import higgins_score, higgins_votes
from .hsic import dhsic, dhsic_from_grams, latent_dhsic, median_bandwidth, rbf_gram
from .leakage import class_leakage, factor_r2
from .mixing import knn_group_entropy
from .transport import group_transport_distance, sample_wasserstein

__all__ = ["anchor_codes", "code_information", "discretize", "factor_entropies", "mutual_information_gap", "mutual_information_matrix",
           "cluster_codes", "clustering_ari", "silhouette", "knn_group_entropy",
           "class_leakage", "factor_r2", "group_transport_distance", "sample_wasserstein", "mean_expression_r2",
           "mean_response_r2", "top_differential_genes", "higgins_score", "higgins_votes", "dhsic",
           "dhsic_from_grams", "latent_dhsic", "median_bandwidth", "rbf_gram"]
