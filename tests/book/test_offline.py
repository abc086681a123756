"""The built book reads offline in a real browser: equations typeset, nothing from a CDN.

Headless Chromium (Debian's ``chromium``, which ``.ci/run`` installs) loads chapter pages from
``_build/html`` inside a network namespace with no network (``unshare -n``) and dumps the DOM
after the scripts ran. Run after ``make book-committed`` (``make test`` does)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
PAGES = ["book/intro.html", "chapters/02_generative_models.html", "chapters/05_ood_prediction.html"]
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None)


def offline(command: list[str]) -> list[str]:
    """``command`` run with the network switched off: ``unshare -n`` as root, else in a user namespace."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return [*prefix, *command]
    pytest.fail("cannot switch the network off: `unshare -n` and `unshare -rn` both fail here")


def dump_dom(page: Path) -> str:
    command = offline([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
                       "--dump-dom", page.as_uri()])
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module", autouse=True)
def built_book():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed and could not be installed here (apt-get install chromium): "
                    "the offline-browser check of the book did not run")
    if not (HTML / "index.html").exists():
        pytest.skip("no built book: run `make book-committed` first (make test does)")


@pytest.mark.parametrize("page", PAGES)
def test_equations_are_typeset_without_a_network(page):
    source = (HTML / page).read_text()
    inline = source.count('class="math notranslate nohighlight"')
    assert inline > 0, f"{page} has no maths to check"
    dom = dump_dom(HTML / page)
    typeset = dom.count("<mjx-container")
    assert typeset >= inline, f"{page}: {typeset} equations typeset by MathJax out of {inline}"
    text = re.sub(r"<script.*?</script>", "", dom, flags=re.S)
    assert "\\(" not in text and "\\[" not in text, f"{page}: raw LaTeX left on the page"


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_loaded_from_another_site(page):
    source = (HTML / page).read_text()
    remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', source)
    assert remote == [], f"{page} loads {remote}"


def test_widgets_become_a_note_offline():
    view = 'type="application/vnd.jupyter.widget-view+json"'
    page = next((p for p in sorted((HTML / "chapters").glob("*.html")) if view in p.read_text()), None)
    if page is None:
        pytest.skip("no chapter page shows a widget")
    dom = dump_dom(page)
    assert view not in dom
    assert "An interactive explorer appears here" in dom
