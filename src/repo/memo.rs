//! What a file's metadata says about it, and the parsed item files kept
//! between runs under `<git dir>/isms/items.bin`.
//!
//! A file whose name, size, times, inode and mode are those it was parsed
//! with is taken from the memo rather than read and parsed again, as git
//! trusts its index's stat data. A file changed too recently for its times
//! to show a later change (the racy window) is never kept, so an edit
//! within the file system's time resolution is always read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::load::Scope;
use super::load::{Parsed, ParsedRef};
use super::source::{Index, WorkTree};
use crate::cache;
use crate::error::Result;
use crate::model::Snapshot;

/// Files changed more recently than this are not trusted to show a later
/// change in their times (file systems with 1 s or 2 s resolution).
const RACY: Duration = Duration::from_secs(3);

/// The memo's format; a new isms version starts a new memo, since the
/// model it holds may have changed.
const MAGIC: &[u8] = concat!("isms-items-", env!("CARGO_PKG_VERSION"), "-v4\n").as_bytes();

/// One file's metadata as isms compares it between runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Size, modification and change times, inode and mode, as bytes.
    pub line: Vec<u8>,
    /// Whether the file is older than the racy window: only then does an
    /// unchanged `line` mean unchanged contents.
    pub settled: bool,
    /// What git's index records of a working-tree file, to compare with it:
    /// its stat data, and its mode as the index writes it (`None` for a
    /// file that is not a regular file, or where git's stat data is not
    /// known).
    pub git: Option<(gix_index::entry::Stat, gix_index::entry::Mode)>,
}

/// The stat data of every file isms reads from `tree` (item files, the
/// settings and the migration maps), sorted by path; `None` when a file
/// cannot be examined.
pub fn stats(tree: &WorkTree, root: &Path) -> Result<Option<Vec<(String, Stat)>>> {
    let now = SystemTime::now();
    // Each file's stat data is taken where it is examined, in parallel.
    let mut files = tree.files_with(|meta| stat(meta, now))?;
    // The migration maps decide which reviews count for migrated items.
    for path in super::migration_maps() {
        // Behind a folder that is a link it is not read, and nothing
        // computed from the files is kept or taken as it was.
        let linked = crate::fsutil::linked_folder(root, Path::new(&path)).is_some();
        if let Ok(meta) = std::fs::symlink_metadata(root.join(&path)) {
            files.push((path, stat(&meta, now).filter(|_| !linked)));
        }
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(files
        .into_iter()
        .map(|(f, stat)| Some((f, stat?)))
        .collect())
}

fn stat(meta: &std::fs::Metadata, now: SystemTime) -> Option<Stat> {
    let modified = meta.modified().ok()?;
    let since = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let mut line = Vec::with_capacity(64);
    line.extend_from_slice(&meta.len().to_le_bytes());
    line.extend_from_slice(&since(modified).as_nanos().to_le_bytes());
    let mut settled = now.duration_since(modified).is_ok_and(|d| d > RACY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        line.extend_from_slice(&meta.ino().to_le_bytes());
        line.extend_from_slice(&meta.mode().to_le_bytes());
        line.extend_from_slice(&meta.ctime().to_le_bytes());
        line.extend_from_slice(&meta.ctime_nsec().to_le_bytes());
        let changed = SystemTime::UNIX_EPOCH
            + Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec().max(0) as u32);
        settled &= now.duration_since(changed).is_ok_and(|d| d > RACY);
    }
    Some(Stat {
        line,
        settled,
        git: git_stat(meta),
    })
}

/// A regular file's stat data and mode as git's index records them.
#[cfg(unix)]
fn git_stat(meta: &std::fs::Metadata) -> Option<(gix_index::entry::Stat, gix_index::entry::Mode)> {
    use gix_index::entry::{Mode, Stat, stat::Time};
    use std::os::unix::fs::MetadataExt;
    if !meta.is_file() {
        return None;
    }
    // As git records them: 32 bits each, the low ones kept.
    let time = |secs: i64, nsecs: i64| Time {
        secs: secs as u32,
        nsecs: nsecs as u32,
    };
    let stat = Stat {
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        uid: meta.uid(),
        gid: meta.gid(),
        size: meta.len() as u32,
    };
    let mode = match meta.mode() & 0o111 {
        0 => Mode::FILE,
        _ => Mode::FILE_EXECUTABLE,
    };
    Some((stat, mode))
}

#[cfg(not(unix))]
fn git_stat(_: &std::fs::Metadata) -> Option<(gix_index::entry::Stat, gix_index::entry::Mode)> {
    None
}

/// Parsed item files from an earlier run, and the stat data of the files
/// now: what [`super::load_reusing`] may take instead of parsing.
pub struct Memo {
    path: PathBuf,
    stats: HashMap<String, Stat>,
    kept: HashMap<String, (Vec<u8>, Parsed)>,
    /// How many entries the memo on disk has.
    known: usize,
    /// How many files old enough to be kept had to be parsed.
    fresh: usize,
    /// Whether files are kept with their text, for diagnostics that point
    /// into them.
    whole: bool,
}

/// The memo is written again once one file in this many had to be parsed:
/// a few changed files cost less to parse on each run than to write the
/// whole memo for.
const REWRITE_EVERY: usize = 32;

/// Entries are kept in chunks of this many, each decoded on its own, so
/// that a large memo is read across cores.
const CHUNK: usize = 1024;

#[derive(Deserialize)]
struct Entry {
    path: String,
    line: Vec<u8>,
    parsed: Parsed,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    path: &'a str,
    line: &'a [u8],
    parsed: Parsed,
}

/// A memo file's entries, decoded but not yet checked against any file:
/// what [`Memo::read`] gives, to be read while the files are examined.
pub struct Kept {
    path: PathBuf,
    entries: HashMap<String, (Vec<u8>, Parsed)>,
}

impl Memo {
    /// The memo of the working tree's files under `git_dir`, to be checked
    /// against `stats`. A missing, damaged or older memo is empty.
    pub fn open(git_dir: &Path, stats: Vec<(String, Stat)>) -> Memo {
        Memo::with(Memo::read(git_dir), stats)
    }

    /// The memo of the working tree's files under `git_dir`, read and
    /// decoded; [`Memo::with`] checks it against the files.
    pub fn read(git_dir: &Path) -> Kept {
        Memo::read_at(git_dir.join("isms").join("items.bin"))
    }

    /// The memo `kept` holds, to be checked against `stats`.
    pub fn with(kept: Kept, stats: Vec<(String, Stat)>) -> Memo {
        Memo::checked(kept, stats, false)
    }

    /// The memo of the files `index` stages that `scope` reads, under
    /// `git_dir`. A staged file is known by its object id, so it is never
    /// racy; files are kept whole, since `check --staged` points into them.
    pub fn staged(git_dir: &Path, index: &Index, scope: &Scope) -> Memo {
        let stats = index
            .ids()
            .filter(|(path, _, _)| scope.reads(path))
            .map(|(path, id, mode)| {
                let mut line = id.as_bytes().to_vec();
                line.extend_from_slice(&mode.to_le_bytes());
                let stat = Stat {
                    line,
                    settled: true,
                    git: None,
                };
                (path.to_owned(), stat)
            })
            .collect();
        let kept = Memo::read_at(git_dir.join("isms").join("staged.bin"));
        Memo::checked(kept, stats, true)
    }

    fn read_at(path: PathBuf) -> Kept {
        // Chunks of entries, decoded across cores.
        let decode = |payload: &[u8]| -> Option<Vec<Vec<Entry>>> {
            let chunks: Vec<&[u8]> = postcard::from_bytes(payload).ok()?;
            chunks
                .par_iter()
                .map(|chunk| postcard::from_bytes(chunk).ok())
                .collect()
        };
        let kept = match cache::load_with(&path, MAGIC, decode) {
            cache::Loaded::Hit(chunks) => {
                // Sized once: growing it would move every entry again.
                let mut kept = HashMap::with_capacity(chunks.iter().map(Vec::len).sum());
                kept.extend(
                    chunks
                        .into_iter()
                        .flatten()
                        .map(|e| (e.path, (e.line, e.parsed))),
                );
                kept
            }
            _ => HashMap::new(),
        };
        Kept {
            path,
            entries: kept,
        }
    }

    fn checked(kept: Kept, stats: Vec<(String, Stat)>, whole: bool) -> Memo {
        let Kept {
            path,
            entries: kept,
        } = kept;
        Memo {
            path,
            stats: stats.into_iter().collect(),
            known: kept.len(),
            kept,
            fresh: 0,
            whole,
        }
    }

    /// The parsed file at `path`, if the memo holds it as the file is now.
    pub(super) fn take(&mut self, path: &str) -> Option<Parsed> {
        let stat = self.stats.get(path).filter(|s| s.settled)?;
        match self.kept.remove(path) {
            Some((line, parsed)) if line == stat.line => Some(parsed.at(path)),
            _ => None,
        }
    }

    /// Notes that `path` was parsed.
    pub(super) fn parsed(&mut self, path: &str) {
        self.fresh += usize::from(self.stats.get(path).is_some_and(|s| s.settled));
    }

    /// Writes the memo again, every settled file of `snapshot` with its stat
    /// data, when enough of the files it could hold had to be parsed.
    pub fn save(self, snapshot: &Snapshot) {
        if self.fresh == 0 || self.fresh * REWRITE_EVERY < self.known {
            return;
        }
        let mut entries = Vec::new();
        for (path, parsed) in ParsedRef::all(snapshot) {
            if let Some(stat) = self.stats.get(path).filter(|s| s.settled) {
                entries.push(EntryRef {
                    path,
                    line: &stat.line,
                    parsed: parsed.kept(self.whole),
                });
            }
        }
        let chunks: Option<Vec<Vec<u8>>> = entries
            .par_chunks(CHUNK)
            .map(|chunk| postcard::to_allocvec(chunk).ok())
            .collect();
        let Some(chunks) = chunks else { return };
        // As byte strings, which the decoder borrows: a `Vec<u8>` would be
        // written as a sequence, byte by byte.
        let chunks: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        // A memo that cannot be written only costs speed next time.
        let _ = cache::save(&self.path, MAGIC, &chunks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Id;
    use crate::repo::{Scope, load, load_reusing};

    const CONTROL: &str = r#"id = "5.15"
title = "Access control"
framework = "ISO/IEC 27001:2022"
theme = "organizational"
guidance_for = ["provider", "customer"]
maps_to = { "2013" = ["9.1.1", "9.1.2"] }
owner = "alice"
cadence = "quarterly"
matrix = true
default_party = { iaas = "customer", paas = "shared", saas = "provider" }
[soa]
applicable = true
justification = "Tenant data."
status = "partial"
[[evidence_required]]
kind = "access-review"
every = "6mo"
"#;

    /// The example organisation, a control, an allocation and a trigger.
    fn repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::scaffold::templates::render(
            crate::scaffold::templates::example::CONFIG,
            &[("branch", "\"main\""), ("edition", "\"2022\"")],
        );
        let mut files: Vec<(String, String)> = vec![
            ("isms.toml".into(), config),
            ("controls/5.15.toml".into(), CONTROL.into()),
            (
                "responsibilities/payments-api/5.15.toml".into(),
                crate::scaffold::allocation(
                    &Id::parse("payments-api").unwrap(),
                    &Id::parse("5.15").unwrap(),
                    crate::model::Party::Shared,
                    "Runs the identity provider.",
                    "Grants tenant roles.",
                    "",
                    "alice",
                ),
            ),
            (
                "triggers/region-added.toml".into(),
                crate::scaffold::trigger(
                    &Id::parse("region-added").unwrap(),
                    None,
                    &[Id::parse("5.15").unwrap()],
                    &crate::scaffold::When::EXAMPLE,
                ),
            ),
        ];
        files.extend(
            crate::scaffold::templates::example::FILES
                .iter()
                // Control IDs as written in the legacy edition.
                .map(|(p, t)| (p.to_string(), t.replace("{{c:", "").replace("}}", ""))),
        );
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        dir
    }

    /// Every file's stat data, as if it were older than the racy window.
    fn settled(tree: &WorkTree, root: &Path) -> Vec<(String, Stat)> {
        stats(tree, root)
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|(p, s)| (p, Stat { settled: true, ..s }))
            .collect()
    }

    /// Loads through the memo, saves it, and says how many files were parsed.
    fn through_memo(
        tree: &WorkTree,
        git_dir: &Path,
        stats: &[(String, Stat)],
    ) -> (Snapshot, usize) {
        let mut memo = Memo::open(git_dir, stats.to_vec());
        let loaded = load_reusing(tree, &Scope::All, Some(&mut memo)).unwrap();
        memo.save(&loaded.snapshot);
        (loaded.snapshot, loaded.parsed - loaded.remembered)
    }

    #[test]
    fn the_memo_gives_back_every_file_as_parsing_it_gives_it() {
        let dir = repository();
        let (root, git_dir) = (dir.path(), dir.path().join(".git"));
        let tree = WorkTree::new(root).unwrap();
        let plain = load(&tree, &Scope::All).unwrap();
        assert!(plain.diagnostics.is_empty(), "{:?}", plain.diagnostics);
        let stats = settled(&tree, root);

        let (first, parsed) = through_memo(&tree, &git_dir, &stats);
        assert_eq!(parsed, plain.parsed);
        assert!(git_dir.join("isms/items.bin").is_file());
        let (second, parsed) = through_memo(&tree, &git_dir, &stats);
        assert_eq!(parsed, 0, "every file comes from the memo");
        assert_eq!(format!("{first:?}"), format!("{:?}", plain.snapshot));
        // Dates, periods, editions, enums and maps all come back as parsed,
        // under their paths; the text only where it holds a placeholder.
        let mut expected = plain.snapshot.clone();
        let keep = |text: &mut String| {
            if !text.contains(crate::check::placeholders::MARKER) {
                text.clear();
            }
        };
        expected.config.iter_mut().for_each(|d| keep(&mut d.text));
        expected
            .controls
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        expected
            .services
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        expected
            .allocations
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        expected
            .evidence
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        expected
            .triggers
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        expected
            .findings
            .values_mut()
            .for_each(|d| keep(&mut d.text));
        assert!(!expected.triggers.values().next().unwrap().text.is_empty());
        assert_eq!(format!("{second:?}"), format!("{expected:?}"));
    }

    #[test]
    fn a_changed_young_or_unknown_file_is_parsed_and_a_damaged_memo_is_empty() {
        let dir = repository();
        let (root, git_dir) = (dir.path(), dir.path().join(".git"));
        let tree = WorkTree::new(root).unwrap();
        through_memo(&tree, &git_dir, &settled(&tree, root));

        // An edited file has other stat data: it is read again.
        let path = "controls/5.15.toml";
        std::fs::write(root.join(path), CONTROL.replace("partial", "implemented")).unwrap();
        let (snapshot, parsed) = through_memo(&tree, &git_dir, &settled(&tree, root));
        assert_eq!(parsed, 1);
        let soa = snapshot.controls.values().next().unwrap().value.soa.clone();
        assert_eq!(soa.unwrap().status, crate::model::SoaStatus::Implemented);

        // A file within the racy window is never taken from the memo.
        let young: Vec<(String, Stat)> = settled(&tree, root)
            .into_iter()
            .map(|(p, s)| {
                let settled = p != path;
                (p, Stat { settled, ..s })
            })
            .collect();
        assert_eq!(through_memo(&tree, &git_dir, &young).1, 1);
        // Nor is one it has no stat data for.
        let unknown: Vec<(String, Stat)> = settled(&tree, root)
            .into_iter()
            .filter(|(p, _)| p != path)
            .collect();
        assert_eq!(through_memo(&tree, &git_dir, &unknown).1, 1);

        // A damaged memo is not trusted: everything is parsed.
        let memo = git_dir.join("isms/items.bin");
        let mut bytes = std::fs::read(&memo).unwrap();
        let n = bytes.len();
        bytes[n / 2] ^= 0xff;
        std::fs::write(&memo, &bytes).unwrap();
        let all = load(&tree, &Scope::All).unwrap().parsed;
        assert_eq!(through_memo(&tree, &git_dir, &settled(&tree, root)).1, all);
    }

    #[test]
    fn a_few_changed_files_are_parsed_again_rather_than_the_memo_rewritten() {
        let dir = repository();
        let (root, git_dir) = (dir.path(), dir.path().join(".git"));
        let evidence = "evidence/2026-q3-vulnerability-scan.toml";
        let text = std::fs::read_to_string(root.join(evidence)).unwrap();
        for n in 0..40 {
            std::fs::write(root.join(format!("evidence/copy-{n}.toml")), &text).unwrap();
        }
        let tree = WorkTree::new(root).unwrap();
        through_memo(&tree, &git_dir, &settled(&tree, root));
        let memo = std::fs::read(git_dir.join("isms/items.bin")).unwrap();

        std::fs::write(
            root.join("evidence/copy-0.toml"),
            text.replace("kind", "# x\nkind"),
        )
        .unwrap();
        for _ in 0..2 {
            let (snapshot, parsed) = through_memo(&tree, &git_dir, &settled(&tree, root));
            assert_eq!(parsed, 1);
            let copy = &snapshot.evidence[&Id::parse("copy-0").unwrap()];
            assert!(copy.text.contains("# x"));
        }
        assert_eq!(std::fs::read(git_dir.join("isms/items.bin")).unwrap(), memo);
    }
}
