import numpy as np
import pytest

from latentbio.metrics import class_leakage, factor_r2


def test_codes_that_hold_the_class_leak_and_noise_does_not():
    rng = np.random.default_rng(0)
    classes = np.repeat(np.arange(4), 150)
    leaky = np.eye(4)[classes] * 3 + rng.normal(size=(600, 4)) * 0.3
    clean = rng.normal(size=(600, 4))
    leaky_score, clean_score = class_leakage(leaky, classes), class_leakage(clean, classes)
    assert leaky_score["chance"] == pytest.approx(0.25, abs=0.01)
    assert leaky_score["accuracy"] > 0.95
    assert abs(clean_score["accuracy"] - clean_score["chance"]) < 0.1


def test_chance_is_the_most_frequent_class():
    rng = np.random.default_rng(1)
    classes = np.array([0] * 300 + [1] * 100)
    score = class_leakage(rng.normal(size=(400, 3)), classes)
    assert score["chance"] == pytest.approx(0.75, abs=0.01)


def test_non_linear_leakage_is_found():
    rng = np.random.default_rng(2)
    codes = rng.normal(size=(800, 2))
    classes = (np.hypot(*codes.T) > 1.18).astype(int)  # a ring: no linear boundary separates it
    assert class_leakage(codes, classes)["accuracy"] > 0.85


def test_r2_is_one_for_determined_factors_and_zero_for_unrelated():
    rng = np.random.default_rng(3)
    factors = rng.uniform(-1, 1, size=(600, 2))
    codes = np.column_stack([np.tanh(1.5 * factors[:, 0]), rng.normal(size=600)])
    r2 = factor_r2(codes, factors)
    assert r2.shape == (2,)
    assert r2[0] > 0.95 and abs(r2[1]) < 0.1


def test_constant_codes_predict_nothing():
    factors = np.random.default_rng(4).normal(size=(300, 1))
    assert factor_r2(np.ones((300, 3)), factors)[0] < 0.05


def test_same_seed_same_score():
    rng = np.random.default_rng(5)
    codes, classes = rng.normal(size=(200, 3)), rng.integers(0, 3, 200)
    assert class_leakage(codes, classes) == class_leakage(codes, classes)


@pytest.mark.parametrize("call, message", [
    (lambda: class_leakage(np.zeros((20, 2)), np.zeros(19)), "19 labels for 20 samples"),
    (lambda: class_leakage(np.zeros((20, 2)), np.zeros(20)), "two different labels"),
    (lambda: class_leakage(np.zeros((5, 2)), np.arange(5) % 2), "at least 10"),
    (lambda: class_leakage(np.full((20, 2), np.nan), np.arange(20) % 2), "NaN"),
    (lambda: factor_r2(np.zeros((20, 2)), np.full((20, 1), np.inf)), "NaN or infinite"),
    (lambda: factor_r2(np.zeros(20), np.zeros((20, 1))), "2-D"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
