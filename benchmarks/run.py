"""The command line: run the workloads, print the markdown table, optionally write RESULTS.md.

python -m benchmarks                 # everything, a few minutes
python -m benchmarks --quick         # fewer repeats and smaller sizes, under a minute
python -m benchmarks --only scalar   # one workload (scalar, tensor, per_op, scaling, rendering)
python -m benchmarks --write         # also write benchmarks/RESULTS.md and ratios.svg
python -m benchmarks --passes 3      # everything three times: each row from its median pass
python -m benchmarks --against REV   # instead: the eager rows of this tree beside revision REV's
"""

from __future__ import annotations

import argparse
import datetime
import gc
import platform
import sys
import time
from pathlib import Path

from . import against, chart, per_op, rendering, scalar, scaling, tensor_mlp
from .timing import Row, Workload, fix_allocator_thresholds, optional, version_of

WORKLOADS = {
    scalar.NAME: scalar.run,
    tensor_mlp.NAME: tensor_mlp.run,
    per_op.NAME: per_op.run,
    scaling.NAME: scaling.run,
    rendering.NAME: rendering.run,
}
HERE = Path(__file__).resolve().parent


def format_amount(value: float, unit: str) -> str:
    if unit == "B/op":
        return f"{value:.0f} B/op"
    if unit == "B":
        return f"{value / 2**20:.2f} MiB" if value >= 2**20 else f"{value / 2**10:.1f} KiB"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| workload | case | ours | baseline | baseline's | ours / baseline | target | met |",
        "|---|---|---:|---|---:|---:|---:|:---:|",
    ]
    for r in rows:
        theirs = "—" if r.theirs is None else format_amount(r.theirs, r.unit)
        ratio = "" if r.ratio is None else f"{r.ratio:.3g}"
        target = "" if r.target is None else f"≤ {r.target:.3g}"
        met = {None: "", True: "yes", False: "**no**"}[r.met]
        case = r.case + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {r.workload} | {case} | {format_amount(r.ours, r.unit)} | {r.baseline} | "
            f"{theirs} | {ratio} | {target} | {met} |"
        )
    return "\n".join(lines)


def environment(threads: int) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            cpu = f"{names[0]} ({len(names)} logical CPUs)"
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {version_of(name)}" for name in ("tinygrad_mlp", "numpy", "micrograd", "torch")
    )
    return (
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"- machine: {cpu}, {platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}; {versions}\n"
        f"- threads: {threads} (numpy's BLAS and PyTorch alike)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument("--only", choices=sorted(WORKLOADS), action="append", help="one workload")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md and ratios.svg")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/PyTorch threads (default 1)")
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="run everything this many times, one pass after another; each row is then the "
        "pass whose ratio is the median (a machine whose speed drifts over minutes moves a "
        "ratio between passes more than within one) (default 1)",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="instead of the suite: the eager rows of this tree and of git revision REV, both "
        "engines in this process, in turn with the same baselines (see against.py)",
    )
    args = parser.parse_args(argv)
    allocator = fix_allocator_thresholds()
    if args.against:
        print(against.report(args.against, args.quick))
        return 0
    if args.passes < 1:
        parser.error(f"--passes must be at least 1, got {args.passes}")
    torch = optional("torch")
    if torch is not None:
        torch.set_num_threads(args.threads)
    names = args.only or list(WORKLOADS)
    # What exists now (the modules imported, PyTorch's above all) is frozen out of the cyclic
    # garbage collector's scans, so that "GC on" timings measure the libraries' own garbage,
    # not how many objects the peers imported into this process.
    gc.collect()
    gc.freeze()
    passes: list[list[Row]] = []
    start = time.perf_counter()
    for k in range(args.passes):
        results: list[Workload] = []
        for name in names:
            t0 = time.perf_counter()
            label = f" (pass {k + 1} of {args.passes})" if args.passes > 1 else ""
            print(f"running {name}{label} ...", file=sys.stderr, flush=True)
            results.append(WORKLOADS[name](quick=args.quick))
            print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        passes.append([row for w in results for row in w.rows])
    rows = median_rows(passes)
    notes = [note for w in results for note in w.notes]  # the last pass's
    if args.passes > 1:
        notes.insert(0, f"each row: the median of {args.passes} passes (notes: the last pass)")
    table = markdown_table(rows)
    print(table)
    for note in notes:
        print(f"- {note}")
    print(f"\n(total {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    if args.write:
        (HERE / "ratios.svg").write_text(chart.ratio_chart(rows))
        write_results(table, notes, f"{environment(args.threads)}\n- {allocator}", args)
    return 0


def median_rows(passes: list[list[Row]]) -> list[Row]:
    """Each row as measured in the pass whose ratio for it is the median (of ours, where it
    has no ratio): ours and the baseline's figure stay the two of one interleaved run."""
    by_key: dict[tuple[int, str, str], list[Row]] = {}
    for rows in passes:  # every pass makes the same rows in the same order
        for i, row in enumerate(rows):
            by_key.setdefault((i, row.workload, row.baseline), []).append(row)
    chosen = []
    for found in by_key.values():
        found.sort(key=lambda r: r.ours if r.ratio is None else r.ratio)
        chosen.append(found[(len(found) - 1) // 2])
    return chosen


def write_results(table: str, notes: list[str], env: str, args: argparse.Namespace) -> None:
    """Replace the measured part of RESULTS.md (between its markers), keeping the analysis."""
    path = HERE / "RESULTS.md"
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    measured = (
        f"<!-- measured: begin (written by `{command} --write`) -->\n"
        f"{env}\n\n{table}\n\n" + "".join(f"- {n}\n" for n in notes) + "<!-- measured: end -->"
    )
    text = path.read_text() if path.exists() else "# Benchmark results\n\n<!-- measured -->\n"
    begin, end = "<!-- measured: begin", "<!-- measured: end -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + measured + tail
    else:
        text = text.replace("<!-- measured -->", measured)
    path.write_text(text)
