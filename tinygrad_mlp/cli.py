"""The command line: `tinygrad-mlp COMMAND [options]` (or `python -m tinygrad_mlp ...`).

Commands (each with `--help`):

- ``train``: train an MLP on a dataset and write a run folder: the model (`model.npz`), the
  metrics per epoch (`metrics.csv`, and `metrics.json` with the settings and the final test
  figures), the learning curves (`curves.svg`) and, for 2-D datasets, the decision regions
  (`boundary.svg`).
- ``demo``: the same on the embedded default (a small MLP on moons, into `runs/demo`), plus a
  picture of the computation graph of one forward pass and loss (`graph.svg`) when the graph
  renderer is available.

- ``graph``: draw the computation graph of a freshly initialised MLP's loss on a few examples
  (`--out graph.svg`; see `tinygrad_mlp.draw_graph`).

A mistake in the arguments gets one line on stderr and exit status 2; a failure while running
(an unwritable folder, a missing MNIST folder) one line and exit status 1.

    tinygrad-mlp train --dataset digits --hidden 128,64 --epochs 30 --out runs/digits
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import data
from .losses import LOSSES
from .nn import ACTIVATIONS, INITS, MLP
from .optim import SGD, Adam, Optimizer
from .serialize import save
from .train import decision_threshold, evaluate, fit, loss_of

PROG = "tinygrad-mlp"
TOY_DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "moons": data.moons,
    "xor": data.xor,
    "circles": data.circles,
    "spirals": data.spirals,
}
DATASETS = [*TOY_DATASETS, "digits", "mnist"]
SINGLE_OUTPUT_LOSSES = ("hinge", "binary_cross_entropy")


class CliError(Exception):
    """A problem to report to the user in one line (no traceback)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is reported in one line rather than the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ----------------------------------------------------------------------------------------------
# Argument types: each turns a string into a value or says, in one phrase, what is wrong


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _fraction(text: str, low_inclusive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not ((0 <= value if low_inclusive else 0 < value) and value < 1):
        low = "[0" if low_inclusive else "(0"
        raise argparse.ArgumentTypeError(f"must be a number in {low}, 1), got {text!r}")
    return value


def _hidden_sizes(text: str) -> list[int]:
    if not text.strip():
        return []  # no hidden layer: a linear model
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = [0]
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(
            f"must be positive layer sizes separated by commas (like 128,64), got {text!r}"
        )
    return sizes


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be a positive integer or 'full' (one batch per epoch), got {text!r}"
        ) from None


def _add_training_arguments(parser: argparse.ArgumentParser, defaults: dict[str, Any]) -> None:
    add = parser.add_argument
    add("--dataset", choices=DATASETS, help="what to learn (default: %(default)s)")
    add("--data-dir", metavar="DIR", help="for --dataset mnist: the folder of the IDX files")
    add("--samples", type=_positive_int, metavar="N", help="points in a toy 2-D dataset")
    add("--noise", type=float, help="noise of a toy 2-D dataset (default: the dataset's own)")
    add(
        "--test-size",
        type=lambda t: _fraction(t, False),
        metavar="F",
        help="fraction held out for testing (default: %(default)s)",
    )
    add(
        "--validation-split",
        type=lambda t: _fraction(t, True),
        metavar="F",
        help="fraction of the training set for per-epoch validation (default: %(default)s)",
    )
    add(
        "--hidden",
        type=_hidden_sizes,
        metavar="SIZES",
        help="hidden layer sizes, comma separated (default: %(default)s)",
    )
    add(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        help="activation of the hidden layers (default: %(default)s)",
    )
    add("--init", choices=INITS, help="weight initialisation (default: by activation)")
    add("--loss", choices=list(LOSSES), help="loss function (default: %(default)s)")
    add("--optimizer", choices=["sgd", "adam"], help="(default: %(default)s)")
    add("--lr", type=_positive_float, help="learning rate η (default: %(default)s)")
    add("--momentum", type=lambda t: _fraction(t, True), help="SGD momentum (default: %(default)s)")
    add("--weight-decay", type=lambda t: _fraction(t, True), help="(default: %(default)s)")
    add("--epochs", type=_positive_int, help="passes over the training set (default: %(default)s)")
    add(
        "--batch-size",
        type=_batch_size,
        metavar="N|full",
        help="examples per update, or 'full' for one update per epoch (default: %(default)s)",
    )
    add("--seed", type=int, help="seed for data, weights and shuffling (default: %(default)s)")
    add("--dtype", choices=["float32", "float64"], help="(default: %(default)s)")
    add("--out", metavar="DIR", help="run folder to write (default: runs/<dataset>)")
    add("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(**defaults)


TRAIN_DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "test_size": 0.2,
    "validation_split": 0.0,
    "hidden": [16, 16],
    "activation": "relu",
    "loss": "cross_entropy",
    "optimizer": "sgd",
    "lr": 0.05,
    "momentum": 0.9,
    "weight_decay": 0.0,
    "epochs": 30,
    "batch_size": 32,
    "seed": 0,
    "dtype": "float64",
}
DEMO_DEFAULTS: dict[str, Any] = {**TRAIN_DEFAULTS, "epochs": 100, "out": "runs/demo"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-parser per command (add a command with `add_parser`)."""
    parser = _Parser(
        prog=PROG,
        description="Train small neural networks built on the tinygrad_mlp autograd engine.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    train = commands.add_parser(
        "train",
        help="train an MLP and write a run folder",
        description="Train an MLP on a dataset; write the model, metrics and plots to --out.",
    )
    _add_training_arguments(train, TRAIN_DEFAULTS)
    train.set_defaults(run=run_train)
    demo = commands.add_parser(
        "demo",
        help="train a small MLP on moons; write its plots and graph",
        description="Train a small MLP on moons and write its model, metrics, plots and the "
        "graph of one forward pass into --out (default runs/demo). Takes train's options.",
    )
    _add_training_arguments(demo, DEMO_DEFAULTS)
    demo.set_defaults(run=run_demo)
    graph = commands.add_parser(
        "graph",
        help="draw the computation graph of an MLP's loss",
        description="Build an MLP (initialised, not trained), run it on a few examples of a "
        "dataset, backpropagate its loss and draw that graph with Graphviz: values with their "
        "data and gradients, operations, a box per module call.",
    )
    _add_graph_arguments(graph)
    graph.set_defaults(run=run_graph)
    return parser


def _add_graph_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--dataset", choices=DATASETS, help="examples to run (default: %(default)s)")
    add("--data-dir", metavar="DIR", help="for --dataset mnist: the folder of the IDX files")
    add("--examples", type=_positive_int, metavar="N", help="batch size (default: %(default)s)")
    add("--hidden", type=_hidden_sizes, metavar="SIZES", help="(default: %(default)s)")
    add("--activation", choices=[a for a in ACTIVATIONS if a != "linear"])
    add("--init", choices=INITS, help="weight initialisation (default: by activation)")
    add("--loss", choices=list(LOSSES), help="(default: %(default)s)")
    add("--seed", type=int, help="seed for data and weights (default: %(default)s)")
    add("--dtype", choices=["float32", "float64"], help="(default: %(default)s)")
    add("--out", metavar="PATH", help="file to write; format from its suffix: svg, png, pdf, dot")
    add("--direction", choices=["LR", "TB"], help="left to right or top to bottom")
    add("--no-data", action="store_true", help="do not print values in the nodes")
    add("--no-grad", action="store_true", help="do not print gradients in the nodes")
    add("--color-by-grad", action="store_true", help="colour values by gradient magnitude")
    add("--max-nodes", type=_positive_int, metavar="N", help="collapse modules past N nodes")
    parser.set_defaults(
        **{k: TRAIN_DEFAULTS[k] for k in ("dataset", "hidden", "activation", "loss", "seed")},
        **{"dtype": "float64", "examples": 8, "out": "graph.svg", "direction": "LR"},
        **{"max_nodes": None, "test_size": 0.2, "samples": None, "noise": None},
    )


# ----------------------------------------------------------------------------------------------
# Running


def _prepare_folder(path: str) -> None:
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise CliError(f"cannot write to output folder {path!r}: {exc.strerror or exc}") from None


def _load_dataset(args: argparse.Namespace) -> tuple[np.ndarray, ...]:
    """X_train, X_test, y_train, y_test, standardized with the training set's statistics."""
    if args.dataset == "mnist":
        if not args.data_dir:
            raise CliError("--dataset mnist needs --data-dir DIR, the folder of the IDX files")
        X_train, y_train = data.load_mnist(args.data_dir, "train")
        X_test, y_test = data.load_mnist(args.data_dir, "test")
    else:
        if args.dataset == "digits":
            X, y = data.digits()
        else:
            options = {"n": args.samples or 300, "seed": args.seed}
            if args.noise is not None:
                options["noise"] = args.noise
            X, y = TOY_DATASETS[args.dataset](**options)
        X_train, X_test, y_train, y_test = data.train_test_split(
            X, y, test_size=args.test_size, seed=args.seed, stratify=True
        )
    X_train, X_test, mean, std = data.standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test, mean, std


def _optimizer(args: argparse.Namespace, model: MLP) -> Optimizer:
    if args.optimizer == "sgd":
        return SGD(
            model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay
        )
    return Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)


def _write_metrics(out: str, record: dict[str, Any], rows: list[dict[str, float]]) -> None:
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "metrics.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _model_for(args: argparse.Namespace, features: int, classes: int) -> MLP:
    """The MLP `args` describe, for `classes` classes (one output for the two-class losses)."""
    if args.loss in SINGLE_OUTPUT_LOSSES and classes != 2:
        raise CliError(
            f"--loss {args.loss} is for two classes with one output; {args.dataset} has "
            f"{classes} classes (use cross_entropy, mse or sse)"
        )
    width = 1 if args.loss in SINGLE_OUTPUT_LOSSES else classes
    return MLP(
        features,
        [*args.hidden, width],
        activation=args.activation,
        init=args.init,
        seed=args.seed,
        dtype=args.dtype,
    )


def train_run(args: argparse.Namespace) -> tuple[MLP, dict[str, Any], np.ndarray, np.ndarray]:
    """Train as `args` say and write the run folder; returns the model, the record, X/y test."""
    out = args.out or os.path.join("runs", args.dataset)
    X_train, X_test, y_train, y_test, mean, std = _load_dataset(args)
    _prepare_folder(out)  # before training, so that a bad folder fails at once
    classes = int(max(y_train.max(), y_test.max())) + 1
    model = _model_for(args, X_train.shape[1], classes)
    started = time.perf_counter()
    history = fit(
        model,
        X_train,
        y_train,
        loss=args.loss,
        optimizer=_optimizer(args, model),
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=args.validation_split,
        seed=args.seed,
        progress=not args.no_progress,
    )
    seconds = time.perf_counter() - started
    test = evaluate(model, X_test, y_test, loss=args.loss)
    settings = {k: v for k, v in vars(args).items() if k not in ("run", "command")}
    record = {
        "settings": {**settings, "out": out},
        "model": model.architecture(),
        "parameters": model.num_parameters(),
        "examples": {"train": len(y_train), "test": len(y_test)},
        "standardize": {"mean": mean.tolist(), "std": std.tolist()},
        "test": test,
        "final_epoch": {k: v[-1] for k, v in history.items()},
        "train_seconds": round(seconds, 3),
        "history": dict(history),
    }
    save(model, os.path.join(out, "model.npz"))
    _write_metrics(out, record, history.rows())
    from .plots import plot_decision_boundary, plot_history  # matplotlib: imported when needed

    written = ["model.npz", "metrics.csv", "metrics.json", "curves.svg"]
    plot_history(
        history, os.path.join(out, "curves.svg"), title=f"{args.dataset}: {model.extra_repr()}"
    )
    if X_test.shape[1] == 2:
        X_all = np.vstack([X_train, X_test])
        y_all = np.concatenate([y_train, y_test])
        threshold = decision_threshold(model, args.loss, y_all)
        plot_decision_boundary(
            model,
            X_all,
            y_all,
            os.path.join(out, "boundary.svg"),
            threshold=threshold,
            title=f"{args.dataset}: decision regions",
        )
        written.append("boundary.svg")
    accuracy = f", accuracy {test['accuracy']:.4f}" if "accuracy" in test else ""
    print(
        f"{args.dataset}: {model.extra_repr()} ({model.num_parameters()} parameters, "
        f"{args.dtype}), {args.epochs} epochs in {seconds:.2f} s"
    )
    print(f"test ({len(y_test)} examples): loss {test['loss']:.4f}{accuracy}")
    print(f"wrote {out}/{{{','.join(written)}}}")
    return model, record, X_test, y_test


def run_train(args: argparse.Namespace) -> int:
    train_run(args)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    model, record, X_test, y_test = train_run(args)
    try:
        from .graph import draw_graph
    except ImportError:
        return 0  # the graph renderer is not part of this installation
    loss = loss_of(model, X_test[:8], y_test[:8], args.loss)
    loss.backward()
    path = os.path.join(record["settings"]["out"], "graph.svg")
    try:
        draw_graph(loss, path=path)
    except (RuntimeError, OSError) as exc:
        print(f"{PROG}: note: graph not drawn: {exc}", file=sys.stderr)
        return 0
    print(f"wrote {path} (the graph of one forward pass and loss on 8 examples)")
    return 0


def run_graph(args: argparse.Namespace) -> int:
    from .graph import GraphvizNotFoundError, draw_graph

    X_train, _, y_train, _, _, _ = _load_dataset(args)
    X, y = X_train[: args.examples], y_train[: args.examples]
    model = _model_for(args, X.shape[1], int(y_train.max()) + 1)
    loss = loss_of(model, X, y, args.loss)
    loss.backward()
    options = {"rankdir": args.direction, "show_data": not args.no_data}
    options.update(show_grad=not args.no_grad, color_by_grad=args.color_by_grad)
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    try:
        path = draw_graph(loss, path=args.out, **options)
    except GraphvizNotFoundError as exc:
        raise CliError(str(exc)) from None
    print(f"wrote {path}: the {args.loss} loss of {model.extra_repr()} on {len(y)} examples")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (CliError, ValueError, OSError, FloatingPointError) as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
