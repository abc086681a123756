"""Recording a chapter's key numbers so that other pages of the book can quote them."""


def record(name: str, value):
    """Store ``value`` under ``name`` with myst-nb's ``glue`` (without displaying it) and return it.

    The summary chapter quotes recorded numbers with ``{glue:text}`` instead of typing
    them, so the book always shows what the notebooks computed. Outside the book
    (no myst-nb installed, e.g. on Colab) this only returns the value.
    """
    try:
        from myst_nb import glue
    except ImportError:
        return value
    glue(name, value, display=False)
    return value
