"""The floor for any numpy-backed engine: an MLP training step written out by hand in numpy.

Forward, loss, backward and the SGD update of a ReLU MLP (linear last layer) are spelled out as
a careful numpy programmer would write them for this one network: no graph, no bookkeeping,
in-place updates. Its gradients are tested against the engine's (tests/test_benchmark_baselines.py),
so timing ours against it compares the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LOSSES = ("mse", "cross_entropy")


class NumpyMLP:
    """A ReLU MLP given as a list of (W, b) pairs, W of shape (nin, nout), trained by hand.

    >>> rng = np.random.default_rng(0)
    >>> layers = [(rng.normal(size=(2, 3)), np.zeros(3)), (rng.normal(size=(3, 1)), np.zeros(1))]
    >>> net = NumpyMLP(layers)
    >>> loss = net.step(rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), "mse", 0.1)
    """

    def __init__(self, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.layers = [(np.array(W), np.array(b)) for W, b in layers]

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        """The input and every layer's output (ReLU applied in place on hidden layers)."""
        outputs = [x]
        last = len(self.layers) - 1
        for i, (W, b) in enumerate(self.layers):
            z = outputs[-1] @ W
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            outputs.append(z)
        return outputs

    def gradients(
        self, x: np.ndarray, target: np.ndarray, loss: str
    ) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        """The loss and d(loss)/d(W), d(loss)/d(b) for every layer, by hand.

        `loss` is "mse" (mean over every element; `target` of the output's shape) or
        "cross_entropy" (mean softmax cross-entropy; `target` integer labels of shape (n,)).
        """
        outputs = self.forward(x)
        out = outputs[-1]
        if loss == "mse":
            diff = out - target
            value = float(np.mean(diff * diff))
            delta = diff * (2.0 / diff.size)  # d mean(d^2) / d out
        elif loss == "cross_entropy":
            n = len(target)
            shifted = out - out.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            value = float(np.mean(np.log(total[:, 0]) - shifted[rows, target]))
            delta = exp / total  # softmax - one_hot, over n
            delta[rows, target] -= 1.0
            delta *= 1.0 / n
        else:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        grads: list[tuple[np.ndarray, np.ndarray]] = []
        for i in range(len(self.layers) - 1, -1, -1):
            W, _ = self.layers[i]
            h = outputs[i]
            grads.append((h.T @ delta, delta.sum(axis=0)))
            if i:
                delta = delta @ W.T
                delta *= h > 0  # ReLU: the gradient passes where the output was positive
        grads.reverse()
        return value, grads

    def step(self, x: np.ndarray, target: np.ndarray, loss: str, learning_rate: float) -> float:
        """One training step: forward, loss, backward, W -= η dW in place. Returns the loss."""
        value, grads = self.gradients(x, target, loss)
        for (W, b), (gW, gb) in zip(self.layers, grads):
            W -= learning_rate * gW
            b -= learning_rate * gb
        return value
