//! `isms diff [FROM] [TO]`: what changed between two revisions, in words,
//! as Markdown a pull request can show (or JSON). Which two: named, or the
//! ends of a period on the record branch; or, with `--uncommitted`, a
//! revision and the working tree. The words are [`crate::render::diff`]'s.

use std::io::Write as _;
use std::process::ExitCode;

use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::{DiffArgs, Format};
use crate::error::{Error, Result};
use crate::render::diff::ItemChange;
use crate::repo::Repo;

use super::Context;
use crate::history::diff::Revisions;
use crate::model::CommitId;

#[derive(Serialize)]
struct DiffJson<'a> {
    version: u32,
    /// `None` when the record had not begun by `since`: every item is new.
    from: Option<String>,
    to: String,
    /// With `--since`, the period on the record branch: changes that landed
    /// on or after `since`, and by the end of `as_of` when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<NaiveDate>,
    /// With `--uncommitted`: the changes are TO's (HEAD's) and the working
    /// tree's, not yet committed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    uncommitted: bool,
    changes: &'a [ItemChange],
    /// The reviews the commits of the range record.
    reviews: Vec<ReviewJson<'a>>,
}

#[derive(Serialize)]
struct ReviewJson<'a> {
    item: &'a str,
    outcome: &'static str,
    commit: crate::history::CommitId,
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// `false` for a review that does not count under `approval =
    /// "author"` as the settings at TO have it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<bool>,
}

pub fn run(ctx: &Context, args: &DiffArgs) -> Result<ExitCode> {
    // Commits alone: a mirror will do.
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let revs = Revisions::open(&repo.git_dir)?;
    let range = match args.since {
        Some(since) => Range::period(ctx, &repo, &revs, since)?,
        None => Range::named(&repo, &revs, args)?,
    };
    let diff = match (args.uncommitted, range.from) {
        (true, Some(from)) => revs.diff_uncommitted(from, &repo.root)?,
        _ => revs.diff(range.from, range.to)?,
    };
    for warning in &diff.warnings {
        crate::output::note(warning);
    }
    // As `git diff` would show them, uncommitted changes are said to be left out.
    if args.to.is_none() && args.since.is_none() && !args.uncommitted && !repo.is_bare() {
        super::note_left_out(
            &repo.root,
            "this diff leaves out: it compares commits, up to HEAD",
        )?;
    }
    // A migration's map says which items each new one was made from; the
    // map of renames adds nothing to the renames git sees.
    let mut maps = crate::repo::migration_maps();
    maps.retain(|m| m != crate::model::RENAMES_MAP);
    let changes = crate::render::diff::changes(&diff.changed, &maps);
    let (from, to) = (range.from, range.to);
    let reviews = crate::history::reviews_between(
        &repo.git_dir,
        from.map(|f| f.to_string()).as_deref(),
        &to.to_string(),
    )?;
    let settings = settings_at(&repo, &to.to_string(), &reviews);
    let why_not: Vec<Option<String>> = (reviews.iter())
        .map(|r| {
            let key = crate::model::ItemKey::parse(&r.item).ok()?;
            super::why_not_counted(settings.as_ref()?, &key, &r.email)
        })
        .collect();
    let count_changes = (settings.as_ref())
        .and_then(|s| s.config.as_ref())
        .is_some_and(|c| c.value.review.count_changes);
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &DiffJson {
                version: 2,
                from: from.map(|f| f.to_string()),
                to: to.to_string(),
                since: args.since,
                as_of: range.as_of,
                uncommitted: args.uncommitted,
                changes: &changes,
                reviews: (reviews.iter().zip(&why_not))
                    .map(|(r, why)| ReviewJson {
                        item: &r.item,
                        outcome: r.outcome.as_str(),
                        commit: r.commit,
                        author: &r.author,
                        note: r.note.as_deref(),
                        counts: why.as_ref().map(|_| false),
                    })
                    .collect(),
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out)),
        _ => write!(
            out,
            "{}",
            crate::render::diff::markdown(
                &changes,
                &diff.warnings,
                &(reviews.iter().zip(why_not)).collect::<Vec<_>>(),
                count_changes,
                &range.title()
            )
        ),
    };
    Ok(ExitCode::SUCCESS)
}

/// The settings and small kinds at `to`, with the allocations `reviews`
/// name, for their owners: what judges the range's reviews and changes as
/// `stale` will once they land. `None` when they cannot be read there: the
/// diff itself says what changed.
fn settings_at(
    repo: &Repo,
    to: &str,
    reviews: &[crate::model::Review],
) -> Option<crate::model::Snapshot> {
    use crate::model::ItemKey;
    let keys: Vec<ItemKey> = (reviews.iter())
        .filter_map(|r| ItemKey::parse(&r.item).ok())
        .collect();
    let scope = super::owners_scope(&keys).unwrap_or_else(crate::repo::Scope::outline);
    let (source, _) = crate::repo::Index::commit(&repo.git_dir, to).ok()?;
    let loaded = crate::repo::load(&source, &scope).ok()?;
    Some(loaded.snapshot)
}

/// The two commits compared, and the period they bound when `--since`
/// named one.
struct Range {
    /// `None` when the record had not begun: every item is new.
    from: Option<CommitId>,
    to: CommitId,
    /// With `--since`: the record branch and the period's first day; with
    /// `--as-of` too, its last.
    period: Option<(String, NaiveDate)>,
    as_of: Option<NaiveDate>,
    /// With `--uncommitted`: TO and the working tree's changes on it.
    uncommitted: bool,
}

impl Range {
    /// FROM and TO as named, or as their defaults: TO is HEAD, FROM where
    /// TO left the record branch.
    fn named(repo: &Repo, revs: &Revisions, args: &DiffArgs) -> Result<Range> {
        if args.uncommitted && repo.is_bare() {
            return Err(Error::new(
                "--uncommitted compares the working tree, and a bare repository has none",
            ));
        }
        let to = revs.commit("TO", args.to.as_deref().unwrap_or("HEAD"))?;
        let from = match &args.from {
            Some(rev) => revs.commit("FROM", rev)?,
            // As `git diff HEAD`: what is not committed yet.
            None if args.uncommitted => to,
            None => super::record_base(repo, revs, to)?,
        };
        Ok(Range {
            from: Some(from),
            to,
            period: None,
            as_of: None,
            uncommitted: args.uncommitted,
        })
    }

    /// The record branch from the end of the day before `since` to the end
    /// of `--as-of`, or to its tip: what landed in the period, as
    /// `isms log --since` lists the reviews that did.
    fn period(ctx: &Context, repo: &Repo, revs: &Revisions, since: NaiveDate) -> Result<Range> {
        if let Some(as_of) = ctx.as_of.filter(|a| since > *a) {
            return Err(Error::new(format!(
                "--since {since} is after --as-of {as_of}: nothing lands in that period"
            ))
            .hint("name the first day of the period with --since and the last with --as-of"));
        }
        let branch = crate::reading::record_branch(&repo.outline()?)?;
        // As `isms log` counts landings: by the day a commit landed, even a
        // day still to come.
        let as_of = ctx.as_of;
        let to = match as_of {
            Some(day) => crate::history::landed_by(&repo.git_dir, &branch, day)?,
            None => crate::history::record_tip_id(&repo.git_dir, &branch)?,
        };
        let from = match since.pred_opt() {
            Some(eve) => crate::history::last_landed(&repo.git_dir, &branch, eve)?,
            None => None,
        };
        Ok(Range {
            from: from.map(|f| revs.commit("--since", &f)).transpose()?,
            to: revs.commit("--as-of", &to)?,
            period: Some((branch, since)),
            as_of,
            uncommitted: false,
        })
    }

    /// What the Markdown's heading says was compared: `from a1b2c3d4e5 to
    /// f6e5d4c3b2`, or the period on the record branch and its two ends.
    fn title(&self) -> String {
        let to = self.to.short();
        let commits = match self.from {
            Some(from) => format!("{} → {to}", from.short()),
            None => format!("the whole record, up to {to}"),
        };
        match (&self.period, self.as_of) {
            (None, _) if self.uncommitted => format!(
                "from {} to the working tree",
                self.from.map(|f| f.short()).unwrap_or_default()
            ),
            (None, _) => format!(
                "from {} to {to}",
                self.from.map(|f| f.short()).unwrap_or_default()
            ),
            (Some((branch, since)), None) => format!("on {branch} since {since} ({commits})"),
            (Some((branch, since)), Some(as_of)) => {
                format!("on {branch} from {since} to {as_of} ({commits})")
            }
        }
    }
}
