"""Argument validators: each kind of argument is checked here, once, with one clear message.

Every validator returns the value in its plain Python (or numpy) form, or raises: a TypeError
when the argument is of the wrong kind, a ValueError when it is of the right kind but out of
range. Each message names the argument and shows what was given. Pure numpy; nothing here
imports the rest of the package.

>>> count(3, "epochs")
3
>>> count(0, "epochs")
Traceback (most recent call last):
    ...
ValueError: epochs must be >= 1, got 0
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["count", "nonnegative", "positive", "fraction", "generator", "examples"]


def _real(value: object, name: str, kind: str = "a real number") -> float:
    """`value` as a float if it is a real number (not a bool), else a TypeError."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    return float(value)


def count(value: object, name: str, minimum: int = 1) -> int:
    """`value` as an int, which must be at least `minimum` (a size, a number of epochs, ...).

    >>> count(5, "n", minimum=2), count(np.int64(4), "batch_size")
    (5, 4)
    >>> count(2.5, "batch_size")
    Traceback (most recent call last):
        ...
    TypeError: batch_size must be an int, got float 2.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def nonnegative(value: object, name: str) -> float:
    """`value` as a float, finite and >= 0 (the standard deviation of noise, say).

    >>> nonnegative(0, "noise")
    0.0
    >>> nonnegative(float("nan"), "noise")
    Traceback (most recent call last):
        ...
    ValueError: noise must be a finite number >= 0, got nan
    """
    number = _real(value, name)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return number


def positive(value: object, name: str) -> float:
    """`value` as a float, finite and > 0 (a learning rate, say).

    >>> positive(0.05, "lr")
    0.05
    >>> positive(0, "lr")
    Traceback (most recent call last):
        ...
    ValueError: lr must be a finite number > 0, got 0
    """
    number = _real(value, name)
    if not (0 < number < math.inf):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return number


def fraction(value: object, name: str, *, zero_allowed: bool = False) -> float:
    """`value` as a float strictly between 0 and 1 (or in [0, 1) with ``zero_allowed=True``).

    >>> fraction(0.25, "test_size"), fraction(0, "momentum", zero_allowed=True)
    (0.25, 0.0)
    >>> fraction(1.5, "test_size")
    Traceback (most recent call last):
        ...
    ValueError: test_size must be a fraction strictly between 0 and 1, got 1.5
    """
    number = _real(value, name, "a fraction (a number)")
    if not ((0 <= number if zero_allowed else 0 < number) and number < 1):
        span = "in [0, 1)" if zero_allowed else "strictly between 0 and 1"
        raise ValueError(f"{name} must be a fraction {span}, got {value!r}")
    return number


def generator(seed: object, name: str = "seed") -> np.random.Generator:
    """The random generator a `seed` stands for.

    An int gives a fresh generator (the same int, the same numbers, every time); a
    ``numpy.random.Generator`` is returned as it is, so it advances and successive calls differ
    reproducibly.

    >>> float(generator(0).random()) == float(generator(0).random())
    True
    >>> rng = np.random.default_rng(0)
    >>> generator(rng) is rng
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int or a numpy.random.Generator, got {type(seed).__name__} {seed!r}"
        )
    return np.random.default_rng(int(seed))


def examples(
    X_like: ArrayLike, y_like: ArrayLike, *, one_label_each: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """`X` and `y` as arrays that hold the same number of examples along their first axis.

    With ``one_label_each=True``, `y` must moreover be 1-D: one label per example.

    >>> X, y = examples([[0.0, 1.0], [2.0, 3.0]], [0, 1])
    >>> X.shape, y.shape
    ((2, 2), (2,))
    >>> examples(np.zeros((3, 2)), np.zeros(2))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: X and y must hold the same number of examples...: X has 3 (shape (3, 2)), y has 2...
    >>> examples(np.zeros((4, 2)), np.zeros((4, 1)), one_label_each=True)
    Traceback (most recent call last):
        ...
    ValueError: y must be 1-D (one label per example), got shape (4, 1)
    """
    X = np.asarray(X_like)
    y = np.asarray(y_like)
    for name, array in (("X", X), ("y", y)):
        if array.ndim == 0:
            raise ValueError(
                f"{name} must have at least one axis (one entry per example), got a scalar"
            )
    if one_label_each and y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per example), got shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(
            f"X and y must hold the same number of examples (first axis): X has {len(X)} "
            f"(shape {X.shape}), y has {len(y)} (shape {y.shape})"
        )
    return X, y
