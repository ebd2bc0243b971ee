"""Standardize: the input preparation inside a model, saved with it."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, data
from tinygrad_mlp.nn import Standardize


def test_standardize_matches_data_standardize() -> None:
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(20, 4))
    X_std, _, mean, std = data.standardize(X)
    np.testing.assert_array_equal(Standardize(mean, std)(X).data, X_std)


def test_a_standardizing_mlp_on_raw_features_equals_the_plain_mlp_on_standardized_ones() -> None:
    X = np.random.default_rng(1).normal(5.0, 3.0, size=(10, 3))
    X_std, _, mean, std = data.standardize(X)
    plain = MLP(3, [4, 2], seed=0)
    prepared = MLP(3, [4, 2], seed=0, standardize=Standardize(mean, std))
    np.testing.assert_array_equal(prepared.predict(X), plain.predict(X_std))


def test_the_statistics_are_saved_and_reloaded_with_the_model(tmp_path) -> None:
    X = np.random.default_rng(2).normal(-4.0, 0.1, size=(8, 2))
    _, _, mean, std = data.standardize(X)
    model = MLP(2, [3, 1], seed=0, standardize=Standardize(mean, std))
    model.save(tmp_path / "m.npz")
    again = MLP.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert again.inputs is not None and again.inputs.mean == mean.tolist()


def test_standardize_learns_nothing() -> None:
    model = MLP(2, [3], standardize=Standardize([0.0, 1.0], [1.0, 2.0]))
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.W",
        "layers.0.b",
    ]


def test_an_mlp_without_standardize_keeps_its_architecture() -> None:
    assert "standardize" not in MLP(2, [3]).architecture()


def test_a_float32_model_stays_float32_through_standardize() -> None:
    model = MLP(1, [2], dtype="float32", standardize=Standardize([1.0], [2.0]))
    assert model(np.ones((2, 1))).dtype == np.float32


@pytest.mark.parametrize(
    ("mean", "std", "message"),
    [
        ([0.0, 1.0], [1.0], "one length"),
        ([0.0], [0.0], "std finite and > 0"),
        ([np.nan], [1.0], "finite"),
    ],
)
def test_bad_statistics_are_refused(mean, std, message) -> None:
    with pytest.raises(ValueError, match=message):
        Standardize(mean, std)


def test_wrong_feature_count_is_refused_naming_the_shape() -> None:
    with pytest.raises(ValueError, match=r"2 features.*\(4, 3\)"):
        Standardize([0.0, 0.0], [1.0, 1.0])(np.ones((4, 3)))
    with pytest.raises(ValueError, match="prepares 2 features, the MLP takes 3"):
        MLP(3, [1], standardize=Standardize([0.0, 0.0], [1.0, 1.0]))
