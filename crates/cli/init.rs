//! `censuslink init`: a job file inferred from the extracts' headers and values, written to
//! `--out` (never over an existing file unless `--force`), and a summary of what was inferred.

use std::io::Write;
use std::path::{Path, PathBuf};

use censuslink_io::Lang;

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The extracts: CSV, Parquet, Arrow or XLSX files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The job file to write.
    #[arg(long, default_value = "job.toml")]
    out: PathBuf,
    /// Overwrite the job file if it exists.
    #[arg(long)]
    force: bool,
}

pub(crate) fn init(args: &InitArgs, lang: Lang) -> anyhow::Result<()> {
    // The job names the office's files and columns: the owner's alone, as every output is.
    let _private = censuslink_report::folder::private_files();
    let out = args.out.display();
    if args.out.exists() && !args.force {
        return Err(crate::failure(
            format!("{out} 已存在；加 --force 覆盖，或用 --out 另选文件"),
            format!("{out} exists; pass --force to overwrite it, or choose another --out"),
        ));
    }
    // The io crate's message for a missing file speaks of paths in a job file; these are the
    // command line's.
    if let Some(missing) = args.files.iter().find(|file| !file.exists()) {
        let file = missing.display();
        return Err(crate::failure(
            format!("找不到 {file}：没有这个文件"),
            format!("cannot read {file}: no such file"),
        ));
    }
    let inferred = censuslink_io::infer_job(&args.files, &args.out, lang)?;
    // What init writes, run must accept: a job that does not validate is not written.
    censuslink_io::Job::parse(&inferred.text, &args.out)?;
    write_job(&args.out, &inferred.text, args.force).map_err(|err| {
        crate::failure(format!("无法写入 {out}：{err}"), format!("cannot write {out}: {err}"))
    })?;

    for source in &inferred.sources {
        let file =
            source.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
        let (name, role, format, n_fields) =
            (&source.name, source.role, source.format.as_str(), source.n_fields);
        let key = match source.key.as_slice() {
            [] => lang.pick("以行号为键".into(), "keyed by row number".into()),
            columns => {
                let columns = columns.join(" + ");
                lang.pick(format!("键 {columns}"), format!("key {columns}"))
            }
        };
        let n_guesses = source.n_guesses;
        println!(
            "{}",
            lang.pick(
                format!(
                    "{file} → {name}（{role}，{format}）：{n_fields} 个字段，{key}，\
                     {n_guesses} 行待核对"
                ),
                format!(
                    "{file} → {name} ({role}, {format}): {n_fields} fields, {key}, \
                     {n_guesses} to check"
                ),
            )
        );
        if !source.not_mapped.is_empty() {
            let columns = source.not_mapped.join(", ");
            println!(
                "{}",
                lang.pick(format!("    未映射：{columns}"), format!("    not mapped: {columns}"))
            );
        }
    }
    let n_guesses = inferred.n_guesses;
    println!();
    println!(
        "{}",
        lang.pick(
            format!("作业文件：{out}；运行前请先核对标有「推测」「请核对」的 {n_guesses} 行"),
            format!(
                "job file: {out}; read the {n_guesses} lines marked guess or check before \
                 running it"
            ),
        )
    );
    println!("{}censuslink run {}", lang.pick("下一步：", "next: "), shell_word(&args.out));
    Ok(())
}

/// Writes the job file: a new file, or over an existing one when `force` is set.
fn write_job(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    match force {
        true => options.create(true).truncate(true),
        false => options.create_new(true),
    };
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// A path as a shell word: quoted when it holds spaces or quotes.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let is_plain = text.chars().all(|c| c.is_alphanumeric() || "/._-+:,@%".contains(c));
    match is_plain {
        true => text,
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}
