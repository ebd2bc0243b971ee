"""The modules: `Neuron`, `Layer` and `MLP`, each an ordinary composition of Value operations.

- `Neuron(nin, activation)`: the textbook unit, activation(x @ w + b) with weights w of shape
  (nin,) and a bias b.
- `Layer(nin, nout, activation)`: nout neurons side by side, computed for the whole batch at once
  as activation(x @ W + b) with W of shape (nin, nout); no Python loop over neurons.
- `MLP(nin, nouts, activation, output_activation=None)`: layers in a feed-forward chain; the last
  layer is linear unless `output_activation` says otherwise; with `standardize=`, its inputs
  are standardised first (see `Standardize`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import checks
from ..engine import Value, as_float_dtype
from .init import activate, check_activation, init_weights
from .module import Module
from .standardize import Standardize

__all__ = ["Layer", "MLP", "Neuron"]


def _check_features(module: Module, x: Value, nin: int) -> None:
    if x.ndim == 0 or x.shape[-1] != nin:
        raise ValueError(
            f"{module!r} expects inputs with {nin} features on the last axis "
            f"(shape (batch, {nin})), got shape {x.shape}"
        )


class Neuron(Module):
    """One neuron: activation(x @ w + b), weights w of shape (nin,) and a bias b.

    Given a batch X of shape (n, nin) it returns the n outputs, shape (n,).

    >>> import numpy as np
    >>> neuron = Neuron(3, "tanh", seed=0)
    >>> neuron(np.ones((4, 3))).shape
    (4,)
    """

    architecture_args = ("nin", "activation", "dtype")

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.activation = check_activation(activation, "Neuron")
        if self.activation == "softmax":
            raise ValueError("Neuron: softmax needs several outputs to normalise over; use a Layer")
        self.dtype = as_float_dtype(dtype)
        w, b = init_weights(
            (self.nin, 1),
            self.nin,
            1,
            self.activation,
            init,
            np.random.default_rng(seed),
            self.dtype,
        )
        self.w = Value(w[:, 0].copy())
        self.b = Value(b.reshape(()))

    def forward(self, x: Value) -> Value:
        _check_features(self, x, self.nin)
        return activate(self.activation, x @ self.w + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}"


class Layer(Module):
    """`nout` neurons fed by the same `nin` inputs: activation(x @ W + b), W of shape (nin, nout).

    The whole batch goes through at once: x of shape (n, nin) gives (n, nout).

    >>> import numpy as np
    >>> layer = Layer(2, 3, "tanh", seed=0)
    >>> layer(np.ones((5, 2))).shape
    (5, 3)
    """

    architecture_args = ("nin", "nout", "activation", "dtype")

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nout = checks.count(nout, "nout")
        self.activation = check_activation(activation, "Layer")
        self.dtype = as_float_dtype(dtype)
        W, b = init_weights(
            (self.nin, self.nout),
            self.nin,
            self.nout,
            self.activation,
            init,
            np.random.default_rng(seed),
            self.dtype,
        )
        self.W = Value(W)
        self.b = Value(b)

    def forward(self, x: Value) -> Value:
        _check_features(self, x, self.nin)
        return activate(self.activation, x @ self.W + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin} -> {self.nout}, {self.activation}"


class MLP(Module):
    """A multilayer perceptron: `Layer`s in a feed-forward chain, nin -> nouts[0] -> ... .

    Hidden layers use `activation`; the last layer uses `output_activation` (None: linear, so
    the outputs are scores or logits, as the losses expect). `init` picks the weight
    initialisation (see `init_weights`), `seed` makes it reproducible, `dtype` is float32 or
    float64. `standardize` (a `Standardize`, or its `{"mean": [...], "std": [...]}`) prepares
    the raw inputs first, and is saved with the model: a reloaded model takes raw features.

    >>> import numpy as np
    >>> model = MLP(2, [16, 16, 1], activation="relu", seed=0)   # last layer linear
    >>> model(np.random.randn(8, 2)).shape
    (8, 1)
    >>> model
    MLP(
      (layers.0): Layer(2 -> 16, relu)
      (layers.1): Layer(16 -> 16, relu)
      (layers.2): Layer(16 -> 1, linear)
    )  # 2 -> 16 -> 16 -> 1, 337 parameters, float64
    """

    architecture_args = ("nin", "nouts", "activation", "output_activation", "dtype")

    def __init__(
        self,
        nin: int,
        nouts: list[int] | tuple[int, ...],
        activation: str = "relu",
        output_activation: str | None = None,
        init: str | None = None,
        seed: int | np.random.Generator | None = None,
        dtype: Any = "float64",
        standardize: Standardize | dict[str, Any] | None = None,
    ) -> None:
        self.nin = checks.count(nin, "nin")
        if isinstance(nouts, (int, np.integer)) or not hasattr(nouts, "__len__") or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [checks.count(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = check_activation(activation, "MLP")
        self.output_activation = check_activation(output_activation, "MLP output")
        self.dtype = as_float_dtype(dtype)
        if isinstance(standardize, dict):
            standardize = Standardize(**standardize)
        if standardize is not None:
            if not isinstance(standardize, Standardize):
                raise TypeError(
                    f"standardize must be a Standardize or its dict, got {type(standardize)}"
                )
            if standardize.nin != self.nin:
                raise ValueError(
                    f"standardize prepares {standardize.nin} features, the MLP takes {self.nin}"
                )
        self.inputs = standardize  # None: the inputs go to the first layer as they are
        rng = np.random.default_rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init=init,
                seed=rng,
                dtype=self.dtype,
            )
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Value) -> Value:
        if self.inputs is not None:
            x = self.inputs(x)
        for layer in self.layers:
            x = layer(x)
        return x

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments, with the input statistics when the MLP standardises."""
        spec = super().architecture()
        if self.inputs is not None:
            spec["standardize"] = self.inputs.architecture()
            del spec["standardize"]["class"]
        return spec

    def extra_repr(self) -> str:
        return f"{self.nin} -> {' -> '.join(map(str, self.nouts))}"
