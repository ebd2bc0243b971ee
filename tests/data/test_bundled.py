"""tinygrad_mlp.data.bundled: the 8x8 digits shipped with the package."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np

from tinygrad_mlp import data

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def test_digits_file_is_scikit_learns_copy():
    raw = resources.files("tinygrad_mlp").joinpath("datasets", "digits.csv.gz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == DIGITS_SHA256


def test_digits_shapes_and_dtypes():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64


def test_digits_pixel_values_are_counts_0_to_16():
    X, _ = data.digits()
    assert X.min() == 0 and X.max() == 16
    assert np.array_equal(X, np.round(X))


def test_digits_label_counts_match_scikit_learn():
    _, y = data.digits()
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_first_image_is_scikit_learns_zero():
    X, y = data.digits()
    assert y[:5].tolist() == [0, 1, 2, 3, 4]
    assert X[0, :16].tolist() == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]


def test_digits_returns_fresh_writable_arrays():
    X, y = data.digits()
    X[0, 0] = 99.0
    y[0] = 9
    X2, y2 = data.digits()
    assert X2[0, 0] == 0.0 and y2[0] == 0
