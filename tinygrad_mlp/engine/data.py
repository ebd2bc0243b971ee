"""Turning user input into what a Value holds: a Python float, or a read-only float array."""

from __future__ import annotations

from typing import Any

import numpy as np

ndarray = np.ndarray
FLOAT32, FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)
FLOAT_DTYPES = (FLOAT32, FLOAT64)


def as_data(x: Any, dtype: Any = None, copy: bool = False) -> float | ndarray:
    """Convert user input into what a Value holds: a Python float or a read-only float array.

    Integers and booleans become floats (float64 unless `dtype` says otherwise). Complex
    numbers, strings and other objects are refused with a `TypeError` that names the type.
    Arrays are copied when `copy` is true (a parameter never shares memory with the caller's
    array) and otherwise wrapped in a read-only view (the caller's array keeps its flags); a
    copy is a read-only view too, of a private array.

    >>> as_data(3)
    3.0
    >>> as_data([1, 2]).dtype, as_data([1, 2]).flags.writeable
    (dtype('float64'), False)
    """
    if dtype is not None and dtype is not FLOAT32 and dtype is not FLOAT64:
        dtype = as_float_dtype(dtype)  # (the two builtin float dtypes are single objects)
    if x.__class__ is ndarray:  # the usual input of a tensor Value: no further checks of type
        arr = x
    else:
        if x.__class__ is float and dtype is None:
            return x
        if hasattr(x, "requires_grad") and hasattr(x, "backward"):  # a Value (not imported)
            raise TypeError("got a Value where data was expected; use v.data, or v.detach()")
        if isinstance(x, (bool, int, float, np.integer, np.floating, np.bool_)) and dtype is None:
            return float(x)
        if isinstance(x, (complex, np.complexfloating)):
            raise TypeError(f"complex numbers are not supported, got {x!r}")
        try:
            arr = np.asarray(x)
        except ValueError as exc:  # ragged nested lists
            raise TypeError(f"cannot make a Value from {type(x).__name__}: {exc}") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"complex arrays are not supported, got dtype {arr.dtype}")
    if kind not in "biuf":
        raise TypeError(
            f"a Value holds numbers, got {type(x).__name__} with dtype {arr.dtype} "
            f"(strings and objects cannot be differentiated)"
        )
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    if copy or arr.dtype != dtype:
        # A new array (the caller's is never written), held through a read-only view: its
        # `.base`, writable, is the array only `Value.sub_` writes into (see there).
        arr = np.array(arr, dtype=dtype).view()
    else:
        arr = arr.view()  # ours to mark read-only, without touching the caller's flags
    arr.setflags(write=False)
    return arr


DTYPES = ("float32", "float64")  # what a Value, and so a module, computes in


class DTypeError(TypeError, ValueError):
    """A dtype that is not float32 or float64: the wrong kind (TypeError) of a value
    (ValueError), so either `except` catches it."""


def as_float_dtype(dtype: Any) -> np.dtype:
    """`dtype` as float32 or float64; anything else (None, a misspelt name, int32) is refused,
    naming the valid ones. The one check of a dtype argument, for Values and modules alike.

    >>> as_float_dtype("float32")
    dtype('float32')
    >>> try:
    ...     as_float_dtype("flaot32")
    ... except ValueError as exc:  # a DTypeError: a ValueError and a TypeError
    ...     print(exc)
    dtype must be one of 'float32', 'float64', got 'flaot32' (a Value holds float32 or float64)
    """
    try:
        dt = None if dtype is None else np.dtype(dtype)
    except TypeError:
        dt = None
    # Compared by name: `np.dtype("float64") == None` is True, so a failed parse must never
    # reach a comparison with the valid dtypes.
    if dt is None or dt.name not in DTYPES:
        choices = ", ".join(repr(d) for d in DTYPES)
        raise DTypeError(
            f"dtype must be one of {choices}, got {dtype!r} (a Value holds float32 or float64)"
        )
    return dt
