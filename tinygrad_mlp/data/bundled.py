"""The 8x8 handwritten digits that ship with the package (``tinygrad_mlp/datasets/``).

>>> from tinygrad_mlp import data
>>> X, y = data.digits()
>>> X[0].reshape(8, 8)[2].tolist(), int(y[0])
([0.0, 3.0, 15.0, 2.0, 0.0, 11.0, 8.0, 0.0], 0)
"""

from __future__ import annotations

import gzip
import io
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["digits"]


@lru_cache(maxsize=1)
def _digits_table() -> np.ndarray:
    # Several parts: the typeshed stub of Traversable says one; a package folder takes many.
    resource = resources.files("tinygrad_mlp").joinpath("datasets", "digits.csv.gz")  # type: ignore[call-arg]
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
