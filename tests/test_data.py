"""Tests for tinygrad_mlp.data: toy datasets, digits, MNIST IDX files and data preparation."""

from __future__ import annotations

import ast
import gzip
import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_mlp import data

TOYS = [data.xor, data.moons, data.circles, data.spirals]
toy_ids = [f.__name__ for f in TOYS]


# --------------------------------------------------------------------------- toy datasets


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_shapes_and_dtypes(make):
    X, y = make(n=61, noise=0.1, seed=3)
    assert X.shape == (61, 2) and X.dtype == np.float64
    assert y.shape == (61,) and y.dtype == np.int64


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_same_seed_same_data(make):
    X1, y1 = make(n=50, seed=7)
    X2, y2 = make(n=50, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_different_seed_different_data(make):
    X1, _ = make(n=50, seed=0)
    X2, _ = make(n=50, seed=1)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_default_seed_is_zero(make):
    np.testing.assert_array_equal(make()[0], make(seed=0)[0])


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_generator_seed_advances(make):
    rng = np.random.default_rng(0)
    X1, _ = make(n=40, seed=rng)
    X2, _ = make(n=40, seed=rng)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("make", [data.xor, data.moons, data.circles], ids=toy_ids[:3])
@given(n=st.integers(2, 500))
@settings(max_examples=25, deadline=None)
def test_binary_toy_classes_are_balanced(make, n):
    _, y = make(n=n, seed=0)
    counts = np.bincount(y, minlength=2)
    assert set(np.unique(y).tolist()) <= {0, 1} and len(counts) == 2
    assert counts.sum() == n and abs(counts[0] - counts[1]) <= 1


@given(n=st.integers(4, 500), classes=st.integers(2, 4))
@settings(max_examples=25, deadline=None)
def test_spirals_classes_are_balanced(n, classes):
    _, y = data.spirals(n=n, classes=classes, seed=0)
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_spirals_default_has_three_classes():
    _, y = data.spirals()
    assert np.bincount(y).tolist() == [100, 100, 100]


def test_toys_are_shuffled():
    _, y = data.moons(n=100, seed=0)
    assert not np.array_equal(y, np.sort(y))


def test_moons_without_noise_lie_on_sklearn_half_circles():
    X, y = data.moons(n=101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    # make_moons: upper (cos t, sin t), lower (1 - cos t, 0.5 - sin t), t in [0, pi]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    ends = {tuple(np.round(p, 9)) for p in np.vstack([upper, lower])}
    assert {(1.0, 0.0), (-1.0, 0.0), (0.0, 0.5), (2.0, 0.5)} <= ends


def test_moons_noise_0_1_classes_separable_by_nearest_neighbour():
    # every point's nearest neighbour has its label, so a small MLP can fit the training set
    X, y = data.moons(n=200, noise=0.1, seed=0)
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(dist, np.inf)
    assert np.array_equal(y[dist.argmin(axis=1)], y)


def test_circles_without_noise_have_two_radii():
    X, y = data.circles(n=20, noise=0.0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_xor_without_noise_labels_sign_disagreement():
    X, y = data.xor(n=100, noise=0.0)
    assert np.array_equal(y == 1, X[:, 0] * X[:, 1] < 0)


def test_noise_zero_moons_ignores_seed():
    X1, y1 = data.moons(n=30, noise=0.0, seed=0)
    X2, y2 = data.moons(n=30, noise=0.0, seed=1)
    order1, order2 = np.lexsort(X1.T), np.lexsort(X2.T)
    np.testing.assert_array_equal(X1[order1], X2[order2])
    np.testing.assert_array_equal(y1[order1], y2[order2])


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
@pytest.mark.parametrize("n", [0, -5])
def test_toy_rejects_nonpositive_n(make, n):
    with pytest.raises(ValueError, match="n must be"):
        make(n=n)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_rejects_non_int_n(make):
    with pytest.raises(TypeError, match="n must be an int"):
        make(n=10.5)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf")])
def test_toy_rejects_bad_noise(make, noise):
    with pytest.raises(ValueError, match="noise must be"):
        make(n=10, noise=noise)


@pytest.mark.parametrize("make", TOYS, ids=toy_ids)
def test_toy_rejects_bad_seed(make):
    with pytest.raises(TypeError, match="seed must be"):
        make(n=10, seed="zero")


def test_spirals_rejects_fewer_examples_than_classes():
    with pytest.raises(ValueError, match="n must be >= 5"):
        data.spirals(n=4, classes=5)


def test_spirals_rejects_one_class():
    with pytest.raises(ValueError, match="classes must be >= 2"):
        data.spirals(classes=1)


@pytest.mark.parametrize("factor", [0.0, 1.0, -0.5])
def test_circles_rejects_bad_factor(factor):
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=factor)


def test_to_pm1_maps_zero_one_to_minus_plus_one():
    out = data.to_pm1(np.array([1, 0, 0, 1]))
    assert out.dtype == np.float64 and out.tolist() == [1.0, -1.0, -1.0, 1.0]


def test_to_pm1_rejects_other_labels():
    with pytest.raises(ValueError, match=r"\{0, 1\}.*\[2\]"):
        data.to_pm1(np.array([0, 1, 2]))


# --------------------------------------------------------------------------- digits

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


# --------------------------------------------------------------------------- MNIST IDX files


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    dims = b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return magic.to_bytes(4, "big") + dims + array.tobytes()


def write_mnist(folder: Path, prefix: str, images, labels, gz: bool = False) -> tuple[Path, Path]:
    paths = []
    for stem, array in [("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)]:
        path = folder / f"{prefix}-{stem}{'.gz' if gz else ''}"
        raw = array if isinstance(array, bytes) else idx_bytes(array)
        path.write_bytes(gzip.compress(raw) if gz else raw)
        paths.append(path)
    return paths[0], paths[1]


def fake_mnist(n: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("kind,prefix", [("train", "train"), ("test", "t10k"), ("t10k", "t10k")])
def test_mnist_round_trip(tmp_path, gz, kind, prefix):
    images, labels = fake_mnist()
    write_mnist(tmp_path, prefix, images, labels, gz=gz)
    X, y = data.load_mnist(tmp_path, kind=kind)
    assert X.shape == (5, 784) and X.dtype == np.float64
    assert y.dtype == np.int64
    np.testing.assert_array_equal(X, images.reshape(5, 784) / 255.0)
    np.testing.assert_array_equal(y, labels)


def test_mnist_scales_pixels_to_unit_interval(tmp_path):
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[1] = 255
    write_mnist(tmp_path, "train", images, np.array([3, 7]))
    X, _ = data.load_mnist(str(tmp_path))
    assert X[0].max() == 0.0 and X[1].min() == 1.0


def test_mnist_accepts_dotted_file_names(tmp_path):
    images, labels = fake_mnist()
    (tmp_path / "train-images.idx3-ubyte").write_bytes(idx_bytes(images))
    (tmp_path / "train-labels.idx1-ubyte").write_bytes(idx_bytes(labels))
    _, y = data.load_mnist(tmp_path)
    np.testing.assert_array_equal(y, labels)


def test_mnist_missing_folder(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        data.load_mnist(missing)


def test_mnist_missing_file(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", images, labels)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        data.load_mnist(tmp_path, kind="test")


def test_mnist_missing_labels_file(tmp_path):
    images, _ = fake_mnist()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        data.load_mnist(tmp_path)


def test_mnist_rejects_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        data.load_mnist(tmp_path, kind="validation")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_mnist_truncated_images(tmp_path, gz):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", idx_bytes(images)[:-10], labels, gz=gz)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*truncated"):
        data.load_mnist(tmp_path)


def test_mnist_truncated_header(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", idx_bytes(images)[:9], labels)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*header"):
        data.load_mnist(tmp_path)


def test_mnist_trailing_bytes(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", images, idx_bytes(labels) + b"\x00")
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.*longer"):
        data.load_mnist(tmp_path)


def test_mnist_wrong_magic(tmp_path):
    images, labels = fake_mnist()
    # a labels file where the images file should be
    write_mnist(tmp_path, "train", idx_bytes(labels), labels)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*magic number 0x00000801"):
        data.load_mnist(tmp_path)


def test_mnist_wrong_magic_in_labels(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", images, idx_bytes(labels, magic=0x0D01))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.*magic"):
        data.load_mnist(tmp_path)


def test_mnist_image_and_label_counts_disagree(tmp_path):
    images, labels = fake_mnist(n=5)
    write_mnist(tmp_path, "train", images, labels[:4])
    with pytest.raises(ValueError, match=r"5 images.*4 labels"):
        data.load_mnist(tmp_path)


def test_mnist_corrupt_gzip(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", images, labels, gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        data.load_mnist(tmp_path)


def test_mnist_not_gzip_despite_suffix(tmp_path):
    images, labels = fake_mnist()
    write_mnist(tmp_path, "train", images, labels)
    (tmp_path / "train-images-idx3-ubyte").rename(tmp_path / "train-images-idx3-ubyte.gz")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        data.load_mnist(tmp_path)


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


@pytest.mark.parametrize("test_size", [0, 0.0, 1, 1.0, -0.2, 1.5, float("nan"), "0.2"])
def test_split_rejects_test_size_outside_unit_interval(test_size):
    with pytest.raises(ValueError, match="test_size"):
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


# --------------------------------------------------------------------------- batches


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


def test_mnist_empty_file(tmp_path):
    _, labels = fake_mnist()
    write_mnist(tmp_path, "train", b"", labels)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*truncated: 0 bytes"):
        data.load_mnist(tmp_path)


def test_mnist_path_is_a_file_not_a_folder(tmp_path):
    file = tmp_path / "mnist.gz"
    file.write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=r"mnist\.gz.*not a folder"):
        data.load_mnist(file)


def test_data_module_imports_nothing_else_from_the_package():
    tree = ast.parse(Path(data.__file__).read_text())
    imported = [
        node.module or "" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [m for m in imported if m.startswith("tinygrad_mlp") or m.startswith(".")]
    assert all(node.level == 0 for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))
