//! When each item file was added and last changed on the record branch.
//!
//! Computed in the first-parent walk by comparing each commit's tree with its
//! first parent's, descending only into subtrees whose ids differ and only
//! into the layout's item directories. A one-file change costs a few tree
//! reads, not a diff of the whole repository.

use std::cmp::Ordering;
use std::collections::HashMap;

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

/// A change to an item file between two trees.
#[derive(Debug, PartialEq, Eq)]
pub enum FileChange {
    Added(String),
    Modified(String),
    Deleted(String),
}

/// Git's order of tree entries: by name, a subtree's name read as `name/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let a = a.iter().copied().chain(a_tree.then_some(b'/'));
    let b = b.iter().copied().chain(b_tree.then_some(b'/'));
    a.cmp(b)
}

fn is_tree(e: &git2::TreeEntry<'_>) -> bool {
    e.kind() == Some(ObjectType::Tree)
}

/// The item-file changes from tree `old` to tree `new` (either may be absent).
pub fn diff(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let old_root = old.map(|o| repo.find_tree(o)).transpose()?;
    let new_root = new.map(|o| repo.find_tree(o)).transpose()?;
    for (dir, depth) in ITEM_DIRS {
        let find = |root: &Option<git2::Tree<'_>>| {
            root.as_ref()
                .and_then(|r| r.get_name(dir).filter(is_tree).map(|e| e.id()))
        };
        let (a, b) = (find(&old_root), find(&new_root));
        if a != b {
            walk(repo, a, b, dir, depth, out)?;
        }
    }
    Ok(())
}

/// Compares two trees entry by entry in git's order: no allocation but for
/// the paths that changed, and subtrees with equal ids are never opened.
fn walk(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &str,
    depth: usize,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let a = old.map(|o| repo.find_tree(o)).transpose()?;
    let b = new.map(|o| repo.find_tree(o)).transpose()?;
    let (mut i, mut j) = (0, 0);
    loop {
        let ea = a.as_ref().and_then(|t| t.get(i));
        let eb = b.as_ref().and_then(|t| t.get(j));
        match (ea, eb) {
            (None, None) => break,
            (Some(x), None) => {
                one_side(repo, &x, prefix, depth, false, out)?;
                i += 1;
            }
            (None, Some(y)) => {
                one_side(repo, &y, prefix, depth, true, out)?;
                j += 1;
            }
            (Some(x), Some(y)) => {
                match git_order(x.name_bytes(), is_tree(&x), y.name_bytes(), is_tree(&y)) {
                    Ordering::Less => {
                        one_side(repo, &x, prefix, depth, false, out)?;
                        i += 1;
                    }
                    Ordering::Greater => {
                        one_side(repo, &y, prefix, depth, true, out)?;
                        j += 1;
                    }
                    Ordering::Equal => {
                        if x.id() != y.id() {
                            let path =
                                format!("{prefix}/{}", String::from_utf8_lossy(y.name_bytes()));
                            if is_tree(&y) {
                                if depth > 1 {
                                    walk(repo, Some(x.id()), Some(y.id()), &path, depth - 1, out)?;
                                }
                            } else if depth == 1 && path.ends_with(".toml") {
                                out.push(FileChange::Modified(path));
                            }
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// An entry only one side has: added (`added`) or deleted, with its subtree.
fn one_side(
    repo: &Repository,
    e: &git2::TreeEntry<'_>,
    prefix: &str,
    depth: usize,
    added: bool,
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    let path = format!("{prefix}/{}", String::from_utf8_lossy(e.name_bytes()));
    if is_tree(e) {
        if depth > 1 {
            let (old, new) = if added {
                (None, Some(e.id()))
            } else {
                (Some(e.id()), None)
            };
            walk(repo, old, new, &path, depth - 1, out)?;
        }
    } else if depth == 1 && path.ends_with(".toml") {
        out.push(if added {
            FileChange::Added(path)
        } else {
            FileChange::Deleted(path)
        });
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
