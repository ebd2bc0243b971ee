"""Scalars and tensors agree with each other, and with numpy and PyTorch, where floats misbehave:
inf and nan with a warning, never a Python exception, and PyTorch's zero where a gradient's
formula would give 0 * inf."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from tinygrad_mlp import Value


def scalar_and_tensor(fn, *xs: float):
    """fn on scalar Values and on one-element tensor Values: (outputs, gradients) of each."""
    found = []
    for make in (Value, lambda x: Value(np.array([x]))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            inputs = [make(x) for x in xs]
            out = fn(*inputs)
            (out if out.is_scalar else out.sum()).backward()
        found.append(
            (float(np.asarray(out.data).reshape(-1)[0]),)
            + tuple(float(np.asarray(v.grad).reshape(-1)[0]) for v in inputs)
        )
    return found


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


CASES = {
    "sqrt of 0 (x ** 0.5)": (lambda x: x**0.5, (0.0,), (0.0, math.inf)),
    "0 ** -1": (lambda x: x**-1, (0.0,), (math.inf, -math.inf)),
    "(-4) ** 0.5": (lambda x: x**0.5, (-4.0,), (math.nan, math.nan)),
    "1e-320 ** -1": (lambda x: x**-1, (1e-320,), (math.inf, -math.inf)),
    "relu(nan)": (lambda x: x.relu(), (math.nan,), (math.nan, 1.0)),
    "0 ** y": (lambda y: 0.0**y, (2.0,), (0.0, 0.0)),
    "0 ** 2 (both Values)": (lambda a, b: a**b, (0.0, 2.0), (0.0, 0.0, 0.0)),
    "0 ** 0 (both Values)": (lambda a, b: a**b, (0.0, 0.0), (1.0, 0.0, 0.0)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_scalar_and_tensor_give_the_expected_values(name: str) -> None:
    fn, xs, expected = CASES[name]
    for found in scalar_and_tensor(fn, *xs):
        assert all(same(f, e) for f, e in zip(found, expected)), (name, found, expected)


@pytest.mark.parametrize(
    "fn, x",
    [
        (lambda v: v**0.5, 0.0),
        (lambda v: v**-1, 0.0),
        (lambda v: v**0.5, -4.0),
        (lambda v: v**-1, 1e-320),
    ],
    ids=["0**0.5", "0**-1", "(-4)**0.5", "1e-320**-1"],
)
def test_scalar_special_values_warn_instead_of_raising(fn, x: float) -> None:
    with pytest.warns(RuntimeWarning):
        out = fn(Value(x))
        out.backward()


@pytest.mark.parametrize("name", list(CASES))
def test_special_values_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    fn, xs, _ = CASES[name]
    tensors = [torch.tensor([x], dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*tensors)
    out.sum().backward()
    theirs = (float(out.detach()[0]),) + tuple(float(t.grad[0]) for t in tensors)
    for ours in scalar_and_tensor(fn, *xs):
        assert all(same(a, b) for a, b in zip(ours, theirs)), (name, ours, theirs)
