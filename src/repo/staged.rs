//! The staging area read in-process, as git reads it: the index file's
//! entries, and which paths differ from `HEAD`, answered from the index's
//! cache of tree ids so that only the directories a commit touches are
//! compared. It never writes the index; when the index uses what this reader
//! does not take (a sparse index), the caller asks the `git` program.

use std::collections::HashSet;
use std::path::Path;

use gix_index::extension::Tree as CachedTree;

use crate::error::{Error, Result};

/// Files as git records them (path, object id, file mode): an index's
/// stage-0 entries, or a commit's tree. Every path is in one buffer and
/// each entry is its span of it, so that 10,000s of files are not as many
/// allocations; [`Entries::sorted`] puts them in path order.
#[derive(Default)]
pub(super) struct Entries {
    text: String,
    spans: Vec<Span>,
}

#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    id: git2::Oid,
    mode: u32,
}

impl Entries {
    pub(super) fn with_capacity(entries: usize) -> Entries {
        Entries {
            text: String::with_capacity(entries * 40),
            spans: Vec::with_capacity(entries),
        }
    }

    pub(super) fn push(&mut self, path: &str, id: git2::Oid, mode: u32) {
        let start = self.text.len();
        self.text.push_str(path);
        self.spans.push(Span {
            start,
            end: self.text.len(),
            id,
            mode,
        });
    }

    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    fn path(&self, span: &Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// The `i`th entry.
    fn at(&self, i: usize) -> (&str, git2::Oid, u32) {
        let span = &self.spans[i];
        (self.path(span), span.id, span.mode)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, git2::Oid, u32)> {
        self.spans.iter().map(|s| (self.path(s), s.id, s.mode))
    }

    /// Sorted by path, as git keeps its index (a tree walk need not be).
    pub(super) fn sorted(mut self) -> Entries {
        let text = &self.text;
        let path = |s: &Span| &text[s.start..s.end];
        if !self.spans.is_sorted_by(|a, b| path(a) <= path(b)) {
            self.spans.sort_unstable_by(|a, b| path(a).cmp(path(b)));
        }
        self
    }

    /// The object id and file mode at `path`.
    pub(super) fn get(&self, path: &str) -> Option<(git2::Oid, u32)> {
        let i = self
            .spans
            .binary_search_by(|s| self.path(s).cmp(path))
            .ok()?;
        Some((self.spans[i].id, self.spans[i].mode))
    }

    /// How many entries from the `i`th on start with `prefix`.
    fn run(&self, i: usize, end: usize, prefix: &str) -> usize {
        self.spans[i..end].partition_point(|s| self.path(s).starts_with(prefix))
    }
}

/// What the index holds.
#[derive(Default)]
pub(super) struct Staged {
    /// The entries a commit would record, sorted by path. Intent-to-add
    /// entries (`git add -N`) are left out: git does not commit them.
    pub entries: Entries,
    /// Paths with unresolved conflicts (stages 1–3), each once, sorted.
    pub unmerged: Vec<String>,
    /// The index's cache of tree ids (its `TREE` extension), if any.
    tree: Option<CachedTree>,
}

/// Adds `path`, an entry of stage 1, 2 or 3, to the sorted `unmerged`: a
/// path's up to three entries come one after the other, and it is kept once.
pub(super) fn push_unmerged(unmerged: &mut Vec<String>, path: std::borrow::Cow<'_, str>) {
    if unmerged.last().map(String::as_str) != Some(path.as_ref()) {
        unmerged.push(path.into_owned());
    }
}

/// Reads the index at `file`; an absent file is an empty index. `None` when
/// it cannot be taken in-process (a sparse index, or a format this reader
/// does not know): `git` then reads it and reports what is wrong.
pub(super) fn read(file: &Path) -> Option<Staged> {
    if matches!(file.try_exists(), Ok(false)) {
        return Some(Staged::default());
    }
    let index = open(file)?;
    let mut staged = Staged {
        entries: Entries::with_capacity(index.entries().len()),
        unmerged: Vec::new(),
        tree: index.tree().cloned(),
    };
    for entry in index.entries() {
        if entry.mode.is_sparse() {
            return None;
        }
        let path = String::from_utf8_lossy(entry.path(&index));
        if entry.stage_raw() != 0 {
            push_unmerged(&mut staged.unmerged, path);
        } else if !entry.flags.contains(gix_index::entry::Flags::INTENT_TO_ADD) {
            let id = git2::Oid::from_bytes(entry.id.as_bytes()).ok()?;
            staged.entries.push(&path, id, entry.mode.bits());
        }
    }
    Some(staged)
}

/// The index file at `file`, decoded as git reads it: without verifying its
/// checksum. `None` when it cannot be read in-process.
fn open(file: &Path) -> Option<gix_index::File> {
    gix_index::File::at(
        file,
        gix_index::hash::Kind::Sha1,
        true,
        gix_index::decode::Options::default(),
    )
    .ok()
}

/// The paths whose entry differs from `HEAD`'s tree — added, modified,
/// removed, changed in type or mode, or unmerged — sorted; `None` when
/// there is no `HEAD` yet. What `git diff --cached --name-only HEAD` lists.
pub(super) fn changed(repo: &git2::Repository, staged: &Staged) -> Result<Option<Vec<String>>> {
    let head = match repo.head() {
        Ok(head) => head
            .peel_to_tree()
            .map_err(|e| Error::git("read the tree of HEAD", e))?,
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(None),
        Err(e) => return Err(Error::git("read HEAD", e)),
    };
    let mut walk = Walk {
        repo,
        out: staged.unmerged.clone(),
    };
    let all = 0..staged.entries.len();
    walk.dir("", Some(&head), &staged.entries, all, staged.tree.as_ref())?;
    let mut out = walk.out;
    out.sort_unstable();
    out.dedup();
    Ok(Some(out))
}

/// Whether the files `stats` lists (those a summary reads, as
/// [`super::stats`] lists them) are exactly `HEAD`'s, as far as the index
/// shows without reading any of them, as `git status` first looks: the
/// index's cached tree is `HEAD`'s; every listed file is in the index with
/// the mode and stat data git recorded for it, not racily (changed within
/// the index's own time); and the index holds no other file where the
/// listing looks. `false` means only reading files could tell: ask git.
pub fn clean(git_dir: &Path, stats: &[(String, super::Stat)]) -> bool {
    use gix_index::entry::{Flags, Stage, stat};
    // git reads another index then; so does `git status`.
    if std::env::var_os("GIT_INDEX_FILE").is_some() {
        return false;
    }
    let Some(index) = open(&git_dir.join("index")) else {
        return false;
    };
    let head = git2::Repository::open(git_dir)
        .and_then(|repo| repo.head()?.peel_to_tree().map(|t| t.id()));
    let Ok(head) = head else { return false };
    if !index.tree().is_some_and(|cached| unchanged(cached, head)) {
        return false;
    }
    // Every field compared, as git does at its strictest.
    let strict = stat::Options {
        trust_ctime: true,
        check_stat: true,
        use_nsec: true,
        use_stdev: true,
    };
    let unusual = Flags::ASSUME_VALID | Flags::SKIP_WORKTREE | Flags::INTENT_TO_ADD;
    let maps = super::migration_maps();
    let held = index
        .entries()
        .iter()
        .map(|e| String::from_utf8_lossy(e.path(&index)))
        .filter(|p| super::source::listed(p) || maps.iter().any(|m| m == p))
        .count();
    held == stats.len()
        && stats.iter().all(|(path, stat)| {
            let Some((ours, mode)) = stat.git else {
                return false;
            };
            let entry = index.entry_by_path_and_stage(path.as_bytes().into(), Stage::Unconflicted);
            entry.is_some_and(|e| {
                !e.flags.intersects(unusual)
                    && e.mode == mode
                    && e.stat.matches(&ours, strict)
                    && !e.stat.is_racy(index.timestamp(), strict)
            })
        })
}

/// Whether the index's cached tree `cached` is valid and is `head`, the
/// tree `HEAD` has there: then nothing below it changed.
fn unchanged(cached: &CachedTree, head: git2::Oid) -> bool {
    cached.num_entries.is_some() && cached.id.as_bytes() == head.as_bytes()
}

struct Walk<'r> {
    repo: &'r git2::Repository,
    out: Vec<String>,
}

impl<'r> Walk<'r> {
    /// Compares the index entries `range` of `entries` under `prefix` (all
    /// of which start with it) with `head`, the tree `HEAD` has there. A
    /// directory whose cached tree id is valid and equal to `HEAD`'s is
    /// unchanged, whatever it holds.
    fn dir(
        &mut self,
        prefix: &str,
        head: Option<&git2::Tree>,
        entries: &Entries,
        range: std::ops::Range<usize>,
        cached: Option<&CachedTree>,
    ) -> Result<()> {
        if let (Some(cached), Some(head)) = (cached, head)
            && unchanged(cached, head.id())
        {
            return Ok(());
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut i = range.start;
        while i < range.end {
            let (path, id, mode) = entries.at(i);
            let rest = &path[prefix.len()..];
            if let Some((name, _)) = rest.split_once('/') {
                let sub = &path[..prefix.len() + name.len() + 1];
                let n = entries.run(i, range.end, sub);
                let head_entry = head.and_then(|h| h.get_name(name));
                let cached_sub = cached.and_then(|c| {
                    c.children
                        .iter()
                        .find(|t| t.name.as_slice() == name.as_bytes())
                });
                seen.insert(name);
                i += n;
                // Unchanged by its cached id: HEAD's tree is not even read.
                if let (Some(e), Some(c)) = (&head_entry, cached_sub)
                    && e.kind() == Some(git2::ObjectType::Tree)
                    && unchanged(c, e.id())
                {
                    continue;
                }
                let head_sub = match head_entry {
                    Some(e) if e.kind() == Some(git2::ObjectType::Tree) => Some(self.tree(&e)?),
                    // A file in HEAD is a directory now.
                    Some(e) => {
                        self.gone(prefix, &e)?;
                        None
                    }
                    None => None,
                };
                self.dir(sub, head_sub.as_ref(), entries, i - n..i, cached_sub)?;
            } else {
                match head.and_then(|h| h.get_name(rest)) {
                    Some(e) if e.id() == id && e.filemode() as u32 == mode => {}
                    // A directory in HEAD is a file now: all it held is gone.
                    Some(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                        self.out.push(path.to_owned());
                        self.gone(prefix, &e)?;
                    }
                    _ => self.out.push(path.to_owned()),
                }
                seen.insert(rest);
                i += 1;
            }
        }
        if let Some(head) = head {
            for e in head.iter() {
                if !seen.contains(String::from_utf8_lossy(e.name_bytes()).as_ref()) {
                    self.gone(prefix, &e)?;
                }
            }
        }
        Ok(())
    }

    /// Every path below `prefix` in `tree`: a directory the index no longer has.
    fn removed(&mut self, prefix: &str, tree: &git2::Tree) -> Result<()> {
        for e in tree.iter() {
            self.gone(prefix, &e)?;
        }
        Ok(())
    }

    /// `HEAD`'s entry `e` below `prefix`, which the index does not have: the
    /// file, or every file the directory held.
    fn gone(&mut self, prefix: &str, e: &git2::TreeEntry) -> Result<()> {
        let name = String::from_utf8_lossy(e.name_bytes());
        if e.kind() == Some(git2::ObjectType::Tree) {
            let tree = self.tree(e)?;
            self.removed(&format!("{prefix}{name}/"), &tree)
        } else {
            self.out.push(format!("{prefix}{name}"));
            Ok(())
        }
    }

    fn tree(&self, entry: &git2::TreeEntry) -> Result<git2::Tree<'r>> {
        self.repo
            .find_tree(entry.id())
            .map_err(|e| Error::git("read a tree of HEAD", e))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// What git says differs from HEAD, and the stage-0 entries it lists.
    fn by_git(dir: &Path) -> (Vec<String>, Vec<String>) {
        // In git's order: by path.
        let split = |out: Vec<u8>| -> Vec<String> {
            out.split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect()
        };
        let changed = split(git(
            dir,
            &[
                "diff",
                "--cached",
                "--name-only",
                "--no-renames",
                "-z",
                "HEAD",
                "--",
            ],
        ));
        let listed = split(git(dir, &["ls-files", "--stage", "-z"]));
        (changed, listed)
    }

    fn by_isms(dir: &Path) -> (Option<Vec<String>>, Vec<String>) {
        let repo = git2::Repository::open(dir).unwrap();
        let staged = read(&dir.join(".git/index")).expect("read in-process");
        let changed = changed(&repo, &staged).unwrap();
        let listed = staged
            .entries
            .iter()
            .map(|(p, id, mode)| format!("{mode:o} {id} 0\t{p}"))
            .collect();
        (changed, listed)
    }

    #[test]
    fn the_staged_changes_are_what_git_diff_cached_lists() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let repo = git2::Repository::open(dir).unwrap();
        // No HEAD yet: nothing to compare with.
        write(dir, "a/x.toml", "x");
        git(dir, &["add", "-A"]);
        assert_eq!(
            changed(&repo, &read(&dir.join(".git/index")).unwrap()).unwrap(),
            None
        );

        for (path, text) in [
            ("a/b/y.toml", "y"),
            ("a/b/w.toml", "w"),
            ("c/z.toml", "z"),
            ("d", "a file"),
            ("e/f/g.sh", "g"),
            ("t/inner/u", "u"),
            ("a.b", "dot sorts before the directory a/"),
            ("evidence/ev-1.toml", "1"),
            ("evidence/ev-2.toml", "2"),
        ] {
            write(dir, path, text);
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "base"]);
        let (none, _) = by_isms(dir);
        assert_eq!(none, Some(vec![]));

        // Edits of every kind, staged with `git add`, which leaves the
        // cached trees along each changed path invalid.
        write(dir, "a/b/y.toml", "y changed");
        write(dir, "n/new.toml", "new");
        std::fs::remove_dir_all(dir.join("c")).unwrap();
        std::fs::remove_file(dir.join("d")).unwrap();
        write(dir, "d/inner.toml", "a file became a directory");
        std::fs::remove_dir_all(dir.join("t")).unwrap();
        write(dir, "t", "a directory became a file");
        write(dir, "evidence/ev-2.toml", "2 changed");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join("e/f/g.sh"), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
        git(dir, &["add", "-A"]);
        write(dir, "ita.toml", "intent to add");
        git(dir, &["add", "-N", "ita.toml"]);
        let (changed_git, listed_git) = by_git(dir);
        let (changed_isms, listed_isms) = by_isms(dir);
        assert_eq!(changed_isms.as_ref(), Some(&changed_git));
        assert!(
            changed_git.contains(&"t/inner/u".to_owned()),
            "{changed_git:?}"
        );
        assert!(changed_git.contains(&"d".to_owned()), "{changed_git:?}");
        assert!(
            changed_git.contains(&"e/f/g.sh".to_owned()),
            "{changed_git:?}"
        );
        // The intent-to-add entry is not committed, so not read.
        let listed_git: Vec<String> = listed_git
            .into_iter()
            .filter(|l| !l.ends_with("\tita.toml"))
            .collect();
        assert_eq!(listed_isms, listed_git);

        // The same with every cached tree valid (as `git write-tree` or a
        // status leaves them), and with none (`git read-tree` empties them).
        git(dir, &["write-tree"]);
        assert_eq!(by_isms(dir).0, Some(changed_git.clone()));
        git(dir, &["rm", "-q", "--cached", "ita.toml"]);
        git(dir, &["read-tree", "HEAD"]);
        git(dir, &["add", "-A"]);
        let (changed_git, _) = by_git(dir);
        assert!(changed_git.contains(&"ita.toml".to_owned()));
        assert_eq!(by_isms(dir).0, Some(changed_git));

        // Committed: nothing differs, answered from the cached root tree.
        git(dir, &["commit", "-q", "-m", "all"]);
        assert_eq!(by_isms(dir).0, Some(vec![]));
    }

    #[test]
    fn a_sparse_index_is_left_to_git() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        write(dir, "controls/5.1.toml", "c");
        write(dir, "evidence/ev-1.toml", "e");
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "base"]);
        assert!(read(&dir.join(".git/index")).is_some());
        git(
            dir,
            &["sparse-checkout", "init", "--cone", "--sparse-index"],
        );
        git(dir, &["sparse-checkout", "set", "controls"]);
        assert!(read(&dir.join(".git/index")).is_none());
        // An index that is not there is an empty one.
        let empty = read(&dir.join(".git/no-such-index")).unwrap();
        assert_eq!(empty.entries.len(), 0);
    }
}
