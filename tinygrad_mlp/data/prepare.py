"""Preparing data for training: a train/test split, standardization and one-hot targets.

>>> from tinygrad_mlp import data
>>> X, y = data.moons(n=100, seed=0)
>>> X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train, X_test, mean, std = data.standardize(X_train, X_test)
>>> X_train.shape, X_test.shape, data.one_hot(y_test).shape
((80, 2), (20, 2), (20, 2))
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from .. import checks
from ..labels import LabelError, class_labels

__all__ = ["train_test_split", "standardize", "one_hot"]


def train_test_split(
    X: ArrayLike,
    y: ArrayLike,
    test_size: float = 0.2,
    seed: int | np.random.Generator = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into a training set and a test set: ``X_train, X_test, y_train, y_test``.

    The test set gets ``round(test_size * n)`` examples (at least one, and at least one is left
    for training). With ``stratify=True`` each class is split in the same proportion, so class
    frequencies in both sets match those of ``y`` as closely as whole numbers allow.

    >>> from tinygrad_mlp.data import moons
    >>> X, y = moons(n=100)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=True)
    >>> len(X_train), len(X_test), np.bincount(y_test).tolist()
    (75, 25, [13, 12])
    """
    X, y = checks.examples(X, y, one_label_each=True)
    test_size = checks.fraction(test_size, "test_size")
    n = len(y)
    if n < 2:
        raise ValueError(f"train_test_split needs at least 2 examples, got {n}")
    n_test = min(max(round(test_size * n), 1), n - 1)
    rng = checks.generator(seed)
    if stratify:
        classes, class_of = np.unique(y, return_inverse=True)
        members = [rng.permutation(np.flatnonzero(class_of == k)) for k in range(len(classes))]
        quota = np.array([len(m) for m in members]) * (n_test / n)
        take = np.floor(quota).astype(int)
        # hand the remaining test places to the classes with the largest fractional quota
        leftover = n_test - take.sum()
        ties_broken = rng.permutation(len(classes))
        by_remainder = ties_broken[np.argsort(-(quota - take)[ties_broken], kind="stable")]
        take[by_remainder[:leftover]] += 1
        test_idx = np.concatenate([m[:t] for m, t in zip(members, take, strict=True)])
        train_idx = np.concatenate([m[t:] for m, t in zip(members, take, strict=True)])
        test_idx = rng.permutation(test_idx)
        train_idx = rng.permutation(train_idx)
    else:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


@overload
def standardize(
    X_train: ArrayLike, X_test: None = None
) -> tuple[np.ndarray, None, np.ndarray, np.ndarray]: ...
@overload
def standardize(
    X_train: ArrayLike, X_test: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
def standardize(
    X_train: ArrayLike, X_test: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Scale each column to mean 0 and standard deviation 1, using the training set's statistics.

    Returns ``(X_train_std, X_test_std, mean, std)``; ``X_test_std`` is None when no test set is
    given. The test set is scaled with the training mean and std (it never leaks into them).
    A column that is constant in the training set gets ``std = 1``, so it becomes all zeros
    rather than nan.

    >>> X_train, X_test, mean, std = standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> X_train.tolist(), X_test, mean.tolist(), std.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], None, [2.0, 5.0], [1.0, 1.0])
    """
    train = np.asarray(X_train, dtype=np.float64)
    if train.ndim != 2 or len(train) == 0:
        raise ValueError(
            f"X_train must be 2-D (examples, features) with at least one row, "
            f"got shape {train.shape}"
        )
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    # an exactly constant column would give 0/0; its rounding-noise std must not be trusted either
    std[np.ptp(train, axis=0) == 0] = 1.0
    train_std = (train - mean) / std
    if X_test is None:
        return train_std, None, mean, std
    test = np.asarray(X_test, dtype=np.float64)
    if test.ndim != 2 or test.shape[1] != train.shape[1]:
        raise ValueError(
            f"X_test must be 2-D with the same {train.shape[1]} columns as X_train, "
            f"got shape {test.shape}"
        )
    return train_std, (test - mean) / std, mean, std


def one_hot(labels: ArrayLike, num_classes: int | None = None) -> np.ndarray:
    """Turn integer labels into one-hot rows: float64 of shape (n, num_classes).

    ``num_classes`` defaults to ``max(y) + 1``.

    >>> one_hot(np.array([0, 2, 1]), num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if np.ndim(labels) != 1:
        raise LabelError(f"y must be 1-D (one label per example), got shape {np.shape(labels)}")
    y = class_labels(labels, what="y")
    if num_classes is None:
        if len(y) == 0:
            raise ValueError("num_classes must be given when y is empty")
        num_classes = int(y.max()) + 1
    num_classes = checks.count(num_classes, "num_classes")
    outside = (y < 0) | (y >= num_classes)
    if np.any(outside):
        raise LabelError(
            f"labels must lie in 0..{num_classes - 1} for num_classes={num_classes}, "
            f"got {np.unique(y[outside])[:5].tolist()}"
        )
    out = np.zeros((len(y), num_classes))
    out[np.arange(len(y)), y] = 1.0
    return out
