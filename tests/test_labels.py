"""tinygrad_mlp.labels: the label conventions (class labels, 0/1 and -1/+1), each in one place."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_mlp import Value, data, labels
from tinygrad_mlp.labels import LabelError


def test_to_pm1_maps_zero_one_to_minus_plus_one():
    out = data.to_pm1(np.array([1, 0, 0, 1]))
    assert out.dtype == np.float64 and out.tolist() == [1.0, -1.0, -1.0, 1.0]


def test_to_pm1_rejects_other_labels():
    with pytest.raises(LabelError, match=r"\{0, 1\}.*\[2\]"):
        data.to_pm1(np.array([0, 1, 2]))


def test_data_to_pm1_is_the_one_in_labels():
    assert data.to_pm1 is labels.to_pm1


@pytest.mark.parametrize(
    "given_labels", [[2, 0, 1], [[2], [0], [1]], [2.0, 0.0, 1.0], np.array([2, 0, 1], np.uint8)]
)
def test_class_labels_read_columns_and_integral_floats_as_int64(given_labels):
    out = labels.class_labels(given_labels)
    assert out.dtype == np.int64 and out.tolist() == [2, 0, 1]


def test_class_labels_read_a_value_and_booleans():
    assert labels.class_labels(Value(np.array([1.0, 0.0]))).tolist() == [1, 0]
    assert labels.class_labels(np.array([True, False])).tolist() == [1, 0]


@pytest.mark.parametrize(
    ("given_labels", "message"),
    [
        ([0.5, 1.0], "y must be integer class labels, got dtype float64"),
        ([np.inf, 1.0], "y must be integer class labels"),
        (["a", "b"], "y must be integer class labels"),
        ([[0, 1], [1, 0]], r"y must be 1-D .* shape \(2, 2\)"),
    ],
)
def test_class_labels_refuse_what_is_not_a_label(given_labels, message):
    with pytest.raises(LabelError, match=message):
        labels.class_labels(given_labels, what="y")


def test_count_classes_spans_every_array():
    assert labels.count_classes([0, 1], [4, 2]) == 5


@given(st.lists(st.sampled_from([0, 1]), max_size=20))
def test_signs_of_zero_one_labels_and_zero_one_of_signs_invert_each_other(zero_one):
    pm1 = labels.signs(zero_one)
    assert set(pm1.tolist()) <= {-1.0, 1.0}
    assert labels.zero_one(pm1).tolist() == zero_one
    assert labels.signs(pm1).tolist() == pm1.tolist()  # -1/+1 labels pass through


def test_signs_refuse_a_mix_of_codings_and_other_values():
    for bad in ([-1, 0, 1], [2, 1]):
        with pytest.raises(LabelError, match=r"hinge: labels must be -1/\+1 \(or 0/1"):
            labels.signs(bad, what="hinge: labels")


def test_zero_one_reads_negative_labels_as_the_pm1_coding_and_keeps_others():
    assert labels.zero_one([-1, 1, 1]).tolist() == [0, 1, 1]
    assert labels.zero_one([0, 3, 1]).tolist() == [0, 3, 1]


def test_is_zero_one():
    assert labels.is_zero_one([0, 1, 1]) and not labels.is_zero_one([-1, 1])
    assert not labels.is_zero_one([0, 2])
