//! What `isms status` and `isms stale` show: every item's state as of a
//! date, with the figures around it.
//!
//! Computing it reads every item file and the review record. The result is
//! kept under the git directory, keyed by everything it was computed from:
//! the name, size, times and inode of every file isms reads, the record
//! branch's tip, the date and the format. A run whose inputs are unchanged
//! reads only that key's parts. Nothing is kept while a file is younger than
//! the file system's time resolution could tell apart. A run whose inputs
//! changed parses only the item files that changed ([`crate::repo::Memo`]).
//!
//! A service for the commands, not a command: it returns data, reads the
//! review record through the caller's [`ReadRecord`], and prints nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache;
use crate::check::review::{ItemStatus, KINDS, STATES, State, Unauthorized};
use crate::error::{Error, Result};
use crate::history::{Malformed, Record};
use crate::model::Snapshot;
use crate::reading::{owner_label, record_branch};
use crate::repo::{Repo, Stat, WorkTree};

/// How the review record of a branch is read: the caller's, so that it can
/// show progress and notes where it sees fit. It may be asked on another
/// thread, while the item files load.
pub type ReadRecord<'a> = &'a (dyn Fn(&Path, &str) -> Result<Record> + Sync);

/// The summary cache's format.
const MAGIC: &[u8] = b"isms-summary-v9\n";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Matrix {
    pub required: usize,
    pub present: usize,
    /// Of those present, how many still hold a `TODO` placeholder.
    pub placeholders: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub organization: String,
    /// The record branch.
    pub branch: String,
    /// Every item whose state is not `ok` (every item, with [`Ask::all`]).
    pub items: Vec<ItemStatus>,
    /// Per kind: items by state, each item once, in its most urgent state.
    pub counts: BTreeMap<String, BTreeMap<String, usize>>,
    pub matrix: Matrix,
    /// Each service out of scope, and how many allocations it keeps
    /// (neither is reviewed).
    pub out_of_scope: Vec<(String, usize)>,
    pub unauthorized: Vec<Unauthorized>,
    /// Trailers in the record that could not be used.
    pub warnings: Vec<Malformed>,
    /// What was read, when it was not the working tree as `HEAD` has it:
    /// a commit, or a working tree that differs from `HEAD`.
    pub source: Option<String>,
    /// The catalog edition the controls follow.
    pub edition: crate::model::Edition,
    /// Every person and team, with the label shown for them.
    labels: BTreeMap<String, String>,
    /// Each team's members.
    teams: BTreeMap<String, Vec<String>>,
    /// The GitHub logins, emails and team slugs that name one person or
    /// team, with its key (see [`crate::model::Config::owner_aliases`]).
    aliases: BTreeMap<String, String>,
}

impl Summary {
    /// "alice (Alice Ng)", "platform (team)"; the key itself if unknown.
    pub fn label(&self, owner: &str) -> String {
        self.labels
            .get(owner)
            .cloned()
            .unwrap_or_else(|| owner.to_owned())
    }

    /// Whether `owner` is a team's key.
    pub fn is_team(&self, owner: &str) -> bool {
        self.teams.contains_key(owner)
    }

    /// The owners `who` answers for: themselves and the teams they are in;
    /// `None` if `who` names neither a person nor a team, by key or as
    /// [`crate::model::Config::owner_key`] reads it.
    pub fn owners_for(&self, who: &str) -> Option<Vec<String>> {
        let who = crate::model::owner_named(who, |k| self.labels.contains_key(k), &self.aliases)?;
        let mut keys = vec![who.to_owned()];
        keys.extend(
            self.teams
                .iter()
                .filter(|(_, members)| members.iter().any(|m| m == who))
                .map(|(k, _)| k.clone()),
        );
        Some(keys)
    }
}

#[derive(Serialize, Deserialize)]
struct Key {
    inputs: [u8; 32],
    as_of: NaiveDate,
    tip: String,
    /// `HEAD`'s commit and the index's size and time: with the files, they
    /// decide whether the working tree differs from `HEAD`.
    head: Option<String>,
    index: Option<(u64, u128)>,
    /// Size and modification time of the history cache it was read from:
    /// a history cache rebuilt, removed or damaged since means recomputing.
    history: Option<(u64, u128)>,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    key: Key,
    summary: Summary,
}

/// What a summary is asked of.
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    /// The day every state is judged on.
    pub today: NaiveDate,
    /// `--as-of`: a past day means reading the record branch as it stood
    /// then (see [`crate::reading::reading`]).
    pub as_of: Option<NaiveDate>,
    /// A person or team to check for before any history is read.
    pub owner: Option<&'a str>,
    /// Every item in [`Summary::items`], those that are ok too: computed
    /// afresh, never kept (the summary kept holds only the others).
    pub all: bool,
}

/// The summary of what [`crate::reading::reading`] says to read: a commit,
/// or the working tree.
pub fn summary(
    repo: &Repo,
    ask: Ask,
    rev: Option<&str>,
    read_record: ReadRecord,
) -> Result<Summary> {
    if let Some(commit) = crate::reading::reading(ask.as_of, &repo.git_dir, rev)? {
        let c = crate::reading::committed(&repo.git_dir, Some(&commit))?;
        c.refuse_unread()?;
        let source = crate::reading::commit_stamp(ask.as_of, rev, &c.commit, &c.branch);
        let source = Some(source);
        return Ok(
            compute(ask, &repo.git_dir, &c.snapshot, source, &mut |g, b| {
                read_record(g, b)
            })?
            .0,
        );
    }
    worktree(repo, ask, read_record)
}

/// The summary of the working tree as of `ask.today`, whatever `as_of`
/// says: for commands that act on the working tree.
pub fn worktree(repo: &Repo, ask: Ask, read_record: ReadRecord) -> Result<Summary> {
    let tree = WorkTree::new(&repo.root)?;
    // The kept summary, when all it was computed from but the files is as
    // it was: then only the files' stat data can say whether it holds.
    // It holds only the items that need action: `all` does not read it.
    let kept = match (!ask.all).then(|| cache::load::<Cached>(&cache_path(&repo.git_dir), MAGIC)) {
        Some(cache::Loaded::Hit(c)) if c.holds_but_for_files(&repo.git_dir, ask.today) => Some(c),
        _ => None,
    };
    std::thread::scope(|scope| {
        // When it cannot hold, the item memo is read while the files are
        // examined.
        let memo = kept
            .is_none()
            .then(|| scope.spawn(|| crate::repo::Memo::read(&repo.git_dir)));
        let stats = crate::repo::stats(&tree, &repo.root)?;
        let inputs = stats.as_deref().map(fingerprint);
        if let (Some(c), Some((inputs, _))) = (kept, &inputs)
            && c.key.inputs == *inputs
        {
            if let Some(who) = ask.owner.filter(|w| c.summary.owners_for(w).is_none()) {
                return Err(unknown(who, c.summary.labels.keys().map(String::as_str)));
            }
            crate::history::refuse_shallow(&repo.git_dir)?;
            return Ok(c.summary);
        }
        // Without every file's stat data, nothing is taken from the memo.
        let memo = match memo {
            Some(read) => Some(read.join().expect("the memo thread does not panic")),
            None => stats
                .is_some()
                .then(|| crate::repo::Memo::read(&repo.git_dir)),
        };
        fresh(repo, ask, read_record, &tree, stats, inputs, memo)
    })
}

impl Cached {
    /// Whether everything this summary was computed from, but the files'
    /// stat data, is as it was: the date, the record branch's tip, `HEAD`,
    /// the index, and the history cache.
    fn holds_but_for_files(&self, git_dir: &Path, today: NaiveDate) -> bool {
        let (tip, head) = crate::history::tips(git_dir, &self.summary.branch);
        self.key.as_of == today
            && tip.as_deref() == Some(self.key.tip.as_str())
            && head == self.key.head
            && stamp(&git_dir.join("index")) == self.key.index
            && stamp(&crate::history::cache_path(git_dir, &self.summary.branch)) == self.key.history
    }
}

/// The summary of the working tree computed afresh: the files whose stat
/// data `stats` gives taken from `memo` where it holds them as they are,
/// and kept for the next run when `inputs` says they can be trusted.
fn fresh(
    repo: &Repo,
    ask: Ask,
    read_record: ReadRecord,
    tree: &WorkTree,
    stats: Option<Vec<(String, Stat)>>,
    inputs: Option<([u8; 32], bool)>,
    memo: Option<crate::repo::Kept>,
) -> Result<Summary> {
    let owner = ask.owner;
    // The record branch, from the settings read on their own, so that its
    // record is read while the items load; the owner is checked first.
    let branch = settings(tree)
        .filter(|c| owner.is_none_or(|w| c.owner_key(w).is_some()))
        .map(|c| c.defaults.branch);
    // Whether the files read differ from HEAD is answered (by git, when the
    // index cannot tell) while the items load.
    let (loaded, source, mut early) = std::thread::scope(|scope| {
        let record = branch.as_deref().map(|branch| {
            scope.spawn(move || (branch.to_owned(), read_record(&repo.git_dir, branch)))
        });
        // Whether the files read are HEAD's: from git's index, in a few
        // milliseconds, when its stat data shows it, else from git.
        let clean = stats
            .as_deref()
            .is_some_and(|stats| crate::repo::clean(&repo.git_dir, stats));
        let source = scope.spawn(move || match clean {
            true => Ok(None),
            false => crate::reading::read_files_stamp(&repo.root),
        });
        // Each item file unchanged since the last run is taken as it was
        // parsed then.
        let mut memo = stats
            .zip(memo)
            .map(|(stats, kept)| crate::repo::Memo::with(kept, stats));
        let loaded = crate::repo::load_reusing(tree, &crate::repo::Scope::All, memo.as_mut());
        if let (Ok(loaded), Some(memo)) = (&loaded, memo) {
            memo.save(&loaded.snapshot);
        }
        (
            loaded,
            source.join().expect("the status thread does not panic"),
            record.map(|r| r.join().expect("the history thread does not panic")),
        )
    });
    let loaded = loaded?;
    crate::reading::refuse_unread(&loaded.diagnostics)?;
    let snapshot = loaded.snapshot;
    let source = source?;
    // The record read early serves if the settings loaded name its branch.
    let mut read = |git_dir: &Path, branch: &str| match early.take() {
        Some((read_for, record)) if read_for == branch => record,
        _ => read_record(git_dir, branch),
    };
    let (summary, tip) = compute(ask, &repo.git_dir, &snapshot, source, &mut read)?;
    if let (Some((inputs, settled)), Some(tip)) = (inputs, tip)
        && settled
        && !ask.all
    {
        let cached = Cached {
            key: Key {
                inputs,
                as_of: ask.today,
                tip,
                head: crate::history::tips(&repo.git_dir, &summary.branch).1,
                index: stamp(&repo.git_dir.join("index")),
                history: stamp(&crate::history::cache_path(&repo.git_dir, &summary.branch)),
            },
            summary,
        };
        // A cache that cannot be written only costs speed next time.
        let _ = cache::save(&cache_path(&repo.git_dir), MAGIC, &cached);
        return Ok(cached.summary);
    }
    Ok(summary)
}

/// The settings of `tree` alone; `None` when they are missing or do not
/// parse (loading the repository says why).
fn settings(tree: &WorkTree) -> Option<crate::model::Config> {
    use crate::repo::{CONFIG_FILE, FileKind, Source};
    let bytes = tree.read(CONFIG_FILE).ok()?;
    let doc = crate::repo::parse::<crate::model::Config>(FileKind::Config, CONFIG_FILE, bytes);
    doc.ok().map(|d| d.value)
}

/// `who`, named as an owner (`--owner`, `reassign`'s FROM and TO), is none
/// of the `known` people and teams.
pub fn unknown<'a>(who: &str, known: impl Iterator<Item = &'a str>) -> Error {
    let known: Vec<&str> = known.collect();
    let e = Error::new(format!("`{who}` is not a person or team in isms.toml"));
    e.hint_if(crate::diagnostic::owner_suggestion(who, &known))
}

/// [`unknown`], the people and teams of `config` known.
pub fn unknown_owner(who: &str, config: &crate::model::Config) -> Error {
    let known = config.people.keys().chain(config.teams.keys());
    unknown(who, known.map(crate::model::Id::as_str))
}

/// The summary of `snapshot` as of `ask.today`, and the record branch's
/// tip it was read with.
fn compute(
    ask: Ask,
    git_dir: &Path,
    snapshot: &Snapshot,
    source: Option<String>,
    read_record: &mut dyn FnMut(&Path, &str) -> Result<Record>,
) -> Result<(Summary, Option<String>)> {
    let owner = ask.owner;
    let branch = record_branch(snapshot)?;
    let config = &snapshot
        .config
        .as_ref()
        .expect("record_branch() checked it")
        .value;
    if let Some(who) = owner.filter(|w| config.owner_key(w).is_none()) {
        return Err(unknown_owner(who, config));
    }
    let record = read_record(git_dir, &branch)?;
    let assessment = crate::check::review::assess(snapshot, &record, ask.today);

    let counts = counts(&assessment.items);
    let matrix = matrix(snapshot);
    let labels = config
        .people
        .keys()
        .chain(config.teams.keys())
        .map(|k| (k.to_string(), owner_label(Some(config), k.as_str())))
        .collect();
    let teams = config
        .teams
        .iter()
        .map(|(k, t)| {
            (
                k.to_string(),
                t.members.iter().map(|m| m.to_string()).collect(),
            )
        })
        .collect();
    let summary = Summary {
        organization: config.organization.name.clone(),
        branch,
        items: assessment
            .items
            .into_iter()
            .filter(|i| ask.all || i.state != State::Ok)
            .collect(),
        counts,
        matrix,
        out_of_scope: (snapshot.services.iter())
            .filter(|(_, v)| !v.value.in_scope)
            .map(|(svc, _)| {
                (
                    svc.to_string(),
                    snapshot.present.allocations.get(svc).map_or(0, |a| a.len()),
                )
            })
            .collect(),
        unauthorized: assessment.unauthorized,
        warnings: record.malformed,
        source,
        edition: config.catalog.edition,
        labels,
        teams,
        aliases: config.owner_aliases(),
    };
    Ok((summary, record.tip))
}

/// Per kind: items by state, each item once, in its most urgent state (an
/// item both overdue and missing evidence counts as missing evidence), so
/// that a kind's row adds up to its items.
pub fn counts(items: &[ItemStatus]) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = KINDS
        .iter()
        .map(|k| {
            let per = STATES.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
            (k.to_string(), per)
        })
        .collect();
    for i in crate::check::review::most_urgent(items).values() {
        *counts
            .get_mut(&*i.kind)
            .and_then(|m| m.get_mut(i.state.as_str()))
            .expect("known kind and state") += 1;
    }
    counts
}

/// How many allocations the matrix needs (in-scope services × applicable
/// matrix controls), and how many of them have a file.
pub fn matrix(snapshot: &Snapshot) -> Matrix {
    let applicable: Vec<_> = snapshot
        .controls
        .iter()
        .filter(|(_, c)| c.value.matrix && c.value.is_applicable())
        .map(|(k, _)| k)
        .collect();
    let mut matrix = Matrix {
        required: 0,
        present: 0,
        placeholders: 0,
    };
    for svc in snapshot
        .services
        .iter()
        .filter(|(_, v)| v.value.in_scope)
        .map(|(k, _)| k)
    {
        let mut present = snapshot.present.allocations_of(svc);
        for ctl in &applicable {
            matrix.required += 1;
            if !present.has(ctl) {
                continue;
            }
            matrix.present += 1;
            matrix.placeholders += usize::from(
                snapshot
                    .allocations
                    .get(&(svc.clone(), (*ctl).clone()))
                    .is_some_and(crate::check::placeholders::is_placeholder),
            );
        }
    }
    matrix
}

/// The items that need action now, by owner, each item once.
pub fn needs_action_by_owner(items: &[ItemStatus]) -> BTreeMap<&str, Vec<String>> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in items.iter().filter(|i| i.state.is_flagged()) {
        let entry = by.entry(i.owner.as_str()).or_default();
        if !entry.contains(&i.item) {
            entry.push(i.item.clone());
        }
    }
    for items in by.values_mut() {
        items.sort_by(|a, b| crate::model::natural_cmp(a, b));
    }
    by
}

fn cache_path(git_dir: &Path) -> std::path::PathBuf {
    git_dir.join("isms").join("summary.bin")
}

/// A file's size and modification time, if it exists.
fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?;
    let nanos = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    Some((meta.len(), nanos))
}

/// A digest of the stat data of every file isms reads, and whether all of
/// them are old enough for the digest to be trusted.
fn fingerprint(stats: &[(String, Stat)]) -> ([u8; 32], bool) {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    let mut settled = true;
    for (path, stat) in stats {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(&stat.line);
        settled &= stat.settled;
    }
    (hash.finalize().into(), settled)
}
