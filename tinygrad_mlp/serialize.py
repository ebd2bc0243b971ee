"""Saving and loading models as safetensors files: weights anyone can read, no code, no pickle.

A model file is a `safetensors <https://huggingface.co/docs/safetensors>`_ file (what Hugging
Face and PyTorch users load; the format cannot execute code) holding one tensor per parameter,
named as `named_parameters()` names it (``layers.0.W``), and, as its string metadata:

- ``format``: ``"tinygrad_mlp.model/2"``;
- ``architecture``: the JSON of `model.architecture()` (``{"class": "MLP", "nin": 2, ...}``),
  which rebuilds the model;
- ``modules``: the JSON of every module of the model with its class and architecture
  (``[["", {"class": "MLP", ...}], ["layers.0", {"class": "Layer", ...}], ...]``), so the
  whole structure, preprocessing modules included, travels with the weights;
- ``dtype``: the model's dtype (``"float64"``);
- ``checksum``: the SHA-256 of all of the above and the tensors, so a damaged or altered file
  is refused instead of loading wrong weights.

`safetensors.numpy.load_file(path)` and `safetensors.torch.load_file(path)` read the weights
directly. Saving is atomic (`atomic.write_file`). Loading never trusts the file: the header,
the metadata and every number in the architecture are checked against the arrays actually
stored before anything is allocated from them; every damaged file is a ValueError naming it.
Files of the earlier `.npz` format (``tinygrad_mlp.model/1``) still load, with the same
hardening (`legacy_npz`); `save` always writes safetensors.

`load` rebuilds a model by its class name, from the classes the program has defined
(`nn.MODULES`), and never imports anything a file names.

>>> import os, tempfile
>>> import numpy as np
>>> from tinygrad_mlp import MLP
>>> model = MLP(2, [16, 1], seed=0)
>>> with tempfile.TemporaryDirectory() as folder:
...     save(model, os.path.join(folder, "moons.safetensors"))
...     same = load(os.path.join(folder, "moons.safetensors"))
>>> same.architecture() == model.architecture()
True
>>> all(np.array_equal(a.data, b.data) for a, b in zip(same.parameters(), model.parameters()))
True
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from typing import Any

import numpy as np

from .atomic import write_file
from .legacy_npz import LEGACY_FORMAT, LegacyArchive
from .nn import MODULES, Module, module_class
from .nn.init import weight_budget

__all__ = ["save", "load", "FORMAT", "LEGACY_FORMAT"]

FORMAT = "tinygrad_mlp.model/2"
_METADATA = ("format", "architecture", "modules", "dtype", "checksum")
_DTYPES: dict[str, np.dtype] = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
_MAX_HEADER = 16 << 20  # bytes of JSON header: far above any real model's
_MAX_DEPTH = 32  # nesting of the architecture's JSON
_MAX_STRING = 10_000  # characters of one string in the architecture


def _a(name: str) -> str:
    """The class name with its article, as it is said: an MLP, a Layer, an Encoder.

    >>> _a("MLP"), _a("Layer"), _a("Encoder"), _a("Neuron")
    ('an MLP', 'a Layer', 'an Encoder', 'a Neuron')
    """
    spelt = name[:2].isupper() and name[0] in "FHLMNRSX"  # M-L-P: "em"
    return f"an {name}" if name[:1] in "AEIOU" or spelt else f"a {name}"


def _describe(architecture: dict[str, Any]) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in architecture.items() if k != "class")
    return f"{architecture.get('class', '?')}({fields})"


def _checksum(metadata: dict[str, str], tensors: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in _METADATA[:-1]:
        digest.update(f"{key}\0{metadata[key]}\0".encode())
    for name in sorted(tensors):
        arr = np.array(tensors[name], order="C")
        digest.update(f"\0{name}\0{arr.dtype.str}\0{arr.shape}\0".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


def _registered(model: Module) -> dict[str, Any]:
    """`model.architecture()`, if `load` would rebuild `model`'s class from it."""
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
    return spec


def _modules(model: Module) -> list[list[Any]]:
    """Every module's name and architecture (its class and `architecture_args`)."""
    tree: list[list[Any]] = []
    for name, module in model.named_modules():
        try:
            tree.append([name, module.architecture()])
        except NotImplementedError:  # a plain container: its parent's arguments rebuild it
            tree.append([name, {"class": type(module).__name__}])
    return tree


def _json(value: Any, what: str, model: Module) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"cannot save {type(model).__name__}: its {what} {value!r} is not JSON ({exc}); "
            f"keep only numbers, strings, lists and dtypes in the attributes "
            f"`architecture_args` names"
        ) from None


def save(model: Module, path: str | os.PathLike[str]) -> None:
    """Write `model` (architecture and weights) to `path` as safetensors, atomically.

    The file is written exactly at `path` (no suffix is added; `.safetensors` is the
    convention). The folder must exist; a symlink is followed; a FIFO, device or folder at
    `path` is refused, never replaced; an existing file keeps its permissions and is replaced
    only once the new one is complete.
    """
    from safetensors.numpy import save as encode

    if not isinstance(model, Module):
        raise TypeError(f"save() needs a Module, got {type(model).__name__}")
    metadata = {
        "format": FORMAT,
        "architecture": _json(_registered(model), "architecture", model),
        "modules": _json(_modules(model), "module tree", model),
        "dtype": np.dtype(model.dtype).name,
    }
    tensors = {
        name: np.array(arr, dtype=np.asarray(arr).dtype.newbyteorder("<"), order="C")
        for name, arr in model.state_dict().items()  # np.array keeps 0-d arrays 0-d
    }
    for name, arr in tensors.items():
        if arr.dtype not in _DTYPES.values():
            raise TypeError(f"cannot save parameter {name!r} of dtype {arr.dtype}: not a float")
    metadata["checksum"] = _checksum(metadata, tensors)
    write_file(path, encode(tensors, metadata=metadata))


# ----------------------------------------------------------------------------------------------
# Loading: every check names the file and the field at fault


def _read(path: str) -> bytes:
    """The file's bytes; only a regular file is opened (never blocks on a FIFO)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"no model file at {path!r}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path!r} is not a regular file, so not a model file")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _header(raw: bytes, path: str) -> dict[str, Any]:
    if len(raw) < 8:
        raise ValueError(f"{path!r} is not a model file: {len(raw)} bytes, too short (truncated?)")
    size = int.from_bytes(raw[:8], "little")
    if not 2 <= size <= min(len(raw) - 8, _MAX_HEADER):
        raise ValueError(
            f"{path!r} is not a readable safetensors file (truncated or damaged): its header "
            f"claims {size} bytes, the file has {len(raw)}"
        )
    try:
        header = json.loads(raw[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path!r}: damaged safetensors header ({type(exc).__name__})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path!r}: damaged safetensors header (not a JSON object)")
    return header


def _tensor_entries(header: dict[str, Any], body: int, path: str) -> dict[str, Any]:
    """The tensors the header declares, each checked: a float dtype, a shape, its bytes."""
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    end = 0
    for name, entry in entries.items():
        where = f"{path!r}: tensor {name!r}"
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise ValueError(f"{where}: damaged entry {entry!r}"[:300])
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in _DTYPES:
            raise ValueError(f"{where} has dtype {dtype!r}"[:300] + "; weights are F32 or F64")
        if not isinstance(shape, list) or not all(type(n) is int and 0 <= n <= body for n in shape):
            raise ValueError(f"{where} has shape {shape!r}"[:300] + ", not sizes within the file")
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(type(n) is int for n in offsets)
            and 0 <= offsets[0] <= offsets[1] <= body
            and offsets[1] - offsets[0] == math.prod(shape) * _DTYPES[dtype].itemsize
        ):
            raise ValueError(f"{where}: its data offsets {offsets!r}"[:300] + " do not fit")
        end = max(end, offsets[1])
    if end != body:
        raise ValueError(f"{path!r}: the tensors end at byte {end} of a {body}-byte body")
    return entries


def _check_json(value: Any, field: str, limit: int, path: str, depth: int = 0) -> None:
    """Refuse what no architecture holds: deep nesting, long strings, absurd numbers."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"{path!r}: {field} is nested more than {_MAX_DEPTH} deep")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > limit:  # a size larger than the file itself is a lie
            shown = str(value) if abs(value) < 10**30 else f"{len(str(abs(value)))} digits long"
            raise ValueError(f"{path!r}: {field} is {shown}, larger than the file ({limit} bytes)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path!r}: {field} is {value}, not a finite number")
    elif isinstance(value, str):
        if len(value) > _MAX_STRING:
            raise ValueError(f"{path!r}: {field} is a string of {len(value)} characters")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{field}[{i}]", limit, path, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(item, f"{field}.{key}", limit, path, depth + 1)
    else:
        raise ValueError(f"{path!r}: {field} holds a {type(value).__name__}")


def _metadata(header: dict[str, Any], size: int, path: str) -> tuple[dict[str, str], Any, Any]:
    """The metadata strings, and the architecture and module tree they hold, checked."""
    metadata = header.get("__metadata__")
    if not isinstance(metadata, dict) or "format" not in metadata:
        raise ValueError(f"{path!r} is a safetensors file but not a tinygrad_mlp model file")
    if metadata.get("format") != FORMAT:
        raise ValueError(
            f"{path!r} has format {str(metadata['format'])[:100]!r}; this version reads {FORMAT!r}"
        )
    if set(metadata) != set(_METADATA) or not all(isinstance(v, str) for v in metadata.values()):
        odd = sorted(set(metadata) ^ set(_METADATA)) or "non-string values"
        raise ValueError(f"{path!r}: damaged metadata ({odd})"[:300])
    parsed = []
    for key in ("architecture", "modules"):
        try:
            value = json.loads(metadata[key])
        except (ValueError, RecursionError) as exc:
            raise ValueError(
                f"{path!r}: metadata {key!r} is not JSON ({type(exc).__name__})"
            ) from None
        _check_json(value, key, size, path)
        parsed.append(value)
    spec, tree = parsed
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise ValueError(f"{path!r}: metadata 'architecture' names no class")
    if not isinstance(tree, list) or not all(
        isinstance(m, list) and len(m) == 2 and isinstance(m[0], str) for m in tree
    ):
        raise ValueError(f"{path!r}: metadata 'modules' is not a list of [name, architecture]")
    if metadata["dtype"] not in ("float32", "float64"):
        raise ValueError(f"{path!r}: metadata 'dtype' is {metadata['dtype'][:50]!r}")
    return metadata, spec, tree


def _tensors(raw: bytes, path: str) -> dict[str, np.ndarray]:
    from safetensors import SafetensorError
    from safetensors.numpy import load as decode

    try:
        return decode(raw)
    except (SafetensorError, ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"{path!r} is not a readable safetensors file: {exc}"[:400]) from None


def load(
    path: str | os.PathLike[str],
    expect: type[Module] = Module,
    into: Module | None = None,
) -> Module:
    """Rebuild the model saved at `path`; with `into=model`, load the weights into that model.

    Refuses, with a ValueError naming the file: a file that is not a regular file or not a
    readable safetensors file (truncated or damaged), that is not a model file, whose contents
    no longer match their checksum (altered), whose architecture claims more than the file
    holds, or whose model is not `expect` (a class) or not that of `into`. A `.npz` file of
    tinygrad_mlp 0.1 loads too (see `legacy_npz`).

    >>> import os, tempfile
    >>> import numpy as np
    >>> from tinygrad_mlp import MLP
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "moons.safetensors")
    ...     save(MLP(2, [4, 1], seed=0), path)
    ...     model = load(path)                          # a new MLP(2, [4, 1])
    ...     other = load(path, into=MLP(2, [4, 1], seed=1))   # the weights, into this one
    >>> [np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), other.parameters())]
    [True, True, True, True]
    """
    path = os.fspath(path)
    raw = _read(path)
    if raw[:4] == b"PK\x03\x04":
        return _load_legacy(raw, path, expect, into)
    header = _header(raw, path)
    body = len(raw) - 8 - int.from_bytes(raw[:8], "little")
    entries = _tensor_entries(header, body, path)
    metadata, spec, tree = _metadata(header, len(raw), path)
    tensors = _tensors(raw, path)
    if set(tensors) != set(entries) or _checksum(metadata, tensors) != metadata["checksum"]:
        raise ValueError(
            f"{path!r} was altered or corrupted after it was saved: its weights and "
            f"architecture do not match the checksum stored with them"
        )
    shapes = {name: arr.shape for name, arr in tensors.items()}
    model = _rebuild(path, spec, shapes, expect, into)
    described = _describe(model.architecture())
    if _modules(model) != tree:
        raise ValueError(f"{path!r}: the modules it lists are not those {described} is made of")
    if np.dtype(model.dtype).name != metadata["dtype"]:
        raise ValueError(f"{path!r}: dtype {metadata['dtype']} but {described} is {model.dtype}")
    model.load_state_dict(tensors)
    return model


def _load_legacy(raw: bytes, path: str, expect: type[Module], into: Module | None) -> Module:
    """A file of the 0.1 `.npz` format: checked member by member (see `legacy_npz`)."""
    archive = LegacyArchive(raw, path)
    try:
        spec = json.loads(archive.spec())
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path!r}: its architecture is not JSON ({type(exc).__name__})") from None
    _check_json(spec, "architecture", len(raw), path)
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str):
        raise ValueError(f"{path!r}: its architecture names no class")
    shapes = {name: shape for name, (shape, _, _) in archive.shapes.items()}
    model = _rebuild(path, spec, shapes, expect, into)
    model.load_state_dict(archive.weights())  # inflated only now, each to its checked size
    return model


def _rebuild(
    path: str,
    spec: dict[str, Any],
    shapes: dict[str, tuple[int, ...]],
    expect: type[Module],
    into: Module | None,
) -> Module:
    """The model `spec` describes (or `into`, checked against it), built under a budget of the
    weights the file holds, its parameters' names and shapes checked against `shapes`."""
    spec = dict(spec)
    name = spec.pop("class")
    try:
        cls = module_class(name)  # only a class the program defined: nothing is imported
    except ValueError as exc:
        raise ValueError(f"{path!r} holds a model of class {name!r}, but {exc}") from None
    if not issubclass(cls, expect):
        raise ValueError(f"{path!r} holds {_a(cls.__name__)}, not {_a(expect.__name__)}")
    described = _describe({"class": cls.__name__, **spec})
    if into is not None and into.architecture() != {"class": cls.__name__, **spec}:
        raise ValueError(
            f"{path!r} holds a different architecture: {described}, "
            f"but the model is {_describe(into.architecture())}"
        )
    if into is None:
        stored = sum(math.prod(shape) for shape in shapes.values())
        try:
            with weight_budget(stored):  # no weights beyond those the file holds
                into = cls(**spec)
        except (TypeError, ValueError, MemoryError) as exc:
            raise ValueError(f"{path!r}: cannot rebuild {described}: {exc}"[:500]) from None
    params = {name: p.shape for name, p in into.named_parameters()}
    if params != shapes:
        missing = sorted(set(params) - set(shapes)) or "nothing"
        unexpected = sorted(set(shapes) - set(params)) or "nothing"
        wrong = sorted(n for n in set(params) & set(shapes) if params[n] != tuple(shapes[n]))
        raise ValueError(
            f"{path!r}: its weights do not fit {described}: missing {missing}, unexpected "
            f"{unexpected}, of another shape {wrong or 'none'}"[:500]
        )
    return into
