"""`Module`: the base of every model, its parameters, its sub-modules and its state.

Every walk over a model's modules (`named_modules`, and on it `named_parameters`,
`parameters`, `zero_grad`, `repr`) visits each module once, so a module that refers back to
itself or to an ancestor (`m.me = m`) is listed once, not followed for ever.

Every subclass is registered by its class name in `MODULES` when it is defined, so that
`serialize.load` can rebuild any model whose class the program has defined (imported), and
only those: a model file names a class, it never says where to import one from.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..engine import Value, no_grad, stack
from ..engine.modes import leave_scope
from ..engine.scope import open_scope

if TYPE_CHECKING:
    from ..train import History

__all__ = ["MODULES", "Module", "evaluation_mode", "module_class"]

# Every Module subclass by class name, filled as classes are defined (`Module.__init_subclass__`).
# A later class of the same name replaces the earlier one (re-running a notebook cell).
MODULES: dict[str, type[Module]] = {}


def module_class(name: Any) -> type[Module]:
    """The Module subclass registered as `name`, as `serialize.load` finds it.

    >>> module_class("MLP").__name__
    'MLP'
    >>> module_class("Transformer")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: no Module class named 'Transformer' is defined in this program (import or ...
    """
    cls = MODULES.get(name) if isinstance(name, str) else None
    if cls is None:
        defined = ", ".join(sorted(n for n, c in MODULES.items() if c.architecture_args))
        raise ValueError(
            f"no Module class named {name!r} is defined in this program (import or define it "
            f"before loading; defined: {defined})"
        )
    return cls


class Module:
    """Base of every model: a forward pass over Values, and the parameters it learns.

    A subclass assigns its parameters (Values) and sub-modules (Modules, or lists of them) as
    attributes in `__init__` and defines `forward(x)`. Attribute names give the parameter names:
    `self.layers = [Layer(...), ...]` in an MLP gives `layers.0.W`, `layers.0.b`, ...; each
    parameter's `label` is set to that name, and each sub-module remembers its name, which
    labels the box a graph renderer draws around the nodes it made.

    >>> from tinygrad_mlp import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> [name for name, _ in model.named_parameters()]
    ['layers.0.W', 'layers.0.b', 'layers.1.W', 'layers.1.b']

    To be saved and loaded again, a subclass names its constructor arguments in
    `architecture_args`; each must be kept as an attribute of the same name holding a JSON value
    (a number, string, list, or a dtype). `load` rebuilds the model by calling the class with
    them, so the class must be defined (imported) where the file is loaded:

    >>> import os, tempfile
    >>> import numpy as np
    >>> from tinygrad_mlp import Layer, Module
    >>> from tinygrad_mlp.serialize import load
    >>> class Wide(Module):
    ...     architecture_args = ("nin", "width")
    ...     def __init__(self, nin, width):
    ...         self.nin, self.width = nin, width
    ...         self.hidden = Layer(nin, width, "tanh")
    ...         self.out = Layer(width, 1, "linear")
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x))
    >>> model = Wide(2, 8)
    >>> model.architecture()
    {'class': 'Wide', 'nin': 2, 'width': 8}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     model.save(os.path.join(folder, "wide.safetensors"))
    ...     same = load(os.path.join(folder, "wide.safetensors"))
    >>> type(same).__name__, np.array_equal(same.out.W.data, model.out.W.data)
    ('Wide', True)
    """

    dtype: np.dtype = np.dtype(np.float64)
    _name: str | None = None  # this module's name in its parent (None for a root)
    # Training mode (the default) or evaluation mode: see `train()` and `eval()`.
    training: bool = True
    # The constructor arguments that rebuild this module, kept as attributes of those names.
    architecture_args: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        MODULES[cls.__name__] = cls

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name.startswith("_"):
            return
        if isinstance(value, Value):
            value.label = name
        elif isinstance(value, Module):
            _adopt(self, value, name)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, Module):
                    _adopt(self, item, f"{name}.{i}")
                elif isinstance(item, Value):
                    item.label = f"{name}.{i}"

    # -- structure ------------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names (`layers.0`, ...), in definition order.

        Each once, under its first name; a reference to the module itself is not a child.
        """
        seen = {id(self)}
        for name, item in _members(self):
            if isinstance(item, Module) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named "") and every module below it, each once, parents first.

        >>> from tinygrad_mlp import MLP
        >>> [name for name, _ in MLP(2, [3, 1]).named_modules()]
        ['', 'layers.0', 'layers.1']
        """
        found: list[tuple[str, Module]] = []
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, module = stack.pop()
            if id(module) in seen:  # shared, or a reference back up: listed already
                continue
            seen.add(id(module))
            found.append((prefix.rstrip("."), module))
            children = [(prefix + name + ".", child) for name, child in module.named_children()]
            stack.extend(reversed(children))
        return found

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name (`layers.0.W`), each parameter once.

        A module's own parameters come before those of its sub-modules.

        >>> from tinygrad_mlp import Layer
        >>> [(n, p.shape) for n, p in Layer(2, 3).named_parameters()]
        [('W', (2, 3)), ('b', (3,))]
        """
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, item in _members(module):
                if isinstance(item, Value) and id(item) not in seen:
                    seen.add(id(item))
                    found.append((f"{prefix}.{name}" if prefix else name, item))
        return found

    def parameters(self) -> list[Value]:
        """Every parameter (a Value), in `named_parameters()` order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Put this module and every module below it in training mode (or, with False,
        evaluation mode); returns self. Modules such as `Dropout` act differently in each.

        >>> from tinygrad_mlp import MLP
        >>> model = MLP(2, [3, 1]).eval()
        >>> model.training, model.layers[0].training
        (False, False)
        >>> model.train().training
        True
        """
        for _, module in self.named_modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode for this module and those below it (`train(False)`); returns self."""
        return self.train(False)

    def num_parameters(self) -> int:
        """How many numbers the model learns.

        >>> from tinygrad_mlp import Layer
        >>> Layer(2, 3).num_parameters()     # W (2, 3) and b (3,)
        9
        """
        return sum(p.size for p in self.parameters())

    # -- the forward pass -----------------------------------------------------------------

    def forward(self, x: Value) -> Value:
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x: Any) -> Value:
        """Run `forward` on `x` (an array, batch first, or a Value) inside this module's scope."""
        if not isinstance(x, Value):
            x = _as_input(x, self.dtype)
        _, token = open_scope(self, self._name or type(self).__name__)  # `module_scope`
        try:
            return self.forward(x)
        finally:
            leave_scope(token)

    def predict(self, X: Any) -> np.ndarray:
        """The outputs for `X` as an array, computed under `no_grad` (nothing is recorded) and
        in evaluation mode (the mode the model was in is restored after)."""
        with no_grad(), evaluation_mode(self):
            return np.asarray(self(X).data)

    # -- state ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's data, by name: what `save` writes."""
        return {name: np.array(p.data) for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy weights into this model; names and shapes must match exactly.

        Values are converted to each parameter's dtype; gradients are reset.
        """
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if missing or unexpected:
            raise ValueError(
                f"state does not fit {type(self).__name__}: missing {missing or 'nothing'}, "
                f"unexpected {unexpected or 'nothing'}"
            )
        arrays = {}
        for name, p in params.items():
            arr = np.asarray(state[name])
            if arr.shape != p.shape:
                raise ValueError(
                    f"state[{name!r}] has shape {arr.shape}, the parameter has shape {p.shape}"
                )
            arrays[name] = arr
        for name, p in params.items():  # all checked first: a failed load changes nothing
            p.data = float(arrays[name]) if p.is_scalar else arrays[name].astype(p.dtype)
            p.zero_grad()

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module (saved beside the weights).

        Read from the attributes `architecture_args` names; a subclass may override this
        instead, returning `{"class": its name, argument: value, ...}`.

        >>> from tinygrad_mlp import Layer
        >>> Layer(2, 3, "tanh").architecture()
        {'class': 'Layer', 'nin': 2, 'nout': 3, 'activation': 'tanh', 'dtype': 'float64'}
        """
        if not self.architecture_args:
            raise NotImplementedError(
                f"{type(self).__name__} does not describe its architecture: name its "
                f"constructor arguments in `architecture_args` (see Module)"
            )
        spec: dict[str, Any] = {"class": type(self).__name__}
        for name in self.architecture_args:
            value = getattr(self, name)
            if isinstance(value, np.dtype):
                value = value.name
            elif isinstance(value, np.generic):
                value = value.item()
            spec[name] = list(value) if isinstance(value, (list, tuple)) else value  # a copy
        return spec

    # -- training and files (thin wrappers over train.py and serialize.py) -----------------

    def fit(self, X: Any, y: Any, **options: Any) -> History:
        """Train on (X, y); see `tinygrad_mlp.train.fit` for the options. Returns the history."""
        from ..train import fit

        return fit(self, X, y, **options)

    def evaluate(self, X: Any, y: Any, **options: Any) -> dict[str, float]:
        """Loss and accuracy on (X, y) under `no_grad`; see `tinygrad_mlp.train.evaluate`."""
        from ..train import evaluate

        return evaluate(self, X, y, **options)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write architecture and weights to a safetensors file atomically; see `serialize.save`."""
        from ..serialize import save

        save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Module:
        """Rebuild a model saved with `save`; the file must hold this class (or a subclass)."""
        from ..serialize import load

        return load(path, expect=cls)

    def to_torch(self) -> Any:
        """An equivalent `torch.nn.Module` with copies of the weights (needs torch); see
        `tinygrad_mlp.interop.to_torch`."""
        from ..interop import to_torch

        return to_torch(self)

    # -- display --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return _describe(self, above=set())


class evaluation_mode:
    """A context in which `model` is in evaluation mode; each module's mode is restored after."""

    def __init__(self, model: Module) -> None:
        self.model = model

    def __enter__(self) -> Module:
        self.modes = [(m, m.training) for _, m in self.model.named_modules()]
        self.model.eval()
        return self.model

    def __exit__(self, *exc: Any) -> None:
        for module, mode in self.modes:
            object.__setattr__(module, "training", mode)


def _members(module: Module) -> Iterator[tuple[str, Any]]:
    """The public attributes, with lists and tuples opened: ('layers.0', Layer), ('W', Value)."""
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                yield f"{name}.{i}", item
        else:
            yield name, value


def _describe(module: Module, above: set[int]) -> str:
    """The repr of `module`; a module in `above` (an ancestor: a cycle) is named, not opened."""
    name = type(module).__name__
    children = list(module.named_children())
    if not children:
        return f"{name}({module.extra_repr()})"
    above = above | {id(module)}
    lines = [f"{name}("]
    for child_name, child in children:
        shown = (
            f"<{type(child).__name__}, shown above>"
            if id(child) in above
            else _describe(child, above).replace("\n", "\n  ")
        )
        lines.append(f"  ({child_name}): {shown}")
    summary = ", ".join(
        filter(
            None, [module.extra_repr(), f"{module.num_parameters()} parameters", str(module.dtype)]
        )
    )
    lines.append(f")  # {summary}")
    return "\n".join(lines)


def _adopt(parent: Module, child: Module, name: str) -> None:
    """Record `child`'s name in its parent, and prefix its parameters' labels with it."""
    if child is parent:  # `m.me = m` names nothing
        return
    object.__setattr__(child, "_name", name)
    for sub, p in child.named_parameters():
        p.label = f"{name}.{sub}"


def _as_input(x: Any, dtype: np.dtype) -> Value:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"a model takes an array or a Value, got {type(x).__name__}")
    if isinstance(x, (list, tuple)) and any(isinstance(item, Value) for item in x):
        # micrograd's habit: one example as a list of scalar Values; gradients flow back to them
        if not all(isinstance(item, Value) and item.is_scalar for item in x):
            raise TypeError(
                "a list given to a model holds either numbers or scalar Values (one example, "
                "like [Value(2.0), Value(3.0)]); for a batch pass an array of shape (n, nin), "
                "or stack() the Values"
            )
        return stack(list(x))
    return Value(np.asarray(x), requires_grad=False, dtype=dtype)
