"""Central finite differences for the tests (float64), independent of the engine's backward."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tinygrad_mlp import Value, no_grad


def numerical_grads(
    fn: Callable[..., Value], inputs: Sequence[float | np.ndarray], eps: float = 1e-6
) -> list[float | np.ndarray]:
    """d fn(*inputs) / d input for each input, by central differences; fn must return 1 element."""

    def evaluate(args: list) -> float:
        with no_grad():
            return fn(*[Value(a) for a in args]).item()

    grads: list[float | np.ndarray] = []
    for i, x in enumerate(inputs):
        if isinstance(x, float):
            h = eps * max(1.0, abs(x))
            up = list(inputs)
            down = list(inputs)
            up[i], down[i] = x + h, x - h
            grads.append((evaluate(up) - evaluate(down)) / (2 * h))
            continue
        x = np.asarray(x, dtype=np.float64)
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            h = eps * max(1.0, abs(x[idx]))
            xp, xm = x.copy(), x.copy()
            xp[idx] += h
            xm[idx] -= h
            args_p, args_m = list(inputs), list(inputs)
            args_p[i], args_m[i] = xp, xm
            g[idx] = (evaluate(args_p) - evaluate(args_m)) / (2 * h)
        grads.append(g)
    return grads


def analytical_grads(
    fn: Callable[..., Value], inputs: Sequence[float | np.ndarray]
) -> list[float | np.ndarray]:
    values = [Value(x) for x in inputs]
    fn(*values).backward()
    return [v.grad if v.grad is not None else np.zeros(v.shape) for v in values]


def assert_grads_match(
    fn: Callable[..., Value],
    inputs: Sequence[float | np.ndarray],
    rtol: float = 1e-6,
    atol: float = 1e-7,
) -> None:
    """The engine's gradients equal central finite differences, element by element."""
    for i, (ana, num) in enumerate(zip(analytical_grads(fn, inputs), numerical_grads(fn, inputs))):
        np.testing.assert_allclose(ana, num, rtol=rtol, atol=atol, err_msg=f"input {i}")
