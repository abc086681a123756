"""How well a representation separates known cell labels: silhouette width and the adjusted
Rand index (ARI) of an unsupervised clustering against the truth.

Both take codes (one row per cell, e.g. PCA or a VAE's posterior means) and labels in,
and return one number, so that any two representations can be compared on equal terms.
"""

from __future__ import annotations

import anndata as ad
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.neighbors import kneighbors_graph

from ..checks import check_codes_and_labels




def silhouette(codes, labels, *, sample_size: int | None = None, random_state: int = 0) -> float:
    """Mean silhouette width of ``labels`` in ``codes`` (Euclidean), in [-1, 1].

    For each cell, (b - a) / max(a, b) with a its mean distance to its own label and b to
    the nearest other label (Rousseeuw 1987); 1 = compact, well separated labels, about
    0 = overlapping labels. ``sample_size`` evaluates a random subset (faster on many cells).
    """
    codes, labels = check_codes_and_labels(codes, labels)
    return float(silhouette_score(codes, labels, sample_size=sample_size, random_state=random_state))


def cluster_codes(codes, *, method: str = "kmeans", n_clusters: int | None = None, resolution: float = 1.0,
                  n_neighbors: int = 15, random_state: int = 0) -> np.ndarray:
    """Cluster cells by their codes; returns integer cluster labels.

    ``method="kmeans"`` needs ``n_clusters``; ``method="leiden"`` runs scanpy's Leiden
    community detection (Traag et al. 2019), the standard single-cell clustering, at
    ``resolution`` on the symmetric ``n_neighbors``-nearest-neighbour graph of the codes
    (a plain kNN graph from scikit-learn, not scanpy's UMAP-weighted one, which would
    cost a numba compilation).
    """
    codes = np.asarray(codes, dtype=float)
    if codes.ndim != 2 or not np.isfinite(codes).all():
        raise ValueError(f"codes must be a finite 2-D array (cells x dimensions); got shape {codes.shape}")
    if method == "kmeans":
        if n_clusters is None or n_clusters < 1:
            raise ValueError("k-means clustering needs n_clusters >= 1")
        return KMeans(n_clusters, n_init=10, random_state=random_state).fit_predict(codes)
    if method == "leiden":
        import scanpy as sc

        graph = kneighbors_graph(codes, n_neighbors=n_neighbors, include_self=False)
        graph = graph.maximum(graph.T)  # a symmetric, unweighted kNN graph
        cells = ad.AnnData(obs={"cell": np.arange(len(codes)).astype(str)})
        sc.tl.leiden(cells, adjacency=graph, resolution=resolution, flavor="igraph", n_iterations=2,
                     directed=False, random_state=random_state)
        return cells.obs["leiden"].astype(int).to_numpy()
    raise ValueError(f"method must be 'kmeans' or 'leiden', got {method!r}")


def clustering_ari(codes, labels, *, method: str = "kmeans", n_clusters: int | None = None,
                   random_state: int = 0, **cluster_options) -> float:
    """Adjusted Rand index between a clustering of ``codes`` and the true ``labels``.

    ARI = 1 for identical partitions, about 0 for a clustering unrelated to the labels
    (Hubert & Arabie 1985). k-means uses as many clusters as there are labels unless
    ``n_clusters`` is given; ``method="leiden"`` chooses its own number of clusters.
    """
    codes, labels = check_codes_and_labels(codes, labels)
    if method == "kmeans" and n_clusters is None:
        n_clusters = len(np.unique(labels))
    clusters = cluster_codes(codes, method=method, n_clusters=n_clusters, random_state=random_state,
                             **cluster_options)
    return float(adjusted_rand_score(labels, clusters))
