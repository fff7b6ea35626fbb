#!/usr/bin/env python3
"""Links census and hukou records with Splink 5 on DuckDB, as a peer for censuslink's
census ↔ hukou link.

It reads the standardized Parquet that `censuslink run --standardized` writes
(OUT/standardized/census.parquet and hukou.parquet), so both tools see the same standardized
values: the name and its pinyin reading, the surname, the ID number with its status, the birth
date, sex, ethnicity and the hukou and residence region codes. The model mirrors censuslink's defaults for person records
(crates/reconcile/src/settings.rs, crates/linkage/src/compare.rs):

- blocking: censuslink's eight rules: the same ID number; the same name reading and birth
  month; the same surname reading, birth month and hukou township; the same name and hukou
  place; the same name and residence township; the same surname reading, birth month and
  residence township; the same surname reading and the ID number's region and birth date, or
  its birth date and sequence (a rule or comparison whose columns are empty on either side is
  left out, as it pairs nothing: hukou has no residence region);
- comparisons: the same fields with the same levels, written as Splink comparison levels;
  term-frequency adjustment on the exact name, as censuslink has;
- training: u from seeded random pairs, the prior from the anchor censuslink uses (same ID
  number, birth date and sex) with its recall of 0.9, m by EM on the ID rule and on the name
  reading and birth month rule (censuslink's EM rules);
- prediction at match probability 0.5, then one-to-one as censuslink resolves: a pair is kept
  when each record is the other's heaviest pair (ties to the lower row), a single round of
  mutual best; links with a rejected record on either side are dropped afterwards, as
  censuslink drops them (it links every row, rejected ones included).

Writes PAIRS (CSV: census_id, hukou_id, match_weight, match_probability, the one-to-one links at
probability >= 0.5) and prints, as JSON on the last line of standard output, the stage times
and pair counts.

    splink_census_hukou.py --standardized OUT/standardized --pairs PAIRS.csv [--threads 2]
        [--u-pairs 1e6] [--seed 42]
"""

import argparse
import json
import logging
import sys
import time
from pathlib import Path

try:
    import duckdb
    import splink
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
except ImportError as err:  # pragma: no cover - only without the venv
    sys.exit(
        f"splink_census_hukou.py: {err}; run it with the venv that benches/peers/splink.sh "
        "makes (target/peers/venv), or `pip install splink==5.0.0 pyarrow`"
    )

if not splink.__version__.startswith("5."):
    sys.exit(f"splink_census_hukou.py needs Splink 5, found {splink.__version__}")

# The two sources, named as in the censuslink job (their standardized Parquet files).
SOURCES = ("census", "hukou")

# Each source's standardized records as Splink input: one row per source row, every row kept
# (censuslink links rejected rows too and drops their links afterwards). Derived columns mirror
# the parts censuslink's blocking keys and comparisons use:
# - id_number: only an 18-character number (17 digits and a digit or X) whose status is not
#   missing, a spreadsheet truncation or a temporary number (crates/reconcile/src/features.rs);
# - surname_pinyin: the reading's first syllables, one per character of the surname;
# - birth_ym / birth_year: the birth month (only when the date has a month) and year;
# - birth_days: the date as a day for distances: a missing month is July 1st, a missing day
#   the 15th, as censuslink's date comparison reckons;
# - region codes: digits only, and their township (9 digits) when the code is that long.
# A birth date's year, month and day (y, m, d), as a query's columns read them...
BIRTH_PARTS = """try_cast(substr(birth_date, 1, 4) as integer) as y,
        case when length(birth_date) >= 7 then try_cast(substr(birth_date, 6, 2) as integer) end
            as m,
        case when length(birth_date) >= 10 then try_cast(substr(birth_date, 9, 2) as integer) end
            as d"""
# ... and the columns made of them: the birth month (only when the date has a month) and year,
# and the date as a day for distances (a missing month is July 1st, a missing day the 15th).
BIRTH_COLUMNS = """case when m is not null then substr(birth_date, 1, 7) end as birth_ym,
    y as birth_year,
    try_cast(printf('%04d-%02d-%02d', y, coalesce(m, 7),
                    coalesce(d, case when m is null then 1 else 15 end)) as date) as birth_days"""

PREPARE = """
create or replace table {source} as
with raw as (
    select * from read_parquet('{path}')
), parts as (
    select
        *,
        {birth_parts}
    from raw
)
select
    record_id as unique_id,
    '{source}' as source_dataset,
    "row",
    rejected,
    nullif(name, '') as name,
    nullif(name_pinyin, '') as name_pinyin,
    case
        when name_pinyin is not null and length(name_surname) > 0
        then array_to_string(string_split(name_pinyin, ' ')[1:length(name_surname)], ' ')
    end as surname_pinyin,
    case
        when id_status in ('missing', 'excel_truncated', 'temporary_number') then null
        when regexp_full_match(id_number, '[0-9]{{17}}[0-9X]') then id_number
    end as id_number,
    birth_date,
    {birth_columns},
    sex,
    ethnicity,
    case when regexp_full_match(hukou_region, '[0-9]+') and hukou_region not similar to '0+'
         then hukou_region end as hukou_region,
    case when length(hukou_region) >= 9 and regexp_full_match(hukou_region, '[0-9]+')
         then substr(hukou_region, 1, 9) end as hukou_township,
    case when regexp_full_match(residence_region, '[0-9]+') and residence_region not similar to '0+'
         then residence_region end as residence_region,
    case when length(residence_region) >= 9 and regexp_full_match(residence_region, '[0-9]+')
         then substr(residence_region, 1, 9) end as residence_township
from parts
"""

def with_id_parts(sql, table):
    """Adds to `table` the parts of its ID numbers censuslink's blocking keys read: the region
    and birth date (the first 14 digits: a number mistyped in its sequence still blocks) and
    the birth date and sequence (digits 7 to 17: mistyped in its region)."""
    sql(f"""create or replace table {table} as
            select *, substr(id_number, 1, 14) as id_region_birth,
                   substr(id_number, 7, 11) as id_birth_serial
            from {table}""")


# A birth date agrees "as far as both say": the day when both have one, else the month when
# both have one, else the year.
BIRTH_AGREES = """
case
    when length(birth_date_l) = 10 and length(birth_date_r) = 10
        then birth_date_l = birth_date_r
    when birth_ym_l is not null and birth_ym_r is not null then birth_ym_l = birth_ym_r
    else birth_year_l = birth_year_r
end
"""


def name_comparison():
    """censuslink's name levels (same characters; same reading; one character added, dropped
    or replaced; similar readings), with the Jaro-Winkler of the readings at two thresholds, as
    Splink's name comparisons have; Jaro-Winkler on Chinese characters themselves means little,
    so it is taken on the pinyin."""
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="same reading"),
            cll.LevenshteinLevel("name", 1),
            cll.JaroWinklerLevel("name_pinyin", 0.92),
            cll.JaroWinklerLevel("name_pinyin", 0.88),
            cll.ElseLevel(),
        ],
    )


def id_comparison():
    """censuslink's ID levels: equal; one digit substituted; two adjacent characters swapped;
    the first 15 digits equal; else. (censuslink's "equal after 15 to 18 conversion" level is
    folded into "equal": it needs the conversion flag and no generated record has one.)"""
    return cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id_number"),
            cll.ExactMatchLevel("id_number"),
            cll.CustomLevel("hamming(id_number_l, id_number_r) = 1", "one substitution"),
            cll.DamerauLevenshteinLevel("id_number", 1).configure(
                label_for_charts="adjacent transposition"
            ),
            cll.CustomLevel(
                "substr(id_number_l, 1, 15) = substr(id_number_r, 1, 15)", "first 15 digits"
            ),
            cll.ElseLevel(),
        ],
    )


def birth_comparison():
    """censuslink's date levels: equal as far as both dates say; same year and month; day and
    month swapped; one digit differs; within 50 days (a lunar-calendar date); within a year
    (or years one apart when a month is missing: a nominal age); else."""
    both_days = "length(birth_date_l) = 10 and length(birth_date_r) = 10"
    both_months = "birth_ym_l is not null and birth_ym_r is not null"
    apart = "abs(datediff('day', birth_days_l, birth_days_r))"
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.CustomLevel("birth_date_l is null or birth_date_r is null").configure(
                is_null_level=True, label_for_charts="missing"
            ),
            cll.CustomLevel(BIRTH_AGREES, "exact as far as both say"),
            cll.CustomLevel(f"{both_months} and birth_ym_l = birth_ym_r", "same year and month"),
            cll.CustomLevel(
                f"{both_days} and birth_year_l = birth_year_r"
                " and substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
                " and substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                "day and month swapped",
            ),
            cll.CustomLevel(
                f"{both_days} and hamming(birth_date_l, birth_date_r) = 1", "one digit differs"
            ),
            cll.CustomLevel(f"{both_months} and {apart} <= 50", "within 50 days"),
            cll.CustomLevel(
                f"{apart} <= 366"
                f" or (not ({both_months}) and abs(birth_year_l - birth_year_r) <= 1)",
                "within a year",
            ),
            cll.ElseLevel(),
        ],
    )


def region_comparison(column):
    """censuslink's region levels, by hierarchy: equal as far as both codes say (the shorter
    code a prefix of the longer); same township (9 digits); same county (6); same prefecture
    (4); else."""
    l, r = f"{column}_l", f"{column}_r"

    def same(n):
        return (f"length({l}) >= {n} and length({r}) >= {n}"
                f" and substr({l}, 1, {n}) = substr({r}, 1, {n})")

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.CustomLevel(
                f"starts_with({l}, {r}) or starts_with({r}, {l})", "exact as far as both say"
            ),
            cll.CustomLevel(same(9), "same township"),
            cll.CustomLevel(same(6), "same county"),
            cll.CustomLevel(same(4), "same prefecture"),
            cll.ElseLevel(),
        ],
    )


def sql_of(con):
    """`sql(text)`: runs `text` on the connection and fetches every row (DuckDB 2 keeps a
    statement open until its result is read to the end)."""
    return lambda text: con.execute(text).fetchall()


def model(sql, tables):
    """censuslink's comparisons and blocking rules for the prepared `tables`, those on a column
    one of them lacks left out (a rule or comparison on it pairs nothing and carries no
    evidence): (comparisons, rules as (name, columns), left-out rules, left-out comparisons)."""

    def present(column):
        return all(sql(f"select count({column}) from {t}")[0][0] > 0 for t in tables)

    comparisons = [
        name_comparison(),
        id_comparison(),
        birth_comparison(),
        cl.ExactMatch("sex"),
        cl.ExactMatch("ethnicity"),
    ]
    regions = ("hukou_region", "residence_region")
    comparisons += [region_comparison(c) for c in regions if present(c)]
    left_out_comparisons = [c for c in regions if not present(c)]
    rules = [
        ("ID number", ["id_number"]),
        ("name reading and birth month", ["name_pinyin", "birth_ym"]),
        ("surname reading, birth month and hukou township",
         ["surname_pinyin", "birth_ym", "hukou_township"]),
        ("name and hukou place", ["name", "hukou_region"]),
        ("name and residence township", ["name", "residence_township"]),
        ("surname reading, birth month and residence township",
         ["surname_pinyin", "birth_ym", "residence_township"]),
        ("surname reading and the ID number's region and birth date",
         ["surname_pinyin", "id_region_birth"]),
        ("surname reading and the ID number's birth date and sequence",
         ["surname_pinyin", "id_birth_serial"]),
    ]
    left_out = [name for name, columns in rules if not all(present(c) for c in columns)]
    rules = [(name, columns) for name, columns in rules if name not in left_out]
    return comparisons, rules, left_out, left_out_comparisons


# censuslink's anchor: the same ID number, birth date (as far as both say) and sex, which it
# takes to find 90% of the true matches.
ANCHOR = (
    "l.id_number = r.id_number and l.sex = r.sex and "
    "case when length(l.birth_date) = 10 and length(r.birth_date) = 10 "
    "then l.birth_date = r.birth_date "
    "when l.birth_ym is not null and r.birth_ym is not null then l.birth_ym = r.birth_ym "
    "else l.birth_year = r.birth_year end"
)


def train(linker, u_pairs, seed, lap):
    """u from seeded random pairs, the prior from censuslink's anchor with its recall of 0.9, m
    by EM on censuslink's two EM rules (ID; name reading and birth month), each rule's own
    comparisons held out of its run and estimated by the other, at most 1e6 pairs each."""
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    lap("u")
    linker.training.estimate_probability_two_random_records_match([ANCHOR], recall=0.9)
    lap("prior")
    for columns in (["id_number"], ["name_pinyin", "birth_ym"]):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns), max_pairs=1e6
        )
    lap("em")


def link_census_hukou(con, pairs_path, u_pairs, seed, threshold, lap, model_path=None):
    """Links the prepared `census` and `hukou` tables on `con`: trains, predicts at
    `threshold`, resolves one to one and writes the links to `pairs_path`. Returns what the
    report says of it."""
    sql = sql_of(con)
    comparisons, rules, left_out, left_out_comparisons = model(sql, SOURCES)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*columns) for _, columns in rules],
        additional_columns_to_retain=["row", "rejected"],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(s, dataset_display_name=s, table_name=f"{s}_input") for s in SOURCES]
    linker = Linker(tables, settings, log_level=logging.WARNING)
    train(linker, u_pairs, seed, lap)

    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    n_predicted = sql(f"select count(*) from {predictions.physical_name}")[0][0]
    lap("predict")

    # One-to-one: a single round of mutual best, as censuslink's `one_to_one` (heavier first,
    # ties to the lower row), then links with a rejected record dropped.
    sql(f"""
        create or replace table links as
        with pairs as (
            select
                case when source_dataset_l = 'census' then unique_id_l else unique_id_r end
                    as census_id,
                case when source_dataset_l = 'census' then unique_id_r else unique_id_l end
                    as hukou_id,
                case when source_dataset_l = 'census' then row_l else row_r end as census_row,
                case when source_dataset_l = 'census' then row_r else row_l end as hukou_row,
                rejected_l is not null or rejected_r is not null as rejected,
                match_weight,
                match_probability
            from {predictions.physical_name}
            where source_dataset_l <> source_dataset_r
        ), ranked as (
            select
                *,
                row_number() over (partition by census_id
                                   order by match_weight desc, hukou_row) as census_rank,
                row_number() over (partition by hukou_id
                                   order by match_weight desc, census_row) as hukou_rank
            from pairs
        )
        select census_id, hukou_id, match_weight, match_probability
        from ranked
        where census_rank = 1 and hukou_rank = 1 and not rejected
        order by census_row
    """)
    n_links = sql("select count(*) from links")[0][0]
    pairs = str(pairs_path.resolve()).replace("'", "''")
    sql(f"copy links to '{pairs}' (header, delimiter ',')")
    lap("one_to_one")
    if model_path:
        linker.misc.save_model_to_json(str(model_path), overwrite=True)
    return {
        "blocking_rules": [name for name, _ in rules],
        "left_out_rules": left_out,
        "left_out_comparisons": left_out_comparisons,
        "comparisons": [c.get_comparison("duckdb").output_column_name for c in comparisons],
        "probability_two_random_records_match":
            linker._settings_obj._probability_two_random_records_match,
        "predicted_pairs": n_predicted,
        "links": n_links,
    }


def stopwatch():
    """(times, lap): `lap(stage)` records the seconds since the last lap under `stage`."""
    times = {}
    last = time.perf_counter()

    def lap(stage):
        nonlocal last
        now = time.perf_counter()
        times[stage] = round(now - last, 3)
        last = now

    return times, lap


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standardized", required=True, type=Path,
                        help="censuslink's OUT/standardized folder")
    parser.add_argument("--pairs", required=True, type=Path, help="the CSV of links to write")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--u-pairs", type=float, default=1e6,
                        help="random pairs for u (default 1e6, as censuslink draws)")
    parser.add_argument("--seed", type=int, default=42, help="seed of every sample (default 42)")
    parser.add_argument("--model", type=Path,
                        help="also save the trained model (Splink's JSON) here")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="match probability of the predictions (default 0.5)")
    args = parser.parse_args()

    started = time.perf_counter()
    times, lap = stopwatch()
    for source in SOURCES:
        path = args.standardized / f"{source}.parquet"
        if not path.is_file():
            sys.exit(f"splink_census_hukou.py: {path} is missing; run `censuslink run` first")

    # Splink's own log (EM iterations, u estimation) goes to standard error.
    logging.basicConfig(stream=sys.stderr, format="%(message)s")
    con = duckdb.connect(":memory:")
    sql = sql_of(con)
    sql(f"set threads to {args.threads}")
    sql("set preserve_insertion_order = false")
    for source in SOURCES:
        path = str((args.standardized / f"{source}.parquet").resolve()).replace("'", "''")
        sql(PREPARE.format(source=source, path=path, birth_parts=BIRTH_PARTS,
                           birth_columns=BIRTH_COLUMNS))
        with_id_parts(sql, source)
    counts = {s: sql(f"select count(*) from {s}")[0][0] for s in SOURCES}
    lap("read")

    report = link_census_hukou(con, args.pairs, args.u_pairs, args.seed, args.threshold, lap,
                               args.model)
    times["total"] = round(time.perf_counter() - started, 3)
    print(json.dumps({
        "splink": splink.__version__,
        "duckdb": duckdb.__version__,
        "records": counts,
        **report,
        "u_pairs": args.u_pairs,
        "threshold": args.threshold,
        "times": times,
    }))


if __name__ == "__main__":
    main()
