"""Training: fit a model to data, epoch after epoch of minibatches, with progress and a history.

One epoch is one pass over the training set. With `batch_size=None` the whole set is one batch,
so the weights are updated once per epoch: full-batch gradient descent, the textbook definition.

>>> from tinygrad_mlp import MLP, data
>>> X, y = data.moons(n=200, noise=0.1, seed=0)
>>> model = MLP(2, [16, 16, 2], seed=0)
>>> history = fit(model, X, y, loss="cross_entropy", epochs=5, progress=False)
>>> len(history["loss"])
5

Its defaults are those of the `tinygrad-mlp train` command (`DEFAULTS`): SGD with learning rate
0.05 and momentum 0.9, 30 epochs of minibatches of 32.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import checks
from .data import batches, one_hot, train_test_split
from .engine import Value, no_grad
from .fit_step import LastFiniteWeights, compiled_step, train_step
from .labels import LabelError, class_labels, is_zero_one, zero_one
from .losses import LOSSES, classify
from .nn import Module, evaluation_mode
from .optim import OPTIMIZERS, SGD, Optimizer

__all__ = ["DEFAULTS", "History", "fit", "evaluate", "loss_of", "decision_threshold"]

LossFn = Callable[[Value, Any], Value]

# The defaults of `fit`, shared with the command line (`runs.RunConfig`): one place for both.
DEFAULTS: dict[str, Any] = {
    "loss": "cross_entropy",
    "optimizer": "sgd",
    "lr": 0.05,
    "momentum": 0.9,
    "epochs": 30,
    "batch_size": 32,
}


class History(dict):
    """Metrics per epoch: `history["loss"][k]` is the training loss of epoch k + 1.

    Keys: "loss", plus "accuracy" for class labels, and "val_loss" / "val_accuracy" when there
    is validation data, "lr" with a scheduler. A plain dict of lists, so `json.dump` writes it
    as is. With `fit(patience=...)`, `best_epoch` is the epoch whose weights were kept.
    """

    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """How many epochs are recorded."""
        return len(self.get("loss", []))

    def rows(self) -> list[dict[str, float]]:
        """One dict per epoch, {"epoch": 1, "loss": ..., ...}: the rows of a CSV file."""
        return [
            {"epoch": k + 1, **{name: values[k] for name, values in self.items()}}
            for k in range(self.epochs)
        ]

    def append(self, **metrics: float) -> None:
        for name, value in metrics.items():
            self.setdefault(name, []).append(float(value))


def _resolve_loss(loss: str | LossFn) -> tuple[str, LossFn]:
    if callable(loss):  # a function (outputs, targets) -> Value
        return getattr(loss, "__name__", "loss"), loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    return loss, LOSSES[loss]


def _make_optimizer(optimizer: str | Optimizer, model: Module, lr: float | None) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("lr= is for a named optimizer; set it on your Optimizer instead")
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} "
            f"or pass an Optimizer"
        )
    if optimizer == "sgd":  # the command line's SGD: momentum 0.9, lr 0.05 unless given
        lr = DEFAULTS["lr"] if lr is None else lr
        return SGD(model.parameters(), lr=lr, momentum=DEFAULTS["momentum"])
    options = {} if lr is None else {"lr": lr}
    return OPTIMIZERS[optimizer](model.parameters(), **options)


def _class_labels(y: np.ndarray) -> np.ndarray | None:
    """y as 1-D int64 class labels if it holds them (shape (n,) or (n, 1)), else None."""
    try:
        return class_labels(y)
    except LabelError:
        return None  # regression targets


def decision_threshold(model: Module, loss: str, labels: np.ndarray) -> float:
    """Where a single-output model's output splits class 0 from class 1.

    0.5 for outputs that are probabilities (a sigmoid output layer) or that regress on 0/1
    labels (sse, mse); 0 for scores and logits (hinge, binary_cross_entropy, or -1/+1 labels).
    """
    if getattr(model, "output_activation", None) == "sigmoid":
        return 0.5
    if loss in ("sse", "mse") and is_zero_one(labels):
        return 0.5
    return 0.0


def _check_output_layer(model: Module, loss: str) -> None:
    squashed = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss)
    if squashed and getattr(model, "output_activation", None) == squashed:
        raise ValueError(
            f"{loss} takes logits and applies {squashed} itself, but the model's output "
            f"activation is already {squashed}; build it with output_activation=None (linear)"
        )


def _check_finite(array: np.ndarray, name: str) -> None:
    """Refuse nan or inf in the data, naming the first row and column that holds one."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        place = f"row {where[0]}" + (f", column {where[1]}" if len(where) > 1 else "")
        if len(where) > 2:
            place += f" (index {where})"
        raise ValueError(
            f"{name} holds {int(bad.sum())} nan or inf value(s), the first at {place}: "
            f"{array[where]}; remove or fill them before training"
        )


def _check_features(model: Module, X: np.ndarray) -> None:
    """X must have the features the model takes: said with X's own shape."""
    nin = getattr(model, "nin", None)
    if isinstance(nin, int) and (X.ndim != 2 or X.shape[1] != nin):
        raise ValueError(
            f"X has shape {X.shape}, but the model takes {nin} features: X must have shape "
            f"(n, {nin})"
        )


class _Task:
    """The data-dependent choices for one model, loss and target array, made once."""

    def __init__(self, model: Module, loss: str | LossFn, X: Any, y: Any) -> None:
        self.loss_name, self.loss_fn = _resolve_loss(loss)
        _check_output_layer(model, self.loss_name)
        self.X, self.y = checks.examples(np.asarray(X, dtype=model.dtype), y)
        if len(self.y) == 0:
            raise ValueError("no examples to train or evaluate on (len(X) == 0)")
        _check_features(model, self.X)
        _check_finite(self.X, "X")
        if self.y.dtype.kind == "f":
            _check_finite(self.y, "y")
        self.labels = _class_labels(self.y)
        width = model.predict(self.X[:1]).shape
        self.width = width[-1] if len(width) == 2 else 1
        # Squared-error losses on class labels with several outputs: one-hot targets.
        self.one_hot = (
            self.loss_name in ("sse", "mse") and self.labels is not None and self.width > 1
        )
        self.threshold = (
            decision_threshold(model, self.loss_name, self.labels)
            if self.labels is not None
            else 0.0
        )
        self._classes: np.ndarray | None = None  # see `correct`

    def targets(self, idx: np.ndarray | slice) -> Any:
        if self.one_hot and self.labels is not None:
            return one_hot(self.labels[idx], self.width)
        return self.y[idx]

    def accuracy(self, outputs: Any, idx: np.ndarray | slice) -> float:
        """`losses.accuracy` of the outputs for the examples at `idx`."""
        return self.correct(outputs, idx) / len(self.y[idx])

    def correct(self, outputs: Any, idx: np.ndarray | slice) -> int:
        """How many of the examples at `idx` the outputs classify right (what
        `losses.accuracy` counts), against the labels made 0/1 (`zero_one`) once: a count, so
        that a training loop sums its batches exactly."""
        if self._classes is None:
            assert self.labels is not None, "accuracy is for class labels"
            self._classes = zero_one(self.labels)
        return int(np.count_nonzero(classify(outputs, self.threshold) == self._classes[idx]))


def _evaluate_task(model: Module, task: Any) -> dict[str, float]:
    everything = slice(None)
    with no_grad(), evaluation_mode(model):
        outputs = model(task.X)
        metrics = {"loss": task.loss_fn(outputs, task.targets(everything)).item()}
    if task.labels is not None:
        metrics["accuracy"] = task.accuracy(outputs, everything)
    return metrics


def loss_of(model: Module, X: Any, y: Any, loss: str | LossFn = "cross_entropy") -> Value:
    """The loss of `model` on (X, y) as a recorded Value: call `backward()` on it, or draw it.

    Targets are prepared as `fit` prepares them (one-hot for "sse"/"mse" with several outputs).
    """
    task = _Task(model, loss, X, y)
    return task.loss_fn(model(task.X), task.targets(slice(None)))


def evaluate(
    model: Module, X: Any, y: Any, loss: str | LossFn = "cross_entropy"
) -> dict[str, float]:
    """The loss and (for class labels) the accuracy of `model` on (X, y), under `no_grad` and
    in evaluation mode (each module's mode is restored after).

    >>> from tinygrad_mlp import MLP, data
    >>> X, y = data.xor(n=40, seed=0)
    >>> sorted(evaluate(MLP(2, [8, 2], seed=0), X, y))
    ['accuracy', 'loss']
    """
    return _evaluate_task(model, _Task(model, loss, X, y))


def fit(
    model: Module,
    X: Any,
    y: Any,
    *,
    loss: str | LossFn = DEFAULTS["loss"],
    optimizer: str | Optimizer = DEFAULTS["optimizer"],
    lr: float | None = None,
    epochs: int = DEFAULTS["epochs"],
    batch_size: int | None = DEFAULTS["batch_size"],
    validation_split: float = 0.0,
    validation_data: tuple[Any, Any] | None = None,
    shuffle: bool = True,
    seed: int | np.random.Generator = 0,
    progress: bool = True,
    scheduler: Any = None,
    patience: int | None = None,
    compile: bool = True,
) -> History:
    """Train `model` on (X, y) and return the `History` of loss and metrics per epoch.

    - `loss`: a name from `losses.LOSSES` ("sse", "mse", "cross_entropy",
      "binary_cross_entropy", "hinge") or a function (outputs, targets) -> Value. With "sse" or
      "mse" and several outputs, integer labels are turned into one-hot targets.
    - `optimizer`: a name from `optim.OPTIMIZERS` ("sgd", the default, with momentum 0.9 and
      `lr` 0.05 unless given; "adam", "adamw", "rmsprop" with `lr` or their own default), or
      an `Optimizer` instance.
    - `epochs` passes over the data in minibatches of `batch_size` (None: the whole set, one
      update per epoch), reshuffled each epoch from `seed`.
    - `validation_split` holds out that fraction of (X, y), or `validation_data=(X_val, y_val)`
      is used; its loss and accuracy are computed after each epoch under `no_grad`.
    - `progress` shows a tqdm bar with the epoch, loss and accuracy.
    - `compile` runs each step as a compiled program (`compile_step`), with the same results
      as the eager loop; a step that cannot be compiled falls back to the eager loop
      (`compile=False`: always the eager loop).
    - `scheduler`: a learning-rate schedule (`schedules.StepLR(opt, 10)`, made on the optimizer
      passed as `optimizer`) or a function of the optimizer that makes one; stepped after every
      epoch. The history then has "lr", the learning rate each epoch trained with.
    - `patience`: stop when the validation loss has not improved for that many epochs, and put
      back the weights of the best epoch (`history.best_epoch`); needs validation data.

    The model trains in training mode (`Dropout` active) and is evaluated, after each epoch
    and when `fit` returns, in evaluation mode: `fit` leaves it in evaluation mode, ready to
    predict.

    Data holding nan or inf is refused before the first step, naming where. A loss that
    becomes nan or infinite, or a step that would make a weight so, stops training with a
    FloatingPointError naming the epoch, and leaves the model with its last finite weights.

    The training loss and accuracy of an epoch are averaged over its minibatches (for "sse",
    summed), computed as the weights were being updated.
    """
    epochs = checks.count(epochs, "epochs")
    if batch_size is not None:
        batch_size = checks.count(batch_size, "batch_size")
    task = _Task(model, loss, X, y)
    n = len(task.y)
    train_idx = np.arange(n)
    validation = None
    if validation_data is not None and validation_split:
        raise ValueError("give validation_split or validation_data, not both")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        validation = _Task(model, task.loss_fn, *validation_data)
    elif validation_split:
        validation_split = checks.fraction(validation_split, "validation_split")
        train_idx, val_idx, _, _ = train_test_split(train_idx, train_idx, validation_split, seed)
        validation = _Task(model, task.loss_fn, task.X[val_idx], task.y[val_idx])
    opt = _make_optimizer(optimizer, model, lr)
    schedule = _make_scheduler(scheduler, opt)
    if patience is not None:
        patience = checks.count(patience, "patience")
        if validation is None:
            raise ValueError(
                "patience= watches the validation loss: give validation_split or "
                "validation_data too"
            )
    rng = checks.generator(seed)
    summed = task.loss_name == "sse"
    params = model.parameters()
    best_loss, best_state, waited = math.inf, None, 0

    # imported when first used, so that `import tinygrad_mlp` stays light
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    step = compiled_step(model, task, opt) if compile else None
    keeper = LastFiniteWeights(params)
    history = History()
    bar = tqdm(range(1, epochs + 1), desc="training", unit="epoch", disable=not progress)
    for epoch in bar:
        total_loss = 0.0
        correct = 0
        lr_now = opt.lr
        model.train()
        for Xb, idx in batches(task.X[train_idx], train_idx, batch_size, shuffle, seed=rng):
            keeper.save()
            value, outputs = train_step(step, model, task, opt, Xb, idx)
            if value is None:  # could not be compiled: the eager loop from here on
                step = None
                value, outputs = train_step(step, model, task, opt, Xb, idx)
            if not math.isfinite(value):
                keeper.restore()  # the weights before this step: the last finite ones
                model.eval()
                raise FloatingPointError(
                    f"the training loss became {value} in epoch {epoch}; lower the learning "
                    f"rate (now {opt.lr}) or check the data for nan or inf"
                )
            keeper.check(epoch, opt, model)
            total_loss += value if summed else value * len(idx)
            if task.labels is not None:
                correct += task.correct(outputs, idx)
        metrics = {"loss": total_loss if summed else total_loss / len(train_idx)}
        if task.labels is not None:
            metrics["accuracy"] = correct / len(train_idx)
        if validation is not None:
            for name, value in _evaluate_task(model, validation).items():
                metrics["val_" + name] = value
        if schedule is not None:
            metrics["lr"] = lr_now
            schedule.step()
        history.append(**metrics)
        bar.set_postfix({k.replace("accuracy", "acc"): f"{v:.4g}" for k, v in metrics.items()})
        if patience is not None:
            if metrics["val_loss"] < best_loss:
                best_loss, best_state, waited = metrics["val_loss"], model.state_dict(), 0
                history.best_epoch = epoch
            else:
                waited += 1
                if waited >= patience:
                    break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def _make_scheduler(scheduler: Any, opt: Optimizer) -> Any:
    """`scheduler` as a schedule of `opt`: made by calling it with `opt` unless it is one."""
    from .schedules import LRScheduler

    if scheduler is None:
        return None
    if not isinstance(scheduler, LRScheduler):
        if not callable(scheduler):
            raise TypeError(
                f"scheduler must be a schedule (schedules.StepLR(opt, ...)) or a function of the "
                f"optimizer that makes one, got {type(scheduler).__name__}"
            )
        scheduler = scheduler(opt)
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"scheduler(optimizer) returned {type(scheduler).__name__}")
    if scheduler.optimizer is not opt:
        raise ValueError(
            "the scheduler schedules another optimizer than the one fit uses: pass that "
            "optimizer as optimizer=, or scheduler=lambda opt: StepLR(opt, ...)"
        )
    return scheduler
