#!/usr/bin/env python3
"""Scores censuslink's and Splink's census ↔ hukou links against a generated district's truth
and prints them side by side with each run's wall time, CPU time and peak memory.

    compare.py --truth DISTRICT/truth --censuslink-out OUT --censuslink-time TIME.log
        [--censuslink-pair-out OUT --censuslink-pair-time TIME.log]
        --splink-pairs PAIRS.csv --splink-time TIME.log --splink-report REPORT.json

The optional second censuslink run is of a job holding only the census and hukou sources,
scored and printed as its own row.

A true pair is a census record and a hukou record of the same person (truth/records.csv).
The census lists some people twice, so one hukou record can truly match two census records:
every such pair counts, so a one-to-one linker cannot reach a recall of 1 on pairs. The
record recall beside it counts each hukou record whose person the census lists once, as
`censuslink evaluate` does (its "links" line, there over all registers).
"""

import argparse
import csv
import json
import sys
import textwrap
from collections import defaultdict
from pathlib import Path


def read_csv(path):
    """The rows of a CSV file as dicts (UTF-8, a byte-order mark or not)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def gnu_time(path):
    """Wall seconds, CPU seconds and peak resident memory (MB) from `/usr/bin/time -v`."""
    fields = {}
    for line in Path(path).read_text().splitlines():
        key, _, value = line.strip().rpartition(": ")
        fields[key] = value
    wall = 0.0
    for part in fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
        wall = wall * 60 + float(part)
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    return wall, cpu, int(fields["Maximum resident set size (kbytes)"]) / 1024


def census_hukou_links(out):
    """censuslink's census ↔ hukou links in OUT/links.csv, as (census id, hukou id), in either
    orientation."""
    pairs = []
    for row in read_csv(out / "links.csv"):
        sources = (row["left_source"], row["right_source"])
        if sources == ("census", "hukou"):
            pairs.append((row["left_id"], row["right_id"]))
        elif sources == ("hukou", "census"):
            pairs.append((row["right_id"], row["left_id"]))
    return pairs


def score(pairs, person_of, n_true_pairs, n_linkable):
    """Precision, pair recall and record recall of `pairs` (census id, hukou id)."""
    correct = sum(
        1
        for c, h in pairs
        if (p := person_of.get(("census", c))) is not None and p == person_of.get(("hukou", h))
    )
    return {
        "pairs": len(pairs),
        "correct": correct,
        "precision": correct / len(pairs) if pairs else float("nan"),
        "recall": correct / n_true_pairs if n_true_pairs else float("nan"),
        "record_recall": correct / n_linkable if n_linkable else float("nan"),
    }


def pairs_within(groups):
    """Every unordered pair of records within each group, as sorted tuples."""
    pairs = set()
    for group in groups:
        members = sorted(set(group))
        pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    return pairs


def true_duplicates(truth):
    """The district's duplicate census listings (truth/duplicates.csv) as pairs of records."""
    return pairs_within(row["census_records"].split(";") for row in read_csv(truth / "duplicates.csv"))


def censuslink_duplicates(out):
    """censuslink's duplicate candidates (OUT/duplicates.csv) as pairs of census records."""
    return pairs_within(
        [r.split(":", 1)[1] for r in row["records"].split(";")]
        for row in read_csv(out / "duplicates.csv")
    )


def splink_duplicates(path):
    """Splink's clusters (census_id, cluster_id) as pairs of census records."""
    clusters = defaultdict(list)
    for row in read_csv(path):
        clusters[row["cluster_id"]].append(row["census_id"])
    return pairs_within(clusters.values())


def score_duplicates(pairs, truth):
    """Pairwise precision and recall of duplicate `pairs` against the `truth` pairs."""
    correct = len(pairs & truth)
    return {
        "pairs": len(pairs),
        "precision": correct / len(pairs) if pairs else float("nan"),
        "recall": correct / len(truth) if truth else float("nan"),
    }


def say(text):
    """Prints a paragraph wrapped to 100 columns."""
    print(textwrap.fill(text, 100))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", required=True, type=Path)
    parser.add_argument("--censuslink-out", required=True, type=Path)
    parser.add_argument("--censuslink-time", required=True, type=Path)
    parser.add_argument("--censuslink-pair-out", type=Path,
                        help="the output of censuslink on the census and hukou sources alone")
    parser.add_argument("--censuslink-pair-time", type=Path)
    parser.add_argument("--splink-pairs", required=True, type=Path)
    parser.add_argument("--splink-time", required=True, type=Path)
    parser.add_argument("--splink-report", required=True, type=Path)
    parser.add_argument("--splink-raw-links", type=Path,
                        help="Splink's links from the raw extracts (splink_raw.py)")
    parser.add_argument("--splink-raw-clusters", type=Path)
    parser.add_argument("--splink-raw-time", type=Path)
    parser.add_argument("--splink-raw-report", type=Path)
    parser.add_argument("--censuslink-threshold", type=float, default=0.9,
                        help="censuslink's link threshold, to score Splink at it too")
    args = parser.parse_args()
    if (args.censuslink_pair_out is None) != (args.censuslink_pair_time is None):
        parser.error("--censuslink-pair-out and --censuslink-pair-time go together")
    raw = (args.splink_raw_links, args.splink_raw_clusters, args.splink_raw_time,
           args.splink_raw_report)
    if any(raw) and not (all(raw) and args.censuslink_pair_out):
        parser.error("the --splink-raw-* options go together, with --censuslink-pair-out")

    # The truth: each census and hukou record's person.
    person_of = {}
    by_person = defaultdict(lambda: ([], []))
    for row in read_csv(args.truth / "records.csv"):
        if row["source"] in ("census", "hukou"):
            person_of[(row["source"], row["record"])] = row["person"]
            by_person[row["person"]][row["source"] == "hukou"].append(row["record"])
    n_true_pairs = sum(len(c) * len(h) for c, h in by_person.values())
    n_linkable = sum(len(h) for c, h in by_person.values() if c)
    n_duplicated = sum(len(h) for c, h in by_person.values() if len(c) > 1)

    splink_rows = list(read_csv(args.splink_pairs))
    report = json.loads(args.splink_report.read_text())
    splink_pairs = [(r["census_id"], r["hukou_id"]) for r in splink_rows]
    splink_at_threshold = [
        (r["census_id"], r["hukou_id"])
        for r in splink_rows
        if float(r["match_probability"]) >= args.censuslink_threshold
    ]

    c_wall, c_cpu, c_mem = gnu_time(args.censuslink_time)
    s_wall, s_cpu, s_mem = gnu_time(args.splink_time)
    rows = [
        ("censuslink (whole run)", (c_wall, c_cpu, c_mem),
         score(census_hukou_links(args.censuslink_out), person_of, n_true_pairs, n_linkable)),
    ]
    if args.censuslink_pair_out:
        rows.append(("censuslink (census + hukou only)", gnu_time(args.censuslink_pair_time),
                     score(census_hukou_links(args.censuslink_pair_out), person_of,
                           n_true_pairs, n_linkable)))
    rows += [
        (f"Splink {report['splink']} (p >= {report['threshold']:g})", (s_wall, s_cpu, s_mem),
         score(splink_pairs, person_of, n_true_pairs, n_linkable)),
        (f"  same run, p >= {args.censuslink_threshold:g}", None,
         score(splink_at_threshold, person_of, n_true_pairs, n_linkable)),
    ]

    say(f"census ↔ hukou: {report['records']['census']:,} census and "
        f"{report['records']['hukou']:,} hukou records; {n_true_pairs:,} true pairs "
        f"({n_linkable:,} hukou records whose person the census lists, "
        f"{n_duplicated:,} of them listed twice or more)")
    print()
    width = max(len(name) for name, _, _ in rows)
    header = (f"{'tool':<{width}} {'wall':>8} {'CPU':>8} {'peak mem':>9} {'pairs':>9} {'wrong':>6} "
              f"{'precision':>9} {'recall':>8} {'rec. recall':>11}")
    print(header)
    print("-" * len(header))
    for name, cost, s in rows:
        wall, cpu, mem = (f"{cost[0]:.1f} s", f"{cost[1]:.1f} s", f"{cost[2]:.0f} MB") if cost \
            else ("", "", "")
        print(f"{name:<{width}} {wall:>8} {cpu:>8} {mem:>9} {s['pairs']:>9,} "
              f"{s['pairs'] - s['correct']:>6,} "
              f"{s['precision']:>9.5f} {s['recall']:>8.5f} {s['record_recall']:>11.5f}")
    print()
    say("recall: of the true (census, hukou) pairs; rec. recall: of the hukou records whose "
        "person the census lists (as `censuslink evaluate` counts). Splink's pairs are one "
        "run's one-to-one links at each probability; censuslink links at p >= "
        f"{args.censuslink_threshold:g}.")
    timings = json.loads((args.censuslink_out / "timings.json").read_text())
    say(f"Caveat: censuslink's whole-run row is its WHOLE run ({len(timings['read'])} sources read"
        f" and standardized, {len(timings['links'])} links, the census "
        "deduplication and reconciliation, every output written); Splink's are "
        "only census ↔ hukou, from reading censuslink's standardized Parquet to the "
        "one-to-one links (Python start-up included)." + (
            " The census + hukou only run reads and links just those two sources, but "
            "still deduplicates the census and writes every list." if args.censuslink_pair_out
            else ""))

    # censuslink's own census ↔ hukou link stage, for a per-link comparison.
    stages = ["features", "block", "train", "score", "resolve"]
    for link in timings["links"]:
        if {link["left"], link["right"]} == {"census", "hukou"}:
            total = sum(link[s] for s in stages)
            read = sum(timings["read"].get(s, 0.0) for s in ("census", "hukou"))
            print()
            say(f"censuslink's census ↔ hukou link alone: {total:.2f} s wall "
                f"({', '.join(f'{s} {link[s]:.2f}' for s in stages)}); "
                f"{link['candidate_pairs']:,} blocked pairs, {link['scored_pairs']:,} scored at "
                f"p >= 0.01; reading and standardizing census and hukou took {read:.2f} s")
    if "linking" in timings:
        say(f"censuslink's links ran one after another, the census deduplication beside the "
            f"registers' links: all {len(timings['links'])} took {timings['linking']:.2f} s wall, "
            "so the deduplication's stage times above overlap the links'.")
    times = report["times"]
    stage_times = ", ".join(f"{k} {v:.2f}" for k, v in times.items() if k != "total")
    say(f"Splink's stages: {stage_times} (total {times['total']:.2f} s in Python; u from "
        f"{report['u_pairs']:.0e} random pairs); {report['predicted_pairs']:,} pairs predicted "
        f"at p >= {report['threshold']:g}, {report['links']:,} one-to-one links")
    left_out = report["left_out_rules"] + report["left_out_comparisons"]
    if left_out:
        say("left out of Splink's model (a column empty on one side): " + ", ".join(left_out))

    if args.splink_raw_links:
        print()
        from_raw(args, person_of, n_true_pairs, n_linkable)


def from_raw(args, person_of, n_true_pairs, n_linkable):
    """The second table: each tool from the raw census and hukou extracts to the census ↔
    hukou links and the census's duplicates."""
    report = json.loads(args.splink_raw_report.read_text())
    truth = true_duplicates(args.truth)
    links = [(r["census_id"], r["hukou_id"]) for r in read_csv(args.splink_raw_links)]
    rows = [
        ("censuslink (census + hukou job)", gnu_time(args.censuslink_pair_time),
         score(census_hukou_links(args.censuslink_pair_out), person_of, n_true_pairs, n_linkable),
         score_duplicates(censuslink_duplicates(args.censuslink_pair_out), truth)),
        (f"Splink {report['splink']} from raw files", gnu_time(args.splink_raw_time),
         score(links, person_of, n_true_pairs, n_linkable),
         score_duplicates(splink_duplicates(args.splink_raw_clusters), truth)),
    ]
    say("From the raw census and hukou files to the census ↔ hukou links and the census's "
        f"duplicates ({len(truth):,} true duplicate pairs), p >= {report['threshold']:g}:")
    print()
    width = max(len(name) for name, *_ in rows)
    header = (f"{'tool':<{width}} {'wall':>8} {'CPU':>8} {'peak mem':>9} {'link P':>8} "
              f"{'link R':>8} {'rec. R':>8} {'dup pairs':>9} {'dup P':>8} {'dup R':>8}")
    print(header)
    print("-" * len(header))
    for name, (wall, cpu, mem), link, dup in rows:
        print(f"{name:<{width}} {wall:>6.1f} s {cpu:>6.1f} s {mem:>6.0f} MB "
              f"{link['precision']:>8.5f} {link['recall']:>8.5f} {link['record_recall']:>8.5f} "
              f"{dup['pairs']:>9,} {dup['precision']:>8.5f} {dup['recall']:>8.5f}")
    print()
    c_wall, s_wall = rows[0][1][0], rows[1][1][0]
    say(f"censuslink is {s_wall / c_wall:.1f}x faster on the wall clock; dup P and R are over "
        "pairs of census records. Splink's stages: " + ", ".join(
            f"{k} {v:.2f}" for k, v in report["times"].items() if k != "total")
        + f" (total {report['times']['total']:.2f} s in Python).")


if __name__ == "__main__":
    sys.exit(main())
