"""Runs a command and prints its wall time and the peak memory of its whole process tree: the
largest sum of resident memory over the command and every process it started (a Spark run's
JVM and Python workers included, which `/usr/bin/time` does not see), sampled every 50 ms
from /proc. Linux only.

    python3 benches/province/peak.py OUT.json -- COMMAND [ARGS...]

Writes {"wall_seconds", "peak_mb", "returncode"} into OUT.json and prints them.
"""

import json
import os
import subprocess
import sys
import time


def children() -> dict:
    """Each process's parent, by pid."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # The command name may hold spaces: the fields after its closing bracket.
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    return parents


def tree_rss_kb(root: int) -> int:
    parents = children()
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def main() -> int:
    out, separator, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    assert separator == "--" and command, __doc__
    started = time.monotonic()
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.05)
    result = {
        "wall_seconds": round(time.monotonic() - started, 2),
        "peak_mb": round(peak / 1024),
        "returncode": process.returncode,
    }
    with open(out, "w") as file:
        json.dump(result, file)
    print(f"  wall time {result['wall_seconds']:.1f} s, peak memory {result['peak_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
