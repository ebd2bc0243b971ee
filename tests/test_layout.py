"""The file list shows the architecture: small files, one import cycle at most (the documented
one: `Value`'s operators need the op classes), and no module importing another's private names.
Module-level imports only: an import inside a function is taken when first used."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_mlp"
LINE_LIMIT = 420  # "about 400 lines" a file


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str]]:
    """(module imported, name imported) for each module-level `from ... import` of the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target.split(".")[0] != "tinygrad_mlp":
            continue
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            found.append((sub if sub in known else target, alias.name))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: list[str] = []
    found = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        on_stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    on_stack.append(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = on_stack.pop()
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    known = modules()
    private = [
        f"{name} imports {imported} from {target}"
        for name, path in known.items()
        for target, imported in imports(name, path, known)
        if imported.startswith("_") and not imported.startswith("__") and target != name
    ]
    assert private == []


def test_the_package_has_at_most_one_import_cycle_through_value() -> None:
    known = modules()
    edges = {
        name: {t for t, _ in imports(name, path, known) if t in known and t != name}
        for name, path in known.items()
    }
    found = cycles(edges)
    assert len(found) <= 1, found
    assert all("tinygrad_mlp.engine.value" in c and "tinygrad_mlp.ops" in c for c in found)


def test_no_package_file_is_much_over_400_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > LINE_LIMIT
    }
    assert long == {}
