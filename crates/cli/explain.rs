//! `censuslink explain`: a pair of records, or the pairs behind a candidate, field by field,
//! under the models a run trained (its `models.json`).

use std::path::PathBuf;

use censuslink_io::{Job, Lang};
use censuslink_linkage::Explanation;
use censuslink_report::{Pairs, field_name};

use crate::run::start_threads;
use crate::{left, right};

#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// The job file of the run.
    #[arg(default_value = "sample-data/job.toml")]
    pub(crate) job: PathBuf,
    /// The run's output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// A candidate ID from the run's lists (missing, duplicates, deceased).
    #[arg(long, conflicts_with = "records", required_unless_present = "records")]
    candidate: Option<String>,
    /// Two records as the lists name them, `source:key`, e.g. `census:3201 hukou:3202`.
    #[arg(long, num_args = 2, value_names = ["LEFT", "RIGHT"])]
    records: Option<Vec<String>>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

pub(crate) fn explain(args: &ExplainArgs, lang: Option<Lang>) -> anyhow::Result<()> {
    let job = Job::load(&args.job)?;
    let lang = lang.unwrap_or(job.lang);
    start_threads(args.threads)?;
    let pairs = match (&args.candidate, &args.records) {
        (Some(id), _) => Pairs::Candidate(id),
        (None, Some(records)) => Pairs::Records(&records[0], &records[1]),
        (None, None) => unreachable!("clap requires --candidate or --records"),
    };
    let explained = censuslink_report::explain(&job, &args.out, pairs)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&explained)?);
        return Ok(());
    }
    for e in &explained {
        print_explanation(&e.left, &e.right, &e.link, &e.explanation, lang);
    }
    Ok(())
}

fn print_explanation(a: &str, b: &str, link: &str, e: &Explanation, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    println!();
    println!("{a} ↔ {b}   ({} {link})", t("模型", "model"));
    println!(
        "{} {} {} {} {}",
        left(t("字段", "field"), 20),
        left(t("水平", "level"), 34),
        right(t("权重", "weight"), 8),
        right(t("词频调整", "tf adjust"), 10),
        right(t("累计", "running"), 8)
    );
    let signed = |x: f64| format!("{x:+.2}");
    println!(
        "{} {} {}",
        left(t("先验", "prior"), 20),
        left("", 34 + 1 + 8 + 1 + 10),
        right(&signed(e.prior_weight), 8)
    );
    let mut running = e.prior_weight;
    for field in &e.comparisons {
        running += field.weight + field.tf_adjustment;
        println!(
            "{} {} {} {} {}",
            left(field_name(&field.feature, lang), 20),
            left(&format!("{} ({})", field.label.text(lang), field.level), 34),
            right(&signed(field.weight), 8),
            right(&signed(field.tf_adjustment), 10),
            right(&signed(running), 8)
        );
    }
    println!(
        "{} {:+.2}   {} {:.6}",
        t("匹配权重", "match weight"),
        e.total,
        t("匹配概率", "match probability"),
        e.probability
    );
}
