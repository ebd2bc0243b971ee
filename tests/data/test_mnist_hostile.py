"""MNIST IDX files made to hurt: gzip bombs, headers claiming more than the file, corrupted
deflate streams, empty sets; each a ValueError naming the file, one line from the CLI."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import pytest

from tinygrad_mlp import data

ROOT = Path(__file__).resolve().parents[2]


def header(magic: int, *dims: int) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)


def write_labels(folder: Path, n: int = 1) -> None:
    (folder / "train-labels-idx1-ubyte").write_bytes(header(0x801, n) + bytes(n))


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    images = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(images, "wb", compresslevel=9) as f:  # 1 image of 2x2 declared ...
        f.write(header(0x803, 1, 2, 2))
        for _ in range(200):
            f.write(bytes(1 << 20))  # ... and 200 MB of zeros after it
    write_labels(tmp_path)
    assert images.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz.*longer than its header"):
            data.load_mnist(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_a_small_gz_whose_header_claims_gigabytes_is_refused_at_once(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(header(0x803, 100_000, 1000, 1000) + bytes(100))
    )
    write_labels(tmp_path)
    with pytest.raises(ValueError, match=r"images-idx3-ubyte.gz.* is truncated.*more than its \d+"):
        data.load_mnist(tmp_path)


def test_a_plain_file_whose_header_claims_more_than_its_length_is_refused(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(header(0x803, 10**6, 28, 28) + bytes(784))
    write_labels(tmp_path)
    with pytest.raises(ValueError, match="images-idx3-ubyte.*truncated"):
        data.load_mnist(tmp_path)


def test_a_corrupted_deflate_stream_is_a_value_error_naming_the_file(tmp_path):
    pixels = bytes(range(256)) * 12 + bytes(4 * 784 - 256 * 12)
    raw = bytearray(gzip.compress(header(0x803, 4, 28, 28) + pixels))
    middle = len(raw) // 2
    raw[middle : middle + 8] = b"\xff" * 8  # inside the deflate stream
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(bytes(raw))
    write_labels(tmp_path, 4)
    with pytest.raises(ValueError, match="cannot read IDX file .*train-images-idx3-ubyte.gz"):
        data.load_mnist(tmp_path)


@pytest.mark.parametrize("dims, what", [((0, 28, 28), "no images"), ((3, 0, 28), "no pixels")])
def test_an_image_file_with_no_images_or_no_pixels_is_refused(tmp_path, dims, what):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(header(0x803, *dims))
    write_labels(tmp_path, dims[0])
    with pytest.raises(ValueError, match=f"images-idx3-ubyte.* holds .*{what}"):
        data.load_mnist(tmp_path)


def test_a_label_file_with_no_labels_is_refused(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(header(0x803, 1, 1, 1) + b"\x01")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(header(0x801, 0))
    with pytest.raises(ValueError, match="labels-idx1-ubyte.* holds no labels"):
        data.load_mnist(tmp_path)


def test_the_cli_reports_a_damaged_mnist_file_in_one_line(tmp_path):
    raw = bytearray(zlib.compress(b"x"))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(raw))
    write_labels(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_mlp", "train", "--dataset", "mnist", "--data-dir",
         str(tmp_path), "--out", str(tmp_path / "run"), "--epochs", "1"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "train-images-idx3-ubyte.gz" in done.stderr
    assert "Traceback" not in done.stderr
