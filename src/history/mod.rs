//! The only place that reads git history: the record branch's first-parent
//! walk, each commit's landing time, and the reviews its trailers record.

pub mod bundle;
pub mod diff;
pub mod files;
mod log;
pub mod notes;
mod store;
pub mod trailers;
pub mod versions;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::Oid;

pub use crate::model::{CommitId, FileTimes, Malformed, Outcome, Record, Review};

use crate::cache;
use crate::error::{Error, Result};
use crate::model::ItemKey;

impl CommitId {
    pub fn oid(self) -> Oid {
        Oid::from_bytes(self.as_bytes()).expect("20 bytes")
    }
}

impl From<Oid> for CommitId {
    fn from(oid: Oid) -> CommitId {
        let mut bytes = [0; 20];
        bytes.copy_from_slice(oid.as_bytes());
        CommitId::from_bytes(bytes)
    }
}

fn time(sig: &git2::Signature<'_>) -> DateTime<FixedOffset> {
    let when = sig.when();
    let offset = FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    offset
        .timestamp_opt(when.seconds(), 0)
        .single()
        .unwrap_or_default()
}

/// The pull-request number GitHub writes into merge and squash commits.
pub fn pull_request(summary: &str) -> Option<u64> {
    if let Some(rest) = summary.strip_prefix("Merge pull request #") {
        return rest.split_whitespace().next()?.parse().ok();
    }
    let inner = summary.trim_end().strip_suffix(')')?;
    let (_, n) = inner.rsplit_once("(#")?;
    n.parse().ok()
}

/// Refuses a shallow clone: the reviews in the commits it lacks are not
/// seen, so items reviewed there would be answered wrongly. Never a guess.
pub fn refuse_shallow(git_dir: &Path) -> Result<()> {
    if !git_dir.join("shallow").exists() {
        return Ok(());
    }
    Err(Error::new(
        "this is a shallow clone: the reviews in the commits it lacks cannot be seen, so isms does not answer from it",
    )
    .hint("fetch the whole history: `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout"))
}

/// Where the record of `branch` is cached.
pub fn cache_path(git_dir: &Path, branch: &str) -> std::path::PathBuf {
    cache::path(git_dir, "history", branch)
}

fn walk_err(e: git2::Error) -> Error {
    Error::git("walk history", e)
}

/// The record of `branch`, read from the cache under the git directory and
/// brought up to date by walking only the commits that landed since.
/// `progress` hears how many commits the walk has read, as it goes.
pub fn record(git_dir: &Path, branch: &str, progress: &mut dyn FnMut(usize)) -> Result<Record> {
    // libgit2 re-hashes every object it reads (SHA-1 with collision
    // detection); git does not on ordinary reads, and it dominated the walk.
    // Objects are still verified by git when they enter the repository.
    git2::opts::strict_hash_verification(false);
    // Each commit is read once: libgit2's object cache would only cost the
    // time to fill and evict it.
    git2::opts::enable_caching(false);
    // Commits lie all over the pack files: map them through small windows,
    // with a bound on what stays mapped, so resident memory does not grow
    // with the pack (measured: no cost in time).
    // SAFETY: process-wide settings, made before this process opens the
    // repository for the walk; isms reads history on one thread.
    unsafe {
        let _ = git2::opts::set_mwindow_size(16 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
    }
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    refuse_shallow(repo.path())?;
    let tip = record_tip(&repo, branch)?;
    let cache_path = cache_path(repo.path(), branch);
    let mut notes = Vec::new();
    let stored = match store::load(&cache_path) {
        cache::Loaded::Hit(stored) => Some(stored),
        cache::Loaded::Missing => None,
        cache::Loaded::Corrupt => {
            notes.push("the history cache was unreadable; rebuilding it".to_owned());
            None
        }
    };
    let (mut record, end) = match stored {
        Some(s) => (s.record, Some(s.end)),
        None => (Record::default(), None),
    };
    let from = match record.tip.as_deref().map(Oid::from_str) {
        Some(Ok(old)) if old == tip => return Ok(record),
        Some(Ok(old)) if repo.graph_descendant_of(tip, old).unwrap_or(false) => Some(old),
        Some(_) => {
            notes.push(format!(
                "`{branch}` was rewritten since the history cache was built; rebuilding it"
            ));
            record = Record::default();
            None
        }
        None => None,
    };
    let touched = extend(&repo, &mut record, tip, from, progress)?;
    record.tip = Some(tip.to_string());
    record.notes = notes;
    match (end, from, touched) {
        // New commits on the cached tip: one more segment.
        (Some(end), Some(from), Some(touched)) => {
            store::append(&cache_path, &end, &from.to_string(), &record, &touched);
        }
        _ => store::save(&cache_path, &record),
    }
    Ok(record)
}

/// Reads the first-parent commits from `from` (exclusive) to `tip`: their
/// reviews, those of the commits each merge brought in, and the item-file
/// changes each made.
///
/// The paths whose times changed, or `None` when the walk had to start over
/// from the first commit (`record` then holds the whole history).
fn extend(
    repo: &git2::Repository,
    record: &mut Record,
    tip: Oid,
    from: Option<Oid>,
    progress: &mut dyn FnMut(usize),
) -> Result<Option<Vec<String>>> {
    // git starts listing what each commit changed at once, newest first, on
    // another core, while the commits are read here; once the chain is
    // known, its older part is given to further listings, one per core.
    let git_dir = repo.path();
    let newest = log::Reach::default();
    let range = match from {
        Some(from) => format!("{from}..{tip}"),
        None => tip.to_string(),
    };
    let mut chain = Chain::default();
    // Every landing's reviews, newest landing first, each landing's in
    // reverse: one reversal at the end gives the record's order.
    let mut landings = Found::default();
    let (walked, folds) = std::thread::scope(|s| {
        let first = s.spawn(|| log::changes(git_dir, &range, &newest));
        let walked = walk(repo, tip, from, &mut chain, &mut landings, progress);
        let complete = walked.as_ref().is_ok_and(|&complete| complete);
        let mut listings = Vec::new();
        if !complete {
            newest.limit.store(0, Ordering::Relaxed);
        } else {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let read = newest.read.load(Ordering::Relaxed);
            let left = chain.len.saturating_sub(read);
            if cores > 1 && left >= 10_000 {
                // Listings start at commits the chain kept.
                let limit = (read + left / cores).next_multiple_of(Chain::EVERY);
                newest.limit.store(limit, Ordering::Relaxed);
                let len = (chain.len - limit)
                    .div_ceil(cores - 1)
                    .next_multiple_of(Chain::EVERY);
                for start in (limit..chain.len).step_by(len) {
                    let top = chain.at(start).expect("a kept commit");
                    let range = match chain.at(start + len).or(from) {
                        Some(bottom) => format!("{bottom}..{top}"),
                        None => top.to_string(),
                    };
                    listings.push(
                        s.spawn(move || log::changes(git_dir, &range, &log::Reach::default())),
                    );
                }
            }
        }
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<files::Fold>>| {
            h.join()
                .unwrap_or_else(|_| Err(Error::new("reading the file history failed")))
        };
        // Newest first.
        let mut folds = vec![joined(first)];
        folds.extend(listings.into_iter().map(joined));
        (walked, folds)
    });
    if !walked? {
        // `from` is an ancestor but not on the first-parent chain (a branch
        // was fast-forwarded onto a merge of the old tip): start over.
        *record = Record::default();
        extend(repo, record, tip, None, progress)?;
        return Ok(None);
    }
    // In place: a cold read moves its reviews rather than copying them.
    landings.reviews.reverse();
    landings.malformed.reverse();
    if record.reviews.is_empty() {
        record.reviews = landings.reviews;
    } else {
        record.reviews.append(&mut landings.reviews);
    }
    record.malformed.append(&mut landings.malformed);
    let mut touched = Vec::new();
    for fold in folds.into_iter().rev() {
        let fold = fold?;
        touched.extend(fold.paths().cloned());
        fold.apply(&mut record.files);
    }
    touched.sort_unstable();
    touched.dedup();
    Ok(Some(touched))
}

/// Follows the first-parent chain from `tip` down to `from`, newest first,
/// reading each commit once and collecting the reviews of each landing (and
/// of the commits a merge brought in). Following parent links directly
/// parses each commit once, where a sorted revwalk would load the whole
/// graph first. `false` when the chain ended without meeting `from`.
fn walk(
    repo: &git2::Repository,
    tip: Oid,
    from: Option<Oid>,
    chain: &mut Chain,
    landings: &mut Found,
    progress: &mut dyn FnMut(usize),
) -> Result<bool> {
    let mut read = 0;
    let mut names = Names::default();
    let mut next = Some(tip);
    while let Some(oid) = next {
        if Some(oid) == from {
            return Ok(true);
        }
        read += 1;
        progress(read);
        let landing = repo
            .find_commit(oid)
            .map_err(|e| Error::git(format!("read commit {oid}"), e))?;
        let landed = time(&landing.committer());
        let landed_by = CommitId::from(oid);
        let message = String::from_utf8_lossy(landing.message_bytes());
        let pr = pull_request(message.lines().next().unwrap_or(""));
        let mut found = Found::default();
        let at = Landing {
            landed,
            by: landed_by,
            pull_request: pr,
        };
        collect(&landing, &message, &at, &mut names, &mut found);
        found.own = found.reviews.len();
        if landing.parent_count() > 1 {
            // Everything the merge brought in lands with it, newest first.
            merged(repo, &landing, &mut |commit| {
                let message = String::from_utf8_lossy(commit.message_bytes());
                collect(commit, &message, &at, &mut names, &mut found);
            })?;
        }
        // Within one landing: the merged commits (walked newest first),
        // oldest first, then the landing commit itself.
        let own = found.own;
        found.reviews[own..].reverse();
        found.reviews.rotate_left(own);
        landings.reviews.extend(found.reviews.into_iter().rev());
        landings.malformed.extend(found.malformed.into_iter().rev());
        chain.push(oid);
        next = landing.parent_id(0).ok();
    }
    Ok(from.is_none())
}

/// Gives `each` the commits the merge `landing` brought in (reachable from
/// its other parents, not from its first), newest first. A branch of
/// single-parent commits that starts from the first parent, as most pull
/// requests are, is followed directly; any other shape is walked by libgit2.
fn merged(
    repo: &git2::Repository,
    landing: &git2::Commit<'_>,
    each: &mut dyn FnMut(&git2::Commit<'_>),
) -> Result<()> {
    /// How far a branch is followed before it is left to the walk.
    const FOLLOW: usize = 16;
    let read = |oid: Oid| {
        repo.find_commit(oid)
            .map_err(|e| Error::git(format!("read commit {oid}"), e))
    };
    let first = landing.parent_id(0).map_err(walk_err)?;
    if landing.parent_count() == 2 {
        let mut chain = Vec::new();
        let mut next = landing.parent_id(1).map_err(walk_err)?;
        while chain.len() < FOLLOW && next != first {
            let commit = read(next)?;
            if commit.parent_count() != 1 {
                break;
            }
            next = commit.parent_id(0).map_err(walk_err)?;
            chain.push(commit);
        }
        // None of them can be an ancestor of the first parent: it is theirs.
        if next == first {
            chain.iter().for_each(each);
            return Ok(());
        }
    }
    let mut walk = repo.revwalk().map_err(walk_err)?;
    for parent in landing.parent_ids().skip(1) {
        walk.push(parent).map_err(walk_err)?;
    }
    walk.hide(first).map_err(walk_err)?;
    for m in walk {
        each(&read(m.map_err(walk_err)?)?);
    }
    Ok(())
}

/// The first-parent chain as walked, newest first: its length, and every
/// [`Chain::EVERY`]th commit, where a listing may start. Memory for the
/// walk stays small at any length of history.
#[derive(Default)]
struct Chain {
    len: usize,
    kept: Vec<Oid>,
}

impl Chain {
    const EVERY: usize = 256;

    fn push(&mut self, oid: Oid) {
        if self.len.is_multiple_of(Self::EVERY) {
            self.kept.push(oid);
        }
        self.len += 1;
    }

    /// The `i`th commit, when it was kept.
    fn at(&self, i: usize) -> Option<Oid> {
        if i >= self.len || !i.is_multiple_of(Self::EVERY) {
            return None;
        }
        self.kept.get(i / Self::EVERY).copied()
    }
}

/// The reviews and malformed trailers of one landing.
#[derive(Default)]
struct Found {
    reviews: Vec<Review>,
    malformed: Vec<Malformed>,
    /// How many of `reviews` the landing commit itself carries (the first ones).
    own: usize,
}

/// The record branch's tip. A branch that is not there is said to be, with
/// where it may be: a remote's copy of it (origin's first), or a near name.
pub(crate) fn record_tip(repo: &git2::Repository, branch: &str) -> Result<git2::Oid> {
    let reference = format!("refs/heads/{branch}");
    match repo.refname_to_id(&reference) {
        Ok(oid) => Ok(oid),
        Err(e) if e.code() == git2::ErrorCode::NotFound && unborn(repo, &reference) => {
            Err(Error::new(format!("the record branch `{branch}` has no commit yet"))
                .hint("the record starts with the branch's first commit: commit the repository's files (`git add -A && git commit`)"))
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            let set = "set defaults.branch in isms.toml to the branch whose history is the record";
            let branches: Vec<String> = repo
                .branches(Some(git2::BranchType::Local))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|(b, _)| b.name().ok().flatten().map(str::to_owned))
                .collect();
            let names: Vec<&str> = branches.iter().map(String::as_str).collect();
            let remotes = repo.remotes().ok();
            let others = remotes.iter().flat_map(|r| r.iter().flatten().flatten());
            let tracked = std::iter::once("origin")
                .chain(others)
                .map(|remote| format!("{remote}/{branch}"))
                .find(|name| repo.find_reference(&format!("refs/remotes/{name}")).is_ok());
            let hint = match (tracked, crate::diagnostic::suggestion(branch, &names)) {
                (Some(name), _) => format!(
                    "it exists as `{name}`: `git branch {branch} {name}` makes the local record branch; or {set}"
                ),
                (None, Some(h)) => format!("{h} {set}"),
                (None, None) => set.to_owned(),
            };
            Err(Error::new(format!("the record branch `{branch}` does not exist")).hint(hint))
        }
        Err(e) => Err(Error::git(format!("resolve {reference}"), e)),
    }
}

/// Whether HEAD is on `reference`, a branch without a commit yet.
fn unborn(repo: &git2::Repository, reference: &str) -> bool {
    repo.find_reference("HEAD")
        .ok()
        .is_some_and(|head| head.symbolic_target().ok().flatten() == Some(reference))
}

/// The full id of the record branch's tip, as [`record_tip`] finds it.
pub fn record_tip_id(git_dir: &Path, branch: &str) -> Result<String> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    record_tip(&repo, branch).map(|oid| oid.to_string())
}

/// The last first-parent commit of `branch` that had landed by the end of
/// `date`: its committer date, in the committer's offset, as reviews count.
pub fn landed_by(git_dir: &Path, branch: &str, date: chrono::NaiveDate) -> Result<String> {
    last_landed(git_dir, branch, date)?.ok_or_else(|| {
        Error::new(format!("nothing had landed on `{branch}` by {date}"))
            .hint("the record starts with the branch's first commit; choose a later --as-of date")
    })
}

/// As [`landed_by`], or `None` when nothing had landed by then: the record
/// had not begun.
pub fn last_landed(
    git_dir: &Path,
    branch: &str,
    date: chrono::NaiveDate,
) -> Result<Option<String>> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let tip = record_tip(&repo, branch)?;
    let mut walk = repo.revwalk().map_err(walk_err)?;
    walk.simplify_first_parent()
        .and_then(|()| walk.push(tip))
        .map_err(walk_err)?;
    for oid in walk {
        let oid = oid.map_err(walk_err)?;
        let commit = repo.find_commit(oid).map_err(walk_err)?;
        if time(&commit.committer()).date_naive() <= date {
            return Ok(Some(oid.to_string()));
        }
    }
    Ok(None)
}

/// The reviews recorded by the commits reachable from `to` but not from
/// `from` (what a change brings; every commit of `to` without `from`),
/// oldest first; each as landing where it was committed.
pub fn reviews_between(git_dir: &Path, from: Option<&str>, to: &str) -> Result<Vec<Review>> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let oid = |rev: &str| {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| Error::git(format!("read `{rev}`"), e))
    };
    let mut walk = repo.revwalk().map_err(walk_err)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(walk_err)?;
    walk.push(oid(to)?).map_err(walk_err)?;
    if let Some(from) = from {
        walk.hide(oid(from)?).map_err(walk_err)?;
    }
    let mut found = Found::default();
    let mut names = Names::default();
    for id in walk {
        let commit = repo.find_commit(id.map_err(walk_err)?).map_err(walk_err)?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let landed = time(&commit.committer());
        let summary = commit
            .summary_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let pr = pull_request(&summary);
        let at = Landing {
            landed,
            by: commit.id().into(),
            pull_request: pr,
        };
        collect(&commit, &message, &at, &mut names, &mut found);
    }
    Ok(found.reviews)
}

/// The values of `key` (case-insensitive, as git compares tokens) in a block.
fn values<'a>(block: &'a trailers::Block, key: &'a str) -> impl Iterator<Item = &'a str> {
    block
        .iter()
        .filter(move |t| t.key.eq_ignore_ascii_case(key))
        .map(|t| t.value.as_str())
}

/// Where the reviews of a commit landed.
struct Landing {
    landed: DateTime<FixedOffset>,
    by: CommitId,
    pull_request: Option<u64>,
}

/// Each item, author and email held once, shared by every review naming it.
#[derive(Default)]
struct Names(std::collections::HashSet<Arc<str>>);

impl Names {
    fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(held) = self.0.get(name) {
            return held.clone();
        }
        let held: Arc<str> = Arc::from(name);
        self.0.insert(held.clone());
        held
    }
}

fn collect(
    commit: &git2::Commit<'_>,
    message: &str,
    at: &Landing,
    names: &mut Names,
    record: &mut Found,
) {
    // Most commits review nothing: skip them before any parsing.
    if !trailers::may_review(message) {
        return;
    }
    let id = commit.id().to_string();
    let author = commit.author();
    for block in trailers::blocks(message) {
        let items: Vec<&str> = values(&block, "Reviewed").collect();
        // A misspelt key: said, never guessed past. An outcome that cannot
        // be read leaves the review uncounted, as a bad value does; without
        // a review, only a misspelt `Reviewed` (its review lost) matters.
        let in_a_review = !items.is_empty();
        let mut unread_outcome = false;
        for t in &block {
            let Some(meant) = trailers::misspells(t, in_a_review)
                .filter(|&meant| in_a_review || meant == "Reviewed")
            else {
                continue;
            };
            let then = match meant {
                "Reviewed" => "its item's review is not counted",
                "Review-Outcome" => "the review is not counted",
                _ => "the note is not read",
            };
            unread_outcome |= meant == "Review-Outcome";
            record.malformed.push(Malformed {
                commit: id.clone(),
                message: format!(
                    "{}: {}: isms reads no `{}` trailer (did you mean `{meant}`?); {then}",
                    t.key, t.value, t.key
                ),
            });
        }
        if !in_a_review {
            continue;
        }
        let outcome = match values(&block, "Review-Outcome").last() {
            None if unread_outcome => continue,
            None => Outcome::Effective,
            Some(v) => match Outcome::parse(v) {
                Some(o) => o,
                None => {
                    record.malformed.push(Malformed {
                        commit: id.clone(),
                        message: format!("Review-Outcome `{v}` is not effective or needs-change; the review is not counted"),
                    });
                    continue;
                }
            },
        };
        let note = values(&block, "Review-Note").last().map(str::to_owned);
        for item in items {
            match ItemKey::parse(item) {
                Ok(key) => record.reviews.push(Review {
                    item: names.get(&key.to_string()),
                    outcome,
                    note: note.clone(),
                    commit: commit.id().into(),
                    author: names.get(author.name().unwrap_or("")),
                    email: names.get(author.email().unwrap_or("")),
                    landed: at.landed,
                    landed_by: at.by,
                    pull_request: at.pull_request,
                }),
                Err(why) => record.malformed.push(Malformed {
                    commit: id.clone(),
                    message: format!("Reviewed: {why}"),
                }),
            }
        }
    }
}

/// The commit `rev` names (a commit id, or `refs/heads/<branch>`): its full
/// id and its committer time in UTC.
pub fn commit_time(git_dir: &Path, rev: &str) -> Result<(String, chrono::DateTime<chrono::Utc>)> {
    let repo = git2::Repository::open(git_dir).map_err(|e| Error::git("open the repository", e))?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            Error::git(format!("read `{rev}`"), e)
                .hint("commit to the record branch (defaults.branch in isms.toml) first")
        })?;
    let time = chrono::DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default();
    Ok((commit.id().to_string(), time))
}

/// Whether `HEAD` is the branch `branch` itself, as the `HEAD` file of
/// `git_dir` says (read, not the repository opened): what a listing of the
/// record branch asks before it looks for reviews on `HEAD` that the branch
/// lacks.
pub fn head_is(git_dir: &Path, branch: &str) -> bool {
    std::fs::read_to_string(git_dir.join("HEAD"))
        .is_ok_and(|head| head.trim_end().strip_prefix("ref: refs/heads/") == Some(branch))
}

/// The record branch's tip and `HEAD`'s commit, where they resolve.
pub fn tips(git_dir: &Path, branch: &str) -> (Option<String>, Option<String>) {
    let Ok(repo) = git2::Repository::open(git_dir) else {
        return (None, None);
    };
    let id = |name: &str| repo.refname_to_id(name).ok().map(|o| o.to_string());
    (id(&format!("refs/heads/{branch}")), id("HEAD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_numbers_from_merge_and_squash_subjects() {
        assert_eq!(
            pull_request("Merge pull request #17 from example/review"),
            Some(17)
        );
        assert_eq!(pull_request("Quarterly reviews (#42)"), Some(42));
        assert_eq!(pull_request("review: CLD.9.5.1"), None);
        assert_eq!(pull_request("fix (#abc)"), None);
    }
}
