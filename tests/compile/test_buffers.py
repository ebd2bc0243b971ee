"""The program's two savings: lines that read no input are computed once (the seed of the
backward pass), and a result is written into an operand's memory only where nothing else still
sees it. Both must leave the program bitwise equal to the eager step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import MLP, Value, compile_step, losses, optim
from tinygrad_mlp.compile.buffers import candidate, written_in_place


def body(*lines):
    return [f"    {line}" for line in lines]


def rewritten(lines, candidates, keep=("r",)):
    return written_in_place(body(*lines), candidates, set(keep))


A, B = np.zeros((2, 3)), np.zeros(3)


def test_a_dying_left_operand_is_written_into():
    c = candidate("t1 + b", {"t1": A}, A + B)
    out = rewritten(["t1 = a @ w", "r = t1 + b"], {1: c})
    assert out[1].strip().startswith("r = np.add(t1, b, out=t1)")


def test_an_operand_still_read_later_is_not_written():
    c = candidate("t1 + b", {"t1": A}, A + B)
    out = rewritten(["t1 = a @ w", "t2 = t1 + b", "r = t2 * t1"], {1: c})
    assert out[1].strip() == "t2 = t1 + b"


def test_an_alias_still_read_later_keeps_the_buffer():
    c = candidate("t1 + b", {"t1": A}, A + B)
    out = rewritten(["t1 = a @ w", "t9 = t1", "t2 = t1 + b", "r = t2 * t9"], {2: c})
    assert out[2].strip() == "t2 = t1 + b"


def test_a_buffer_an_opaque_call_has_read_may_be_seen_through_a_view():
    c = candidate("t1 + b", {"t1": A}, A + B)
    lines = ["t1 = a @ w", "v = Reshape.forward(t1, shape=(6,))", "t2 = t1 + b", "r = t2 * v"]
    assert rewritten(lines, {2: c})[2].strip() == "t2 = t1 + b"


def test_inputs_parameters_and_returned_arrays_are_never_written():
    c = candidate("a + b", {"a": A}, A + B)
    assert rewritten(["r = a + b"], {0: c})[0].strip() == "r = a + b"  # a: not made here
    c = candidate("t1 + b", {"t1": A}, A + B)
    out = rewritten(["t1 = a @ w", "r = t1 + b"], {1: c}, keep=("r", "t1"))
    assert out[1].strip() == "r = t1 + b"


def test_candidates_are_only_left_operands_of_the_results_shape_and_dtype():
    assert candidate("b + t1", {"b": B}, A + B) is None  # b would have to grow
    assert candidate("t1 + b", {"t1": A.astype(np.float32)}, A + B) is None  # the dtype changes
    assert candidate("t1 * t2 * t3", {"t1": A}, A) is None  # (t1 * t2) * t3: not t1 *= t2 * t3
    assert candidate("t1 - t2 * t3", {"t1": A}, A) is not None  # t1 - (t2 * t3)
    relu = candidate("np.maximum(t1, 0.0)", {"t1": A}, A)
    assert relu is not None and (relu.left, relu.ufunc, relu.right) == ("t1", "np.maximum", "0.0")
    assert candidate("np.maximum(0.0, t1)", {"t1": A}, A) is None


def tiny_step(dtype="float64"):
    model = MLP(2, [4, 1], seed=0, dtype=dtype)
    opt = optim.SGD(model.parameters(), lr=0.1)
    return model, opt, compile_step(lambda x, y: losses.mse(model(x), y), opt)


def test_the_seed_of_the_backward_pass_is_computed_once_when_compiled():
    _, _, step = tiny_step()
    x, y = np.ones((3, 2)), np.zeros((3, 1))
    for _ in range(3):
        step(x, y)
    source = step.source()
    assert "# g" in source and "d loss / d loss: computed once, when compiled" in source
    assert "out=" in source  # the bias added into the matmul's memory


def test_a_gradient_that_is_a_constant_of_the_program_is_a_new_array_each_step():
    w = Value(np.ones(3))
    opt = optim.SGD([w], lr=0.1)
    step = compile_step(lambda: (w * 3.0).sum(), opt)
    grads = []
    for _ in range(4):
        step()
        grads.append(w.grad)
    assert "computed once" in step.source() and step.programs
    assert len({id(g) for g in grads}) == 4 and all(g.flags.writeable for g in grads)
    grads[-1][:] = 100.0  # a user's change of .grad cannot reach the program
    step()
    assert np.array_equal(w.grad, np.full(3, 3.0))


def views_and_reuse(model, x, y):
    h = model.layers[0](x)  # (n, 4)
    flat = h.reshape(-1)  # a view of h's data
    both = (h + 1.0).tanh() * h.T.T  # h read again after `h + 1.0`
    picked = both[:, :2] + flat[:2]
    return losses.mse(model.layers[1](both), y) + (picked * picked).mean()


def a_view_outliving_its_base(model, x, y):
    h = model.layers[0](x)
    flat = h.reshape(-1)  # returned beside the loss: backward never reads h through it
    both = h + model.layers[0](x).tanh()  # the last use of h by name: not to be written into
    return losses.mse(model.layers[1](both), y), flat


@pytest.mark.parametrize(
    "fn",
    [views_and_reuse, a_view_outliving_its_base],
    ids=["views and reuse", "a view outliving its base"],
)
@given(seed=st.integers(0, 50), dtype=st.sampled_from(["float32", "float64"]))
def test_views_and_values_read_again_stay_bitwise_equal_to_eager(fn, seed, dtype):
    rng = np.random.default_rng(seed)
    batches = [
        (rng.normal(size=(5, 2)).astype(dtype), rng.normal(size=(5, 1)).astype(dtype))
        for _ in range(4)
    ]
    results = []
    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=seed, dtype=dtype)
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
        step = compile_step(lambda x, y: fn(model, x, y), opt)  # noqa: B023
        for x, y in batches:
            if compiled:
                returned = step(x, y)
            else:
                opt.zero_grad()
                values = fn(model, x, y)
                values = values if isinstance(values, tuple) else (values,)
                values[0].backward()
                opt.step()
                returned = (values[0].item(), *(v.numpy() for v in values[1:]))
            results.append(returned if isinstance(returned, tuple) else (returned,))
        results.append([p.data.copy() for p in model.parameters()])
        if compiled:
            assert step.programs
    half = len(results) // 2
    for a, b in zip(results[:half], results[half:]):  # what each step returned, then weights
        for x, y in zip(a, b):
            assert np.isfinite(x).all() and np.array_equal(x, y)


def test_two_parameters_given_the_same_array_each_get_their_own():
    a, b, c = Value(np.ones(3)), Value(np.zeros(3)), Value(np.ones((3, 2)))
    opt = optim.SGD([a, b, c], lr=0.1)
    # a and b: one gradient array, passed on by `+`; c: a transposed view of one
    step = compile_step(lambda x: ((a + b) * x).sum() + (c.T * x).sum(), opt)
    for _ in range(4):
        x = np.arange(3.0)
        step(x)
    assert step.programs
    grads = [a.grad, b.grad, c.grad]
    assert all(g.base is None and g.flags.writeable for g in grads)
    assert not any(np.shares_memory(g, h) for i, g in enumerate(grads) for h in grads[i + 1 :])
    assert np.array_equal(a.grad, x) and np.array_equal(b.grad, x)
