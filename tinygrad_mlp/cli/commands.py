"""The commands' work: each hands its settings to `runs` (or `inference`) and prints what came
back. Parsing is `parser.py`; `main` (in `__init__.py`) runs a command and reports failures."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from ..loss_graph import draw_loss_graph, explain_loss
from ..runs import (
    Run,
    RunConfig,
    build_model,
    load_dataset,
    plural,
    train_run,
)

PROG = "tinygrad-mlp"


class CliError(Exception):
    """A problem to report to the user in one line (no traceback)."""


def option_name(setting: str) -> str:
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
    from ..drawing import GraphvizNotFoundError  # loaded when a graph is drawn

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
    from ..inference import predict_file

    table = predict_file(args.model, args.input, args.output)
    rows = table.count("\n")  # after the header line
    print(table if args.output is None else f"wrote {args.output}: {rows} predictions")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from ..inference import evaluate_saved

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
