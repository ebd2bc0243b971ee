"""Toy 2-D problems: xor, moons, circles and spirals, each a pair ``(X, y)`` of points and labels.

Each is made the same way: points placed class by class, Gaussian noise of standard deviation
``noise`` added to each coordinate, then the examples shuffled (both from ``seed``).

>>> from tinygrad_mlp import data
>>> X, y = data.moons(n=100, noise=0.1, seed=0)
>>> X.shape, X.dtype, sorted(set(y.tolist()))
((100, 2), dtype('float64'), [0, 1])
"""

from __future__ import annotations

import numpy as np

from .. import checks

__all__ = ["xor", "moons", "circles", "spirals"]

Seed = int | np.random.Generator


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n examples as evenly as possible: the first ``n % classes`` classes get one more."""
    return [n // classes + (k < n % classes) for k in range(classes)]


def _noisy_and_shuffled(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The last two steps of every toy set: add the noise, then shuffle the examples."""
    X += rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def _two_classes(
    class0: np.ndarray, class1: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points of class 0 then of class 1, labelled, noisy and shuffled."""
    X = np.vstack([class0, class1])
    y: np.ndarray = np.repeat(np.array([0, 1], dtype=np.int64), [len(class0), len(class1)])
    return _noisy_and_shuffled(X, y, noise, rng)


def _on_curve(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.column_stack([x, y])


def xor(n: int = 100, noise: float = 0.1, *, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points in the four quadrants, label 1 where x and y differ in sign.

    Points are drawn uniformly in the unit square of each quadrant (quadrants filled evenly),
    labelled by their quadrant, then Gaussian noise of standard deviation ``noise`` is added.
    No single neuron can separate the classes; one hidden layer can.

    >>> X, y = xor(n=8, noise=0.0, seed=1)
    >>> bool(np.all((X[:, 0] * X[:, 1] < 0) == (y == 1)))
    True
    """
    n = checks.count(n, "n", minimum=2)
    noise = checks.nonnegative(noise, "noise")
    rng = checks.generator(seed)
    # quadrant signs, ordered so that the classes alternate: (+,+)->0, (+,-)->1, (-,-)->0, (-,+)->1
    signs = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0]])
    quadrant: np.ndarray = np.repeat(np.arange(4), _class_sizes(n, 4))
    X = rng.uniform(0.0, 1.0, size=(n, 2)) * signs[quadrant]
    y: np.ndarray = (quadrant % 2).astype(np.int64)
    return _noisy_and_shuffled(X, y, noise, rng)


def moons(n: int = 100, noise: float = 0.1, *, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the geometry of scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in ``[0, pi]``; Gaussian noise of standard
    deviation ``noise`` is added to each coordinate.

    >>> X, y = moons(n=100, noise=0.1, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 2), [50, 50])
    """
    n = checks.count(n, "n", minimum=2)
    noise = checks.nonnegative(noise, "noise")
    rng = checks.generator(seed)
    t_upper, t_lower = (np.linspace(0.0, np.pi, size) for size in _class_sizes(n, 2))
    upper = _on_curve(np.cos(t_upper), np.sin(t_upper))
    lower = _on_curve(1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower))
    return _two_classes(upper, lower, noise, rng)


def circles(
    n: int = 100, noise: float = 0.1, *, factor: float = 0.5, seed: Seed = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one: class 0 on the unit circle, class 1 at radius ``factor``.

    Points are evenly spaced in angle, then Gaussian noise of standard deviation ``noise`` is
    added. (scikit-learn's ``make_circles`` uses ``factor=0.8`` by default.)

    >>> X, y = circles(n=10, noise=0.0, factor=0.5)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6)[y == 1].tolist()
    [0.5, 0.5, 0.5, 0.5, 0.5]
    """
    n = checks.count(n, "n", minimum=2)
    noise = checks.nonnegative(noise, "noise")
    factor = checks.fraction(factor, "factor")
    rng = checks.generator(seed)
    t_outer, t_inner = (
        np.linspace(0.0, 2.0 * np.pi, size, endpoint=False) for size in _class_sizes(n, 2)
    )
    outer = _on_curve(np.cos(t_outer), np.sin(t_outer))
    inner = factor * _on_curve(np.cos(t_inner), np.sin(t_inner))
    return _two_classes(outer, inner, noise, rng)


def spirals(
    n: int = 300, noise: float = 0.05, *, classes: int = 3, seed: Seed = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms, one per class, labels ``0 .. classes-1``.

    Arm ``k`` starts at the centre and makes one full turn outwards to radius 1, rotated by
    ``2 pi k / classes``; Gaussian noise of standard deviation ``noise`` is added to each
    coordinate (arms are 1/classes apart, so keep noise well below that; the default is 0.05).
    A linear classifier fails here; an MLP with two hidden layers does well.

    >>> X, y = spirals(n=300, noise=0.05, classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((300, 2), [100, 100, 100])
    """
    classes = checks.count(classes, "classes", minimum=2)
    n = checks.count(n, "n", minimum=classes)
    noise = checks.nonnegative(noise, "noise")
    rng = checks.generator(seed)
    sizes = _class_sizes(n, classes)
    radius = np.concatenate([np.linspace(0.0, 1.0, size) for size in sizes])
    y: np.ndarray = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    angle = 2.0 * np.pi * (y / classes + radius)
    X = _on_curve(radius * np.cos(angle), radius * np.sin(angle))
    return _noisy_and_shuffled(X, y, noise, rng)
