"""The one standard of evidence: intervals, the rule, claims and their display for the ledger."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from latentbio.experiments.evidence import (MIME_TYPE, Claim, ClaimError, claim, compare, compare_to, interval,
                                            t_threshold)


def test_interval_is_students_t_on_the_differences():
    values = np.array([0.10, 0.12, 0.08, 0.15, 0.11])
    evidence = interval(values)
    se = values.std(ddof=1) / math.sqrt(5)
    assert evidence.n == 5 and evidence.mean == pytest.approx(values.mean())
    assert evidence.standard_error == pytest.approx(se)
    assert evidence.low == pytest.approx(values.mean() - stats.t.ppf(0.975, 4) * se)
    assert evidence.p == pytest.approx(stats.ttest_1samp(values, 0).pvalue)
    assert evidence.wins == 5 and evidence.verdict == "holds"


def test_the_threshold_is_t_not_two_standard_errors():
    assert t_threshold(3) == pytest.approx(4.303, abs=1e-3)
    assert t_threshold(7) == pytest.approx(2.447, abs=1e-3)
    # 3 seeds at 3.5 standard errors: beyond 2 SE, but not shown under the course's rule
    differences = np.array([1.0, 2.0, 3.0])
    scale = 3.5 * differences.std(ddof=1) / math.sqrt(3) / differences.mean()
    assert compare(differences * scale, np.zeros(3)).verdict == "not shown"


def test_verdicts_in_both_directions_and_too_few_cases():
    assert compare([0.5, 0.6, 0.55], [0.3, 0.32, 0.31]).verdict == "holds"
    assert compare([0.3, 0.32, 0.31], [0.5, 0.6, 0.55]).verdict == "contradicted"
    assert compare([0.5, 0.3, 0.55], [0.3, 0.6, 0.31]).verdict == "not shown"
    assert compare([0.5, 0.6], [0.3, 0.32]).verdict == "not shown"  # two cases never make a claim


def test_anchor_and_identical_differences():
    assert compare_to([0.36, 0.35, 0.37], 0.2).verdict == "holds"
    assert compare_to([-0.36, -0.35, -0.37], -0.2).verdict == "contradicted"
    same = compare([1.0, 2.0, 3.0], [0.5, 1.5, 2.5])
    assert same.standard_error == 0 and same.verdict == "holds" and same.p == 0.0
    assert compare([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).verdict == "not shown"


@pytest.mark.parametrize("call, message", [
    (lambda: interval([1.0]), "at least 2"),
    (lambda: interval([1.0, float("nan"), 2.0]), "finite"),
    (lambda: compare([1.0, 2.0], [1.0, 2.0, 3.0]), "one value per case"),
    (lambda: compare_to([1.0, 2.0], float("inf")), "finite"),
])
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=2, max_size=30), st.floats(-5, 5))
def test_the_interval_contains_the_mean_and_shifts_with_the_data(values, shift):
    evidence, shifted = interval(values), interval(np.asarray(values) + shift)
    assert evidence.low <= evidence.mean <= evidence.high
    assert shifted.mean == pytest.approx(evidence.mean + shift, abs=1e-6)
    assert shifted.high - shifted.low == pytest.approx(evidence.high - evidence.low, abs=1e-6)


def test_a_claim_that_differs_from_the_prose_stops_with_the_numbers(capsys):
    evidence = compare([0.5, 0.3, 0.55], [0.3, 0.6, 0.31])
    with pytest.raises(ClaimError, match=r"not shown: .*95 % CI"):
        claim(3, "stage2_vs_baseline", "stage 2 beats the baseline", evidence)
    claim(3, "stage2_vs_baseline", "stage 2 beats the baseline", evidence, expected="not shown")
    assert "[not shown] stage 2 beats the baseline" in capsys.readouterr().out  # printed outside a notebook


def test_a_claim_carries_its_numbers_for_the_ledger():
    made = Claim(5, "lord_vs_vae", "LORD beats the VAE", compare([0.5, 0.6, 0.55], [0.3, 0.32, 0.31]))
    bundle, metadata = made._repr_mimebundle_()
    assert metadata[MIME_TYPE]["verdict"] == "holds" and metadata[MIME_TYPE]["n"] == 3
    assert 'id="claim-ch5-lord-vs-vae"' in bundle["text/html"] and MIME_TYPE not in bundle


@pytest.mark.parametrize("arguments, error", [
    ((0, "key", "s"), ValueError), ((3, "Bad Key", "s"), ValueError),
])
def test_claim_arguments_are_checked(arguments, error):
    with pytest.raises(error):
        claim(*arguments, compare([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="expected"):
        claim(3, "key", "s", compare([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]), expected="maybe")
    with pytest.raises(TypeError, match="evidence"):
        claim(3, "key", "s", 0.5)
