"""One standard of evidence: no standard error or threshold is computed outside the evidence module, and the
chapters' prose carries no development vocabulary and no typed run time."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "src" / "latentbio" / "experiments" / "evidence.py"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
STANDARD_ERROR = re.compile(r"sqrt\(\s*len\(|\.sem\(|\bt\.ppf\(|stats\.t\.|ttest_|standard_errors?_?needed|"
                            r"[0-9.]+ \* (?:se|error|standard_error)\b")
DEVELOPMENT = re.compile(r"\bissues?\b|\btarget of\b|\bCI\b|\bnbval\b|continuous integration",
                         re.IGNORECASE)
RUN_TIME = re.compile(r"\b\d+(?:\.\d+)?\s*(?:s|sec|seconds|min|mins|minutes)\b(?! of)|\ba minute\b|"
                      r"\bminutes? and a half\b", re.IGNORECASE)


def cells(path, kind):
    return [(i, "".join(c["source"]), c) for i, c in enumerate(json.loads(path.read_text())["cells"])
            if c["cell_type"] == kind]


def python_sources():
    for path in sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "scripts").rglob("*.py")):
        if path != EVIDENCE:
            yield path.relative_to(ROOT), path.read_text()
    for path in CHAPTERS:
        for i, source, _ in cells(path, "code"):
            yield f"{path.name} cell {i}", source


@pytest.mark.parametrize("where, source", list(python_sources()), ids=lambda x: str(x)[:60])
def test_no_standard_error_outside_the_evidence_module(where, source):
    found = STANDARD_ERROR.search(source)
    assert found is None, (f"{where} computes a standard error or a threshold ({found.group(0)!r}): use "
                           "latentbio.experiments.evidence (compare, compare_to, interval, claim)")


def prose(path):
    return [(i, source) for i, source, cell in cells(path, "markdown")
            if "chapter-header" not in cell.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_prose_speaks_to_students(path):
    for i, source in prose(path):
        text = re.sub(r"`[^`]*`", "", source)  # code, glue and roles are not prose
        found = DEVELOPMENT.search(text)
        assert found is None, f"{path.name} cell {i}: development vocabulary {found.group(0)!r} in:\n{source[:300]}"
        found = RUN_TIME.search(text)
        assert found is None, (f"{path.name} cell {i}: a typed run time {found.group(0)!r}; the chapter header "
                               f"states the measured time:\n{source[:300]}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_shown_code_is_in_the_saved_outputs(path):
    assert "{literalinclude}" not in path.read_text(), f"{path.name}: show code with show_source (Colab shows it)"
    for i, source, cell in cells(path, "code"):
        if "show_source(" in source and "import" not in source.splitlines()[-1]:
            shown = "".join("".join(output.get("data", {}).get("text/plain", "")) for output in cell["outputs"])
            assert "def " in shown or "class " in shown, f"{path.name} cell {i} shows no code: execute the chapter"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_chapter_makes_its_claims_through_the_evidence_module(path):
    sources = "\n".join(source for _, source, _ in cells(path, "code"))
    if "compare" in sources or "interval(" in sources:
        assert "claim(" in sources, f"{path.name} computes evidence but makes no claim"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_with_claims_states_the_rule_and_links_the_ledger(path):
    sources = "\n".join(source for _, source, _ in cells(path, "code"))
    if "claim(" in sources:
        assert any("ledger.ipynb" in source for _, source in prose(path)), (
            f"{path.name} makes claims: say once what the rule is and link the claims ledger (../book/ledger.ipynb)")


def test_the_summary_quotes_claims_that_the_chapters_make():
    from latentbio.experiments.evidence import read_claims

    made = {f"claim_ch{c['chapter']}_{c['key']}" for c in read_claims(CHAPTERS)}
    quoted = set(re.findall(r"ledger\.ipynb::(claim_ch\d+_[a-z0-9_]+)", (ROOT / "chapters" / "07_summary.md").read_text()))
    assert quoted, "the summary quotes the claims ledger"
    assert quoted <= made, f"the summary quotes claims no chapter makes: {sorted(quoted - made)}"
