"""The command line's options: argument types (each turns a string into a value or says, in
one phrase, what is wrong) and the parser of every command, with its defaults as the user
types them."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

from .. import __version__, checks
from ..losses import LOSSES
from ..nn import ACTIVATIONS, DTYPES, INITS
from ..runs import (
    DATASETS,
    OPTIMIZERS,
    RunConfig,
)
from .commands import PROG, run_demo, run_evaluate, run_graph, run_predict, run_train


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is reported in one line rather than the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ----------------------------------------------------------------------------------------------
# Argument types: each turns a string into a value or says, in one phrase, what is wrong


def _argument_type(
    check: Callable[[Any], Any], parse: Callable[[str], Any], expected: str
) -> Callable[[str], Any]:
    """An argparse type: `parse` the text, then `check` the value with the package's validator;
    a failure of either says, in one phrase, what was `expected`."""

    def convert(text: str) -> Any:
        try:
            return check(parse(text))
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}") from None

    return convert


_positive_int = _argument_type(lambda v: checks.count(v, "value"), int, "a positive integer")
_positive_float = _argument_type(lambda v: checks.positive(v, "value"), float, "a positive number")
_fraction = _argument_type(lambda v: checks.fraction(v, "value"), float, "a number in (0, 1)")
_fraction_or_zero = _argument_type(
    lambda v: checks.fraction(v, "value", zero_allowed=True), float, "a number in [0, 1)"
)


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError(value)
    return value


_seed = _argument_type(_non_negative, int, "a non-negative integer")
_nonnegative_float = _argument_type(
    lambda v: checks.nonnegative(v, "value"), float, "a finite number >= 0"
)


def _typed(value: Any) -> str:
    """A default as the user would type it: 16,16 for [16, 16], full for batch size None."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def _hidden_sizes(text: str) -> list[int]:
    if not text.strip():
        return []  # no hidden layer: a linear model
    try:
        return [checks.count(int(part), "layer size") for part in text.split(",")]
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"must be positive layer sizes separated by commas (like 128,64), got {text!r}"
        ) from None


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
    add(
        "--samples",
        type=_positive_int,
        metavar="N",
        help="points in a toy 2-D dataset (default: 300)",
    )
    add(
        "--noise",
        type=_nonnegative_float,
        help="noise of a toy 2-D dataset (default: the dataset's own)",
    )
    add(
        "--test-size",
        type=_fraction,
        metavar="F",
        help="fraction held out for testing (default: %(default)s)",
    )
    add(
        "--validation-split",
        type=_fraction_or_zero,
        metavar="F",
        help="fraction of the training set for per-epoch validation (default: %(default)s)",
    )
    _add_model_arguments(parser, defaults)
    add("--optimizer", choices=OPTIMIZERS, help="how to update the weights (default: %(default)s)")
    add("--lr", type=_positive_float, help="learning rate η (default: %(default)s)")
    add(
        "--momentum",
        type=_fraction_or_zero,
        help=f"SGD momentum; only with --optimizer sgd (default: {defaults['momentum']})",
    )
    add(
        "--weight-decay",
        type=_fraction_or_zero,
        metavar="F",
        help="L2 penalty on the weights (default: %(default)s)",
    )
    add("--epochs", type=_positive_int, help="passes over the training set (default: %(default)s)")
    add(
        "--batch-size",
        type=_batch_size,
        metavar="N|full",
        help="examples per update, or 'full' for one update per epoch "
        f"(default: {'full' if defaults['batch_size'] is None else defaults['batch_size']})",
    )
    add("--seed", type=_seed, help="seed for data, weights and shuffling (default: %(default)s)")
    add("--dtype", choices=list(DTYPES), help="the numbers' type (default: %(default)s)")
    out = defaults["out"] or "runs/<dataset>"
    add("--out", metavar="DIR", help=f"run folder to write (default: {out})")
    add(
        "--overwrite",
        action="store_true",
        help="replace the run folder if it already holds files (otherwise refused)",
    )
    add(
        "--no-progress",
        action="store_true",
        help="no progress bar (there is none when stderr is not a terminal)",
    )
    parser.set_defaults(**{**defaults, "momentum": None})  # None: not given


# The defaults of a run are RunConfig's; the command line says "--no-progress" for progress=False.
TRAIN_DEFAULTS: dict[str, Any] = {
    name: value
    for name, value in dataclasses.asdict(RunConfig()).items()
    if name not in ("progress", "overwrite")
}
DEMO_DEFAULTS: dict[str, Any] = {**TRAIN_DEFAULTS, "epochs": 100, "out": "runs/demo"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-parser per command (add a command with `add_parser`)."""
    parser = _Parser(
        prog=PROG,
        description="Train small neural networks built on the tinygrad_mlp autograd engine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    training_commands = [
        (
            "train",
            run_train,
            TRAIN_DEFAULTS,
            "train an MLP and write a run folder",
            "Train an MLP on a dataset; write the model, metrics and plots to --out.",
        ),
        (
            "demo",
            run_demo,
            DEMO_DEFAULTS,
            "train a small MLP on moons; write its plots and graph",
            "Train a small MLP on moons and write its model, metrics, plots and the graph of one "
            f"forward pass into --out (default {DEMO_DEFAULTS['out']}, relative to the current "
            "folder). Takes train's options.",
        ),
    ]
    for name, run, defaults, summary, description in training_commands:
        command = commands.add_parser(name, help=summary, description=description)
        _add_training_arguments(command, defaults)
        command.set_defaults(run=run)
    graph = commands.add_parser(
        "graph",
        help="draw the computation graph of an MLP's loss",
        description="Build an MLP (initialised, not trained), run it on a few examples of a "
        "dataset, backpropagate its loss and draw that graph with Graphviz: values with their "
        "data and gradients, operations, a box per module call.",
    )
    _add_graph_arguments(graph)
    graph.set_defaults(run=run_graph)
    predict = commands.add_parser(
        "predict",
        help="predict with a saved model",
        description="Load a saved model and predict the rows of a .csv (comma separated, an "
        "optional header line) or .npy file of raw features. Writes one line per row: the "
        "predicted class, then the model's outputs, to --output (.csv, or .npy for the classes) "
        "or to stdout.",
    )
    add = predict.add_argument
    add("--model", required=True, metavar="PATH", help="a saved model file (default: none)")
    add("--input", required=True, metavar="FILE", help="features, .csv or .npy (default: none)")
    add("--output", metavar="FILE", help="where to write, .csv or .npy (default: stdout)")
    predict.set_defaults(run=run_predict)
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a saved model on a dataset",
        description="Load a saved model and report its loss and accuracy on a dataset's test "
        "split; the split (seed, test size, samples) and the loss are the run's, read from the "
        "metrics.json beside the model, unless given here.",
    )
    add = evaluate.add_argument
    add("--model", required=True, metavar="PATH", help="a saved model file (default: none)")
    add("--dataset", required=True, choices=DATASETS, help="(default: none)")
    add("--data-dir", metavar="DIR", help="for --dataset mnist")
    add("--split", choices=["test", "train"], default="test", help="(default: %(default)s)")
    evaluate.add_argument("--loss", choices=list(LOSSES), help="(default: the run's)")
    evaluate.add_argument("--seed", type=int, help="(default: the run's)")
    evaluate.set_defaults(run=run_evaluate)
    return parser


def _add_model_arguments(parser: argparse.ArgumentParser, defaults: dict[str, Any]) -> None:
    """The options that shape the model and its loss, the same for every command."""
    add = parser.add_argument
    add(
        "--hidden",
        type=_hidden_sizes,
        metavar="SIZES",
        help=f"hidden layer sizes, comma separated (default: {_typed(defaults['hidden'])})",
    )
    add(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        help="activation of the hidden layers (default: %(default)s)",
    )
    add("--init", choices=INITS, help="weight initialisation (default: by activation)")
    add("--loss", choices=list(LOSSES), help="loss function (default: %(default)s)")


def _add_graph_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--dataset", choices=DATASETS, help="examples to run (default: %(default)s)")
    add("--data-dir", metavar="DIR", help="for --dataset mnist: the folder of the IDX files")
    add("--examples", type=_positive_int, metavar="N", help="batch size (default: %(default)s)")
    _add_model_arguments(parser, TRAIN_DEFAULTS)
    add("--seed", type=_seed, help="seed for data and weights (default: %(default)s)")
    add("--dtype", choices=list(DTYPES), help="the numbers' type (default: %(default)s)")
    add(
        "--out",
        metavar="PATH",
        help="file to write; format from its suffix: svg, png, pdf, dot (default: %(default)s)",
    )
    add(
        "--direction",
        choices=["LR", "TB"],
        help="left to right or top to bottom (default: from the graph's shape)",
    )
    add(
        "--html",
        metavar="PATH",
        help="write the step-through page of backpropagation (one self-contained HTML file) "
        "to PATH instead of the picture (default: none, draw the picture)",
    )
    add("--no-data", action="store_true", help="do not print values in the nodes")
    add("--no-grad", action="store_true", help="do not print gradients in the nodes")
    add("--color-by-grad", action="store_true", help="colour values by gradient magnitude")
    add(
        "--max-nodes",
        type=_positive_int,
        metavar="N",
        help="collapse modules past N nodes (default: no limit)",
    )
    parser.set_defaults(
        **{k: TRAIN_DEFAULTS[k] for k in ("dataset", "hidden", "activation", "loss", "seed")},
        **{"dtype": "float64", "examples": 8, "out": "graph.svg", "direction": None},
        **{"max_nodes": None, "test_size": 0.2, "samples": None, "noise": None},
    )
