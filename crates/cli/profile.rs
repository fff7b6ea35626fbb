//! `censuslink profile`: what a job's sources hold, before any linking is spent.

use std::path::PathBuf;

use censuslink_io::{Job, Lang};
use censuslink_reconcile::{Profile, Severity, thousands};
use unicode_width::UnicodeWidthStr;

use crate::progress::{Bars, Progress};
use crate::run::start_threads;
use crate::{Done, left, right};

#[derive(clap::Args)]
pub(crate) struct ProfileArgs {
    /// The job file.
    #[arg(default_value = "sample-data/job.toml")]
    pub(crate) job: PathBuf,
    /// Print the profile as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print no progress.
    #[arg(long)]
    quiet: bool,
}

pub(crate) fn profile(args: &ProfileArgs, lang: Option<Lang>) -> anyhow::Result<Done> {
    let job = Job::load(&args.job)?;
    let lang = lang.unwrap_or(job.lang);
    start_threads(args.threads)?;
    let progress = Progress::new(args.quiet, lang);
    let settings = censuslink_reconcile::linkage_settings(&job)?;
    let (loaded, _) = censuslink_reconcile::load_sources(&job, None, &mut Bars::new(progress))?;
    let sources: Vec<_> =
        job.sources.iter().zip(&loaded).map(|(source, (.., l))| (source, l)).collect();
    let stage = progress.stage(lang.pick("分块", "blocking").to_owned(), ("", ""));
    let profile = censuslink_reconcile::profile(&sources, &settings, job.reference_date);
    stage.finish();
    if args.json {
        let findings: Vec<_> = profile
            .findings
            .iter()
            .map(|f| serde_json::json!({ "finding": f, "message": f.message(lang) }))
            .collect();
        let json = serde_json::json!({
            "sources": profile.sources,
            "findings": findings,
            "blocking": profile.blocking,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print_profile(&profile, lang);
    }
    let warned = profile.findings.iter().any(|f| f.severity == Severity::Warning);
    Ok(if warned { Done::Warnings } else { Done::Clean })
}

fn print_profile(profile: &Profile, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    for source in &profile.sources {
        println!();
        println!(
            "== {} ({})  {} {}  {} {}",
            source.name,
            source.role,
            thousands(source.rows),
            t("行", "rows"),
            t("拒绝", "rejected"),
            thousands(source.rejected)
        );
        println!(
            "{} {} {} {} {}",
            left(t("字段", "field"), 18),
            left(t("列", "column"), 24),
            right(t("填充率", "filled"), 8),
            right(t("不同值", "distinct"), 10),
            right(t("无法识别", "unreadable"), 10)
        );
        for field in &source.fields {
            let filled = 100.0 * field.filled as f64 / source.rows.max(1) as f64;
            println!(
                "{} {} {} {} {}",
                left(&field.field, 18),
                left(&field.column, 24),
                right(&format!("{filled:.1}%"), 8),
                right(&thousands(field.distinct), 10),
                right(&thousands(field.unreadable), 10)
            );
        }
        if !source.id_status.is_empty() {
            let statuses: Vec<String> = source
                .id_status
                .iter()
                .map(|(status, n)| format!("{status} {}", thousands(*n)))
                .collect();
            println!("{}: {}", t("身份证号", "ID numbers"), statuses.join(", "));
        }
        if !source.top_names.is_empty() {
            let names: Vec<String> =
                source.top_names.iter().map(|(name, n)| format!("{name} {n}")).collect();
            println!("{}: {}", t("常见姓名", "common names"), names.join(", "));
        }
    }
    println!();
    println!("== {}", t("发现", "findings"));
    if profile.findings.is_empty() {
        println!("{}", t("无", "none"));
    }
    for finding in &profile.findings {
        let severity = match finding.severity {
            Severity::Warning => t("警告", "warning"),
            Severity::Note => t("提示", "note"),
        };
        println!("{severity}: {}", finding.message(lang));
    }
    println!();
    println!("== {}", t("分块规则（候选对）", "blocking rules (candidate pairs)"));
    for link in &profile.blocking {
        let other = link.right.as_deref().unwrap_or(&link.left);
        println!();
        println!("{} ↔ {other}", link.left);
        let width =
            link.rules.iter().map(|r| UnicodeWidthStr::width(r.rule.as_str())).fold(48, usize::max);
        println!(
            "{} {} {} {}",
            left(t("规则", "rule"), width),
            right(t("块数", "blocks"), 10),
            right(t("新增对数", "new pairs"), 14),
            right(t("最大块对数", "largest block"), 14)
        );
        for rule in &link.rules {
            println!(
                "{} {} {} {}",
                left(&rule.rule, width),
                right(&thousands(rule.blocks as usize), 10),
                right(&thousands(rule.pairs as usize), 14),
                right(&thousands(rule.largest_block as usize), 14)
            );
            if rule.capped_blocks > 0 {
                println!(
                    "  {}",
                    lang.pick(
                        format!(
                            "{} 个块超过上限未比对（共 {} 对）；给规则加一个键来拆分",
                            thousands(rule.capped_blocks as usize),
                            thousands(rule.capped_pairs as usize)
                        ),
                        format!(
                            "{} blocks over the cap were not compared ({} pairs); add a key to \
                             the rule to split them",
                            thousands(rule.capped_blocks as usize),
                            thousands(rule.capped_pairs as usize)
                        ),
                    )
                );
            }
        }
    }
}
