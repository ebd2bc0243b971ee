"""What compile_step refuses, or notices: never a silently wrong step."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, CompileError, Value, compile_step, losses, no_grad, optim


def model_and_opt():
    model = MLP(2, [3, 1], seed=0)
    return model, optim.SGD(model.parameters(), lr=0.1)


X = np.ones((4, 2))
Y = np.zeros(4)


@pytest.mark.parametrize(
    "read",
    [lambda v: v.item(), lambda v: float(v), lambda v: v.numpy(), lambda v: v.data],
    ids=["item", "float", "numpy", "data"],
)
def test_reading_a_value_inside_the_step_is_refused(read):
    model, opt = model_and_opt()

    def fn(x, y):
        loss = losses.mse(model(x), y)
        read(loss)
        return loss

    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(CompileError, match="reads the value"):
        compile_step(fn, opt)(X, Y)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))


def test_a_step_that_branches_on_a_value_is_refused():
    model, opt = model_and_opt()
    calls = []

    def fn(x, y):
        calls.append(1)
        out = model(x)
        return losses.mse(out * 2.0 if len(calls) % 2 else out, y)

    step = compile_step(fn, opt)
    step(X, Y)
    with pytest.raises(CompileError, match="different things"):
        step(X, Y)


def test_ops_run_under_no_grad_are_part_of_the_program():
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(4, 2)) for _ in range(5)]
    finals = []
    for compiled in (False, True):
        model, opt = model_and_opt()

        def fn(x, y):
            with no_grad():
                target = model(x)  # noqa: B023  (changes with the parameters)
            return losses.mse(model(x), target * 0.5 + 1.0)  # noqa: B023

        step = compile_step(fn, opt)
        for x in batches:
            if compiled:
                step(x, Y)
            else:
                opt.zero_grad()
                fn(Value(x, requires_grad=False), Y).backward()
                opt.step()
        if compiled:
            assert step.programs, "the step was not compiled"
        finals.append([p.data.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*finals))


def test_reading_a_value_computed_under_no_grad_from_the_parameters_is_refused():
    model, opt = model_and_opt()

    def fn(x, y):
        with no_grad():
            scale = 2.0 if model(x).sum().item() > 0 else 3.0  # a branch on the weights
        return losses.mse(model(x) * scale, y)

    with pytest.raises(CompileError, match="reads the value"):
        compile_step(fn, opt)(X, Y)


def test_parameter_data_replaced_behind_the_program_is_used():
    results = []
    for compiled in (False, True):
        model, opt = model_and_opt()
        fn = lambda x, y: losses.mse(model(x), y)  # noqa: B023, E731
        step = compile_step(fn, opt)
        for k in range(5):
            if k == 3:
                model.layers[0].W.data = np.full((2, 3), 0.5)
            if compiled:
                step(X, Y)
            else:
                opt.zero_grad()
                fn(X, Y).backward()
                opt.step()
        results.append([p.data.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*results))


def test_a_parameter_of_a_new_shape_traces_again():
    w = Value(np.ones(3))
    step = compile_step(lambda: (w * w).sum(), optim.SGD([w], lr=0.1))
    for _ in range(3):
        step()
    w.data = np.ones(5)
    traces = step.traces
    step()
    assert step.traces == traces + 1 and w.shape == (5,)


def test_grad_after_a_compiled_step_is_that_steps_gradient():
    w = Value(np.array([3.0]))
    step = compile_step(lambda: (w * w).sum(), optim.SGD([w], lr=0.5))
    for _ in range(3):
        before = w.data.copy()
        step()
    assert step.programs and np.array_equal(w.grad, 2 * before)


def test_a_constant_computed_from_the_inputs_by_opaque_code_is_not_baked_in():
    results = []
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(4, 2)) for _ in range(3)]
    calls = [batches[0], batches[0], batches[0], batches[1], batches[2]]  # same data twice first
    for compiled in (False, True):
        model, opt = model_and_opt()
        fn = lambda x: losses.mse(model(x), x.data[:, :1] * 2.0)  # noqa: B023, E731
        step = compile_step(fn, opt)
        out = []
        for x in calls:
            if compiled:
                try:
                    out.append(step(x))
                except CompileError:
                    out.append("refused")
            else:
                opt.zero_grad()
                v = fn(Value(x, requires_grad=False))
                v.backward()
                opt.step()
                out.append(v.item())
        results.append(out)
    assert results[1][:3] == results[0][:3]
    assert results[1][3] in ("refused", results[0][3])


def test_an_input_array_reused_in_place_is_read_anew():
    rng = np.random.default_rng(0)
    batches = [(rng.normal(size=(4, 2)), rng.integers(0, 2, size=4)) for _ in range(6)]
    results = []
    for compiled in (False, True):
        model = MLP(2, [3, 2], seed=0)
        opt = optim.SGD(model.parameters(), lr=0.1)
        fn = lambda x, y: losses.cross_entropy(model(x), y)  # noqa: B023, E731
        step = compile_step(fn, opt)
        xbuf, ybuf = np.empty((4, 2)), np.empty(4, dtype=np.int32)
        for k, (x, y) in enumerate(batches):
            xbuf[...], ybuf[...] = batches[0] if k < 3 else (x, y)  # the same batch 3 times
            if compiled:
                step(xbuf, ybuf)
            else:
                opt.zero_grad()
                fn(xbuf, ybuf).backward()
                opt.step()
        results.append([p.data.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*results))


def test_a_models_own_preparation_of_its_input_is_part_of_the_program():
    from tinygrad_mlp.nn import Standardize

    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(24, 2))
    y = rng.integers(0, 2, size=24)
    finals = []
    for compiled in (False, True):
        model = MLP(2, [5, 2], seed=0, standardize=Standardize(X.mean(0), X.std(0)))
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        fn = lambda xb, yb: losses.cross_entropy(model(xb), yb)  # noqa: B023, E731
        step = compile_step(fn, opt)
        for k in range(6):
            xb, yb = X[4 * k : 4 * k + 4], y[4 * k : 4 * k + 4]
            if compiled:
                step(xb, yb)
            else:
                opt.zero_grad()
                fn(xb, yb).backward()
                opt.step()
        if compiled:
            assert step.programs, "the standardized step was not compiled"
            assert "x0 -" in step.source()  # the standardization, written out
        finals.append([p.data.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*finals))


def test_reading_a_value_computed_from_the_inputs_is_refused():
    model, opt = model_and_opt()

    def fn(x, y):
        scale = 2.0 if (x * 1.0).sum().item() > 0 else 3.0  # a branch on the data
        return losses.mse(model(x) * scale, y)

    with pytest.raises(CompileError, match="reads the value"):
        compile_step(fn, opt)(X, Y)
