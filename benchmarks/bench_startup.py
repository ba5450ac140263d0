"""Start-up cost: `import bookstracker` and the offline CLI, beside `python -c pass`.

Each case runs ``--runs`` times as a fresh subprocess; the table shows the median and the
minimum CPU time (user + sys of the child, the figure to compare on a loaded machine; the
minimum is the least disturbed by other processes) and the median wall time.
Goals (issue 9): `import bookstracker` <= 120 ms, offline `isbn` <= 250 ms (also shown with
``--json``, the form scripts use, which needs no rich, and with the cache on, the issue's own
command, whose timed runs are cache hits). The README's
`bookstracker --offline author "Andy Weir"` runs with the cache on, in a fresh cache folder that
the untimed first run fills: the timed runs are the cache hits a user sees after the first.

``--instructions`` counts instead the instructions each case executes, once per case under
valgrind's callgrind (with ``PYTHONHASHSEED=0``): unlike time, that count does not move with the
machine's load or speed, so it compares two copies, or two days, exactly. It needs ``valgrind``
on the PATH and takes about half a minute per case.

``--baseline SRC`` compares with another copy of the package (a ``src`` folder, e.g. from
``git archive <commit> src | tar -x -C /tmp/base``): its runs alternate with this one's, one
each in turn, so that both see the same load; the table then has both sides.

Bytecode: with ``PYTHONDONTWRITEBYTECODE`` set, no ``__pycache__`` is written for the source
tree and every run compiles the project's modules again (an installed wheel ships compiled
files). By default the script compiles them first (``compileall``) and runs the children without
that variable, so that it measures start-up rather than compilation; ``--as-is`` keeps the
environment unchanged.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from _common import isolate_from_environment, table

ISBN = "0553418025"
CASES: Mapping[str, Sequence[str]] = {
    "python -c pass (floor)": ("-c", "pass"),
    "import bookstracker": ("-c", "import bookstracker"),
    f"bookstracker --offline --no-cache isbn {ISBN}": (
        "-m",
        "bookstracker",
        "--offline",
        "--no-cache",
        "isbn",
        ISBN,
    ),
    f"bookstracker --offline --no-cache --json isbn {ISBN}": (
        "-m",
        "bookstracker",
        "--offline",
        "--no-cache",
        "--json",
        "isbn",
        ISBN,
    ),
    f"bookstracker --offline isbn {ISBN} (cached)": (
        "-m",
        "bookstracker",
        "--offline",
        "isbn",
        ISBN,
    ),
    'bookstracker --offline author "Andy Weir" (cached)': (
        "-m",
        "bookstracker",
        "--offline",
        "author",
        "Andy Weir",
    ),
}


def run_once(args: Sequence[str], env: Mapping[str, str]) -> tuple[float, float]:
    """CPU seconds (user + sys) and wall seconds of one child interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        env=dict(env),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def instructions_once(args: Sequence[str], env: Mapping[str, str]) -> int:
    """The instructions one child interpreter executes, counted by valgrind's callgrind."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-cg-") as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/callgrind.out",
                sys.executable,
                *args,
            ],
            env={**env, "PYTHONHASHSEED": "0"},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def _figures(samples: Sequence[tuple[float, float]]) -> list[str]:
    cpu = statistics.median(s[0] for s in samples)
    least = min(s[0] for s in samples)
    wall = statistics.median(s[1] for s in samples)
    return [f"{cpu * 1000:.0f}", f"{least * 1000:.0f}", f"{wall * 1000:.0f}"]


def _counted(label: str, counts: Mapping[str, int]) -> list[list[str]]:
    base = counts.get("baseline ")
    return [
        [
            f"{side}{label}",
            f"{count / 1e6:,.0f}",
            "" if base is None or side else f"{count / base:.2f}×",
        ]
        for side, count in counts.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per case (default 9)")
    parser.add_argument(
        "--as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE; do not precompile"
    )
    parser.add_argument(
        "--baseline", metavar="SRC", type=Path, help="a src folder to compare with, run in turn"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind's callgrind (one run per case) instead of time",
    )
    options = parser.parse_args()
    if options.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on the PATH")
    isolate_from_environment()
    env = dict(os.environ)
    if not options.as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        import bookstracker

        compileall.compile_dir(Path(bookstracker.__file__).parent, quiet=1)
    sides = {"": env}
    if options.baseline is not None:
        if not options.as_is:
            compileall.compile_dir(options.baseline / "bookstracker", quiet=1)
        sides = {"baseline ": {**env, "PYTHONPATH": str(options.baseline)}, "": env}
    caches = {side: tempfile.TemporaryDirectory(prefix="bench-startup-") for side in sides}
    for side, side_env in sides.items():
        side_env["BOOKSTRACKER_CACHE_DIR"] = caches[side].name
    rows = []
    for label, args in CASES.items():
        samples: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        for side_env in sides.values():
            run_once(args, side_env)  # warm the file cache (and fill the cache folder)
        if options.instructions:
            counts = {side: instructions_once(args, side_env) for side, side_env in sides.items()}
            rows.extend(_counted(label, counts))
            continue
        for _ in range(options.runs):
            for side, side_env in sides.items():
                samples[side].append(run_once(args, side_env))
        rows.extend([f"{side}{label}", *_figures(samples[side])] for side in sides)
    for cache in caches.values():
        cache.cleanup()
    bytecode = "as-is" if options.as_is else "precompiled"
    if options.instructions:
        print(f"instructions (callgrind, PYTHONHASHSEED=0), bytecode {bytecode}")
        print(table(["case", "instructions (M)", "vs baseline"], rows))
        return
    print(f"{options.runs} runs, bytecode {bytecode}")
    print(table(["case", "CPU ms (median)", "CPU ms (min)", "wall ms (median)"], rows))


if __name__ == "__main__":
    main()
