"""Recorded numbers reach the book as plain values, and bad ones are refused with a clear message."""

import numpy as np
import pytest
import torch

from latentbio.report import record


@pytest.mark.parametrize("value, expected", [
    (np.float64(0.25), 0.25), (np.bool_(True), True), (np.int64(3), 3), (torch.tensor(0.5), 0.5),
    (np.array(2.0), 2.0), ("ISG15", "ISG15"), (7, 7),
])
def test_record_returns_plain_python_values(value, expected):
    recorded = record("ch0_test_value", value)
    assert recorded == expected and type(recorded) is type(expected)


@pytest.mark.parametrize("name, value, error, message", [
    ("ch0 value", 1.0, ValueError, "identifier"),
    (3, 1.0, ValueError, "identifier"),
    ("ch0_value", np.array([1.0, 2.0]), TypeError, "not an array of shape"),
    ("ch0_value", [1.0], TypeError, "a number or a string, not list"),
    ("ch0_value", float("nan"), ValueError, "not finite"),
    ("ch0_value", np.float32(np.inf), ValueError, "not finite"),
])
def test_record_refuses_what_a_page_cannot_quote(name, value, error, message):
    with pytest.raises(error, match=message):
        record(name, value)
