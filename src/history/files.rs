//! When each item file was added and last changed on the record branch.
//!
//! Computed in the first-parent walk by comparing each commit's tree with its
//! first parent's, descending only into subtrees whose ids differ and only
//! into the layout's item directories. A one-file change costs a few tree
//! reads, not a diff of the whole repository.

use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

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

type Entries = Rc<Vec<(String, Oid, bool)>>;

/// Tree entries by tree id; bounded, since consecutive commits share most trees.
#[derive(Default)]
pub struct TreeCache {
    trees: HashMap<Oid, Entries>,
}

impl TreeCache {
    fn entries(&mut self, repo: &Repository, oid: Oid) -> Result<Entries, git2::Error> {
        if let Some(e) = self.trees.get(&oid) {
            return Ok(e.clone());
        }
        if self.trees.len() > 4096 {
            self.trees.clear();
        }
        let tree = repo.find_tree(oid)?;
        let entries: Vec<(String, Oid, bool)> = tree
            .iter()
            .filter_map(|e| {
                let name = e.name().ok()?.to_owned();
                Some((name, e.id(), e.kind() == Some(ObjectType::Tree)))
            })
            .collect();
        let entries = Rc::new(entries);
        self.trees.insert(oid, entries.clone());
        Ok(entries)
    }
}

/// A change to an item file between two trees.
#[derive(Debug, PartialEq, Eq)]
pub enum FileChange {
    Added(String),
    Modified(String),
    Deleted(String),
}

/// The item-file changes from tree `old` to tree `new` (either may be absent).
pub fn diff(
    repo: &Repository,
    cache: &mut TreeCache,
    old: Option<Oid>,
    new: Option<Oid>,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let old_root = old.map(|o| cache.entries(repo, o)).transpose()?;
    let new_root = new.map(|o| cache.entries(repo, o)).transpose()?;
    for (dir, depth) in ITEM_DIRS {
        let find = |root: &Option<Entries>| {
            root.as_ref().and_then(|r| {
                r.iter()
                    .find(|(n, _, is_tree)| n == dir && *is_tree)
                    .map(|e| e.1)
            })
        };
        let (a, b) = (find(&old_root), find(&new_root));
        if a != b {
            walk(repo, cache, a, b, dir, depth, out)?;
        }
    }
    Ok(())
}

fn walk(
    repo: &Repository,
    cache: &mut TreeCache,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &str,
    depth: usize,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let empty: Entries = Rc::new(Vec::new());
    let a = old
        .map(|o| cache.entries(repo, o))
        .transpose()?
        .unwrap_or_else(|| empty.clone());
    let b = new
        .map(|o| cache.entries(repo, o))
        .transpose()?
        .unwrap_or(empty);
    let old_map: HashMap<&str, (Oid, bool)> =
        a.iter().map(|(n, o, t)| (n.as_str(), (*o, *t))).collect();
    let new_map: HashMap<&str, (Oid, bool)> =
        b.iter().map(|(n, o, t)| (n.as_str(), (*o, *t))).collect();
    for (name, oid, is_tree) in b.iter() {
        let before = old_map.get(name.as_str()).copied();
        if before.map(|b| b.0) == Some(*oid) {
            continue;
        }
        let path = format!("{prefix}/{name}");
        if *is_tree {
            if depth > 1 {
                let before = before.filter(|b| b.1).map(|b| b.0);
                walk(repo, cache, before, Some(*oid), &path, depth - 1, out)?;
            }
        } else if depth == 1 && name.ends_with(".toml") {
            out.push(match before {
                Some((_, false)) => FileChange::Modified(path),
                _ => FileChange::Added(path),
            });
        }
    }
    for (name, oid, is_tree) in a.iter() {
        if new_map.get(name.as_str()).is_some_and(|n| n.1 == *is_tree) {
            continue;
        }
        let path = format!("{prefix}/{name}");
        if *is_tree && depth > 1 {
            walk(repo, cache, Some(*oid), None, &path, depth - 1, out)?;
        } else if !is_tree && depth == 1 && name.ends_with(".toml") {
            out.push(FileChange::Deleted(path));
        }
    }
    Ok(())
}

/// Applies one landing's changes.
pub fn apply(files: &mut HashMap<String, FileTimes>, changes: Vec<FileChange>, landed: i64) {
    for change in changes {
        match change {
            FileChange::Added(p) => {
                files.insert(
                    p,
                    FileTimes {
                        added: landed,
                        changed: landed,
                    },
                );
            }
            FileChange::Modified(p) => {
                files
                    .entry(p)
                    .and_modify(|t| t.changed = landed)
                    .or_insert(FileTimes {
                        added: landed,
                        changed: landed,
                    });
            }
            FileChange::Deleted(p) => {
                files.remove(&p);
            }
        }
    }
}
