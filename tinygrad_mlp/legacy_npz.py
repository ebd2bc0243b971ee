"""Reading the `.npz` model files of tinygrad_mlp 0.1 (format ``tinygrad_mlp.model/1``), with
the hardening of the safetensors reader: nothing is allocated or inflated from what the archive
merely claims.

Such a file is a zip archive of `.npy` members: ``format``, ``architecture`` (JSON),
``checksum`` (SHA-256 of the rest) and ``param:<name>`` per parameter. `LegacyArchive` checks
the member list (no extra member, only stored or deflated, nothing encrypted), reads every
member's `.npy` header before its data (float32 or float64 weights only; strings for the
entries), requires each member's declared size to be exactly its header plus its data, and
refuses a deflated member that declares more than deflate could ever inflate it to (zip bombs).
`serialize.load` then rebuilds the model under a budget of the declared weights and compares
every shape with the model's before any weight is inflated.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import zipfile
import zlib
from typing import Any

import numpy as np

__all__ = ["LEGACY_FORMAT", "LegacyArchive"]

LEGACY_FORMAT = "tinygrad_mlp.model/1"
_ENTRIES = ("format", "architecture", "checksum")
_PARAM = "param:"
_MAX_ENTRY = 1 << 20  # bytes of a string entry: far above any real architecture
_DEFLATE_MAX_RATIO = 1032  # deflate cannot expand a byte into more than about this many
# Everything a damaged archive can make zipfile, zlib or numpy's .npy reader raise.
_DAMAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    KeyError,
    struct.error,
    RuntimeError,
    NotImplementedError,
    TypeError,
    SyntaxError,
    OverflowError,
    UnicodeDecodeError,
)


class LegacyArchive:
    """A 0.1 model file, its members checked; `spec()` and `shapes` before any weight is read."""

    def __init__(self, raw: bytes, path: str) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self._zip.infolist()
        except _DAMAGE as exc:
            raise self._damaged(exc) from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename[: -len(".npy")] if info.filename.endswith(".npy") else ""
            if name in self._infos or not (name in _ENTRIES or name.startswith(_PARAM)):
                raise ValueError(f"{path!r}: unexpected member {info.filename[:100]!r}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(f"{path!r}: member {name!r} uses an unknown compression")
            if info.flag_bits & 0x1:
                raise ValueError(f"{path!r}: member {name!r} is encrypted")
            if info.file_size > info.compress_size * _DEFLATE_MAX_RATIO + 1024:
                raise ValueError(
                    f"{path!r}: member {name!r} claims to inflate from {info.compress_size} to "
                    f"{info.file_size} bytes, more than deflate can (a zip bomb?)"
                )
            self._infos[name] = info
        missing = [e for e in _ENTRIES if e not in self._infos]
        if missing:
            raise ValueError(f"{path!r} is not a tinygrad_mlp model file: it has no {missing[0]!r}")
        self.entries = {name: self._string(name) for name in _ENTRIES}
        if self.entries["format"] != LEGACY_FORMAT:
            raise ValueError(f"{path!r} has format {self.entries['format'][:100]!r}")
        # name -> (shape, dtype, offset of the data in the member), read from the headers only
        self.shapes: dict[str, tuple[tuple[int, ...], np.dtype, int]] = {
            name[len(_PARAM) :]: self._header(name, float_only=True)
            for name in self._infos
            if name.startswith(_PARAM)
        }

    def _damaged(self, exc: BaseException) -> ValueError:
        return ValueError(
            f"{self.path!r} is not a readable model file (truncated, damaged or not an .npz "
            f"archive): {type(exc).__name__}: {exc}"[:400]
        )

    def _header(self, name: str, float_only: bool) -> tuple[tuple[int, ...], np.dtype, int]:
        info = self._infos[name]
        try:
            with self._zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                offset = f.tell()
        except _DAMAGE as exc:
            raise self._damaged(exc) from None
        kind_ok = (
            dtype.kind == "f" and dtype.itemsize in (4, 8) if float_only else dtype.kind == "U"
        )
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype or not kind_ok:
            wanted = "float32 or float64" if float_only else "a string"
            raise ValueError(f"{self.path!r}: member {name!r} holds {dtype}, not {wanted}")
        if fortran and len(shape) > 1:
            raise ValueError(f"{self.path!r}: member {name!r} is in Fortran order")
        size = math.prod(shape) * dtype.itemsize
        if info.file_size != offset + size:
            raise ValueError(
                f"{self.path!r}: member {name!r} claims shape {shape} ({size} bytes of data) but "
                f"declares {info.file_size - offset}"
            )
        return tuple(shape), dtype, offset

    def _data(self, name: str, shape: tuple[int, ...], dtype: np.dtype, offset: int) -> np.ndarray:
        """The member's array, inflated no further than its declared size (CRC checked)."""
        size = math.prod(shape) * dtype.itemsize
        try:
            with self._zip.open(self._infos[name]) as f:
                f.read(offset)
                data = f.read(size + 1)  # reaching the end makes zipfile check the CRC
        except _DAMAGE as exc:
            raise self._damaged(exc) from None
        if len(data) != size:
            raise ValueError(f"{self.path!r}: member {name!r} is truncated")
        return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))

    def _string(self, name: str) -> str:
        if self._infos[name].file_size > _MAX_ENTRY:
            raise ValueError(f"{self.path!r}: entry {name!r} is larger than {_MAX_ENTRY} bytes")
        shape, dtype, offset = self._header(name, float_only=False)
        if math.prod(shape) != 1:
            raise ValueError(f"{self.path!r}: entry {name!r} should be one string")
        return str(self._data(name, shape, dtype, offset).reshape(()))

    def weights(self) -> dict[str, np.ndarray]:
        """Every parameter, checked against the stored checksum."""
        params = {name: self._data(_PARAM + name, *info) for name, info in self.shapes.items()}
        digest = hashlib.sha256()
        digest.update(LEGACY_FORMAT.encode())
        digest.update(self.entries["architecture"].encode())
        for name in sorted(params):
            arr = np.ascontiguousarray(params[name])  # as 0.1 did: a 0-d array counts as (1,)
            digest.update(f"\0{name}\0{arr.dtype.str}\0{arr.shape}\0".encode())
            digest.update(arr.tobytes())
        if digest.hexdigest() != self.entries["checksum"]:
            raise ValueError(
                f"{self.path!r} was altered or corrupted after it was saved: its weights and "
                f"architecture do not match the checksum stored with them"
            )
        return params

    def stored(self) -> int:
        """How many weights the archive declares (each member's size checked against it)."""
        return sum(math.prod(shape) for shape, _, _ in self.shapes.values())

    def spec(self) -> Any:
        return self.entries["architecture"]
