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

from ..checks import check_choice, check_codes, check_codes_and_labels, check_integer, check_number


def silhouette(codes, labels, *, sample_size: int | None = None, random_state: int = 0) -> float:
    """Mean silhouette width of ``labels`` in ``codes`` (Euclidean), a float in [-1, 1].

    For each cell, (b - a) / max(a, b) with a its mean distance to its own label and b to
    the nearest other label, averaged over cells (Rousseeuw 1987); 1 = compact,
    well separated labels, about 0 = overlapping labels. Labels may be integers, strings or
    categories; there must be at least 2 and fewer than the number of cells. ``sample_size``
    evaluates a random subset of that many cells (faster on many cells; the same subset as
    scikit-learn's ``silhouette_score(..., sample_size, random_state)``).
    """
    codes, labels = check_codes_and_labels(codes, labels)
    if sample_size is not None:
        sample_size = check_integer(sample_size, "sample_size", minimum=2)
        if sample_size < len(codes):
            subset = np.random.RandomState(random_state).permutation(len(codes))[:sample_size]
            codes, labels = codes[subset], np.unique(labels[subset], return_inverse=True)[1].ravel()
    n_labels = labels.max() + 1
    if not 2 <= n_labels < len(codes):
        raise ValueError(f"the silhouette needs between 2 and n_cells - 1 = {len(codes) - 1} distinct labels; "
                         f"got {n_labels}" + (" in the sample: use a larger sample_size" if sample_size else ""))
    return float(silhouette_score(codes, labels))


def cluster_codes(codes, *, method: str = "kmeans", n_clusters: int | None = None, resolution: float = 1.0,
                  n_neighbors: int = 15, random_state: int = 0) -> np.ndarray:
    """Cluster cells by their codes; returns integer cluster labels, one per cell.

    ``method="kmeans"`` needs ``n_clusters`` (between 1 and the number of cells);
    ``method="leiden"`` runs scanpy's Leiden community detection (Traag et al. 2019), the
    standard single-cell clustering, at ``resolution`` on the symmetric
    ``n_neighbors``-nearest-neighbour graph of the codes (a plain kNN graph from scikit-learn,
    not scanpy's UMAP-weighted one, which would cost a numba compilation).
    """
    codes = check_codes(codes)
    check_choice(method, "method", ("kmeans", "leiden"))
    if method == "kmeans":
        if n_clusters is None:
            raise ValueError("k-means clustering needs n_clusters (the number of clusters to find)")
        n_clusters = check_integer(n_clusters, "n_clusters", minimum=1, maximum=len(codes))
        return KMeans(n_clusters, n_init=10, random_state=random_state).fit_predict(codes)
    import scanpy as sc

    n_neighbors = check_integer(n_neighbors, "n_neighbors", minimum=1, maximum=len(codes) - 1)
    resolution = check_number(resolution, "resolution", minimum=0.0, exclusive=True)
    graph = kneighbors_graph(codes, n_neighbors=n_neighbors, include_self=False)
    graph = graph.maximum(graph.T)  # a symmetric, unweighted kNN graph
    cells = ad.AnnData(obs={"cell": np.arange(len(codes)).astype(str)})
    sc.tl.leiden(cells, adjacency=graph, resolution=resolution, flavor="igraph", n_iterations=2,
                 directed=False, random_state=random_state)
    return cells.obs["leiden"].astype(int).to_numpy()


def clustering_ari(codes, labels, *, method: str = "kmeans", n_clusters: int | None = None,
                   random_state: int = 0, **cluster_options) -> float:
    """Adjusted Rand index between a clustering of ``codes`` (:func:`cluster_codes`) and the
    true ``labels`` (any label type), a float.

    ARI = 1 for identical partitions, about 0 for a clustering unrelated to the labels
    (Hubert & Arabie 1985). k-means uses as many clusters as there are labels unless
    ``n_clusters`` is given; ``method="leiden"`` chooses its own number of clusters.
    """
    codes, labels = check_codes_and_labels(codes, labels)
    if method == "kmeans" and n_clusters is None:
        n_clusters = int(labels.max()) + 1
    clusters = cluster_codes(codes, method=method, n_clusters=n_clusters, random_state=random_state,
                             **cluster_options)
    return float(adjusted_rand_score(labels, clusters))
