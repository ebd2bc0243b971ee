"""compile_step against the eager loop (the oracle): the same parameters, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import MLP, Value, compile_step, losses, optim

OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.05),
    "momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.01, weight_decay=1e-3),
}
LOSSES = ("mse", "sse", "cross_entropy", "hinge", "binary_cross_entropy")


def make_batches(loss, nin, classes, batch, dtype, seed, label_dtype):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(5):
        x = rng.normal(size=(batch, nin)).astype(dtype)
        if loss in ("mse", "sse"):
            y = rng.normal(size=(batch, classes)).astype(dtype)
        elif loss == "cross_entropy":
            y = rng.integers(0, classes, size=batch).astype(label_dtype)
        elif loss == "hinge":
            y = rng.choice([-1, 1], size=batch).astype(label_dtype)
        else:
            y = rng.integers(0, 2, size=batch).astype(label_dtype)
        if loss not in ("mse", "sse"):  # consecutive batches differ, so two traces can tell
            y[0] = (-1) ** k if loss == "hinge" else k % 2  # labels from constants
        out.append((x, y))
    return out


def train(compiled, loss, hidden, activation, opt_name, dtype, batches, classes, seed):
    nout = 1 if loss in ("hinge", "binary_cross_entropy") else classes
    model = MLP(
        batches[0][0].shape[1], [*hidden, nout], activation=activation, seed=seed, dtype=dtype
    )
    opt = OPTIMIZERS[opt_name](model.parameters())
    fn = lambda x, y: losses.LOSSES[loss](model(x), y)  # noqa: E731
    step = compile_step(fn, opt)
    seen = []
    for x, y in batches:
        if compiled:
            seen.append(step(x, y))
        else:
            opt.zero_grad()
            value = fn(x, y)
            value.backward()
            opt.step()
            seen.append(value.item())
    return seen, [p.data.copy() for p in model.parameters()], [p.grad for p in opt.params], step


@given(
    loss=st.sampled_from(LOSSES),
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=2),
    activation=st.sampled_from(["relu", "tanh", "sigmoid"]),
    opt_name=st.sampled_from(sorted(OPTIMIZERS)),
    dtype=st.sampled_from(["float32", "float64"]),
    batch=st.integers(2, 9),
    nin=st.integers(1, 4),
    classes=st.integers(2, 4),
    label_dtype=st.sampled_from(["int64", "int32", "uint8", "int16"]),
    seed=st.integers(0, 100),
)
def test_compiled_steps_give_the_eager_parameters_bitwise(
    loss, hidden, activation, opt_name, dtype, batch, nin, classes, label_dtype, seed
):
    if loss == "hinge" and label_dtype == "uint8":
        label_dtype = "int8"
    batches = make_batches(loss, nin, classes, batch, dtype, seed, label_dtype)
    args = (loss, hidden, activation, opt_name, dtype, batches, classes, seed)
    eager_losses, eager_params, eager_grads, _ = train(False, *args)
    losses_, params, grads, step = train(True, *args)
    assert step.programs, "the step never ran compiled"
    assert losses_ == eager_losses
    for a, b in zip(params, eager_params):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for a, b in zip(grads, eager_grads):  # .grad holds the last step's gradient
        assert np.array_equal(a, b)


def test_a_new_batch_shape_traces_again():
    model = MLP(3, [4, 2], seed=0)
    step = compile_step(
        lambda x, y: losses.cross_entropy(model(x), y), optim.SGD(model.parameters(), lr=0.1)
    )
    rng = np.random.default_rng(0)
    for n in (5, 5, 5, 3):
        step(rng.normal(size=(n, 3)), rng.integers(0, 2, size=n))
    assert step.traces == 3 and list(step.programs) != list(step.pending)


def test_labels_repeated_in_two_traces_are_still_inputs():
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(6, 2, 3))
    ys = np.array([[0, 1], [0, 1], [2, 0], [1, 1], [0, 2], [2, 2]])  # arange(2) twice first
    runs = []
    for compiled in (False, True):
        model = MLP(3, [3], seed=0)
        opt = optim.SGD(model.parameters(), lr=0.1)
        fn = lambda x, y: losses.cross_entropy(model(x), y)  # noqa: B023, E731
        step = compile_step(fn, opt)
        for x, y in zip(xs, ys):
            if compiled:
                step(x, y)
            else:
                opt.zero_grad()
                fn(x, y).backward()
                opt.step()
        runs.append([p.data.copy() for p in model.parameters()])
        assert not compiled or step.programs
    assert all(np.array_equal(a, b) for a, b in zip(*runs))


def test_labels_are_inputs_not_constants_of_the_first_call():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(6, 8, 3))
    ys = rng.integers(0, 3, size=(6, 8))
    runs = []
    for compiled in (False, True):
        model = MLP(3, [4, 3], seed=0)
        opt = optim.SGD(model.parameters(), lr=0.1)
        fn = lambda x, y: losses.cross_entropy(model(x), y)  # noqa: B023, E731
        step = compile_step(fn, opt)
        out = []
        for x, y in zip(xs, ys):
            if compiled:
                out.append(step(x, y))
            else:
                opt.zero_grad()
                v = fn(x, y)
                v.backward()
                opt.step()
                out.append(v.item())
        runs.append(out)
    assert runs[0] == runs[1]


def test_a_step_of_no_arguments_compiles():
    w = Value(np.array([1.0, -2.0]))
    opt = optim.SGD([w], lr=0.1)
    step = compile_step(lambda: (w * w).sum(), opt)
    for _ in range(4):
        step()
    assert step.programs and np.allclose(w.data, np.array([1.0, -2.0]) * 0.8**4)


def test_learning_rate_changes_between_steps_are_honoured():
    results = []
    for compiled in (False, True):
        w = Value(np.array([1.0, -2.0]))
        opt = optim.SGD([w], lr=0.1, momentum=0.5)
        fn = lambda: (w * w).sum()  # noqa: B023, E731
        step = compile_step(fn, opt)
        for k in range(6):
            opt.lr = 0.1 / (k + 1)
            if compiled:
                step()
            else:
                opt.zero_grad()
                fn().backward()
                opt.step()
        results.append(w.data.copy())
    assert np.array_equal(results[0], results[1])


def test_a_new_label_dtype_traces_again():
    model = MLP(3, [4, 2], seed=0)
    step = compile_step(
        lambda x, y: losses.cross_entropy(model(x), y), optim.SGD(model.parameters(), lr=0.1)
    )
    rng = np.random.default_rng(0)
    for dtype in ("int64", "int64", "int64", "int32"):
        step(rng.normal(size=(5, 3)), rng.integers(0, 2, size=5).astype(dtype))
    assert step.traces == 3 and len(step.pending) == 1
