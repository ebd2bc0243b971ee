"""Code generation: a traced step written out as one straight-line Python function.

The function takes the inputs' data and the parameters' data and returns the loss, one
gradient per parameter and the other returned values. Its forward half calls each op's own
`forward`, in the order the trace made the nodes; its backward half is the eager backward pass
(engine/backward.py, `_run` and `add_gradient`) unrolled: the same `backward` calls, visited in
the same order, with each gradient summed back to its input's shape (`unbroadcast`), cast to
its dtype and added into what that input already has, in the same order. So the program
computes exactly what eager computes, bit for bit, and it is backpropagation written out for a
person to read (`step.source()`).

The code is generated while it is run once on the traced data: what the eager pass decides at
run time from types and shapes (which gradients are None, which need summing back), the
generator decides once, because a program is made for one set of shapes and dtypes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import unbroadcast
from ..engine.accumulate import array_sum
from ..engine.backward import checked_gradients
from ..engine.function import normalize_output
from ..engine.value import Value
from . import buffers, inline
from . import pieces as pieces_of
from .trace import CompileError, Derived, Record, Site
from .writer import Writer, identifier, literal

ndarray = np.ndarray


class Generator(Writer):
    """Writes the program while running it on one trace's data."""

    def __init__(self, rec: Record, derived: dict[int, Derived], param_data: list[Any]) -> None:
        super().__init__(
            {
                "np": np,
                "unbroadcast": unbroadcast,
                "_array_sum": array_sum,
                "_normalize": normalize_output,
                "Value": Value,
                "_math": math,
            }
        )
        self.rec = rec
        self.derived = derived
        self.sym: list[str] = []  # the symbol of each entry's data
        self.val: list[Any] = []  # its value while generating
        self.param_names = []
        for j, p in enumerate(rec.params):
            self.param_names.append(self._fresh(identifier(p.label, f"param{j}")))
        self.param_data = param_data
        self.site_symbols: dict[int, str] = {}
        self.op_names: dict[type, str] = {}
        self.derived_slots: list[int] = sorted(derived)
        self.dynamic.update(self.param_names)
        self.dynamic.update(f"x{k}" for k in range(len(rec.inputs.data)))

    def _op_name(self, op: type) -> str:
        name = self.op_names.get(op)
        if name is None:
            name = self.op_names[op] = self._global(identifier(op.__name__, "Op"), op)
        return name

    def _site(self, n: int) -> str:
        if n not in self.site_symbols:
            value = self.rec.sites[n]
            if n in self.derived:
                self.site_symbols[n] = self._fresh(f"derived{n}")
                self.dynamic.add(self.site_symbols[n])
            else:
                text = literal(value) if value.__class__ is float else None
                self.site_symbols[n] = text if text else self._global(f"const{n}", value)
        return self.site_symbols[n]

    def _params_source(self, params: dict[str, Any] | None, extra: str = "") -> tuple[str, dict]:
        """The params as keyword arguments in source, and their values for this trace."""
        parts, actual = [], {}
        for key, value in (params or {}).items():
            actual[key] = self._resolve(value)
            parts.append(f"{key}={self._expression(key, value, actual[key])}")
        if extra:
            parts.append(extra)
        return ", ".join(parts), actual

    def _expression(self, key: str, value: Any, actual: Any) -> str:
        if isinstance(value, Site):
            return self._site(value.number)
        if isinstance(value, (tuple, list)) and any(
            isinstance(v, (Site, tuple, list)) for v in value
        ):
            inner = [self._expression(key, v, a) for v, a in zip(value, actual)]
            if isinstance(value, list):
                return "[" + ", ".join(inner) + "]"
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        text = literal(value)
        return text if text is not None else self._global(key, actual)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, Site):
            return self.rec.sites[value.number]
        if isinstance(value, tuple):
            return tuple(self._resolve(v) for v in value)
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        return value

    # -- forward ---------------------------------------------------------------------------

    def forward(self) -> None:
        rec = self.rec
        self.emit("# forward: each op's forward, in the order the trace made them")
        for i, (v, e) in enumerate(zip(rec.values, rec.entries)):
            if e.kind == "input":
                self.sym.append(f"x{e.slot}")
                self.val.append(rec.inputs.data[e.slot])
            elif e.kind == "param":
                self.sym.append(self.param_names[e.slot])
                self.val.append(self.param_data[e.slot])
            elif e.kind == "const":
                self.sym.append(self._site(e.slot))
                self.val.append(rec.sites[e.slot])
            else:
                assert e.op is not None
                op = self._op_name(e.op)
                args = [self.sym[p] for p in e.parents]
                params_text, params = self._params_source(e.params)
                data = [self.val[p] for p in e.parents]
                out = e.op.forward(*data, **params)
                call = inline.forward(e.op, args, data, params) or (
                    f"{op}.forward({', '.join(args + ([params_text] if params_text else []))})"
                )
                if out.__class__ is not v._data.__class__ or (
                    out.__class__ is ndarray and (out.dtype != v.dtype or out.shape != v.shape)
                ):
                    if (
                        isinstance(out, np.floating)
                        and v._data.__class__ is ndarray
                        and (v.shape == () and out.dtype == v.dtype)
                    ):
                        call = f"np.asarray({call})"  # normalize_output: a 0-d array
                        out = np.asarray(out)
                if out.__class__ is not v._data.__class__ or (
                    out.__class__ is ndarray and (out.dtype != v.dtype or out.shape != v.shape)
                ):
                    stand_ins = self._global(
                        f"inputs{i}",
                        tuple(
                            Value(0.0)
                            if d.__class__ is float
                            else Value(np.zeros(0, d.dtype), requires_grad=False)
                            for d in data
                        ),
                    )
                    call = f"_normalize({op}, {stand_ins}, {call})"
                    out = normalize_output(e.op, self.globals[stand_ins], out)
                name = self._fresh(f"t{i}")
                where = v.scope.title if v.scope is not None else ""
                describe = e.op.describe(params) if params else e.op.symbol
                self.assign([name], call, [out], describe + (f"  ({where})" if where else ""))
                self.sym.append(name)
                self.val.append(out)

    # -- backward --------------------------------------------------------------------------

    def backward(self) -> list[str | None]:
        rec = self.rec
        n = len(rec.values)
        gsym: list[str | None] = [None] * n
        gval: list[Any] = [None] * n
        # which entries need a gradient: the parameters and what is computed from them (not
        # the inputs, recorded as if they needed one, nor what is computed from them alone)
        needs: list[bool] = []
        for i, e in enumerate(rec.entries):
            needs.append(
                e.kind == "param"
                or (
                    e.kind == "op"
                    and rec.values[i].requires_grad
                    and any(needs[p] for p in e.parents)
                )
            )
        loss = rec.values[rec.loss]
        self.emit("# backward: each op's backward, outputs first, as loss.backward() runs them")
        seed = 1.0 if loss._data.__class__ is float else np.ones(loss.shape, dtype=loss.dtype)
        gname = self._fresh(f"g{rec.loss}")
        if seed.__class__ is float:
            self.assign([gname], "1.0", [seed], "d loss / d loss")
        else:
            ones = f"np.ones({loss.shape!r}, dtype=np.{loss.dtype})"
            self.assign([gname], ones, [seed], "d loss / d loss")
        gsym[rec.loss], gval[rec.loss] = gname, seed
        backward_order = [i for i in range(n) if rec.entries[i].kind == "op" and needs[i]]
        reached = {rec.loss}
        for i in reversed(backward_order):  # creation order reversed: eager's order
            if i not in reached and i != rec.loss:
                continue
            if gsym[i] is None:
                continue
            e = rec.entries[i]
            op = e.op
            assert op is not None
            parents = e.parents
            data = [self.val[p] for p in parents]
            needs_grad = tuple(needs[p] for p in parents)
            params = e.params
            extra = ""
            if op.skips_unneeded_grads and params is not None:
                extra = f"needs_grad={needs_grad!r}"
            params_text, actual = self._params_source(params, extra)
            if extra:
                actual["needs_grad"] = needs_grad
            args = [str(gsym[i])] + [self.sym[p] for p in parents] + [self.sym[i]]
            arguments = ", ".join(args + ([params_text] if params_text else []))
            call = f"{self._op_name(op)}.backward({arguments})"
            try:
                result = op.backward(gval[i], *data, self.val[i], **actual)
            except ArithmeticError as exc:
                raise CompileError(f"compile_step: {op.__name__}.backward failed: {exc}") from None
            raw_tuple = result.__class__ is tuple
            results = checked_gradients(op, result, len(parents))
            outs = []
            for p, gp in zip(parents, results):
                outs.append(self._fresh(f"d{p}_{i}") if gp is not None and needs[p] else "_")
            if len(parents) == 1 and not raw_tuple:
                target = outs[0]
            else:
                target = ", ".join(outs) + ("," if len(outs) == 1 else "")
                if len(outs) == 1:
                    target = f"({target})"
            if all(o == "_" for o in outs):
                continue
            written = inline.backward(op, args[0], args[1:-1], args[-1], data, actual)
            if written is not None:
                for k, (name, expr, p, gp) in enumerate(zip(outs, written, parents, results)):
                    if name == "_":
                        continue
                    if (
                        expr.isidentifier()
                        and gp.__class__ is float
                        and (self.val[p].__class__ is float)
                    ):  # a float passed on as it is (+): the same name, no line
                        outs[k] = expr
                        continue
                    self.assign([name], expr, [gp], op.symbol)
            else:
                self.assign(outs, call, list(results), "", target)
            for p, gp, name in zip(parents, results, outs):
                if name == "_":
                    continue
                name, gp = self._fit(p, name, gp, op)
                if gsym[p] is None:
                    gsym[p], gval[p] = name, gp
                else:
                    total = self._fresh(f"g{p}")
                    if gp.__class__ is ndarray:
                        summed = array_sum(gval[p], gp)
                        use = "+" if (gval[p] + gp).__class__ is ndarray else "_array_sum"
                        expr = (
                            f"{gsym[p]} + {name}"
                            if use == "+"
                            else f"_array_sum({gsym[p]}, {name})"
                        )
                    else:
                        summed = gval[p] + gp
                        expr = f"{gsym[p]} + {name}"
                    self.assign([total], expr, [summed], "")
                    gsym[p], gval[p] = total, summed
                reached.add(p)
        self.grad_values = [gval[i] for i, e in enumerate(rec.entries) if e.kind == "param"]
        grads: list[str | None] = [None] * len(rec.params)
        for i, e in enumerate(rec.entries):
            if e.kind == "param":
                grads[e.slot] = gsym[i]
        self.final_grads = [None] * len(rec.params)
        for i, e in enumerate(rec.entries):
            if e.kind == "param":
                self.final_grads[e.slot] = gval[i]
        return grads

    def _fit(self, p: int, name: str, g: Any, op: type) -> tuple[str, Any]:
        """`add_gradient`'s conversions of gradient `g` for entry p, as lines of code."""
        target = self.val[p]
        if g.__class__ is ndarray:
            shape = () if target.__class__ is float else target.shape
            if g.shape != shape:
                summed = unbroadcast(g, shape)
                # unbroadcast's own two reductions, written out for this one shape
                extra = len(g.shape) - len(shape)
                expr = name
                if extra:
                    expr = f"np.add.reduce({expr}, axis={tuple(range(extra))!r})"
                reduced = g.shape[extra:]
                axes = tuple(k for k, n in enumerate(shape) if n == 1 and reduced[k] != 1)
                if 1 in shape and axes:
                    expr = f"np.add.reduce({expr}, axis={axes!r}, keepdims=True)"
                g = summed
                if not isinstance(g, ndarray):
                    g = np.asarray(g)
                    expr = f"np.asarray({expr})"
                self.assign([name], expr, [g], "summed over the broadcast axes")
            if target.__class__ is float:
                g = float(g)
                self.assign([name], f"float({name})", [g], "")
            elif g.dtype != target.dtype:
                g = g.astype(target.dtype)
                self.assign([name], f"{name}.astype(np.{target.dtype})", [g], "")
        elif isinstance(g, (float, int, np.floating, np.integer)) and not isinstance(g, bool):
            if g.__class__ is not float or target.__class__ is not float:
                g = float(g)
                self.assign([name], f"float({name})", [g], "")
                if target.__class__ is not float:
                    g = np.full(target.shape, g, dtype=target.dtype)
                    full = f"np.full({target.shape!r}, {name}, dtype=np.{target.dtype})"
                    self.assign([name], full, [g], "")
        else:
            raise CompileError(
                f"compile_step: {op.__name__}.backward returned a {type(g).__name__} gradient"
            )
        return name, g


def own_gradients(gen: Generator, grads: list[str | None], param_data: list[Any]) -> list[str]:
    """The gradients as the program returns them: each an array of its own, copied where it
    would be a view, or share memory with another gradient, an input, a parameter or a
    returned value (decided here, on this trace's arrays: the same code makes the same kind
    of array at every call). So a step can store them in `.grad` as they are."""
    candidates = [*gen.rec.inputs.data, *param_data]
    candidates += [gen.value_of.get(gen.sym[i]) for i in gen.rec.extras]
    others = [x for x in candidates if x.__class__ is ndarray]
    out = []
    for name, value in zip(grads, gen.final_grads):
        if name is None:
            out.append("None")
            continue
        text = gen.handed_out(name)
        if value.__class__ is ndarray and text == name:
            if value.base is not None or any(np.shares_memory(value, x) for x in others):
                text = f"{name}.copy()"
            others.append(value)
        out.append(text)
    return out


def generate(
    rec: Record, derived: dict[int, Derived], param_data: list[Any]
) -> tuple[str, Callable[..., Any], Generator]:
    """The program's source and function for a trace (run once on the trace's own data)."""
    gen = Generator(rec, derived, param_data)
    gen.forward()
    grads = gen.backward()
    body = gen.lines
    slots = len(rec.inputs.data)
    derived_names = [gen._site(n) for n in gen.derived_slots]
    head = ["def step(inputs, parameters):"]
    if slots:
        head.append(f"    {', '.join(f'x{k}' for k in range(slots))}, = inputs[:{slots}]")
    if derived_names:
        head.append(f"    {', '.join(derived_names)}, = inputs[{slots}:]")
    if gen.param_names:
        head.append(f"    {', '.join(gen.param_names)}, = parameters")
    extras = ", ".join(gen.handed_out(gen.sym[i]) for i in rec.extras)
    returned = ", ".join(own_gradients(gen, grads, param_data))
    tail = [
        f"    return {gen.sym[rec.loss]}, ({returned}{',' if len(grads) == 1 else ''}), "
        f"({extras}{',' if len(rec.extras) == 1 else ''})"
    ]
    namespace = dict(gen.globals)
    body = buffers.written_in_place(body, gen.candidates, set(pieces_of.WORD.findall(tail[0])))
    lines = head[1:] + body + tail
    if len(lines) <= pieces_of.CHUNK_LINES:
        lines = head[1:] + pieces_of.freed(body, set(pieces_of.WORD.findall(tail[0]))) + tail
        pieces = ["\n".join(head[:1] + lines) + "\n"]
    else:
        pieces = pieces_of.chunked(lines, pieces_of.CHUNK_LINES)
    for piece in pieces:  # compiled one by one: Python's compiler holds one piece at a time
        exec(compile(piece, "<compiled step>", "exec"), namespace)
    return "\n".join(pieces), namespace["step"], gen
