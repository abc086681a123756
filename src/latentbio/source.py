"""Showing the package's own code in a chapter: the same highlighted source in the book, Jupyter and Colab."""

import inspect
import textwrap

from IPython.display import Code


def show_source(obj) -> Code:
    """The source of ``obj`` (a function, method or class of ``latentbio``) as a highlighted code
    block that a notebook displays: what the chapter trains or runs, read from the installed package,
    so that the book, Jupyter and Colab show the same code. ``TypeError`` for objects without source
    (built-ins, values)."""
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"show_source needs a function, method or class with Python source; got {obj!r}") from error
    return Code(textwrap.dedent(source).rstrip() + "\n", language="python")
