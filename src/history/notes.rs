//! The approval notes under [`NOTES_REF`]: read for a set of landing
//! commits, and added, never replaced.

use std::collections::HashMap;
use std::path::Path;

use git2::Oid;

use crate::check::approvals::{NOTES_REF, Note};
use crate::error::{Error, Result};

/// The commit the notes ref points at, when there are notes.
pub fn tip(git_dir: &Path) -> Option<String> {
    git2::Repository::open(git_dir)
        .ok()?
        .refname_to_id(NOTES_REF)
        .ok()
        .map(|oid| oid.to_string())
}

/// The note of each of `commits` that has one. A note that does not parse
/// is an error naming its commit: it is never taken as "no approvals".
pub fn read(git_dir: &Path, commits: &[&str]) -> Result<HashMap<String, Note>> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let mut out = HashMap::new();
    if repo.refname_to_id(NOTES_REF).is_err() {
        return Ok(out);
    }
    for commit in commits {
        let oid = Oid::from_str(commit).map_err(|e| Error::git("read a commit id", e))?;
        let note = match repo.find_note(Some(NOTES_REF), oid) {
            Ok(note) => note,
            Err(e) if e.code() == git2::ErrorCode::NotFound => continue,
            Err(e) => return Err(Error::git(format!("read the note of {commit}"), e)),
        };
        let parsed = note
            .message()
            .map_err(|_| "it is not UTF-8 text".to_owned())
            .and_then(Note::parse)
            .map_err(|why| {
                Error::new(format!(
                    "the approval note of commit {} ({NOTES_REF}) does not read: {why}",
                    &commit[..10.min(commit.len())]
                ))
                .hint("notes are written by `isms approvals record` and never edited by hand")
            })?;
        out.insert((*commit).to_owned(), parsed);
    }
    Ok(out)
}

/// Adds `notes` (landing commit, note) under [`NOTES_REF`]. A commit that
/// has a note already keeps it: notes are never rewritten. Returns how many
/// were added.
pub fn add(git_dir: &Path, notes: &[(String, Note)]) -> Result<usize> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let signature = repo
        .signature()
        .or_else(|_| git2::Signature::now("isms", "isms@users.noreply.github.com"))
        .map_err(|e| Error::git("make a signature for the notes", e))?;
    let mut added = 0;
    for (commit, note) in notes {
        let oid = Oid::from_str(commit).map_err(|e| Error::git("read a commit id", e))?;
        match repo.note(
            &signature,
            &signature,
            Some(NOTES_REF),
            oid,
            &note.to_text(),
            false,
        ) {
            Ok(_) => added += 1,
            Err(e) if e.code() == git2::ErrorCode::Exists => {}
            Err(e) => return Err(Error::git(format!("add the approval note of {commit}"), e)),
        }
    }
    Ok(added)
}
