"""`python -m tinygrad_mlp ...`: the same as the `tinygrad-mlp` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
