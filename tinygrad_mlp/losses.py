"""Loss functions (the cost a network minimises) and accuracy, built from `Value` operations.

Every loss takes the model's output first (a Value, batch first) and the targets second (an
array or a Value), and returns a single-element Value to call `backward()` on. Losses that
average take `reduction="mean"` (the default), `"sum"` or `"none"` (one loss per example).

Shapes are checked, never silently broadcast: a single-output model gives predictions of shape
(n, 1), and targets of shape (n,) are reshaped to match (and the other way round); any other
mismatch raises a ValueError naming both shapes. (Broadcasting (n, 1) against (n,) would make
an (n, n) matrix of differences: the classic silent bug of hand-written training loops.)

>>> from tinygrad_mlp import MLP, losses
>>> model = MLP(2, [8, 1], seed=0)
>>> loss = losses.mse(model(np.zeros((4, 2))), np.ones(4))   # (4, 1) against (4,): fine
>>> loss.backward()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import Value, stack
from .labels import class_labels, signs, zero_one

__all__ = [
    "sse",
    "mse",
    "cross_entropy",
    "binary_cross_entropy",
    "hinge",
    "accuracy",
    "classify",
    "LOSSES",
    "ONE_OUTPUT_LOSSES",
]

REDUCTIONS = ("mean", "sum", "none")


def _as_value(x: Any, like: Value | None = None) -> Value:
    if isinstance(x, Value):
        return x
    dtype = like.dtype if like is not None else None
    return Value(np.asarray(x), requires_grad=False, dtype=dtype)


def _reduce(losses: Value, reduction: str) -> Value:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _matched(pred: Any, target: Any, loss: str) -> tuple[Value, Value]:
    """`pred` and `target` as Values of one shape; (n, 1) and (n,) are matched, nothing else."""
    pred = _as_value(pred)
    target = _as_value(target, like=pred)
    p, t = pred.shape, target.shape
    if p == t:
        return pred, target
    if len(p) == 2 and p[1] == 1 and t == p[:1]:
        return pred, target.reshape(p)
    if len(t) == 2 and t[1] == 1 and p == t[:1]:
        return pred, target.reshape(p)
    raise ValueError(
        f"{loss}: predictions of shape {p} and targets of shape {t} do not match (they would "
        f"broadcast to a wrong answer); give targets of the predictions' shape"
    )


def _labels(labels: Any, n: int, loss: str) -> np.ndarray:
    """Integer class labels as a 1-D int64 array of length n ((n, 1) is flattened)."""
    y = class_labels(labels, what=f"{loss}: labels")
    if len(y) != n:
        raise ValueError(f"{loss}: expected {n} labels (shape ({n},)), got shape {y.shape}")
    return y


# ----------------------------------------------------------------------------------------------
# Regression-style losses


def sse(pred: Any, target: Any) -> Value:
    """Sum of squared errors, sum((pred - target)^2): the classic cost function.

    Some textbooks halve it so that its derivative has no factor 2; this one does not (scale
    the learning rate η instead).

    >>> sse(Value(np.array([1.0, 2.0])), np.array([0.0, 0.0])).item()
    5.0
    """
    pred, target = _matched(pred, target, "sse")
    diff = pred - target
    return (diff * diff).sum()


def mse(pred: Any, target: Any, reduction: str = "mean") -> Value:
    """Mean squared error over every element (`reduction="sum"` is `sse`).

    >>> mse(Value(np.array([1.0, 2.0])), np.array([0.0, 0.0])).item()
    2.5
    """
    pred, target = _matched(pred, target, "mse")
    diff = pred - target
    return _reduce(diff * diff, reduction)


# ----------------------------------------------------------------------------------------------
# Classification losses (on scores or logits: the model's last layer is linear)


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy, -log softmax(logits)[label], from logits of shape (n, classes).

    Computed with a stable log-softmax (never softmax then log), so large logits do not
    overflow. `labels` are integer classes of shape (n,) (or (n, 1)), or target probabilities
    of the logits' shape (one-hot rows, for instance).

    >>> loss = cross_entropy(Value(np.array([[2.0, 0.0], [0.0, 2.0]])), np.array([0, 1]))
    >>> round(loss.item(), 4)
    0.1269
    """
    logits = _as_value(logits)
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(
            f"cross_entropy: logits must have shape (n, classes) with at least 2 classes, got "
            f"{logits.shape}; for one output per example use binary_cross_entropy or hinge"
        )
    n, classes = logits.shape
    log_probs = logits.log_softmax(axis=-1)
    target_shape = labels.shape if isinstance(labels, (Value, np.ndarray)) else None
    if target_shape == logits.shape:  # probabilities per class
        losses = -(log_probs * _as_value(labels, like=logits)).sum(axis=-1)
    else:
        y = _labels(labels, n, "cross_entropy")
        outside = (y < 0) | (y >= classes)
        if np.any(outside):
            raise ValueError(
                f"cross_entropy: labels must lie in 0..{classes - 1} for logits of shape "
                f"{logits.shape}, got {np.unique(y[outside])[:5].tolist()}"
            )
        losses = -log_probs[np.arange(n), y]
    return _reduce(losses, reduction)


def binary_cross_entropy(logits: Any, targets: Any, reduction: str = "mean") -> Value:
    """Binary cross-entropy from logits: -[t log σ(z) + (1 - t) log(1 - σ(z))], stable.

    `targets` are 0/1 labels (or probabilities in [0, 1]). σ(z) and 1 - σ(z) are the softmax of
    the two logits (z, 0), so the loss is -log_softmax((0, z))[0] - t z: no log of 0, no
    overflow, and a smooth gradient σ(z) - t everywhere (a formula with max(z, 0) and |z| has
    kinks whose zero subgradients give a wrong gradient at z = 0).

    >>> round(binary_cross_entropy(Value(np.array([0.0])), np.array([1.0])).item(), 4)
    0.6931
    """
    z, t = _matched(logits, targets, "binary_cross_entropy")
    if np.any((t.data < 0) | (t.data > 1)):
        raise ValueError(
            "binary_cross_entropy: targets must lie in [0, 1] (labels 0/1), got values in "
            f"[{np.min(t.data)}, {np.max(t.data)}]"
        )
    zeros = np.zeros(z.shape, dtype=z.dtype)
    log_one_minus_p = stack([zeros, z], axis=-1).log_softmax(axis=-1)[..., 0]
    return _reduce(-log_one_minus_p - t * z, reduction)


def hinge(scores: Any, labels: Any, margin: float = 1.0, reduction: str = "mean") -> Value:
    """Max-margin (hinge) loss, max(0, margin - y * score), for labels y = -1 or +1.

    Labels may also be given as 0/1 (the convention of `tinygrad_mlp.data`): if every label is
    0 or 1, 0 means -1 (see `labels.signs`). Any other value, or a mix of 0 and -1,
    raises a ValueError.

    >>> hinge(Value(np.array([2.0, -0.5])), np.array([1, 0])).item()   # losses 0 and 0.5
    0.25
    """
    pm1 = signs(labels, what="hinge: labels")
    scores, y = _matched(scores, pm1, "hinge")
    return _reduce((margin - y * scores).relu(), reduction)


LOSSES: dict[str, Callable[..., Value]] = {
    "sse": sse,
    "mse": mse,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "hinge": hinge,
}
# The losses for two classes that want one output per example (a score or a logit) and 0/1 or
# -1/+1 labels; the others want one output per class (or regress on any targets).
ONE_OUTPUT_LOSSES = ("hinge", "binary_cross_entropy")

# ----------------------------------------------------------------------------------------------
# Accuracy


def classify(outputs: Any, threshold: float = 0.0) -> np.ndarray:
    """Predicted classes (int64, shape (n,)) from a model's outputs.

    Several outputs per example: the index of the largest. One output per example (shape (n,)
    or (n, 1)): 1 where it exceeds `threshold`, else 0. The default 0 suits scores and logits;
    use 0.5 for a sigmoid output.

    >>> classify(np.array([[0.1, 2.0], [3.0, 0.0]])).tolist()
    [1, 0]
    >>> classify(np.array([-1.0, 2.0])).tolist()
    [0, 1]
    """
    out = np.asarray(outputs.data if isinstance(outputs, Value) else outputs)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim != 1:
        raise ValueError(f"classify: outputs must have shape (n,) or (n, k), got {out.shape}")
    return (out > threshold).astype(np.int64)


def accuracy(outputs: Any, labels: Any, threshold: float = 0.0) -> float:
    """The fraction of examples whose predicted class (see `classify`) equals the label.

    Labels are integer classes; binary labels may be 0/1 or -1/+1, and one-hot rows are
    accepted too.

    >>> accuracy(np.array([[0.1, 2.0], [3.0, 0.0]]), np.array([1, 1]))
    0.5
    """
    predicted = classify(outputs, threshold)
    y = np.asarray(labels.data if isinstance(labels, Value) else labels)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = _labels(y, len(predicted), "accuracy")
    if len(y) == 0:
        raise ValueError("accuracy: no examples")
    return float(np.mean(predicted == zero_one(y)))
