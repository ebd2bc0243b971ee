"""Optimizers: turn the gradients that backpropagation left in `.grad` into weight updates.

An optimizer holds a list of parameters (Values). `zero_grad()` clears their gradients,
`step()` moves each parameter against its gradient, scaled by the learning rate η (`lr`).
Updates change `.data` in place with plain numpy: they are not part of any graph.

>>> from tinygrad_mlp import MLP, losses, optim
>>> model = MLP(2, [4, 1], seed=0)
>>> opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = losses.mse(model(np.ones((3, 2))), np.zeros(3))
>>> opt.zero_grad(); loss.backward(); opt.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .engine import Value

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS"]


def _check_number(
    value: Any, name: str, low: float, high: float = math.inf, low_inclusive: bool = True
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    above = value >= low if low_inclusive else value > low
    if not (above and value < high and math.isfinite(value)):
        bracket = "[" if low_inclusive else "("
        raise ValueError(f"{name} must lie in {bracket}{low}, {high}), got {value}")
    return value


class Optimizer:
    """Base class: the parameter list, `zero_grad()`, and `step()` for subclasses to define."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        params = list(params)
        unique: dict[int, Value] = {}
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: params[{i}] is a {type(p).__name__}, not a Value "
                    f"(pass model.parameters())"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}: params[{i}] ({p.label or p.shape}) is computed from "
                    f"other Values; only leaves (weights you created) can be optimized"
                )
            unique.setdefault(id(p), p)
        if not unique:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        self.params = list(unique.values())
        self.lr = _check_number(lr, "lr", 0.0, low_inclusive=False)

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (they accumulate across backward calls)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter that has a gradient; parameters without one are left alone.

        A parameter has none when no backward pass reached it since `zero_grad()` (a tensor's
        `.grad` is None; for a scalar, see `Value.has_grad`): weight decay and momentum do not
        move it either, as in PyTorch.
        """
        for i, p in enumerate(self.params):
            if not p.has_grad:
                continue
            g = p.grad
            if isinstance(g, Value):  # left by backward(create_graph=True)
                g = g.data
            if p.is_scalar:
                p.data = float(p.data - self._update(i, np.float64(p.data), np.float64(g)))
            else:  # in place, into the parameter's own array (never the caller's)
                p.sub_(self._update(i, p.data, np.asarray(g, dtype=p.dtype)))

    def _update(self, i: int, w: Any, g: Any) -> Any:
        """The amount to subtract from parameter i, whose data is `w` and gradient `g`."""
        raise NotImplementedError

    def __repr__(self) -> str:
        options = ", ".join(
            f"{k}={v}"
            for k, v in vars(self).items()
            if k not in ("params",) and not k.startswith("_")
        )
        return f"{type(self).__name__}({len(self.params)} parameters, {options})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

    Per step, with gradient g and learning rate η: g += weight_decay * w; with momentum μ the
    velocity v = μ v + g is used instead of g (Nesterov: g + μ v); then w -= η * (that). The
    same rule as PyTorch's `torch.optim.SGD`.

    >>> from tinygrad_mlp import MLP
    >>> SGD(MLP(2, [1]).parameters(), lr=0.1, momentum=0.9)
    SGD(2 parameters, lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number(momentum, "momentum", 0.0, 1.0)
        self.nesterov = bool(nesterov)
        self.weight_decay = _check_number(weight_decay, "weight_decay", 0.0)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0")
        self._velocity: list[Any] = [None] * len(self.params)

    def _update(self, i: int, w: Any, g: Any) -> Any:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            v = self._velocity[i]
            if v is None:
                v = self._velocity[i] = np.array(g, copy=True)
            else:
                v *= self.momentum
                v += g
            g = g + self.momentum * v if self.nesterov else v
        return self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of the gradient and its square.

    m = β1 m + (1 - β1) g,  s = β2 s + (1 - β2) g²,  w -= η m̂ / (sqrt(ŝ) + eps), with m̂ and ŝ
    corrected for their zero start. `weight_decay` adds weight_decay * w to g first (L2, as in
    PyTorch's `torch.optim.Adam`).

    >>> from tinygrad_mlp import MLP
    >>> Adam(MLP(2, [1]).parameters(), lr=1e-3)
    Adam(2 parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_number(betas[0], "betas[0]", 0.0, 1.0),
            _check_number(betas[1], "betas[1]", 0.0, 1.0),
        )
        self.eps = _check_number(eps, "eps", 0.0, low_inclusive=False)
        self.weight_decay = _check_number(weight_decay, "weight_decay", 0.0)
        self._m: list[Any] = [None] * len(self.params)
        self._s: list[Any] = [None] * len(self.params)
        self._steps = [0] * len(self.params)

    def _update(self, i: int, w: Any, g: Any) -> Any:
        beta1, beta2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self._m[i] is None:
            self._m[i] = np.zeros_like(g)
            self._s[i] = np.zeros_like(g)
        m, s = self._m[i], self._s[i]
        m *= beta1
        m += (1.0 - beta1) * g
        s *= beta2
        s += (1.0 - beta2) * (g * g)
        self._steps[i] += 1
        t = self._steps[i]
        step_size = self.lr / (1.0 - beta1**t)
        return step_size * m / (np.sqrt(s / (1.0 - beta2**t)) + self.eps)


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam}
