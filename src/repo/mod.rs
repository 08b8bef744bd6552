//! Reading a compliance repository — from the working tree or the git index —
//! into the model. Every error carries its path and line.

mod lfs;
mod load;
mod memo;
mod parse;
mod source;
mod staged;
mod writer;

use std::path::{Path, PathBuf};

pub use crate::diagnostic::suggestion;
pub use crate::model::{CONFIG_FILE, FileKind, ITEM_DIRS, Place, SCHEMA_DIR, classify};
pub use lfs::{Pointer as LfsPointer, artifact_sha256, content as lfs_content, store as lfs_store};
pub use load::{Loaded, Scope, hash_artifacts, load, load_reusing, migration_maps};
pub use memo::{Kept, Memo, Stat, stats};
pub use parse::parse;
pub use source::{
    Committed, Edited, Index, MAX_ARTIFACT_BYTES, MAX_FILE_BYTES, ReadError, Source, WorkTree,
    artifact_path_problem, item_blob, listed_pathspecs, sha256_hex,
};
pub use staged::clean;
pub use writer::Writer;

use crate::error::{Error, Result};

/// A compliance repository: a git working tree with `isms.toml` at its root.
pub struct Repo {
    /// The working tree's root.
    pub root: PathBuf,
    /// The `.git` directory (or file's target, for worktrees).
    pub git_dir: PathBuf,
}

/// The error for a repository whose object names are not SHA-1.
pub fn unsupported_format(dir: &Path, format: &str) -> Error {
    Error::new(format!(
        "{} is a git repository with {format} object names (extensions.objectFormat); isms supports SHA-1 repositories only",
        dir.display()
    ))
    .hint("keep the compliance repository in a SHA-1 repository: `git init --object-format=sha1`")
}

/// What is said of commit `id` (a full or short id), read as the record,
/// when it holds no settings: a commit from before the record began, or of
/// another branch's history.
pub fn commit_without_settings(id: &str) -> Error {
    Error::new(format!(
        "commit {} holds no {CONFIG_FILE}: it is not a compliance repository's commit",
        &id[..10.min(id.len())]
    ))
    .hint(format!(
        "name a commit that holds the settings; `git log --oneline -- {CONFIG_FILE}` lists those that changed them"
    ))
}

impl Repo {
    /// [`Repo::discover`] for a command that reads commits alone (`check
    /// --rev`): a bare repository will do, where a hook of the server that
    /// receives pushes runs. Its `root` is then the git directory; nothing
    /// is read from there but git's own files.
    pub fn discover_for_commits(dir: &Path) -> Result<Repo> {
        if let Ok(git) = git2::Repository::discover(dir)
            && git.is_bare()
        {
            let git_dir = git.path().components().collect::<PathBuf>();
            return Ok(Repo {
                root: git_dir.clone(),
                git_dir,
            });
        }
        Repo::discover(dir)
    }

    /// The repository of a command that, as it was run, reads git objects
    /// alone (a commit, the history, the approval notes) when
    /// `commits_alone`: a bare repository will do. Otherwise the one with a
    /// working tree.
    pub fn discover_reading(dir: &Path, commits_alone: bool) -> Result<Repo> {
        match commits_alone {
            true => Repo::discover_for_commits(dir),
            false => Repo::discover(dir),
        }
    }

    /// Whether it is a bare repository ([`Repo::discover_for_commits`]).
    pub fn is_bare(&self) -> bool {
        self.root == self.git_dir
    }

    /// Finds the repository containing `dir`, as git does.
    pub fn discover(dir: &Path) -> Result<Repo> {
        if !dir.exists() {
            return Err(Error::new(format!("{} does not exist", dir.display())));
        }
        let git = git2::Repository::discover(dir).map_err(|_| {
            match crate::git::run(dir, &["rev-parse", "--show-object-format"]) {
                Ok(format) if format != "sha1" => unsupported_format(dir, &format),
                _ => Error::not_a_repository(dir.to_owned(), dir.join(CONFIG_FILE).is_file()),
            }
        })?;
        // Without the separator git2 ends it with: `/srv/isms`, as git says it.
        let root = git
            .workdir()
            .map(|w| w.components().collect::<std::path::PathBuf>())
            .ok_or_else(|| {
                Error::new(format!(
                    "{} is a bare git repository; isms needs a working tree",
                    dir.display()
                ))
                .hint("in a bare repository, what reads commits alone runs: `isms check` with `--rev REV`; `status`, `stale`, `report`, `show` and `site` with `--rev REV` or a past `--as-of DATE`; `diff`, `triggers detect`, `log`, `verify-approvals --offline`, `pack` and `export oscal`; and `isms hooks install` installs the pre-receive hook that checks each push")
            })?;
        if !root.join(CONFIG_FILE).exists() {
            return Err(Error::new(format!(
                "{} is not a compliance repository: it has no {CONFIG_FILE}",
                root.display()
            ))
            .hint("run `isms init` to create one"));
        }
        Ok(Repo {
            root,
            git_dir: git.path().to_owned(),
        })
    }
}

/// An exclusive hold on a repository's writes (`.git/isms/lock`): isms
/// processes that read, then write (derived files, commits), take turns.
/// Released when dropped.
pub struct Lock {
    _file: std::fs::File,
}

/// How long a writer waits for another before it says that it waits.
pub const LOCK_QUIET: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a writer waits for another to finish.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

impl Repo {
    /// The working tree's settings and small kinds ([`Scope::outline`]):
    /// what a command that names items or branches needs, without parsing
    /// every allocation and evidence record. Settings that cannot be read
    /// are the error, named as `isms check` names them.
    pub fn outline(&self) -> Result<crate::model::Snapshot> {
        Ok(self.outline_with_problems()?.0)
    }

    /// [`Repo::outline`], and what is wrong with the files it read.
    pub fn outline_with_problems(
        &self,
    ) -> Result<(crate::model::Snapshot, Vec<crate::diagnostic::Diagnostic>)> {
        let loaded = self.load_current(&Scope::outline())?;
        if loaded.snapshot.config.is_some() {
            return Ok((loaded.snapshot, loaded.diagnostics));
        }
        let said = (loaded.diagnostics.iter()).find(|d| d.file == CONFIG_FILE && d.is_error());
        let e = match said {
            Some(d) => Error::new(format!("{}: {}", d.place(), d.message)).hint_if(d.hint.clone()),
            None => Error::new(format!("{CONFIG_FILE} could not be read")),
        };
        Err(e.hint("this command needs the settings; `isms check` lists every problem"))
    }

    /// The working tree's files in `scope`; a bare repository's, as `HEAD`
    /// holds them.
    pub fn load_current(&self, scope: &Scope) -> Result<Loaded> {
        match self.is_bare() {
            true => load(&Index::commit(&self.git_dir, "HEAD")?.0, scope),
            false => load(&WorkTree::new(&self.root)?, scope),
        }
    }

    /// Refuses `command`, which commits on HEAD, while git is in the middle
    /// of a merge, rebase, cherry-pick, revert or `git am`: a commit made
    /// then would be mixed into that operation's own. A bisection is no
    /// such operation.
    pub fn refuse_mid_operation(&self, command: &str) -> Result<()> {
        use git2::RepositoryState as S;
        let git =
            git2::Repository::open(&self.root).map_err(|e| Error::git("open the repository", e))?;
        let (doing, finish) = match git.state() {
            S::Clean | S::Bisect => return Ok(()),
            S::Merge => (
                "a merge",
                "`git commit` to conclude it, or `git merge --abort`",
            ),
            S::Rebase | S::RebaseInteractive | S::RebaseMerge => (
                "a rebase",
                "`git rebase --continue` or `git rebase --abort`",
            ),
            S::CherryPick | S::CherryPickSequence => (
                "a cherry-pick",
                "`git cherry-pick --continue` or `git cherry-pick --abort`",
            ),
            S::Revert | S::RevertSequence => (
                "a revert",
                "`git revert --continue` or `git revert --abort`",
            ),
            S::ApplyMailbox | S::ApplyMailboxOrRebase => {
                ("`git am`", "`git am --continue` or `git am --abort`")
            }
        };
        Err(Error::new(format!(
            "git is in the middle of {doing}; `{command}` would commit into it, so nothing was done"
        ))
        .hint(format!("finish it first ({finish}), then run this again")))
    }

    /// Waits for, then holds, the repository's write lock. `waiting` is
    /// told once, with the lock's path, when another holds it for more
    /// than [`LOCK_QUIET`]: a short turn goes unsaid.
    pub fn lock(&self, waiting: &mut dyn FnMut(&Path)) -> Result<Lock> {
        let dir = self.git_dir.join("isms");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        let path = dir.join("lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("open", &path, e))?;
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    if !told && started.elapsed() >= LOCK_QUIET {
                        waiting(&path);
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::new(format!(
                        "another isms has been writing in this repository for {} s (it holds {})",
                        LOCK_WAIT.as_secs(),
                        path.display()
                    ))
                    .hint("wait for it to finish, then run this again"));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io("lock", &path, e));
                }
            }
        }
    }
}
