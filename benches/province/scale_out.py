"""The capacity plan's check: each Spark stage of a province run measured on this machine,
replayed at the scale of the nation over a planned cluster.

Every task a stage ran is kept (benches/province.sh writes each one's run time, per stage and
link, into costs-CORES.json). A stage's work grows with the records it reads, in proportion
(the assumption to check with a province of 3 million persons): the nation's stage is its
measured work, less the fixed cost of each task (its shortest task's time), times the nation's
persons over the province's. It is cut into tasks of about `--task-seconds` of work (at least
three per core), each planned task as much larger or smaller than the mean as the measured
tasks were, in turn (a skewed partition comes back skewed), plus the fixed cost; the tasks are
scheduled as Spark schedules them, each core taking the next task when it is free. A stage
starts when the one before ends (the driver runs the links one after another, each link's
stages in turn). Prints, per stage, the tasks, core-hours, shuffle written and time, and the
whole run's.

With `--growth SMALLER_RESULTS_DIR` (a smaller province measured at the same core count), each
stage grows instead as it grew between the two provinces: its work and its shuffle times
(nation / province)^k, k the stage's exponent, log(ratio of task time) / log(ratio of
records) (and the same for shuffle bytes); a stage the smaller run did not have grows in
proportion. An exponent measured over a factor of three is extrapolated over hundreds: an
upper bound where blocks stop growing (a block over the cap is skipped), as the largest do.

    python3 benches/province/scale_out.py RESULTS_DIR [--cores 2] [--persons 1410000000]
        [--nodes 100] [--cores-per-node 16] [--task-seconds 60] [--growth SMALLER_DIR]
"""

import argparse
import heapq
import json
import math
from collections import defaultdict
from pathlib import Path

STAGES = ["standardize", "records", "keys", "blocks", "shares", "counts", "u", "score", "resolve"]


def replay(tasks, scale, task_seconds, cores):
    """The stage's time in seconds, its tasks and its core-seconds, at `scale` times the
    measured work, in tasks of about `task_seconds` of work, on `cores` cores."""
    measured = [ms / 1000 for ms, _ in tasks]
    if not measured:
        return 0.0, 0, 0.0
    fixed = min(measured)
    work = [seconds - fixed for seconds in measured]
    mean = sum(work) / len(work)
    nation = sum(work) * scale
    n_tasks = max(round(nation / task_seconds), 3 * cores, len(measured))
    durations = [
        fixed + (work[j % len(work)] / mean if mean > 0 else 1.0) * nation / n_tasks
        for j in range(n_tasks)
    ]
    free = [0.0] * min(cores, n_tasks)
    heapq.heapify(free)
    for duration in durations:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free), n_tasks, sum(durations)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--cores", default="2", help="the measured run: Spark local[CORES]")
    parser.add_argument("--persons", type=float, default=1.41e9)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--cores-per-node", type=int, default=16)
    parser.add_argument("--task-seconds", type=float, default=60.0)
    parser.add_argument("--growth", type=Path, help="a smaller province's results, for each stage's growth")
    args = parser.parse_args()
    costs = json.loads((args.results / f"costs-{args.cores}.json").read_text())
    summary = json.loads((args.results / "summary.json").read_text())
    province_records = sum(source["rows_read"] for source in summary["sources"])
    census = next(source for source in summary["sources"] if source["role"] == "census")
    # The province's persons: its census's records are about as many (a few listed twice).
    scale = args.persons / census["rows_read"]
    cores = args.nodes * args.cores_per_node
    print(
        f"the nation: {args.persons:,.0f} persons, {province_records * scale:,.0f} records "
        f"({scale:,.0f} times the measured province); {args.nodes} nodes of "
        f"{args.cores_per_node} cores; tasks of about {args.task_seconds:.0f} s"
    )
    work_scale = {stage: scale for stage in STAGES}
    shuffle_scale = dict(work_scale)
    if args.growth:
        small_costs = json.loads((args.growth / f"costs-{args.cores}.json").read_text())
        small_summary = json.loads((args.growth / "summary.json").read_text())
        ratio = province_records / sum(source["rows_read"] for source in small_summary["sources"])
        print(f"each stage grown as from {args.growth.name} ({ratio:.2f} times fewer records):")
        for stage in STAGES:
            measured = [
                (sum(t for t, _ in e["tasks"]), e["shuffle_write"]) for e in costs if e["stage"] == stage
            ]
            smaller = [
                (sum(t for t, _ in e["tasks"]), e["shuffle_write"]) for e in small_costs if e["stage"] == stage
            ]
            if not measured or not smaller or sum(t for t, _ in smaller) == 0:
                print(f"  {stage:12} in proportion (not in the smaller run)")
                continue
            k = math.log(sum(t for t, _ in measured) / sum(t for t, _ in smaller)) / math.log(ratio)
            work_scale[stage] = scale**k
            bytes_large, bytes_small = sum(b for _, b in measured), sum(b for _, b in smaller)
            k_bytes = math.log(bytes_large / bytes_small) / math.log(ratio) if bytes_small and bytes_large else 1.0
            shuffle_scale[stage] = scale**k_bytes
            print(f"  {stage:12} work exponent {k:.2f}, shuffle exponent {k_bytes:.2f}")
    by_stage = defaultdict(lambda: [0.0, 0, 0.0, 0.0])
    for entry in costs:
        stage = entry["stage"]
        seconds, n_tasks, core_seconds = replay(entry["tasks"], work_scale[stage], args.task_seconds, cores)
        row = by_stage[stage]
        row[0] += seconds
        row[1] += n_tasks
        row[2] += core_seconds
        row[3] += entry["shuffle_write"] * shuffle_scale[stage]
    print(f"{'stage':12} {'tasks':>9} {'core-hours':>11} {'shuffle':>11} {'time':>10}")
    total = 0.0
    for stage in STAGES:
        if stage not in by_stage:
            continue
        seconds, n_tasks, core_seconds, shuffle = by_stage[stage]
        total += seconds
        print(
            f"{stage:12} {n_tasks:9,} {core_seconds / 3600:11,.1f} "
            f"{shuffle / 1e12:8.2f} TB {seconds / 60:6.1f} min"
        )
    core_hours = sum(row[2] for row in by_stage.values()) / 3600
    shuffle = sum(row[3] for row in by_stage.values())
    print(f"{'all':12} {'':9} {core_hours:11,.1f} {shuffle / 1e12:8.2f} TB {total / 60:6.1f} min")


if __name__ == "__main__":
    main()
