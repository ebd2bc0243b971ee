"""The validators of the modules' constructor arguments: one per kind of argument.

Each returns the argument in its canonical form, or raises naming the argument, what it got
and what it may be.

>>> check_size(3, "nin"), check_dtype("float32"), check_activation(None, "Layer")
(3, dtype('float32'), 'linear')
>>> check_dtype("flaot32")
Traceback (most recent call last):
    ...
ValueError: dtype must be one of 'float32', 'float64', got 'flaot32'
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .init import ACTIVATIONS

__all__ = ["DTYPES", "check_activation", "check_dtype", "check_size"]

DTYPES = ("float32", "float64")  # what a module computes in


def check_activation(activation: str | None, where: str) -> str:
    """The activation's name (None means "linear"), if `ACTIVATIONS` has it."""
    name = "linear" if activation is None else activation
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return name


def check_size(n: Any, name: str) -> int:
    """A positive int (not a bool, not a float that happens to be whole)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be a positive int, got {n}")
    return int(n)


def check_dtype(dtype: Any) -> np.dtype:
    """float32 or float64, as a numpy dtype; anything else (a misspelt name too) is refused."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    # Compared by name: `np.dtype("float64") == None` is True, so a failed parse must not
    # reach an `in` test against dtypes.
    if dtype is None or dt is None or dt.name not in DTYPES:
        choices = ", ".join(repr(d) for d in DTYPES)
        raise ValueError(f"dtype must be one of {choices}, got {dtype!r}")
    return dt
