"""The command line, run as a user runs it: in a subprocess, on small data and few epochs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_mlp import MLP

SMALL = ["--samples", "60", "--hidden", "4", "--epochs", "2", "--no-progress"]


ROOT = Path(__file__).resolve().parents[1]


def cli(
    *args: str, cwd: Path | None = None, path: str | None = None
) -> subprocess.CompletedProcess:
    """Run `python -m tinygrad_mlp ARGS` on this checkout's package (PATH replaced by `path`)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_mlp", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_train_writes_a_complete_run_folder_and_repeats_itself_exactly(tmp_path) -> None:
    runs = [tmp_path / "a", tmp_path / "b"]
    for out in runs:
        done = cli("train", "--dataset", "moons", *SMALL, "--seed", "3", "--out", str(out))
        assert done.returncode == 0, done.stderr
    assert "test (12 examples): loss" in done.stdout and "accuracy" in done.stdout
    files = {"model.safetensors", "metrics.csv", "metrics.json", "curves.svg", "boundary.svg"}
    assert set(os.listdir(runs[0])) == files
    rows = list(csv.DictReader(open(runs[0] / "metrics.csv")))
    assert [row["epoch"] for row in rows] == ["1", "2"] and "accuracy" in rows[0]
    record = json.load(open(runs[0] / "metrics.json"))
    assert record["model"]["nouts"] == [4, 2] and record["settings"]["seed"] == 3
    assert 0.0 <= record["test"]["accuracy"] <= 1.0
    # same seed, same everything (the run's wall time aside)
    assert open(runs[0] / "metrics.csv").read() == open(runs[1] / "metrics.csv").read()
    a, b = (MLP.load(out / "model.safetensors").state_dict() for out in runs)
    assert all(np.array_equal(a[name], b[name]) for name in a)


def test_train_on_digits_has_no_boundary_plot(tmp_path) -> None:
    done = cli(
        "train",
        "--dataset",
        "digits",
        "--hidden",
        "8",
        "--epochs",
        "1",
        "--dtype",
        "float32",
        "--no-progress",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert "64 -> 8 -> 10" in done.stdout and "float32" in done.stdout
    assert not (tmp_path / "boundary.svg").exists() and (tmp_path / "curves.svg").exists()
    assert MLP.load(tmp_path / "model.safetensors").dtype == np.float32


def test_train_reads_mnist_idx_files_from_a_folder(tmp_path) -> None:
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 30), ("t10k", 10)):
        images = rng.integers(0, 256, size=(n, 4, 4), dtype=np.uint8)
        labels = rng.integers(0, 3, size=n, dtype=np.uint8)
        header = (0x803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (n, 4, 4))
        (tmp_path / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.tobytes())
        header = (0x801).to_bytes(4, "big") + n.to_bytes(4, "big")
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.tobytes())
    done = cli(
        "train",
        "--dataset",
        "mnist",
        "--data-dir",
        str(tmp_path),
        *SMALL,
        "--out",
        str(tmp_path / "run"),
    )
    assert done.returncode == 0, done.stderr
    assert "16 -> 4 -> 3" in done.stdout and "test (10 examples)" in done.stdout


RUN_FILES = {"model.safetensors", "metrics.csv", "metrics.json", "curves.svg", "boundary.svg"}


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot on PATH")
def test_demo_writes_the_run_and_the_graph(tmp_path) -> None:
    done = cli("demo", *SMALL, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert set(os.listdir(tmp_path)) == RUN_FILES | {"graph.svg"}
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    assert f"wrote {tmp_path / 'graph.svg'}" in done.stdout and done.stderr == ""


def test_demo_without_graphviz_writes_the_run_and_says_the_graph_was_not_drawn(tmp_path) -> None:
    no_dot = tmp_path / "empty-bin"
    no_dot.mkdir()
    done = cli("demo", *SMALL, "--out", str(tmp_path / "run"), path=str(no_dot))
    assert done.returncode == 0, done.stderr
    assert set(os.listdir(tmp_path / "run")) == RUN_FILES
    assert done.stderr.startswith("tinygrad-mlp: note: graph not drawn:"), done.stderr


@pytest.mark.parametrize("command", [[], ["train"], ["demo"]])
def test_help_everywhere(command) -> None:
    done = cli(*command, "--help")
    assert done.returncode == 0 and "usage: tinygrad-mlp" in done.stdout
    if command:
        assert "--dataset" in done.stdout and "--hidden" in done.stdout


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("tinygrad-mlp")
    done = subprocess.run([str(script), "train", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--epochs" in done.stdout


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["train", "--dataset", "cifar"], 2, "argument --dataset: invalid choice: 'cifar'"),
        (["train", "--epochs", "-3"], 2, "--epochs: must be a positive integer, got '-3'"),
        (["train", "--hidden", "16,0"], 2, "--hidden: must be positive layer sizes"),
        (
            ["train", "--batch-size", "none"],
            2,
            "--batch-size: must be a positive integer or 'full'",
        ),
        (["train", "--lr", "-1"], 2, "--lr: must be a positive number"),
        (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
        (["train", "--dataset", "mnist"], 1, "--dataset mnist needs --data-dir"),
        (["train", "--loss", "hinge", "--dataset", "spirals"], 1, "spirals has 3 classes"),
        (["train", "--out", "{file}/run"], 1, "cannot write to output folder"),
    ],
)
def test_bad_arguments_get_one_clear_line_and_a_nonzero_exit(tmp_path, args, status, message):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    args = [a.format(file=a_file) for a in args]
    done = cli(*args, "--no-progress", cwd=tmp_path) if args[0] == "train" else cli(*args)
    assert done.returncode == status
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert done.stdout == ""


# -- using a saved model: predict and evaluate ----------------------------------------------


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digits") / "run"
    done = cli("train", "--dataset", "digits", "--epochs", "3", "--no-progress", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_evaluate_reproduces_the_runs_test_figures_on_raw_features(digits_run) -> None:
    done = cli("evaluate", "--model", str(digits_run / "model.safetensors"), "--dataset", "digits")
    assert done.returncode == 0, done.stderr
    test = json.load(open(digits_run / "metrics.json"))["test"]
    assert f"accuracy {test['accuracy']:.4f}" in done.stdout
    assert f"loss {test['loss']:.4f}" in done.stdout and "(359 examples)" in done.stdout


def test_reloaded_model_predicts_raw_digits_at_the_runs_test_accuracy(digits_run) -> None:
    from tinygrad_mlp.losses import accuracy
    from tinygrad_mlp.runs import load_dataset

    split = load_dataset("digits", seed=0)
    model = MLP.load(digits_run / "model.safetensors")
    test = json.load(open(digits_run / "metrics.json"))["test"]
    assert accuracy(model.predict(split.raw_test), split.y_test) == test["accuracy"]


def test_predict_writes_classes_and_outputs_for_a_csv_with_a_header(digits_run, tmp_path) -> None:
    from tinygrad_mlp.runs import load_dataset

    raw = load_dataset("digits", seed=0).raw_test[:6]
    path = tmp_path / "rows.csv"
    path.write_text(
        ",".join(f"f{k}" for k in range(64)) + "\n" + "\n".join(",".join(map(str, r)) for r in raw)
    )
    out = tmp_path / "predicted.csv"
    done = cli(
        "predict",
        "--model",
        str(digits_run / "model.safetensors"),
        "--input",
        str(path),
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(open(out)))
    model = MLP.load(digits_run / "model.safetensors")
    assert [int(r["class"]) for r in rows] == model.predict(raw).argmax(axis=1).tolist()
    assert len(rows[0]) == 11  # class, output_0..output_9


def test_predict_reads_npy_and_prints_to_stdout(digits_run, tmp_path) -> None:
    from tinygrad_mlp.runs import load_dataset

    path = tmp_path / "rows.npy"
    np.save(path, load_dataset("digits", seed=0).raw_test[:3])
    done = cli("predict", "--model", str(digits_run / "model.safetensors"), "--input", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("class,output_0") and len(lines) == 4


def test_predict_refuses_input_of_the_wrong_width_naming_both(digits_run, tmp_path) -> None:
    path = tmp_path / "narrow.npy"
    np.save(path, np.ones((2, 5)))
    done = cli("predict", "--model", str(digits_run / "model.safetensors"), "--input", str(path))
    assert done.returncode == 1
    assert "5 features" in done.stderr and "takes 64" in done.stderr


def test_predict_refuses_a_missing_model_in_one_line(tmp_path) -> None:
    done = cli("predict", "--model", str(tmp_path / "none.npz"), "--input", "x.csv")
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "softplus"])
def test_train_takes_the_new_activations(activation, tmp_path) -> None:
    done = cli("train", *SMALL, "--activation", activation, "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    assert MLP.load(tmp_path / "run" / "model.safetensors").activation == activation


def test_predict_writes_the_classes_to_npy_and_refuses_another_suffix(digits_run, tmp_path) -> None:
    from tinygrad_mlp.runs import load_dataset

    raw = load_dataset("digits", seed=0).raw_test[:4]
    np.save(tmp_path / "rows.npy", raw)
    model = str(digits_run / "model.safetensors")
    done = cli(
        "predict",
        "--model",
        model,
        "--input",
        str(tmp_path / "rows.npy"),
        "--output",
        str(tmp_path / "classes.npy"),
    )
    assert done.returncode == 0, done.stderr
    expected = MLP.load(digits_run / "model.safetensors").predict(raw).argmax(axis=1)
    np.testing.assert_array_equal(np.load(tmp_path / "classes.npy"), expected)
    done = cli(
        "predict",
        "--model",
        model,
        "--input",
        str(tmp_path / "rows.npy"),
        "--output",
        str(tmp_path / "classes.txt"),
    )
    assert done.returncode == 1 and ".csv or .npy" in done.stderr
