"""tinygrad_mlp.data as a package: every public name of its modules is re-exported, and it
imports nothing of the package but the validators and the label conventions."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from tinygrad_mlp import data

MODULES = sorted(info.name for info in pkgutil.iter_modules(data.__path__))
ALLOWED = {"tinygrad_mlp.checks", "tinygrad_mlp.labels"}


def test_the_package_has_one_module_per_concern():
    assert MODULES == ["batching", "bundled", "mnist", "prepare", "synthetic"]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_of_a_module_is_reexported(name):
    module = importlib.import_module(f"tinygrad_mlp.data.{name}")
    for public in module.__all__:
        assert getattr(data, public) is getattr(module, public)
        assert public in data.__all__


def imported_modules(path: Path, package: str) -> list[str]:
    """The absolute names of what `path` (a module of `package`) imports: `from .. import x`
    in tinygrad_mlp.data gives "tinygrad_mlp.x", `from ..labels import y` "tinygrad_mlp.labels"."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is None:  # from .. import x
            base = package.rsplit(".", node.level - 1)[0]
            names += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            names.append(".".join(part for part in (base, node.module) if part))
    return names


@pytest.mark.parametrize(
    "path", sorted(Path(data.__file__).parent.glob("*.py")), ids=lambda p: p.name
)
def test_data_imports_only_numpy_the_stdlib_checks_and_labels(path):
    inside = [m for m in imported_modules(path, "tinygrad_mlp.data") if m.startswith("tinygrad")]
    assert all(m in ALLOWED or m.startswith("tinygrad_mlp.data.") for m in inside), inside


def test_the_import_reader_resolves_relative_imports():
    found = imported_modules(Path(data.__file__).parent / "prepare.py", "tinygrad_mlp.data")
    assert "tinygrad_mlp.checks" in found and "tinygrad_mlp.labels" in found
    found = imported_modules(Path(data.__file__), "tinygrad_mlp.data")
    assert "tinygrad_mlp.data.synthetic" in found
