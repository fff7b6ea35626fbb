//! The output folder, kept safe: it never holds an input nor lies in an input's folder, it is
//! only ever replaced when it is absent, empty or a previous output (marked by [`MARKER`]),
//! every file is written into a staging folder beside it and swapped into its place at the
//! end ([`write_into`]), and whatever a run creates is readable by its owner only
//! ([`private_files`]). The command line and the Python package write through it.

use std::path::{Component, Path, PathBuf};

use censuslink_io::Lang;

/// Why an output folder cannot be used, in Chinese and English.
#[derive(Debug, thiserror::Error)]
#[error("{en}")]
pub struct FolderError {
    zh: String,
    en: String,
}

impl FolderError {
    /// The one line the error is for the analyst, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).clone()
    }
}

fn failure(zh: String, en: String) -> FolderError {
    FolderError { zh, en }
}

/// While the guard lives, files and folders the process creates are the owner's alone (mode
/// 0600 and 0700): census records are confidential. The process's previous file mode mask
/// comes back when it drops (it is the whole process's: a library caller's other threads
/// create private files meanwhile too).
#[must_use = "files are private only while the guard lives"]
pub struct PrivateFiles {
    #[cfg(unix)]
    previous: rustix::fs::Mode,
}

/// Makes what the process creates private until the guard drops.
pub fn private_files() -> PrivateFiles {
    PrivateFiles {
        #[cfg(unix)]
        previous: rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077)),
    }
}

impl Drop for PrivateFiles {
    fn drop(&mut self) {
        #[cfg(unix)]
        rustix::process::umask(self.previous);
    }
}

/// Writes outputs into the folder `out` the safe way: `out` checked apart from `inputs` (the
/// sources' files) and `others` (the job file and the like), every file private, `write`
/// called on a staging folder beside `out`, which then takes `out`'s place whole; when
/// `write` fails, the staging folder goes and `out` is left as it was.
pub fn write_into<T, E: From<FolderError>>(
    out: &Path,
    inputs: &[&Path],
    others: &[&Path],
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    check_apart(out, inputs, others)?;
    let _private = private_files();
    let staging = stage(out)?;
    match write(&staging) {
        Ok(done) => {
            swap_into_place(&staging, out)?;
            Ok(done)
        }
        Err(err) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(err)
        }
    }
}

/// Refuses an output folder that holds one of `inputs` or `others` (a run replaces its whole
/// output folder), or that is, or lies inside, the folder of one of `inputs` (the sources'
/// files; `others` are the job file and the like).
fn check_apart(out: &Path, inputs: &[&Path], others: &[&Path]) -> Result<(), FolderError> {
    let out_full = resolved(out);
    for (k, &input) in inputs.iter().chain(others).enumerate() {
        let input_full = resolved(input);
        let folder = input_full.parent().unwrap_or(Path::new("/"));
        let (shown_out, shown_input) = (out.display(), input.display());
        if input_full.starts_with(&out_full) {
            return Err(failure(
                format!(
                    "输出文件夹 {shown_out} 含有输入文件 {shown_input}：每次运行都会替换整个输出文件夹，请另选一个文件夹"
                ),
                format!(
                    "the output folder {shown_out} holds the input {shown_input}: a run replaces its whole output folder; choose another folder"
                ),
            ));
        }
        if k < inputs.len() && out_full.starts_with(folder) {
            return Err(failure(
                format!(
                    "输出文件夹 {shown_out} 在输入文件 {shown_input} 所在的文件夹里：结果不写进输入文件夹，请另选一个文件夹"
                ),
                format!(
                    "the output folder {shown_out} is inside the folder of the input {shown_input}: nothing is written into an input's folder; choose another folder"
                ),
            ));
        }
    }
    Ok(())
}

/// The file every output folder holds, so that a later run knows the folder is one it may
/// replace: a folder without it is the user's, and is never replaced.
pub const MARKER: &str = ".censuslink-output";

/// Checks that `out` may be replaced (it is absent, an empty folder or a previous output) and
/// that the swap at the end can work, then makes the staging folder beside it, marked, and
/// returns it. Everything is checked before any work, so that a run never fails at the end
/// over its output folder, and never deletes a file it did not write.
fn stage(out: &Path) -> Result<PathBuf, FolderError> {
    check_replaceable(out, false)?;
    let staging = sibling(out, "partial");
    // A staging folder left by a killed run goes; anything else of that name is the user's.
    check_replaceable(&staging, true)?;
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|err| cannot_replace(&staging, &err))?;
    }
    create_dir(&staging)?;
    std::fs::write(
        staging.join(MARKER),
        "censuslink output: the next run replaces this folder whole\n",
    )
    .map_err(|err| cannot_replace(&staging, &err))?;
    // Renaming works within one file system only: an output folder that is a mount point
    // cannot be swapped with a staging folder on its parent's disk.
    #[cfg(unix)]
    if out.exists() {
        use std::os::unix::fs::MetadataExt;
        let device = |path: &Path| std::fs::metadata(path).map(|m| m.dev()).ok();
        if device(out) != device(&staging) {
            let _ = std::fs::remove_dir_all(&staging);
            let shown = out.display();
            return Err(failure(
                format!(
                    "输出文件夹 {shown} 是挂载点（与其上级文件夹不在同一磁盘上），无法整体替换；请用其中的子文件夹，如 {shown}/out"
                ),
                format!(
                    "the output folder {shown} is a mount point (on another disk than its parent) and cannot be replaced whole; use a folder inside it, such as {shown}/out"
                ),
            ));
        }
    }
    Ok(staging)
}

/// Refuses `path` unless it is absent, an empty folder or a folder holding [`MARKER`] (a
/// previous output; with `is_staging`, a staging folder a killed run left). A file or a
/// symbolic link is never replaced.
fn check_replaceable(path: &Path, is_staging: bool) -> Result<(), FolderError> {
    let shown = path.display();
    let Ok(metadata) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if metadata.file_type().is_symlink() {
        return Err(failure(
            format!("{shown} 是符号链接：请直接给出输出文件夹本身的路径"),
            format!("{shown} is a symbolic link: give the output folder's own path"),
        ));
    }
    if !metadata.is_dir() {
        return Err(failure(
            format!("{shown} 是一个文件，不是文件夹：输出文件夹会被整体替换，请另选一个新文件夹"),
            format!(
                "{shown} is a file, not a folder: the output folder is replaced whole; choose a new folder"
            ),
        ));
    }
    let entries: Vec<_> = std::fs::read_dir(path)
        .map_err(|err| cannot_replace(path, &err))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .collect();
    if entries.is_empty() || entries.iter().any(|name| name == MARKER) {
        return Ok(());
    }
    let n = entries.len();
    Err(if is_staging {
        failure(
            format!(
                "{shown} 不是 censuslink 留下的临时文件夹（含 {n} 个其他文件）：请移走它，或另选输出文件夹"
            ),
            format!(
                "{shown} is not a staging folder censuslink left ({n} other files in it): move it away, or choose another output folder"
            ),
        )
    } else {
        failure(
            format!(
                "输出文件夹 {shown} 已有 {n} 个不是 censuslink 写的文件，每次运行会替换整个输出文件夹：请另选一个新的或空的文件夹"
            ),
            format!(
                "the output folder {shown} holds {n} files censuslink did not write, and a run replaces its whole output folder: choose a new or empty folder"
            ),
        )
    })
}

fn cannot_replace(path: &Path, err: &std::io::Error) -> FolderError {
    let shown = path.display();
    failure(
        format!("无法准备输出文件夹 {shown}：{err}"),
        format!("cannot prepare the output folder {shown}: {err}"),
    )
}

/// A folder created, or an error that names it.
fn create_dir(path: &Path) -> Result<(), FolderError> {
    std::fs::create_dir_all(path).map_err(|err| {
        let shown = path.display();
        failure(
            format!("无法创建文件夹 {shown}：{err}；上级文件夹可写吗？"),
            format!("cannot create the folder {shown}: {err}; is its parent writable?"),
        )
    })
}

/// `path` made absolute, with `.` and `..` resolved and symbolic links followed as far as it
/// exists.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    // The longest existing ancestor, canonicalized; the rest appended as written.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break existing.to_owned(),
        }
    };
    let mut full = base;
    for part in rest.iter().rev() {
        full.push(part);
    }
    let mut clean = PathBuf::new();
    for component in full.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// `folder` with a dot in front and `.suffix` after its name, beside it: the staging folder.
fn sibling(folder: &Path, suffix: &str) -> PathBuf {
    let name = folder.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy());
    folder.with_file_name(format!(".{name}.{suffix}"))
}

/// Puts the finished `staging` folder in `out`'s place. Where the system can (Linux), the two
/// are exchanged in one step, so that at every moment `out` holds the previous outputs whole or
/// the new ones whole; the previous ones, left in `staging`, are then removed.
fn swap_into_place(staging: &Path, out: &Path) -> Result<(), FolderError> {
    let cannot = |err: std::io::Error| {
        let shown = out.display();
        failure(
            format!("无法替换输出文件夹 {shown}：{err}；它是否正被其他程序打开？"),
            format!(
                "cannot replace the output folder {shown}: {err}; is it open in another program?"
            ),
        )
    };
    if !out.exists() {
        return std::fs::rename(staging, out).map_err(cannot);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE)
            .map_err(|err| cannot(err.into()))?;
    }
    #[cfg(not(target_os = "linux"))]
    {
        let replaced = sibling(out, "replaced");
        let _ = std::fs::remove_dir_all(&replaced);
        std::fs::rename(out, &replaced).map_err(cannot)?;
        std::fs::rename(staging, out).map_err(cannot)?;
        let _ = std::fs::remove_dir_all(&replaced);
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        let _ = std::fs::remove_dir_all(staging);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_folder_apart_from_the_inputs_is_accepted_and_others_are_not() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let data = root.path().join("data");
        std::fs::create_dir(&data).expect("writable");
        let census = data.join("census.csv");
        std::fs::write(&census, "x").expect("writable");
        let job = root.path().join("job.toml");
        let check = |out: &Path| check_apart(out, &[census.as_path()], &[job.as_path()]);
        assert!(check(&root.path().join("out")).is_ok());
        assert!(check(&root.path().join("out/deeper")).is_ok());
        // The input's own folder, a folder inside it, and a folder above it (which also holds
        // the job).
        assert!(check(&data).is_err());
        assert!(check(&data.join("out")).is_err());
        assert!(check(&data.join("sub/../out")).is_err());
        assert!(check(root.path()).is_err());
    }

    #[test]
    fn swapping_replaces_the_previous_outputs_whole() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let (out, staging) = (root.path().join("out"), root.path().join(".out.partial"));
        for (run, file) in [("first", "a.csv"), ("second", "b.csv")] {
            std::fs::create_dir(&staging).expect("writable");
            std::fs::write(staging.join(file), run).expect("writable");
            swap_into_place(&staging, &out).expect("swapped");
            assert!(!staging.exists());
        }
        let names: Vec<_> = std::fs::read_dir(&out)
            .expect("a folder")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        assert_eq!(names, ["b.csv"]);
        assert_eq!(std::fs::read_to_string(out.join("b.csv")).expect("readable"), "second");
    }
}
