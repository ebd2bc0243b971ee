"""MNIST (and any dataset in its IDX format, such as Fashion-MNIST) read from a folder of files.

Nothing is downloaded and nothing is unpickled; the sizes a file's header gives are checked against
its length before an array is made from it, and a `.gz` file is inflated a chunk at a time, never
past the size its header declares (a small file that would inflate to gigabytes is refused).

>>> import gzip, os, tempfile
>>> from tinygrad_mlp import data
>>> tmp = tempfile.TemporaryDirectory()
>>> folder = tmp.name
>>> images = (0x803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (2, 2, 2))
>>> labels = (0x801).to_bytes(4, "big") + (2).to_bytes(4, "big")
>>> with open(os.path.join(folder, "t10k-images-idx3-ubyte"), "wb") as f:
...     _ = f.write(images + bytes([0, 255, 0, 255, 255, 255, 0, 0]))
>>> with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
...     _ = f.write(labels + bytes([7, 1]))
>>> X, y = data.load_mnist(folder, kind="test")
>>> X.tolist(), y.tolist()
([[0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]], [7, 1])
>>> tmp.cleanup()
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from typing import Protocol

import numpy as np

__all__ = ["load_mnist"]

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


_CHUNK = 1 << 20  # inflate a .gz this much at a time, never more than the header declares
_DEFLATE_MAX_RATIO = 1032  # deflate cannot expand a byte into more than about this many


class _Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


def _read_exactly(f: _Readable, n: int) -> bytes:
    """Up to `n` bytes from `f`, read in chunks: memory grows with what is there, not with n."""
    parts, left = [], n
    while left > 0:
        part = f.read(min(left, _CHUNK))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _read_idx(path: str, magic: int, ndim: int) -> np.ndarray:
    """The array an IDX file holds, its header checked before its body is read (or inflated)."""
    header = 4 + 4 * ndim
    stored = os.stat(path).st_size
    try:
        with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
            head = _read_exactly(f, header)
            found = int.from_bytes(head[:4], "big") if len(head) >= 4 else None
            if found is not None and found != magic:
                raise ValueError(
                    f"IDX file {path!r} has magic number 0x{found:08x}, expected 0x{magic:08x} "
                    f"(unsigned bytes, {ndim}-D); is it the right file?"
                )
            if len(head) < header:
                raise ValueError(
                    f"IDX file {path!r} is truncated: {len(head)} bytes, shorter than its "
                    f"{header}-byte header"
                )
            shape = tuple(int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
            if math.prod(shape) == 0:
                what = (
                    "no labels"
                    if ndim == 1
                    else "no images"
                    if shape[0] == 0
                    else "images of no pixels"
                )
                raise ValueError(f"IDX file {path!r} holds {what}: its header gives shape {shape}")
            size = math.prod(shape)
            limit = stored * (_DEFLATE_MAX_RATIO if path.endswith(".gz") else 1)
            if header + size > limit:
                raise ValueError(
                    f"IDX file {path!r} is truncated: header gives shape {shape}, so "
                    f"{header + size} bytes, more than its {stored} bytes can hold"
                )
            body = _read_exactly(f, size + 1)  # one byte more: is there anything past the end?
    except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"cannot read IDX file {path!r}: {err}") from None
    if len(body) != size:
        problem = "truncated" if len(body) < size else "longer than its header says"
        has = "holds more" if len(body) > size else f"has {header + len(body)}"
        raise ValueError(
            f"IDX file {path!r} is {problem}: header gives shape {shape}, so "
            f"{header + size} bytes, but it {has}"
        )
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def load_mnist(path: str | os.PathLike[str], kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (or any dataset in its IDX format, e.g. Fashion-MNIST) from a folder.

    ``kind="train"`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``;
    ``kind="test"`` (or ``"t10k"``) reads ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte``. Each file may be gzipped (``.gz`` suffix). Nothing is
    downloaded and nothing is unpickled.

    Returns ``X`` float64 of shape (n, rows*cols), i.e. (n, 784) for MNIST, pixels scaled from
    0..255 to [0, 1], and ``y`` int64 of shape (n,). A missing folder or file raises
    FileNotFoundError; a wrong magic number, a truncated file or images and labels that disagree
    raise ValueError; each message names the file. The module's example writes a tiny set and
    reads it back; on the real MNIST test files, ``X.shape`` is (10000, 784).
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
