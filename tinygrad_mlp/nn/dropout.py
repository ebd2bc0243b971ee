"""`Dropout`: during training, zero each input element with probability p and scale the others
by 1 / (1 - p) (inverted dropout), so that in evaluation mode it is the identity, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Value
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Randomly zero inputs in training mode; pass them through unchanged in evaluation mode.

    Each element is kept with probability 1 - p and then multiplied by 1 / (1 - p), so the
    expected output equals the input. The masks are drawn from `seed` (an int or a numpy
    Generator; None: fresh entropy), so a seeded model trains the same way every time.

    >>> import numpy as np
    >>> drop = Dropout(0.5, seed=0)
    >>> drop(np.ones(6)).data                        # training mode: zeros and 2s
    array([2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(np.ones(3)).data                 # evaluation mode: the identity
    array([1., 1., 1.])

    In a model of your own, place it between layers; `fit` trains with it active and evaluates
    without:

    >>> from tinygrad_mlp import Layer
    >>> class Net(Module):
    ...     def __init__(self):
    ...         self.hidden = Layer(2, 16, "relu")
    ...         self.drop = Dropout(0.2, seed=0)
    ...         self.out = Layer(16, 2, "linear")
    ...     def forward(self, x):
    ...         return self.out(self.drop(self.hidden(x)))
    >>> Net()(np.ones((4, 2))).shape
    (4, 2)
    """

    architecture_args = ("p",)

    def __init__(self, p: float = 0.5, seed: int | np.random.Generator | None = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self._rng = np.random.default_rng(seed)

    def forward(self, x: Value) -> Value:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = self._rng.random(x.shape) >= self.p
        scale: Any = keep * (1.0 / (1.0 - self.p))
        if x.is_scalar:
            scale = float(scale)
        elif x.dtype != scale.dtype:
            scale = scale.astype(x.dtype)
        return x * scale

    def extra_repr(self) -> str:
        return f"p={self.p}"
