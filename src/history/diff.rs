//! What changed between two commits, file by file, with both versions
//! parsed: what `diff` and trigger detection compare.

use crate::check::triggers::FileDiff;
use crate::error::{Error, Result};

/// Resolves `rev` to a commit, or says which option named a bad one.
pub fn commit<'r>(git: &'r git2::Repository, option: &str, rev: &str) -> Result<git2::Commit<'r>> {
    git.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            Error::new(format!("{option} {rev}: not a revision in this repository"))
                .hint("name a commit, branch or tag, e.g. HEAD~1 or origin/main")
        })
}

/// One changed file between two commits: both versions, parsed and as text.
pub struct Changed {
    pub file: FileDiff,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
}

/// The files that changed between two commits, and what could not be
/// compared (TOML that does not parse), for the command to show.
pub struct Diff {
    pub changed: Vec<Changed>,
    pub warnings: Vec<String>,
}

/// Every file that changed from `from` to `to` (renames found by
/// similarity), with both versions parsed as TOML where they are TOML.
pub fn structured_diff(
    git: &git2::Repository,
    from: &git2::Commit<'_>,
    to: &git2::Commit<'_>,
) -> Result<Diff> {
    let mut warnings = Vec::new();
    let err = |e| Error::git("compare the revisions", e);
    let old_tree = from.tree().map_err(err)?;
    let new_tree = to.tree().map_err(err)?;
    let mut diff = git
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
        .map_err(err)?;
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))
        .map_err(err)?;
    let mut side = |file: git2::DiffFile<'_>, exists: bool| {
        if !exists {
            return (None, None, None);
        }
        let path = file.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let text = git
            .find_blob(file.id())
            .ok()
            .map(|b| String::from_utf8_lossy(b.content()).into_owned());
        let table = path
            .as_deref()
            .map(|p| read_table(text.as_deref().unwrap_or(""), file.id(), p, &mut warnings));
        (path, table, text)
    };
    let mut out = Vec::new();
    for delta in diff.deltas() {
        use git2::Delta;
        let (had, has) = match delta.status() {
            Delta::Added | Delta::Copied => (false, true),
            Delta::Deleted => (true, false),
            _ => (true, true),
        };
        let (old_path, old, old_text) = side(delta.old_file(), had);
        let (new_path, new, new_text) = side(delta.new_file(), has);
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
    })
}

/// One version of a file as a TOML table: empty when it is not TOML, and
/// empty with a warning when it is TOML that does not parse.
fn read_table(text: &str, id: git2::Oid, path: &str, warnings: &mut Vec<String>) -> toml::Table {
    if !path.ends_with(".toml") {
        return toml::Table::new();
    }
    match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| crate::span::line_col(text, s.start).0)
                .unwrap_or(1);
            warnings.push(format!(
                "warning: {path}:{line}: not valid TOML in {}; its fields are not compared",
                &id.to_string()[..10]
            ));
            toml::Table::new()
        }
    }
}
