//! `censuslink pseudonymize`: a job's extracts rewritten with keyed pseudonyms in place of ID
//! numbers, names, household numbers and addresses, with a job that links them.

use std::path::{Path, PathBuf};

use censuslink_io::{Job, Key, Lang};

use crate::{failure, run};

#[derive(clap::Args)]
pub(crate) struct PseudonymizeArgs {
    /// The job whose extracts are pseudonymized.
    pub(crate) job: PathBuf,
    /// The office's key: a file of at least 32 bytes (`head -c 32 /dev/urandom > KEY`), kept
    /// apart from the extracts; every department pseudonymizes under the same key.
    #[arg(long)]
    key_file: PathBuf,
    /// The folder for the pseudonymized extracts and their `job.toml`; replaced whole.
    #[arg(long, default_value = "pseudonymized")]
    out: PathBuf,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

pub(crate) fn pseudonymize(args: &PseudonymizeArgs, lang: Option<Lang>) -> anyhow::Result<()> {
    let job = Job::load(&args.job)?;
    let lang = lang.unwrap_or(job.lang);
    let key = read_key(&args.key_file)?;
    let sources: Vec<&Path> =
        job.sources.iter().flat_map(|s| &s.paths).map(PathBuf::as_path).collect();
    run::start_threads(args.threads)?;
    let others = [args.job.as_path(), args.key_file.as_path()];
    let done = censuslink_report::folder::write_into(&args.out, &sources, &others, |staging| {
        Ok::<_, anyhow::Error>(censuslink_io::pseudonymize(&job, &key, staging)?)
    })?;
    if !args.quiet {
        for source in &done {
            let file = args.out.join(format!("{}.csv", source.source));
            let rows = censuslink_reconcile::thousands(source.rows);
            println!("{} {rows} {}   {}", source.source, lang.pick("行", "rows"), file.display());
        }
        println!("{} {}", lang.pick("作业文件", "job"), args.out.join("job.toml").display());
    }
    Ok(())
}

/// The key in `path`; an error that never shows its bytes.
fn read_key(path: &Path) -> anyhow::Result<Key> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|err| {
        failure(
            format!("无法读取密钥文件 {shown}：{err}"),
            format!("cannot read the key file {shown}: {err}"),
        )
    })?;
    Key::new(&bytes).ok_or_else(|| {
        let min = Key::MIN_LEN;
        failure(
            format!("密钥文件 {shown} 太短：至少要 {min} 字节（例如 head -c {min} /dev/urandom > 密钥文件）"),
            format!("the key file {shown} is too short: it needs {min} bytes or more (head -c {min} /dev/urandom > KEY, say)"),
        )
    })
}
