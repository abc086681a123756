"""One standard of evidence for every claim of the course, and the claims ledger.

A claim compares numbers measured on several *cases*: seeds of a model, or held-out cell types.
Its evidence is the difference the sentence asserts to be positive, one value per case
(paired where both sides share the case, for example the same seed or the same held-out type).
With ``n`` cases, mean difference ``m`` and standard error ``SE = sd / sqrt(n)``, the 95 %
confidence interval is ``m +- t_{0.975, n-1} * SE`` (Student's t). The course's one rule:

    a claim **holds** when n >= 3 and its 95 % interval lies above zero;
    it is **contradicted** when the interval lies below zero;
    otherwise it is **not shown**, and the chapter says so, with the interval.

This module is the only place that computes a standard error, a t threshold or an interval:
:func:`compare` (paired cases), :func:`compare_to` (cases against a fixed anchor, such as
chance or a known answer) and :func:`interval` (one quantity's mean and interval). A
:class:`Claim` ties a sentence of a chapter to its evidence; :func:`claim` checks it against
what the prose says (a claim whose verdict differs stops the chapter with the numbers) and
displays it, so that the book's claims ledger can list it (``book/ledger.ipynb``).
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import stats

LEVEL = 0.95
"""Confidence level of every interval of the course."""
MIN_CASES = 3
"""The fewest cases (seeds or held-out types) a claim may rest on."""
VERDICTS = ("holds", "not shown", "contradicted")
MIME_TYPE = "application/vnd.latentbio.claim+json"
"""The key under which a displayed claim carries its numbers (in the output's metadata) for the ledger."""
KEY = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Evidence:
    """The evidence of one difference over ``n`` cases: its mean, standard error, Student's t,
    two-sided p-value, 95 % interval (``low``, ``high``) and ``wins``, the number of cases with a
    positive difference."""

    n: int
    mean: float
    standard_error: float
    t: float
    p: float
    low: float
    high: float
    wins: int

    @property
    def verdict(self) -> str:
        """"holds" (interval above zero, n >= 3), "contradicted" (below zero) or "not shown"."""
        if self.n < MIN_CASES:
            return "not shown"
        if self.low > 0:
            return "holds"
        if self.high < 0:
            return "contradicted"
        return "not shown"

    def describe(self, digits: int = 3) -> str:
        """The evidence in words, e.g. ``+0.101 (95 % CI +0.042 to +0.160; positive in 5 of 7; n = 7)``."""
        f = f"{{:+.{digits}f}}"
        return (f"{f.format(self.mean)} (95 % CI {f.format(self.low)} to {f.format(self.high)}; "
                f"positive in {self.wins} of {self.n}; n = {self.n})")

    def __str__(self) -> str:
        return self.describe()


def t_threshold(n: int) -> float:
    """``t_{0.975, n-1}``: how many standard errors a mean difference over ``n`` cases must exceed."""
    if n < 2:
        raise ValueError(f"an interval needs at least 2 cases; got {n}")
    return float(stats.t.ppf(0.5 + LEVEL / 2, df=n - 1))


def interval(values) -> Evidence:
    """The mean of ``values`` (one per case) with its standard error and 95 % interval (Student's t)."""
    values = np.asarray(values, dtype=float).ravel()
    if values.size < 2:
        raise ValueError(f"evidence needs at least 2 cases (3 for a claim); got {values.size}")
    if not np.isfinite(values).all():
        raise ValueError(f"every case needs a finite value; got {values.tolist()}")
    n, mean = values.size, float(values.mean())
    standard_error = float(values.std(ddof=1) / math.sqrt(n))
    half_width = t_threshold(n) * standard_error
    if standard_error > 0:
        t = mean / standard_error
        p = float(2 * stats.t.sf(abs(t), df=n - 1))
    else:  # every case gave the same difference
        t, p = (math.copysign(math.inf, mean), 0.0) if mean != 0 else (0.0, 1.0)
    return Evidence(n=n, mean=mean, standard_error=standard_error, t=float(t), p=p,
                    low=mean - half_width, high=mean + half_width, wins=int((values > 0).sum()))


def compare(first, second) -> Evidence:
    """Evidence that ``first`` exceeds ``second``, paired case by case (``first[i]`` and
    ``second[i]`` measured on the same seed or held-out type): :func:`interval` of the differences."""
    first, second = np.asarray(first, dtype=float).ravel(), np.asarray(second, dtype=float).ravel()
    if first.shape != second.shape:
        raise ValueError(f"paired cases: both sides need one value per case; got {first.size} and {second.size}")
    return interval(first - second)


def compare_to(values, anchor: float) -> Evidence:
    """Evidence that ``values`` (one per case) exceed the fixed ``anchor`` (chance, a known answer).
    For "below the anchor", compare the anchor with the values: ``compare_to(-values, -anchor)``."""
    anchor = float(anchor)
    if not math.isfinite(anchor):
        raise ValueError(f"the anchor must be a finite number; got {anchor}")
    return interval(np.asarray(values, dtype=float).ravel() - anchor)


class ClaimError(AssertionError):
    """A claim's verdict differs from what the chapter's prose says."""


@dataclass(frozen=True)
class Claim:
    """A sentence of a chapter and the evidence behind it.

    ``sentence`` asserts that a difference is positive (``evidence`` is oriented that way);
    ``expected`` is what the prose says of it: "holds", or "not shown" where the prose reports the
    difference as not shown, with its interval.
    """

    chapter: int
    key: str
    sentence: str
    evidence: Evidence
    expected: str = "holds"

    @property
    def verdict(self) -> str:
        """The evidence's verdict under the course's one rule (:attr:`Evidence.verdict`)."""
        return self.evidence.verdict

    @property
    def anchor(self) -> str:
        """The HTML id of the claim in its chapter (the ledger links to it)."""
        return f"claim-ch{self.chapter}-{self.key.replace('_', '-')}"

    def check(self) -> Claim:
        """``self`` if its verdict is the expected one; otherwise :class:`ClaimError` with the numbers."""
        if self.verdict != self.expected:
            raise ClaimError(f"claim ch{self.chapter}.{self.key}: the prose says it {self._says()}, but under the "
                             f"course's rule it {self._is()}: {self.evidence}. Revise the sentence "
                             f"{self.sentence!r} or the experiment.")
        return self

    def _says(self) -> str:
        return "holds" if self.expected == "holds" else f"is {self.expected}"

    def _is(self) -> str:
        return "holds" if self.verdict == "holds" else f"is {self.verdict}"

    def to_dict(self) -> dict:
        """Plain numbers and strings (what the ledger reads)."""
        return {"chapter": self.chapter, "key": self.key, "sentence": self.sentence, "expected": self.expected,
                "verdict": self.verdict, "anchor": self.anchor, **asdict(self.evidence)}

    def __str__(self) -> str:
        return f"[{self.verdict}] {self.sentence}: {self.evidence}"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        colour = {"holds": "#1a7f37", "not shown": "#9a6700", "contradicted": "#cf222e"}[self.verdict]
        box = (f'<div id="{self.anchor}" class="latentbio-claim" style="border-left: 4px solid {colour}; '
               f'padding: 0.2em 0.8em; margin: 0.3em 0">'
               f'<b style="color: {colour}">{self.verdict}</b>: {html.escape(self.sentence)}<br>'
               f'<small>{html.escape(str(self.evidence))}</small></div>')
        numbers = {key: (None if isinstance(value, float) and not math.isfinite(value) else value)
                   for key, value in self.to_dict().items()}
        # the numbers travel in the output's metadata, which the book's renderer leaves alone
        return {"text/plain": str(self), "text/html": box}, {MIME_TYPE: numbers}


def claim(chapter: int, key: str, sentence: str, evidence: Evidence, *, expected: str = "holds") -> None:
    """Make the :class:`Claim`, check it (:meth:`Claim.check`: a verdict other than ``expected``
    raises :class:`ClaimError` with the numbers) and display it in a notebook, where the book's
    claims ledger collects it (outside IPython it is printed)."""
    if not isinstance(chapter, int) or chapter < 1:
        raise ValueError(f"chapter must be a chapter number such as 3; got {chapter!r}")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"key must be lower-case letters, digits and underscores, such as 'stage2_vs_baseline'; "
                         f"got {key!r}")
    if expected not in VERDICTS:
        raise ValueError(f"expected must be one of {VERDICTS}; got {expected!r}")
    if not isinstance(evidence, Evidence):
        raise TypeError(f"evidence must come from compare, compare_to or interval; got {type(evidence).__name__}")
    made = Claim(chapter, key, sentence, evidence, expected).check()
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(made)
    else:
        print(made)


def read_claims(notebooks) -> list[dict]:
    """Every claim displayed in the saved outputs of ``notebooks`` (paths of executed chapters), in
    order, as :meth:`Claim.to_dict` plus ``notebook`` (the file's name): what the ledger lists."""
    claims = []
    for path in notebooks:
        path = Path(path)
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                numbers = output.get("metadata", {}).get(MIME_TYPE)
                if numbers is not None:
                    claims.append({**numbers, "notebook": path.name})
    return claims


__all__ = ["Claim", "ClaimError", "Evidence", "LEVEL", "MIN_CASES", "claim", "compare", "compare_to", "interval",
           "read_claims", "t_threshold"]
