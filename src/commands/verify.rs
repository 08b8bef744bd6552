//! `isms verify-approvals [--since REV] [--offline]`: was every landed
//! review approved by an owner of the items it reviewed? Asked of GitHub,
//! or, offline, of the approval notes in git.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::approvals::{Landing, logins_of, unapproved_because};
use crate::cli::{Format, VerifyArgs};
use crate::error::Result;
use crate::github::GitHub;
use crate::history::Review;
use crate::history::diff::Revisions;
use crate::model::{Approval, ItemKey};
use crate::repo::Repo;

use super::Context;

/// A review whose approval could not be confirmed.
#[derive(Debug, Serialize)]
struct Unapproved {
    item: String,
    commit: String,
    landed_by: String,
    pull_request: Option<u64>,
    owner: String,
    approved_by: Vec<String>,
    message: String,
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    version: u32,
    branch: &'a str,
    reviews: usize,
    pull_requests: usize,
    unapproved: &'a [Unapproved],
    /// `"author"` when reviews count by their author, so nothing was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<&'a str>,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> Result<ExitCode> {
    // From the approval notes alone, a mirror will do.
    let repo = Repo::discover_reading(&ctx.dir, args.offline)?;
    // Every item read: one left out would have its reviews passed over.
    let snapshot = crate::reading::complete_snapshot_of(&repo)?;
    let branch = crate::reading::record_branch(&snapshot)?;
    let config = &snapshot
        .config
        .as_ref()
        .expect("record_branch() checked it")
        .value;
    if config.review.approval != Approval::PullRequest {
        // A workflow reading JSON still gets an answer it can read.
        if ctx.format == Format::Json {
            let doc = VerifyJson {
                version: 1,
                branch: &branch,
                reviews: 0,
                pull_requests: 0,
                unapproved: &[],
                approval: Some("author"),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("JSON values serialize")
            );
        }
        crate::output::note(
            "nothing to verify: review.approval is \"author\", so reviews count by their commit author",
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Online, GitHub is asked; offline, the notes in git say it all.
    let github = match args.offline {
        true => None,
        false => Some(GitHub::for_checkout(&repo.root, &snapshot)?),
    };
    let revs = Revisions::open(&repo.git_dir)?;
    let since = match &args.since {
        Some(rev) => Some(revs.commit("--since", rev)?),
        None => None,
    };
    let record = super::record(&repo.git_dir, &branch)?;

    // The reviews of each landing commit after --since, in the order they
    // landed.
    let mut landings: Vec<(String, Vec<&Review>)> = Vec::new();
    let mut at: BTreeMap<String, usize> = BTreeMap::new();
    for r in &record.reviews {
        let after = since.is_none_or(|since| revs.is_after(since, r.landed_by));
        if !after {
            continue;
        }
        let landed_by = r.landed_by.to_string();
        match at.get(&landed_by) {
            Some(&i) => landings[i].1.push(r),
            None => {
                at.insert(landed_by.clone(), landings.len());
                landings.push((landed_by, vec![r]));
            }
        }
    }
    let notes = match github {
        None => {
            let commits: Vec<&str> = landings.iter().map(|(c, _)| c.as_str()).collect();
            crate::history::notes::read(&repo.git_dir, &commits)?
        }
        Some(_) => Default::default(),
    };

    let mut unapproved = Vec::new();
    // Of those, how many could not be checked: landed without a pull
    // request, or through one that no approval note records.
    let (mut direct, mut unrecorded) = (0, 0);
    let mut prs = BTreeSet::new();
    let mut reviews = 0;
    for (landed_by, list) in &landings {
        reviews += list.len();
        let landing = match &github {
            Some(github) => online(github, landed_by, list[0].pull_request)?,
            None => match notes.get(landed_by) {
                Some(note) => Landing::Approved(note.pull_request, note.approvers()),
                None => Landing::NoNote(list[0].pull_request),
            },
        };
        let (number, approvers) = match &landing {
            Landing::Approved(n, approvers) => {
                prs.insert(*n);
                (Some(*n), approvers.clone())
            }
            Landing::NoNote(n) => (*n, BTreeSet::new()),
        };
        for r in list {
            let Ok(key) = ItemKey::parse(&r.item) else {
                continue;
            };
            // An item migrated or renamed since: its review counts for the
            // items made of it, so their owner is who must have approved it.
            let made_of = || {
                (crate::model::successors_in(&r.item, &snapshot).iter())
                    .filter_map(|k| ItemKey::parse(k).ok())
                    .find_map(|k| snapshot.owner_of(&k).map(|o| o.to_string()))
            };
            let Some(owner) = (snapshot.owner_of(&key).map(|o| o.to_string())).or_else(made_of)
            else {
                continue; // evidence, or an item that no longer exists
            };
            let logins = logins_of(config, &owner);
            let Some(message) = unapproved_because(&landing, &owner, &logins, github.is_some())
            else {
                continue;
            };
            match landing {
                Landing::NoNote(None) => direct += 1,
                Landing::NoNote(Some(_)) => unrecorded += 1,
                Landing::Approved(..) => {}
            }
            unapproved.push(Unapproved {
                item: r.item.to_string(),
                commit: r.commit.to_string(),
                landed_by: landed_by.to_string(),
                pull_request: number,
                owner,
                approved_by: approvers.iter().cloned().collect(),
                message,
            });
        }
    }

    // The closing line, on stderr, and the heading of a job summary.
    let closing = format!(
        "{} in {} checked: {}",
        crate::output::plural(reviews, "review"),
        crate::output::plural(prs.len(), "pull request"),
        match unapproved.len() {
            0 => "every one approved by an owner".to_owned(),
            n => format!(
                "{n} not approved by an owner{}",
                unchecked(direct, unrecorded)
            ),
        }
    );
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &VerifyJson {
                version: 1,
                branch: &branch,
                reviews,
                pull_requests: prs.len(),
                unapproved: &unapproved,
                approval: None,
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out)),
        Format::Github => {
            crate::output::job_summary(&job_summary(&closing, &unapproved));
            unapproved.iter().try_for_each(|u| {
                writeln!(
                    out,
                    "::error title=isms unapproved review::review of {} in {}: {}",
                    u.item,
                    &u.commit[..10.min(u.commit.len())],
                    u.message
                )
            })
        }
        // Refused before the command runs.
        Format::Sarif => Ok(()),
        Format::Human | Format::Md | Format::Csv | Format::Html => {
            unapproved.iter().try_for_each(|u| {
                let by = if u.approved_by.is_empty() {
                    String::new()
                } else {
                    format!(" (approved by {})", u.approved_by.join(", "))
                };
                writeln!(
                    out,
                    "{}  in {}: {}{by}",
                    u.item,
                    &u.commit[..10.min(u.commit.len())],
                    u.message
                )
            })
        }
    };
    crate::output::note(&closing);
    Ok(ExitCode::from(u8::from(!unapproved.is_empty())))
}

/// What the closing line adds when some reviews could not be checked:
/// ` (4 landed without a pull request, 5 in a pull request no approval
/// note records)`.
fn unchecked(direct: usize, unrecorded: usize) -> String {
    let mut parts = Vec::new();
    if direct > 0 {
        parts.push(format!("{direct} landed without a pull request"));
    }
    if unrecorded > 0 {
        parts.push(format!(
            "{unrecorded} in a pull request no approval note records"
        ));
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!(" ({})", parts.join(", ")),
    }
}

/// The job summary of `--format github`: the closing line as its heading,
/// and each review that does not count, with why.
fn job_summary(closing: &str, unapproved: &[Unapproved]) -> String {
    let rows: Vec<Vec<String>> = unapproved
        .iter()
        .map(|u| {
            vec![
                format!("`{}`", u.item),
                format!("`{}`", &u.commit[..10.min(u.commit.len())]),
                u.pull_request.map(|n| format!("#{n}")).unwrap_or_default(),
                u.owner.clone(),
                u.message.clone(),
            ]
        })
        .collect();
    crate::render::job_summary::table(
        &format!("isms verify-approvals: {closing}"),
        &[
            "Review of",
            "Commit",
            "Pull request",
            "Owner",
            "Why it does not count",
        ],
        &rows,
        "the annotations, and `isms verify-approvals`, list every one",
    )
}

/// Asks GitHub which pull request landed `commit` (unless its subject
/// says) and who approved it.
fn online(github: &GitHub, commit: &str, named: Option<u64>) -> Result<Landing> {
    Ok(match github.landing_pull(commit, named)? {
        Some(n) => {
            let reviews = github.reviews(n)?;
            let approvers = crate::check::approvals::approvers(reviews.iter().filter_map(|r| {
                r.user
                    .as_ref()
                    .map(|u| (u.login.as_str(), r.state.as_str()))
            }));
            Landing::Approved(n, approvers)
        }
        None => Landing::NoNote(None),
    })
}
