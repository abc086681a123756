"""Checks for the exercises of the chapters: one module per chapter (``ch01``, ``ch02``, ...).

Every check is registered with :func:`exercise`, which gives it its number ("2.1": chapter 2,
the first exercise box of that chapter), its title and the names of the package functions
that a graded solution may not call::

    @exercise("2.3", "a classifier from Bayes' rule", forbidden=("bayes_rule",))
    def check_bayes_classifier(class_posterior, *, name):
        posterior = call_student(class_posterior, log_likelihoods, prior, exercise=name)
        expect(..., name, "what was wrong and a hint")
        passed(name)

A check calls the student's function on cases whose answer is known. It prints a line of
success, or raises :class:`ExerciseFailed` with a message that starts with the exercise's
name ("Exercise 2.3 (a classifier from Bayes' rule): ...") and says what was wrong. A stub
(``raise NotImplementedError``) fails with a reminder to implement it.

**Grading mode.** When the environment variable ``LATENTBIO_GRADING`` is ``1`` (``make
grade`` sets it for the kernels it starts), :func:`call_student` watches every call the
student's function makes and fails the exercise if it reaches one of the package's own
implementations named in ``forbidden``. Self-study (the variable unset) keeps the friendly
checks, which accept any route to the right answer. :func:`forbidden_references` finds the
same names in a solution's source; the grader runs it on every solution cell.
"""

import ast
import contextvars
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

GRADING_VARIABLE = "LATENTBIO_GRADING"


class ExerciseFailed(AssertionError):
    """A check did not pass; the message says why and how to fix it."""


@dataclass(frozen=True)
class Exercise:
    """What the course knows about one exercise: its number, its title and its check."""

    number: str
    title: str
    forbidden: tuple[str, ...]
    check: str

    @property
    def chapter(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def name(self) -> str:
        """How every message of the check names the exercise: ``Exercise 2.1 (the two terms of the ELBO)``."""
        return f"Exercise {self.number} ({self.title})"


EXERCISES: dict[str, Exercise] = {}
_current: contextvars.ContextVar[Exercise | None] = contextvars.ContextVar("current_exercise", default=None)


def exercise(number: str, title: str, *, forbidden: Iterable[str] = ()) -> Callable:
    """Register a check as exercise ``number`` ("N.M": chapter N, M-th exercise box of the chapter).

    ``forbidden`` names the package's own functions or classes (their bare names, such as
    ``"bayes_rule"`` or ``"AdaIN"``) that implement what the exercise asks for; in graded runs
    a solution that calls one of them fails. The decorated check is called as ``check(answer)``
    and receives its display name as the keyword ``name``.
    """
    if not re.fullmatch(r"[1-9]\d*\.[1-9]\d*", number):
        raise ValueError(f"an exercise number reads 'chapter.position', for example '2.1'; got {number!r}")
    if isinstance(forbidden, str):
        raise ValueError(f"forbidden must be a tuple of function or class names, got the string {forbidden!r}")
    forbidden = tuple(forbidden)
    if not all(isinstance(f, str) and f.isidentifier() for f in forbidden):
        raise ValueError(f"forbidden must be a tuple of function or class names, got {forbidden!r}")

    def register(check: Callable) -> Callable:
        info = Exercise(number, title, forbidden, f"{check.__module__}.{check.__qualname__}")
        known = EXERCISES.get(number)
        if known is not None and known.check != info.check:
            raise ValueError(f"exercise {number} is registered twice: by {known.check} and by {info.check}")
        EXERCISES[number] = info

        @functools.wraps(check)
        def run(*args, **kwargs):
            token = _current.set(info)
            try:
                return check(*args, name=info.name, **kwargs)
            finally:
                _current.reset(token)

        run.exercise = info
        return run

    return register


def grading_mode() -> bool:
    """Whether this process grades submissions (``LATENTBIO_GRADING=1``) rather than helps a student."""
    return os.environ.get(GRADING_VARIABLE) == "1"


def call_student(function: Callable, *args, exercise: str, **kwargs):
    """Call the student's ``function``; an unimplemented stub becomes an :class:`ExerciseFailed`.

    In grading mode, a call that reaches one of the current exercise's forbidden package
    functions (directly or through any helper) fails the exercise.
    """
    info = _current.get()
    try:
        if not (grading_mode() and info is not None and info.forbidden):
            return function(*args, **kwargs)
        with _Tripwire(info.forbidden) as tripwire:
            result = function(*args, **kwargs)
        if tripwire.hit:
            raise ExerciseFailed(
                f"{exercise}: this graded run does not accept a call to the package's own `{tripwire.hit}`, "
                "which is the very thing this exercise asks you to write. Write the computation yourself.")
        return result
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


def forbidden_references(source: str, forbidden: Iterable[str]) -> list[str]:
    """The names in ``forbidden`` that ``source`` (a solution cell) uses, in order of first use.

    Names count as used when they appear as a variable, an attribute (``lb.bayes_rule``) or an
    imported name; text in strings and comments does not count. Cells with IPython syntax
    (``%magic``) that Python cannot parse are searched word by word.
    """
    forbidden = set(forbidden)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [w for w in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", source)) if w in forbidden]
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.append(node.id)
        elif isinstance(node, ast.Attribute):
            used.append(node.attr)
        elif isinstance(node, ast.alias):
            used.extend(node.name.split(".") + ([node.asname] if node.asname else []))
    return [name for name in dict.fromkeys(used) if name in forbidden]


class _Tripwire:
    """Notes the first call, while active, into a ``latentbio`` function or class method named in ``names``.

    It looks at every Python call (``sys.setprofile``) and matches the called code by its
    qualified name and the package module it is defined in, so it catches the function under
    any alias, through any helper, and imported at any time; a student's own function of the
    same name (defined in the notebook) does not count.
    """

    def __init__(self, names: Iterable[str]):
        self.names, self.hit, self._previous = frozenset(names), None, None

    def _profile(self, frame, event, arg):
        if event != "call" or self.hit is not None:
            return
        code = frame.f_code
        owner = getattr(code, "co_qualname", code.co_name).split(".", 1)[0]
        if owner in self.names:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("latentbio.") and not module.startswith("latentbio.exercises"):
                self.hit = f"{module}.{owner}"

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False
