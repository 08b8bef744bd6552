//! `isms log [ITEM | FOLDER]`: when the item (every item under a folder,
//! or every item) was reviewed, by whom, with what outcome.

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::{Format, LogArgs};
use crate::diagnostic::one_line;
use crate::error::{Error, Result};
use crate::history::{self, Malformed, Review};
use crate::model::{ItemKey, Snapshot};
use crate::repo::Repo;

use super::Context;

#[derive(Serialize)]
struct LogJson<'a> {
    version: u32,
    /// `None` for the whole record, or the items under a folder.
    item: Option<String>,
    /// The folder whose items' reviews these are, when one was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    under: Option<&'a str>,
    branch: &'a str,
    /// The period asked for: reviews that landed on or after `since`, and
    /// by the end of `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<NaiveDate>,
    reviews: Vec<Logged<'a>>,
    warnings: &'a [Malformed],
}

/// The days whose landings `isms log` lists: from `--since`, up to
/// `--as-of`, each when given.
#[derive(Clone, Copy)]
struct Period {
    since: Option<NaiveDate>,
    as_of: Option<NaiveDate>,
}

impl Period {
    fn of(ctx: &Context, args: &LogArgs) -> Result<Period> {
        let period = Period {
            since: args.since,
            as_of: ctx.as_of,
        };
        if let (Some(since), Some(as_of)) = (period.since, period.as_of)
            && since > as_of
        {
            return Err(Error::new(format!(
                "--since {since} is after --as-of {as_of}: no review lands in that period"
            ))
            .hint("name the first day of the period with --since and the last with --as-of"));
        }
        Ok(period)
    }

    fn holds(&self, r: &Review) -> bool {
        let day = r.landed.date_naive();
        self.since.is_none_or(|s| s <= day) && self.as_of.is_none_or(|a| day <= a)
    }

    /// How a note that nothing landed names the period: ` since 2026-01-01`,
    /// ` by 2026-06-30`, ` from 2026-01-01 to 2026-06-30`, or nothing.
    fn words(&self) -> String {
        match (self.since, self.as_of) {
            (None, None) => String::new(),
            (Some(s), None) => format!(" since {s}"),
            (None, Some(a)) => format!(" by {a}"),
            (Some(s), Some(a)) => format!(" from {s} to {a}"),
        }
    }
}

/// A review, and who approved the pull request that landed it, where an
/// approval note (`isms approvals record`) says.
#[derive(Serialize)]
struct Logged<'a> {
    #[serde(flatten)]
    review: &'a Review,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_by: Option<Vec<String>>,
    /// `false` for a review that does not count, as `stale` judges it:
    /// under `approval = "author"`, its author does not own the item.
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<bool>,
    /// Why it does not count, said on stderr.
    #[serde(skip)]
    why_not: Option<String>,
}

pub fn run(ctx: &Context, args: &LogArgs) -> Result<ExitCode> {
    // The record is read from history: a mirror will do.
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let (snapshot, problems) = repo.outline_with_problems()?;
    // A migration map that cannot be read would leave out the reviews it
    // carries across: said, never guessed.
    let maps = crate::repo::migration_maps();
    let unread: Vec<_> = problems
        .into_iter()
        .filter(|d| maps.contains(&d.file))
        .collect();
    crate::reading::refuse_unread(&unread)?;
    let period = Period::of(ctx, args)?;
    let Some(named) = &args.item else {
        return every_review(ctx, &repo, &snapshot, None, period);
    };
    // A full key or a file may name an item that no longer exists: its
    // history still does.
    let item = ctx.item_arg(&repo.root, named);
    let key = match ItemKey::of_named_file(&item).unwrap_or_else(|| ItemKey::parse(&item)) {
        Ok(k) => k,
        Err(_) if !item.contains(':') && !item.ends_with(".toml") => {
            match ItemKey::resolve(&item, &snapshot) {
                Ok(k) => k,
                // A folder stands for every item under it, unless what is
                // written names an item, as `isms review` takes it.
                // The repository's root is the whole record.
                Err(why) => match ctx.dir_arg(&repo.root, named) {
                    Some(dir) => {
                        let under = Some(dir.as_str()).filter(|d| !d.is_empty());
                        return every_review(ctx, &repo, &snapshot, under, period);
                    }
                    None => {
                        return Err(super::no_item(why, &item, &snapshot)
                            .hint_first(ctx.folder_meant(&repo.root, named)));
                    }
                },
            }
        }
        Err(why) => return Err(Error::new(why)),
    };
    let branch = crate::reading::record_branch(&snapshot)?;
    let record = super::record(&repo.git_dir, &branch)?;
    let wanted = key.to_string();
    // A migrated item's history includes that of the items it was made from.
    let keys = crate::model::with_sources(&wanted, &snapshot.migrations);
    let mut reviews: Vec<&Review> = record
        .reviews
        .iter()
        .filter(|r| keys.contains(&*r.item))
        .collect();
    // A commit that names an item twice is one review of it.
    reviews.dedup_by(|a, b| a.commit == b.commit && a.item == b.item);
    // A key that names nothing, now or in the record, is a typo, not an
    // item without reviews: said as `review` says it, with the mapping of
    // an ID from the other edition.
    if reviews.is_empty() && !key.exists_in(&snapshot) {
        return Err(Error::new(format!(
            "{wanted} does not exist and has no review on {branch}{}",
            key.unknown_note(&snapshot)
        ))
        .hint(format!("items are {}", crate::model::KEY_FORMS)));
    }
    reviews.retain(|r| period.holds(r));
    let mut reviews = with_approvals(&repo, reviews)?;
    judge(&repo, &snapshot, Some(&key), &mut reviews);
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => json(
            &mut out,
            Some(&wanted),
            None,
            &branch,
            period,
            reviews,
            &record.malformed,
        ),
        _ => {
            warn(&record.malformed);
            if reviews.is_empty() {
                crate::output::note(&format!(
                    "{wanted} has no review on {branch}{}",
                    period.words()
                ));
            }
            let shown = rows(&mut out, ctx.format, Some(&wanted), &reviews);
            let _ = out.flush();
            warn_not_counted(&reviews);
            if let Some(note) = count_changes_note(&snapshot, &record, &key, period) {
                crate::output::note(&note);
            }
            if let Some(note) = super::unlanded_note(&repo, &branch, [wanted.as_str()]) {
                crate::output::note(&note);
            }
            // An item migrated away: its history goes on under the new key.
            let successors = crate::model::successors_in(&wanted, &snapshot);
            if !successors.is_empty() && !key.exists_in(&snapshot) {
                let _ = out.flush();
                let renamed = (snapshot.migrations.iter())
                    .filter(|m| m.is_renames())
                    .flat_map(|m| &m.item)
                    .any(|i| i.from.iter().any(|src| src.key == wanted));
                crate::output::note(&format!(
                    "{wanted} was {} to {}; `isms log {}` shows its reviews with those of the items it was made from",
                    if renamed { "renamed" } else { "migrated" },
                    successors.join(", "),
                    successors[0]
                ));
            }
            shown
        }
    };
    Ok(ExitCode::SUCCESS)
}

/// Every review on the record branch, in the order they landed; only those
/// of items whose files are `under` a folder, when one is named (items
/// since deleted too: their history still is).
fn every_review(
    ctx: &Context,
    repo: &Repo,
    snapshot: &crate::model::Snapshot,
    under: Option<&str>,
    period: Period,
) -> Result<ExitCode> {
    let branch = crate::reading::record_branch(snapshot)?;
    let record = super::record(&repo.git_dir, &branch)?;
    // An item's reviews are under the folder where its file was, or where
    // the items a migration or rename made of it are.
    let maps = &snapshot.migrations;
    let within = |r: &Review| {
        under.is_none_or(|dir| {
            (crate::model::with_successors(&r.item, maps).into_iter()).any(|key| {
                ItemKey::parse(key).is_ok_and(|k| crate::model::is_within(&k.path(), dir))
            })
        })
    };
    let mut reviews: Vec<&Review> = (record.reviews.iter())
        .filter(|r| within(r) && period.holds(r))
        .collect();
    reviews.dedup_by(|a, b| a.commit == b.commit && a.item == b.item);
    let mut reviews = with_approvals(repo, reviews)?;
    judge(repo, snapshot, None, &mut reviews);
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => json(
            &mut out,
            None,
            under,
            &branch,
            period,
            reviews,
            &record.malformed,
        ),
        _ => {
            warn(&record.malformed);
            if reviews.is_empty() {
                let when = period.words();
                crate::output::note(&match under {
                    None => format!("no review has landed on {branch}{when}"),
                    Some(dir) => {
                        format!("no review of an item under {dir}/ has landed on {branch}{when}")
                    }
                });
            }
            let shown = rows(&mut out, ctx.format, None, &reviews);
            let _ = out.flush();
            warn_not_counted(&reviews);
            shown
        }
    };
    Ok(ExitCode::SUCCESS)
}

/// Each review with who approved its landing, where a note says.
fn with_approvals<'a>(repo: &Repo, reviews: Vec<&'a Review>) -> Result<Vec<Logged<'a>>> {
    let landings: Vec<String> = reviews.iter().map(|r| r.landed_by.to_string()).collect();
    let commits: Vec<&str> = landings.iter().map(String::as_str).collect();
    let notes = history::notes::read(&repo.git_dir, &commits)?;
    Ok(reviews
        .into_iter()
        .zip(&landings)
        .map(|(review, landed_by)| Logged {
            review,
            approved_by: notes
                .get(landed_by)
                .map(|n| n.approvers().into_iter().collect()),
            counts: None,
            why_not: None,
        })
        .collect())
}

/// Under `approval = "author"`, marks each review whose author does not
/// own its item as not counting, as `stale` judges it: by the item's owner
/// in the settings read, and for the reviews of the items a migration made
/// `wanted` from, by `wanted`'s. Items that no longer exist, or whose file
/// does not parse, are not judged.
fn judge(repo: &Repo, outline: &Snapshot, wanted: Option<&ItemKey>, reviews: &mut [Logged]) {
    let Some(config) = outline.config.as_ref().map(|c| &c.value) else {
        return;
    };
    if config.review.approval != crate::model::Approval::Author {
        return;
    }
    let key_of = |r: &Review| match wanted {
        Some(k) => Some(k.clone()),
        None => ItemKey::parse(&r.item).ok(),
    };
    let keys: Vec<ItemKey> = reviews.iter().filter_map(|l| key_of(l.review)).collect();
    let Ok(reloaded) = super::with_allocations(repo, &keys) else {
        return;
    };
    let snapshot = reloaded.as_ref().unwrap_or(outline);
    for logged in reviews {
        let why = key_of(logged.review)
            .and_then(|key| super::why_not_counted(snapshot, &key, &logged.review.email));
        if why.is_some() {
            logged.counts = Some(false);
            logged.why_not = why;
        }
    }
}

/// With `count_changes = true`, a change to an item's file counts as its
/// review too, but is no review commit: what the record keeps of them, the
/// last change, when it landed in `period` and counts as `stale` judges it.
fn count_changes_note(
    snapshot: &Snapshot,
    record: &crate::model::Record,
    key: &ItemKey,
    period: Period,
) -> Option<String> {
    let config = &snapshot.config.as_ref()?.value;
    // Evidence records and findings are judged by their dates, not reviews.
    let reviewed = matches!(
        key,
        ItemKey::Control(_) | ItemKey::Service(_) | ItemKey::Allocation(..)
    );
    if !config.review.count_changes || !reviewed {
        return None;
    }
    let path = key.path();
    let migrated =
        crate::model::sources_by_key(&snapshot.migrations).contains_key(&*key.to_string());
    let day = crate::check::review::counted_change(record.files.get(&path)?, migrated)?;
    let within = period.since.is_none_or(|s| s <= day) && period.as_of.is_none_or(|a| day <= a);
    within.then(|| {
        format!(
            "with count_changes = true, the change to {path} that landed {day} counts as a review of it too; \
             `git log --first-parent -- {path}` lists its changes"
        )
    })
}

/// The reviews that do not count, on stderr, as `stale` says them.
fn warn_not_counted(reviews: &[Logged]) {
    for logged in reviews {
        let (r, Some(why)) = (logged.review, &logged.why_not) else {
            continue;
        };
        crate::output::note(&super::not_counted_warning(
            &r.item,
            &r.commit.to_string(),
            &r.author,
            &r.email,
            why,
        ));
    }
}

fn json(
    out: &mut impl Write,
    item: Option<&str>,
    under: Option<&str>,
    branch: &str,
    period: Period,
    reviews: Vec<Logged>,
    warnings: &[Malformed],
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &LogJson {
            version: 1,
            item: item.map(str::to_owned),
            under,
            branch,
            since: period.since,
            as_of: period.as_of,
            reviews,
            warnings,
        },
    )
    .map_err(std::io::Error::other)
    .and_then(|()| writeln!(out))
}

/// The reviews as a table for people, or as CSV; a table of none is not
/// shown (a note says so), CSV of none is its header.
fn rows(
    out: &mut impl Write,
    format: Format,
    wanted: Option<&str>,
    reviews: &[Logged],
) -> std::io::Result<()> {
    match format {
        Format::Csv => csv(out, reviews),
        _ if reviews.is_empty() => Ok(()),
        _ => human(out, wanted, reviews),
    }
}

/// The columns of `isms log --format csv`, as JSON names the fields.
const CSV_COLUMNS: [&str; 10] = [
    "landed",
    "outcome",
    "item",
    "author",
    "email",
    "commit",
    "landed_by",
    "pull_request",
    "approved_by",
    "note",
];

/// `reviews` as CSV (RFC 4180), a row each, for a spreadsheet: an
/// auditor's sample of a period. Every row names its item, as written in
/// the review (a migrated item's reviews under the key they were made of).
/// `approved_by` is the approvers' logins, space-separated; `(nobody)` where
/// the approval note lists none, empty where there is no note.
fn csv(out: &mut impl Write, reviews: &[Logged]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for logged in reviews {
        let r = logged.review;
        let approved_by = match &logged.approved_by {
            Some(logins) if logins.is_empty() => "(nobody)".to_owned(),
            Some(logins) => logins.join(" "),
            None => String::new(),
        };
        w.write_record([
            // As JSON writes it.
            &r.landed
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            r.outcome.as_str(),
            &r.item,
            &r.author,
            &r.email,
            &r.commit.to_string(),
            &r.landed_by.to_string(),
            &r.pull_request.map(|n| n.to_string()).unwrap_or_default(),
            &approved_by,
            r.note.as_deref().unwrap_or(""),
        ])?;
    }
    w.flush()
}

/// Commits whose review trailers could not be read, on stderr.
fn warn(malformed: &[Malformed]) {
    for w in malformed {
        crate::output::note(&format!(
            "warning: commit {}: {}",
            &w.commit[..10],
            w.message
        ));
    }
}

const NEEDS_CHANGE: Style = AnsiColor::Red.on_default().bold();
const COMMIT: Style = AnsiColor::Yellow.on_default();

/// A table of `reviews`; of every item (`wanted` is `None`), with an ITEM column.
fn human(out: &mut impl Write, wanted: Option<&str>, reviews: &[Logged]) -> std::io::Result<()> {
    let author_width = reviews
        .iter()
        .map(|r| r.review.author.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let approved: Vec<String> = reviews
        .iter()
        .map(|r| match &r.approved_by {
            Some(logins) if logins.is_empty() => "(nobody)".to_owned(),
            Some(logins) => logins.join(", "),
            None => String::new(),
        })
        .collect();
    let approved_width = approved
        .iter()
        .map(|a| a.chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    // The ITEM column, of the whole record only.
    let item_width = match wanted {
        Some(_) => 0,
        None => (reviews.iter())
            .map(|r| r.review.item.chars().count() + 2)
            .max()
            .unwrap_or(0)
            .max(6),
    };
    let item_head = if wanted.is_some() { "" } else { "ITEM" };
    writeln!(
        out,
        "{:<10}  {:<12}  {item_head:<item_width$}{:<author_width$}  {:<10}  {:<6}  {:<approved_width$}  NOTE",
        "LANDED", "OUTCOME", "AUTHOR", "COMMIT", "PR", "APPROVED BY"
    )?;
    for (logged, approved) in reviews.iter().zip(&approved) {
        let r = logged.review;
        let pr = r.pull_request.map(|n| format!("#{n}")).unwrap_or_default();
        // A review of an item this one was migrated from says which.
        let (item, was) = match wanted {
            None => (r.item.to_string(), String::new()),
            Some(w) if *r.item == *w => (String::new(), String::new()),
            Some(_) => (String::new(), format!("[as {}] ", r.item)),
        };
        // Colour as git's log has it, commits yellow, and a review that
        // asked for change red (dropped off a terminal and with NO_COLOR).
        let outcome = r.outcome.as_str();
        let style = match r.outcome {
            crate::model::Outcome::NeedsChange => NEEDS_CHANGE,
            crate::model::Outcome::Effective => Style::new(),
        };
        let pad = 12usize.saturating_sub(outcome.len());
        let row = format!(
            "{:<10}  {style}{outcome}{style:#}{:pad$}  {item:<item_width$}{:<author_width$}  {COMMIT}{:<10}{COMMIT:#}  {:<6}  {approved:<approved_width$}  {was}{}",
            r.landed.format("%Y-%m-%d"),
            "",
            one_line(&r.author),
            r.commit.short(),
            pr,
            one_line(r.note.as_deref().unwrap_or(""))
        );
        writeln!(out, "{}", row.trim_end())?;
    }
    Ok(())
}
