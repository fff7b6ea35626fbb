"""censuslink on Apache Spark: a province's reconciliation spread over a cluster.

The work is the Rust library's, called inside Spark's Python workers through the same
extension module as the rest of the package; Spark moves the data between them. Tables cross
between the JVM and the workers as Arrow record batches (``mapInArrow``), and between the
workers and the library through the Arrow C data interface: nothing is serialized row by row.

- :func:`standardize`: every file of every source of a job read and standardized by the
  library, one Spark task per file, into one DataFrame of standardized records, the same
  records ``censuslink run --standardized`` writes into ``out/standardized/``, each numbered
  by its position in its source.
- :func:`run`: the whole reconciliation, each link's quadratic work on Spark: blocking keys
  in the workers, blocks by Spark's shuffle on their keys (a block over the cap is skipped
  and reported as a single-machine run reports it), the pairs of whole blocks counted for
  training in the workers, u from seeded random pairs joined to their records, the model
  fitted on the driver to the counts, and every pair scored in the workers with the values'
  frequencies over every record; each link's one-to-one links (the pairs both records choose)
  and the census's duplicate clusters (connected components by label propagation, each
  component's clusters made by the library) resolved on Spark too. The driver's library run
  classifies what Spark linked and writes every output as ``censuslink run`` does. Training is on the
  seeded samples a single machine draws (u's random pairs, each EM rule's pairs beyond
  ``em_pairs``), drawn by the records' numbers: the same samples, so the same model.

Needs ``pyspark`` (4.x, with ``pandas``, which its Arrow functions require) and Java 17 or
later; ``censuslink`` itself does not depend on them.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Iterator, List, Optional, Tuple

import pyarrow as pa

from . import _native

__all__ = ["costs", "files", "local_session", "run", "standardize", "standardized_schema"]


def local_session(cores: int = 2, memory: str = "2g"):
    """A local Spark session of ``cores`` threads for tests and one-machine runs: no web UI,
    no progress bar, workers running this interpreter, everything on the loopback address.

    A cluster's session is the cluster's to configure; the functions here take any session.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("censuslink")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", str(2 * cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.sql.execution.arrow.pyspark.validateSchema.enabled", "true")
        .getOrCreate()
    )


def files(job_path, lang: Optional[str] = None) -> List[Tuple[str, str]]:
    """Every file the job at ``job_path`` reads: ``(source name, path)``, sources in job order,
    each source's files in the order it reads them (a wildcard's matches sorted by path).
    Raises :class:`censuslink.Error` (in ``lang``, else the job's language) when the job
    cannot be run."""
    return [tuple(pair) for pair in _native.job_files(os.fspath(job_path), lang)]


def standardized_schema(job_path, lang: Optional[str] = None) -> pa.Schema:
    """The schema of :func:`standardize`'s records for the job at ``job_path``: ``source``,
    ``position`` (the record's position in its source, from 0, as a single-machine run numbers
    its records), then the standardized columns a run writes (``row`` numbered within the
    file), unsigned integers as ``int64``, which Spark has."""
    schema = _native.standardized_schema(os.fspath(job_path), lang)
    fields = [pa.field("source", pa.string()), pa.field("position", pa.int64())]
    for field in schema:
        kind = pa.int64() if pa.types.is_unsigned_integer(field.type) else field.type
        fields.append(pa.field(field.name, kind))
    return pa.schema(fields)


def standardize(spark, job_path, lang: Optional[str] = None):
    """Every record of every source of the job at ``job_path``, standardized by the library in
    Spark tasks, one per file: a DataFrame of :func:`standardized_schema`, persisted (every
    link reads it).

    The job is checked whole on the driver first (as ``censuslink run`` checks it), so a bad
    job fails before any task starts. A file that cannot be read raises
    :class:`censuslink.Error` with the binary's message, the first such file in the job's
    order whichever task failed first; messages in ``lang``, else the job's language. A
    relative ``job_path`` is read from the driver's working directory, which the workers must
    see too (as they must see the job's files).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    job_path = os.fspath(job_path)
    tasks = files(job_path, lang)
    schema = standardized_schema(job_path, lang)
    # Each file's records numbered within it (`index`), with the file's place in the job
    # (`task`); a file that cannot be read is one row of its `error`.
    read_schema = pa.schema(
        [pa.field("task", pa.int64()), pa.field("index", pa.int64()), pa.field("error", pa.string())]
        + [field.with_nullable(True) for field in schema if field.name != "position"]
    )
    # A task per file, the file named by its source and its place there (a file name need not
    # be text).
    numbered = [(source, sum(s == source for s, _ in tasks[:task]), task) for task, (source, _) in enumerate(tasks)]
    rows = spark.sparkContext.parallelize(numbered, max(len(tasks), 1))
    frame = spark.createDataFrame(rows, "source string, file long, task long")
    where = os.getcwd()

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from censuslink import _native as native

        # Paths as the driver names them, in its messages too.
        if not os.path.isabs(job_path) and os.getcwd() != where:
            os.chdir(where)
        for batch in batches:
            columns = (batch.column(name).to_pylist() for name in ("source", "file", "task"))
            for source, file, task in zip(*columns):
                try:
                    table = native.standardize_file(job_path, source, file, lang)
                except native.Error as err:
                    failed = {"task": task, "index": -1, "source": source, "error": str(err)}
                    yield pa.RecordBatch.from_pylist([failed], schema=read_schema)
                    continue
                n = table.num_rows
                table = table.add_column(0, "source", pa.array([source] * n, pa.string()))
                table = table.add_column(0, "error", pa.nulls(n, pa.string()))
                table = table.add_column(0, "index", pa.array(range(n), pa.int64()))
                table = table.add_column(0, "task", pa.array([task] * n, pa.int64()))
                yield from table.select(read_schema.names).cast(read_schema).to_batches()

    _stage(spark, "", "standardize")
    records = frame.mapInArrow(read, from_arrow_schema(read_schema)).persist()
    counts = records.groupBy("source", "task").agg(F.count(F.lit(1)).alias("count"), F.max("error").alias("error"))
    counts = sorted(counts.collect(), key=lambda row: row["task"])
    failed = [row["error"] for row in counts if row["error"] is not None]
    if failed:
        records.unpersist()
        raise _native.Error(failed[0])
    # A record's position: the rows of its source's earlier files, then its index.
    offsets, before = [], {}
    for row in counts:
        offsets.append((row["task"], before.get(row["source"], 0)))
        before[row["source"]] = before.get(row["source"], 0) + row["count"]
    offsets = spark.createDataFrame(offsets, "task long, offset long")
    positioned = records.join(F.broadcast(offsets), "task")
    positioned = positioned.withColumn("position", F.col("offset") + F.col("index"))
    positioned = positioned.select([F.col(f"`{name}`") for name in schema.names]).persist()
    positioned.count()
    records.unpersist()
    return positioned


def run(spark, job_path, out, lang: Optional[str] = None, standardized: bool = False) -> None:
    """Runs the job at ``job_path`` as ``censuslink run`` does, writing every output into
    ``out``, each link's pairs made, counted for training and scored on ``spark`` (see the
    module's documentation): the same links, lists and models as a single machine's run.
    With ``standardized``, each source's standardized records are written into
    ``out/standardized/`` too, as ``censuslink run --standardized`` writes them.

    Raises :class:`censuslink.Error` with the binary's message when the job cannot be run, and
    what Spark raised when a stage failed (the outputs are then left as they were).
    """
    job_path, out = os.fspath(job_path), os.fspath(out)
    names = list(dict.fromkeys(source for source, _ in files(job_path, lang)))
    records = standardize(spark, job_path, lang)
    try:
        _native.run_scored(job_path, out, _Cluster(spark, records, names), lang, standardized)
    finally:
        records.unpersist()


class _Cluster:
    """What :func:`run`'s library asks of Spark, one call at a time, each a link's (``spec``,
    its JSON text): its pairs scored, its one-to-one links, its clusters."""

    def __init__(self, spark, records, names: List[str]):
        self.spark = spark
        self.records = records
        self.names = names

    def _sources(self, spec: str) -> Tuple[dict, str, Optional[str]]:
        link = json.loads(spec)
        right = None if link["right"] is None else self.names[link["right"]]
        return link, self.names[link["left"]], right

    def score(self, spec: str, anchor_model: Optional[str]):
        link, left, right = self._sources(spec)
        return _link(self.spark, self.records, spec, link, left, right, anchor_model)

    def one_to_one(self, spec: str, pairs: pa.Table, min_weight: float) -> pa.Table:
        """The pairs of at least ``min_weight`` that are the heaviest of both their records
        (ties to the lower record numbers): ``censuslink_linkage::one_to_one``."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        _, left, right = self._sources(spec)
        with _staged(self.spark, _link_name(left, right), "resolve"):
            kept = self.spark.createDataFrame(pairs).where(F.col("weight") >= min_weight)
            ends = kept.select(F.col("a").alias("record"), "a", "b", "weight").union(
                kept.select(F.col("b").alias("record"), "a", "b", "weight")
            )
            order = Window.partitionBy("record").orderBy(F.desc("weight"), "a", "b")
            best = ends.withColumn("rank", F.row_number().over(order)).where(F.col("rank") == 1)
            # A pair both of whose records chose it.
            chosen = best.groupBy("a", "b", "weight").count().where(F.col("count") == 2)
            return chosen.select("a", "b", "weight").toArrow()

    def clusters(self, spec: str, pairs: pa.Table, min_weight: float) -> pa.Table:
        """Every record of the pairs of at least ``min_weight`` with its cluster
        (``censuslink_linkage::clusters``): the pairs' connected components by label
        propagation, then each component's clusters made by the library, heaviest pair first,
        with its guard against a weak pair chaining two clusters."""
        from pyspark.sql import functions as F

        spark = self.spark
        _, left, right = self._sources(spec)
        links = spark.createDataFrame(pairs).where(F.col("weight") >= min_weight).persist()
        reversed_ = links.select(F.col("b").alias("a"), F.col("a").alias("b"))
        edges = links.select("a", "b").union(reversed_).persist()
        try:
            with _staged(spark, _link_name(left, right), "resolve"):
                # Each record's component: the lowest record it reaches. Each round a record
                # takes its neighbours' lowest label, as many rounds as the longest way from a
                # component's lowest record; checkpointed each round (the plan stays short).
                labels = edges.groupBy("a").agg(F.least(F.min("b"), F.col("a")).alias("label"))
                labels = labels.localCheckpoint()
                while True:
                    offered = edges.join(labels.withColumnRenamed("a", "b"), "b")
                    offered = offered.groupBy("a").agg(F.min("label").alias("offered"))
                    lower = labels.join(offered, "a").select(
                        "a",
                        F.least("label", "offered").alias("label"),
                        (F.col("offered") < F.col("label")).alias("changed"),
                    ).localCheckpoint()
                    labels = lower.select("a", "label")
                    if lower.where(F.col("changed")).isEmpty():
                        break

                def resolve(table: pa.Table) -> pa.Table:
                    from censuslink import _native as native

                    return native.component_clusters(table.select(["a", "b", "weight"]), min_weight)

                component = labels.withColumnRenamed("label", "component")
                grouped = links.join(component, "a").groupBy("component")
                return grouped.applyInArrow(resolve, "record long, cluster long").toArrow()
        finally:
            links.unpersist()
            edges.unpersist()


def _link_name(left: str, right: Optional[str]) -> str:
    """A link's name in Spark's job groups: ``census-hukou``; ``census`` for a deduplication."""
    return left if right is None else f"{left}-{right}"


class _staged:
    """Spark's jobs within named ``censuslink/<stage>/<link>`` (see :func:`costs`), the name
    cleared after."""

    def __init__(self, spark, link: str, stage: str):
        self.spark, self.link, self.stage = spark, link, stage

    def __enter__(self):
        _stage(self.spark, self.link, self.stage)

    def __exit__(self, *_):
        self.spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)


def _stage(spark, link: str, stage: str) -> None:
    """Names the Spark jobs that follow: ``censuslink/<stage>/<link>`` (see :func:`costs`)."""
    spark.sparkContext.setJobGroup(f"censuslink/{stage}/{link}", f"{stage} {link}")


def costs(spark) -> List[dict]:
    """What each stage of the runs on ``spark`` so far cost, as Spark's status store recorded
    it: for each Spark stage of a censuslink stage (``standardize``, ``records``, ``keys``,
    ``blocks``, ``shares``, ``counts``, ``u``, ``score``, ``resolve``) of a link (``census-hukou``;
    ``census`` for its deduplication), each task's run time in milliseconds and the records it
    read (from files or shuffle; not from Spark's cache), and the shuffle bytes written and
    read. As many jobs as the store keeps (``spark.ui.retainedJobs``, 1,000 by default)."""
    store = spark.sparkContext._jsc.sc().statusStore()
    found = []
    seen = set()
    jobs = store.jobsList(None)
    for i in range(jobs.size()):
        job = jobs.apply(i)
        group = job.jobGroup()
        if group.isEmpty() or not group.get().startswith("censuslink/"):
            continue
        _, stage, link = group.get().split("/", 2)
        stage_ids = job.stageIds()
        for j in range(stage_ids.size()):
            stage_id = stage_ids.apply(j)
            if stage_id in seen:
                continue
            seen.add(stage_id)
            try:
                data = store.lastStageAttempt(stage_id)
            except Exception:  # a stage skipped (its output reused) never ran
                continue
            tasks = []
            listed = store.taskList(stage_id, data.attemptId(), 1_000_000)
            for k in range(listed.size()):
                metrics = listed.apply(k).taskMetrics()
                if metrics.isDefined():
                    metrics = metrics.get()
                    read = metrics.inputMetrics().recordsRead()
                    read += metrics.shuffleReadMetrics().recordsRead()
                    tasks.append([metrics.executorRunTime(), read])
            if tasks:
                found.append({
                    "stage": stage,
                    "link": link,
                    "spark_stage": stage_id,
                    "tasks": tasks,
                    "shuffle_write": data.shuffleWriteBytes(),
                    "shuffle_read": data.shuffleReadBytes(),
                })
    return sorted(found, key=lambda entry: entry["spark_stage"])


# The columns a link's tables carry beside the standardized ones.
_KEYS = "set byte, rule int, key long, side byte, position long"


def _whole_partition(batches: Iterator[pa.RecordBatch]) -> Optional[pa.Table]:
    """A partition's batches as one table; ``None`` when it has no row."""
    batches = [batch for batch in batches if batch.num_rows > 0]
    return pa.Table.from_batches(batches) if batches else None


def _residents(records):
    """The census records its deduplication compares (the library's ``deduplicated``: read
    whole, listed where they live), numbered among themselves in position order: the records
    of each run of a million positions counted on the driver, then numbered within it."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    kept = records.where(F.col("rejected").isNull() & ~F.col("record_type").eqNullSafe("registered_away"))
    kept = kept.withColumn("run", F.floor(F.col("position") / 1_000_000))
    offsets, before = [], 0
    for row in sorted(kept.groupBy("run").count().collect()):
        offsets.append((row["run"], before))
        before += row["count"]
    offsets = records.sparkSession.createDataFrame(offsets, "run long, offset long")
    within = F.row_number().over(Window.partitionBy("run").orderBy("position")) - 1
    numbered = kept.join(F.broadcast(offsets), "run").withColumn("position", F.col("offset") + within)
    return numbered.drop("run", "offset")


def _link(spark, records, spec: str, link: dict, left: str, right: Optional[str], anchor_model):
    """One link on Spark: ``(model, training, rules, pairs)`` as :func:`run`'s library asks."""
    from pyspark.sql import functions as F

    settings = link["settings"]
    cap = settings["training"]["block_cap"]
    dedupe = right is None
    sources = [left] if dedupe else [left, right]
    side = F.lit(0) if dedupe else F.when(F.col("source") == left, 0).otherwise(1)
    # Only the columns the link's features are made of travel with its records.
    needed = [name for name in _native.link_columns(spec) if name in records.columns]
    columns = [F.col("position"), side.cast("byte").alias("side")] + [F.col(f"`{name}`") for name in needed]
    mine = records.where(F.col("source").isin(sources))
    if link["residents"]:
        mine = _residents(mine)
    mine = mine.select(columns)
    name = _link_name(left, right)
    _stage(spark, name, "records")
    mine = mine.persist()
    n = mine.count()
    n_left = n if dedupe else mine.where(F.col("side") == 0).count()

    # Every record's keys; the values of the frequency comparisons counted.
    def keys(batches):
        from censuslink import _native as native

        table = _whole_partition(batches)
        if table is not None:
            yield from native.link_keys(spec, table).to_batches()

    def terms(batches):
        from censuslink import _native as native

        table = _whole_partition(batches)
        if table is not None:
            yield pa.RecordBatch.from_pydict({"terms": [native.link_terms(spec, table)]})

    _stage(spark, name, "keys")
    keyed = mine.mapInArrow(keys, _KEYS).persist()
    keyed.count()
    counted_terms = [row["terms"] for row in mine.mapInArrow(terms, "terms string").collect()]
    all_terms = spark.sparkContext.broadcast(_native.add_terms(counted_terms))

    # Blocks by key: their pairs, those over the cap.
    n_left_in = F.sum(1 - F.col("side").cast("long"))
    n_right_in = F.sum(F.col("side").cast("long"))
    n_all = F.count(F.lit(1))
    blocks = keyed.groupBy("set", "rule", "key").agg(
        n_left_in.alias("n_left"), n_right_in.alias("n_right"), n_all.alias("n")
    )
    pairs_of = (F.col("n") * (F.col("n") - 1) / 2) if dedupe else F.col("n_left") * F.col("n_right")
    blocks = blocks.withColumn("pairs", pairs_of.cast("long")).where(F.col("pairs") > 0).persist()
    _stage(spark, name, "blocks")
    n_sets = 2 if settings["training"]["em_rules"] else 1
    n_rules = [len(settings["blocking"]), len(settings["training"]["em_rules"])][:n_sets]
    capped = blocks.where(F.col("pairs") > cap).select("set", "rule", "key").collect()
    within = blocks.where(F.col("pairs") <= cap).groupBy("set", "rule").agg(F.sum("pairs").alias("pairs")).collect()
    sizes = [{"capped": [[] for _ in range(n)], "pairs": [0] * n} for n in n_rules]
    for row in capped:
        sizes[row["set"]]["capped"][row["rule"]].append(row["key"] & 0xFFFFFFFFFFFFFFFF)
    for row in within:
        sizes[row["set"]]["pairs"][row["rule"]] = row["pairs"]
    for size in sizes:
        for keys_of_rule in size["capped"]:
            keys_of_rule.sort()
    sizes_json = json.dumps(sizes)
    figures = (
        blocks.where(F.col("set") == 0)
        .groupBy("rule")
        .agg(
            F.count(F.lit(1)).alias("blocks"),
            F.max("pairs").alias("largest_block"),
            F.sum(F.when(F.col("pairs") > cap, 1).otherwise(0)).alias("capped_blocks"),
            F.sum(F.when(F.col("pairs") > cap, F.col("pairs")).otherwise(0)).alias("capped_pairs"),
        )
        .collect()
    )

    # Shares of whole blocks: each record once per block within the cap it is in.
    kept = blocks.where(F.col("pairs") <= cap).select("set", "rule", "key")
    rows = keyed.join(kept, ["set", "rule", "key"]).join(mine, ["side", "position"])
    partitions = max(spark.sparkContext.defaultParallelism * 2, n // 50_000)
    _stage(spark, name, "shares")
    shares = rows.repartition(partitions, "set", "rule", "key").persist()
    shares.count()

    def counts(batches):
        from censuslink import _native as native

        table = _whole_partition(batches)
        if table is not None:
            counted = native.link_counts(spec, sizes_json, n_left, table)
            yield pa.RecordBatch.from_pydict({"counts": [counted]})

    _stage(spark, name, "counts")
    share_counts = [row["counts"] for row in shares.mapInArrow(counts, "counts string").collect()]

    # u: the seeded random pairs, drawn in the workers by chunk; the pairs of each part (a
    # few chunks) meet the records they need, each record once a part.
    chunks = _native.link_random_chunks(spec)
    parts = max(min(chunks, partitions), 1)

    def draw(batches):
        from censuslink import _native as native

        for batch in batches:
            for chunk in batch.column("id").to_pylist():
                drawn = native.link_random_pairs(spec, n_left, n, chunk)
                part = pa.array([chunk % parts] * drawn.num_rows, pa.int64())
                yield from drawn.add_column(0, "part", part).to_batches()

    drawn = spark.range(chunks, numPartitions=parts).mapInArrow(draw, "part long, a long, b long")
    ends = drawn.select("part", F.col("a").alias("number")).union(drawn.select("part", F.col("b").alias("number")))
    on_right = (F.col("number") >= n_left) if not dedupe else F.lit(False)
    ends = ends.select(
        F.col("part").alias("of_part"),  # a name of its own: both sides come from `drawn`
        F.when(on_right, 1).otherwise(0).cast("byte").alias("side"),
        F.when(on_right, F.col("number") - n_left).otherwise(F.col("number")).alias("position"),
    ).distinct()
    # A million pairs' ends, whatever the link's size: sent to every task of the records.
    pair_records = mine.join(F.broadcast(ends), ["side", "position"])

    def levels(pairs_of_part: pa.Table, records_of_part: pa.Table) -> pa.Table:
        from censuslink import _native as native

        counted = native.link_levels(spec, n_left, pairs_of_part, records_of_part)
        return pa.table({"levels": [counted]})

    _stage(spark, name, "u")
    grouped = drawn.groupBy("part").cogroup(pair_records.groupBy("of_part"))
    share_levels = [row["levels"] for row in grouped.applyInArrow(levels, "levels string").collect()]
    model, training, pairs_by_rule = _native.link_fit(spec, share_counts, share_levels, n_left, n, anchor_model)
    fitted = spark.sparkContext.broadcast(model)

    def scored(batches):
        from censuslink import _native as native

        table = _whole_partition(batches)
        if table is not None:
            found = native.link_pairs(spec, sizes_json, n_left, fitted.value, all_terms.value, table)
            yield from found.to_batches()

    _stage(spark, name, "score")
    pairs = shares.mapInArrow(scored, "a long, b long, weight double").toArrow()
    spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    pairs_by_rule = json.loads(pairs_by_rule)
    by_rule = {row["rule"]: row for row in figures}
    rules = []
    for index, rule in enumerate(settings["blocking"]):
        row = by_rule.get(index)
        rules.append({
            "rule": rule["name"],
            "blocks": row["blocks"] if row else 0,
            "pairs": pairs_by_rule[index],
            "largest_block": row["largest_block"] if row else 0,
            "capped_blocks": row["capped_blocks"] if row else 0,
            "capped_pairs": row["capped_pairs"] if row else 0,
        })
    for frame in (mine, keyed, blocks, shares):
        frame.unpersist()
    for shared in (all_terms, fitted):
        shared.unpersist()
    return model, training, json.dumps(rules), pairs
