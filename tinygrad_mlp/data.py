"""Datasets and the small chores around them: toy 2-D problems, the 8x8 digits, MNIST from IDX
files, a train/test split, standardization, one-hot targets and a minibatch iterator.

Pure numpy; nothing here imports the rest of the package.

Conventions
-----------
- Inputs ``X`` are float64 arrays of shape ``(n, features)``: one row per example, one column per
  neuron of the input layer.
- Class labels ``y`` are 1-D int64 arrays holding ``0 .. k-1``. Binary problems use 0/1; a loss
  that wants -1/+1 targets (the hinge loss) gets them from :func:`to_pm1`.
- Randomness comes from a ``seed``: an int (the same int gives the same data, every time) or a
  ``numpy.random.Generator`` (which is advanced, so successive calls differ reproducibly).

>>> X, y = moons(n=100, noise=0.1, seed=0)
>>> X.shape, X.dtype, sorted(set(y.tolist()))
((100, 2), dtype('float64'), [0, 1])
"""

from __future__ import annotations

import gzip
import io
import math
import numbers
import os
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import overload

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "xor",
    "moons",
    "circles",
    "spirals",
    "digits",
    "load_mnist",
    "to_pm1",
    "train_test_split",
    "standardize",
    "one_hot",
    "batches",
]

# --------------------------------------------------------------------------- argument checks


def _check_count(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a real number, got {type(noise).__name__} {noise!r}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    return float(noise)


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be an int or a numpy.random.Generator, got {type(seed).__name__} {seed!r}"
        )
    return np.random.default_rng(int(seed))


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split n examples as evenly as possible: the first ``n % classes`` classes get one more."""
    return [n // classes + (k < n % classes) for k in range(classes)]


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def _check_samples(X_like: ArrayLike, y_like: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X_like)
    y = np.asarray(y_like)
    if X.ndim == 0:
        raise ValueError("X must have at least one axis (one row per example), got a scalar")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per example), got shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(
            f"X and y must hold the same number of examples: X has {len(X)} "
            f"(shape {X.shape}), y has {len(y)} (shape {y.shape})"
        )
    return X, y


# --------------------------------------------------------------------------- toy 2-D problems


def xor(
    n: int = 100, noise: float = 0.1, *, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points in the four quadrants, label 1 where x and y differ in sign.

    Points are drawn uniformly in the unit square of each quadrant (quadrants filled evenly),
    labelled by their quadrant, then Gaussian noise of standard deviation ``noise`` is added.
    No single neuron can separate the classes; one hidden layer can.

    >>> X, y = xor(n=8, noise=0.0, seed=1)
    >>> bool(np.all((X[:, 0] * X[:, 1] < 0) == (y == 1)))
    True
    """
    n = _check_count(n, "n", minimum=2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    # quadrant signs, ordered so that the classes alternate: (+,+)->0, (+,-)->1, (-,-)->0, (-,+)->1
    signs = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0]])
    sizes = _class_sizes(n, 4)
    quadrant: np.ndarray = np.repeat(np.arange(4), sizes)
    X = rng.uniform(0.0, 1.0, size=(n, 2)) * signs[quadrant]
    y: np.ndarray = (quadrant % 2).astype(np.int64)
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffled(X, y, rng)


def moons(
    n: int = 100, noise: float = 0.1, *, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the geometry of scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in ``[0, pi]``; Gaussian noise of standard
    deviation ``noise`` is added to each coordinate.

    >>> X, y = moons(n=100, noise=0.1, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 2), [50, 50])
    """
    n = _check_count(n, "n", minimum=2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    n_upper, n_lower = _class_sizes(n, 2)
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower])
    y: np.ndarray = np.repeat(np.array([0, 1], dtype=np.int64), [n_upper, n_lower])
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffled(X, y, rng)


def circles(
    n: int = 100,
    noise: float = 0.1,
    *,
    factor: float = 0.5,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one: class 0 on the unit circle, class 1 at radius ``factor``.

    Points are evenly spaced in angle, then Gaussian noise of standard deviation ``noise`` is
    added. (scikit-learn's ``make_circles`` uses ``factor=0.8`` by default.)

    >>> X, y = circles(n=10, noise=0.0, factor=0.5)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6)[y == 1].tolist()
    [0.5, 0.5, 0.5, 0.5, 0.5]
    """
    n = _check_count(n, "n", minimum=2)
    noise = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1), got {factor!r}")
    rng = _rng(seed)
    n_outer, n_inner = _class_sizes(n, 2)
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = float(factor) * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    X = np.vstack([outer, inner])
    y: np.ndarray = np.repeat(np.array([0, 1], dtype=np.int64), [n_outer, n_inner])
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffled(X, y, rng)


def spirals(
    n: int = 300,
    noise: float = 0.05,
    *,
    classes: int = 3,
    seed: int | np.random.Generator = 0,
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
    classes = _check_count(classes, "classes", minimum=2)
    n = _check_count(n, "n", minimum=classes)
    noise = _check_noise(noise)
    rng = _rng(seed)
    sizes = _class_sizes(n, classes)
    radius = np.concatenate([np.linspace(0.0, 1.0, size) for size in sizes])
    y: np.ndarray = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    angle = 2.0 * np.pi * (y / classes + radius)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += rng.normal(0.0, noise, size=X.shape)
    return _shuffled(X, y, rng)


def to_pm1(labels: ArrayLike) -> np.ndarray:
    """Map binary labels {0, 1} to float targets {-1.0, +1.0}, as the hinge loss wants them.

    >>> to_pm1(np.array([0, 1, 1])).tolist()
    [-1.0, 1.0, 1.0]
    """
    y = np.asarray(labels)
    bad = ~np.isin(y, (0, 1))
    if np.any(bad):
        raise ValueError(
            f"to_pm1 expects labels in {{0, 1}}, got {np.unique(y[bad])[:5].tolist()} "
            f"(shape {y.shape})"
        )
    return np.where(y == 1, 1.0, -1.0)


# --------------------------------------------------------------------------- real data


@lru_cache(maxsize=1)
def _digits_table() -> np.ndarray:
    resource = resources.files("tinygrad_mlp").joinpath("datasets", "digits.csv.gz")
    try:
        raw = resource.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the digits data file is missing from the installed package ({resource}); "
            "reinstall tinygrad_mlp (it ships tinygrad_mlp/datasets/digits.csv.gz)"
        ) from None
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.float64)
    table.setflags(write=False)
    return table


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits, exactly as scikit-learn ships them (no scikit-learn needed).

    Returns ``X`` float64 of shape (1797, 64), pixel counts 0..16 (reshape a row to (8, 8) to see
    the image), and ``y`` int64 of shape (1797,), the digit 0..9. Each call returns fresh arrays.
    Source: UCI ML hand-written digits (Alpaydin & Kaynak), CC BY 4.0; see
    ``tinygrad_mlp/datasets/README.md``.

    >>> X, y = digits()
    >>> X.shape, y.shape, int(X.max()), int(y[0])
    ((1797, 64), (1797,), 16, 0)
    """
    table = _digits_table()
    return table[:, :64].copy(), table[:, 64].astype(np.int64)


_IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


def _find_idx_file(folder: str, prefix: str, stem: str) -> str:
    tried = []
    for sep in ("-", "."):  # the official names use '-', some mirrors use '.'
        for ext in ("", ".gz"):
            candidate = os.path.join(folder, f"{prefix}-{stem.replace('-', sep, 1)}{ext}")
            if os.path.isfile(candidate):
                return candidate
            tried.append(os.path.basename(candidate))
    raise FileNotFoundError(
        f"no MNIST file {prefix}-{stem}[.gz] in {folder!r} (looked for: {', '.join(tried)})"
    )


def _read_idx(path: str, magic: int, ndim: int) -> np.ndarray:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"cannot read IDX file {path!r}: {err}") from None
    header = 4 + 4 * ndim
    found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if found is not None and found != magic:
        raise ValueError(
            f"IDX file {path!r} has magic number 0x{found:08x}, expected 0x{magic:08x} "
            f"(unsigned bytes, {ndim}-D); is it the right file?"
        )
    if len(raw) < header:
        raise ValueError(
            f"IDX file {path!r} is truncated: {len(raw)} bytes, shorter than its "
            f"{header}-byte header"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + math.prod(shape)
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "longer than its header says"
        raise ValueError(
            f"IDX file {path!r} is {problem}: header gives shape {shape}, so "
            f"{expected} bytes, but the file has {len(raw)}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(path: str | os.PathLike[str], kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (or any dataset in its IDX format, e.g. Fashion-MNIST) from a folder.

    ``kind="train"`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``;
    ``kind="test"`` (or ``"t10k"``) reads ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte``. Each file may be gzipped (``.gz`` suffix). Nothing is
    downloaded and nothing is unpickled.

    Returns ``X`` float64 of shape (n, rows*cols), i.e. (n, 784) for MNIST, pixels scaled from
    0..255 to [0, 1], and ``y`` int64 of shape (n,). A missing folder or file raises
    FileNotFoundError; a wrong magic number, a truncated file or images and labels that disagree
    raise ValueError; each message names the file.

    >>> X, y = load_mnist("~/data/mnist", kind="test")  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """
    folder = os.path.expanduser(os.fspath(path))
    prefixes = {"train": "train", "test": "t10k", "t10k": "t10k"}
    if kind not in prefixes:
        raise ValueError(f"kind must be 'train' or 'test', got {kind!r}")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"MNIST folder {folder!r} does not exist or is not a folder")
    prefix = prefixes[kind]
    images_path = _find_idx_file(folder, prefix, "images-idx3-ubyte")
    labels_path = _find_idx_file(folder, prefix, "labels-idx1-ubyte")
    images = _read_idx(images_path, _IDX_IMAGES_MAGIC, 3)
    labels = _read_idx(labels_path, _IDX_LABELS_MAGIC, 1)
    if len(images) != len(labels):
        raise ValueError(
            f"MNIST files disagree: {images_path!r} holds {len(images)} images but "
            f"{labels_path!r} holds {len(labels)} labels"
        )
    pixels: np.ndarray = images.reshape(len(images), -1) / 255.0  # uint8 / float -> float64
    return pixels, labels.astype(np.int64)


# --------------------------------------------------------------------------- preparing data


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

    >>> X, y = moons(n=100)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=True)
    >>> len(X_train), len(X_test), np.bincount(y_test).tolist()
    (75, 25, [13, 12])
    """
    X, y = _check_samples(X, y)
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, numbers.Real)
        or not 0 < test_size < 1
    ):
        raise ValueError(
            f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}"
        )
    n = len(y)
    if n < 2:
        raise ValueError(f"train_test_split needs at least 2 examples, got {n}")
    n_test = min(max(round(test_size * n), 1), n - 1)
    rng = _rng(seed)
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
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per example), got shape {y.shape}")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    if num_classes is None:
        if len(y) == 0:
            raise ValueError("num_classes must be given when y is empty")
        num_classes = int(y.max()) + 1
    num_classes = _check_count(num_classes, "num_classes")
    outside = (y < 0) | (y >= num_classes)
    if np.any(outside):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1} for num_classes={num_classes}, "
            f"got {np.unique(y[outside])[:5].tolist()}"
        )
    out = np.zeros((len(y), num_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


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

    >>> X, y = moons(n=10)
    >>> rng = np.random.default_rng(0)
    >>> for epoch in range(2):
    ...     sizes = [len(yb) for Xb, yb in batches(X, y, batch_size=4, seed=rng)]
    >>> sizes
    [4, 4, 2]
    """
    X, y = _check_samples(X, y)
    n = len(y)
    if batch_size is None:
        batch_size = max(n, 1)
    batch_size = _check_count(batch_size, "batch_size")
    order = _rng(seed).permutation(n) if shuffle else None

    def epoch() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, n, batch_size):
            if order is None:
                yield X[start : start + batch_size], y[start : start + batch_size]
            else:
                idx = order[start : start + batch_size]
                yield X[idx], y[idx]

    return epoch()
