//! When each item file was added and last changed on the record branch.
//!
//! The changes each first-parent commit made, as `git log` lists them newest
//! first, are folded per path as they stream: memory follows the item files,
//! not the commits.

use std::collections::HashMap;

use crate::model::{FileTimes, Place, classify};

/// Whether `path` is where the layout keeps an item with a review history.
fn is_item_file(path: &str) -> bool {
    matches!(classify(path), Some(Place::Item { kind, .. }) if kind.is_reviewed())
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

/// The item-file changes that landed on the first-parent chain, folded per
/// path, newest first.
#[derive(Debug, Default)]
pub struct Fold(HashMap<String, Newest>);

impl Fold {
    /// One change (`git log --name-status` letter) that landed at `landed`;
    /// events come newest first.
    pub fn event(&mut self, status: u8, path: &[u8], landed: i64) {
        let Ok(path) = std::str::from_utf8(path) else {
            return; // not a name isms gives an item file
        };
        if !is_item_file(path) {
            return;
        }
        let newest = match self.0.get_mut(path) {
            Some(n) => n,
            None => self.0.entry(path.to_owned()).or_default(),
        };
        if newest.closed.is_some() {
            return;
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
    }

    /// The paths whose times the events change.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    /// Brings `files` (the times before the first event) up to date.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Events as (landing time, status, path), newest first.
    fn times(events: &[(i64, u8, &str)], before: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
        let mut files: HashMap<String, FileTimes> = before
            .iter()
            .map(|&(p, added, changed)| (p.to_owned(), FileTimes { added, changed }))
            .collect();
        let mut fold = Fold::default();
        for &(landed, status, path) in events {
            fold.event(status, path.as_bytes(), landed);
        }
        fold.apply(&mut files);
        let mut out: Vec<_> = files
            .into_iter()
            .map(|(p, t)| (p, t.added, t.changed))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_newest_add_and_change_win() {
        let a = "controls/A.1.toml";
        let log = [
            (300, b'M', a),
            (200, b'A', a),
            (150, b'D', a),
            (100, b'A', a),
        ];
        assert_eq!(times(&log, &[]), [(a.into(), 200, 300)]);
    }

    #[test]
    fn deleted_files_are_forgotten_and_other_paths_ignored() {
        let log = [
            (300, b'D', "controls/A.1.toml"),
            (300, b'A', "evidence/files/x.toml"),
            (300, b'A', "README.md"),
            (100, b'A', "responsibilities/s/A.2.toml"),
        ];
        assert_eq!(
            times(&log, &[("controls/A.1.toml", 10, 20)]),
            [("responsibilities/s/A.2.toml".into(), 100, 100)]
        );
    }

    #[test]
    fn modifications_extend_what_was_known() {
        let log = [
            (500, b'M', "controls/A.1.toml"),
            (400, b'M', "controls/A.1.toml"),
        ];
        assert_eq!(
            times(&log, &[("controls/A.1.toml", 10, 20)]),
            [("controls/A.1.toml".into(), 10, 500)]
        );
    }
}
