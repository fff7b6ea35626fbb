#!/usr/bin/env python3
"""Splink 5 on DuckDB from a generated district's raw extracts, as its users run it: the
census and hukou files read and standardized in Python and DuckDB, then the census ↔ hukou
link and the census's deduplication, as a peer for `censuslink run` on the same two sources.

The standardization is what a careful analyst writes for these files without censuslink:

- the census (the 7th census's short form, GBK CSV, as `censuslink synth` writes it): decoded
  from GBK in Python (DuckDB's CSV reader has no GBK), the record key from its four columns,
  birth year and month into a date, sex and ethnicity codes (GB/T 2261.1, GB 3304) into the
  hukou extract's words, where the hukou is (D8) and where the person lives (D7) from their
  categories: the census area's code cut to the level the category names, the code column for
  another county; only the usual residents (人员类别 现住) are deduplicated, a listing at the
  hukou household of someone living elsewhere (户口在本户外出) being the census rule;
- the hukou extract (UTF-8 CSV): birth dates written as 19880502 or 1988-05-02, 不详 unknown;
- both: names and ID numbers NFKC-normalized (full-width digits), spaces dropped, a name's
  dot variants made one, x made X, a 15-digit ID number converted to 18 (19 inserted, the
  check digit computed), and only a number of 17 digits and a digit or X compared; each
  distinct name's pinyin by pypinyin (`lazy_pinyin`), its surname the first character's.

It does not do what censuslink's standardization does beyond that (traditional characters,
homophone surnames' readings, an ID's check digit as evidence, pseudonyms), which is part of
what is compared. The model is splink_census_hukou.py's (censuslink's comparisons, blocking
rules and training plan), for the link and for the deduplication alike; the link resolves one
to one, the deduplication clusters its pairs at the threshold (Splink's
`cluster_pairwise_predictions_at_threshold`).

Writes LINKS (census_id, hukou_id, match_weight, match_probability) and CLUSTERS (census_id,
cluster_id: the census records in clusters of two or more) and prints, as JSON on the last
line of standard output, the stage times and counts.

    splink_raw.py --district DISTRICT --links LINKS.csv --clusters CLUSTERS.csv [--threads 2]
        [--u-pairs 1e6] [--seed 42] [--threshold 0.9]
"""

import argparse
import copy
import csv
import json
import logging
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splink_census_hukou import (  # noqa: E402 - the module beside this one
    ANCHOR, BIRTH_COLUMNS, BIRTH_PARTS, DuckDBAPI, Linker, SettingsCreator, block_on, duckdb, link_census_hukou, model,
    splink, sql_of, stopwatch, with_id_parts,
)

try:
    from pypinyin import lazy_pinyin
except ImportError:  # pragma: no cover - only without the venv
    sys.exit("splink_raw.py: needs pypinyin; run it with the venv benches/peers/splink.sh makes")

# The census form's header (census2020 layout of `censuslink synth`).
CENSUS_COLUMNS = [
    "普查区代码", "普查小区编号", "户编号", "户别", "人员序号", "姓名", "与户主关系", "身份证件类别",
    "公民身份号码", "性别", "出生年", "出生月", "民族", "人员类别", "现住地类别", "现住地代码",
    "户口登记地类别", "户口登记地代码", "填报方式",
]

# GB 3304 ethnicity codes, 01 to 56, as the hukou extract writes them.
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()

# The prepared tables' columns, as splink_census_hukou.py's PREPARE makes them from
# censuslink's standardized Parquet.
PREPARED = """
create or replace table {name} as
with parts as (
    select
        *,
        {birth_parts}
    from {raw}
)
select
    unique_id,
    '{source}' as source_dataset,
    "row",
    null::varchar as rejected,
    p.name,
    p.pinyin as name_pinyin,
    p.surname_pinyin,
    i.id_number,
    birth_date,
    {birth_columns},
    sex,
    ethnicity,
    hukou_region,
    case when length(hukou_region) >= 9 then substr(hukou_region, 1, 9) end as hukou_township,
    residence_region,
    case when length(residence_region) >= 9 then substr(residence_region, 1, 9) end
        as residence_township
from parts
left join names p on p.raw = parts.raw_name
left join ids i on i.raw = parts.raw_id
{where}
"""


def prepared(name, raw, source, where=""):
    """The query making table `name` of `source`'s prepared records from its raw table."""
    return PREPARED.format(name=name, raw=raw, source=source, where=where,
                           birth_parts=BIRTH_PARTS, birth_columns=BIRTH_COLUMNS)


def clean_name(raw):
    """A name as the files' variants make it one: NFKC (full-width letters), no spaces, the
    dots of a transliterated name as one `·`."""
    name = unicodedata.normalize("NFKC", raw)
    name = "".join(ch for ch in name if not ch.isspace())
    for dot in "•・.。":
        name = name.replace(dot, "·")
    return name or None


def clean_id(raw):
    """An ID number as 18 characters, or None: NFKC (full-width digits), no spaces, x as X, a
    15-digit number converted (19 inserted before its year, the check digit computed)."""
    number = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if not ch.isspace()).upper()
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
        number = body + check
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        return number
    return None


def decode_census(path, out):
    """The census CSV at `path`, decoded from GBK, written as UTF-8 to `out` (DuckDB's CSV
    reader has no GBK)."""
    text = Path(path).read_bytes().decode("gbk")
    header = next(csv.reader([text.split("\n", 1)[0]]))
    if header != CENSUS_COLUMNS:
        sys.exit(f"splink_raw.py: {path} is not the census2020 layout of `censuslink synth`")
    Path(out).write_text(text, encoding="utf-8")


# The census's raw columns, in DuckDB: where the hukou is (D8) and where the person lives (D7)
# from their categories, the census area's code cut to the level a category names (village,
# township, county) or the code column for another county; sex and ethnicity codes as words.
CENSUS = """
create or replace table census_raw as
select
    (row_number() over () - 1)::bigint as "row",
    concat_ws('-', 普查区代码, 普查小区编号, 户编号, 人员序号) as unique_id,
    coalesce(姓名, '') as raw_name,
    coalesce(公民身份号码, '') as raw_id,
    case 性别 when '1' then '男' when '2' then '女' end as sex,
    case
        when try_cast(出生月 as integer) between 1 and 12
            then 出生年 || '-' || lpad(出生月, 2, '0')
        else nullif(出生年, '')
    end as birth_date,
    e.name as ethnicity,
    case 户口登记地类别
        when '1' then 普查区代码 when '2' then substr(普查区代码, 1, 9)
        when '3' then substr(普查区代码, 1, 6) when '4' then nullif(户口登记地代码, '')
    end as hukou_region,
    case 现住地类别
        when '1' then 普查区代码 when '2' then 普查区代码 when '3' then substr(普查区代码, 1, 9)
        when '4' then substr(普查区代码, 1, 6) when '5' then nullif(现住地代码, '')
    end as residence_region,
    人员类别 = '现住' as resident
from read_csv('{path}', all_varchar = true, header = true) c
left join ethnicities e on e.code = c.民族
"""


# The hukou extract's raw columns, in DuckDB: its dates as 19880502 or 1988-05-02.
HUKOU = """
create or replace table hukou_raw as
select
    (row_number() over () - 1)::bigint as "row",
    户籍编号 as unique_id,
    coalesce(姓名, '') as raw_name,
    coalesce(公民身份号码, '') as raw_id,
    nullif(性别, '') as sex,
    case
        when regexp_full_match(出生日期, '[0-9]{{8}}')
            then substr(出生日期, 1, 4) || '-' || substr(出生日期, 5, 2) || '-' || substr(出生日期, 7, 2)
        when regexp_full_match(出生日期, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') then 出生日期
    end as birth_date,
    nullif(民族, '') as ethnicity,
    nullif(户籍地代码, '') as hukou_region,
    null::varchar as residence_region
from read_csv('{path}', all_varchar = true, header = true)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--district", required=True, type=Path,
                        help="a `censuslink synth` district (census.csv, hukou.csv)")
    parser.add_argument("--links", required=True, type=Path, help="the CSV of links to write")
    parser.add_argument("--clusters", required=True, type=Path,
                        help="the CSV of duplicate clusters to write")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--u-pairs", type=float, default=1e6,
                        help="random pairs for u (default 1e6, as censuslink draws)")
    parser.add_argument("--seed", type=int, default=42, help="seed of every sample (default 42)")
    parser.add_argument("--threshold", type=float, default=0.9,
                        help="match probability of links and clusters (default 0.9, censuslink's)")
    args = parser.parse_args()

    started = time.perf_counter()
    times, lap = stopwatch()
    logging.basicConfig(stream=sys.stderr, format="%(message)s")
    con = duckdb.connect(":memory:")
    sql = sql_of(con)
    sql(f"set threads to {args.threads}")
    con.register("ethnicity_rows", _arrow(
        [(f"{n:02d}", name) for n, name in enumerate(ETHNICITIES, 1)], ["code", "name"]))
    sql("create or replace table ethnicities as select * from ethnicity_rows")
    with tempfile.TemporaryDirectory() as scratch:
        census_utf8 = Path(scratch) / "census.csv"
        decode_census(args.district / "census.csv", census_utf8)
        sql(CENSUS.format(path=str(census_utf8).replace("'", "''")))
    sql(HUKOU.format(path=str((args.district / "hukou.csv").resolve()).replace("'", "''")))
    lap("read")

    # Each distinct name's and ID number's standardized form, once.
    raw_names = [r[0] for r in sql(
        "select distinct raw_name from census_raw union select distinct raw_name from hukou_raw")]
    names = []
    for raw in raw_names:
        name = clean_name(raw or "")
        syllables = lazy_pinyin(name) if name else []
        names.append((raw, name, " ".join(syllables) or None, syllables[0] if syllables else None))
    con.register("names_rows", _arrow(names, ["raw", "name", "pinyin", "surname_pinyin"]))
    sql("create or replace table names as select * from names_rows")
    raw_ids = [r[0] for r in sql(
        "select distinct raw_id from census_raw union select distinct raw_id from hukou_raw")]
    con.register("ids_rows", _arrow([(raw, clean_id(raw or "")) for raw in raw_ids],
                                    ["raw", "id_number"]))
    sql("create or replace table ids as select * from ids_rows")
    for name in ("census", "hukou"):
        sql(prepared(name, f"{name}_raw", name))
        with_id_parts(sql, name)
    counts = {s: sql(f"select count(*) from {s}")[0][0] for s in ("census", "hukou")}
    lap("standardize")

    link_model = Path(tempfile.mkdtemp()) / "link-model.json"
    link = link_census_hukou(con, args.links, args.u_pairs, args.seed, args.threshold, lap,
                             link_model)

    # The deduplication: the usual residents only, with the same model.
    sql(prepared("residents", "census_raw", "census", "where resident"))
    with_id_parts(sql, "residents")
    comparisons, rules, _, _ = model(sql, ["residents"])
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*columns) for _, columns in rules],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI(connection=con)
    residents = db_api.register("residents", dataset_display_name="residents",
                                table_name="residents_input")
    linker = Linker([residents], settings, log_level=logging.WARNING)
    linker, dedupe_training = train_dedupe(linker, con, json.loads(link_model.read_text()),
                                   args.u_pairs, args.seed, lambda stage: lap(f"dedupe_{stage}"))
    link_model.unlink()
    link_model.parent.rmdir()
    predictions = linker.inference.predict(
        threshold_match_probability=args.threshold, warning_mode="never")
    lap("dedupe_predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold)
    sql(f"""
        create or replace table duplicates as
        select unique_id as census_id, cluster_id
        from {clusters.physical_name}
        qualify count(*) over (partition by cluster_id) > 1
        order by cluster_id, census_id
    """)
    n_clustered = sql("select count(*) from duplicates")[0][0]
    n_clusters = sql("select count(distinct cluster_id) from duplicates")[0][0]
    path = str(args.clusters.resolve()).replace("'", "''")
    sql(f"copy duplicates to '{path}' (header, delimiter ',')")
    lap("dedupe_cluster")

    times["total"] = round(time.perf_counter() - started, 3)
    print(json.dumps({
        "splink": splink.__version__,
        "duckdb": duckdb.__version__,
        "records": counts,
        "residents": sql("select count(*) from residents")[0][0],
        "distinct_names": len(names),
        **link,
        "dedupe_blocking_rules": [name for name, _ in rules],
        "dedupe_training": dedupe_training,
        "duplicate_records": n_clustered,
        "duplicate_clusters": n_clusters,
        "u_pairs": args.u_pairs,
        "threshold": args.threshold,
        "times": times,
    }))


def train_dedupe(linker, con, link_model, u_pairs, seed, lap):
    """The deduplication's training: u from seeded random pairs and the prior from the anchor
    (the same ID number, birth date and sex) with its recall of 0.9, as for the link; m by EM
    on the same two rules, as Splink's users train. Where EM fails (among a census's pairs of
    one ID number nearly every pair is a match, and an m underflows Splink's bound), m as
    censuslink's deduplication learns it: from the anchored pairs themselves, but the ID
    number's, which anchored pairs cannot estimate, from the census ↔ hukou model
    (`link_model`, Splink's JSON). Returns the trained linker and which m it has."""
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    lap("u")
    linker.training.estimate_probability_two_random_records_match([ANCHOR], recall=0.9)
    lap("prior")
    trained = copy.deepcopy(linker)
    try:
        for columns in (["id_number"], ["name_pinyin", "birth_ym"]):
            trained.training.estimate_parameters_using_expectation_maximisation(
                block_on(*columns), max_pairs=1e6
            )
        lap("em")
        return trained, "em"
    except ValueError as err:
        print(f"EM failed ({err}); m from the anchored pairs", file=sys.stderr)
    anchored = re.sub(r"\br\.", "b.", re.sub(r"\bl\.", "a.", ANCHOR))
    sql_of(con)(f"""
        create or replace table anchored as
        select a.source_dataset as source_dataset_l, a.unique_id as unique_id_l,
               b.source_dataset as source_dataset_r, b.unique_id as unique_id_r
        from residents a join residents b on a.id_number = b.id_number and a.unique_id < b.unique_id
        where {anchored}
    """)
    linker.training.estimate_m_from_pairwise_labels("anchored")
    saved = next(c for c in link_model["comparisons"] if c["output_column_name"] == "id_number")
    levels = [level for level in saved["comparison_levels"] if not level.get("is_null_level")]
    comparison = next(c for c in linker._settings_obj.comparisons
                      if c.output_column_name == "id_number")
    for level, m in zip(comparison._comparison_levels_excluding_null, levels):
        if "m_probability" in m:  # a level the link never observed keeps the anchored pairs'
            level.m_probability = m["m_probability"]
    lap("m")
    return linker, "anchored pairs (EM failed)"


def _arrow(rows, columns):
    """`rows` (tuples) as an Arrow table of text columns named `columns`."""
    import pyarrow as pa

    return pa.table({c: pa.array([r[i] for r in rows], pa.string())
                     for i, c in enumerate(columns)})


if __name__ == "__main__":
    main()
