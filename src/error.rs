//! Errors that stop a command from running (exit 2), with hints.

use std::fmt;
use std::path::{Path, PathBuf};

/// A command could not run. Problems *found* in a repository are
/// [`crate::diagnostic::Diagnostic`]s instead, and never this.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub hints: Vec<String>,
    /// The underlying cause, shown as "caused by".
    pub cause: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hints: Vec::new(),
            cause: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// [`Error::hint`], when there is one to give.
    pub fn hint_if(mut self, hint: Option<String>) -> Self {
        self.hints.extend(hint);
        self
    }

    /// [`Error::hint_if`], before the hints it has: the more particular.
    pub fn hint_first(mut self, hint: Option<String>) -> Self {
        if let Some(hint) = hint {
            self.hints.insert(0, hint);
        }
        self
    }

    pub fn caused_by(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    /// An I/O failure on `path`, saying what was being done.
    pub fn io(doing: &str, path: &Path, err: std::io::Error) -> Self {
        Error::new(format!("could not {doing} {}", path.display())).caused_by(err)
    }

    /// A git failure, saying what was being done.
    pub fn git(doing: impl fmt::Display, err: git2::Error) -> Self {
        Error::new(format!("git: could not {doing}")).caused_by(err.message())
    }

    /// `dir` is in no git repository; `has_settings` when it holds an
    /// `isms.toml` all the same (a copy made without its `.git`).
    pub fn not_a_repository(dir: PathBuf, has_settings: bool) -> Self {
        let e = Error::new(format!("{} is not in a git repository", dir.display()));
        match has_settings {
            true => e.hint(
                "isms reads the review record from git; `git init && git add -A && \
                 git commit -m \"Import the compliance repository\"` makes one here",
            ),
            false => e.hint("run `isms init` to create a compliance repository, or pass -C DIR"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
