"""Scalar steps: nested lists of numbers become scalar Values (micrograd's demo compiles)."""

from __future__ import annotations

import random

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
    from tinygrad_mlp.compile import codegen

    monkeypatch.setattr(codegen, "CHUNK_LINES", 7)
    test_a_scalar_step_compiles_and_matches_eager_bitwise()
