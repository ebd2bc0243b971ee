"""The command line's options: defaults shown as typed, every bad value named by its option,
meaningless combinations refused, plurals, no progress bar off a terminal, --version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_mlp
from tinygrad_mlp.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--samples", "40", "--hidden", "4", "--epochs", "1", "--no-progress"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    return status, out, err


def test_version_prints_the_package_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out == f"tinygrad-mlp {tinygrad_mlp.__version__}\n"


def test_the_package_version_is_the_one_pyproject_declares():
    text = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+
    assert re.search(r'^version = "(.*)"$', text, re.M).group(1) == tinygrad_mlp.__version__


@pytest.mark.parametrize(
    "command, shown",
    [
        ("train", "(default: 16,16)"),
        ("train", "(default: runs/<dataset>)"),
        ("demo", "(default: runs/demo)"),
        ("graph", "dot (default: graph.svg)"),
        ("graph", "top to bottom (default: from the graph's shape)"),
        ("graph", "(default: no limit)"),
    ],
)
def test_help_shows_defaults_as_the_user_types_them(capsys, command, shown):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0 and shown in " ".join(out.split())


def test_no_help_shows_a_python_list(capsys):
    for command in ("train", "demo", "graph"):
        _, out, _ = run(capsys, command, "--help")
        assert "[16, 16]" not in out


@pytest.mark.parametrize(
    "option, value",
    [
        ("--samples", "0"),
        ("--noise", "-1"),
        ("--noise", "nan"),
        ("--test-size", "1.5"),
        ("--validation-split", "1"),
        ("--hidden", "a,b"),
        ("--activation", "swish"),
        ("--init", "zeros"),
        ("--loss", "l7"),
        ("--optimizer", "lbfgs"),
        ("--lr", "0"),
        ("--momentum", "1"),
        ("--weight-decay", "-1"),
        ("--epochs", "0"),
        ("--batch-size", "0"),
        ("--seed", "-1"),
        ("--seed", "1.5"),
        ("--dtype", "float16"),
        ("--dataset", "cifar"),
    ],
)
def test_a_bad_value_of_any_train_option_is_one_line_naming_the_option(capsys, option, value):
    status, out, err = run(capsys, "train", option, value, *SMALL)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"argument {option}:" in err


@pytest.mark.parametrize(
    "option, value",
    [("--examples", "0"), ("--max-nodes", "0"), ("--direction", "RL"), ("--seed", "-2")],
)
def test_a_bad_value_of_a_graph_option_names_the_option(capsys, option, value):
    status, _, err = run(capsys, "graph", option, value)
    assert status == 2 and f"argument {option}:" in err


def test_momentum_with_adam_is_refused(capsys, tmp_path):
    status, _, err = run(
        capsys, "train", "--optimizer", "adam", "--momentum", "0.5", "--out", str(tmp_path / "r")
    )
    assert status == 1 and "--momentum is for --optimizer sgd" in err
    assert not (tmp_path / "r").exists()


def test_adam_without_momentum_trains(capsys, tmp_path):
    status, _, err = run(capsys, "train", "--optimizer", "adam", *SMALL, "--out", str(tmp_path))
    assert status == 0, err


def test_a_split_that_leaves_almost_nothing_to_test_on_is_refused(capsys, tmp_path):
    status, _, err = run(capsys, "train", "--samples", "3", "--out", str(tmp_path / "r"))
    assert status == 1
    assert "--samples 3 with --test-size 0.2 leaves 1 example to test on" in err


def test_one_epoch_is_singular(capsys, tmp_path):
    status, out, _ = run(capsys, "train", *SMALL, "--out", str(tmp_path))
    assert status == 0 and ", 1 epoch in " in out and "1 epochs" not in out


def test_a_diverging_run_is_one_line_and_leaves_no_run_folder(capsys, tmp_path):
    status, out, err = run(capsys, "train", *SMALL, "--lr", "1e308", "--out", str(tmp_path / "r"))
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "lower the learning rate" in err
    assert os.listdir(tmp_path) == []


def test_a_model_too_big_for_memory_is_one_line(capsys, tmp_path):
    hidden = "1000000000000"  # 16 TB of weights: refused at once
    status, _, err = run(capsys, "train", *SMALL, "--hidden", hidden, "--out", str(tmp_path))
    assert status == 1 and err.count("\n") == 1 and "not enough memory" in err


def test_off_a_terminal_no_progress_bar_is_drawn(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--samples", "40", "--hidden", "4", "--epochs", "3"]  # no --no-progress
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_mlp", "train", *args, "--out", "r"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and done.stderr == ""


def test_every_option_that_takes_a_value_says_its_default():
    import argparse

    from tinygrad_mlp.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [
        f"{name} {action.option_strings[0]}"
        for name, parser in commands.choices.items()
        for action in parser._actions
        if action.option_strings
        and action.nargs != 0  # flags and --help
        and action.dest != "data_dir"  # no default: mnist needs it
        and "(default: " not in (action.help or "")
    ]
    assert missing == []
