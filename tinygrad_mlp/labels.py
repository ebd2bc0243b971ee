"""Label conventions, each written once: integer class labels, and the two codings of binary ones.

- Class labels are integers ``0 .. k-1``: a 1-D int64 array, one per example. A column of shape
  ``(n, 1)``, integral floats (``1.0``) and booleans are read as the same labels.
- Binary labels come as 0/1 (the package's datasets give these) or as -1/+1 (what a max-margin
  loss wants). :func:`to_pm1` turns 0/1 into -1/+1, :func:`signs` accepts either coding and
  gives -1/+1, and :func:`zero_one` goes back from -1/+1 to 0/1.

Pure numpy; nothing here imports the rest of the package.

>>> class_labels([[2.0], [0.0], [1.0]]).tolist()
[2, 0, 1]
>>> signs([0, 1, 1]).tolist(), zero_one([-1, 1, 1]).tolist()
([-1.0, 1.0, 1.0], [0, 1, 1])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "LabelError",
    "class_labels",
    "count_classes",
    "is_zero_one",
    "to_pm1",
    "signs",
    "zero_one",
]


class LabelError(ValueError):
    """Labels that are not what a function needs (not integers, wrong shape, outside a range)."""


def _plain(labels: ArrayLike) -> np.ndarray:
    """The labels as a numpy array (a Value gives its data)."""
    if isinstance(labels, np.ndarray):  # first: an array's own `.data` is its memory buffer
        return labels
    return np.asarray(getattr(labels, "data", labels))


def class_labels(labels: ArrayLike, what: str = "labels") -> np.ndarray:
    """Integer class labels as a 1-D int64 array: shape (n,) or (n, 1), ints, integral floats
    or booleans. Anything else raises a :class:`LabelError` whose message starts with `what`.

    >>> class_labels(np.array([1.0, 0.0])).dtype
    dtype('int64')
    >>> class_labels([0.5, 1.0], what="y")
    Traceback (most recent call last):
        ...
    tinygrad_mlp.labels.LabelError: y must be integer class labels, got dtype float64
    """
    y = _plain(labels)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise LabelError(f"{what} must be 1-D (one label per example), got shape {y.shape}")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "biu":
        raise LabelError(f"{what} must be integer class labels, got dtype {y.dtype}")
    return y.astype(np.int64, copy=False)


def count_classes(*label_arrays: ArrayLike) -> int:
    """How many classes labels ``0 .. k-1`` spread over one or more arrays stand for: k.

    >>> count_classes(np.array([0, 2]), np.array([1, 3]))
    4
    """
    return max(int(class_labels(y).max()) for y in label_arrays) + 1


def is_zero_one(labels: ArrayLike) -> bool:
    """Whether every label is 0 or 1.

    >>> is_zero_one([0, 1, 1]), is_zero_one([-1, 1])
    (True, False)
    """
    y = _plain(labels)
    return bool(np.all((y == 0) | (y == 1)))


def to_pm1(labels: ArrayLike) -> np.ndarray:
    """Map binary labels {0, 1} to float targets {-1.0, +1.0}, as the hinge loss wants them.

    >>> to_pm1(np.array([0, 1, 1])).tolist()
    [-1.0, 1.0, 1.0]
    """
    y = _plain(labels)
    bad = ~np.isin(y, (0, 1))
    if np.any(bad):
        raise LabelError(
            f"to_pm1 expects labels in {{0, 1}}, got {np.unique(y[bad])[:5].tolist()} "
            f"(shape {y.shape})"
        )
    return np.where(y == 1, 1.0, -1.0)


def signs(labels: ArrayLike, what: str = "labels") -> np.ndarray:
    """Binary labels as float -1.0/+1.0, from either coding: -1/+1, or 0/1 with 0 meaning -1.

    A mix of the codings (0 and -1 together) or any other value raises a :class:`LabelError`.

    >>> signs([1, -1]).tolist(), signs([1, 0]).tolist()
    ([1.0, -1.0], [1.0, -1.0])
    """
    y = _plain(labels)
    if is_zero_one(y):
        return to_pm1(y)
    if np.all((y == -1) | (y == 1)):
        return y.astype(np.float64)
    raise LabelError(
        f"{what} must be -1/+1 (or 0/1, with 0 meaning -1), got values {np.unique(y).tolist()[:5]}"
    )


def zero_one(labels: ArrayLike) -> np.ndarray:
    """Class labels as int64 with -1/+1 binary labels read as 0/1 (any label < 0 means that
    coding: then every label > 0 is 1, the rest 0); other labels are kept as they are.

    >>> zero_one([-1, 1, -1]).tolist(), zero_one([0, 2, 1]).tolist()
    ([0, 1, 0], [0, 2, 1])
    """
    y = _plain(labels)
    if np.any(y < 0):
        return (y > 0).astype(np.int64)
    return y.astype(np.int64)
