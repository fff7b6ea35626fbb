//! `censuslink run`: a job's sources read, standardized, linked and reconciled, and every
//! output written into a staging folder that replaces the output folder at the end.

use std::path::{Path, PathBuf};
use std::time::Instant;

use censuslink_io::{Encoding, Export, Job, Lang, LoadedSource, SourceSummary, StandardizedWriter};
use censuslink_linkage::MAX_WEIGHT;
use censuslink_reconcile::residence::{ResidenceModel, Term};
use censuslink_reconcile::{Finding, IdNumbers, Severity, thousands};
use rayon::prelude::*;
use serde_json::json;

use crate::outdir;
use crate::progress::{Progress, Stage};
use crate::report;
use crate::{Done, display_path, failure, left, right};

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// The job file.
    #[arg(default_value = "sample-data/job.toml")]
    pub(crate) job: PathBuf,
    /// The output folder; created if absent.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// A previous run's output folder: each candidate is marked new or open, and the ones gone
    /// since are listed in `gone.csv`.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Field teams' resolved candidates (CSV: candidate_id, outcome, note): left out of the
    /// lists and counted in the summary.
    #[arg(long)]
    resolved: Option<PathBuf>,
    /// A generated district's truth folder (`censuslink synth` writes it): the run is evaluated
    /// against it (`evaluation.json`, as `evaluate` writes) and the report draws the missing
    /// list's reliability diagram.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Print nothing but warnings and errors.
    #[arg(long)]
    quiet: bool,
    /// Also print each source's row issues and ID numbers by kind and each link's blocking
    /// rules, prior and weights: counts and parameters only, never a value from a record.
    #[arg(long, short, conflicts_with = "quiet")]
    verbose: bool,
}

/// What a run wrote, for the summary on the terminal.
struct Produced {
    summaries: Vec<SourceSummary>,
    /// What `--verbose` adds, line by line.
    details: Vec<String>,
    lists: serde_json::Map<String, serde_json::Value>,
    district: Option<censuslink_reconcile::AreaCoverage>,
    warnings: Vec<Finding>,
}

pub(crate) fn run(args: &RunArgs, lang: Option<Lang>) -> anyhow::Result<Done> {
    let job = Job::load(&args.job)?;
    job.census()?;
    let lang = lang.unwrap_or(job.lang);
    // Read before anything is written: the previous run may be in the output folder.
    let previous =
        args.previous.as_deref().map(censuslink_reconcile::Previous::read).transpose()?;
    let resolved = match &args.resolved {
        Some(path) => censuslink_reconcile::Resolved::read(path)?,
        None => censuslink_reconcile::Resolved::default(),
    };
    // A truth folder is checked before any work, not found missing at the end.
    if let Some(truth) = args.truth.as_deref().filter(|t| !t.join("persons.csv").is_file()) {
        let shown = truth.display();
        return Err(failure(
            format!("{shown} 不是生成数据的真值文件夹（其中没有 persons.csv）"),
            format!("{shown} is not a generated district's truth folder (no persons.csv in it)"),
        ));
    }
    start_threads(args.threads)?;
    let progress = Progress::new(args.quiet, lang);
    let sources: Vec<&Path> =
        job.sources.iter().flat_map(|s| &s.paths).map(PathBuf::as_path).collect();
    let others: Vec<&Path> =
        std::iter::once(args.job.as_path()).chain(args.resolved.as_deref()).collect();
    outdir::check_apart(&args.out, &sources, &others)?;
    outdir::private_from_now();
    // Everything is written into a staging folder beside the output folder and swapped in at
    // the end, so that a run that fails or is killed leaves the previous outputs whole.
    let staging = outdir::stage(&args.out)?;
    let produced = match produce(
        &job,
        previous.as_ref(),
        &resolved,
        args.truth.as_deref(),
        &staging,
        progress,
        lang,
    ) {
        Ok(produced) => produced,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    outdir::swap_into_place(&staging, &args.out)?;

    for warning in &produced.warnings {
        eprintln!("{}{}", lang.pick("警告：", "warning: "), warning.message(lang));
    }
    if !args.quiet {
        print_summary(&produced, &args.out, lang);
    }
    if args.verbose {
        println!();
        for line in &produced.details {
            println!("{line}");
        }
    }
    Ok(if produced.warnings.is_empty() { Done::Clean } else { Done::Warnings })
}

/// Starts the worker threads: `n`, or one per core for 0.
pub(crate) fn start_threads(n: usize) -> anyhow::Result<()> {
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|err| {
        failure(
            format!("无法启动工作线程：{err}"),
            format!("cannot start the worker threads: {err}"),
        )
    })
}

/// Reads every source of `job` with a progress stage each, standardized records written into
/// `standardized_dir`; each with the seconds it took.
pub(crate) fn load_sources<'j>(
    job: &'j Job,
    standardized_dir: Option<&Path>,
    progress: Progress,
    lang: Lang,
) -> anyhow::Result<Vec<(&'j censuslink_io::Source, LoadedSource, f64)>> {
    let mut loaded = Vec::with_capacity(job.sources.len());
    for source in &job.sources {
        let mut stage = progress
            .stage(format!("{} {}", lang.pick("读取", "read"), source.name), ("行", "rows"));
        let source_loaded = match standardized_dir {
            Some(dir) => {
                let mut writer =
                    StandardizedWriter::new(&dir.join(format!("{}.parquet", source.name)));
                let source_loaded = censuslink_io::load_with(source, &job.path, |raw, table| {
                    stage.add(table.len() as u64);
                    writer.write(raw, table)
                })?;
                writer.finish(&source_loaded.header)?;
                source_loaded
            }
            None => censuslink_io::load_with(source, &job.path, |_, table| {
                stage.add(table.len() as u64);
                Ok(())
            })?,
        };
        let seconds = stage.finish();
        loaded.push((source, source_loaded, seconds));
    }
    Ok(loaded)
}

/// Reads, standardizes, links and reconciles the job, writing every output into `out`.
fn produce(
    job: &Job,
    previous: Option<&censuslink_reconcile::Previous>,
    resolved: &censuslink_reconcile::Resolved,
    truth: Option<&Path>,
    out: &Path,
    progress: Progress,
    lang: Lang,
) -> anyhow::Result<Produced> {
    let started = Instant::now();
    let standardized_dir = out.join("standardized");
    outdir::create_dir(&standardized_dir)?;
    let loaded = load_sources(job, Some(&standardized_dir), progress, lang)?;
    let summaries: Vec<SourceSummary> = loaded
        .iter()
        .map(|(source, l, _)| SourceSummary::new(&source.name, source.role.as_str(), l))
        .collect();
    let settings = censuslink_reconcile::linkage_settings(job)?;
    let issue_sources: Vec<(&str, &LoadedSource)> =
        loaded.iter().map(|(source, l, _)| (source.name.as_str(), l)).collect();
    let profile_sources: Vec<(&censuslink_io::Source, &LoadedSource)> =
        loaded.iter().map(|(source, l, _)| (*source, l)).collect();
    let (written, mut findings) = rayon::join(
        || censuslink_io::write_row_issues(&issue_sources, &out.join("row_issues.csv")),
        || censuslink_reconcile::findings(&profile_sources, job.reference_date),
    );
    written?;

    // Link and reconcile.
    let inputs: Vec<censuslink_reconcile::Input<'_>> = loaded
        .iter()
        .map(|(source, l, _)| censuslink_reconcile::Input {
            name: &source.name,
            role: source.role,
            table: &l.table,
        })
        .collect();
    let stage: Stage =
        progress.stage(lang.pick("比对与核对", "link and reconcile").to_owned(), ("", ""));
    let outcome = censuslink_reconcile::reconcile_with(
        &inputs,
        &settings,
        job.reference_date,
        &mut |step| {
            let right = step.right.unwrap_or(step.left);
            // The link's own time: links run side by side, so the time between two steps says
            // nothing of either.
            let seconds = step.times.total();
            let (candidates, links) = (thousands(step.candidates), thousands(step.links));
            stage.note(&lang.pick(
                format!(
                    "  比对 {} ↔ {right}  {candidates} 候选对  {links} 对比上  {seconds:.1} 秒",
                    step.left
                ),
                format!(
                    "  link {} ↔ {right}  {candidates} candidate pairs  {links} linked  {seconds:.1} s",
                    step.left
                ),
            ));
        },
    );
    let linking = stage.finish();
    for link in &outcome.models {
        let (left, right) = (inputs[link.left].name, link.right.map(|r| inputs[r].name));
        findings.extend(censuslink_reconcile::cap_findings(left, right, &link.rules));
        findings.extend(censuslink_reconcile::model_findings(left, right, &link.training));
    }
    findings.sort_by_key(|f| f.severity);

    let mut stage = progress.stage(lang.pick("写出结果", "write").to_owned(), ("个文件", "files"));
    let mut tables = censuslink_reconcile::tables(&outcome, &inputs);
    let (gone, changes) = censuslink_reconcile::apply(&mut tables, previous, resolved);
    tables.push(("gone", gone));
    let mut lists = serde_json::Map::new();
    for (name, table) in &tables {
        lists.insert((*name).to_owned(), json!(table.n_rows()));
    }

    // Worklists for field teams: one workbook per township, a sheet per area.
    let worklist_dir = out.join("worklists");
    outdir::create_dir(&worklist_dir)?;
    let (ids, title) = match job.mask_ids {
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
    };
    // Every file is written on its own, so they are written in parallel, the worklists made
    // while the lists are written.
    let csv = Export::Csv { encoding: Encoding::Utf8, bom: true, guard_formulas: true };
    let (written, books) = rayon::join(
        || {
            let files = tables.iter().flat_map(|(name, table)| {
                [
                    (format!("{name}.csv"), &csv, table),
                    (format!("{name}.parquet"), &Export::Parquet, table),
                ]
            });
            files.collect::<Vec<_>>().into_par_iter().try_for_each(|(file, export, table)| {
                censuslink_io::write_table(&out.join(file), export, table)
            })
        },
        || censuslink_reconcile::worklists(&outcome, &inputs, ids, lang),
    );
    written?;
    stage.add(2 * tables.len() as u64);
    books.par_iter().try_for_each(|(township, sheets)| {
        let sheets: Vec<censuslink_io::Sheet<'_>> = sheets
            .iter()
            .map(|(name, table)| censuslink_io::Sheet { name, title: Some(title), table })
            .collect();
        censuslink_io::write_workbook(&worklist_dir.join(format!("{township}.xlsx")), &sheets)
    })?;
    stage.add(books.len() as u64);
    lists.insert("worklists".to_owned(), json!(books.len()));

    // The models, for `censuslink explain` to explain any pair as the run scored it.
    let models: Vec<serde_json::Value> = outcome
        .models
        .iter()
        .map(|link| {
            json!({
                "left": inputs[link.left].name,
                "right": link.right.map(|right| inputs[right].name),
                "threshold": link.threshold,
                "model": link.model,
                "household": link.household.as_ref().map(|household| {
                    let key = |source: usize, row: u32| {
                        inputs[source].table.record_id.get(row as usize).unwrap_or_default()
                    };
                    let right = link.right.unwrap_or(link.left);
                    let links: Vec<[&str; 2]> = household
                        .pairs
                        .iter()
                        .map(|&(a, b)| [key(link.left, a), key(right, b)])
                        .collect();
                    json!({ "weight": household.weight, "links": links })
                }),
            })
        })
        .collect();
    censuslink_io::write_json(&models, &out.join("models.json"))?;

    // Row accounting: every row read is linked, unlinked or rejected, and nothing else; a
    // mismatch fails the run before its outputs replace the previous ones.
    let rows_read: Vec<usize> = loaded.iter().map(|(_, l, _)| l.rows_read).collect();
    let accounting = censuslink_reconcile::account(&inputs, &outcome.links, &rows_read)?;
    let accounting_json: serde_json::Map<String, serde_json::Value> = inputs
        .iter()
        .zip(&accounting)
        .map(|(input, a)| {
            let counts = json!({ "read": a.read, "linked": a.linked, "unlinked": a.unlinked, "rejected": a.rejected });
            (input.name.to_owned(), counts)
        })
        .collect();

    // Against a generated district's truth, the lists just written are evaluated, as
    // `censuslink evaluate` does, for the report's reliability diagram.
    let evaluation = truth.map(|truth| censuslink_reconcile::evaluate(out, truth)).transpose()?;
    if let Some(evaluation) = &evaluation {
        censuslink_io::write_json(evaluation, &out.join("evaluation.json"))?;
    }
    let calibration = evaluation.as_ref().map_or(&[][..], |e| &e.missing_detail.calibration);
    let data = report::report_data(
        &report::Run {
            job: display_path(&job.path),
            reference_moment: format!("{}T00:00:00", job.reference_date),
            summaries: &summaries,
            accounting: &accounting,
            lists: &lists,
            inputs: &inputs,
            outcome: &outcome,
            resolved,
            findings: &findings,
            calibration,
        },
        lang,
    );
    let html = censuslink_reconcile::render_report(&data, lang);
    let report_path = out.join("report.html");
    std::fs::write(&report_path, html).map_err(|err| {
        let shown = report_path.display();
        failure(format!("无法写入 {shown}：{err}"), format!("cannot write {shown}: {err}"))
    })?;
    stage.add(1);

    let district = outcome.coverage.iter().find(|c| c.level == "district").cloned();
    let warnings: Vec<Finding> =
        findings.iter().filter(|f| f.severity == Severity::Warning).cloned().collect();
    let summary = json!({
        "job": display_path(&job.path),
        "reference_moment": format!("{}T00:00:00", job.reference_date),
        "sources": summaries,
        "row_accounting": accounting_json,
        "lists": lists,
        "coverage": {
            "district": district,
            "assumptions": censuslink_reconcile::assumptions(lang),
        },
        "missing": {
            "expected_omissions": outcome.missing.iter().map(|m| m.probability).sum::<f64>(),
            "cancelled_in_hukou": outcome.cancelled,
            "residence_model": outcome.residence.as_ref().map(residence_json),
        },
        "candidates_by_status": changes.listed,
        "resolved_by_field_teams": changes.resolved,
        "findings": findings
            .iter()
            .map(|f| json!({ "finding": f, "message": f.message(lang) }))
            .collect::<Vec<_>>(),
    });
    censuslink_io::write_json(&summary, &out.join("summary.json"))?;
    // The one output that differs from run to run: kept apart, so that every other file is
    // the same for the same input.
    let timings = timings(&loaded, &inputs, &outcome, linking, started.elapsed().as_secs_f64());
    censuslink_io::write_json(&timings, &out.join("timings.json"))?;
    stage.add(3);
    stage.finish();

    let details = details(&summaries, &outcome, &inputs, lang);
    Ok(Produced { summaries, details, lists, district, warnings })
}

/// Where a run's time went, in seconds of wall time: each source read and standardized
/// (standardized records written), each link's stages with its pair counts (links run side by
/// side, so theirs overlap), all the linking, the rest of the reconciliation (persons, lists,
/// coverage), and the writing of every other output up to `total`, which ends as
/// `summary.json` has been written.
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

fn timings(
    loaded: &[(&censuslink_io::Source, LoadedSource, f64)],
    inputs: &[censuslink_reconcile::Input<'_>],
    outcome: &censuslink_reconcile::Outcome,
    linking: f64,
    total: f64,
) -> serde_json::Value {
    let read: serde_json::Map<String, serde_json::Value> =
        loaded.iter().map(|(source, _, seconds)| (source.name.clone(), json!(seconds))).collect();
    let links: Vec<serde_json::Value> = outcome
        .models
        .iter()
        .map(|link| {
            let t = link.times;
            json!({
                "left": inputs[link.left].name,
                "right": link.right.map(|right| inputs[right].name),
                "candidate_pairs": link.weights.counts.iter().sum::<u64>(),
                "blocked_pairs": link.rules.iter().map(|r| r.pairs).sum::<u64>(),
                "features": t.features,
                "block": t.block,
                "train": t.train,
                "score": t.score,
                "resolve": t.resolve,
            })
        })
        .collect();
    let reading: f64 = loaded.iter().map(|(_, _, seconds)| seconds).sum();
    json!({
        "read": read,
        "links": links,
        "linking": outcome.link_seconds,
        "reconcile": (linking - outcome.link_seconds).max(0.0),
        "write": (total - reading - linking).max(0.0),
        "total": total,
    })
}

/// What `--verbose` prints: per source, its row issues and ID numbers by kind; per link, its
/// blocking rules' pairs, its prior and each comparison level's weight.
fn details(
    summaries: &[SourceSummary],
    outcome: &censuslink_reconcile::Outcome,
    inputs: &[censuslink_reconcile::Input<'_>],
    lang: Lang,
) -> Vec<String> {
    let t = |zh, en| lang.pick(zh, en);
    let counts = |counts: &std::collections::BTreeMap<String, u64>| {
        counts
            .iter()
            .map(|(kind, n)| format!("{kind} {}", thousands(*n as usize)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = Vec::new();
    for s in summaries {
        lines.push(format!("{} {}: {}", s.name, t("逐行问题", "row issues"), counts(&s.issues)));
        lines.push(format!("{} {}: {}", s.name, t("身份证号", "ID numbers"), counts(&s.id_status)));
    }
    for link in &outcome.models {
        let right = link.right.map_or(inputs[link.left].name, |r| inputs[r].name);
        lines.push(format!(
            "{} ↔ {right}: {} {:.3e}",
            inputs[link.left].name,
            t("先验匹配概率", "prior"),
            link.model.prior
        ));
        for rule in &link.rules {
            lines.push(format!(
                "  {} {}: {} {}, {} {}",
                t("分块规则", "rule"),
                rule.rule,
                thousands(rule.pairs as usize),
                t("对", "pairs"),
                thousands(rule.blocks as usize),
                t("块", "blocks")
            ));
        }
        let training = &link.training;
        if let Some(share) = training.anchor_agreement {
            lines.push(format!(
                "  {} {}: {} {:.1}%",
                t("锚定对", "anchored pairs"),
                thousands(training.anchor_pairs as usize),
                t("模型判为匹配", "called matches by the model"),
                100.0 * share
            ));
        }
        for pass in &training.em {
            let ll = |i: Option<&f64>| i.map_or("–".to_owned(), |v| format!("{v:.1}"));
            lines.push(format!(
                "  EM {}: {} {}, {} {}{}, {} {:.4}, {} {} → {}",
                pass.rule,
                thousands(pass.pairs as usize),
                t("对", "pairs"),
                pass.iterations,
                t("轮", "iterations"),
                if pass.converged {
                    t("（收敛）", " (converged)")
                } else {
                    t("（未收敛）", " (not converged)")
                },
                t("匹配比例", "match share"),
                pass.match_share,
                t("对数似然", "log-likelihood"),
                ll(pass.log_likelihood.first()),
                ll(pass.log_likelihood.last()),
            ));
        }
        for params in &link.model.comparisons {
            let weights: Vec<String> = params
                .labels
                .iter()
                .zip(params.m.iter().zip(&params.u))
                .skip(1)
                .map(|(label, (m, u))| {
                    let weight = (m / u).log2().clamp(-MAX_WEIGHT, MAX_WEIGHT);
                    let noted = training
                        .levels
                        .iter()
                        .any(|n| n.feature == params.comparison.feature && &n.level == label);
                    format!("{label} {weight:+.2}{}", if noted { " (!)" } else { "" })
                })
                .collect();
            lines.push(format!("  {}: {}", params.comparison.feature, weights.join(", ")));
        }
    }
    lines
}

/// The one screen a run ends with: what each source gave, what was found and where it is.
fn print_summary(produced: &Produced, out: &Path, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    println!();
    println!(
        "{} {} {} {} {} {}",
        left(t("数据源", "source"), 12),
        left(t("类型", "role"), 10),
        right(t("读取", "read"), 10),
        right(t("可用", "usable"), 10),
        right(t("拒绝", "rejected"), 10),
        right(t("问题", "issues"), 10)
    );
    for s in &produced.summaries {
        let rejected: u64 = s.rows_rejected.values().sum();
        let issues: u64 = s.issues.values().sum();
        println!(
            "{} {} {} {} {} {}",
            left(&s.name, 12),
            left(&s.role, 10),
            right(&thousands(s.rows_read as usize), 10),
            right(&thousands(s.rows_usable as usize), 10),
            right(&thousands(rejected as usize), 10),
            right(&thousands(issues as usize), 10)
        );
    }
    println!();
    for name in LISTS {
        let Some(n) = produced.lists.get(name).and_then(|n| n.as_u64()) else { continue };
        let file =
            if name == "worklists" { out.join(name) } else { out.join(format!("{name}.csv")) };
        println!(
            "{} {}   {}",
            left(list_label(name, lang), 14),
            right(&thousands(n as usize), 10),
            file.display()
        );
    }
    if let Some(district) = &produced.district {
        let round = |x: f64| thousands(x.round().max(0.0) as usize);
        let estimate = match &district.estimate {
            Some(estimate) => format!(
                "{} {} ({} {} – {})",
                t("双系统估计", "dual-system estimate"),
                round(estimate.population),
                t("95% 区间", "95% interval"),
                round(estimate.low),
                round(estimate.high)
            ),
            None => t(
                "无双系统估计：没有学籍、医保或出生登记与普查比对上，无从估计",
                "no dual-system estimate: no school, insurance or birth register person links to the census, so there is nothing to estimate from",
            )
            .to_owned(),
        };
        println!();
        println!(
            "{} {}   {estimate}",
            t("普查登记常住人口", "census usual residents"),
            thousands(district.census as usize),
        );
    }
    println!();
    for (zh, en, file) in [
        ("报告", "report", "report.html"),
        ("汇总", "summary", "summary.json"),
        ("逐行问题", "row issues", "row_issues.csv"),
        ("标准化记录", "records", "standardized"),
    ] {
        println!("{} {}", left(t(zh, en), 12), out.join(file).display());
    }
}

/// The lists in the order the summary shows them.
const LISTS: [&str; 9] = [
    "links",
    "missing",
    "duplicates",
    "deceased",
    "births",
    "conflicts",
    "coverage",
    "gone",
    "worklists",
];

/// A list's name as the summary shows it.
fn list_label(name: &str, lang: Lang) -> &str {
    let (zh, en) = match name {
        "links" => ("比对结果", "links"),
        "missing" => ("疑似漏登", "missing"),
        "duplicates" => ("疑似重复", "duplicates"),
        "deceased" => ("已死亡仍登记", "deceased"),
        "births" => ("出生未登记", "births"),
        "conflicts" => ("身份冲突", "conflicts"),
        "coverage" => ("覆盖率", "coverage"),
        "gone" => ("已不在清单", "gone"),
        "worklists" => ("核查清单", "worklists"),
        _ => (name, name),
    };
    lang.pick(zh, en)
}
