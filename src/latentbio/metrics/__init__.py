"""Metrics of the course, each a short documented function tested on representations whose answer is known."""

from ..checks import check_codes_and_labels
from .clustering import cluster_codes, clustering_ari, silhouette
from .disentanglement import discretize, factor_entropies, mutual_information_gap, mutual_information_matrix
from .expression import mean_expression_r2, mean_response_r2, top_differential_genes
from .higgins import higgins_score
from .hsic import dhsic, latent_dhsic, rbf_gram
from .leakage import class_leakage, factor_r2
from .mixing import group_silhouette_mixing, knn_group_entropy
from .transport import group_transport_distance, sample_wasserstein

__all__ = ["discretize", "factor_entropies", "mutual_information_gap", "mutual_information_matrix", "check_codes_and_labels",
           "cluster_codes", "clustering_ari", "silhouette", "group_silhouette_mixing", "knn_group_entropy",
           "class_leakage", "factor_r2", "group_transport_distance", "sample_wasserstein", "mean_expression_r2", "mean_response_r2",
           "top_differential_genes", "higgins_score", "dhsic", "latent_dhsic", "rbf_gram"]
