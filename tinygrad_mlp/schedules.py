"""Learning-rate schedules, with PyTorch's names and meaning: call `scheduler.step()` once per
epoch, after that epoch's optimizer steps, and it sets `optimizer.lr` for the next epoch.

>>> from tinygrad_mlp import MLP, optim
>>> opt = optim.SGD(MLP(2, [1], seed=0).parameters(), lr=0.1)
>>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
>>> for epoch in range(4):
...     scheduler.step()                  # after the epoch's training
>>> opt.lr
0.025

`fit(model, X, y, scheduler=...)` takes a schedule (made on the optimizer it is given) or a
function of the optimizer that makes one (`lambda opt: StepLR(opt, 10)`), and steps it after
every epoch.
"""

from __future__ import annotations

import math
from typing import Any

from . import checks
from .optim import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR"]


class LRScheduler:
    """Base: the optimizer, its initial learning rate `base_lr`, and the epochs counted so far
    (`last_epoch`); a subclass says the learning rate after a given number of epochs."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} schedules an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        """The learning rate once `epoch` epochs are done."""
        raise NotImplementedError

    def step(self) -> None:
        """One more epoch done: set the optimizer's learning rate for the next."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        """The learning rate the optimizer has now."""
        return self.optimizer.lr

    def state_dict(self) -> dict[str, Any]:
        """The schedule's position (`base_lr`, `last_epoch`), to resume it."""
        return {"base_lr": self.base_lr, "last_epoch": self.last_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.base_lr = float(state["base_lr"])
        self.last_epoch = checks.count(state["last_epoch"], "last_epoch", minimum=0)
        self.optimizer.lr = self.lr_at(self.last_epoch) if self.last_epoch else self.base_lr

    def __repr__(self) -> str:
        settings = ", ".join(
            f"{k}={v}" for k, v in vars(self).items() if k not in ("optimizer", "base_lr")
        )
        return f"{type(self).__name__}({settings})"


class StepLR(LRScheduler):
    """lr = base_lr · gamma ^ (epoch // step_size): multiplied by gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        self.step_size = checks.count(step_size, "step_size")
        self.gamma = checks.positive(gamma, "gamma")

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr · gamma ^ epoch: multiplied by gamma after every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        super().__init__(optimizer)
        self.gamma = checks.positive(gamma, "gamma")

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) · (1 + cos(π · epoch / T_max)) / 2: from base_lr down
    to eta_min over T_max epochs along half a cosine (and back up after, as in PyTorch)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        self.T_max = checks.count(T_max, "T_max")
        self.eta_min = checks.nonnegative(eta_min, "eta_min")

    def lr_at(self, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (self.base_lr - self.eta_min) * cosine
