"""censuslink for Python: census reconciliation runs, and record linkage of any person data.

Tables go in and come out as Arrow: a ``pyarrow.Table``, or anything with the Arrow C stream
interface (``__arrow_c_stream__``: polars DataFrames, pyarrow RecordBatchReaders, DuckDB
results); a pandas DataFrame is turned into a ``pyarrow.Table`` first. The columns cross into
the Rust library as Arrow buffers, never serialized and never through CSV.

>>> import pyarrow as pa, censuslink
>>> left = pa.table({"id": ["1", "2", "3"], "name": ["张伟", "李娜", "王芳"],
...                  "born": ["1949-12-31", "1980-01-01", "1990-02-02"]})
>>> right = pa.table({"id": ["7", "8", "9"], "name": ["张伟", "李娜", "赵敏"],
...                   "born": ["1949-12-31", "1980-01-01", "2000-03-03"]})
>>> settings = {
...     "key": "id",
...     "fields": {"name": "name", "birth_date": "born"},
...     "linkage": {
...         "threshold": 0.5,
...         "comparisons": [{"feature": "name", "kind": "name"}, {"feature": "birth_date", "kind": "date"}],
...         "blocking": [{"name": "birth month", "keys": ["birth_date.year_month"]}],
...         "training": {"anchor": ["name", "birth_date"], "u_pairs": 100},
...     },
... }
>>> result = censuslink.link(left, right, settings)
>>> result.links.column("right_id").to_pylist()
['7', '8']

Every error is a :class:`censuslink.Error` whose message is the one line the ``censuslink``
command prints (in Chinese by default, ``lang="en"`` for English).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pyarrow as pa

from . import _native
from ._native import Error, standardize_id, standardize_name

__all__ = [
    "Error",
    "Linkage",
    "Run",
    "dedupe",
    "explain",
    "link",
    "run",
    "standardize_id",
    "standardize_name",
]
__version__: str = _native.__version__

# The keys of `settings` that map a table's columns, as a job file's `[[source]]` has them.
_SOURCE_KEYS = ("key", "fields", "extra", "codes", "missing")
# The keys of `settings` that are the job's own.
_JOB_KEYS = ("reference_moment", "lang", "timezone", "date_range", "linkage")


@dataclass(frozen=True)
class Linkage:
    """What :func:`link` or :func:`dedupe` made.

    Attributes:
        links: one row per link: ``left_source``, ``left_id``, ``right_source``, ``right_id``
            (each record by its source and key), ``match_weight`` and ``match_probability``.
            For :func:`dedupe`, the pairs at the threshold within each cluster.
        clusters: every usable record with its cluster: ``cluster_id`` (stable: from its
            members' keys), ``cluster_size``, ``source``, ``id``.
        models: each link's trained model as ``models.json`` holds it (``left``, ``right``,
            ``threshold``, ``model`` with the prior and each comparison's levels, m and u).
    """

    links: pa.Table
    clusters: pa.Table
    models: List[Dict[str, Any]]


@dataclass(frozen=True)
class Run:
    """What :func:`run` made.

    Attributes:
        tables: the lists by name (``links``, ``missing``, ``duplicates``, ``deceased``,
            ``births``, ``conflicts``, ``coverage``), as ``censuslink run`` writes them.
        summary: ``summary.json``: the sources, the row accounting, the lists' counts, the
            coverage and the findings.
    """

    tables: Dict[str, pa.Table]
    summary: Dict[str, Any]


def run(job_path: str, out: str = "out", *, lang: Optional[str] = None, standardized: bool = False) -> Run:
    """Runs a job file as ``censuslink run JOB --out OUT`` does, writing every output into
    ``out`` (created if absent), and returns its lists and summary.

    Args:
        job_path: the job file.
        out: the output folder.
        lang: ``"zh"`` or ``"en"`` for the report, worklists and messages; by default the
            job's ``lang``.
        standardized: also write each source's standardized records, beside its raw rows,
            into ``out/standardized/<source>.parquet`` (``censuslink run --standardized``).

    Raises:
        Error: the job, a source or an output folder cannot be used; the message says which
            and what to fix.
    """
    tables, summary = _native.run(str(job_path), str(out), lang, standardized)
    return Run(tables=dict(tables), summary=json.loads(summary) if summary else {})


def link(
    left: Any,
    right: Any,
    settings: Mapping[str, Any],
    *,
    many_to_one: bool = False,
    lang: Optional[str] = None,
) -> Linkage:
    """Links the records of ``left`` to those of ``right``, as ``censuslink link`` links a
    job's first source to its second, with no census semantics.

    Args:
        left, right: tables (see the module's documentation for what is accepted).
        settings: how both tables are read and linked, with a job file's keys: ``key`` (the
            column or columns naming a record), ``fields`` (canonical field → column:
            ``name``, ``id_number``, ``birth_date``, ``sex``...), ``extra`` (any other
            feature → column), ``codes``, ``missing``, and ``linkage`` (the job's
            ``[linkage]`` table: comparisons, blocking, training, threshold; the defaults for
            Chinese person records when left out); ``reference_moment``, ``timezone``,
            ``date_range``, ``lang``. ``left`` and ``right`` override the mapping keys for one
            side (``{"left": {"key": "uid"}}``).
        many_to_one: let several records of ``right`` link to one of ``left`` (by default each
            record links once at most).
        lang: ``"zh"`` or ``"en"`` for messages; by default ``settings["lang"]``, or zh.

    Returns:
        the links, the clusters and the model.

    Raises:
        Error: the settings or a table cannot be used, or the model cannot be trained.
    """
    job = _job(settings, ["left", "right"])
    task = "many_to_one" if many_to_one else "link"
    return _linkage(_native.link([_arrow(left), _arrow(right)], json.dumps(job), task, lang))


def dedupe(table: Any, settings: Mapping[str, Any], *, lang: Optional[str] = None) -> Linkage:
    """Finds the records of ``table`` that are one person, as ``censuslink dedupe`` does.

    Args:
        table: the records (see the module's documentation for what is accepted).
        settings: as for :func:`link`, without ``left`` and ``right``.
        lang: ``"zh"`` or ``"en"`` for messages.

    Returns:
        the clusters, the pairs within them (``links``) and the model.

    Raises:
        Error: the settings or the table cannot be used, or the model cannot be trained.
    """
    job = _job(settings, ["records"])
    return _linkage(_native.link([_arrow(table)], json.dumps(job), "dedupe", lang))


def explain(
    job_path: str,
    out: str = "out",
    *,
    records: Optional[Tuple[str, str]] = None,
    candidate: Optional[str] = None,
    lang: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """Explains two records, or the pairs behind a candidate of a run's lists, field by field
    under the models the run trained, as ``censuslink explain`` does.

    Args:
        job_path: the job file of the run.
        out: the run's output folder (its ``models.json`` and lists).
        records: two records as the lists name them, ``("census:3201", "hukou:3202")``.
        candidate: a candidate ID of the run's missing, duplicate or deceased lists.
        lang: ``"zh"`` or ``"en"`` for messages; by default the job's.

    Returns:
        one dict per pair: ``left``, ``right``, ``link`` and ``explanation`` (the prior's
        weight, each comparison's ``feature``, ``label``, ``level``, ``weight`` and
        ``tf_adjustment``, the ``total`` weight and the ``probability``).

    Raises:
        Error: the run's outputs, a source or a record cannot be found.
    """
    made = _native.explain(str(job_path), str(out), records, candidate, lang)
    return json.loads(made)


def _linkage(made: Any) -> Linkage:
    links, clusters, models = made
    # The files write weights and probabilities with six decimals; here they are numbers.
    for name in ("match_weight", "match_probability"):
        index = links.schema.get_field_index(name)
        links = links.set_column(index, name, links.column(name).cast(pa.float64()))
    return Linkage(links=links, clusters=clusters, models=json.loads(models))


def _arrow(table: Any) -> Any:
    """A table the Arrow C stream interface can carry: as given, or a pandas DataFrame as a
    pyarrow Table."""
    if hasattr(table, "__arrow_c_stream__"):
        return table
    if type(table).__module__.startswith("pandas"):
        try:
            return pa.Table.from_pandas(table, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError) as err:
            # pyarrow's own message may quote a value of the data: not repeated.
            raise Error(
                f"cannot turn the pandas DataFrame into Arrow ({type(err).__name__}): give each "
                "column one type, e.g. DataFrame.astype(str)"
            ) from None
    raise TypeError(
        f"expected a pyarrow Table or an object with __arrow_c_stream__, got {type(table).__name__}"
    )


def _job(settings: Mapping[str, Any], names: List[str]) -> Dict[str, Any]:
    """The job file's keys for ``settings``: one source per name, read from the table handed
    over (``format = "arrow"``), mapped by the settings' source keys and its own overrides."""
    unknown = set(settings) - set(_SOURCE_KEYS) - set(_JOB_KEYS) - set(names)
    if unknown:
        known = ", ".join([*_SOURCE_KEYS, *_JOB_KEYS, *names])
        raise Error(f"settings: unknown key {sorted(unknown)[0]!r}; the keys are {known}")
    job: Dict[str, Any] = {key: settings[key] for key in _JOB_KEYS if key in settings}
    # Nothing in a linkage depends on the reference moment; the job needs one.
    job.setdefault("reference_moment", "2020-11-01")
    mapping = {key: settings[key] for key in _SOURCE_KEYS if key in settings}
    job["source"] = [
        {"name": name, "path": name, "format": "arrow", **mapping, **settings.get(name, {})}
        for name in names
    ]
    return job
