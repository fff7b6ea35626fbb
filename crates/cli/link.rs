//! `censuslink link` and `censuslink dedupe`: linkage of any person records, with no census
//! semantics, written into a staging folder that replaces the output folder at the end.

use std::path::{Path, PathBuf};

use censuslink_io::{Job, Lang};
use censuslink_reconcile::{Cardinality, Finding, Severity, Task, thousands};

use crate::progress::{Bars, Progress};
use crate::run::{print_sources, start_threads};
use crate::{Done, left, right};

#[derive(clap::Args)]
pub(crate) struct LinkArgs {
    #[command(flatten)]
    pub(crate) common: DedupeArgs,
    /// Let several records of a later source link to one record of the first (by default
    /// each record links once at most).
    #[arg(long)]
    many_to_one: bool,
}

#[derive(clap::Args)]
pub(crate) struct DedupeArgs {
    /// The job file: its sources (`role` may be left out), and `[linkage]`.
    pub(crate) job: PathBuf,
    /// The output folder; created if absent.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Also write each source's standardized records, beside its raw rows, into
    /// `OUT/standardized/<source>.parquet` (for audit, or for another tool).
    #[arg(long)]
    standardized: bool,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// `censuslink link`: the job's first source linked to each later one.
pub(crate) fn link(args: &LinkArgs, lang: Option<Lang>) -> anyhow::Result<Done> {
    let cardinality = match args.many_to_one {
        true => Cardinality::ManyToOne,
        false => Cardinality::OneToOne,
    };
    run(&args.common, Task::Link(cardinality), lang)
}

/// `censuslink dedupe`: the records of the job's one source that are one person.
pub(crate) fn dedupe(args: &DedupeArgs, lang: Option<Lang>) -> anyhow::Result<Done> {
    run(args, Task::Dedupe, lang)
}

/// Runs `task` and writes the links, clusters, models and report.
fn run(args: &DedupeArgs, task: Task, lang: Option<Lang>) -> anyhow::Result<Done> {
    let job = Job::load(&args.job)?;
    let lang = lang.unwrap_or(job.lang);
    start_threads(args.threads)?;
    let sources: Vec<&Path> =
        job.sources.iter().flat_map(|s| &s.paths).map(PathBuf::as_path).collect();
    let mut bars = Bars::new(Progress::new(args.quiet, lang));
    let others = [args.job.as_path()];
    let (_, written) =
        censuslink_report::folder::write_into(&args.out, &sources, &others, |staging| {
            Ok::<_, anyhow::Error>(censuslink_report::link(
                &job,
                task,
                lang,
                args.standardized,
                staging,
                &mut bars,
            )?)
        })?;
    let warnings: Vec<&Finding> =
        written.findings.iter().filter(|f| f.severity == Severity::Warning).collect();
    for warning in &warnings {
        eprintln!("{}{}", lang.pick("警告：", "warning: "), warning.message(lang));
    }
    let done = if warnings.is_empty() { Done::Clean } else { Done::Warnings };
    if args.quiet {
        return Ok(done);
    }
    let t = |zh, en| lang.pick(zh, en);
    print_sources(&written.summaries, lang);
    println!();
    let rows = [
        (t("候选对", "candidate pairs"), written.candidate_pairs as usize, None),
        (t("链接", "links"), written.links, Some("links.csv")),
        (t("聚类", "clusters"), written.clusters, Some("clusters.csv")),
        (t("多记录聚类", "of 2 records +"), written.linked_clusters, None),
    ];
    for (label, n, file) in rows {
        let file = file.map(|f| args.out.join(f).display().to_string()).unwrap_or_default();
        println!("{} {}   {file}", left(label, 16), right(&thousands(n), 12));
    }
    println!();
    for (zh, en, file) in [
        ("报告", "report", "report.html"),
        ("模型", "models", "models.json"),
        ("汇总", "summary", "summary.json"),
        ("逐行问题", "row issues", "row_issues.csv"),
    ] {
        println!("{} {}", left(t(zh, en), 12), args.out.join(file).display());
    }
    Ok(done)
}
