//! Reading a compliance repository — from the working tree or the git index —
//! into the model. Every error carries its path and line.

mod layout;
mod load;
mod parse;
mod source;

use std::path::{Path, PathBuf};

pub use layout::{CONFIG_FILE, FileKind, Place, SCHEMA_DIR, classify};
pub use load::{Loaded, Scope, hash_artifacts, load, migration_maps};
pub use parse::{did_you_mean, parse};
pub use source::{
    Index, MAX_ARTIFACT_BYTES, MAX_FILE_BYTES, Source, WorkTree, artifact_path_problem, sha256_hex,
};

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

impl Repo {
    /// Finds the repository containing `dir`, as git does.
    pub fn discover(dir: &Path) -> Result<Repo> {
        if !dir.exists() {
            return Err(Error::new(format!("{} does not exist", dir.display())));
        }
        let git = git2::Repository::discover(dir).map_err(|_| {
            match crate::git::run(dir, &["rev-parse", "--show-object-format"]) {
                Ok(format) if format != "sha1" => unsupported_format(dir, &format),
                _ => Error::not_a_repository(dir.to_owned()),
            }
        })?;
        let root = git.workdir().map(Path::to_owned).ok_or_else(|| {
            Error::new(format!(
                "{} is a bare git repository; isms needs a working tree",
                dir.display()
            ))
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
