"""The tensor API's ops against PyTorch: the same values and the same gradients.

Each case is one op written twice, for Values and for torch tensors; the inputs are fixed random
arrays inside the op's domain. Skipped as a whole when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import Value, maximum, minimum, where

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)


def uniform(low, high, shape=(3, 4)):
    return RNG.uniform(low, high, size=shape)


def away_from_zero(shape=(3, 4)):
    x = uniform(0.1, 3.0, shape)
    return x * RNG.choice([-1.0, 1.0], size=shape)


CASES = {
    "log1p": (lambda a: a.log1p(), lambda a: torch.log1p(a), [uniform(-0.5, 3)]),
    "expm1": (lambda a: a.expm1(), lambda a: torch.expm1(a), [uniform(-3, 3)]),
    "sin": (lambda a: a.sin(), lambda a: torch.sin(a), [uniform(-3, 3)]),
    "cos": (lambda a: a.cos(), lambda a: torch.cos(a), [uniform(-3, 3)]),
    "leaky_relu": (
        lambda a: a.leaky_relu(),
        lambda a: torch.nn.functional.leaky_relu(a),
        [away_from_zero()],
    ),
    "elu": (lambda a: a.elu(0.7), lambda a: torch.nn.functional.elu(a, 0.7), [away_from_zero()]),
    "gelu": (
        lambda a: a.gelu(),
        lambda a: torch.nn.functional.gelu(a, approximate="tanh"),
        [uniform(-3, 3)],
    ),
    "softplus": (lambda a: a.softplus(), torch.nn.functional.softplus, [uniform(-3, 3)]),
    "clip": (lambda a: a.clip(-1, 1), lambda a: torch.clamp(a, -1, 1), [uniform(-3, 3)]),
    "remainder": (lambda a, b: a % b, torch.remainder, [uniform(4.3, 5.8), uniform(2.0, 2.1)]),
    "where": (
        lambda a, b: where(a > 0, a, b),
        lambda a, b: torch.where(a > 0, a, b),
        [away_from_zero(), uniform(-3, 3)],
    ),
    "maximum": (maximum, torch.maximum, [uniform(-3, 3), uniform(-3, 3, (4,))]),
    "minimum": (minimum, torch.minimum, [uniform(-3, 3), uniform(-3, 3, (4,))]),
    "min_axis": (lambda a: a.min(axis=1), lambda a: a.amin(dim=1), [uniform(-3, 3)]),
    "var_ddof1": (lambda a: a.var(axis=0, ddof=1), lambda a: a.var(dim=0), [uniform(-3, 3)]),
    "var_ddof0": (
        lambda a: a.var(axis=1, keepdims=True),
        lambda a: a.var(dim=1, keepdim=True, correction=0),
        [uniform(-3, 3)],
    ),
    "std": (lambda a: a.std(ddof=1), lambda a: a.std(), [uniform(-3, 3)]),
    "flatten": (lambda a: a.flatten(1), lambda a: a.flatten(1), [uniform(-3, 3, (2, 3, 4))]),
    "squeeze": (lambda a: a.squeeze(1), lambda a: a.squeeze(1), [uniform(-3, 3, (3, 1, 2))]),
    "unsqueeze": (lambda a: a.unsqueeze(1), lambda a: a.unsqueeze(1), [uniform(-3, 3)]),
    "broadcast_to": (
        lambda a: a.broadcast_to((2, 3, 4)),
        lambda a: a.broadcast_to((2, 3, 4)),
        [uniform(-3, 3, (3, 1))],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_pytorch(name: str) -> None:
    ours, theirs, arrays = CASES[name]
    values = [Value(x) for x in arrays]
    tensors = [torch.tensor(x, requires_grad=True) for x in arrays]
    out, expected = ours(*values), theirs(*tensors)
    upstream = RNG.standard_normal(expected.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for v, t in zip(values, tensors):
        np.testing.assert_allclose(v.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_argmax_and_argmin_match_pytorch() -> None:
    x = uniform(-3, 3)
    v, t = Value(x), torch.tensor(x)
    assert v.argmax() == int(t.argmax())
    assert v.argmin() == int(t.argmin())
    np.testing.assert_array_equal(v.argmax(axis=1), t.argmax(dim=1).numpy())
    np.testing.assert_array_equal(v.argmin(axis=0), t.argmin(dim=0).numpy())


def test_comparisons_match_pytorch() -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    va, ta, tb = Value(a), torch.tensor(a), torch.tensor(b)
    for ours, theirs in [
        (va < b, ta < tb),
        (va <= b, ta <= tb),
        (va > b, ta > tb),
        (va >= b, ta >= tb),
        (va == b, ta == tb),
        (va != b, ta != tb),
    ]:
        np.testing.assert_array_equal(ours.data, theirs.numpy().astype(float))
