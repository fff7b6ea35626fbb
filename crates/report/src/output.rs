//! A job's one run path: its sources read, linked and reconciled ([`run_job_with`]), and every
//! output written from the outcome into one folder: the lists as CSV and Parquet, the
//! worklists, `models.json`, `report.html`, `summary.json`, `timings.json`, and the row
//! issues and standardized records. `censuslink run` is this call with a progress bar.

use std::path::Path;
use std::time::Instant;

use censuslink_io::{Encoding, Export, Job, Lang, LoadedSource, SourceSummary, Table};
use censuslink_reconcile::residence::{ResidenceModel, Term};
use censuslink_reconcile::{
    AccountingError, AreaCoverage, Finding, Input, JobError, JobRun, LinkModel, Progress,
    RowAccount, Scoring, Stage, run_job_with,
};
use rayon::prelude::*;
use serde_json::json;

use crate::data::{Run, report_data};
use crate::evaluate::{CsvProblem, TruthError, evaluate};
use crate::models::SavedModel;
use crate::rerun::{Previous, Resolved, apply};
use crate::{IdNumbers, render_report, tables, worklists};

/// What a run is given besides its job.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions<'a> {
    /// A previous run's candidates: each candidate is marked new or open, and the ones gone
    /// since are listed in `gone`.
    pub previous: Option<&'a Previous>,
    /// Candidates the field teams resolved: left out of the lists, counted in the summary.
    pub resolved: &'a Resolved,
    /// A generated district's truth folder: the run is evaluated against it
    /// (`evaluation.json`) and the report draws the missing list's reliability diagram.
    pub truth: Option<&'a Path>,
    /// The language of the report, worklists and summary texts.
    pub lang: Lang,
    /// Where each link is scored: `&Here`, or a cluster.
    pub scoring: &'a dyn Scoring,
    /// Whether each source's standardized records are written, beside its raw rows, into
    /// `standardized/<source>.parquet` (for audit, or for another tool): a copy of every row,
    /// as large as the extracts and two thirds of the reading's time, so only when asked.
    pub standardized: bool,
}

/// What a run wrote, for its caller to show.
#[derive(Debug)]
pub struct Written {
    /// Each source's rows read, usable and rejected, and its row issues.
    pub summaries: Vec<SourceSummary>,
    /// Each list's rows, and the worklists' workbooks.
    pub lists: serde_json::Map<String, serde_json::Value>,
    /// The district's coverage row.
    pub district: Option<AreaCoverage>,
    /// The data-quality findings, warnings first.
    pub findings: Vec<Finding>,
}

/// Why a run's outputs could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The job cannot be run.
    #[error(transparent)]
    Job(#[from] JobError),
    /// An output cannot be written.
    #[error(transparent)]
    Io(#[from] censuslink_io::Error),
    /// A row was lost or counted twice.
    #[error(transparent)]
    Accounting(#[from] AccountingError),
    /// The truth folder cannot be read.
    #[error(transparent)]
    Truth(#[from] TruthError),
    /// The output folder cannot be used.
    #[error(transparent)]
    Folder(#[from] crate::folder::FolderError),
}

impl Error {
    /// The one line the error is for the analyst, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::Job(err) => err.message(lang),
            Error::Io(err) => err.message(lang),
            Error::Accounting(err) => err.message(lang),
            Error::Truth(err) => err.message(lang),
            Error::Folder(err) => err.message(lang),
        }
    }
}

/// Runs `job` and writes every output into the folder `out` (created if absent), telling
/// `progress` as it goes and stopping when it asks. The whole job, and the truth folder when
/// given, are checked before a row is read. Every file but `timings.json` is the same for the
/// same input at any thread count, and the same as `censuslink run` writes; the binary adds
/// what is the caller's to decide: a staging folder swapped in at the end (here a failed run
/// leaves what it wrote), owner-only permissions, an output folder kept apart from the inputs.
pub fn run(
    job: &Job,
    options: &RunOptions<'_>,
    out: &Path,
    progress: &mut dyn Progress,
) -> Result<(JobRun, Written), Error> {
    let started = Instant::now();
    let persons = options.truth.map(|truth| truth.join("persons.csv"));
    if let Some(persons) = persons.filter(|persons| !persons.is_file()) {
        return Err(TruthError { path: persons, problem: CsvProblem::NotFound }.into());
    }
    censuslink_io::create_dir(out)?;
    let standardized = options.standardized.then(|| out.join("standardized"));
    let run = run_job_with(job, standardized.as_deref(), options.scoring, progress)?;
    if progress.is_cancelled() {
        return Err(JobError::Cancelled.into());
    }
    let written = write_outputs(job, &run, options, out, progress, started)?;
    Ok((run, written))
}

/// Writes every output of `run` into `out`; `started` is when the run began, for
/// `timings.json`.
fn write_outputs(
    job: &Job,
    run: &JobRun,
    options: &RunOptions<'_>,
    out: &Path,
    progress: &mut dyn Progress,
    started: Instant,
) -> Result<Written, Error> {
    let lang = options.lang;
    let loaded: Vec<(&censuslink_io::Source, &LoadedSource)> =
        job.sources.iter().zip(&run.sources).map(|(source, (_, _, l))| (source, l)).collect();
    let summaries: Vec<SourceSummary> = loaded
        .iter()
        .map(|(source, l)| SourceSummary::new(&source.name, source.role.as_str(), l))
        .collect();
    let inputs = run.inputs();
    let outcome = &run.outcome;
    progress.start(Stage::Write);
    let issue_sources: Vec<(&str, &LoadedSource)> =
        loaded.iter().map(|(source, l)| (source.name.as_str(), *l)).collect();
    let (written, mut findings) = rayon::join(
        || censuslink_io::write_row_issues(&issue_sources, &out.join("row_issues.csv")),
        || censuslink_reconcile::findings(&loaded, job.reference_date),
    );
    written?;
    findings.extend(link_findings(&outcome.models, &inputs));
    findings.sort_by_key(|f| f.severity);

    let mut tables = tables(outcome, &inputs);
    let (gone, changes) = apply(&mut tables, options.previous, options.resolved);
    tables.push(("gone", gone));
    let mut lists = serde_json::Map::new();
    for (name, table) in &tables {
        lists.insert((*name).to_owned(), json!(table.n_rows()));
    }

    // Every file is written on its own, so all are written in parallel: the lists; the
    // worklists for field teams (one workbook per township, a sheet per area), made while
    // the lists are written; and a province's lists again, each county's in its folder.
    // Row accounting, beside them: every row read is linked, unlinked or rejected, and
    // nothing else; a mismatch fails the run before its outputs replace the previous ones.
    let (ids, title) = worklist_kind(job.mask_ids, lang);
    let rows_read: Vec<usize> = run.sources.iter().map(|(_, _, l)| l.rows_read).collect();
    let (written, ((n_books, n_counties), accounting)) = rayon::join(
        || write_tables(&tables, out),
        || {
            let books = || {
                let books = worklists(outcome, &inputs, ids, lang);
                write_workbooks(&books, title, &out.join("worklists")).map(|()| books.len())
            };
            let counties = || {
                let counties = crate::counties::by_county(&tables, outcome, &inputs);
                first_error(counties.par_iter().map(|(county, tables)| {
                    let folder = out.join("counties").join(county);
                    censuslink_io::create_dir(&folder)?;
                    write_tables(tables, &folder)
                }))?;
                Ok::<_, Error>(counties.len())
            };
            let accounting = || censuslink_reconcile::account(&inputs, &outcome.links, &rows_read);
            rayon::join(|| rayon::join(books, counties), accounting)
        },
    );
    written?;
    let (n_books, n_counties, accounting) = (n_books?, n_counties?, accounting?);
    progress.add(2 * tables.len() as u64 + n_books as u64);
    lists.insert("worklists".to_owned(), json!(n_books));
    if n_counties > 0 {
        lists.insert("counties".to_owned(), json!(n_counties));
    }
    // The lists' cells, a string each and millions of them, are freed column by column in
    // parallel, beside what is left to write.
    let ((), written) = rayon::join(
        move || tables.into_par_iter().flat_map_iter(|(_, table)| table.columns).for_each(drop),
        move || -> Result<Written, Error> {
            // The models, for `censuslink explain` to explain any pair as the run scored it.
            censuslink_io::write_json(&SavedModel::of_run(run), &out.join("models.json"))?;

            // Against a generated district's truth, the lists just written are evaluated, as
            // `censuslink evaluate` does, for the report's reliability diagram.
            let evaluation = options.truth.map(|truth| evaluate(out, truth)).transpose()?;
            if let Some(evaluation) = &evaluation {
                censuslink_io::write_json(evaluation, &out.join("evaluation.json"))?;
            }
            let calibration =
                evaluation.as_ref().map_or(&[][..], |e| &e.missing_detail.calibration);
            let job_path = display_path(&job.path);
            let reference_moment = format!("{}T00:00:00", job.reference_date);
            let data = report_data(
                &Run {
                    job: job_path.clone(),
                    reference_moment: reference_moment.clone(),
                    summaries: &summaries,
                    accounting: &accounting,
                    lists: &lists,
                    inputs: &inputs,
                    outcome,
                    resolved: options.resolved,
                    findings: &findings,
                    calibration,
                },
                lang,
            );
            censuslink_io::write_text(&render_report(&data, lang), &out.join("report.html"))?;
            progress.add(1);

            let district = outcome.coverage.iter().find(|c| c.level == "district").cloned();
            let summary = json!({
                "job": job_path,
                "reference_moment": reference_moment,
                "sources": summaries,
                "row_accounting": accounting_json(&inputs, &accounting),
                "lists": lists,
                "coverage": {
                    "district": district,
                    "assumptions": censuslink_reconcile::assumptions(lang),
                },
                "missing": {
                    "expected_omissions":
                        outcome.missing.iter().map(|m| m.probability).sum::<f64>(),
                    "cancelled_in_hukou": outcome.cancelled,
                    "residence_model": outcome.residence.as_ref().map(residence_json),
                },
                "candidates_by_status": changes.listed,
                "resolved_by_field_teams": changes.resolved,
                "findings": findings_json(&findings, lang),
            });
            censuslink_io::write_json(&summary, &out.join("summary.json"))?;
            // The one output that differs from run to run: kept apart, so that every other
            // file is the same for the same input.
            let timings = timings(run, started.elapsed().as_secs_f64());
            censuslink_io::write_json(&timings, &out.join("timings.json"))?;
            progress.add(3);
            progress.finish();
            Ok(Written { summaries, lists, district, findings })
        },
    );
    written
}

/// Writes each table as `<name>.csv` (UTF-8 with a byte-order mark, formula-like cells
/// guarded) and `<name>.parquet` into `out`, in parallel.
pub(crate) fn write_tables(tables: &[(&str, Table)], out: &Path) -> Result<(), Error> {
    let csv = Export::Csv { encoding: Encoding::Utf8, bom: true, guard_formulas: true };
    let files = tables.iter().flat_map(|(name, table)| {
        [(format!("{name}.csv"), &csv, table), (format!("{name}.parquet"), &Export::Parquet, table)]
    });
    let files: Vec<_> = files.collect();
    first_error(
        files.into_par_iter().map(|(file, export, table)| {
            censuslink_io::write_table(&out.join(file), export, table)
        }),
    )?;
    Ok(())
}

/// The first error of files written in parallel, in the files' order (rayon's collect keeps
/// it): the same error whichever thread failed first.
fn first_error<E: Send>(written: impl ParallelIterator<Item = Result<(), E>>) -> Result<(), E> {
    written.collect::<Vec<_>>().into_iter().collect()
}

/// Whether the worklists show ID numbers whole (the job's `mask_ids = false`), and their
/// title, which says so.
fn worklist_kind(mask_ids: bool, lang: Lang) -> (IdNumbers, &'static str) {
    match mask_ids {
        true => (
            IdNumbers::Masked,
            lang.pick(
                "普查比对核查清单（身份证号已遮盖）",
                "Census reconciliation worklist (ID numbers masked)",
            ),
        ),
        false => (
            IdNumbers::Shown,
            lang.pick(
                "普查比对核查清单（含完整身份证号，注意保密）",
                "Census reconciliation worklist (whole ID numbers: confidential)",
            ),
        ),
    }
}

/// Writes each township's workbook into `folder` (created), in parallel.
fn write_workbooks(
    books: &std::collections::BTreeMap<String, Vec<(String, Table)>>,
    title: &str,
    folder: &Path,
) -> Result<(), Error> {
    censuslink_io::create_dir(folder)?;
    first_error(books.par_iter().map(|(township, sheets)| {
        let sheets: Vec<censuslink_io::Sheet<'_>> = sheets
            .iter()
            .map(|(name, table)| censuslink_io::Sheet { name, title: Some(title), table })
            .collect();
        censuslink_io::write_workbook(&folder.join(format!("{township}.xlsx")), &sheets)
    }))?;
    Ok(())
}

/// Each link's findings: its blocks over the cap, its levels worth a look, an anchor its
/// model disowns.
pub(crate) fn link_findings(models: &[LinkModel], inputs: &[Input<'_>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for link in models {
        let (left, right) = (inputs[link.left].name, link.right.map(|r| inputs[r].name));
        findings.extend(censuslink_reconcile::cap_findings(left, right, &link.rules));
        findings.extend(censuslink_reconcile::model_findings(left, right, &link.training));
    }
    findings
}

/// Each source's row accounting by name, as `summary.json` gives it.
pub(crate) fn accounting_json(
    inputs: &[Input<'_>],
    accounting: &[RowAccount],
) -> serde_json::Value {
    let by_name = inputs.iter().zip(accounting).map(|(input, a)| (input.name.to_owned(), json!(a)));
    serde_json::Value::Object(by_name.collect())
}

/// The findings as `summary.json` gives them: each with its message in `lang`.
pub(crate) fn findings_json(findings: &[Finding], lang: Lang) -> serde_json::Value {
    findings.iter().map(|f| json!({ "finding": f, "message": f.message(lang) })).collect()
}

/// The path as given, with `/` separators, so that summaries read the same on every system.
pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The residence model's parameters as `summary.json` gives them: the persons it learned from,
/// the listing odds' intercept and each term's weight, each stratum's omission odds.
fn residence_json(model: &ResidenceModel) -> serde_json::Value {
    let weights: serde_json::Map<String, serde_json::Value> = Term::ALL
        .iter()
        .zip(&model.weights)
        .map(|(term, weight)| (term.as_str().to_owned(), json!(weight)))
        .collect();
    let omission_odds: serde_json::Map<String, serde_json::Value> = model
        .omission_odds
        .iter()
        .enumerate()
        .map(|(stratum, odds)| (ResidenceModel::stratum_name(stratum), json!(odds)))
        .collect();
    json!({
        "listed": model.listed,
        "unlisted": model.unlisted,
        "cells": model.cells.len(),
        "intercept": model.intercept,
        "weights": weights,
        "omission_odds": omission_odds,
        "district_omission_odds": model.district_omission_odds,
    })
}

/// Where a run's time went, in seconds of wall time: each source read and standardized
/// (standardized records written), each link's stages with its pair counts (the census
/// deduplication's overlap the registers' links', and the census's links to small registers
/// each other's), all the linking, the rest of the reconciliation (persons, lists,
/// coverage), and the writing of every other output up to `total`, which ends as
/// `summary.json` has been written.
fn timings(run: &JobRun, total: f64) -> serde_json::Value {
    let inputs = run.inputs();
    let outcome = &run.outcome;
    let read: serde_json::Map<String, serde_json::Value> = run
        .sources
        .iter()
        .zip(&run.read_seconds)
        .map(|((name, ..), seconds)| (name.clone(), json!(seconds)))
        .collect();
    let links: Vec<serde_json::Value> = outcome
        .models
        .iter()
        .map(|link| {
            let t = link.times;
            json!({
                "left": inputs[link.left].name,
                "right": link.right.map(|right| inputs[right].name),
                "candidate_pairs": link.candidate_pairs(),
                "scored_pairs": link.weights.counts.iter().sum::<u64>(),
                "features": t.features,
                "block": t.block,
                "train": t.train,
                "score": t.score,
                "resolve": t.resolve,
            })
        })
        .collect();
    let reading: f64 = run.read_seconds.iter().sum();
    let linking = run.reconcile_seconds;
    json!({
        "read": read,
        "links": links,
        "linking": outcome.link_seconds,
        "reconcile": (linking - outcome.link_seconds).max(0.0),
        "write": (total - reading - linking).max(0.0),
        "total": total,
    })
}
