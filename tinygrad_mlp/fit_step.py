"""One training step of `fit`: compiled (`compile_step`) or eager, with the weights before it
kept so that a step that makes the loss or a weight nan or inf can be undone.

`task` is `fit`'s view of the data (`train._Task`: the loss function and the targets)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .engine import Value
from .nn import Module
from .optim import Optimizer


def compiled_step(model: Module, task: Any, opt: Optimizer) -> Any:
    from .compile import compile_step

    return compile_step(lambda xb, target: loss_and_outputs(model, task, xb, target), opt)


def loss_and_outputs(model: Module, task: Any, xb: Any, target: Any) -> tuple[Value, Value]:
    outputs = model(xb)
    return task.loss_fn(outputs, target), outputs


def train_step(step: Any, model: Module, task: Any, opt: Optimizer, Xb: Any, idx: Any) -> Any:
    """One update on a batch: (loss, outputs), compiled when `step` is given; (None, None) when
    the compiled step refuses it (nothing was changed)."""
    from .compile import CompileError

    if step is not None:
        try:
            return step(Xb, task.targets(idx))
        except CompileError:
            return None, None
    batch_loss, outputs = loss_and_outputs(model, task, Xb, task.targets(idx))
    opt.zero_grad()
    batch_loss.backward()
    opt.step()
    return batch_loss.item(), outputs


class LastFiniteWeights:
    """The weights before the latest step, kept in buffers of their own (no allocation per
    step), so that a step that makes the loss or a weight nan or inf can be undone."""

    def __init__(self, params: list[Value]) -> None:
        self.params = params
        self.saved: list[Any] = [np.array(p.data) for p in params]

    def save(self) -> None:
        for i, p in enumerate(self.params):
            if p.is_scalar:
                self.saved[i] = p.data
            else:
                np.copyto(self.saved[i], p.data)

    def restore(self) -> None:
        for p, old in zip(self.params, self.saved):
            p.data = old

    def check(self, epoch: int, opt: Optimizer, model: Module) -> None:
        """Undo the step and raise a FloatingPointError if it made a weight nan or inf."""
        for p in self.params:
            data = p.data
            # a sum is finite only if every element is (inf and nan survive a sum), and costs
            # one reduction, no array of flags; a sum that overflowed is checked element-wise
            if data.__class__ is float:
                finite = math.isfinite(data)
            else:
                finite = math.isfinite(np.add.reduce(data, axis=None)) or bool(
                    np.isfinite(data).all()
                )
            if not finite:
                self.restore()
                model.eval()
                raise FloatingPointError(
                    f"a step in epoch {epoch} made {p.label or 'a weight'} nan or inf (the "
                    f"gradients overflowed); the weights before it are kept. Lower the learning "
                    f"rate (now {opt.lr}) or scale the data"
                )
