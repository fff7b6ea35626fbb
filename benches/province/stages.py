"""Prints what each stage of a province's Spark runs cost, from the figures benches/province.sh
kept: per stage, over every link, the tasks, their time in all and per record of the province,
and the shuffle bytes written per record; then each run's wall time and peak memory. Given a
smaller province's results too (`--against`), each stage's growth exponent: how its task time
grows with the records, log(time ratio) / log(records ratio) (1 is in proportion).

    python3 benches/province/stages.py RESULTS_DIR CORES... [--against SMALLER_RESULTS_DIR]
"""

import argparse
import json
import math
from pathlib import Path

STAGES = ["standardize", "records", "keys", "blocks", "shares", "counts", "u", "score", "resolve"]


def records_of(results: Path) -> int:
    summary = json.loads((results / "summary.json").read_text())
    return sum(source["rows_read"] for source in summary["sources"])


def stage_seconds(results: Path, cores: str) -> dict:
    """Each stage's task time in seconds, over every link; `all` the whole run's."""
    costs = json.loads((results / f"costs-{cores}.json").read_text())
    seconds = {stage: 0.0 for stage in STAGES + ["all"]}
    for entry in costs:
        spent = sum(t for t, _ in entry["tasks"]) / 1000
        seconds[entry["stage"]] += spent
        seconds["all"] += spent
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("cores", nargs="+")
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    results = args.results
    summary = json.loads((results / "summary.json").read_text())
    records = records_of(results)
    print(f"records: {records:,} in {len(summary['sources'])} sources")
    one = json.loads((results / "one.json").read_text())
    print(f"one machine: {one['wall_seconds']:.1f} s, {one['peak_mb']:,} MB")
    for n in args.cores:
        run = json.loads((results / f"spark-{n}.json").read_text())
        print(f"Spark local[{n}]: {run['wall_seconds']:.1f} s, {run['peak_mb']:,} MB")
    for n in args.cores:
        costs = json.loads((results / f"costs-{n}.json").read_text())
        print(f"\nSpark local[{n}], every link: stage, tasks, task time, per record, shuffle written per record")
        for stage in STAGES:
            of = [entry for entry in costs if entry["stage"] == stage]
            tasks = [t for entry in of for t, _ in entry["tasks"]]
            seconds = sum(tasks) / 1000
            shuffle = sum(entry["shuffle_write"] for entry in of)
            print(
                f"  {stage:12} {len(tasks):6} {seconds:9.1f} s {seconds / records * 1e6:9.1f} µs"
                f" {shuffle / records:9.1f} B"
            )
        total = sum(t for entry in costs for t, _ in entry["tasks"]) / 1000
        shuffle = sum(entry["shuffle_write"] for entry in costs)
        print(f"  {'all':12} {'':6} {total:9.1f} s {total / records * 1e6:9.1f} µs {shuffle / records:9.1f} B")
    if args.against:
        small = args.against
        ratio = records / records_of(small)
        one_small = json.loads((small / "one.json").read_text())["wall_seconds"]
        print(f"\ngrowth from {records_of(small):,} records ({ratio:.2f} times fewer): exponent of time in records")
        print(f"  {'one machine':12} {math.log(one['wall_seconds'] / one_small) / math.log(ratio):6.2f}")
        for n in args.cores:
            if not (small / f"costs-{n}.json").exists():
                continue
            large, smaller = stage_seconds(results, n), stage_seconds(small, n)
            wall = json.loads((results / f"spark-{n}.json").read_text())["wall_seconds"]
            wall_small = json.loads((small / f"spark-{n}.json").read_text())["wall_seconds"]
            print(f"  Spark local[{n}]: wall {math.log(wall / wall_small) / math.log(ratio):.2f}")
            for stage in STAGES + ["all"]:
                if large[stage] > 0 and smaller[stage] > 0:
                    print(f"    {stage:12} {math.log(large[stage] / smaller[stage]) / math.log(ratio):6.2f}")


if __name__ == "__main__":
    main()
