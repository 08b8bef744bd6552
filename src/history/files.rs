//! When each item file was added and last changed on the record branch.
//!
//! git itself lists what each first-parent commit changed (its tree diff is
//! faster than any library's here); the list is read as it streams, newest
//! first, and folded per path, so memory follows the item files, not the
//! commits.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Landing times (unix seconds) of an item file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTimes {
    /// The landing of the commit that (most recently) added the file.
    pub added: i64,
    /// The landing of the last commit that added or modified it.
    pub changed: i64,
}

/// Directories holding item files, and how deep their files are.
const ITEM_DIRS: [(&str, usize); 5] = [
    ("controls", 1),
    ("services", 1),
    ("responsibilities", 2),
    ("evidence", 1),
    ("findings", 1),
];

/// Whether `path` is where the layout keeps an item file.
fn is_item_file(path: &str) -> bool {
    let Some((dir, rest)) = path.split_once('/') else {
        return false;
    };
    ITEM_DIRS
        .iter()
        .any(|&(d, depth)| d == dir && rest.split('/').count() == depth)
        && rest.ends_with(".toml")
}

/// What the newest events of one path, read newest first, say about it.
#[derive(Debug, Default)]
struct Newest {
    /// The newest landing that added or modified it.
    changed: Option<i64>,
    /// Set when an add or a delete was met: older events no longer apply.
    closed: Option<Closed>,
}

#[derive(Debug)]
enum Closed {
    Added(i64),
    Deleted,
}

/// The item-file changes that landed on the first-parent chain from `from`
/// (exclusive; `None`: from the root) to `tip`, folded per path.
pub struct Changes(HashMap<String, Newest>);

impl Changes {
    /// Reads them with `git log`; runs while the caller walks the commits.
    pub fn read(git_dir: &Path, from: Option<Oid>, tip: Oid) -> Result<Changes> {
        let range = match from {
            Some(from) => format!("{from}..{tip}"),
            None => tip.to_string(),
        };
        // Output that user configuration could change is pinned: renames,
        // root commits, merges (diffed against the first parent), colour.
        let mut child = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args([
                "-c",
                "log.showSignature=false",
                "log",
                "--first-parent",
                "--diff-merges=first-parent",
                "--root",
                "--no-renames",
                "--no-relative",
                "--no-color",
                "--name-status",
                "-z",
                "--format=%x01%ct",
                &range,
                "--",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::new("could not run the `git` program")
                    .caused_by(e)
                    .hint("install git and make sure it is on PATH")
            })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let folded = fold(BufReader::with_capacity(1 << 16, stdout));
        let output = child
            .wait_with_output()
            .map_err(|e| Error::new("could not run `git log`").caused_by(e))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(Error::new(format!("`git log {range}` failed")).caused_by(stderr.trim()));
        }
        folded
            .map(Changes)
            .map_err(|e| Error::new("could not read `git log`").caused_by(e))
    }

    /// Brings `files` (the times up to `from`) up to the tip.
    pub fn apply(self, files: &mut HashMap<String, FileTimes>) {
        for (path, newest) in self.0 {
            match (newest.closed, newest.changed) {
                (Some(Closed::Deleted), _) => {
                    files.remove(&path);
                }
                (Some(Closed::Added(added)), changed) => {
                    let changed = changed.unwrap_or(added);
                    files.insert(path, FileTimes { added, changed });
                }
                (None, Some(changed)) => {
                    files
                        .entry(path)
                        .and_modify(|t| t.changed = changed)
                        .or_insert(FileTimes {
                            added: changed,
                            changed,
                        });
                }
                (None, None) => {}
            }
        }
    }
}

/// Folds `git log --name-status -z --format=%x01%ct` output, newest first:
/// a `\x01<time>` token starts a commit, then status and path tokens.
fn fold(reader: impl BufRead) -> std::io::Result<HashMap<String, Newest>> {
    let mut paths: HashMap<String, Newest> = HashMap::new();
    let mut landed = 0;
    let mut status: Option<u8> = None;
    for token in reader.split(0) {
        let token = token?;
        if let Some(status) = status.take() {
            let Ok(path) = std::str::from_utf8(&token) else {
                continue; // not a name isms gives an item file
            };
            if !is_item_file(path) {
                continue;
            }
            let newest = match paths.get_mut(path) {
                Some(n) => n,
                None => paths.entry(path.to_owned()).or_default(),
            };
            if newest.closed.is_some() {
                continue;
            }
            match status {
                b'D' => newest.closed = Some(Closed::Deleted),
                b'A' => {
                    newest.changed.get_or_insert(landed);
                    newest.closed = Some(Closed::Added(landed));
                }
                _ => {
                    newest.changed.get_or_insert(landed);
                }
            }
            continue;
        }
        let token = token.strip_prefix(b"\n").unwrap_or(&token);
        if let Some(time) = token.strip_prefix(b"\x01") {
            landed = std::str::from_utf8(time)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(landed);
        } else if let Some(&first) = token.first() {
            status = Some(first);
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(log: &[u8], before: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
        let mut files: HashMap<String, FileTimes> = before
            .iter()
            .map(|&(p, added, changed)| (p.to_owned(), FileTimes { added, changed }))
            .collect();
        Changes(fold(log).unwrap()).apply(&mut files);
        let mut out: Vec<_> = files
            .into_iter()
            .map(|(p, t)| (p, t.added, t.changed))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_newest_add_and_change_win() {
        let log = b"\x01300\0\nM\0controls/A.1.toml\0\x01200\0\nA\0controls/A.1.toml\0\
                    \x01150\0\nD\0controls/A.1.toml\0\x01100\0\nA\0controls/A.1.toml\0";
        assert_eq!(times(log, &[]), [("controls/A.1.toml".into(), 200, 300)]);
    }

    #[test]
    fn deleted_files_are_forgotten_and_other_paths_ignored() {
        let log = b"\x01300\0\nD\0controls/A.1.toml\0\nA\0evidence/files/x.toml\0\
                    \nA\0README.md\0\x01200\0\x01100\0\nA\0responsibilities/s/A.2.toml\0";
        assert_eq!(
            times(log, &[("controls/A.1.toml", 10, 20)]),
            [("responsibilities/s/A.2.toml".into(), 100, 100)]
        );
    }

    #[test]
    fn modifications_extend_what_was_known() {
        let log = b"\x01500\0\nM\0controls/A.1.toml\0\x01400\0\nM\0controls/A.1.toml\0";
        assert_eq!(
            times(log, &[("controls/A.1.toml", 10, 20)]),
            [("controls/A.1.toml".into(), 10, 500)]
        );
    }
}
