"""`python -m benchmarks`: see run.py. Thread counts are fixed before numpy is imported."""

from __future__ import annotations

import os
import sys


def _threads(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads(sys.argv)

from .run import main  # noqa: E402

raise SystemExit(main())
