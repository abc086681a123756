"""Silhouette and clustering ARI give their known answers on separated and on random labels."""

import numpy as np
import pytest

from latentbio.metrics.clustering import cluster_codes, clustering_ari, silhouette


def blobs(n_per=100, centres=((0, 0), (10, 0), (0, 10)), spread=0.5, seed=0):
    rng = np.random.default_rng(seed)
    codes = np.concatenate([rng.normal(c, spread, size=(n_per, 2)) for c in centres])
    labels = np.repeat([f"type_{i}" for i in range(len(centres))], n_per)
    return codes, labels


def test_silhouette_known_answers():
    codes, labels = blobs()
    assert silhouette(codes, labels) > 0.9
    shuffled = np.random.default_rng(1).permutation(labels)
    assert abs(silhouette(codes, shuffled)) < 0.05
    # two points per label on a line: a = 1, b = 9.5 and 10.5 -> known value
    line = np.array([[0.0], [1.0], [10.0], [11.0]])
    expected = np.mean([(10.5 - 1) / 10.5, (9.5 - 1) / 9.5, (9.5 - 1) / 9.5, (10.5 - 1) / 10.5])
    assert silhouette(line, ["a", "a", "b", "b"]) == pytest.approx(expected)


@pytest.mark.parametrize("method", ["kmeans", "leiden"])
def test_clustering_ari_recovers_separated_labels_and_is_near_zero_for_random_ones(method):
    codes, labels = blobs()
    options = {"resolution": 0.3} if method == "leiden" else {}
    assert clustering_ari(codes, labels, method=method, **options) > 0.99
    random_labels = np.random.default_rng(2).integers(0, 3, size=len(labels))
    assert abs(clustering_ari(codes, random_labels, method=method, **options)) < 0.05


def test_cluster_codes_is_seeded():
    codes, _ = blobs(spread=3.0)
    np.testing.assert_array_equal(cluster_codes(codes, n_clusters=3), cluster_codes(codes, n_clusters=3))


@pytest.mark.parametrize("codes, labels, message", [
    (np.zeros((4, 2)), ["a", "b", "a"], "3 labels for 4 samples; give one label per sample"),
    (np.full((4, 2), np.nan), ["a", "b", "a", "b"], "NaN"),
    (np.zeros((4, 2)), ["a", "a", "a", "a"], "distinct labels"),
    (np.zeros(4), ["a", "b", "a", "b"], "2-D"),
    (np.zeros((3, 2)), np.array([1.0, np.nan, 2.0]), "missing"),
])
def test_bad_inputs_raise(codes, labels, message):
    with pytest.raises(ValueError, match=message):
        silhouette(codes, labels)


def test_unknown_method_raises():
    with pytest.raises(ValueError, match="kmeans"):
        cluster_codes(np.zeros((5, 2)), method="louvain")
    with pytest.raises(ValueError, match="n_clusters"):
        cluster_codes(np.zeros((5, 2)), method="kmeans")
