"""python -m benchmarks [NAME...] [--list] [--out DIR]: run benchmarks, write the figures.

python -m benchmarks NAME [OPTIONS...] for a benchmark with options of its own (``cli``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from benchmarks.registry import RESULTS, discover, run_one, with_options, write


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in with_options():  # e.g. `flake --runs 5`: its own options
        return int(importlib.import_module(discover()[argv[0]]).cli(argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="only these benchmarks (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    found = discover()
    if args.list:
        for name, module in found.items():
            print(f"{name}\t{module}")
        return 0
    unknown = [n for n in args.names if n not in found]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(found)}",
            file=sys.stderr,
        )
        return 2
    outcomes = []
    for name in args.names or list(found):
        print(f"== {name}", file=sys.stderr, flush=True)
        outcomes.append(run_one(name, found[name], args.out))
        print(
            f"== {name}: {outcomes[-1].status} ({outcomes[-1].seconds} s) {outcomes[-1].reason}",
            file=sys.stderr,
            flush=True,
        )
    path = write(outcomes, args.out)
    print(path.read_text(encoding="utf-8"))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
