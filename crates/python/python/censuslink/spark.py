"""censuslink on Apache Spark: a province's reconciliation spread over a cluster.

The work is the Rust library's, called inside Spark's Python workers through the same
extension module as the rest of the package; Spark moves the data between them. Tables cross
between the JVM and the workers as Arrow record batches (``mapInArrow``), and between the
workers and the library through the Arrow C data interface: nothing is serialized row by row.

Built so far: the first stage, :func:`standardize`: every file of every source of a job read
and standardized by the library, one Spark task per file, into one DataFrame of standardized
records, the same records a single-machine run writes into ``out/standardized/``.

Needs ``pyspark`` (4.x, with ``pandas``, which its Arrow functions require) and Java 17 or
later; ``censuslink`` itself does not depend on them.
"""

from __future__ import annotations

import os
import sys
from typing import Iterator, List, Tuple

import pyarrow as pa

from . import _native

__all__ = ["files", "local_session", "standardize", "standardized_schema"]


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


def files(job_path: str) -> List[Tuple[str, str]]:
    """Every file the job at ``job_path`` reads: ``(source name, path)``, sources in job order,
    each source's files in the order it reads them (a wildcard's matches sorted by path)."""
    return [tuple(pair) for pair in _native.job_files(job_path)]


def standardized_schema(job_path: str) -> pa.Schema:
    """The schema of :func:`standardize`'s records for the job at ``job_path``: ``source``,
    then the standardized columns a run writes (``row`` numbered within the file), unsigned
    integers as ``int64``, which Spark has."""
    schema = _native.standardized_schema(job_path)
    fields = [pa.field("source", pa.string())]
    for field in schema:
        kind = pa.int64() if pa.types.is_unsigned_integer(field.type) else field.type
        fields.append(pa.field(field.name, kind))
    return pa.schema(fields)


def standardize(spark, job_path: str):
    """Every record of every source of the job at ``job_path``, standardized by the library in
    Spark tasks, one per file: a DataFrame of :func:`standardized_schema`.

    The job is checked whole on the driver first (as ``censuslink run`` checks it), so a bad
    job fails before any task starts; a file that cannot be read fails its task with the
    library's one-line message.
    """
    job_path = os.path.abspath(job_path)
    tasks = files(job_path)
    schema = standardized_schema(job_path)
    # One partition per file, each a task of its own.
    rows = spark.sparkContext.parallelize(tasks, max(len(tasks), 1))
    frame = spark.createDataFrame(rows, "source string, path string")

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from censuslink import _native as native

        for batch in batches:
            pairs = zip(batch.column("source").to_pylist(), batch.column("path").to_pylist())
            for source, path in pairs:
                table = native.standardize_file(job_path, source, path)
                names = pa.array([source] * table.num_rows, pa.string())
                table = table.add_column(0, "source", names)
                yield from table.cast(schema).to_batches()

    from pyspark.sql.pandas.types import from_arrow_schema

    return frame.mapInArrow(read, from_arrow_schema(schema))
