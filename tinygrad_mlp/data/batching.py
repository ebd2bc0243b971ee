"""Minibatches: one epoch of a training set in batches, shuffled reproducibly from a seed.

>>> import numpy as np
>>> from tinygrad_mlp import data
>>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
>>> [yb.tolist() for _, yb in data.batches(X, y, batch_size=2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from .. import checks

__all__ = ["batches"]


def batches(
    X: ArrayLike,
    y: ArrayLike,
    batch_size: int | None,
    shuffle: bool = True,
    seed: int | np.random.Generator = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate over one epoch in minibatches ``(X_batch, y_batch)``.

    Every example appears in exactly one batch; the last batch is smaller when ``batch_size``
    does not divide ``n``, and ``batch_size=None`` gives one full batch. With ``shuffle=True`` the
    order comes from ``seed``: an int gives the same order on every call, a
    ``numpy.random.Generator`` advances, so an epoch loop that passes one generator gets a
    fresh, reproducible order each epoch. Arguments are checked when called, not on first use.

    >>> from tinygrad_mlp.data import moons
    >>> X, y = moons(n=10)
    >>> rng = np.random.default_rng(0)
    >>> for epoch in range(2):
    ...     sizes = [len(yb) for Xb, yb in batches(X, y, batch_size=4, seed=rng)]
    >>> sizes
    [4, 4, 2]
    """
    X, y = checks.examples(X, y, one_label_each=True)
    n = len(y)
    if batch_size is None:
        batch_size = max(n, 1)
    batch_size = checks.count(batch_size, "batch_size")
    order = checks.generator(seed).permutation(n) if shuffle else None

    def epoch() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, n, batch_size):
            if order is None:
                yield X[start : start + batch_size], y[start : start + batch_size]
            else:
                idx = order[start : start + batch_size]
                yield X[idx], y[idx]

    return epoch()
