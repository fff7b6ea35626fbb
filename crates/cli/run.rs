//! `censuslink run`: a job's sources read, standardized, linked and reconciled, and every
//! output written into a staging folder that replaces the output folder at the end.

use std::path::{Path, PathBuf};

use censuslink_io::{Job, Lang, SourceSummary};
use censuslink_linkage::MAX_WEIGHT;
use censuslink_reconcile::{Finding, Here, Severity, thousands};
use censuslink_report::{Previous, Resolved, RunOptions, Written};

use crate::progress::{Bars, Progress};
use crate::{Done, failure, left, right};

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
    /// Also write each source's standardized records, beside its raw rows, into
    /// `OUT/standardized/<source>.parquet` (for audit, or for another tool).
    #[arg(long)]
    standardized: bool,
    /// Print nothing but warnings and errors.
    #[arg(long)]
    quiet: bool,
    /// Also print each source's row issues and ID numbers by kind and each link's blocking
    /// rules, prior and weights: counts and parameters only, never a value from a record.
    #[arg(long, short, conflicts_with = "quiet")]
    verbose: bool,
}

pub(crate) fn run(args: &RunArgs, lang: Option<Lang>) -> anyhow::Result<Done> {
    let job = Job::load(&args.job)?;
    job.check_roles()?;
    let lang = lang.unwrap_or(job.lang);
    // Read before anything is written: the previous run may be in the output folder.
    let previous = args.previous.as_deref().map(Previous::read).transpose()?;
    let resolved = match &args.resolved {
        Some(path) => Resolved::read(path)?,
        None => Resolved::default(),
    };
    start_threads(args.threads)?;
    let sources: Vec<&Path> =
        job.sources.iter().flat_map(|s| &s.paths).map(PathBuf::as_path).collect();
    let others: Vec<&Path> =
        std::iter::once(args.job.as_path()).chain(args.resolved.as_deref()).collect();
    let options = RunOptions {
        previous: previous.as_ref(),
        resolved: &resolved,
        truth: args.truth.as_deref(),
        lang,
        scoring: &Here,
        standardized: args.standardized,
    };
    let mut bars = Bars::new(Progress::new(args.quiet, lang));
    // Written into a staging folder beside the output folder and swapped in at the end, so
    // that a run that fails or is killed leaves the previous outputs whole.
    let (job_run, written) =
        censuslink_report::folder::write_into(&args.out, &sources, &others, |staging| {
            Ok::<_, anyhow::Error>(censuslink_report::run(&job, &options, staging, &mut bars)?)
        })?;

    let warnings: Vec<&Finding> =
        written.findings.iter().filter(|f| f.severity == Severity::Warning).collect();
    for warning in &warnings {
        eprintln!("{}{}", lang.pick("警告：", "warning: "), warning.message(lang));
    }
    if !args.quiet {
        print_summary(&written, &args.out, args.standardized, lang);
    }
    if args.verbose {
        println!();
        for line in details(&written.summaries, &job_run.outcome, &job_run.inputs(), lang) {
            println!("{line}");
        }
    }
    Ok(if warnings.is_empty() { Done::Clean } else { Done::Warnings })
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
                    let label = label.text(lang);
                    format!("{label} {weight:+.2}{}", if noted { " (!)" } else { "" })
                })
                .collect();
            lines.push(format!("  {}: {}", params.comparison.feature, weights.join(", ")));
        }
    }
    lines
}

/// The one screen a run ends with: what each source gave, what was found and where it is.
fn print_summary(produced: &Written, out: &Path, standardized: bool, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    print_sources(&produced.summaries, lang);
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
        if file != "standardized" || standardized {
            println!("{} {}", left(t(zh, en), 12), out.join(file).display());
        }
    }
}

/// Each source's rows read, usable and rejected, and its row issues, as a table.
pub(crate) fn print_sources(summaries: &[SourceSummary], lang: Lang) {
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
    for s in summaries {
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
