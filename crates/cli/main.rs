//! The `censuslink` command line: argument parsing, the commands, and what is printed. The
//! only place that prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use censuslink_io::{Job, Lang};
use clap::{Parser, Subcommand};

mod explain;
mod init;
mod link;
mod profile;
mod progress;
mod pseudonymize;
mod run;

/// mimalloc keeps freed memory for reuse: a run allocates and drops many batch-sized buffers,
/// and the system allocator returns them to the kernel only to fault them in again. It is built
/// without asking for transparent huge pages (see the workspace's `Cargo.toml`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  done, with warnings worth reading (printed, and in summary.json)
  2  bad usage or input: the one-line message names the file, the key or row, and what to fix";

/// Links a census to administrative records and lists who it missed, who it counted twice,
/// the dead it counted and the births it missed.
#[derive(Parser)]
#[command(name = "censuslink", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The language of messages: zh or en; by default the job's `lang`, or zh.
    #[arg(long, global = true)]
    lang: Option<Lang>,
}

#[derive(Subcommand)]
enum Command {
    /// Write a job file for the given extracts: their roles, formats, encodings, columns and
    /// codes as far as their headers and values tell, with a comment on every guess.
    Init(init::InitArgs),
    /// Profile a job's sources before linking: fill rates, distinct values, unreadable values,
    /// ID statuses, common names, suspicious values, and each blocking rule's pairs.
    Profile(profile::ProfileArgs),
    /// Read, standardize, link and reconcile a job, and write the lists, the worklists and the
    /// report.
    #[command(after_help = EXIT_CODES)]
    Run(run::RunArgs),
    /// Link person records of any kind, with no census semantics: the job's first source to
    /// each later one; writes the links, the clusters they make, the models and a report of
    /// the weights and blocking.
    Link(link::LinkArgs),
    /// Find the records of one source that are one person, with no census semantics; writes
    /// the clusters, the pairs within them, the model and a report of the weights and
    /// blocking.
    Dedupe(link::DedupeArgs),
    /// Explain a pair of records, or a candidate of a run's lists, field by field.
    Explain(explain::ExplainArgs),
    /// Rewrite a job's extracts with keyed pseudonyms (HMAC-SHA-256 under the office's key) in
    /// place of ID numbers, names, household numbers and addresses, with a job that links them.
    Pseudonymize(pseudonymize::PseudonymizeArgs),
    /// Score a run's lists against a generated district's truth (`censuslink synth` writes it):
    /// precision and recall of the links and of each list, printed and written to
    /// `OUT/evaluation.json`.
    Evaluate(EvaluateArgs),
    /// Generate a synthetic district with ground truth: six departmental extracts, their job
    /// file and the truth (the bundled sample is `synth --persons 20000 --seed 2020`).
    Synth(SynthArgs),
}

#[derive(clap::Args)]
struct EvaluateArgs {
    /// The truth folder of the district the run was made on.
    #[arg(long)]
    truth: PathBuf,
    /// The run's output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct SynthArgs {
    /// Usual residents of the district (of the province, with `--counties`).
    #[arg(long, default_value_t = 20_000)]
    persons: usize,
    /// The seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// A factor on every error rate: 1 for the documented rates, 0 for no recording errors.
    #[arg(long, default_value_t = 1.0)]
    error_scale: f64,
    /// The census file's layout: `census2020` (the 7th census's short form, as the offices
    /// hold it) or `classic` (one key, whole region codes).
    #[arg(long, default_value = "census2020", value_parser = parse_layout)]
    layout: censuslink_synth::Layout,
    /// A province of this many counties (1 to 11) sharing the persons, each county's files in
    /// a folder of its own, with the people registered in one and living in another.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=censuslink_synth::MAX_COUNTIES as i64))]
    counties: Option<u8>,
    /// The folder to write into; created if absent.
    #[arg(long)]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// How a command ended, when it did its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    /// Nothing to read.
    Clean,
    /// With warnings the analyst should read.
    Warnings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang =
        cli.lang.unwrap_or_else(|| cli.command.job().map(Job::lang_of_file).unwrap_or_default());
    let result = match &cli.command {
        Command::Init(args) => init::init(args, lang).map(|()| Done::Clean),
        Command::Profile(args) => profile::profile(args, cli.lang),
        Command::Run(args) => run::run(args, cli.lang),
        Command::Link(args) => link::link(args, cli.lang),
        Command::Dedupe(args) => link::dedupe(args, cli.lang),
        Command::Explain(args) => explain::explain(args, cli.lang).map(|()| Done::Clean),
        Command::Pseudonymize(args) => {
            pseudonymize::pseudonymize(args, cli.lang).map(|()| Done::Clean)
        }
        Command::Evaluate(args) => evaluate(args).map(|()| Done::Clean),
        Command::Synth(args) => synth(args, lang).map(|()| Done::Clean),
    };
    match result {
        Ok(Done::Clean) => ExitCode::SUCCESS,
        Ok(Done::Warnings) => ExitCode::from(1),
        Err(err) => {
            eprintln!("{}{}", lang.pick("错误：", "error: "), message(&err, lang));
            ExitCode::from(2)
        }
    }
}

impl Command {
    /// The job file the command reads, if any.
    fn job(&self) -> Option<&Path> {
        match self {
            Command::Profile(args) => Some(&args.job),
            Command::Run(args) => Some(&args.job),
            Command::Link(args) => Some(&args.common.job),
            Command::Dedupe(args) => Some(&args.job),
            Command::Explain(args) => Some(&args.job),
            Command::Pseudonymize(args) => Some(&args.job),
            _ => None,
        }
    }
}

/// A message of the binary's own, in both languages.
#[derive(Debug)]
struct Localized {
    zh: String,
    en: String,
}

impl std::fmt::Display for Localized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Localized {}

/// An error of the binary's own, in Chinese and in English.
fn failure(zh: String, en: String) -> anyhow::Error {
    anyhow::Error::new(Localized { zh, en })
}

/// The one line an error is for the analyst, in `lang`.
fn message(err: &anyhow::Error, lang: Lang) -> String {
    if let Some(err) = err.downcast_ref::<Localized>() {
        return lang.pick(&err.zh, &err.en).clone();
    }
    if let Some(err) = err.downcast_ref::<censuslink_io::Error>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_reconcile::SettingsError>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_reconcile::AccountingError>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_report::TruthError>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_reconcile::JobError>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_report::Error>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_report::ExplainError>() {
        return err.message(lang);
    }
    if let Some(err) = err.downcast_ref::<censuslink_report::folder::FolderError>() {
        return err.message(lang);
    }
    format!("{err:#}")
}

fn evaluate(args: &EvaluateArgs) -> anyhow::Result<()> {
    let evaluation = censuslink_report::evaluate(&args.out, &args.truth)?;
    censuslink_io::write_json(&evaluation, &args.out.join("evaluation.json"))?;
    if !args.quiet {
        println!(
            "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "list", "precision", "recall", "reported", "correct", "expected"
        );
        let rows = [
            ("links", evaluation.links),
            ("links hukou", evaluation.hukou_links),
            ("missing", evaluation.missing),
            ("duplicates", evaluation.duplicates),
            ("deceased", evaluation.deceased),
            ("births", evaluation.births),
            ("conflicts", evaluation.conflicts),
        ];
        for (name, score) in rows {
            println!(
                "{name:<12} {:>10.5} {:>10.5} {:>10} {:>10} {:>10}",
                score.precision, score.recall, score.reported, score.correct, score.expected
            );
        }
        let located = evaluation.located;
        println!(
            "missing candidates in their true enumeration area: {} of {} ({:.5}), {} in another",
            located.in_true_area, located.candidates, located.share, located.elsewhere
        );
        let detail = &evaluation.missing_detail;
        for tier in &detail.tiers {
            println!(
                "missing tier {}: {} candidates, {} omitted residents (precision {:.5})",
                tier.tier, tier.reported, tier.correct, tier.precision
            );
        }
        let at =
            |precision: Option<f64>| precision.map_or("not reached".into(), |p| format!("{p:.5}"));
        println!(
            "missing, ranked by probability: precision {} at 70 % and {} at 95 % recall of the \
             findable; recall {:.5} of all {} omitted",
            at(detail.precision_at_70),
            at(detail.precision_at_95),
            detail.recall_of_all,
            detail.omitted
        );
        for bin in &detail.calibration {
            println!(
                "missing, probability {:.1}-{:.1}: {} candidates, mean probability {:.3}, \
                 omitted residents {:.3} (standard error {:.3})",
                bin.low,
                bin.low + 0.1,
                bin.candidates,
                bin.mean_probability,
                bin.observed,
                bin.standard_error
            );
        }
        println!(
            "missing, expected omitted residents among the candidates {:.1}, true {}",
            detail.expected_omitted, detail.omitted_among_candidates
        );
        let gap = |gap: Option<f64>| gap.map_or("–".into(), |g| format!("{g:.3}"));
        println!(
            "missing, largest gap of a tenth of {} candidates or more: {}, beyond two standard \
             errors: {} (uncorrected for not being listed: {})",
            censuslink_report::CALIBRATION_MIN,
            gap(detail.calibration_gap),
            gap(detail.calibration_gap_beyond_noise),
            gap(detail.calibration_gap_uncorrected)
        );
        print_coverage("coverage", &evaluation.coverage);
        if let Some(cross) = &evaluation.cross_county {
            println!(
                "across counties: {} of {} usual residents enumerated in another county than \
                 their hukou's are not missing candidates ({:.5})",
                cross.not_missing, cross.enumerated_elsewhere, cross.not_missing_share
            );
            let d = cross.duplicates;
            println!(
                "across counties: duplicates precision {:.5} recall {:.5} ({} reported, {} \
                 correct, {} expected)",
                d.precision, d.recall, d.reported, d.correct, d.expected
            );
            for county in &cross.coverage {
                print_coverage(&format!("coverage {}", county.county), &county.score);
            }
        }
        println!();
        println!("evaluation: {}", args.out.join("evaluation.json").display());
    }
    Ok(())
}

/// A coverage score's line, headed `what`.
fn print_coverage(what: &str, coverage: &censuslink_report::CoverageScore) {
    match (coverage.estimate, coverage.low, coverage.high, coverage.relative_error) {
        (Some(estimate), Some(low), Some(high), Some(error)) => println!(
            "{what}: estimate {estimate:.1} [{low:.1}, {high:.1}] for {} true usual \
             residents: error {:+.3} %, interval {} the truth",
            coverage.true_residents,
            error * 100.0,
            if coverage.holds_truth == Some(true) { "holds" } else { "misses" }
        ),
        _ => println!("{what}: no estimate for {} true usual residents", coverage.true_residents),
    }
}

fn synth(args: &SynthArgs, lang: Lang) -> anyhow::Result<()> {
    if !(args.error_scale.is_finite() && args.error_scale >= 0.0) {
        return Err(failure(
            "--error-scale 须为 0 或更大的数".into(),
            "--error-scale must be a number of 0 or more".into(),
        ));
    }
    let config = censuslink_synth::SynthConfig {
        persons: args.persons,
        seed: args.seed,
        error_scale: args.error_scale,
        layout: args.layout,
        counties: args.counties.map(usize::from),
    };
    let district = censuslink_synth::generate(&config);
    let written = district.write(&args.out)?;
    if !args.quiet {
        println!("{:<34} {:>10}", lang.pick("文件", "file"), lang.pick("行数", "rows"));
        for (file, rows) in &written {
            println!("{:<34} {:>10}", file, rows);
        }
        println!();
        let what = match args.counties {
            Some(_) => lang.pick("模拟省份：", "province: "),
            None => lang.pick("模拟区县：", "district: "),
        };
        println!("{what}{}", args.out.display());
    }
    Ok(())
}

/// A `--layout` value.
fn parse_layout(text: &str) -> Result<censuslink_synth::Layout, String> {
    text.parse().map_err(|()| {
        let names: Vec<&str> = censuslink_synth::Layout::ALL.iter().map(|l| l.as_str()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// `text` padded to `width` terminal columns (a Chinese character takes two), left-aligned.
fn left(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text));
    format!("{text}{}", " ".repeat(pad))
}

/// `text` padded to `width` terminal columns, right-aligned.
fn right(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text));
    format!("{}{text}", " ".repeat(pad))
}
