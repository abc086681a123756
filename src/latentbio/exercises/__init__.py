"""Checks for the exercises of the chapters: one module per chapter (``ch01``, ``ch02``, ...).

A check calls the student's function on cases whose answer is known. It prints a
line of success, or raises :class:`ExerciseFailed` with a message that says what was
wrong and gives a hint. An exercise left as a stub (``raise NotImplementedError``)
fails with a reminder to implement it.
"""

from collections.abc import Callable

import numpy as np


class ExerciseFailed(AssertionError):
    """A check did not pass; the message says why and how to fix it."""


def call_student(function: Callable, *args, exercise: str, **kwargs):
    """Call the student's ``function``; an unimplemented stub becomes an :class:`ExerciseFailed`."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseFailed(f"{exercise}: not implemented yet. Replace the `raise NotImplementedError` "
                             "line with your code, then run this check again.") from None


def expect(condition: bool, exercise: str, message: str) -> None:
    """Raise :class:`ExerciseFailed` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ExerciseFailed(f"{exercise}: {message}")


def expect_close(actual, expected, exercise: str, message: str, *, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """Raise unless ``actual`` has ``expected``'s shape and values (within tolerance)."""
    actual = np.asarray(actual.detach().cpu() if hasattr(actual, "detach") else actual, dtype=float)
    expected = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected, dtype=float)
    expect(actual.shape == expected.shape, exercise,
           f"expected an output of shape {expected.shape}, got {actual.shape}. {message}")
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape) if actual.ndim else ()
        raise ExerciseFailed(f"{exercise}: {message} (at index {tuple(int(i) for i in worst)} you gave "
                             f"{actual[worst]:.5g}, expected {expected[worst]:.5g})")


def passed(exercise: str) -> None:
    """Tell the student the exercise passed."""
    print(f"✔ {exercise}: all checks passed.")
