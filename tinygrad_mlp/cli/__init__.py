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

import sys
import warnings
from collections.abc import Sequence

from ..atomic import FolderNotEmptyError
from ..runs import ConfigError
from .commands import PROG, CliError, option_name
from .parser import build_parser

__all__ = ["CliError", "build_parser", "main"]


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
        print(f"{PROG} {args.command}: error: {exc.describe(option_name)}", file=sys.stderr)
        return 1
    except (CliError, ValueError, OSError, FloatingPointError) as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
