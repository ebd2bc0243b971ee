"""The command line: `tinygrad-mlp COMMAND [options]` (or `python -m tinygrad_mlp ...`).

Commands (each with `--help`):

- ``train``: train an MLP on a dataset and write a run folder: the model (`model.safetensors`), the
  metrics per epoch (`metrics.csv`, and `metrics.json` with the settings and the final test
  figures), the learning curves (`curves.svg`) and, for 2-D datasets, the decision regions
  (`boundary.svg`).
- ``demo``: the same on the embedded default (a small MLP on moons, into `runs/demo`), plus a
  picture of the computation graph of one forward pass and loss (`graph.svg`) when the graph
  renderer is available.

- ``graph``: draw the computation graph of a freshly initialised MLP's loss on a few examples
  (`--out graph.svg`; see `tinygrad_mlp.draw_graph`).
- ``predict``: a saved model's predicted classes (and outputs) for the raw features of a
  `.csv` or `.npy` file (`--model PATH --input FILE [--output FILE]`).
- ``evaluate``: a saved model's loss and accuracy on a dataset's test split, split as the run
  that saved it (`--model PATH --dataset NAME`).

This module parses the arguments and prints the results; the run itself (load, standardise,
build, fit, evaluate, write the run folder) is `tinygrad_mlp.runs.train_run`, callable from
Python with a `RunConfig` whose fields are these options (``--no-progress`` is
``progress=False``).

A mistake in the arguments gets one line on stderr and exit status 2; a failure while running
(an unwritable folder, a missing MNIST folder) one line and exit status 1.

    tinygrad-mlp train --dataset digits --hidden 128,64 --epochs 30 --out runs/digits
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__, checks
from .atomic import FolderNotEmptyError
from .losses import LOSSES
from .nn import ACTIVATIONS, INITS
from .runs import (
    DATASETS,
    OPTIMIZERS,
    ConfigError,
    Run,
    RunConfig,
    build_model,
    draw_loss_graph,
    explain_loss,
    load_dataset,
    plural,
    train_run,
)

PROG = "tinygrad-mlp"


class CliError(Exception):
    """A problem to report to the user in one line (no traceback)."""


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
    add("--dtype", choices=["float32", "float64"], help="the numbers' type (default: %(default)s)")
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


def _add_graph_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--dataset", choices=DATASETS, help="examples to run (default: %(default)s)")
    add("--data-dir", metavar="DIR", help="for --dataset mnist: the folder of the IDX files")
    add("--examples", type=_positive_int, metavar="N", help="batch size (default: %(default)s)")
    add(
        "--hidden",
        type=_hidden_sizes,
        metavar="SIZES",
        help=f"hidden layer sizes (default: {_typed(TRAIN_DEFAULTS['hidden'])})",
    )
    add(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        help="activation of the hidden layers (default: %(default)s)",
    )
    add("--init", choices=INITS, help="weight initialisation (default: by activation)")
    add("--loss", choices=list(LOSSES), help="loss function (default: %(default)s)")
    add("--seed", type=_seed, help="seed for data and weights (default: %(default)s)")
    add("--dtype", choices=["float32", "float64"], help="the numbers' type (default: %(default)s)")
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


# ----------------------------------------------------------------------------------------------
# Running: each command hands its settings to `runs` and prints what came back


def _option(setting: str) -> str:
    """The command-line option of a RunConfig field: data_dir -> --data-dir."""
    return "--" + setting.replace("_", "-")


def _config(args: argparse.Namespace, command_own: tuple[str, ...] = ()) -> RunConfig:
    """The RunConfig of the settings in `args` (others keep RunConfig's defaults), leaving out
    the options in `command_own` that mean something else to that command."""
    names = [f.name for f in dataclasses.fields(RunConfig)]
    settings = {n: getattr(args, n) for n in names if hasattr(args, n) and n not in command_own}
    if settings.get("momentum", 0) is None:  # not given: RunConfig's default
        del settings["momentum"]
    elif settings.get("optimizer") == "adam":
        raise CliError("--momentum is for --optimizer sgd; Adam keeps its own running averages")
    settings.pop("progress", None)
    progress = not getattr(args, "no_progress", True) and sys.stderr.isatty()
    return RunConfig(**settings, progress=progress)


def _print_run(run: Run) -> None:
    config, model, test = run.config, run.model, run.test
    accuracy = f", accuracy {test['accuracy']:.4f}" if "accuracy" in test else ""
    print(
        f"{config.dataset}: {model.extra_repr()} ({plural(model.num_parameters(), 'parameter')}, "
        f"{config.dtype}), {plural(config.epochs, 'epoch')} in {run.seconds:.2f} s"
    )
    print(f"test ({plural(len(run.split.y_test), 'example')}): loss {test['loss']:.4f}{accuracy}")
    print(f"wrote {run.out}/{{{','.join(run.files)}}}")


def _train_and_print(args: argparse.Namespace) -> Run:
    run = train_run(_config(args))
    _print_run(run)
    return run


def run_train(args: argparse.Namespace) -> int:
    _train_and_print(args)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    run = _train_and_print(args)
    X, y = run.split.raw_test[:8], run.split.y_test[:8]  # the run's model takes raw features
    path = os.path.join(run.out, "graph.svg")
    try:
        draw_loss_graph(run.model, X, y, run.config.loss, path)
    except (RuntimeError, OSError) as exc:  # Graphviz's dot missing or failing
        print(f"{PROG}: note: graph not drawn: {exc}", file=sys.stderr)
        return 0
    print(f"wrote {path} (the graph of one forward pass and loss on 8 examples)")
    return 0


def run_graph(args: argparse.Namespace) -> int:
    from .drawing import GraphvizNotFoundError  # loaded when a graph is drawn

    config = _config(args, command_own=("out",))  # graph's --out is the picture's file
    split = load_dataset(config.dataset, **config.dataset_options())
    X, y = split.X_train[: args.examples], split.y_train[: args.examples]
    model = build_model(X.shape[1], split.classes, **config.model_options())
    options = {"rankdir": args.direction, "show_data": not args.no_data}
    options.update(show_grad=not args.no_grad, color_by_grad=args.color_by_grad)
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    what = f"the {args.loss} loss of {model.extra_repr()} on {len(y)} examples"
    try:
        if args.html is not None:
            path = explain_loss(model, X, y, args.loss, args.html, args.direction, args.max_nodes)
            print(f"wrote {path}: backpropagation, step by step, through {what}")
            return 0
        path = draw_loss_graph(model, X, y, args.loss, args.out, **options)
    except GraphvizNotFoundError as exc:
        raise CliError(str(exc)) from None
    print(f"wrote {path}: {what}")
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from .inference import predict_file

    table = predict_file(args.model, args.input, args.output)
    rows = table.count("\n")  # after the header line
    print(table if args.output is None else f"wrote {args.output}: {rows} predictions")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from .inference import evaluate_saved

    options = {} if args.seed is None else {"seed": args.seed}
    result = evaluate_saved(
        args.model,
        args.dataset,
        split=args.split,
        data_dir=args.data_dir,
        loss=args.loss,
        **options,
    )
    metrics = result.metrics
    accuracy = f", accuracy {metrics['accuracy']:.4f}" if "accuracy" in metrics else ""
    print(
        f"{args.dataset} {result.split} ({result.examples} examples): loss "
        f"{metrics['loss']:.4f}{accuracy}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["train", "--epochs", "0"])
    Traceback (most recent call last):
        ...
    SystemExit: 2
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # numpy's overflow warnings: a run that diverges is reported once, below
            warnings.simplefilter("ignore", RuntimeWarning)
            return int(args.run(args))
    except FolderNotEmptyError as exc:
        print(
            f"{PROG} {args.command}: error: output folder {exc.folder} already holds files; "
            f"choose another --out or pass --overwrite to replace it",
            file=sys.stderr,
        )
        return 1
    except MemoryError as exc:
        detail = str(exc) or "the model or data does not fit"
        print(f"{PROG} {args.command}: error: not enough memory: {detail}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"{PROG} {args.command}: error: {exc.describe(_option)}", file=sys.stderr)
        return 1
    except (CliError, ValueError, OSError, FloatingPointError) as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
