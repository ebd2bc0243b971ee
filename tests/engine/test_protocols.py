"""Python's protocols on Value: comparisons, truth, int/round/format, numpy conversion, %,
tolist, hashing, and a list of scalar Values as a model input. No trap gives a silent wrong
answer: each either works as numpy and PyTorch do or raises an error that says what to do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import MLP, Value, grad, optim, where
from tinygrad_mlp.engine import walk

FLOATS = st.floats(-5, 5, allow_nan=False)
COMPARISONS = {
    "<": (lambda a, b: a < b),
    "<=": (lambda a, b: a <= b),
    ">": (lambda a, b: a > b),
    ">=": (lambda a, b: a >= b),
    "==": (lambda a, b: a == b),
    "!=": (lambda a, b: a != b),
}


@pytest.mark.parametrize("op", sorted(COMPARISONS))
@given(a=FLOATS, b=FLOATS)
def test_scalar_comparison_is_python_comparison(op, a, b) -> None:
    compare = COMPARISONS[op]
    expected = float(compare(a, b))
    for result in (compare(Value(a), b), compare(a, Value(b)), compare(Value(a), Value(b))):
        assert isinstance(result, Value) and result.is_scalar
        assert result.data == expected
        assert bool(result) == bool(expected)


@pytest.mark.parametrize("op", sorted(COMPARISONS))
@given(a=st.lists(FLOATS, min_size=1, max_size=5), data=st.data())
def test_tensor_comparison_is_elementwise_like_numpy(op, a, data) -> None:
    compare = COMPARISONS[op]
    x = np.array(a)
    y = np.array(data.draw(st.lists(FLOATS, min_size=len(a), max_size=len(a))))
    expected = compare(x, y).astype(float)
    for result in (compare(Value(x), y), compare(x, Value(y)), compare(Value(x), Value(y))):
        np.testing.assert_array_equal(result.data, expected)


def test_comparison_is_a_constant_outside_the_graph() -> None:
    x = Value(np.array([-1.0, 2.0]))
    mask = x > 0
    assert not mask.requires_grad and mask.is_leaf


def test_comparison_mask_selects_in_where() -> None:
    x = Value(np.array([-1.0, 2.0]))
    y = where(x > 0, x * 3, x * 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0])


def test_equality_with_a_non_number_is_false_not_an_error() -> None:
    v = Value(1.0)
    assert (v == None) is False  # noqa: E711
    assert (v != "one") is True


def test_values_hash_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert len({a, b, a}) == 2
    assert {a: "a", b: "b"}[b] == "b"


class _EqualityCalled(AssertionError):
    pass


def _refuse(*_):
    raise _EqualityCalled("== or != called on a Value")


def test_graph_walks_and_backward_never_call_equality(monkeypatch) -> None:
    monkeypatch.setattr(Value, "__eq__", _refuse)
    monkeypatch.setattr(Value, "__ne__", _refuse)
    x = Value(np.array([1.0, -2.0]))
    s = Value(0.5)
    b = x * s + x
    c = (b * b).tanh().sum() + s * s  # reused nodes, shared leaves, scalars and tensors
    walk(c)
    c.backward()
    (gx,) = grad(c, [x], create_graph=True)
    grad(gx.sum(), [x, s])
    model = MLP(2, [3, 1], seed=0)
    opt = optim.Adam(model.parameters())
    model(np.ones((4, 2))).sum().backward()
    opt.step()
    assert len(model.parameters()) == 4


def test_bool_of_a_single_element_is_its_truth() -> None:
    assert bool(Value(0.0)) is False
    assert bool(Value(np.array([[3.0]]))) is True


def test_bool_of_several_elements_is_ambiguous() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Value(np.array([1.0, 2.0])))


def test_int_round_and_format_read_a_single_element() -> None:
    v = Value(np.array([2.71828]))
    assert int(v) == 2
    assert round(v, 2) == 2.72 and round(v) == 3
    assert f"{v:.3f}" == "2.718"
    assert f"{Value(0.5):>6.2f}" == "  0.50"


def test_format_without_a_spec_is_the_repr() -> None:
    v = Value(1.5)
    assert f"{v}" == repr(v)


def test_int_of_several_elements_names_the_shape() -> None:
    with pytest.raises(TypeError, match=r"\(2,\)"):
        int(Value(np.array([1.0, 2.0])))
    with pytest.raises(TypeError, match="single-element"):
        f"{Value(np.ones(3)):.2f}"


def test_asarray_of_a_value_that_requires_gradients_points_at_numpy_and_detach() -> None:
    v = Value(np.array([1.0, 2.0]))
    for convert in (np.asarray, np.array):
        with pytest.raises(TypeError, match=r"\.numpy\(\).*\.detach\(\)"):
            convert(v)


def test_asarray_of_a_constant_is_its_data() -> None:
    c = Value(np.array([1.0, 2.0]), requires_grad=False)
    np.testing.assert_array_equal(np.asarray(c), [1.0, 2.0])
    assert np.asarray(Value(3.0, requires_grad=False)) == 3.0
    copied = np.array(c)
    copied[0] = 5.0  # a copy: the Value's data is untouched
    assert c.data[0] == 1.0


@given(a=st.floats(-10, 10), b=st.floats(0.5, 3))
def test_mod_is_python_mod_on_either_side(a, b) -> None:
    assert (Value(a) % b).data == pytest.approx(a % b)
    assert (a % Value(b)).data == pytest.approx(a % b)


def test_mod_gradient_is_one_and_minus_the_quotient() -> None:
    a, b = Value(7.5), Value(2.0)
    (a % b).backward()
    assert a.grad == 1.0 and b.grad == -3.0  # d(a - floor(a/b) b)/db = -floor(3.75)


def test_tolist_gives_python_floats() -> None:
    assert Value(np.arange(4.0).reshape(2, 2)).tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert Value(2.0).tolist() == 2.0


def test_model_takes_a_list_of_scalar_values_as_one_example() -> None:
    model = MLP(2, [3, 1], seed=0)
    x = [Value(2.0), Value(3.0)]
    out = model(x)
    np.testing.assert_allclose(out.data, model(np.array([[2.0, 3.0]])).data[0])
    out.sum().backward()
    assert x[0].has_grad and x[1].has_grad


def test_model_refuses_a_list_mixing_values_and_other_things() -> None:
    with pytest.raises(TypeError, match="scalar Values"):
        MLP(2, [1])([Value(2.0), 3.0])
