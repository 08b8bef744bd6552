//! The repository's commits, named and compared: what changed between two
//! of them, file by file, with both versions parsed. What `diff`, trigger
//! detection and `verify-approvals --since` ask of git.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Changed, CommitId, FileDiff, FileKind, Trigger};
use crate::repo::{MAX_FILE_BYTES, ReadError, item_blob};

/// Triggers by path, and a warning for each file that does not parse.
pub type Triggers = (Vec<(String, Trigger)>, Vec<String>);

/// The commits of one repository.
pub struct Revisions {
    git: git2::Repository,
}

impl Revisions {
    pub fn open(git_dir: &Path) -> Result<Revisions> {
        let git =
            git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
        Ok(Revisions { git })
    }

    /// Resolves `rev` to a commit, or says which option named a bad one.
    pub fn commit(&self, option: &str, rev: &str) -> Result<CommitId> {
        self.git
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id().into())
            .map_err(|_| {
                Error::new(format!("{option} {rev}: not a revision in this repository"))
                    .hint("name a commit, branch or tag, e.g. HEAD~1 or origin/main")
            })
    }

    /// Where `branch` (a branch name) and `to` meet.
    pub fn merge_base(&self, branch: &str, to: CommitId) -> Result<CommitId> {
        let tip = super::record_tip(&self.git, branch)?;
        self.git
            .merge_base(tip, to.oid())
            .map(CommitId::from)
            .map_err(|e| Error::git(format!("find where {branch} and TO meet"), e))
    }

    /// Whether `commit` is neither `since` nor one of its ancestors.
    pub fn is_after(&self, since: CommitId, commit: CommitId) -> bool {
        commit != since
            && !self
                .git
                .graph_descendant_of(since.oid(), commit.oid())
                .unwrap_or(false)
    }

    /// Every file that changed from `from` to `to` (renames found by
    /// similarity), with both versions parsed as TOML where they are TOML.
    /// Without `from`, every file of `to` is new.
    pub fn diff(&self, from: Option<CommitId>, to: CommitId) -> Result<Diff> {
        let err = |e| Error::git("compare the revisions", e);
        let from = match from {
            Some(from) => Some(self.git.find_commit(from.oid()).map_err(err)?),
            None => None,
        };
        let to = self.git.find_commit(to.oid()).map_err(err)?;
        structured_diff(&self.git, from.as_ref(), &to)
    }

    /// Every file of the layout that changed from `from` to the working
    /// tree below `root`, as [`Revisions::diff`] compares two commits:
    /// changes staged or not, and new files git does not ignore. The
    /// working tree's versions are read as `check` reads them, a link
    /// never followed.
    pub fn diff_uncommitted(&self, from: CommitId, root: &Path) -> Result<Diff> {
        let err = |e| Error::git("compare the working tree", e);
        let tree = (self.git.find_commit(from.oid()))
            .and_then(|c| c.tree())
            .map_err(err)?;
        let mut options = git2::DiffOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        for dir in crate::model::ITEM_DIRS {
            options.pathspec(format!("{dir}/"));
        }
        options.pathspec(crate::model::CONFIG_FILE);
        options.pathspec(".isms/");
        let diff = (self.git)
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
            .map_err(err)?;
        let worktree = crate::repo::WorkTree::new(root)?;
        compared(&self.git, diff, Some(&worktree))
    }

    /// Whether the tree of `at` has a file at `path`.
    pub fn has_file(&self, at: CommitId, path: &str) -> bool {
        self.git
            .find_commit(at.oid())
            .and_then(|c| c.tree())
            .is_ok_and(|t| t.get_path(Path::new(path)).is_ok())
    }

    /// Whether service `svc` is in scope at `at` (`in_scope`, true unless
    /// set false); `None` when `at` has no `services/<svc>.toml` that
    /// reads as TOML.
    pub fn service_in_scope(&self, at: CommitId, svc: &str) -> Option<bool> {
        let tree = self.git.find_commit(at.oid()).and_then(|c| c.tree()).ok()?;
        let path = FileKind::Service.path(None, svc);
        let entry = tree.get_path(Path::new(&path)).ok()?;
        let table = blob_text(&self.git, entry.id())?
            .ok()?
            .parse::<toml::Table>()
            .ok()?;
        Some(
            table
                .get("in_scope")
                .and_then(toml::Value::as_bool)
                .unwrap_or(true),
        )
    }

    /// The triggers committed at `at`, by path, and a warning for each
    /// file that does not parse (it is skipped).
    pub fn triggers(&self, at: CommitId) -> Result<Triggers> {
        let (mut out, mut warnings) = (Vec::new(), Vec::new());
        let err = |e| Error::git("read the triggers", e);
        let tree = self
            .git
            .find_commit(at.oid())
            .and_then(|c| c.tree())
            .map_err(err)?;
        let dir = FileKind::Trigger.dir();
        let Ok(entry) = tree.get_path(Path::new(dir)) else {
            return Ok((out, warnings));
        };
        let Ok(listing) = self.git.find_tree(entry.id()) else {
            return Ok((out, warnings));
        };
        for e in listing.iter() {
            let Some(name) = e.name().ok().filter(|n| n.ends_with(".toml")) else {
                continue;
            };
            let path = format!("{dir}/{name}");
            let text = match blob_text(&self.git, e.id()) {
                Some(Ok(text)) => text,
                Some(Err(size)) => {
                    warnings.push(format!(
                        "warning: {path}: {size} bytes, over the {} MiB isms reads of an item file; the trigger is skipped (run `isms check`)",
                        MAX_FILE_BYTES >> 20
                    ));
                    continue;
                }
                None => continue,
            };
            match toml::from_str::<Trigger>(&text) {
                Ok(t) => out.push((path, t)),
                Err(e) => warnings.push(format!(
                    "warning: {path}: {}; the trigger is skipped (run `isms check`)",
                    e.message()
                )),
            }
        }
        Ok((out, warnings))
    }
}

/// The files that changed between two commits, and what could not be
/// compared (TOML that does not parse), for the command to show.
pub struct Diff {
    pub changed: Vec<Changed>,
    pub warnings: Vec<String>,
    /// How many changed files were left out, not compared.
    pub left_out: usize,
}

/// Every file that changed from `from` to `to` (renames found by
/// similarity), with both versions parsed as TOML where they are TOML.
fn structured_diff(
    git: &git2::Repository,
    from: Option<&git2::Commit<'_>>,
    to: &git2::Commit<'_>,
) -> Result<Diff> {
    let err = |e| Error::git("compare the revisions", e);
    let old_tree = from.map(git2::Commit::tree).transpose().map_err(err)?;
    let new_tree = to.tree().map_err(err)?;
    let diff = git
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None)
        .map_err(err)?;
    compared(git, diff, None)
}

/// The files of `diff` with both versions read and parsed, renames found
/// by similarity: the new versions from `worktree` when it is given (the
/// old ones are a commit's), else from git's objects.
fn compared(
    git: &git2::Repository,
    mut diff: git2::Diff<'_>,
    worktree: Option<&crate::repo::WorkTree>,
) -> Result<Diff> {
    let mut warnings = Vec::new();
    let err = |e| Error::git("compare the revisions", e);
    let mut similar = git2::DiffFindOptions::new();
    similar.renames(true).for_untracked(worktree.is_some());
    diff.find_similar(Some(&mut similar)).map_err(err)?;
    // Each side: its path, its table, its text, and whether it is an item
    // file that could not be read as TOML (then nothing is compared).
    let mut side = |file: git2::DiffFile<'_>, exists: bool, new: bool| {
        if !exists {
            return (None, None, None, false);
        }
        let path = file.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        // Where the version was read, for warnings: its blob, or the file;
        // and why the file was not, where it was not.
        let mut unread = None;
        let (text, at) = match (worktree.filter(|_| new), path.as_deref()) {
            (Some(tree), Some(p)) => (
                worktree_text(tree, p)
                    .map_err(|why| unread = Some(why))
                    .ok(),
                "the working tree".to_owned(),
            ),
            _ => (
                blob_text(git, file.id()),
                file.id().to_string()[..10].to_owned(),
            ),
        };
        let text = match text {
            Some(Ok(text)) => Some(text),
            Some(Err(size)) => {
                // An artifact may be that large; an item file may not.
                if let Some(p) = path.as_deref().filter(|p| p.ends_with(".toml")) {
                    warnings.push(format!(
                        "warning: {p}: {size} bytes in {at}, over the {} MiB isms reads of an item file; its fields are not compared",
                        MAX_FILE_BYTES >> 20
                    ));
                }
                None
            }
            None => None,
        };
        let toml = path.as_deref().is_some_and(|p| p.ends_with(".toml"));
        let table = match (path.as_deref(), text.as_deref()) {
            (None, _) => None,
            (Some(_), _) if !toml => Some(toml::Table::new()),
            (Some(p), Some(t)) => read_table(t, &at, p, &mut warnings),
            (Some(p), None) => {
                if !warnings
                    .iter()
                    .any(|w| w.starts_with(&format!("warning: {p}: ")))
                {
                    let why = unread
                        .take()
                        .unwrap_or_else(|| format!("{at} could not be read"));
                    warnings.push(format!("warning: {p}: {why}; its fields are not compared"));
                }
                None
            }
        };
        let unreadable = toml && table.is_none();
        (path, table, text, unreadable)
    };
    let mut out = Vec::new();
    let mut left_out = 0;
    for delta in diff.deltas() {
        use git2::Delta;
        let (had, has) = match delta.status() {
            Delta::Added | Delta::Copied | Delta::Untracked => (false, true),
            Delta::Deleted => (true, false),
            _ => (true, true),
        };
        let (old_path, old, old_text, old_unreadable) = side(delta.old_file(), had, false);
        let (new_path, new, new_text, new_unreadable) = side(delta.new_file(), has, true);
        // A version that could not be read is not taken for an empty one:
        // the file is left out, as its warning says.
        if old_unreadable || new_unreadable {
            left_out += 1;
            continue;
        }
        out.push(Changed {
            file: FileDiff {
                old_path,
                new_path,
                old,
                new,
            },
            old_text,
            new_text,
        });
    }
    Ok(Diff {
        changed: out,
        warnings,
        left_out,
    })
}

/// The text of the blob `id`, or its size when that is over
/// [`MAX_FILE_BYTES`] ([`item_blob`]). `None` when it cannot be read.
fn blob_text(git: &git2::Repository, id: git2::Oid) -> Option<std::result::Result<String, u64>> {
    match item_blob(&git.odb().ok()?, id) {
        Ok(bytes) => Some(Ok(lossy(bytes))),
        Err(ReadError::TooLarge(size)) => Some(Err(size)),
        Err(_) => None,
    }
}

/// The text of the working tree's `path` as `check` reads it, or its size
/// when that is over [`MAX_FILE_BYTES`]; why it was not read, else.
fn worktree_text(
    tree: &crate::repo::WorkTree,
    path: &str,
) -> std::result::Result<std::result::Result<String, u64>, String> {
    use crate::repo::Source as _;
    match tree.read(path) {
        Ok(bytes) => Ok(Ok(lossy(bytes))),
        Err(ReadError::TooLarge(size)) => Ok(Err(size)),
        Err(ReadError::Symlink) => Err("a symbolic link in the working tree, not followed".into()),
        Err(ReadError::NotAFile(what)) => Err(format!("{what} in the working tree, not opened")),
        Err(ReadError::LinkedFolder(folder)) => {
            Err(format!("in `{folder}`, a symbolic link, not followed"))
        }
        Err(ReadError::Missing) => Err("gone from the working tree".into()),
        Err(ReadError::Unmerged) => Err("not read from the working tree".into()),
        Err(ReadError::Other(why)) => Err(format!("not read from the working tree: {why}")),
    }
}

/// `bytes` as text, what is not UTF-8 replaced.
pub(super) fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One version of a file as a TOML table: empty when it is not TOML, and
/// none, with a warning, when it is TOML that does not parse.
fn read_table(text: &str, at: &str, path: &str, warnings: &mut Vec<String>) -> Option<toml::Table> {
    if !path.ends_with(".toml") {
        return Some(toml::Table::new());
    }
    match text.parse::<toml::Table>() {
        Ok(t) => Some(t),
        Err(e) => {
            let line = e
                .span()
                .map(|s| crate::span::line_col(text, s.start).0)
                .unwrap_or(1);
            warnings.push(format!(
                "warning: {path}:{line}: not valid TOML in {at}; its fields are not compared"
            ));
            None
        }
    }
}
