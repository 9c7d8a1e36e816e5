"""Run every benchmark section (tests/bench/bench_*.py) and print figures with their ratios.

Each section module has `run(report: Report) -> None`. Ratios compare the app with a floor or
ceiling measured in the same run, so they mean the same on a slow or a fast machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS = Path(".bench") / "latest.json"


@dataclass
class Figure:
    """One measured figure."""

    section: str
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Report:
    """Collects and prints figures as sections produce them."""

    section: str = ""
    figures: list[Figure] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str, note: str = "") -> None:
        """Record and print one figure."""
        self.figures.append(Figure(self.section, name, value, unit, note))
        suffix = f"  ({note})" if note else ""
        print(f"  {name:<58} {value:>12,.2f} {unit}{suffix}", flush=True)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        """Print whether a goal was met."""
        print(f"  {'PASS' if ok else 'MISS'}  {name}{'  ' + detail if detail else ''}", flush=True)
        self.figures.append(Figure(self.section, f"goal: {name}", 1.0 if ok else 0.0, "ok", detail))


def sections() -> list[str]:
    """Return the benchmark modules, in name order."""
    here = Path(__file__).resolve().parent
    return sorted(p.stem for p in here.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    """Run the chosen (or all) sections."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", nargs="*", help="section names, e.g. bench_web")
    args = parser.parse_args(argv)
    report = Report()
    print(
        f"actionapp benchmark, {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}, "
        f"Python {platform.python_version()}"
    )
    for name in sections():
        if args.only and name not in args.only and name.removeprefix("bench_") not in args.only:
            continue
        report.section = name.removeprefix("bench_")
        print(f"\n== {report.section} ==", flush=True)
        module = importlib.import_module(f"tests.bench.{name}")
        module.run(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(f) for f in report.figures], indent=2))
    print(f"\nFigures written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
