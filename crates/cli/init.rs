//! `censuslink init`: a job file inferred from the extracts' headers and values.

use std::path::PathBuf;

use censuslink_io::Lang;

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The extracts: CSV, Parquet, Arrow or XLSX files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The job file to write.
    #[arg(long, default_value = "job.toml")]
    out: PathBuf,
}

pub(crate) fn init(args: &InitArgs, lang: Lang) -> anyhow::Result<()> {
    let _ = (args, lang);
    anyhow::bail!("init is being written")
}
