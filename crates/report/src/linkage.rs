//! A linkage job's one run path (`censuslink link` and `dedupe`): its sources read and linked
//! ([`link_job_with`]), and its outputs written into one folder: `links` and `clusters` as CSV
//! and Parquet, `models.json` (for `explain`), `report.html` (sources, weights, models,
//! blocking, findings), `summary.json`, `timings.json`, the row issues and the standardized records. No
//! census output: no lists, no worklists, no coverage.

use std::path::Path;
use std::time::Instant;

use censuslink_io::{Job, Lang, SourceSummary, Table};
use censuslink_reconcile::{Finding, JobError, LinkRun, Progress, Stage, Task, link_job_with};
use serde_json::json;

use crate::data::{link_data, quality, source_counts};
use crate::html::{ReportData, render_linkage_report};
use crate::models::SavedModel;
use crate::output::{
    Error, accounting_json, display_path, findings_json, link_findings, write_tables,
};
use crate::tables::{clusters_table, links_table};

/// What a linkage run wrote, for its caller to show.
#[derive(Debug)]
pub struct LinkWritten {
    /// Each source's rows read, usable and rejected, and its row issues.
    pub summaries: Vec<SourceSummary>,
    /// Rows of `links`.
    pub links: usize,
    /// Clusters, of one record or more.
    pub clusters: usize,
    /// Clusters of two records or more.
    pub linked_clusters: usize,
    /// Candidate pairs blocking made, over all links.
    pub candidate_pairs: u64,
    /// Each link's blocks over the cap and levels worth a look, warnings first.
    pub findings: Vec<Finding>,
}

/// Runs `job` as `task` says and writes its outputs into the folder `out` (created if
/// absent), telling `progress` as it goes and stopping when it asks; texts in `lang`. Every
/// file but `timings.json` is the same for the same input at any thread count.
///
/// ```
/// let folder = tempfile::tempdir().expect("a temporary folder");
/// let write = |name: &str, text: &str| std::fs::write(folder.path().join(name), text).expect("writable");
/// write("a.csv", "id,name,born\n1,张伟,1949-12-31\n2,李娜,1980-01-01\n3,王芳,1990-02-02\n");
/// write("b.csv", "id,name,born\n7,张伟,1949-12-31\n8,李娜,1980-01-01\n9,赵敏,2000-03-03\n");
/// write("job.toml", r#"
///     reference_moment = "2020-11-01"
///     [[source]]
///     name = "a"
///     path = "a.csv"
///     key = "id"
///     fields = { name = "name", birth_date = "born" }
///     [[source]]
///     name = "b"
///     path = "b.csv"
///     key = "id"
///     fields = { name = "name", birth_date = "born" }
///     [linkage]
///     threshold = 0.5
///     comparisons = [{ feature = "name", kind = "name" }, { feature = "birth_date", kind = "date" }]
///     blocking = [{ name = "birth month", keys = ["birth_date.year_month"] }]
///     training = { anchor = ["name", "birth_date"], u_pairs = 100 }
/// "#);
/// let job = censuslink_io::Job::load(&folder.path().join("job.toml")).expect("a valid job");
/// let task = censuslink_reconcile::Task::Link(censuslink_reconcile::Cardinality::OneToOne);
/// let out = folder.path().join("out");
/// let (run, written) =
///     censuslink_report::link(&job, task, job.lang, false, &out, &mut ()).expect("a run");
/// assert_eq!(written.links, 2);
/// let inputs = run.inputs();
/// let names: Vec<String> =
///     run.linkage.links.iter().map(|l| l.right.name(&inputs)).collect();
/// assert_eq!(names, ["b:7", "b:8"]);
/// assert!(!out.join("missing.csv").exists());
/// ```
pub fn link(
    job: &Job,
    task: Task,
    lang: Lang,
    standardized: bool,
    out: &Path,
    progress: &mut dyn Progress,
) -> Result<(LinkRun, LinkWritten), Error> {
    let started = Instant::now();
    censuslink_io::create_dir(out)?;
    let standardized = standardized.then(|| out.join("standardized"));
    let run = link_job_with(job, task, standardized.as_deref(), progress)?;
    if progress.is_cancelled() {
        return Err(JobError::Cancelled.into());
    }
    let written = write_outputs(job, task, &run, lang, out, progress, started)?;
    Ok((run, written))
}

/// A linkage's `links` and `clusters` as tables naming records by source and key (see
/// `link`'s outputs).
pub fn link_tables(run: &LinkRun) -> [(&'static str, Table); 2] {
    let inputs = run.inputs();
    let linkage = &run.linkage;
    [
        ("links", links_table(&linkage.links, &inputs)),
        ("clusters", clusters_table(&linkage.clusters, &inputs)),
    ]
}

fn write_outputs(
    job: &Job,
    task: Task,
    run: &LinkRun,
    lang: Lang,
    out: &Path,
    progress: &mut dyn Progress,
    started: Instant,
) -> Result<LinkWritten, Error> {
    progress.start(Stage::Write);
    let inputs = run.inputs();
    let linkage = &run.linkage;
    let summaries: Vec<SourceSummary> = job
        .sources
        .iter()
        .zip(&run.sources)
        .map(|(source, (_, _, loaded))| {
            SourceSummary::new(&source.name, source.role.as_str(), loaded)
        })
        .collect();
    let issue_sources: Vec<(&str, &censuslink_io::LoadedSource)> =
        run.sources.iter().map(|(name, _, loaded)| (name.as_str(), loaded)).collect();
    censuslink_io::write_row_issues(&issue_sources, &out.join("row_issues.csv"))?;

    let tables = link_tables(run);
    write_tables(&tables, out)?;
    censuslink_io::write_json(
        &SavedModel::of_links(&linkage.models, &inputs),
        &out.join("models.json"),
    )?;

    let mut findings = link_findings(&linkage.models, &inputs);
    findings.sort_by_key(|f| f.severity);
    let rows_read: Vec<usize> = run.sources.iter().map(|(_, _, l)| l.rows_read).collect();
    let accounting = censuslink_reconcile::account(&inputs, &linkage.links, &rows_read)?;
    let job_path = display_path(&job.path);
    let data = ReportData {
        job: job_path.clone(),
        run_date: format!("censuslink {}", env!("CARGO_PKG_VERSION")),
        sources: source_counts(&summaries, &accounting),
        findings: quality(&findings, lang),
        ..link_data(&linkage.models, &inputs, lang)
    };
    censuslink_io::write_text(&render_linkage_report(&data, lang), &out.join("report.html"))?;

    let written = LinkWritten {
        links: linkage.links.len(),
        clusters: linkage.clusters.len(),
        linked_clusters: linkage.clusters.iter().filter(|c| c.len() > 1).count(),
        candidate_pairs: linkage.candidate_pairs(),
        summaries,
        findings,
    };
    let models: Vec<serde_json::Value> = linkage
        .models
        .iter()
        .map(|link| {
            json!({
                "left": inputs[link.left].name,
                "right": link.right.map(|r| inputs[r].name),
                "prior": link.model.prior,
                "threshold": link.threshold,
                "candidate_pairs": link.candidate_pairs(),
                "rules": link.rules.iter().map(|r| json!({
                    "rule": r.rule, "pairs": r.pairs, "blocks": r.blocks,
                    "largest_block": r.largest_block, "capped_blocks": r.capped_blocks,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let summary = json!({
        "job": job_path,
        "task": match task {
            Task::Link(cardinality) => format!("link ({cardinality})"),
            Task::Dedupe => "dedupe".to_owned(),
        },
        "sources": written.summaries,
        "row_accounting": accounting_json(&inputs, &accounting),
        "links": written.links,
        "clusters": written.clusters,
        "linked_clusters": written.linked_clusters,
        "candidate_pairs": written.candidate_pairs,
        "models": models,
        "findings": findings_json(&written.findings, lang),
    });
    censuslink_io::write_json(&summary, &out.join("summary.json"))?;
    let timings = json!({
        "read": run.sources.iter().zip(&run.read_seconds)
            .map(|((name, ..), seconds)| (name.clone(), json!(seconds)))
            .collect::<serde_json::Map<_, _>>(),
        "links": linkage.models.iter().map(|link| json!(link.times)).collect::<Vec<_>>(),
        "linking": run.link_seconds,
        "total": started.elapsed().as_secs_f64(),
    });
    censuslink_io::write_json(&timings, &out.join("timings.json"))?;
    progress.add(2 * tables.len() as u64 + 5);
    progress.finish();
    Ok(written)
}
