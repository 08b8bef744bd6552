//! The one way isms writes: every command that changes files goes through a
//! [`Writer`]. It holds the repository's lock (`.git/isms/lock`) from the
//! first read to the last write, so concurrent runs take turns; it never
//! writes inside the git directory, nor through a symbolic link into a file
//! of the repository's; it never replaces a file with changes git does not
//! have; and every write is atomic (a temporary file beside the
//! target, renamed over it).
//!
//! Two writes do not come here: `isms init`, which makes the repository
//! (there is none to lock yet, and it writes only new files), and `isms
//! hooks install`, whose job is to write git's hooks where git looks for them.

use std::path::Path;

use crate::error::{Error, Result};
use crate::fsutil;

use super::{Lock, Repo};

/// Writes into (or beside) one repository, holding its lock.
pub struct Writer<'r> {
    repo: &'r Repo,
    _lock: Lock,
}

impl Repo {
    /// Waits for the repository's lock, then writes through it until
    /// dropped; `waiting` is told when the wait is not short (see
    /// [`Repo::lock`]).
    pub fn writer(&self, waiting: &mut dyn FnMut(&Path)) -> Result<Writer<'_>> {
        Ok(Writer {
            repo: self,
            _lock: self.lock(waiting)?,
        })
    }
}

impl Writer<'_> {
    pub fn repo(&self) -> &Repo {
        self.repo
    }

    /// Refuses `path` where isms never writes (inside the git directory),
    /// before any work is done for it.
    pub fn may_write(&self, path: &Path) -> Result<()> {
        refuse_git_dir(self.repo, path)
    }

    /// Refuses a file of the repository's own (an item, the settings,
    /// CODEOWNERS, a workflow) inside the git directory, or where a folder
    /// on the way to it is a symbolic link: a write there would land
    /// wherever the link points, perhaps outside the repository.
    fn may_write_item(&self, path: &Path) -> Result<()> {
        refuse_git_dir(self.repo, path)?;
        refuse_linked_folder(&self.repo.root, path)
    }

    /// A new file; refused if one exists.
    pub fn create(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.may_write_item(path)?;
        fsutil::write_new(path, bytes)
    }

    /// Replaces `path`; refused when it has changes git does not have
    /// (uncommitted edits, or an untracked file).
    pub fn replace(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.may_write_item(path)?;
        refuse_unsaved(&self.repo.root, path)?;
        fsutil::replace(path, bytes)
    }

    /// Replaces `path` with contents that keep whatever it holds now: isms's
    /// own (generated, or written by this command), or an edit of the
    /// current contents (a table added with a TOML editor). It may have
    /// uncommitted changes: none is lost.
    pub fn refresh(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.may_write_item(path)?;
        fsutil::replace(path, bytes)
    }

    /// Replaces the output file `path` (an earlier output, never tracked
    /// edits) with what `write` puts in a temporary file beside it.
    pub fn replace_with(
        &self,
        path: &Path,
        write: impl FnOnce(tempfile::NamedTempFile) -> Result<tempfile::NamedTempFile>,
    ) -> Result<()> {
        refuse_git_dir(self.repo, path)?;
        refuse_uncommitted(&self.repo.root, path)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // As `export` and `site` make their folder, a new folder is made.
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        let tmp = fsutil::temp_file_in(dir)?;
        write(tmp)?
            .persist(path)
            .map_err(|e| Error::io("write", path, e.error))?;
        Ok(())
    }

    /// Moves a file within the working tree (a migration's 1:1 renames).
    pub fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.may_write_item(from)?;
        self.may_write_item(to)?;
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        }
        std::fs::rename(from, to).map_err(|e| Error::io("move", from, e))
    }

    /// Removes a file this command has made obsolete.
    pub fn remove(&self, path: &Path) -> Result<()> {
        self.may_write_item(path)?;
        std::fs::remove_file(path).map_err(|e| Error::io("remove", path, e))
    }

    /// Replaces the output directory `out` (see [`fsutil::replace_dir`]);
    /// refused when tracked files in it have uncommitted changes.
    pub fn replace_dir(
        &self,
        out: &Path,
        marker: &str,
        files: &std::collections::BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        refuse_git_dir(self.repo, out)?;
        refuse_uncommitted(&self.repo.root, out)?;
        fsutil::replace_dir(out, marker, files)
    }
}

/// Refuses a path inside a git directory, where writing could destroy the
/// repository (`--out .git/HEAD`).
fn refuse_git_dir(repo: &Repo, out: &Path) -> Result<()> {
    let git_dir = &repo.git_dir;
    // The deepest part of `out` that exists, resolved; the rest as written.
    let mut existing = out.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = if parent.as_os_str().is_empty() {
                    std::path::PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    let git_dir = git_dir
        .canonicalize()
        .unwrap_or_else(|_| git_dir.to_path_buf());
    let inside = resolved.starts_with(&git_dir)
        || resolved
            .components()
            .any(|c| c.as_os_str() == std::ffi::OsStr::new(".git"));
    if inside {
        return Err(Error::new(format!(
            "{} is inside the git directory; isms never writes there",
            out.display()
        ))
        .hint(match repo.is_bare() {
            true => "a bare repository has no working tree: name a path outside it",
            false => "name a path in the working tree or outside the repository",
        }));
    }
    Ok(())
}

/// Refuses `path` when a folder between the work tree at `root` and it is
/// a symbolic link. `path` must be below `root` as written.
fn refuse_linked_folder(root: &Path, path: &Path) -> Result<()> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Err(Error::new(format!(
            "{} is not in the repository at {}; isms writes its files only there",
            path.display(),
            root.display()
        )));
    };
    // A folder not there yet is made as a folder when the file is written.
    let Some(shown) = crate::fsutil::linked_folder(root, rel) else {
        return Ok(());
    };
    let target = std::fs::read_link(root.join(&shown))
        .map(|t| format!(" (to {})", t.display()))
        .unwrap_or_default();
    Err(Error::new(format!(
        "{} is a symbolic link{target}; isms does not write {} through it",
        shown.display(),
        rel.display()
    ))
    .hint("make it a folder of the repository, as git would check it out"))
}

/// The part of `path` below the work tree at `root`, if it is there.
fn in_tree(root: &Path, path: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    let rel = path.strip_prefix(&root).ok()?;
    Some(if rel.as_os_str().is_empty() {
        ".".to_owned()
    } else {
        rel.to_string_lossy().into_owned()
    })
}

/// Refuses to replace `out` when it lies in the work tree at `root` and
/// holds tracked files with uncommitted changes. Untracked files do not
/// count: in an output directory, they are the previous run's.
fn refuse_uncommitted(root: &Path, out: &Path) -> Result<()> {
    let Some(rel) = in_tree(root, out) else {
        return Ok(());
    };
    if !crate::git::has_uncommitted_tracked_changes(root, &rel)? {
        return Ok(());
    }
    Err(
        Error::new(format!("{rel} has uncommitted changes; not replacing it"))
            .hint("commit or stash them first, or name another directory"),
    )
}

/// Refuses to replace the file `path` in the work tree at `root` when git
/// does not have its contents: uncommitted edits, or an untracked file.
fn refuse_unsaved(root: &Path, path: &Path) -> Result<()> {
    let Some(rel) = in_tree(root, path) else {
        return Ok(());
    };
    if !crate::git::has_uncommitted_changes(root, &rel)? {
        return Ok(());
    }
    Err(Error::new(format!(
        "{rel} has uncommitted changes; it was left as it is"
    ))
    .hint("commit or discard them, then run this again"))
}
