"""The generated body as a person reads it and as Python can compile it: `freed` adds a `del`
after each name's last use (a step's peak memory is then what is alive at once), `chunked`
cuts a long body into functions compiled one at a time (Python's compiler needs memory and time
that grow faster than the length of one function).
"""

from __future__ import annotations

import re


def assigned(line: str) -> tuple[list[str], str]:
    """The names a generated line `a, b = expr  # comment` defines (not `_`), and its expr."""
    code = line.split("  # ", 1)[0].strip()
    target, _, expr = code.partition(" = ")
    defined = [n.strip() for n in target.replace("(", "").replace(")", "").split(",")]
    return [n for n in defined if n and n != "_"], expr


def _names(line: str) -> tuple[list[str], list[str]]:
    """The names a generated line defines and the words it reads."""
    defined, expr = assigned(line)
    return defined, WORD.findall(expr)


def freed(body: list[str], keep: set[str]) -> list[str]:
    """The body with `del` after the last use of each array it makes, so that a step's peak
    memory is what is alive at once, not everything it ever computed."""
    defined: set[str] = set()
    last: dict[str, int] = {}
    for i, line in enumerate(body):
        made, read = _names(line)
        for word in read:
            if word in defined:
                last[word] = i
        for name in made:
            defined.add(name)
            last.setdefault(name, i)
    ends: dict[int, list[str]] = {}
    for name, i in last.items():
        if name not in keep:
            ends.setdefault(i, []).append(name)
    out = []
    for i, line in enumerate(body):
        out.append(line)
        if not line.lstrip().startswith("#") and i in ends:
            out.append(f"    del {', '.join(sorted(ends[i]))}")
    return out


# Python's compiler needs memory and time that grow faster than the length of one function
# (a 130k-line function of the scalar demo took 5 s and 600 MiB): a long program is split into
# functions of this many lines, compiled one at a time. Each name a piece uses from an earlier
# one costs a line of hand-over (`x = V[k]`), so pieces are not made shorter than needed
# (benchmarks/RESULTS.md, "The compiled scalar step", gives the figures that chose this size).
CHUNK_LINES = 10_000
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def chunked(lines: list[str], size: int) -> list[str]:
    """A long body as several functions run one after the other. A name a later piece uses is
    handed over in a list `V`: stored at the end of the piece that defines it last, loaded at
    the start of the piece that uses it; all other names stay locals (the fast kind)."""
    pieces = [lines[i : i + size] for i in range(0, len(lines), size)]
    defined_in: dict[str, int] = {}
    loads: list[list[str]] = [[] for _ in pieces]
    exported: list[dict[str, int]] = [{} for _ in pieces]
    slot: dict[tuple[str, int], int] = {}
    for k, piece in enumerate(pieces):
        loaded: set[str] = set()
        for line in piece:
            code = line.split("  # ", 1)[0]
            target, _, expr = code.strip().partition(" = ")
            if code.strip().startswith("return "):
                target, expr = "", code.strip()[len("return ") :]
            for word in WORD.findall(expr):
                j = defined_in.get(word)
                if j is not None and j < k and word not in loaded:
                    key = (word, j)
                    if key not in slot:
                        slot[key] = len(slot)
                        exported[j][word] = slot[key]
                    loads[k].append(f"    {word} = V[{slot[key]}]")
                    loaded.add(word)
            for name in target.replace("(", "").replace(")", "").split(","):
                name = name.strip()
                if name and name != "_":
                    defined_in[name] = k
                    loaded.add(name)
    out = []
    for k, piece in enumerate(pieces):
        stores = [f"    V[{n}] = {name}" for name, n in exported[k].items()]
        out.append(
            "\n".join([f"def step_part{k}(V, inputs, parameters):", *loads[k], *piece, *stores])
            + "\n"
        )
    calls = [f"    step_part{k}(V, inputs, parameters)" for k in range(len(pieces) - 1)]
    out.append(
        "\n".join(
            [
                "def step(inputs, parameters):",
                f"    V = [None] * {len(slot)}",
                *calls,
                f"    return step_part{len(pieces) - 1}(V, inputs, parameters)",
            ]
        )
        + "\n"
    )
    return out
