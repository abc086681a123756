"""show_source displays the package's own code, highlighted."""

import pytest

from latentbio.models.lord import LORDModule
from latentbio.source import show_source


def test_show_source_gives_the_dedented_source_with_highlighting():
    shown = show_source(LORDModule.loss)
    assert shown.data.startswith("def loss(") and "return" in shown.data
    assert "<span" in shown._repr_html_()


def test_show_source_refuses_objects_without_source():
    with pytest.raises(TypeError, match="function, method or class"):
        show_source(3)
