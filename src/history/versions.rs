//! The recent changes of some item files: each commit that changed one, who
//! made it and when, and the file's text before and after it; and HEAD's
//! text of those edited since. What an import asks to tell an edit from a
//! table made before a later change.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::CommitId;

/// A commit that changed a file, and the file's text before and after it
/// (none where it did not exist, or could not be read within the bound).
#[derive(Debug)]
pub struct Version {
    pub commit: CommitId,
    /// The commit's date, in its committer's time zone.
    pub date: chrono::NaiveDate,
    pub author: String,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One commit's line of the listing, and the files it changed: path, and
/// the blob before and after (none for a file added or deleted).
#[derive(Debug, PartialEq)]
struct Listed {
    commit: String,
    time: i64,
    offset_minutes: i32,
    author: String,
    summary: String,
    files: Vec<(String, Option<String>, Option<String>)>,
}

/// The changes to `paths` made by the newest `limit` first-parent commits
/// of HEAD (merges compared with their first parent), newest first, by
/// path. Nothing when HEAD has no commit yet.
pub fn recent(
    git_dir: &Path,
    paths: &HashSet<&str>,
    limit: usize,
) -> Result<BTreeMap<String, Vec<Version>>> {
    let mut changes: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    let git = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    if paths.is_empty() || git.head().and_then(|h| h.peel_to_commit()).is_err() {
        return Ok(changes);
    }
    let odb = git.odb().map_err(|e| Error::git("read git's objects", e))?;
    // A blob is read once: a file's text before one commit is its text
    // after the one before.
    let mut read: HashMap<String, Option<String>> = HashMap::new();
    let mut text = |oid: &Option<String>| -> Option<String> {
        let oid = oid.as_deref()?;
        (read.entry(oid.to_owned()))
            .or_insert_with(|| blob_text(&odb, git2::Oid::from_str(oid).ok()?))
            .clone()
    };
    for listed in list(git_dir, limit)? {
        let Some(commit) = CommitId::parse(&listed.commit) else {
            continue;
        };
        let date = chrono::FixedOffset::east_opt(listed.offset_minutes * 60)
            .and_then(|tz| {
                chrono::DateTime::from_timestamp(listed.time, 0).map(|t| t.with_timezone(&tz))
            })
            .map(|t| t.date_naive())
            .unwrap_or_default();
        for (path, old, new) in &listed.files {
            if !paths.contains(path.as_str()) {
                continue;
            }
            changes.entry(path.clone()).or_default().push(Version {
                commit,
                date,
                author: listed.author.clone(),
                summary: listed.summary.clone(),
                before: text(old),
                after: text(new),
            });
        }
    }
    Ok(changes)
}

/// The files of `current` (path and text now) whose text differs from
/// HEAD's, each with HEAD's text (read within the bound an item file is),
/// or none where HEAD lacks the file, as it lacks every file before the
/// first commit.
pub fn edited_since_head<'a>(
    git_dir: &Path,
    current: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<BTreeMap<String, Option<String>>> {
    let git = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let tree = git.head().and_then(|h| h.peel_to_tree()).ok();
    let odb = git.odb().map_err(|e| Error::git("read git's objects", e))?;
    // Each folder's tree is read once, not once for each of its files.
    let mut folders: HashMap<&str, Option<git2::Tree<'_>>> = HashMap::new();
    let mut edited = BTreeMap::new();
    for (path, text) in current {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        let folder = folders.entry(folder).or_insert_with(|| {
            let tree = tree.as_ref()?;
            match folder {
                "" => Some(tree.clone()),
                folder => tree
                    .get_path(Path::new(folder))
                    .ok()?
                    .to_object(&git)
                    .ok()?
                    .into_tree()
                    .ok(),
            }
        });
        let entry = folder.as_ref().and_then(|t| t.get_name(name));
        let head = match entry {
            None => None,
            // Unchanged: its blob is the text's, which is not read again.
            Some(e)
                if git2::Oid::hash_object(git2::ObjectType::Blob, text).ok() == Some(e.id()) =>
            {
                continue;
            }
            Some(e) => blob_text(&odb, e.id()),
        };
        edited.insert(path.to_owned(), head);
    }
    Ok(edited)
}

/// The text of the blob `oid`, read within the bound an item file is;
/// none when it cannot be read.
fn blob_text(odb: &git2::Odb<'_>, oid: git2::Oid) -> Option<String> {
    crate::repo::item_blob(odb, oid)
        .ok()
        .map(super::diff::lossy)
}

/// `git log`'s listing of the files the newest `limit` first-parent
/// commits of HEAD changed. Every commit counts, those that change no file
/// (a review) too: the walk is bounded, however rarely files change.
fn list(git_dir: &Path, limit: usize) -> Result<Vec<Listed>> {
    let limit = format!("--max-count={limit}");
    let args = [
        "--no-abbrev",
        "--raw",
        "-z",
        "--date=raw",
        "--format=%x01%H%x00%cd%x00%an%x00%s",
        &limit,
        "HEAD",
        "--",
    ];
    super::log::first_parent_log(git_dir, &args, "HEAD", |stdout| {
        Ok((parse(BufReader::new(stdout))?, true))
    })
}

/// Reads `\x01<commit> \0 <time> <zone> \0 <author> \0 <summary> \0`, then
/// `:<mode> <mode> <blob> <blob> <status> \0 <path> \0` for each file.
fn parse(mut reader: impl BufRead) -> std::io::Result<Vec<Listed>> {
    let bad = |what: &str| std::io::Error::other(format!("{what} that git does not write"));
    let mut listed: Vec<Listed> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut blobs: Option<(Option<String>, Option<String>)> = None;
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        if reader.read_until(0, &mut buf)? == 0 {
            break;
        }
        let token = buf.strip_suffix(&[0]).unwrap_or(&buf);
        let token = String::from_utf8_lossy(token);
        if let Some((old, new)) = blobs.take() {
            let last = listed
                .last_mut()
                .ok_or_else(|| bad("a file before a commit"))?;
            last.files.push((token.into_owned(), old, new));
            continue;
        }
        if !header.is_empty() {
            header.push(token.into_owned());
            if let [commit, when, author, summary] = header.as_slice() {
                let (time, zone) = when.split_once(' ').ok_or_else(|| bad("a commit time"))?;
                listed.push(Listed {
                    commit: commit.clone(),
                    time: time.parse().map_err(|_| bad("a commit time"))?,
                    offset_minutes: minutes(zone).ok_or_else(|| bad("a time zone"))?,
                    author: author.clone(),
                    summary: summary.clone(),
                    files: Vec::new(),
                });
                header.clear();
            }
            continue;
        }
        let token = token.strip_prefix('\n').unwrap_or(&token);
        if let Some(commit) = token.strip_prefix('\x01') {
            header.push(commit.to_owned());
        } else if let Some(raw) = token.strip_prefix(':') {
            let fields: Vec<&str> = raw.split(' ').collect();
            let [_, _, old, new, _] = fields.as_slice() else {
                return Err(bad("a file's line"));
            };
            let blob = |oid: &str| (!oid.bytes().all(|b| b == b'0')).then(|| oid.to_owned());
            blobs = Some((blob(old), blob(new)));
        } else if !token.is_empty() {
            return Err(bad("a line"));
        }
    }
    Ok(listed)
}

/// `+0130` as minutes east of UTC.
fn minutes(zone: &str) -> Option<i32> {
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    let (h, m) = digits.split_at_checked(2)?;
    Some(sign * (h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_read_commit_by_commit_with_each_file_s_blobs() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let zero = "0".repeat(40);
        let out = format!(
            "\x01{a}\x001700000000 +0130\x00Bob Okafor\x00Set: 5.3 planned\x00\
             \n:100644 100644 {a} {b} M\x00controls/5.3.toml\x00\
             :000000 100644 {zero} {b} A\x00controls/5.4.toml\x00\
             \x01{b}\x001600000000 -0800\x00Alice\x00:not a file line\x00"
        );
        let listed = parse(out.as_bytes()).unwrap();
        assert_eq!(
            listed,
            vec![
                Listed {
                    commit: a.clone(),
                    time: 1_700_000_000,
                    offset_minutes: 90,
                    author: "Bob Okafor".into(),
                    summary: "Set: 5.3 planned".into(),
                    files: vec![
                        ("controls/5.3.toml".into(), Some(a.clone()), Some(b.clone())),
                        ("controls/5.4.toml".into(), None, Some(b.clone())),
                    ],
                },
                Listed {
                    commit: b,
                    time: 1_600_000_000,
                    offset_minutes: -480,
                    author: "Alice".into(),
                    summary: ":not a file line".into(),
                    files: vec![],
                },
            ]
        );
    }

    #[test]
    fn a_listing_git_does_not_write_is_an_error_not_nothing() {
        assert!(parse(&b"\x01abc\x00noon\x00A\x00s\x00"[..]).is_err());
        assert!(parse(&b":100644 M\x00controls/5.3.toml\x00"[..]).is_err());
        assert!(parse(&b"garbage\x00"[..]).is_err());
    }
}
