"""tinygrad_mlp.data.mnist: reading IDX files; a clear error for every way a file can be wrong."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tinygrad_mlp import data


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
