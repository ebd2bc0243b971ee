"""Saving and loading models as `.npz` files: the architecture beside the weights, no pickle.

A model file is a numpy `.npz` archive holding

- ``format``: the string ``"tinygrad_mlp.model/1"``;
- ``architecture``: a one-element string array, the JSON of `model.architecture()`
  (``{"class": "MLP", "nin": 2, "nouts": [16, 1], ...}``), which rebuilds the model;
- ``param:<name>``: one array per parameter, named as `named_parameters()` names it;
- ``checksum``: the SHA-256 of all of the above, so a file altered after saving is refused.

Loading uses `np.load(allow_pickle=False)`, so a model file can never run code. Saving writes
a temporary file in the target folder and renames it over the target (`os.replace`, atomic),
so a crash mid-save leaves the previous file intact.

Any `Module` subclass whose class names its constructor arguments (`architecture_args`, see
`Module`) can be saved; `load` rebuilds it by its class name, from the classes the program has
defined (`nn.MODULES`), and never imports anything a file names.

>>> import os, tempfile
>>> import numpy as np
>>> from tinygrad_mlp import MLP
>>> model = MLP(2, [16, 1], seed=0)
>>> with tempfile.TemporaryDirectory() as folder:
...     save(model, os.path.join(folder, "moons.npz"))
...     same = load(os.path.join(folder, "moons.npz"))
>>> same.architecture() == model.architecture()
True
>>> all(np.array_equal(a.data, b.data) for a, b in zip(same.parameters(), model.parameters()))
True
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zipfile
from typing import Any

import numpy as np

from .nn import MODULES, Module, module_class

__all__ = ["save", "load", "FORMAT"]

FORMAT = "tinygrad_mlp.model/1"
_PARAM = "param:"


def _checksum(architecture: str, params: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    digest.update(FORMAT.encode())
    digest.update(architecture.encode())
    for name in sorted(params):
        arr = np.ascontiguousarray(params[name])
        digest.update(f"\0{name}\0{arr.dtype.str}\0{arr.shape}\0".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


def _describe(architecture: dict[str, Any]) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in architecture.items() if k != "class")
    return f"{architecture.get('class', '?')}({fields})"


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write `model` (architecture and weights) to `path`, atomically.

    The file is written exactly at `path` (no suffix is added; `.npz` is the convention).
    The folder must exist; an existing file is replaced only once the new one is complete.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save() needs a Module, got {type(model).__name__}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save model to {path!r}: folder {folder!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save model to {path!r}: it is a folder")
    spec = model.architecture()
    name = spec.get("class")
    other = MODULES.get(name) if isinstance(name, str) else None
    if other is not type(model):
        where = f"{other.__module__}.{other.__qualname__}" if other else "none"
        raise ValueError(
            f"cannot save a {type(model).__module__}.{type(model).__qualname__}: load would "
            f"rebuild the class registered as {name!r}, which is {where}; give the classes "
            f"different names"
        )
    try:
        architecture = json.dumps(spec, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"cannot save {type(model).__name__}: its architecture {spec!r} is not JSON ({exc}); "
            f"keep only numbers, strings, lists and dtypes in the attributes `architecture_args` "
            f"names"
        ) from None
    params = model.state_dict()
    arrays = {_PARAM + name: arr for name, arr in params.items()}
    arrays["format"] = np.array(FORMAT)
    arrays["architecture"] = np.array([architecture])
    arrays["checksum"] = np.array(_checksum(architecture, params))
    # A fresh name in the target's folder (so the rename cannot cross file systems), opened
    # with open() rather than mkstemp so that the file gets the usual umask permissions.
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    f = open(tmp, "xb")
    try:
        with f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read(path: str) -> dict[str, np.ndarray]:
    """Every array in the archive, read fully (so a damaged member fails here, not later)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        raise ValueError(
            f"{path!r} is not a readable model file (truncated, damaged or not an .npz "
            f"archive): {exc}"
        ) from None


def _field(arrays: dict[str, np.ndarray], key: str, path: str) -> str:
    if key not in arrays:
        raise ValueError(f"{path!r} is not a tinygrad_mlp model file: it has no {key!r} entry")
    value = arrays[key]
    if value.dtype.kind != "U" or value.size != 1:
        raise ValueError(f"{path!r}: entry {key!r} should be one string, got {value.dtype}")
    return str(value.reshape(()))


def load(
    path: str | os.PathLike[str],
    expect: type[Module] = Module,
    into: Module | None = None,
) -> Module:
    """Rebuild the model saved at `path`; with `into=model`, load the weights into that model.

    Refuses, with a ValueError naming the file: a file that is not a readable `.npz` (truncated
    or damaged), that is not a model file, whose contents no longer match their checksum
    (altered), or whose architecture is not `expect` (a class) or not that of `into`.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from tinygrad_mlp import MLP
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "moons.npz")
    ...     save(MLP(2, [4, 1], seed=0), path)
    ...     model = load(path)                          # a new MLP(2, [4, 1])
    ...     other = load(path, into=MLP(2, [4, 1], seed=1))   # the weights, into this one
    >>> [np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), other.parameters())]
    [True, True, True, True]
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no model file at {path!r}")
    arrays = _read(path)
    found = _field(arrays, "format", path)
    if found != FORMAT:
        raise ValueError(f"{path!r} has format {found!r}; this version reads {FORMAT!r}")
    architecture = _field(arrays, "architecture", path)
    params = {k[len(_PARAM) :]: v for k, v in arrays.items() if k.startswith(_PARAM)}
    if _field(arrays, "checksum", path) != _checksum(architecture, params):
        raise ValueError(
            f"{path!r} was altered or corrupted after it was saved: its weights and "
            f"architecture do not match the checksum stored with them"
        )
    try:
        spec = json.loads(architecture)
        name = spec.pop("class")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path!r}: unreadable architecture {architecture!r} ({exc})") from None
    try:
        cls = module_class(name)  # only a class the program defined: nothing is imported
    except ValueError as exc:
        raise ValueError(f"{path!r} holds a model of class {name!r}, but {exc}") from None
    if not issubclass(cls, expect):
        raise ValueError(f"{path!r} holds a {cls.__name__}, not a {expect.__name__}")
    if into is not None and into.architecture() != {"class": cls.__name__, **spec}:
        raise ValueError(
            f"{path!r} holds a different architecture: {_describe(json.loads(architecture))}, "
            f"but the model is {_describe(into.architecture())}"
        )
    if into is None:
        try:
            into = cls(**spec)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{path!r}: cannot rebuild {_describe({'class': cls.__name__, **spec})}: {exc}"
            ) from None
    try:
        into.load_state_dict(params)
    except ValueError as exc:
        raise ValueError(f"{path!r}: {exc}") from None
    return into
