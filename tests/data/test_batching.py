"""tinygrad_mlp.data.batching: minibatches of one epoch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_mlp import data


@given(
    n=st.integers(0, 60),
    batch_size=st.one_of(st.none(), st.integers(1, 70)),
    shuffle=st.booleans(),
    seed=st.integers(0, 1000),
)
@settings(max_examples=100, deadline=None)
def test_batches_cover_every_example_exactly_once(n, batch_size, shuffle, seed):
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n)
    got = list(data.batches(X, y, batch_size, shuffle=shuffle, seed=seed))
    seen = np.concatenate([yb for _, yb in got]) if got else np.array([], dtype=int)
    assert sorted(seen.tolist()) == list(range(n))
    for Xb, yb in got:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)  # rows stay with their labels
    size = n if batch_size is None else batch_size
    sizes = [len(yb) for _, yb in got]
    assert all(s == size for s in sizes[:-1]) and (not sizes or 0 < sizes[-1] <= size)
    if not shuffle:
        assert seen.tolist() == list(range(n))


def test_batches_keep_last_smaller_batch():
    X, y = np.zeros((10, 2)), np.arange(10)
    assert [len(yb) for _, yb in data.batches(X, y, 4)] == [4, 4, 2]


def test_batches_none_is_one_full_batch():
    X, y = data.moons(n=30)
    (Xb, yb), *rest = data.batches(X, y, None, shuffle=False)
    assert rest == [] and Xb.shape == (30, 2)
    np.testing.assert_array_equal(yb, y)


def test_batches_int_seed_repeats_order():
    X, y = np.zeros((20, 1)), np.arange(20)
    first = [yb.tolist() for _, yb in data.batches(X, y, 6, seed=3)]
    again = [yb.tolist() for _, yb in data.batches(X, y, 6, seed=3)]
    assert first == again and first != [list(range(20))]


def test_batches_generator_reshuffles_each_epoch_reproducibly():
    X, y = np.zeros((20, 1)), np.arange(20)

    def orders(seed):
        rng = np.random.default_rng(seed)
        return [np.concatenate([yb for _, yb in data.batches(X, y, 8, seed=rng)]) for _ in range(3)]

    run1, run2 = orders(0), orders(0)
    assert all(np.array_equal(a, b) for a, b in zip(run1, run2, strict=True))
    assert not np.array_equal(run1[0], run1[1])


def test_batches_check_arguments_at_call_not_on_first_use():
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        data.batches(np.zeros((4, 2)), np.zeros(4), 0)


@pytest.mark.parametrize("batch_size", [0, -3])
def test_batches_reject_nonpositive_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        data.batches(np.zeros((4, 2)), np.zeros(4), batch_size)


def test_batches_reject_non_int_batch_size():
    with pytest.raises(TypeError, match="batch_size must be an int"):
        data.batches(np.zeros((4, 2)), np.zeros(4), 2.5)


def test_batches_reject_mismatched_lengths():
    with pytest.raises(ValueError, match=r"X has 4.*y has 3"):
        data.batches(np.zeros((4, 2)), np.zeros(3), 2)


def test_batches_reject_2d_labels():
    with pytest.raises(ValueError, match="y must be 1-D"):
        data.batches(np.zeros((4, 2)), np.zeros((4, 1)), 2)
