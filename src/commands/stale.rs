//! `isms stale [--owner WHO] [--all]`: what needs review (with `--all`, every
//! item), by owner.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anstyle::Style;
use serde::Serialize;

use crate::check::review::{ItemStatus, State, Unauthorized};
use crate::cli::{Format, StaleArgs};
use crate::diagnostic::one_line;
use crate::error::Result;
use crate::history::Malformed;
use crate::output;

use super::Context;
use super::summary;
use crate::repo::{self, Repo, Scope, WorkTree};
use crate::summary::Summary;

/// The JSON document of `isms stale --format json` (pinned by a test).
#[derive(Serialize)]
struct StaleJson<'a> {
    version: u32,
    as_of: String,
    branch: &'a str,
    /// What was read, when not the working tree as `HEAD` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    flagged: usize,
    due: usize,
    items: &'a [&'a ItemStatus],
    unauthorized: &'a [Unauthorized],
    warnings: &'a [Malformed],
}

pub fn run(ctx: &Context, args: &StaleArgs) -> Result<ExitCode> {
    // GitHub first: without a token nothing is committed or pushed. A dry
    // run asks GitHub nothing.
    let open = match args.open_prs {
        true => {
            let repo = Repo::discover(&ctx.dir)?;
            let snapshot = repo::load(&WorkTree::new(&repo.root)?, &Scope::All)?.snapshot;
            let github = match args.dry_run {
                true => None,
                false => Some(crate::github::GitHub::for_checkout(&repo.root, &snapshot)?),
            };
            Some((repo, snapshot, github))
        }
        false => None,
    };
    let me = match args.owner.as_deref() {
        Some(super::ME) => Some(me(ctx)?),
        _ => None,
    };
    let owner = me.as_deref().or(args.owner.as_deref());
    // An unknown owner is a usage error, reported before any history is read.
    let ask = crate::summary::Ask {
        all: args.all,
        ..super::ask(ctx, owner)
    };
    let a = summary(ctx, ask, args.rev.as_deref())?;
    let owners = owner.and_then(|who| a.owners_for(who));
    let mut items: Vec<&ItemStatus> = a
        .items
        .iter()
        .filter(|i| owners.as_ref().is_none_or(|o| o.contains(&i.owner)))
        .collect();
    // By owner, most urgent state first, then due date, then in the
    // edition's reading order (5.2 before 5.10).
    items.sort_by(|x, y| {
        (&x.owner, std::cmp::Reverse(x.state), x.due)
            .cmp(&(&y.owner, std::cmp::Reverse(y.state), y.due))
            .then_with(|| crate::model::natural_cmp(&x.item, &y.item))
    });
    // Items, not lines: an item both overdue and missing evidence is one
    // item that needs action.
    let worst = crate::check::review::most_urgent(items.iter().copied());
    let flagged = worst.values().filter(|i| i.state.is_flagged()).count();
    let ok = worst.values().filter(|i| i.state == State::Ok).count();
    let due = worst.len() - flagged - ok;
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => {
            let doc = StaleJson {
                version: 1,
                as_of: ctx.today.to_string(),
                branch: &a.branch,
                source: a.source.as_deref(),
                flagged,
                due,
                items: &items,
                unauthorized: &a.unauthorized,
                warnings: &a.warnings,
            };
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        Format::Sarif => {
            crate::output::sarif(&findings(&items));
            Ok(())
        }
        Format::Github => {
            output::job_summary(&job_summary(&items, &a, flagged, due, ctx.today));
            findings(&items)
                .iter()
                .try_for_each(|d| writeln!(out, "{}", output::github(d)))
        }
        Format::Human | Format::Md | Format::Csv | Format::Html => {
            let r = match ctx.format {
                Format::Csv => csv(&mut out, &items),
                _ => human(&mut out, &items, &a),
            };
            for w in &a.warnings {
                output::note(&format!(
                    "warning: commit {}: {}",
                    &w.commit[..10.min(w.commit.len())],
                    w.message
                ));
            }
            for u in &a.unauthorized {
                let why = super::not_the_owners(&a.label(&u.owner), a.is_team(&u.owner));
                output::note(&super::not_counted_warning(
                    &u.item, &u.commit, &u.author, &u.email, &why,
                ));
            }
            if let Some(source) = &a.source {
                output::note(source);
            }
            // What is read is the record branch; a review on this branch
            // is not, yet.
            if args.rev.is_none() {
                super::say_unlanded(ctx, &a.branch, items.iter().copied());
            }
            output::note(&if args.all {
                format!(
                    "{flagged} need action, {due} due soon, {ok} ok, as of {}",
                    ctx.today
                )
            } else if items.is_empty() {
                format!("nothing to review as of {}", ctx.today)
            } else {
                format!(
                    "{} need action, {} due soon, as of {}",
                    flagged, due, ctx.today
                )
            });
            r
        }
    };
    drop(out);
    if let Some((repo, snapshot, github)) = open {
        let record = crate::reading::record_branch(&snapshot)?;
        let config = &snapshot
            .config
            .as_ref()
            .expect("record_branch() checked it")
            .value;
        // Each owner's items a review settles, and the rest that needs
        // action: evidence to collect, findings to close.
        let mut by_owner: BTreeMap<&str, (Vec<&ItemStatus>, Vec<&ItemStatus>)> = BTreeMap::new();
        for i in items.iter().filter(|i| i.state.is_flagged()) {
            let (review, other) = by_owner.entry(i.owner.as_str()).or_default();
            match i.settled_by_review() {
                true => review.push(i),
                false => other.push(i),
            }
        }
        for (owner, (review, other)) in &by_owner {
            if review.is_empty() {
                output::note(&format!(
                    "no pull request for {}: {} evidence collected or a finding closed, which a review does not do (`isms stale --owner {owner}` lists them)",
                    a.label(owner),
                    match other.len() {
                        1 => "1 item needs".to_owned(),
                        n => format!("{n} items need"),
                    }
                ));
            }
        }
        let proposals: Vec<_> = by_owner
            .iter()
            .filter(|(_, (review, _))| !review.is_empty())
            .map(|(owner, (review, other))| overdue_proposal(&a, config, owner, review, other))
            .collect();
        for p in &proposals {
            super::warn_uncounted(&repo, &snapshot, p);
        }
        match &github {
            Some(github) => {
                for p in proposals {
                    let done = crate::github::proposal::open_pr(&repo.root, &record, &p, github)?;
                    super::report_proposal(&p, &done);
                }
            }
            None => super::show_proposals(proposals),
        }
    }
    Ok(ExitCode::from(u8::from(flagged > 0)))
}

/// The person `@me` is, for `--owner`.
fn me(ctx: &Context) -> Result<String> {
    let repo = Repo::discover(&ctx.dir)?;
    let snapshot = repo.outline()?;
    let config = snapshot.config.as_ref().map(|d| &d.value);
    super::me(&repo.root, config, "--owner")
}

/// One owner's pull request: a commit with a `Reviewed:` trailer for each of
/// their items a review settles (`review`), and a body listing them, then
/// the `other` items that need action, which a review does not settle.
fn overdue_proposal(
    a: &Summary,
    config: &crate::model::Config,
    owner: &str,
    review: &[&ItemStatus],
    other: &[&ItemStatus],
) -> crate::github::proposal::Proposal {
    use crate::render::markdown::cell;
    use std::fmt::Write as _;
    // An item both overdue and needing a change is reviewed once.
    let mut keys: Vec<String> = Vec::new();
    for i in review {
        if !keys.contains(&i.item) {
            keys.push(i.item.clone());
        }
    }
    let label = a.label(owner);
    let mut body = format!(
        "Items of **{label}** to review as of this run.\n\n\
         | Item | State | Last review |\n| --- | --- | --- |\n"
    );
    // A row: the item, its state and why, and a last column of its own.
    let row = |body: &mut String, i: &ItemStatus, last: &str| {
        let (item, state) = (&i.item, i.state.as_str());
        let _ = writeln!(
            body,
            "| `{item}` | {state}: {} | {} |",
            cell(&i.detail),
            cell(last)
        );
    };
    for i in review {
        let last = i
            .last_review
            .as_ref()
            .map(|r| format!("{} by {}", r.landed, r.author))
            .unwrap_or_else(|| "never".into());
        row(&mut body, i, &last);
    }
    body.push_str(
        "\nReview each item; when it holds, approve and merge: the commit carries a \
         `Reviewed:` trailer for each item, so merging records the reviews. Change what \
         needs changing in this branch first, or merge with a `Review-Outcome: needs-change` \
         commit on top.\n",
    );
    if !other.is_empty() {
        body.push_str(
            "\nAlso needs action, which a review does not settle (no trailer here):\n\n\
             | Item | State | What to do |\n| --- | --- | --- |\n",
        );
        for i in other {
            row(&mut body, i, &super::what_settles(i));
        }
    }
    let (users, teams) = crate::github::proposal::reviewers(config, [owner]);
    crate::github::proposal::Proposal {
        branch: format!("isms/stale/{owner}"),
        file: None,
        message: crate::github::proposal::message(
            &format!(
                "review: {} of {owner}",
                crate::output::plural(keys.len(), "item")
            ),
            "",
            &keys,
        ),
        items: keys.clone(),
        title: format!(
            "Review {} of {label}",
            crate::output::plural(keys.len(), "item")
        ),
        body,
        users,
        teams,
    }
}

/// Items as findings, for annotations and SARIF: flagged ones are errors,
/// due ones warnings, each at its file.
fn findings(items: &[&ItemStatus]) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::diagnostic::Diagnostic;
    items
        .iter()
        .map(|i| {
            let message = format!("{} is {}: {}", i.item, i.state.as_str(), i.detail);
            if i.state.is_flagged() {
                Diagnostic::error(i.state.as_str(), &i.file, message)
            } else {
                Diagnostic::warning(i.state.as_str(), &i.file, message)
            }
        })
        .collect()
}

/// The job summary of `--format github`: the closing line as its heading,
/// and each item with its owner.
fn job_summary(
    items: &[&ItemStatus],
    a: &Summary,
    flagged: usize,
    due: usize,
    today: chrono::NaiveDate,
) -> String {
    let heading = if items.is_empty() {
        format!("isms stale: nothing to review as of {today}")
    } else {
        format!("isms stale: {flagged} need action, {due} due soon, as of {today}")
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                a.label(&i.owner),
                i.state.as_str().to_owned(),
                format!("`{}`", i.item),
                i.detail.clone(),
            ]
        })
        .collect();
    let mut page = crate::render::job_summary::table(
        &heading,
        &["Owner", "State", "Item", "What"],
        &rows,
        "the annotations, and `isms stale`, list every one",
    );
    // What the scheduled job shows each week, until the move.
    if let Some((catalog, words, by)) = crate::scaffold::templates::superseded(a.edition, today) {
        page.push_str(&format!(
            "**Catalog:** edition {} ({}), {words}. \
             `isms migrate --to {by} --dry-run` shows what moving to it changes.\n",
            catalog.edition, catalog.name
        ));
    }
    if !a.unauthorized.is_empty() {
        let n = a.unauthorized.len();
        page.push_str(&format!(
            "**Not counted:** {}, by authors who do not own the item \
             (approval = \"author\"); `isms stale` names them.\n",
            crate::output::plural(n, "review")
        ));
    }
    page
}

/// The columns of `isms stale --format csv`: JSON's fields, its
/// `last_review`'s flattened.
const CSV_COLUMNS: [&str; 13] = [
    "owner",
    "state",
    "item",
    "kind",
    "file",
    "due",
    "cadence",
    "last_review_landed",
    "last_review_author",
    "last_review_commit",
    "last_review_outcome",
    "last_review_pull_request",
    "detail",
];

/// The items as CSV (RFC 4180), a row an item and state, in the order
/// `stale` lists them: for a spreadsheet that tracks them.
fn csv(out: &mut impl Write, items: &[&ItemStatus]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for i in items {
        let text = |v: Option<String>| v.unwrap_or_default();
        let r = i.last_review.as_ref();
        w.write_record([
            i.owner.as_str(),
            i.state.as_str(),
            &i.item,
            &i.kind,
            &i.file,
            &text(i.due.map(|d| d.to_string())),
            i.cadence.as_deref().unwrap_or(""),
            &text(r.map(|r| r.landed.to_string())),
            r.map_or("", |r| r.author.as_str()),
            r.and_then(|r| r.commit.as_deref()).unwrap_or(""),
            r.map_or("", |r| r.outcome.as_str()),
            &text(r.and_then(|r| r.pull_request).map(|n| n.to_string())),
            &i.detail,
        ])?;
    }
    w.flush()
}

fn human(out: &mut impl Write, items: &[&ItemStatus], a: &Summary) -> std::io::Result<()> {
    let mut groups: BTreeMap<&str, Vec<&ItemStatus>> = BTreeMap::new();
    for i in items {
        groups.entry(i.owner.as_str()).or_default().push(i);
    }
    const BOLD: Style = Style::new().bold();
    let width = items.iter().map(|i| i.item.len()).max().unwrap_or(0);
    for (owner, list) in groups {
        writeln!(out, "{BOLD}{}{BOLD:#}", one_line(&a.label(owner)))?;
        for i in list {
            let style = crate::output::state_style(i.state);
            let pad = 16usize.saturating_sub(i.state.as_str().len());
            let by = match &i.last_review {
                Some(r) => format!("; last review {}", r.words()),
                None => String::new(),
            };
            writeln!(
                out,
                "  {style}{}{style:#}{:pad$} {:<width$}  {}",
                i.state.as_str(),
                "",
                i.item,
                one_line(&format!("{}{by}", i.detail))
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
