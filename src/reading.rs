//! What a command reads: a commit's tree or the working tree, complete or
//! not, and the sentence that says which it was. Reads only: it writes
//! nothing and never talks to the terminal.

use std::path::Path;

use chrono::NaiveDate;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::Snapshot;

/// A person's or team's display name: "alice (Alice Ng)", "platform (team)".
pub fn owner_label(config: Option<&crate::model::Config>, owner: &str) -> String {
    match config {
        Some(c) if c.people.contains_key(owner) => format!("{owner} ({})", c.people[owner].name),
        Some(c) if c.teams.contains_key(owner) => {
            let name = &c.teams[owner].name;
            if name.is_empty() {
                format!("{owner} (team)")
            } else {
                format!("{owner} ({name})")
            }
        }
        _ => owner.to_owned(),
    }
}

/// The record branch (`defaults.branch`); the settings must parse to know it.
pub fn record_branch(snapshot: &Snapshot) -> Result<String> {
    snapshot
        .config
        .as_ref()
        .map(|c| c.value.defaults.branch.clone())
        .ok_or_else(|| Error::new("isms.toml does not parse").hint("run `isms check` to see why"))
}

/// A repository as committed: the snapshot of a commit's tree, with its
/// artifacts hashed from their blobs, and where it came from.
pub struct Committed {
    pub source: crate::repo::Index,
    pub snapshot: Snapshot,
    /// Diagnostics of files that did not load.
    pub diagnostics: Vec<Diagnostic>,
    /// The commit's full id and committer time.
    pub commit: String,
    pub time: chrono::DateTime<chrono::Utc>,
    /// The record branch, from the settings committed at `HEAD`.
    pub branch: String,
}

impl Committed {
    /// An error naming the first item file of the commit that did not
    /// load, and the commit: for answers that must not leave an item out.
    pub fn refuse_unread(&self) -> Result<()> {
        refuse_unread_in(&self.diagnostics, Some(&self.commit))
    }
}

/// The commit `rev` names, or the record branch's tip (named by the settings
/// committed at `HEAD`), and the record branch: (full id, branch).
pub fn record_rev(git_dir: &Path, rev: Option<&str>) -> Result<(String, String)> {
    let branch = branch_at(git_dir, rev.unwrap_or("HEAD"))?;
    let rev = match rev {
        Some(rev) => rev.to_owned(),
        None => crate::history::record_tip_id(git_dir, &branch)?,
    };
    let (commit, _) = crate::history::commit_time(git_dir, &rev)?;
    Ok((commit, branch))
}

/// The record branch the settings committed at `rev` name.
fn branch_at(git_dir: &Path, rev: &str) -> Result<String> {
    use crate::repo::{Index, Scope};
    let (probe, _) = Index::commit(git_dir, rev).map_err(|e| {
        e.hint("commit the repository first: what isms derives is read from commits")
    })?;
    let settings = crate::repo::load(&probe, &Scope::outline())?.snapshot;
    record_branch(&settings)
}

/// Reads the commit `rev` names, or the record branch's tip: never the
/// working tree, so uncommitted changes cannot enter what is derived from it.
pub fn committed(git_dir: &Path, rev: Option<&str>) -> Result<Committed> {
    use crate::repo::{Index, Scope};
    // A named commit's own settings name its record branch; otherwise the
    // settings committed at HEAD say which branch's tip to read.
    let (rev, head_branch) = match rev {
        Some(rev) => (rev.to_owned(), None),
        None => {
            let branch = branch_at(git_dir, "HEAD")?;
            (
                crate::history::record_tip_id(git_dir, &branch)?,
                Some(branch),
            )
        }
    };
    let (source, _) = Index::commit(git_dir, &rev).map_err(|e| {
        e.hint("commit the repository first: what isms derives is read from commits")
    })?;
    let loaded = crate::repo::load(&source, &Scope::All)?;
    let mut snapshot = loaded.snapshot;
    let branch = match head_branch {
        Some(branch) => branch,
        None => record_branch(&snapshot)?,
    };
    crate::repo::hash_artifacts(&source, &mut snapshot);
    let (commit, time) = crate::history::commit_time(git_dir, &rev)?;
    Ok(Committed {
        source,
        snapshot,
        diagnostics: loaded.diagnostics,
        commit,
        time,
        branch,
    })
}

/// What a command that reads the working tree says about it: `None` when
/// the settings and everything under the item directories (the artifacts
/// too, which reports read) are as `HEAD` has them, else that they differ.
pub fn worktree_stamp(root: &Path) -> Result<Option<String>> {
    let mut paths = vec![crate::repo::CONFIG_FILE.to_owned()];
    paths.extend(crate::repo::ITEM_DIRS.map(str::to_owned));
    stamp(root, &paths)
}

/// [`worktree_stamp`] of just the files a summary reads, those
/// [`crate::repo::stats`] lists, not the artifacts beside them.
pub fn read_files_stamp(root: &Path) -> Result<Option<String>> {
    stamp(root, &crate::repo::listed_pathspecs())
}

/// How many of the files a summary reads (see [`read_files_stamp`]) have
/// changes, staged or not, that `HEAD` does not hold.
pub fn uncommitted_read_files(root: &Path) -> Result<usize> {
    Ok(status(root, &crate::repo::listed_pathspecs())?
        .lines()
        .count())
}

/// `git status --porcelain` of `paths`.
fn status(root: &Path, paths: &[String]) -> Result<String> {
    let mut args = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    args.extend(paths.iter().map(String::as_str));
    crate::git::run(root, &args)
}

/// `None` when `git status` lists nothing at `paths`, else what to say.
fn stamp(root: &Path, paths: &[String]) -> Result<Option<String>> {
    if status(root, paths)?.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        match crate::git::run(root, &["rev-parse", "--short=10", "HEAD"]) {
            Ok(head) => format!("Read from the working tree, which differs from HEAD {head}."),
            Err(_) => "Read from the working tree; nothing is committed yet.".to_owned(),
        },
    ))
}

/// The working tree's snapshot, every item file read: for answers that must
/// not leave an item out (staleness, owners). An item file that does not
/// load is an error naming it, never a silent gap.
pub fn complete_snapshot(root: &Path) -> Result<Snapshot> {
    let loaded = crate::repo::load(&crate::repo::WorkTree::new(root)?, &crate::repo::Scope::All)?;
    refuse_unread(&loaded.diagnostics)?;
    Ok(loaded.snapshot)
}

/// [`complete_snapshot`] of `repo`'s working tree, or of what `HEAD` holds
/// in a bare repository.
pub fn complete_snapshot_of(repo: &crate::repo::Repo) -> Result<Snapshot> {
    if !repo.is_bare() {
        return complete_snapshot(&repo.root);
    }
    let c = committed(&repo.git_dir, Some("HEAD"))?;
    c.refuse_unread()?;
    Ok(c.snapshot)
}

/// An error naming the first item file of `diagnostics` that did not load
/// from the working tree.
pub fn refuse_unread(diagnostics: &[Diagnostic]) -> Result<()> {
    refuse_unread_in(diagnostics, None)
}

/// [`refuse_unread`] of what was read from commit `commit` (a full id), if one.
fn refuse_unread_in(diagnostics: &[Diagnostic], commit: Option<&str>) -> Result<()> {
    let broken: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let Some(first) = broken.first() else {
        return Ok(());
    };
    // The settings are not an item: without them nothing can be read.
    let why = if first.file == crate::repo::CONFIG_FILE {
        "the settings say how the record is read, so isms stops"
    } else {
        "an item that cannot be read would be left out, so isms stops"
    };
    let first = match first.line {
        Some(line) => format!("{}:{line}: {}", first.file, first.message),
        None => format!("{}: {}", first.file, first.message),
    };
    let more = match broken.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let (within, hint) = match commit {
        None => (
            String::new(),
            "fix the file (`isms check` lists every problem), then run this again".to_owned(),
        ),
        Some(commit) => (
            format!(" in commit {}", &commit[..commit.len().min(10)]),
            "fix the file and commit it (`isms check` lists every problem), or name another commit with --rev".to_owned(),
        ),
    };
    Err(Error::new(format!("{first}{more}{within}: {why}")).hint(hint))
}

/// Whether [`reading`] reads a commit rather than the working tree: one
/// `--rev` names, or the record branch as it stood on a past `--as-of` day.
/// Such a read needs git objects alone (see
/// [`crate::repo::Repo::discover_reading`]).
pub fn reads_commit(as_of: Option<NaiveDate>, rev: Option<&str>) -> bool {
    rev.is_some() || as_of.is_some_and(|d| d < chrono::Local::now().date_naive())
}

/// What a read-only command reads: the commit `--rev` names; with
/// `--as-of` a past day, the record branch as it stood that day; otherwise
/// `None`, the working tree.
pub fn reading(
    as_of: Option<NaiveDate>,
    git_dir: &Path,
    rev: Option<&str>,
) -> Result<Option<String>> {
    if let Some(rev) = rev {
        // Named by the user: a name that is no commit says so, as `diff` does.
        let revs = crate::history::diff::Revisions::open(git_dir)?;
        return Ok(Some(revs.commit("--rev", rev)?.to_string()));
    }
    // A day still to come is answered from the record as it stands now.
    let Some(date) = as_of.filter(|d| reads_commit(Some(*d), None)) else {
        return Ok(None);
    };
    let branch = branch_at(git_dir, "HEAD")?;
    let commit = crate::history::landed_by(git_dir, &branch, date)?;
    // A day the branch held no settings: the record had not begun.
    let revs = crate::history::diff::Revisions::open(git_dir)?;
    if !revs.has_file(revs.commit("--as-of", &commit)?, crate::repo::CONFIG_FILE) {
        return Err(Error::new(format!(
            "`{branch}` held no {} on {date}: the record had not begun",
            crate::repo::CONFIG_FILE
        ))
        .hint(format!(
            "choose a later --as-of date: the record begins when {} lands on the branch",
            crate::repo::CONFIG_FILE
        )));
    }
    Ok(Some(commit))
}

/// The stamp of what was read from commit `commit`.
pub fn commit_stamp(
    as_of: Option<NaiveDate>,
    rev: Option<&str>,
    commit: &str,
    branch: &str,
) -> String {
    match (rev, as_of) {
        (None, Some(date)) => format!(
            "Read from commit {}: the record branch {branch} as it stood on {date}.",
            &commit[..10]
        ),
        _ => format!("Read from commit {}.", &commit[..10]),
    }
}

/// The repository at or above `dir`, and the snapshot a read-only command
/// reads there with [`snapshot_at`]. A commit (named, or a past day's) is
/// read from git objects alone, so a mirror will do.
pub fn open(
    dir: &Path,
    as_of: Option<NaiveDate>,
    rev: Option<&str>,
) -> Result<(crate::repo::Repo, Snapshot, Option<String>)> {
    let repo = crate::repo::Repo::discover_reading(dir, reads_commit(as_of, rev))?;
    let (snapshot, source) = snapshot_at(as_of, &repo, rev)?;
    Ok((repo, snapshot, source))
}

/// The snapshot a report or the site reads (see [`reading`]), and what to
/// say about it (see [`worktree_stamp`]). An item file that does not load
/// is an error naming it: a report never leaves an item out unsaid.
pub fn snapshot_at(
    as_of: Option<NaiveDate>,
    repo: &crate::repo::Repo,
    rev: Option<&str>,
) -> Result<(Snapshot, Option<String>)> {
    Ok(match reading(as_of, &repo.git_dir, rev)? {
        Some(commit) => {
            let c = committed(&repo.git_dir, Some(&commit))?;
            c.refuse_unread()?;
            let source = commit_stamp(as_of, rev, &c.commit, &c.branch);
            (c.snapshot, Some(source))
        }
        None => (complete_snapshot(&repo.root)?, worktree_stamp(&repo.root)?),
    })
}
