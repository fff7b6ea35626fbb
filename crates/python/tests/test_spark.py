"""censuslink.spark on Spark local[2] against the single-machine run, on a generated province
of 4 counties and 20,000 persons: the same standardized records, and the same links, lists and
models.

Needs pyspark (with pandas) and Java 17 or later, which `.ci/run` installs, and the
`censuslink` binary (`CENSUSLINK_BIN`, or `target/debug/censuslink`): a missing one fails,
never skips.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyspark  # noqa: F401  (missing: the module fails, as it must in CI)
import pytest

import censuslink
import censuslink.spark as cs

REPO = Path(__file__).resolve().parents[3]


def binary() -> Path:
    path = Path(os.environ.get("CENSUSLINK_BIN", REPO / "target" / "debug" / "censuslink"))
    assert path.is_file(), f"the censuslink binary is needed at {path} (run cargo build)"
    return path


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A province of 4 counties × 5,000 persons and its single-machine run."""
    root = tmp_path_factory.mktemp("province")
    folder = root / "province"
    run = [str(binary()), "synth", "--quiet", "--persons", "20000", "--counties", "4"]
    subprocess.run(run + ["--seed", "7", "--out", str(folder)], check=True)
    out = root / "out"
    done = subprocess.run([str(binary()), "run", "--quiet", "--standardized", "--out", str(out), str(folder / "job.toml")])
    assert done.returncode in (0, 1), done
    return folder, out


@pytest.fixture(scope="module")
def spark():
    session = cs.local_session(cores=2)
    yield session
    session.stop()


def test_spark_reads_every_county_s_file_as_the_single_machine_run_does(province, spark):
    folder, out = province
    job = str(folder / "job.toml")
    files = cs.files(job)
    assert len(files) == 6 * 4, "six sources, each county's file"
    assert [source for source, _ in files[:4]] == ["census"] * 4
    frame = cs.standardize(spark, job)
    assert frame.rdd.getNumPartitions() == len(files), "a task per file"
    records = frame.toArrow()
    schema = cs.standardized_schema(job)
    assert records.schema.names == schema.names
    for source in ["census", "hukou", "birth", "death", "school", "insurance"]:
        ours = records.filter(pa.compute.equal(records["source"], source)).sort_by("position")
        assert ours["position"].to_pylist() == list(range(ours.num_rows)), source
        ours = ours.drop_columns(["source", "position", "row"])
        # The run's file holds the standardized columns, then the raw ones, in the order of
        # the records' positions.
        theirs = pq.read_table(out / "standardized" / f"{source}.parquet")
        theirs = theirs.select(ours.schema.names)
        assert ours.num_rows == theirs.num_rows > 0, source
        assert ours.cast(theirs.schema).equals(theirs), source


def test_the_province_on_spark_gives_the_single_machine_run_s_links_lists_and_models(province, spark, tmp_path):
    folder, out = province
    on_spark = tmp_path / "spark"
    cs.run(spark, str(folder / "job.toml"), str(on_spark))
    lists = ["links", "missing", "duplicates", "deceased", "births", "conflicts", "coverage", "gone"]
    for name in [f"{name}.csv" for name in lists] + ["models.json", "row_issues.csv"]:
        assert (on_spark / name).read_bytes() == (out / name).read_bytes(), name
    assert len((out / "links.csv").read_text(encoding="utf-8").splitlines()) > 20_000
    # Every county's lists too.
    counties = sorted(path.name for path in (out / "counties").iterdir())
    assert len(counties) == 4
    for county in counties:
        for path in sorted((out / "counties" / county).glob("*.csv")):
            assert (on_spark / "counties" / county / path.name).read_bytes() == path.read_bytes()


def test_a_bad_job_fails_on_the_driver_with_the_binary_s_message(province, spark, tmp_path):
    folder, _ = province
    text = (folder / "job.toml").read_text(encoding="utf-8").replace('role = "census"', 'role = "hukou"', 1)
    bad = folder / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(censuslink.Error) as raised:
        cs.standardize(spark, str(bad))
    printed = subprocess.run([str(binary()), "run", "--out", str(tmp_path / "out"), str(bad)], capture_output=True, text=True)
    assert printed.returncode == 2
    assert str(raised.value) in printed.stderr


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    """A small province as offices send them: an extra field kept, one county's insurance
    file only a header (a county with none this month), hukou keys that are ID numbers (too
    few of the source's for its check to refuse them), a file name that is not
    UTF-8 (GBK, from a Windows archive), the job named by a relative path; and its
    single-machine run, from the folder holding it."""
    root = tmp_path_factory.mktemp("awkward")
    run = [str(binary()), "synth", "--quiet", "--persons", "2000", "--counties", "4", "--seed", "3"]
    subprocess.run(run + ["--out", "province"], check=True, cwd=root)
    job = root / "province" / "job.toml"
    text = job.read_text(encoding="utf-8")
    extra = '[source.extra]\nhousehold_kind = "户别"\n\n'
    job.write_text(text.replace("[source.codes.sex]", extra + "[source.codes.sex]", 1), encoding="utf-8")
    insurance = root / "province" / "320116" / "insurance.csv"
    insurance.write_bytes(insurance.read_bytes().split(b"\n")[0] + b"\n")
    hukou = root / "province" / "320116" / "hukou.csv"
    lines = hukou.read_text(encoding="utf-8-sig").split("\n")
    # Eight keys := their ID numbers (公民身份号码): over one in a hundred of this county's
    # keys, under one in a hundred of the source's.
    with_ids = [i for i, line in enumerate(lines[1:], 1) if len((line.split(",") + [""] * 8)[7]) == 18][:8]
    for i in with_ids:
        cells = lines[i].split(",")
        lines[i] = ",".join([cells[7]] + cells[1:])
    hukou.write_text("\n".join(lines), encoding="utf-8-sig")
    os.rename(bytes(root / "province" / "320117" / "school.arrow"), bytes(root / "province" / "320117") + "/school学籍.arrow".encode("gbk"))
    text = job.read_text(encoding="utf-8").replace('path = "3201??/school.arrow"', 'path = "3201??/school*.arrow"')
    job.write_text(text, encoding="utf-8")
    done = subprocess.run([str(binary()), "run", "--quiet", "--standardized", "--out", "out", "province/job.toml"], cwd=root)
    assert done.returncode in (0, 1), done
    return root


def outputs(folder: Path) -> dict:
    """Every file a run wrote, by path within ``folder``, but its timings."""
    found = {path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
    del found[Path("timings.json")]
    return found


def test_an_awkward_province_on_spark_writes_what_the_single_machine_run_writes(awkward, spark, monkeypatch):
    monkeypatch.chdir(awkward)
    records = cs.standardize(spark, "province/job.toml")
    kinds = {row[0] for row in records.select("`extra.household_kind`").distinct().collect()}
    assert "家庭户" in kinds, "the extra field is read"
    records.unpersist()
    cs.run(spark, Path("province/job.toml"), Path("spark"), standardized=True)
    ours, theirs = outputs(awkward / "spark"), outputs(awkward / "out")
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name
    # The report names the job as it was given.
    assert b"province/job.toml" in ours[Path("report.html")]


def test_a_file_that_cannot_be_read_fails_with_the_binary_s_message(awkward, spark, tmp_path):
    folder = tmp_path / "province"
    shutil.copytree(awkward / "province", folder)
    # Two counties' files of another layout: the binary names the first it reads (the census
    # comes before the hukou), and so does Spark, whichever task fails first.
    census = folder / "320118" / "census.csv"
    census.write_bytes(census.read_bytes().replace("户别".encode("gbk"), "户类别".encode("gbk"), 1))
    hukou = folder / "320116" / "hukou.csv"
    hukou.write_bytes(hukou.read_bytes().replace("曾用名".encode(), "别名".encode(), 1))
    with pytest.raises(censuslink.Error) as raised:
        cs.run(spark, str(folder / "job.toml"), str(tmp_path / "spark"))
    assert "320118" in str(raised.value)
    printed = subprocess.run([str(binary()), "run", "--out", str(tmp_path / "out"), str(folder / "job.toml")], capture_output=True, text=True)
    assert printed.returncode == 2
    assert str(raised.value) in printed.stderr
    assert not (tmp_path / "spark").exists()
    # In the language asked for, as the binary's --lang.
    with pytest.raises(censuslink.Error) as raised:
        cs.run(spark, folder / "job.toml", tmp_path / "spark", lang="en")
    assert "header differs" in str(raised.value)
    english = ["--lang", "en", "run", "--out", str(tmp_path / "out"), str(folder / "job.toml")]
    printed = subprocess.run([str(binary())] + english, capture_output=True, text=True)
    assert str(raised.value) in printed.stderr


def pairs(*rows):
    a, b, weight = zip(*rows)
    return pa.table({"a": pa.array(a, pa.int64()), "b": pa.array(b, pa.int64()), "weight": pa.array(weight, pa.float64())})


def test_one_to_one_links_on_spark_are_the_pairs_both_records_choose(spark):
    cluster = cs._Cluster(spark, None, ["census", "hukou"])
    # 1's best is 2, taken by 0: 1 stays unlinked rather than falling to 3. 4's two pairs
    # weigh the same: the tie goes to the lower record, 5, so 6 is left alone.
    found = cluster.one_to_one(
        '{"left": 0, "right": 1}',
        pairs((0, 2, 20.0), (1, 2, 15.0), (1, 3, 6.0), (0, 3, 1.0), (4, 5, 8.0), (4, 6, 8.0)),
        5.0,
    )
    assert sorted(zip(*found.to_pydict().values())) == [(0, 2, 20.0), (4, 5, 8.0)]


def test_clusters_on_spark_keep_a_weak_pair_from_chaining_two_clusters(spark):
    cluster = cs._Cluster(spark, None, ["census"])
    rows = [(2, 3, 4.0), (5, 6, 10.0), (7, 8, 2.0)]
    rows += [(a, b, 20.0) for a, b in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)]]
    # A chain of five: four rounds of label propagation.
    rows += [(10, 11, 9.0), (11, 12, 9.0), (12, 13, 9.0), (13, 14, 9.0)]
    found = cluster.clusters('{"left": 0, "right": null}', pairs(*rows), 3.0).to_pydict()
    assigned = dict(zip(found["record"], found["cluster"]))
    # {0, 1, 2} and {3, 4, 5, 6} stay apart: one weak pair does not merge two clusters of
    # several records; 7 and 8 (below the threshold) are in no pair at it.
    assert assigned == {0: 0, 1: 0, 2: 0, 3: 3, 4: 3, 5: 3, 6: 3, 10: 10, 11: 10, 12: 10, 13: 10, 14: 10}


class FailingScores:
    def score(self, spec, anchor_model):
        raise RuntimeError("the cluster went away")


class FailingLinks(cs._Cluster):
    """Scores on Spark, then fails to resolve the first link scored."""

    def one_to_one(self, spec, pairs, min_weight):
        raise RuntimeError("the cluster went away while resolving")


def test_a_link_that_fails_on_the_cluster_fails_the_run_and_writes_nothing(province, spark, tmp_path):
    folder, _ = province
    job = str(folder / "job.toml")
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="the cluster went away"):
        censuslink._native.run_scored(job, str(out), FailingScores())
    assert not out.exists()
    records = cs.standardize(spark, job)
    names = list(dict.fromkeys(source for source, _ in cs.files(job)))
    with pytest.raises(RuntimeError, match="while resolving"):
        censuslink._native.run_scored(job, str(out), FailingLinks(spark, records, names))
    assert not out.exists()
