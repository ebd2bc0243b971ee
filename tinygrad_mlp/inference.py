"""Using a saved model: read features from a file, predict them, evaluate on a dataset.

What the `tinygrad-mlp predict` and `tinygrad-mlp evaluate` commands do, as Python functions.
A model saved by a run standardises its raw inputs itself (`MLP(..., standardize=...)`), so it
is given the features as they are in the file or the dataset.

>>> import os, tempfile
>>> from tinygrad_mlp.runs import RunConfig, train_run
>>> folder = tempfile.TemporaryDirectory()
>>> run = train_run(RunConfig(dataset="xor", samples=80, hidden=[8], epochs=20, progress=False,
...                           out=os.path.join(folder.name, "xor")))
>>> result = evaluate_saved(os.path.join(run.out, "model.safetensors"), "xor")
>>> result.metrics == run.test, result.examples
(True, 16)
>>> folder.cleanup()
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .atomic import write_file
from .losses import classify
from .nn import Module
from .serialize import load
from .train import decision_threshold, evaluate

__all__ = [
    "Evaluation",
    "evaluate_saved",
    "predict_classes",
    "predict_file",
    "read_features",
    "run_settings",
]


def read_features(path: str | os.PathLike[str], nin: int | None = None) -> np.ndarray:
    """Features from a `.npy` file or a `.csv` file (comma separated, an optional header line),
    as a float64 array of shape (n, features); `nin`, if given, is the number of features the
    model takes, and a file with another number is refused naming both."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no input file at {path!r}")
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".npy":
        try:
            X = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"{path!r} is not a readable .npy array of numbers: {exc}") from None
    elif suffix == ".csv":
        X = _read_csv(path)
    else:
        raise ValueError(f"{path!r}: input files are .csv or .npy, not {suffix or 'no suffix'!r}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{path!r} holds {X.dtype}, not numbers")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and nin is not None and X.size == nin:
        X = X.reshape(1, -1)  # one example
    if X.ndim != 2:
        raise ValueError(
            f"{path!r} holds an array of shape {X.shape}; expected (examples, features)"
        )
    if nin is not None and X.shape[1] != nin:
        raise ValueError(
            f"{path!r} has {X.shape[1]} features per row (shape {X.shape}), the model takes {nin}"
        )
    if not np.all(np.isfinite(X)):
        row, col = (int(i) for i in np.argwhere(~np.isfinite(X))[0])
        raise ValueError(f"{path!r} holds nan or inf, the first at row {row}, column {col}")
    return X


def _read_csv(path: str) -> np.ndarray:
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    rows = []
    for k, line in enumerate(lines):
        try:
            rows.append([float(cell) for cell in line.split(",")])
        except ValueError:
            if k == 0:
                continue  # a header line
            raise ValueError(f"{path!r} line {k + 1} is not numbers separated by commas") from None
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError(f"{path!r}: expected rows of numbers, all of one length")
    return np.array(rows)


def run_settings(model_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings of the run that saved `model_path` (its `metrics.json`), or {} if none."""
    record = os.path.join(os.path.dirname(os.path.abspath(model_path)), "metrics.json")
    try:
        with open(record) as f:
            settings = json.load(f).get("settings", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return settings if isinstance(settings, dict) else {}


def predict_classes(model: Module, X: np.ndarray, loss: str | None = None) -> np.ndarray:
    """The class of each row: the largest output, or for one output the side of the threshold
    the run's `loss` implies (0.5 for a sigmoid output or a squared-error loss, else 0)."""
    outputs = model.predict(X)
    threshold = 0.0
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        threshold = decision_threshold(model, loss or "", np.array([0, 1]))
    return classify(outputs, threshold)


def predict_file(
    model_path: str | os.PathLike[str],
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
) -> str:
    """Predict the rows of `input_path` with the model at `model_path`.

    Returns a CSV table: a header, then one line per row, its class and the model's outputs.
    With `output`, it is also written there, atomically (`.csv`: the table, `.npy`: the classes).
    """
    model = load(model_path)
    X = read_features(input_path, getattr(model, "nin", None))
    outputs = model.predict(X).reshape(len(X), -1)
    classes = predict_classes(model, X, run_settings(model_path).get("loss"))
    header = "class," + ",".join(f"output_{k}" for k in range(outputs.shape[1]))
    rows = [f"{c}," + ",".join(f"{v:.9g}" for v in row) for c, row in zip(classes, outputs)]
    table = "\n".join([header, *rows])
    if output is None:
        return table
    suffix = os.path.splitext(os.fspath(output))[1].lower()
    if suffix == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, classes)
        write_file(output, buffer.getvalue())
    elif suffix == ".csv":
        write_file(output, (table + "\n").encode())
    else:
        raise ValueError(f"the output file must end in .csv or .npy, got {os.fspath(output)!r}")
    return table


@dataclass(frozen=True)
class Evaluation:
    """What `evaluate_saved` found: the metrics, on how many examples, of which split."""

    model: Module
    metrics: dict[str, float]
    examples: int
    split: str


def evaluate_saved(
    model_path: str | os.PathLike[str],
    dataset: str,
    *,
    split: str = "test",
    data_dir: str | None = None,
    loss: str | None = None,
    **dataset_options: Any,
) -> Evaluation:
    """Load the model at `model_path` and evaluate it on a split ("test" or "train") of
    `dataset`, split as the run that saved it split it (its seed, test_size, samples and noise,
    read from the run's `metrics.json` unless given in `dataset_options`)."""
    from .runs import load_dataset  # the faces' layer: imported when used

    model = load(model_path)
    settings = run_settings(model_path)
    options: dict[str, Any] = {
        k: settings[k] for k in ("samples", "noise", "test_size", "seed") if k in settings
    }
    if settings.get("dataset") not in (None, dataset):
        options = {k: v for k, v in options.items() if k in ("test_size", "seed")}
    options.update(dataset_options)
    if split not in ("test", "train"):
        raise ValueError(f"split must be 'test' or 'train', got {split!r}")
    data = load_dataset(dataset, data_dir=data_dir, **options)
    standardizes = getattr(model, "inputs", None) is not None
    if split == "test":
        X = data.raw_test if standardizes else data.X_test
        y = data.y_test
    else:
        X = data.raw_train if standardizes else data.X_train
        y = data.y_train
    loss = loss or settings.get("loss") or "cross_entropy"
    return Evaluation(model, evaluate(model, X, y, loss=loss), len(y), split)
