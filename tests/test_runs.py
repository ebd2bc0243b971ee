"""tinygrad_mlp.runs: a training run as a Python function, and the settings it refuses."""

from __future__ import annotations

import csv
import dataclasses
import json
import os

import numpy as np
import pytest

from tinygrad_mlp import MLP
from tinygrad_mlp.runs import (
    ConfigError,
    Run,
    RunConfig,
    build_model,
    load_dataset,
    train_run,
)

SMALL = {"samples": 60, "hidden": [4], "epochs": 2, "progress": False}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("runs") / "moons"
    return train_run(RunConfig(dataset="moons", seed=3, out=str(out), **SMALL))


def test_a_run_writes_the_files_it_lists(run: Run) -> None:
    assert run.files == [
        "model.safetensors",
        "metrics.csv",
        "metrics.json",
        "curves.svg",
        "boundary.svg",
    ]
    assert sorted(os.listdir(run.out)) == sorted(run.files)


def test_metrics_json_is_the_record_and_its_settings_are_the_config(run: Run) -> None:
    with open(os.path.join(run.out, "metrics.json")) as f:
        assert json.load(f) == json.loads(json.dumps(run.record))
    settings = run.record["settings"]
    assert list(settings) == [f.name for f in dataclasses.fields(RunConfig)]
    assert settings["seed"] == 3 and settings["out"] == run.out


def test_metrics_csv_has_one_row_per_epoch_of_the_history(run: Run) -> None:
    with open(os.path.join(run.out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [float(row["loss"]) for row in rows] == run.history["loss"]
    assert len(rows) == run.config.epochs


def test_the_saved_model_is_the_trained_one(run: Run) -> None:
    saved = MLP.load(os.path.join(run.out, "model.safetensors")).state_dict()
    trained = run.model.state_dict()
    assert all(np.array_equal(saved[name], trained[name]) for name in trained)


def test_the_test_figures_are_those_of_the_model_on_the_test_set(run: Run) -> None:
    predicted = run.model.predict(run.split.X_test).argmax(axis=1)
    assert run.test["accuracy"] == pytest.approx(np.mean(predicted == run.split.y_test))


def test_same_config_same_run(run: Run, tmp_path) -> None:
    again = train_run(dataclasses.replace(run.config, out=str(tmp_path)))
    assert again.history == run.history and again.test == run.test


def test_an_unwritable_folder_fails_before_training(tmp_path, monkeypatch) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")

    def no_training(*args, **kwargs):
        raise AssertionError("fit was called before the folder was checked")

    monkeypatch.setattr("tinygrad_mlp.runs.fit", no_training)
    with pytest.raises(OSError, match="cannot write to output folder"):
        train_run(RunConfig(out=str(a_file / "run"), **SMALL))


def test_mnist_without_a_folder_is_a_config_error_naming_both_settings() -> None:
    with pytest.raises(ConfigError) as caught:
        load_dataset("mnist")
    assert caught.value.settings == ("dataset", "data_dir")
    assert str(caught.value) == "dataset mnist needs data_dir, the folder of the IDX files"
    option = caught.value.describe(lambda name: "--" + name.replace("_", "-"))
    assert option.startswith("--dataset mnist needs --data-dir")


@pytest.mark.parametrize(
    ("setting", "value"), [("dataset", "cifar"), ("loss", "l1"), ("optimizer", "lbfgs")]
)
def test_unknown_choices_are_refused_when_the_config_is_made(setting, value) -> None:
    with pytest.raises(ConfigError, match=f"unknown {setting} '{value}'"):
        RunConfig(**{setting: value})


def test_a_one_output_loss_gets_one_output_and_refuses_three_classes() -> None:
    assert build_model(2, 2, loss="binary_cross_entropy", hidden=[]).nouts == [1]
    assert build_model(2, 3, loss="cross_entropy", hidden=[5]).nouts == [5, 3]
    with pytest.raises(ConfigError, match="spirals has 3 classes") as caught:
        build_model(2, 3, loss="hinge", dataset="spirals")
    assert caught.value.settings == ("loss",)


def test_load_dataset_standardises_with_the_training_statistics() -> None:
    split = load_dataset("moons", samples=50, noise=0.0, test_size=0.2, seed=1)
    assert len(split.y_train) == 40 and len(split.y_test) == 10
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(split.X_train.std(axis=0), 1.0)
    assert split.classes == 2 and split.mean.shape == split.std.shape == (2,)


def test_digits_need_no_samples_and_have_ten_classes() -> None:
    split = load_dataset("digits", test_size=0.5)
    assert split.X_train.shape[1] == 64 and split.classes == 10
