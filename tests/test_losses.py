"""Losses and accuracy: values against numpy references, gradients against finite differences,
stability at extreme logits, shape matching without silent broadcasting, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.helpers.numeric import assert_grads_match
from tinygrad_mlp import Value, losses


def floats(shape, low=-5.0, high=5.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False))


batch = st.integers(1, 6)


def log_softmax_ref(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


# ----------------------------------------------------------------------------------------------
# Values


@given(batch.flatmap(lambda n: st.tuples(floats((n, 2)), floats((n, 2)))))
def test_sse_and_mse_match_numpy(pair) -> None:
    pred, target = pair
    errors = (pred - target) ** 2
    np.testing.assert_allclose(losses.sse(Value(pred), target).item(), errors.sum())
    np.testing.assert_allclose(losses.mse(Value(pred), target).item(), errors.mean())
    np.testing.assert_allclose(losses.mse(Value(pred), target, "sum").item(), errors.sum())
    np.testing.assert_allclose(losses.mse(Value(pred), target, "none").data, errors)


@given(
    batch.flatmap(
        lambda n: st.tuples(
            floats((n, 4), -50, 50), hnp.arrays(np.int64, n, elements=st.integers(0, 3))
        )
    )
)
def test_cross_entropy_matches_a_log_sum_exp_reference(case) -> None:
    logits, labels = case
    expected = -log_softmax_ref(logits)[np.arange(len(labels)), labels]
    loss = losses.cross_entropy(Value(logits), labels, reduction="none")
    np.testing.assert_allclose(loss.data, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(losses.cross_entropy(Value(logits), labels).item(), expected.mean())


def test_cross_entropy_takes_one_hot_rows_and_column_labels_alike() -> None:
    logits = Value(np.random.default_rng(0).normal(size=(5, 3)))
    labels = np.array([0, 2, 1, 1, 0])
    by_label = losses.cross_entropy(logits, labels).item()
    np.testing.assert_allclose(losses.cross_entropy(logits, np.eye(3)[labels]).item(), by_label)
    np.testing.assert_allclose(losses.cross_entropy(logits, labels[:, None]).item(), by_label)


@given(batch.flatmap(lambda n: st.tuples(floats(n, -30, 30), floats(n, 0, 1))))
def test_binary_cross_entropy_matches_the_textbook_formula(case) -> None:
    z, t = case
    log_p, log_one_minus_p = -np.logaddexp(0, -z), -np.logaddexp(0, z)  # log σ(z), log σ(-z)
    expected = -(t * log_p + (1 - t) * log_one_minus_p)
    loss = losses.binary_cross_entropy(Value(z), t, reduction="none")
    np.testing.assert_allclose(loss.data, expected, rtol=1e-7, atol=1e-9)


def test_hinge_is_max_of_zero_and_margin_minus_label_times_score() -> None:
    scores = Value(np.array([2.0, 0.5, -0.5, -3.0]))
    labels = np.array([1, 1, 1, -1])
    np.testing.assert_allclose(
        losses.hinge(scores, labels, reduction="none").data, [0, 0.5, 1.5, 0]
    )
    assert losses.hinge(scores, labels, margin=2.0, reduction="sum").item() == 0 + 1.5 + 2.5 + 0


def test_hinge_reads_zero_one_labels_as_minus_one_plus_one() -> None:
    scores = Value(np.random.default_rng(0).normal(size=6))
    zero_one = np.array([0, 1, 1, 0, 1, 0])
    assert losses.hinge(scores, zero_one).item() == losses.hinge(scores, 2 * zero_one - 1).item()


# ----------------------------------------------------------------------------------------------
# Stability


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_finite_at_huge_logits(dtype) -> None:
    logits = Value(np.array([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 0.0]], dtype=dtype))
    loss = losses.cross_entropy(logits, np.array([1, 0]))
    loss.backward()
    assert np.isclose(loss.item(), (2000.0 + 2e4) / 2)
    assert np.all(np.isfinite(logits.grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_is_finite_at_huge_logits(dtype) -> None:
    z = Value(np.array([1000.0, -1000.0, 1000.0], dtype=dtype))
    loss = losses.binary_cross_entropy(z, np.array([1, 0, 0]), reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1000.0])
    np.testing.assert_allclose(z.grad, [0.0, 0.0, 1.0])


def test_binary_cross_entropy_gradient_at_zero_logit_is_sigmoid_minus_target() -> None:
    # max(z, 0) - z t + log(1 + e^-|z|) has kinks at 0 whose subgradients give -t there.
    z = Value(np.zeros(2))
    losses.binary_cross_entropy(z, np.array([1.0, 0.0]), reduction="sum").backward()
    np.testing.assert_allclose(z.grad, [0.5 - 1.0, 0.5 - 0.0])


# ----------------------------------------------------------------------------------------------
# Gradients with respect to the predictions


@pytest.mark.parametrize(
    ("name", "targets"),
    [
        ("sse", np.array([[0.5], [-1.0], [2.0]])),
        ("mse", np.array([0.5, -1.0, 2.0])),
        ("binary_cross_entropy", np.array([1.0, 0.0, 0.3])),
        ("hinge", np.array([1, -1, 1])),
    ],
)
def test_single_output_loss_gradients_match_finite_differences(name, targets) -> None:
    pred = np.array([[0.3], [-0.2], [1.7]])
    assert_grads_match(lambda p: losses.LOSSES[name](p, targets), [pred], rtol=1e-5)


@given(floats((3, 4), -10, 10))
def test_cross_entropy_gradient_matches_finite_differences(logits) -> None:
    labels = np.array([3, 0, 1])
    assert_grads_match(lambda z: losses.cross_entropy(z, labels), [logits], rtol=1e-5, atol=1e-7)


# ----------------------------------------------------------------------------------------------
# Shapes: (n, 1) against (n,) is matched, anything else refused


@pytest.mark.parametrize("name", ["sse", "mse", "binary_cross_entropy", "hinge"])
def test_column_predictions_and_flat_targets_are_matched_not_broadcast(name) -> None:
    column = Value(np.array([[0.2], [-0.4], [0.9], [0.1]]))
    targets = np.array([1.0, 0.0, 1.0, 1.0])
    flat = losses.LOSSES[name](Value(column.data[:, 0]), targets)
    np.testing.assert_allclose(losses.LOSSES[name](column, targets).item(), flat.item())
    np.testing.assert_allclose(losses.LOSSES[name](column, targets[:, None]).item(), flat.item())
    np.testing.assert_allclose(
        losses.LOSSES[name](Value(column.data[:, 0]), targets[:, None]).item(), flat.item()
    )


@pytest.mark.parametrize(
    ("pred_shape", "target_shape"), [((4, 1), (5,)), ((4, 2), (4,)), ((4,), (1,)), ((4, 3), (3,))]
)
def test_other_shape_mismatches_are_refused_naming_both_shapes(pred_shape, target_shape) -> None:
    pred = Value(np.zeros(pred_shape))
    with pytest.raises(ValueError, match=rf"{pred_shape}.*{target_shape}".replace("(", r"\(")
                       .replace(")", r"\)")):  # fmt: skip
        losses.mse(pred, np.zeros(target_shape))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: losses.cross_entropy(Value(np.zeros((2, 1))), [0, 0]), "at least 2 classes"),
        (lambda: losses.cross_entropy(Value(np.zeros((2, 3))), [0, 3]), r"0\.\.2.*\[3\]"),
        (lambda: losses.cross_entropy(Value(np.zeros((2, 3))), [0.5, 1]), "integer class labels"),
        (lambda: losses.cross_entropy(Value(np.zeros((2, 3))), [0, 1, 2]), r"expected 2 labels"),
        (lambda: losses.binary_cross_entropy(Value(np.zeros(2)), [-1, 1]), r"\[0, 1\]"),
        (lambda: losses.hinge(Value(np.zeros(3)), [-1, 0, 1]), "-1/\\+1"),
        (lambda: losses.hinge(Value(np.zeros(2)), [2, 1]), "-1/\\+1"),
        (lambda: losses.mse(Value(np.zeros(2)), np.zeros(2), reduction="avg"), "reduction"),
    ],
)
def test_bad_targets_get_a_clear_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------------------------
# Accuracy


def test_accuracy_uses_argmax_for_several_outputs() -> None:
    outputs = np.array([[0.1, 2.0, 0.0], [3.0, 0.0, 1.0], [0.0, 0.0, 5.0]])
    assert losses.accuracy(outputs, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert losses.accuracy(Value(outputs), np.eye(3)[[1, 0, 2]]) == 1.0


def test_accuracy_thresholds_one_output_and_reads_pm1_labels() -> None:
    scores = np.array([[-2.0], [0.3], [0.7], [-0.1]])
    assert losses.accuracy(scores, np.array([0, 1, 1, 0])) == 1.0
    assert losses.accuracy(scores, np.array([-1, 1, 1, -1])) == 1.0
    assert losses.accuracy(scores, np.array([0, 0, 1, 0]), threshold=0.5) == 1.0


def test_classify_refuses_outputs_of_three_axes() -> None:
    with pytest.raises(ValueError, match=r"\(2, 2, 2\)"):
        losses.classify(np.zeros((2, 2, 2)))
