"""A training run as a Python function: load a dataset, standardise it, build an MLP, fit it,
evaluate it on the test set and write the run folder. The standardisation is part of the model
(`MLP(..., standardize=...)`), so the saved model takes raw features. The `tinygrad-mlp`
command is this plus argument parsing and printing.

The run folder holds the model (`model.safetensors`), the metrics per epoch (`metrics.csv`, and
`metrics.json` with the settings, the history and the final test figures), the learning curves
(`curves.svg`) and, for 2-D datasets, the decision regions (`boundary.svg`).

>>> import os, tempfile
>>> from tinygrad_mlp.runs import RunConfig, train_run
>>> folder = tempfile.TemporaryDirectory()
>>> config = RunConfig(dataset="moons", samples=60, hidden=[4], epochs=2, progress=False,
...                    out=os.path.join(folder.name, "moons"))
>>> run = train_run(config)
>>> run.model.extra_repr(), len(run.split.y_test), sorted(run.test)
('2 -> 4 -> 2', 12, ['accuracy', 'loss'])
>>> run.files
['model.safetensors', 'metrics.csv', 'metrics.json', 'curves.svg', 'boundary.svg']
>>> sorted(os.listdir(run.out)) == sorted(run.files)
True
>>> folder.cleanup()
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import data
from .atomic import staged_folder
from .labels import count_classes
from .losses import LOSSES, ONE_OUTPUT_LOSSES
from .nn import MLP, Standardize
from .optim import OPTIMIZERS as OPTIMIZER_CLASSES
from .optim import Optimizer
from .serialize import save
from .train import DEFAULTS, History, decision_threshold, evaluate, fit

__all__ = [
    "TOY_DATASETS",
    "DATASETS",
    "OPTIMIZERS",
    "ConfigError",
    "plural",
    "RunConfig",
    "Split",
    "Run",
    "load_dataset",
    "build_model",
    "train_run",
]

TOY_DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "moons": data.moons,
    "xor": data.xor,
    "circles": data.circles,
    "spirals": data.spirals,
}
DATASETS = [*TOY_DATASETS, "digits", "mnist"]
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop"]
MIN_TEST_EXAMPLES = 5  # fewer, and a test accuracy says almost nothing


class ConfigError(ValueError):
    """Settings of a run that cannot work together.

    The message is a template of the settings at fault, so each face names them its own way:
    ``str(error)`` says the field names (``data_dir``), ``error.describe(to_option)`` lets the
    command line say its options (``--data-dir``).

    >>> error = ConfigError("{0} mnist needs {1}", "dataset", "data_dir")
    >>> str(error), error.describe(lambda name: "--" + name.replace("_", "-"))
    ('dataset mnist needs data_dir', '--dataset mnist needs --data-dir')
    """

    def __init__(self, template: str, *settings: str) -> None:
        self.template = template
        self.settings = settings
        super().__init__(self.describe())

    def describe(self, name: Callable[[str], str] = str) -> str:
        """The message, each setting at fault written as `name(setting)`."""
        return self.template.format(*(name(setting) for setting in self.settings))


def plural(n: int, noun: str) -> str:
    """`n` and the noun, in the plural unless n is 1.

    >>> plural(1, "epoch"), plural(30, "epoch")
    ('1 epoch', '30 epochs')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _check_choice(setting: str, value: object, choices: list[str]) -> None:
    if value not in choices:
        raise ConfigError(f"unknown {{0}} {value!r}; choose one of {', '.join(choices)}", setting)


@dataclass(frozen=True)
class RunConfig:
    """Everything a run depends on. The defaults are those of `tinygrad-mlp train`.

    `samples` and `noise` shape a toy dataset (None: 300 points, the dataset's own noise);
    `data_dir` is the folder of the IDX files for ``dataset="mnist"``; `test_size` is the
    fraction held out for testing (MNIST has its own test files); `init` None picks the
    initialisation that suits `activation`; `batch_size` None is one batch per epoch; `out`
    None writes to ``runs/<dataset>``; `overwrite` lets a run replace a folder that already
    holds files; `progress` shows a progress bar on stderr.
    """

    dataset: str = "moons"
    data_dir: str | None = None
    samples: int | None = None
    noise: float | None = None
    test_size: float = 0.2
    validation_split: float = 0.0
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    init: str | None = None
    loss: str = DEFAULTS["loss"]
    optimizer: str = DEFAULTS["optimizer"]
    lr: float = DEFAULTS["lr"]
    momentum: float = DEFAULTS["momentum"]
    weight_decay: float = 0.0
    epochs: int = DEFAULTS["epochs"]
    batch_size: int | None = DEFAULTS["batch_size"]
    seed: int = 0
    dtype: str = "float64"
    out: str | None = None
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        _check_choice("dataset", self.dataset, DATASETS)
        _check_choice("loss", self.loss, list(LOSSES))
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)

    def dataset_options(self) -> dict[str, Any]:
        """The keywords of `load_dataset` these settings give."""
        names = ("data_dir", "samples", "noise", "test_size", "seed")
        return {name: getattr(self, name) for name in names}

    def model_options(self) -> dict[str, Any]:
        """The keywords of `build_model` these settings give."""
        names = ("loss", "hidden", "activation", "init", "seed", "dtype", "dataset")
        return {name: getattr(self, name) for name in names}

    @property
    def folder(self) -> str:
        """The run folder: `out`, or ``runs/<dataset>``."""
        return self.out or os.path.join("runs", self.dataset)


@dataclass(frozen=True)
class Split:
    """A dataset split in two and standardised with the training set's statistics; `raw_train`
    and `raw_test` are the features before (what a model with a `Standardize` takes)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    raw_train: np.ndarray
    raw_test: np.ndarray

    @property
    def classes(self) -> int:
        """How many classes the labels of both sets stand for."""
        return count_classes(self.y_train, self.y_test)


@dataclass(frozen=True)
class Run:
    """What `train_run` did: the trained model, its history and test figures, the files written.

    `record` is what `metrics.json` holds.
    """

    config: RunConfig
    out: str
    split: Split
    model: MLP
    history: History
    test: dict[str, float]
    seconds: float
    files: list[str]
    record: dict[str, Any]


def load_dataset(
    dataset: str,
    *,
    data_dir: str | None = None,
    samples: int | None = None,
    noise: float | None = None,
    test_size: float = 0.2,
    seed: int = 0,
) -> Split:
    """The named dataset, split (stratified, from `seed`) and standardised.

    >>> split = load_dataset("spirals", samples=30, seed=0)
    >>> split.X_train.shape, split.X_test.shape, split.classes
    ((24, 2), (6, 2), 3)
    >>> bool(np.allclose(split.X_train.mean(axis=0), 0.0))
    True
    """
    if dataset == "mnist":
        if not data_dir:
            raise ConfigError(
                "{0} mnist needs {1}, the folder of the IDX files", "dataset", "data_dir"
            )
        X_train, y_train = data.load_mnist(data_dir, "train")
        X_test, y_test = data.load_mnist(data_dir, "test")
    else:
        _check_choice("dataset", dataset, DATASETS)
        if dataset == "digits":
            X, y = data.digits()
        else:
            options: dict[str, Any] = {"n": samples or 300, "seed": seed}
            if noise is not None:
                options["noise"] = noise
            X, y = TOY_DATASETS[dataset](**options)
        X_train, X_test, y_train, y_test = data.train_test_split(
            X, y, test_size=test_size, seed=seed, stratify=True
        )
    raw_train = np.asarray(X_train, dtype=np.float64)
    raw_test = np.asarray(X_test, dtype=np.float64)
    X_train, X_test, mean, std = data.standardize(raw_train, raw_test)
    return Split(X_train, X_test, y_train, y_test, mean, std, raw_train, raw_test)


def build_model(
    features: int,
    classes: int,
    *,
    loss: str = "cross_entropy",
    hidden: list[int] | None = None,
    activation: str = "relu",
    init: str | None = None,
    seed: int = 0,
    dtype: str = "float64",
    dataset: str = "the dataset",
    standardize: Standardize | None = None,
) -> MLP:
    """An MLP for `classes` classes: one output per class, or one for the two-class losses;
    with `standardize`, it prepares its raw inputs itself.

    >>> build_model(2, 2, loss="hinge", hidden=[8]).extra_repr()
    '2 -> 8 -> 1'
    >>> build_model(2, 3, loss="hinge", dataset="spirals")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    tinygrad_mlp.runs.ConfigError: loss hinge is for two classes with one output; spirals has 3 ...
    """
    if loss in ONE_OUTPUT_LOSSES and classes != 2:
        raise ConfigError(
            f"{{0}} {loss} is for two classes with one output; {dataset} has {classes} classes "
            "(use cross_entropy, mse or sse)",
            "loss",
        )
    width = 1 if loss in ONE_OUTPUT_LOSSES else classes
    return MLP(
        features,
        [*(hidden if hidden is not None else [16, 16]), width],
        activation=activation,
        init=init,
        seed=seed,
        dtype=dtype,
        standardize=standardize,
    )


@contextlib.contextmanager
def _writing(shown: str) -> Iterator[None]:
    """Report a failure to write (disk full, ...) naming the file as the user knows it."""
    try:
        yield
    except OSError as exc:
        raise OSError(f"cannot write {shown}: {exc.strerror or exc}") from None


def _optimizer(config: RunConfig, model: MLP) -> Optimizer:
    options = {"lr": config.lr, "weight_decay": config.weight_decay}
    if config.optimizer in ("sgd", "rmsprop"):
        options["momentum"] = config.momentum
    return OPTIMIZER_CLASSES[config.optimizer](model.parameters(), **options)


def _write_metrics(
    out: str, shown: str, record: dict[str, Any], rows: list[dict[str, float]]
) -> None:
    with _writing(os.path.join(shown, "metrics.json")):
        with open(os.path.join(out, "metrics.json"), "w") as f:
            json.dump(record, f, indent=2)
            f.write("\n")
    with _writing(os.path.join(shown, "metrics.csv")):
        with open(os.path.join(out, "metrics.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def _write_plots(
    run_out: str,
    config: RunConfig,
    model: MLP,
    split: Split,
    history: History,
    test: dict[str, float] | None = None,
) -> list[str]:
    from .plots import plot_decision_boundary, plot_history  # matplotlib: imported when needed

    title = f"{config.dataset}: {model.extra_repr()}"
    plot_history(history, os.path.join(run_out, "curves.svg"), title=title, test=test)
    if split.X_test.shape[1] != 2:
        return ["curves.svg"]
    y_all = np.concatenate([split.y_train, split.y_test])
    plot_decision_boundary(  # the run's model takes raw features
        model,
        split.raw_train,
        split.y_train,
        os.path.join(run_out, "boundary.svg"),
        threshold=decision_threshold(model, config.loss, y_all),
        title=f"{config.dataset}: decision regions",
        X_test=split.raw_test,
        y_test=split.y_test,
    )
    return ["curves.svg", "boundary.svg"]


def train_run(config: RunConfig) -> Run:
    """Train as `config` says and write the run folder; returns the `Run`.

    A folder that cannot be written, or that already holds files when `config.overwrite` is
    False (`atomic.FolderNotEmptyError`), fails at once (OSError), before any training;
    settings that cannot work together raise a `ConfigError`. The run is written into a
    temporary folder beside `out` and moved into place at the end, so an interrupted or
    failed run leaves the old folder as it was. See the module's example.
    """
    out = config.folder
    split = load_dataset(config.dataset, **config.dataset_options())
    if len(split.y_test) < MIN_TEST_EXAMPLES:
        settings = ("test_size",) if config.samples is None else ("samples", "test_size")
        given = " with ".join(f"{{{i}}} {getattr(config, s)}" for i, s in enumerate(settings))
        raise ConfigError(
            f"{given} leaves {plural(len(split.y_test), 'example')} to test on; give at least "
            f"{MIN_TEST_EXAMPLES} (more samples or a larger test size)",
            *settings,
        )
    # Entered before training, so that a bad or occupied folder fails at once.
    with staged_folder(out, overwrite=config.overwrite) as staging:
        return _train_into(config, out, staging, split)


def _train_into(config: RunConfig, out: str, staging: str, split: Split) -> Run:
    prepare = Standardize(split.mean, split.std)  # in the model: saved with it; raw features in
    model = build_model(
        len(split.mean), split.classes, **config.model_options(), standardize=prepare
    )
    started = time.perf_counter()
    history = fit(
        model,
        split.raw_train,
        split.y_train,
        loss=config.loss,
        optimizer=_optimizer(config, model),
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_split=config.validation_split,
        seed=config.seed,
        progress=config.progress,
    )
    seconds = time.perf_counter() - started
    test = evaluate(model, split.raw_test, split.y_test, loss=config.loss)
    if not np.isfinite(test["loss"]):  # diverged in the last updates: nothing worth keeping
        raise FloatingPointError(
            f"the model diverged: its test loss is {test['loss']}; lower the learning rate "
            f"(now {config.lr:g})"
        )
    record = {
        "settings": {**dataclasses.asdict(config), "out": out},
        "model": model.architecture(),
        "parameters": model.num_parameters(),
        "examples": {"train": len(split.y_train), "test": len(split.y_test)},
        "standardize": {"mean": split.mean.tolist(), "std": split.std.tolist()},
        "test": test,
        "final_epoch": {k: v[-1] for k, v in history.items()},
        "train_seconds": round(seconds, 3),
        "history": dict(history),
    }
    with _writing(os.path.join(out, "model.safetensors")):
        save(model, os.path.join(staging, "model.safetensors"))
    _write_metrics(staging, out, record, history.rows())
    files = ["model.safetensors", "metrics.csv", "metrics.json"]
    with _writing(os.path.join(out, "curves.svg or boundary.svg")):
        files += _write_plots(staging, config, model, split, history, test)
    return Run(config, out, split, model, history, test, seconds, files, record)
