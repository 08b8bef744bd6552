//! Writing files atomically, never over existing work; reading only
//! regular files, within a bound.

use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// The outermost folder between `root` and `rel` (a path below it, the last
/// part of which is not looked at) that is a symbolic link, relative to
/// `root`: what a read or write of `rel` would go through. `None` when there
/// is none, or when a folder on the way does not exist yet.
pub fn linked_folder(root: &Path, rel: &Path) -> Option<std::path::PathBuf> {
    let mut folder = root.to_path_buf();
    let parents = rel.components().count().saturating_sub(1);
    for part in rel.components().take(parents) {
        folder.push(part);
        match std::fs::symlink_metadata(&folder) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return folder.strip_prefix(root).ok().map(Path::to_path_buf);
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// Writes a new file atomically (temporary file + rename); refuses if `path` exists.
pub fn write_new(path: &Path, contents: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)
        .map_err(|e| Error::io("write", tmp.path(), e))?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(format!(
                "{} already exists; not overwriting it",
                path.display()
            ))
        } else {
            Error::io("create", path, e.error)
        }
    })?;
    Ok(())
}

/// Replaces `path` atomically: readers see the old or the new contents, never a mix.
pub fn replace(path: &Path, contents: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)
        .map_err(|e| Error::io("write", tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("replace", path, e.error))?;
    Ok(())
}

/// What a file that is not a regular file is, in words.
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading only if it is a regular file. On Unix the open
/// does not wait (a FIFO swapped in after the check cannot block it), and
/// the opened file is checked again.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    open_regular_with_metadata(path).map(|(file, _)| file)
}

/// [`open_regular`], with the opened file's metadata.
fn open_regular_with_metadata(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!("it is {}", file_kind(&meta))));
    }
    Ok((file, meta))
}

/// The text of the regular file at `path`, at most `limit` bytes: a FIFO,
/// a device or a larger file is an error naming it, and is never read.
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    let buf = read_bounded(path, limit).map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => Error::new(format!(
            "{} is larger than {limit} bytes; not reading it",
            path.display()
        )),
        _ => Error::io("read", path, e),
    })?;
    String::from_utf8(buf).map_err(|_| Error::new(format!("{} is not UTF-8 text", path.display())))
}

/// The bytes of the regular file at `path` (see [`open_regular`]), never
/// more than `limit`: a larger file is an error of kind `FileTooLarge`,
/// read no further than one byte past the limit.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (file, meta) = open_regular_with_metadata(path)?;
    // Room for the whole file and one byte more: one read takes it all, the
    // next sees its end (or that it grew).
    let mut buf = Vec::with_capacity(meta.len().min(limit) as usize + 1);
    file.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(buf)
}

/// The mode a new file asks for, as git's do: the umask takes from it.
pub fn readable() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    }
    #[cfg(not(unix))]
    {
        std::fs::File::open(".")
            .and_then(|f| f.metadata())
            .map(|m| m.permissions())
            .unwrap_or_else(|_| unreachable!("a directory has permissions"))
    }
}

/// The mode a new directory asks for; the umask takes from it.
fn directory() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o777)
    }
    #[cfg(not(unix))]
    {
        readable()
    }
}

fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    temp_file_in(dir)
}

/// A temporary file in `dir`, named for this process so that a later run
/// removes it if this one is killed before it is renamed into place.
pub fn temp_file_in(dir: &Path) -> Result<tempfile::NamedTempFile> {
    remove_leftovers(dir);
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .permissions(readable())
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))
}

/// Writes `files` (relative path → contents) as the directory `out`, with a
/// `marker` file listing them. `out` must not exist, be empty, or hold
/// `marker` (an earlier output of the same command): anything else is
/// refused untouched. Files in `out` that the earlier output did not write
/// (a `CNAME`, a note) are kept; one where a new file would go is refused.
/// The new directory is built beside `out` and moved in place, so `out` is
/// never half written; what a killed run left beside it is removed by the
/// next.
pub fn replace_dir(
    out: &Path,
    marker: &str,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<()> {
    let mut kept = Vec::new();
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::new(format!(
                "{} is a file, not a directory; not touching it",
                out.display()
            ))
            .hint("name a new or empty directory"));
        }
        let mut entries = std::fs::read_dir(out).map_err(|e| Error::io("read", out, e))?;
        if entries.next().is_some() && !out.join(marker).is_file() {
            return Err(Error::new(format!(
                "{} is not empty and was not written by isms; not touching it",
                out.display()
            ))
            .hint("name a new or empty directory"));
        }
        if out.join(marker).is_file() {
            let listing = read_text(&out.join(marker), 64 << 20)?;
            let written: std::collections::BTreeSet<&str> = listing.lines().collect();
            for rel in files_under(out)? {
                if rel == marker || written.contains(rel.as_str()) {
                    continue;
                }
                if files.contains_key(&rel) {
                    return Err(Error::new(format!(
                        "{} was not written by isms, and isms would write it now; not replacing it",
                        out.join(&rel).display()
                    ))
                    .hint("move the file away, or name another directory"));
                }
                kept.push(rel);
            }
        }
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
    remove_leftovers(parent);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .permissions(directory())
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a temporary directory in", parent, e))?;
    let new = tmp.path().join("new");
    let dirs: std::collections::BTreeSet<&Path> = files
        .keys()
        .filter_map(|rel| Path::new(rel).parent())
        .chain([Path::new("")])
        .collect();
    for dir in dirs {
        let dir = new.join(dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
    }
    // Creating files is most of the time on some file systems; it spreads
    // over cores.
    files.par_iter().try_for_each(|(rel, bytes)| {
        let path = new.join(rel);
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    })?;
    let listing: String = files.keys().map(|rel| format!("{rel}\n")).collect();
    std::fs::write(new.join(marker), listing).map_err(|e| Error::io("write", &new, e))?;
    // The files isms did not write are copied across (a copy, so the old
    // directory stays whole until the swap).
    for rel in &kept {
        let (from, to) = (out.join(rel), new.join(rel));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        let meta = std::fs::symlink_metadata(&from).map_err(|e| Error::io("read", &from, e))?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from).map_err(|e| Error::io("read", &from, e))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &to).map_err(|e| Error::io("keep", &from, e))?;
        } else {
            std::fs::copy(&from, &to).map_err(|e| Error::io("keep", &from, e))?;
        }
    }
    let old = tmp.path().join("old");
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| Error::io("replace", out, e))?;
    }
    if let Err(e) = std::fs::rename(&new, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        return Err(Error::io("write", out, e));
    }
    Ok(())
}

/// How isms's temporary files and directories begin; the process id
/// follows.
const TEMP_PREFIX: &str = ".isms-tmp-";

/// Removes what killed runs left in `dir`: temporary files and directories
/// of processes that no longer run. Best effort.
fn remove_leftovers(dir: &Path) {
    // Once per directory and process: a command writing thousands of files
    // into one directory (a migration) lists it once, not once a file.
    static SWEPT: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    {
        let mut swept = SWEPT.lock().unwrap_or_else(|p| p.into_inner());
        if swept.iter().any(|d| d == dir) {
            return;
        }
        swept.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !running(pid) {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Whether process `pid` runs (on Unix; elsewhere assumed to).
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 checks for the process and sends nothing.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Every file (or link) below `dir`, relative, with `/`; directories are
/// walked, links are not followed.
fn files_under(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![String::new()];
    while let Some(rel) = todo.pop() {
        let full = if rel.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(&rel)
        };
        for entry in std::fs::read_dir(&full).map_err(|e| Error::io("read", &full, e))? {
            let entry = entry.map_err(|e| Error::io("read", &full, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    Ok(out)
}
