"""Scalar steps: nested lists of numbers become scalar Values (micrograd's demo compiles)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Value, compile_step, optim


def net(seed):
    rng = random.Random(seed)
    return [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(4)]


def loss(weights, xs, ys):
    total = Value(0.0, requires_grad=False)
    for x, y in zip(xs, ys):
        hidden = [sum((wi * xi for wi, xi in zip(w[:2], x)), w[2]).tanh() for w in weights]
        score = sum(hidden)
        total = total + (1.0 + -y * score).relu()
    return total * (1.0 / len(xs))


def test_a_scalar_step_compiles_and_matches_eager_bitwise():
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]
    ys = [1.0, -1.0, 1.0]
    finals = []
    for compiled in (False, True):
        weights = net(0)
        params = [p for row in weights for p in row]
        opt = optim.SGD(params, lr=0.1, momentum=0.9)
        step = compile_step(lambda a, b: loss(weights, a, b), opt)  # noqa: B023
        for _ in range(5):
            if compiled:
                step(xs, ys)
            else:
                inputs = [[Value(v, requires_grad=False) for v in row] for row in xs]
                opt.zero_grad()
                loss(weights, inputs, [Value(v, requires_grad=False) for v in ys]).backward()
                opt.step()
        finals.append([p.data for p in params])
        if compiled:
            assert step.programs
    assert finals[0] == finals[1]


def test_a_long_program_split_into_pieces_matches_eager_bitwise(monkeypatch):
    from tinygrad_mlp.compile import pieces

    monkeypatch.setattr(pieces, "CHUNK_LINES", 7)
    test_a_scalar_step_compiles_and_matches_eager_bitwise()


@given(
    seed=st.integers(0, 1000),
    hidden=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "relu", "sigmoid"]),
    adam=st.booleans(),
)
def test_scalar_steps_match_eager_bitwise_for_any_small_net(seed, hidden, activation, adam):
    rng = random.Random(seed)
    xs = [[rng.uniform(-2, 2) for _ in range(2)] for _ in range(3)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(3)]

    def net_loss(weights, inputs, targets):
        total = 0.0
        for x, y in zip(inputs, targets):
            h = [getattr(w[0] * x[0] + w[1] * x[1] + w[2], activation)() for w in weights]
            total = total + (1.0 - y * sum(h)).relu() + 1e-3 * sum(w[0] ** 2 for w in weights)
        return total / len(inputs)

    finals = []
    for compiled in (False, True):
        r = random.Random(seed + 1)
        weights = [[Value(r.uniform(-1, 1)) for _ in range(3)] for _ in range(hidden)]
        params = [p for row in weights for p in row]
        opt = optim.Adam(params, lr=0.05) if adam else optim.SGD(params, lr=0.1, momentum=0.5)
        step = compile_step(lambda a, b: net_loss(weights, a, b), opt)  # noqa: B023
        for _ in range(4):
            if compiled:
                step(xs, ys)
            else:
                opt.zero_grad()
                inputs = [[Value(v, requires_grad=False) for v in row] for row in xs]
                net_loss(weights, inputs, [Value(v, requires_grad=False) for v in ys]).backward()
                opt.step()
        assert not compiled or step.programs
        finals.append([p.data for p in params])
    assert finals[0] == finals[1]
