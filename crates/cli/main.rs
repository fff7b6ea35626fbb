//! The `censuslink` command line: argument parsing, the run loop over a job's sources, and
//! what is printed. The only place that prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use censuslink_io::{Encoding, Export, Job, LoadedSource, SourceSummary, StandardizedWriter};
use censuslink_reconcile::IdNumbers;
use clap::{Parser, Subcommand};
use serde_json::json;

mod init;

/// mimalloc keeps freed memory for reuse: a run allocates and drops many batch-sized buffers,
/// and the system allocator returns them to the kernel only to fault them in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Links a census to administrative records and lists who it missed, who it counted twice,
/// the dead it counted and the births it missed.
///
/// Exit codes: 0 done; 2 bad usage or input (the message says which file and what to fix).
#[derive(Parser)]
#[command(name = "censuslink", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The language of messages: zh or en; by default the job's `lang`, or zh.
    #[arg(long, global = true)]
    lang: Option<censuslink_io::Lang>,
}

#[derive(Subcommand)]
enum Command {
    /// Write a job file for the given extracts: their roles, formats, encodings, columns and
    /// codes as far as their headers and values tell, with a comment on every guess.
    Init(init::InitArgs),
    /// Read and standardize every source of a job and write the results.
    Run(RunArgs),
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
    /// Usual residents of the district.
    #[arg(long, default_value_t = 20_000)]
    persons: usize,
    /// The seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// A factor on every error rate: 1 for the documented rates, 0 for no recording errors.
    #[arg(long, default_value_t = 1.0)]
    error_scale: f64,
    /// The folder to write into; created if absent.
    #[arg(long)]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The job file.
    #[arg(default_value = "sample-data/job.toml")]
    job: PathBuf,
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
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => init::init(&args, cli.lang.unwrap_or_default()),
        Command::Run(args) => run(&args),
        Command::Evaluate(args) => evaluate(&args),
        Command::Synth(args) => synth(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &RunArgs) -> anyhow::Result<()> {
    let job = Job::load(&args.job)?;
    // Read before anything is written: the previous run may be in the output folder.
    let previous =
        args.previous.as_deref().map(censuslink_reconcile::Previous::read).transpose()?;
    let resolved = match &args.resolved {
        Some(path) => censuslink_reconcile::Resolved::read(path)?,
        None => censuslink_reconcile::Resolved::default(),
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()
        .context("cannot start the worker threads")?;
    // Everything is written into a staging folder beside the output folder and swapped in at
    // the end, so that a run that fails leaves the previous outputs whole.
    let staging = sibling(&args.out, "partial");
    let _ = std::fs::remove_dir_all(&staging);
    let (summaries, lists) = match produce(&job, previous.as_ref(), &resolved, &staging) {
        Ok(written) => written,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    let replaced = sibling(&args.out, "replaced");
    let _ = std::fs::remove_dir_all(&replaced);
    if args.out.exists() {
        std::fs::rename(&args.out, &replaced)
            .with_context(|| format!("cannot replace the output folder {}", args.out.display()))?;
    }
    std::fs::rename(&staging, &args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    let _ = std::fs::remove_dir_all(&replaced);

    if !args.quiet {
        print_summary(&summaries, &lists, &args.out);
    }
    Ok(())
}

/// `folder` with a dot in front and `.suffix` after its name, beside it: a staging or a
/// replaced output folder.
fn sibling(folder: &Path, suffix: &str) -> PathBuf {
    let name = folder.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy());
    folder.with_file_name(format!(".{name}.{suffix}"))
}

/// Reads, standardizes, links and reconciles the job, writing every output into `out`; the
/// sources' summaries and the lists' row counts.
fn produce(
    job: &Job,
    previous: Option<&censuslink_reconcile::Previous>,
    resolved: &censuslink_reconcile::Resolved,
    out: &Path,
) -> anyhow::Result<(Vec<SourceSummary>, serde_json::Map<String, serde_json::Value>)> {
    let standardized_dir = out.join("standardized");
    std::fs::create_dir_all(&standardized_dir).with_context(|| {
        format!("cannot create the output folder {}", standardized_dir.display())
    })?;

    let mut loaded: Vec<(&str, LoadedSource)> = Vec::with_capacity(job.sources.len());
    let mut summaries = Vec::with_capacity(job.sources.len());
    for source in &job.sources {
        let mut writer =
            StandardizedWriter::new(&standardized_dir.join(format!("{}.parquet", source.name)));
        let source_loaded =
            censuslink_io::load_with(source, &job.path, |raw, table| writer.write(raw, table))?;
        writer.finish(&source_loaded.header)?;
        summaries.push(SourceSummary::new(&source.name, source.role.as_str(), &source_loaded));
        loaded.push((&source.name, source_loaded));
    }
    let issue_sources: Vec<(&str, &LoadedSource)> =
        loaded.iter().map(|(name, l)| (*name, l)).collect();
    censuslink_io::write_row_issues(&issue_sources, &out.join("row_issues.csv"))?;

    // Link and reconcile.
    let settings = censuslink_reconcile::linkage_settings(job)?;
    let inputs: Vec<censuslink_reconcile::Input<'_>> = job
        .sources
        .iter()
        .zip(&loaded)
        .map(|(source, (_, l))| censuslink_reconcile::Input {
            name: &source.name,
            role: source.role,
            table: &l.table,
        })
        .collect();
    let outcome = censuslink_reconcile::reconcile(&inputs, &settings, job.reference_date);
    let mut tables = censuslink_reconcile::tables(&outcome, &inputs);
    let (gone, changes) = censuslink_reconcile::apply(&mut tables, previous, resolved);
    tables.push(("gone", gone));
    let mut lists = serde_json::Map::new();
    let csv = Export::Csv { encoding: Encoding::Utf8, bom: true };
    for (name, table) in &tables {
        censuslink_io::write_table(&out.join(format!("{name}.csv")), &csv, table)?;
        censuslink_io::write_table(&out.join(format!("{name}.parquet")), &Export::Parquet, table)?;
        lists.insert((*name).to_owned(), json!(table.n_rows()));
    }

    // Worklists for field teams: one workbook per township, a sheet per area.
    let worklist_dir = out.join("worklists");
    std::fs::create_dir_all(&worklist_dir)
        .with_context(|| format!("cannot create {}", worklist_dir.display()))?;
    let (ids, title) = match job.mask_ids {
        true => (IdNumbers::Masked, "普查比对核查清单（身份证号已遮盖）"),
        false => (IdNumbers::Shown, "普查比对核查清单（含完整身份证号，注意保密）"),
    };
    let books = censuslink_reconcile::worklists(&outcome, &inputs, ids);
    for (township, sheets) in &books {
        let sheets: Vec<censuslink_io::Sheet<'_>> = sheets
            .iter()
            .map(|(name, table)| censuslink_io::Sheet { name, title: Some(title), table })
            .collect();
        censuslink_io::write_workbook(&worklist_dir.join(format!("{township}.xlsx")), &sheets)?;
    }
    lists.insert("worklists".to_owned(), json!(books.len()));

    // Row accounting: every row read is linked, unlinked or rejected, and nothing else.
    let mut linked: Vec<std::collections::HashSet<u32>> = vec![Default::default(); inputs.len()];
    for link in &outcome.links {
        linked[link.left.source].insert(link.left.row);
        linked[link.right.source].insert(link.right.row);
    }
    let mut accounting = serde_json::Map::new();
    for (i, input) in inputs.iter().enumerate() {
        let table = input.table;
        anyhow::ensure!(
            linked[i].iter().all(|&row| table.rejected[row as usize].is_none()),
            "source {}: a rejected row was linked",
            input.name
        );
        let rejected = table.n_rejected();
        let n_linked = linked[i].len();
        let unlinked = table.len() - rejected - n_linked;
        accounting.insert(
            input.name.to_owned(),
            json!({ "read": table.len(), "linked": n_linked, "unlinked": unlinked, "rejected": rejected }),
        );
    }

    let summary = json!({
        "job": display_path(&job.path),
        "reference_moment": format!("{}T00:00:00", job.reference_date),
        "sources": summaries,
        "row_accounting": accounting,
        "lists": lists,
        "coverage": {
            "district": outcome.coverage.iter().find(|c| c.level == "district"),
            "assumptions": censuslink_reconcile::ASSUMPTIONS,
        },
        "candidates_by_status": changes.listed,
        "resolved_by_field_teams": changes.resolved,
    });
    censuslink_io::write_json(&summary, &out.join("summary.json"))?;

    Ok((summaries, lists))
}

fn evaluate(args: &EvaluateArgs) -> anyhow::Result<()> {
    let evaluation = censuslink_reconcile::evaluate(&args.out, &args.truth)?;
    censuslink_io::write_json(&evaluation, &args.out.join("evaluation.json"))?;
    if !args.quiet {
        println!(
            "{:<12} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "list", "precision", "recall", "reported", "correct", "expected"
        );
        let rows = [
            ("links", evaluation.links),
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
        println!();
        println!("evaluation: {}", args.out.join("evaluation.json").display());
    }
    Ok(())
}

fn synth(args: &SynthArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.error_scale.is_finite() && args.error_scale >= 0.0,
        "--error-scale must be a number of 0 or more"
    );
    let config = censuslink_synth::SynthConfig {
        persons: args.persons,
        seed: args.seed,
        error_scale: args.error_scale,
    };
    let district = censuslink_synth::generate(&config);
    let written = district.write(&args.out)?;
    if !args.quiet {
        println!("{:<34} {:>10}", "file", "rows");
        for (file, rows) in &written {
            println!("{:<34} {:>10}", file, rows);
        }
        println!();
        println!("district: {}", args.out.display());
    }
    Ok(())
}

fn print_summary(
    summaries: &[SourceSummary],
    lists: &serde_json::Map<String, serde_json::Value>,
    out: &Path,
) {
    println!(
        "{:<12} {:<10} {:>10} {:>10} {:>10} {:>10}",
        "source", "role", "read", "usable", "rejected", "issues"
    );
    for s in summaries {
        let rejected: u64 = s.rows_rejected.values().sum();
        let issues: u64 = s.issues.values().sum();
        println!(
            "{:<12} {:<10} {:>10} {:>10} {:>10} {:>10}",
            s.name, s.role, s.rows_read, s.rows_usable, rejected, issues
        );
    }
    println!();
    for (name, n) in lists {
        let n = n.as_u64().unwrap_or_default();
        let file =
            if name == "worklists" { out.join(name) } else { out.join(format!("{name}.csv")) };
        println!("{name:<12} {n:>10}   {}", file.display());
    }
    println!();
    println!("standardized records: {}", out.join("standardized").display());
    println!("row issues:           {}", out.join("row_issues.csv").display());
    println!("summary:              {}", out.join("summary.json").display());
}

/// The path as given, with `/` separators, so that summaries read the same on every system.
fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
