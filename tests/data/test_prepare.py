"""tinygrad_mlp.data.prepare: train_test_split, standardize and one_hot."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_mlp import data

# --------------------------------------------------------------------------- train_test_split


def test_split_sizes_and_partition():
    X = np.arange(100.0).reshape(50, 2)
    y = np.arange(50)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2)
    assert len(X_train) == len(y_train) == 40 and len(X_test) == len(y_test) == 10
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(50))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)


def test_split_is_deterministic_per_seed():
    X, y = data.moons(n=50)
    a = data.train_test_split(X, y, seed=1)
    b = data.train_test_split(X, y, seed=1)
    c = data.train_test_split(X, y, seed=2)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])


@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=5),
    test_size=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=50, deadline=None)
def test_stratified_split_keeps_class_proportions(counts, test_size, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.arange(len(y), dtype=float)[:, None]
    n = len(y)
    _, X_test, y_train, y_test = data.train_test_split(
        X, y, test_size=test_size, seed=seed, stratify=True
    )
    n_test = min(max(round(test_size * n), 1), n - 1)
    assert len(y_test) == n_test and len(y_train) == n - n_test
    test_counts = np.bincount(y_test, minlength=len(counts))
    # each class gets its share of the test set, rounded up or down
    assert np.all(np.abs(test_counts - np.array(counts) * n_test / n) < 1)
    assert len(set(X_test[:, 0].tolist())) == len(X_test)  # no example drawn twice


def test_stratified_split_on_moons():
    X, y = data.moons(n=100)
    *_, y_train, y_test = data.train_test_split(X, y, test_size=0.3, stratify=True)
    assert np.bincount(y_test).tolist() == [15, 15]
    assert np.bincount(y_train).tolist() == [35, 35]


@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.2, 1.5, float("nan")])
def test_split_rejects_test_size_outside_unit_interval(test_size):
    with pytest.raises(ValueError, match="test_size must be a fraction strictly between 0 and 1"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), test_size=test_size)


@pytest.mark.parametrize("test_size", ["0.2", None, True])
def test_split_rejects_test_size_that_is_not_a_number(test_size):
    with pytest.raises(TypeError, match="test_size must be a fraction"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), test_size=test_size)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"X has 10.*y has 9"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(9))


def test_split_needs_two_examples():
    with pytest.raises(ValueError, match="at least 2"):
        data.train_test_split(np.zeros((1, 2)), np.zeros(1))


# --------------------------------------------------------------------------- standardize


def test_standardize_gives_zero_mean_unit_std():
    X, _ = data.digits()
    X_std, X_none, mean, std = data.standardize(X[:, 8:16])
    assert X_none is None
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_std.std(axis=0), 1.0)
    np.testing.assert_allclose(mean, X[:, 8:16].mean(axis=0))


def test_standardize_uses_training_statistics_for_test_set():
    X_train = np.array([[0.0, 10.0], [2.0, 30.0]])
    X_test = np.array([[4.0, 20.0]])
    _, X_test_std, mean, std = data.standardize(X_train, X_test)
    assert mean.tolist() == [1.0, 20.0] and std.tolist() == [1.0, 10.0]
    assert X_test_std.tolist() == [[3.0, 0.0]]


@pytest.mark.parametrize("value", [0.0, 0.1, 1e6, -3.7])
def test_standardize_constant_column_becomes_zero_not_nan(value):
    X = np.column_stack([np.full(7, value), np.arange(7.0)])
    X_std, X_test_std, _, std = data.standardize(X, np.array([[value, 1.0]]))
    assert np.all(np.isfinite(X_std)) and np.all(np.isfinite(X_test_std))
    assert std[0] == 1.0
    np.testing.assert_allclose(X_std[:, 0], 0.0, atol=1e-9)


def test_standardize_digits_has_constant_columns_without_nan():
    X, _ = data.digits()
    X_std, *_ = data.standardize(X)
    assert np.all(np.isfinite(X_std))


def test_standardize_rejects_bad_shapes():
    with pytest.raises(ValueError, match="X_train must be 2-D"):
        data.standardize(np.zeros(5))
    with pytest.raises(ValueError, match=r"X_test must be 2-D with the same 2 columns.*\(4, 3\)"):
        data.standardize(np.zeros((5, 2)), np.zeros((4, 3)))


# --------------------------------------------------------------------------- one_hot


def test_one_hot_rows():
    out = data.one_hot(np.array([2, 0, 1, 2]))
    assert out.dtype == np.float64 and out.shape == (4, 3)
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1, 2]])


@given(y=st.lists(st.integers(0, 9), min_size=1, max_size=50), extra=st.integers(0, 3))
@settings(max_examples=50, deadline=None)
def test_one_hot_argmax_inverts(y, extra):
    y = np.array(y)
    out = data.one_hot(y, num_classes=int(y.max()) + 1 + extra)
    assert np.all(out.sum(axis=1) == 1.0)
    np.testing.assert_array_equal(out.argmax(axis=1), y)


def test_one_hot_accepts_integral_floats():
    np.testing.assert_array_equal(data.one_hot(np.array([1.0, 0.0])), [[0.0, 1.0], [1.0, 0.0]])


def test_one_hot_empty_with_num_classes():
    assert data.one_hot(np.array([], dtype=int), num_classes=4).shape == (0, 4)


@pytest.mark.parametrize(
    "y,num_classes,match",
    [
        ([0, 3], 3, r"0\.\.2.*\[3\]"),
        ([-1, 0], 2, r"\[-1\]"),
        ([0.5, 1.0], None, "integer class labels"),
        ([[0, 1]], None, "1-D"),
        ([], None, "num_classes must be given"),
        ([0, 1], 0, "num_classes must be >= 1"),
    ],
)
def test_one_hot_errors(y, num_classes, match):
    with pytest.raises(ValueError, match=match):
        data.one_hot(np.array(y), num_classes=num_classes)
