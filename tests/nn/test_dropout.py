"""Dropout and the training/evaluation modes of modules."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, Value
from tinygrad_mlp.nn import ACTIVATIONS, Dropout


def test_dropout_is_the_identity_in_evaluation_mode() -> None:
    x = Value(np.arange(6.0))
    assert Dropout(0.5).eval()(x) is x


def test_dropout_zeroes_or_scales_each_element_in_training_mode() -> None:
    out = Dropout(0.25, seed=0)(np.ones(1000)).data
    assert set(np.unique(out)) <= {0.0, 1 / 0.75}
    assert 0.2 < np.mean(out == 0.0) < 0.3


def test_dropout_keeps_the_expected_value() -> None:
    out = Dropout(0.5, seed=1)(np.full(20000, 3.0)).data
    assert out.mean() == pytest.approx(3.0, rel=0.03)


def test_dropout_with_a_seed_repeats() -> None:
    a = Dropout(0.5, seed=7)(np.ones(50)).data
    b = Dropout(0.5, seed=7)(np.ones(50)).data
    np.testing.assert_array_equal(a, b)


def test_gradient_flows_only_through_kept_elements() -> None:
    x = Value(np.ones(100))
    out = Dropout(0.5, seed=0)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # 2 where kept, 0 where dropped


def test_p_zero_and_one() -> None:
    x = Value(np.ones(4))
    assert Dropout(0.0)(x) is x
    np.testing.assert_array_equal(Dropout(1.0)(x).data, np.zeros(4))


def test_dropout_keeps_float32() -> None:
    assert Dropout(0.5, seed=0)(Value(np.ones(4, dtype=np.float32))).dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.5, "half", True])
def test_p_must_be_a_probability(p) -> None:
    with pytest.raises(ValueError, match="probability"):
        Dropout(p)


def test_train_and_eval_set_every_module_below() -> None:
    model = MLP(2, [3, 3, 1])
    assert model.training and all(layer.training for layer in model.layers)
    assert model.eval() is model
    assert not any(m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "softplus"])
def test_new_activations_work_by_name_in_an_mlp(activation: str) -> None:
    model = MLP(2, [4, 1], activation=activation, seed=0)
    x = Value(np.array([[0.5, -1.0]]))
    expected = model.layers[0](x).data
    act = ACTIVATIONS[activation]
    assert act is not None
    z = x @ model.layers[0].W + model.layers[0].b
    np.testing.assert_allclose(expected, act(z).data)
