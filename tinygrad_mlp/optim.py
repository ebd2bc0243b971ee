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
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .engine import Value
from .engine.node import subtract_in_place

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "OPTIMIZERS"]


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


def _copy(x: Any) -> Any:
    """A per-parameter buffer entry, copied if it is an array (None and counts as they are)."""
    return np.array(x) if isinstance(x, np.ndarray) else x


class Optimizer:
    """Base class: the parameter list, `zero_grad()`, and `step()` for subclasses to define."""

    # The names of the per-parameter buffers a subclass keeps (lists, one entry per parameter):
    # what `state_dict` saves beside the hyperparameters.
    _buffers: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        if hasattr(params, "named_parameters"):  # a Module
            raise TypeError(f"{name} got the model itself; pass model.parameters()")
        if callable(params):  # model.parameters, not called
            raise TypeError(f"{name} got a method, not its result; call it: model.parameters()")
        if isinstance(params, Value):
            raise TypeError(f"{name} got one Value; pass a list of them: {name}([w], ...)")
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
        subtract_in_place(self._changes())

    def _changes(self) -> Iterator[tuple[Value, Any]]:
        """(parameter, amount to subtract) for each parameter with a gradient, made one at a
        time as `subtract_in_place` asks for them."""
        update = self._update
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None or (g.__class__ is float and not p.has_grad):
                continue
            if g.__class__ is Value:  # left by backward(create_graph=True)
                g = g.data
            w = p._data  # what `p.data` returns, without its checks (a parameter is a leaf)
            if w.__class__ is float:  # in numpy float64: 1/0 is inf with a warning, no error
                yield p, update(i, np.float64(w), np.float64(g))
            else:  # in place, into the parameter's own array (never the caller's)
                if g.dtype is not w.dtype:  # one object per builtin dtype
                    g = g.astype(w.dtype)
                yield p, update(i, w, g)

    def _update(self, i: int, w: Any, g: Any) -> Any:
        """The amount to subtract from parameter i, whose data is `w` and gradient `g`."""
        raise NotImplementedError

    def _hyperparameters(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "params" and not k.startswith("_")}

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's settings and its per-parameter state (copies), as PyTorch's
        `optimizer.state_dict()`: resume training where it stopped with `load_state_dict`.

        >>> from tinygrad_mlp import MLP
        >>> opt = Adam(MLP(2, [1], seed=0).parameters(), lr=0.01)
        >>> sorted(opt.state_dict()), opt.state_dict()["settings"]["lr"]
        (['class', 'settings', 'state'], 0.01)
        """
        state = {name: [_copy(x) for x in getattr(self, name)] for name in self._buffers}
        return {"class": type(self).__name__, "settings": self._hyperparameters(), "state": state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take the settings and state of `state_dict()` (from an optimizer of the same class
        over parameters of the same shapes); nothing changes if they do not fit."""
        name = type(self).__name__
        if not isinstance(state, dict) or {"class", "settings", "state"} - set(state):
            raise ValueError(f"{name}.load_state_dict needs what state_dict() returns")
        if state["class"] != name:
            raise ValueError(f"a {state['class']} state cannot be loaded into {name}")
        buffers = state["state"]
        if set(buffers) != set(self._buffers):
            raise ValueError(
                f"{name} state has {sorted(buffers)}, expected {sorted(self._buffers)}"
            )
        for key in self._buffers:
            entries = buffers[key]
            if len(entries) != len(self.params):
                raise ValueError(
                    f"{name} state is for {len(entries)} parameters, this optimizer has "
                    f"{len(self.params)}"
                )
            for i, (x, p) in enumerate(zip(entries, self.params)):
                if isinstance(x, np.ndarray) and x.shape != p.shape:
                    raise ValueError(
                        f"{name} state {key}[{i}] has shape {np.shape(x)}, the parameter "
                        f"has shape {p.shape}"
                    )
        for key, value in state["settings"].items():
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        for key in self._buffers:
            setattr(self, key, [_copy(x) for x in buffers[key]])

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

    _buffers = ("_velocity",)

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

    _buffers = ("_m", "_s", "_steps")

    def _update(self, i: int, w: Any, g: Any) -> Any:
        if self.weight_decay:
            g = g + self.weight_decay * w
        return self._adam_step(i, g)

    def _adam_step(self, i: int, g: Any) -> Any:
        beta1, beta2 = self.betas
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


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as `torch.optim.AdamW`.

    Each step first shrinks the weights, w -= η · weight_decay · w, then takes Adam's step on
    the gradient alone: the decay is not scaled by Adam's per-weight step sizes, as an L2 term
    added to the gradient (`Adam(weight_decay=...)`) would be. PyTorch's defaults.

    >>> w = Value(np.ones(2))
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = np.zeros(2); opt.step(); w.data      # no gradient: only the decay, 1 - 0.1·0.5
    array([0.95, 0.95])
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, i: int, w: Any, g: Any) -> Any:
        # w -= lr wd w, then Adam's step on g: one subtraction of both (w is the old weight)
        step = self._adam_step(i, g)
        return step + (self.lr * self.weight_decay) * w if self.weight_decay else step


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012): steps divided by a running root mean square of the gradient.

    s = α s + (1 - α) g²; with `centered`, also m = α m + (1 - α) g and s - m² is used instead of
    s; then w -= η g / (sqrt(s) + eps), or with momentum μ, b = μ b + g / (sqrt(s) + eps) and
    w -= η b. `weight_decay` adds weight_decay · w to g first. The same rule and defaults as
    `torch.optim.RMSprop`.

    >>> w = Value(np.ones(2))
    >>> opt = RMSprop([w], lr=0.01)
    >>> w.grad = np.array([1.0, -1.0]); opt.step(); w.data.round(4)   # first step: η / sqrt(1 - α)
    array([0.9, 1.1])
    """

    _buffers = ("_square_avg", "_grad_avg", "_momentum_buffer")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_number(alpha, "alpha", 0.0, 1.0)
        self.eps = _check_number(eps, "eps", 0.0, low_inclusive=False)
        self.weight_decay = _check_number(weight_decay, "weight_decay", 0.0)
        self.momentum = _check_number(momentum, "momentum", 0.0, 1.0)
        self.centered = bool(centered)
        self._square_avg: list[Any] = [None] * len(self.params)
        self._grad_avg: list[Any] = [None] * len(self.params)
        self._momentum_buffer: list[Any] = [None] * len(self.params)

    def _update(self, i: int, w: Any, g: Any) -> Any:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self._square_avg[i] is None:
            self._square_avg[i] = np.zeros_like(g)
            self._grad_avg[i] = np.zeros_like(g) if self.centered else None
        s = self._square_avg[i]
        s *= self.alpha
        s += (1.0 - self.alpha) * (g * g)
        if self.centered:
            m = self._grad_avg[i]
            m *= self.alpha
            m += (1.0 - self.alpha) * g
            denominator = np.sqrt(s - m * m) + self.eps
        else:
            denominator = np.sqrt(s) + self.eps
        if self.momentum:
            b = self._momentum_buffer[i]
            if b is None:
                b = self._momentum_buffer[i] = np.zeros_like(g)
            b *= self.momentum
            b += g / denominator
            return self.lr * b
        return self.lr * g / denominator


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
}
