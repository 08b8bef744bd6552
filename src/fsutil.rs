//! Writing files atomically, never over existing work.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

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

fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    tempfile::Builder::new()
        .prefix(".isms-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))
}
