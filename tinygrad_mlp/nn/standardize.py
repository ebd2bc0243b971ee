"""`Standardize`: a model's input preparation as a module, saved with the model.

A network trained on standardised features, (x - mean) / std with the training set's
statistics, must see its inputs prepared the same way ever after. Kept inside the model (an
`MLP(..., standardize=...)` runs it first), the statistics travel in the model file, so a
reloaded model takes raw features.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Value
from .module import Module

__all__ = ["Standardize"]


class Standardize(Module):
    """(x - mean) / std per feature, with fixed statistics: no parameters, nothing learnt.

    >>> import numpy as np
    >>> prepare = Standardize(mean=[2.0, 5.0], std=[1.0, 0.5])
    >>> prepare(np.array([[3.0, 5.0], [1.0, 6.0]])).data
    array([[ 1.,  0.],
           [-1.,  2.]])

    The statistics come from the training set, e.g. `data.standardize(X_train)`'s mean and
    std; each std must be positive (a constant column gets std 1 there).
    """

    architecture_args = ("mean", "std")

    def __init__(self, mean: Any, std: Any) -> None:
        m = np.asarray(mean, dtype=np.float64)
        s = np.asarray(std, dtype=np.float64)
        if m.ndim != 1 or m.shape != s.shape or m.size == 0:
            raise ValueError(
                f"Standardize needs a mean and a std per feature, 1-D and of one length, got "
                f"shapes {m.shape} and {s.shape}"
            )
        if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and np.all(s > 0)):
            raise ValueError("Standardize: the mean must be finite and every std finite and > 0")
        # JSON lists (what the model file keeps) and arrays (what forward uses)
        self.mean = m.tolist()
        self.std = s.tolist()
        self._arrays: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {np.dtype(np.float64): (m, s)}

    @property
    def nin(self) -> int:
        """How many features it prepares."""
        return len(self.mean)

    def forward(self, x: Value) -> Value:
        if x.ndim == 0 or x.shape[-1] != self.nin:
            raise ValueError(
                f"Standardize expects inputs with {self.nin} features on the last axis, got "
                f"shape {x.shape}"
            )
        arrays = self._arrays.get(x.dtype)
        if arrays is None:
            m, s = self._arrays[np.dtype(np.float64)]
            arrays = self._arrays[x.dtype] = (m.astype(x.dtype), s.astype(x.dtype))
        mean, std = arrays
        return (x - mean) / std

    def extra_repr(self) -> str:
        return f"{self.nin} features"
