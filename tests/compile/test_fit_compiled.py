"""fit(..., compile=True) (the default) trains exactly as the eager loop does."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, data, losses
from tinygrad_mlp.train import fit


def trained(compile, loss="cross_entropy", optimizer="adam"):
    X, y = data.moons(n=90, noise=0.1, seed=0)
    model = MLP(2, [8, 1 if loss == "hinge" else 2], seed=0)
    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=optimizer,
        epochs=3,
        batch_size=16,
        progress=False,
        compile=compile,
    )
    return dict(history), [p.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge", "mse"])
def test_fit_compiled_equals_fit_eager(loss):
    (h1, p1), (h2, p2) = trained(True, loss), trained(False, loss)
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))


def test_fit_falls_back_to_eager_for_a_step_that_reads_values():
    def odd_loss(out, target):
        loss = losses.cross_entropy(out, target)
        return loss * 2.0 if loss.item() > 100 else loss

    (h1, p1), (h2, p2) = trained(True, odd_loss), trained(False, odd_loss)
    assert h1 == h2
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))
