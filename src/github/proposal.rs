//! A change proposed for review: one commit on a branch `isms/…`, made from
//! the record branch without touching the working tree, the index or HEAD,
//! then pushed with the `git` program and opened (or updated) as a pull
//! request.
//!
//! Running it again for the same branch adds a commit on top of what was
//! pushed before and edits the same pull request: never a duplicate, never a
//! force-push. Once what the branch proposed has landed, the next commit
//! starts from the record branch again (`parents`). With `--open-pr` no local branch is made at all, so a push
//! or GitHub failure leaves nothing behind that a rerun would trip over.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::git;
use crate::github::GitHub;
use crate::model::Config;

/// What to propose.
#[derive(Debug)]
pub struct Proposal {
    /// `isms/reassess/<trigger>/<service>`, `isms/stale/<owner>`.
    pub branch: String,
    /// A file to write on the branch, with its content; `None`: the commit
    /// changes no file and only carries its trailers.
    pub file: Option<(String, String)>,
    pub message: String,
    /// The items its commit's `Reviewed:` trailers name.
    pub items: Vec<String>,
    pub title: String,
    pub body: String,
    /// GitHub logins and team slugs asked to review.
    pub users: Vec<String>,
    pub teams: Vec<String>,
}

/// What became of a proposal.
#[derive(Debug)]
pub enum Done {
    /// Committed on a local branch (no `--open-pr`).
    Local { commit: String },
    /// Pushed, and its pull request opened (`created`) or updated.
    Pull {
        number: u64,
        url: String,
        created: bool,
        /// What GitHub would not do, such as request a reviewer.
        warning: Option<String>,
    },
}

/// Commits `p` on a local branch of its name, created from the record branch
/// when it does not exist yet, and started from it again once what the
/// branch proposed has landed there (`parents`).
pub fn commit_locally(root: &Path, record: &str, p: &Proposal) -> Result<Done> {
    let local = format!("refs/heads/{}", p.branch);
    if let Some(tree) = git::checked_out_at(root, &local)? {
        return Err(Error::new(format!(
            "the branch {} is checked out in {tree}; a commit on it from here would leave that work tree behind, so nothing was committed",
            p.branch
        ))
        .hint("switch that work tree to another branch (`git switch -`), then run this again"));
    }
    // Built again on the branch's new tip if another run moved it meanwhile.
    let moved = git::advance(root, &local, "isms proposal", |existing| {
        let record_tip = git::resolve(root, &format!("refs/heads/{record}"))?;
        let parents = parents(root, record, record_tip, existing.map(str::to_owned), false)?;
        commit_on(root, &parents, p)
    })?;
    let commit = moved.map_err(|e| {
        git::not_moved(
            e,
            &format!(
                "the branch {} kept moving while the proposal was committed",
                p.branch
            ),
            "committed",
            "isms reassess",
        )
    })?;
    Ok(Done::Local { commit })
}

/// Asks GitHub for the open pull request of `p`'s branch, then commits `p`
/// on top of the remote branch of its name (or of the record branch, when
/// there is none or what it proposed has landed: `parents`), pushes it,
/// and opens or updates the pull request.
pub fn open_pr(root: &Path, record: &str, p: &Proposal, github: &GitHub) -> Result<Done> {
    // GitHub first: if it cannot be asked, or answers what cannot be read,
    // nothing has been pushed.
    let open = github.find_open(&p.branch)?;
    let remote_ref = format!("refs/remotes/origin/{}", p.branch);
    let stall = github.timeout();
    let listed =
        git::remote(root, &["ls-remote", "--heads", "origin", &p.branch], stall).map_err(|e| {
            e.hint("isms pushes to the remote `origin`; check that it exists and is reachable")
        })?;
    let record_tip = match git::resolve(root, &format!("refs/remotes/origin/{record}"))? {
        Some(id) => Some(id),
        None => git::resolve(root, &format!("refs/heads/{record}"))?,
    };
    let tip = if listed.trim().is_empty() {
        None
    } else {
        git::remote(
            root,
            &[
                "fetch",
                "--quiet",
                "--no-tags",
                "origin",
                &format!("+refs/heads/{}:{remote_ref}", p.branch),
            ],
            stall,
        )?;
        Some(git::run(root, &["rev-parse", "--verify", &remote_ref])?)
    };
    let parents = parents(root, record, record_tip, tip, open.is_some())?;
    let commit = commit_on(root, &parents, p)?;
    // Not forced: if someone pushed to the branch since, this fails and a
    // rerun builds on what they pushed.
    git::remote(
        root,
        &[
            "push",
            "--quiet",
            "origin",
            &format!("{commit}:refs/heads/{}", p.branch),
        ],
        stall,
    )
    .map_err(|e| pushed_meanwhile(e, &p.branch))?;
    let (pr, created) = github.open_or_update(open, &p.branch, record, &p.title, &p.body)?;
    let warning = github.request_reviewers(&pr, &p.users, &p.teams)?;
    Ok(Done::Pull {
        number: pr.number,
        url: pr.html_url,
        created,
        warning,
    })
}

/// A push that `origin` refused because `branch` moved there since it was
/// fetched, said as that (git's own hint, to pull, is not what to do here);
/// any other failure as it was.
fn pushed_meanwhile(e: Error, branch: &str) -> Error {
    let Some(line) = e
        .cause
        .as_deref()
        .and_then(|c| c.lines().find(|l| l.contains("[rejected]")))
    else {
        return e;
    };
    Error::new(format!(
        "{branch} was pushed to on origin while this ran, so nothing was pushed over it"
    ))
    .caused_by(line.trim())
    .hint("run this again: it builds on what was pushed")
}

/// The parents of the next commit on a proposal branch at `tip` (`None`:
/// it does not exist yet), whose record branch `record` is at `record_tip`.
///
/// A new branch starts from the record branch. While what the branch
/// proposes has still to land (always, while its pull request is `open`),
/// the next commit goes on its tip, so a rerun builds on what was pushed.
/// Once it has landed the next proposal starts from the record branch,
/// never from the old one's tree, whose record file would conflict with
/// the one that landed:
/// - merged (the tip is in the record branch): on the record branch alone,
///   which the old tip is an ancestor of;
/// - squashed (every file the branch changed is in the record branch as
///   the branch has it): on the record branch, with the old tip as a
///   second parent, so the old tip stays an ancestor (never a force-push),
///   the pull request shows only the new change, and the record branch's
///   first parents stay its own if the branch is fast-forwarded onto it.
fn parents(
    root: &Path,
    record: &str,
    record_tip: Option<String>,
    tip: Option<String>,
    open: bool,
) -> Result<Vec<String>> {
    let Some(tip) = tip else {
        let record_tip = record_tip
            .ok_or_else(|| Error::new(format!("the record branch `{record}` does not exist")))?;
        return Ok(vec![record_tip]);
    };
    let Some(record_tip) = record_tip.filter(|_| !open) else {
        return Ok(vec![tip]);
    };
    let Some(base) = git::merge_base(root, &tip, &record_tip)? else {
        return Ok(vec![tip]);
    };
    if base == tip {
        return Ok(vec![record_tip]);
    }
    let proposed = git::changed_paths(root, &base, &tip)?;
    let differing: HashSet<String> = git::changed_paths(root, &tip, &record_tip)?
        .into_iter()
        .collect();
    if proposed.is_empty() || proposed.iter().any(|p| differing.contains(p)) {
        return Ok(vec![tip]);
    }
    Ok(vec![record_tip, tip])
}

/// A commit on `parents` of the first parent's tree with `p.file` written,
/// made with a private index so the user's index and working tree are not
/// touched.
fn commit_on(root: &Path, parents: &[String], p: &Proposal) -> Result<String> {
    let parent = parents.first().expect("a proposal commit has a parent");
    let tree = match &p.file {
        None => git::run(root, &["rev-parse", &format!("{parent}^{{tree}}")])?,
        Some((path, content)) => {
            let scratch = tempfile::tempdir()
                .map_err(|e| Error::new("could not make a temporary directory").caused_by(e))?;
            let blob_file = scratch.path().join("blob");
            std::fs::write(&blob_file, content).map_err(|e| Error::io("write", &blob_file, e))?;
            let blob_path = blob_file.to_string_lossy().into_owned();
            let blob = git::run(root, &["hash-object", "-w", "--no-filters", &blob_path])?;
            let index = scratch.path().join("index").to_string_lossy().into_owned();
            let env = [("GIT_INDEX_FILE", index.as_str())];
            git::run_with(root, &["read-tree", parent], &env)?;
            git::run_with(
                root,
                &[
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    &format!("100644,{blob},{path}"),
                ],
                &env,
            )?;
            git::run_with(root, &["write-tree"], &env)?
        }
    };
    let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
    git::commit_tree(root, &tree, &parents, &p.message)
}

/// The GitHub logins and team slugs of `owners` (people and teams).
pub fn reviewers<'a>(
    config: &Config,
    owners: impl IntoIterator<Item = &'a str>,
) -> (Vec<String>, Vec<String>) {
    let mut users = BTreeSet::new();
    let mut teams = BTreeSet::new();
    for owner in owners {
        if let Some(p) = config.people.get(owner).filter(|p| !p.github.is_empty()) {
            users.insert(p.github.trim_start_matches('@').to_owned());
        }
        if let Some(t) = config.teams.get(owner).filter(|t| !t.github.is_empty()) {
            let slug = t.github.rsplit('/').next().unwrap_or(&t.github);
            teams.insert(slug.to_owned());
        }
    }
    (users.into_iter().collect(), teams.into_iter().collect())
}

/// `Reviewed:` trailers for `items`, after a subject and a paragraph.
pub fn message(subject: &str, paragraph: &str, items: &[String]) -> String {
    let mut m = format!("{subject}\n\n");
    if !paragraph.is_empty() {
        m.push_str(paragraph.trim_end());
        m.push_str("\n\n");
    }
    for item in items {
        m.push_str(&format!("Reviewed: {item}\n"));
    }
    m.push_str("Review-Outcome: effective\n");
    m
}
