"""Prints what each stage of a province's Spark runs cost, from the figures benches/province.sh
kept: per stage, over every link, the tasks, their time in all and per record of the province,
and the shuffle bytes written per record; then each run's wall time and peak memory.

    python3 benches/province/stages.py RESULTS_DIR CORES...
"""

import json
import sys
from pathlib import Path

STAGES = ["standardize", "records", "keys", "blocks", "shares", "counts", "u", "score", "resolve"]


def main() -> None:
    results, cores = Path(sys.argv[1]), sys.argv[2:]
    summary = json.loads((results / "summary.json").read_text())
    records = sum(source["rows_read"] for source in summary["sources"])
    print(f"records: {records:,} in {len(summary['sources'])} sources")
    one = json.loads((results / "one.json").read_text())
    print(f"one machine: {one['wall_seconds']:.1f} s, {one['peak_mb']:,} MB")
    for n in cores:
        run = json.loads((results / f"spark-{n}.json").read_text())
        print(f"Spark local[{n}]: {run['wall_seconds']:.1f} s, {run['peak_mb']:,} MB")
    for n in cores:
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


if __name__ == "__main__":
    main()
