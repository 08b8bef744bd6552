//! `isms review ITEM… [--outcome] [--note] [--dry-run]`: one review commit.

use std::process::ExitCode;

use crate::cli::{OutcomeArg, ReviewArgs};
use crate::error::{Error, Result};
use crate::git;
use crate::model::ItemKey;
use crate::output;
use crate::repo::Repo;

use super::Context;

pub fn run(ctx: &Context, args: &ReviewArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    let snapshot = repo.outline()?;
    let mut keys: Vec<ItemKey> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for item in &args.items {
        // A folder stands for every item under it, in key order, unless
        // what is written names an item (`payments-api` in `responsibilities/`).
        let found = ItemKey::resolve(&ctx.item_arg(&repo.root, item), &snapshot)
            .map(|k| vec![k])
            .or_else(|why| match ctx.dir_arg(&repo.root, item) {
                Some(dir) => ItemKey::under(&dir, &snapshot),
                None => Err(why),
            });
        match found {
            Ok(found) => keys.extend(found.into_iter().filter(|k| seen.insert(k.clone()))),
            Err(why) => unknown.push((why, item)),
        }
    }
    if !unknown.is_empty() {
        // One line for each item that cannot be reviewed.
        return Err(match unknown.as_slice() {
            [(one, item)] => super::no_item(format!("nothing recorded: {one}"), item, &snapshot)
                .hint_first(ctx.folder_meant(&repo.root, item)),
            many => Error::new(format!(
                "nothing recorded, for {} items:\n  {}",
                many.len(),
                many.iter()
                    .map(|(why, _)| why.as_str())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ))
            .hint(format!("items are {}", crate::model::KEY_FORMS)),
        });
    }
    let message = message(&keys, args);
    let not_counted = super::not_counted(&repo, &snapshot, &keys);
    // What to know of the items, said after the review as before it.
    let notes: Vec<String> = (out_of_scope(&snapshot, &keys).into_iter())
        .chain(uncommitted(&repo.root, &keys))
        .chain(needs_more(ctx, &repo, &snapshot, &keys))
        .collect();
    if args.dry_run {
        print!("{message}");
        not_counted.iter().for_each(|w| output::note(w));
        notes.iter().for_each(|n| output::note(n));
        return Ok(ExitCode::SUCCESS);
    }
    // isms reviews take turns; a commit made meanwhile by git itself is
    // met by building the review again on the new HEAD.
    repo.refuse_mid_operation("isms review")?;
    let _writer = repo.writer(&mut crate::output::waiting_for)?;
    let commit = commit_on_head(&repo.root, &message)?;
    let branch = super::branch_here(&repo.root);
    let record = snapshot
        .config
        .as_ref()
        .map(|c| c.value.defaults.branch.clone())
        .unwrap_or_default();
    let mut note = format!(
        "recorded a review of {} on {branch} in {}",
        output::plural(keys.len(), "item"),
        &commit[..commit.len().min(10)]
    );
    if branch != record {
        note.push_str(&format!(
            "\nit counts once it lands on `{record}`, the record branch"
        ));
    }
    println!("{commit}");
    output::note(&note);
    not_counted.iter().for_each(|w| output::note(w));
    notes.iter().for_each(|n| output::note(n));
    Ok(ExitCode::SUCCESS)
}

/// What to say when `keys` name a service that is out of scope, or its
/// allocations: nobody is asked to review them, and the review is recorded
/// all the same (it counts should the service return).
fn out_of_scope(snapshot: &crate::model::Snapshot, keys: &[ItemKey]) -> Option<String> {
    let services: std::collections::BTreeSet<&str> = (keys.iter())
        .filter_map(|k| match k {
            ItemKey::Service(svc) | ItemKey::Allocation(svc, _) => Some(svc),
            _ => None,
        })
        .filter(|svc| !snapshot.reviews_allocations_of(svc))
        .map(crate::model::Id::as_str)
        .collect();
    let services: Vec<String> = services.into_iter().map(|s| format!("`{s}`")).collect();
    let (noun, are, they, their, returns) = match services.len() {
        0 => return None,
        1 => ("service", "is", "it", "its", "returns"),
        _ => ("services", "are", "they", "their", "return"),
    };
    let services: Vec<&str> = services.iter().map(String::as_str).collect();
    Some(format!(
        "note: {noun} {} {are} out of scope (in_scope = false): {they} and {their} \
         allocations are not reviewed; the review is recorded all the same, and \
         counts if {they} {returns} to scope",
        output::series(&services, "and"),
    ))
}

/// What to say when `keys` name items that need more than a review, as of
/// the day: a control missing evidence, an expired record, an overdue
/// finding. The review is recorded all the same; their state stays.
fn needs_more(
    ctx: &Context,
    repo: &Repo,
    outline: &crate::model::Snapshot,
    keys: &[ItemKey],
) -> Option<String> {
    use crate::repo::{FileKind, Scope, WorkTree};
    // Only controls that ask for evidence, records and findings can.
    let asks = |k: &ItemKey| match k {
        ItemKey::Control(id) => {
            (outline.controls.get(id)).is_some_and(|c| !c.value.evidence_required.is_empty())
        }
        ItemKey::Evidence(_) | ItemKey::Finding(_) => true,
        _ => false,
    };
    if !keys.iter().any(asks) {
        return None;
    }
    // The outline knows evidence records by path: read them.
    let paths = (outline.present.evidence.iter())
        .map(|id| FileKind::Evidence.path(None, id.as_str()))
        .collect();
    let loaded =
        crate::repo::load(&WorkTree::new(&repo.root).ok()?, &Scope::Changed(paths)).ok()?;
    // In the order the items were named.
    let named: std::collections::HashMap<String, usize> = (keys.iter().enumerate())
        .map(|(n, k)| (k.to_string(), n))
        .collect();
    let mut states = crate::check::review::not_settled_by_review(&loaded.snapshot, ctx.today);
    states.retain(|i| named.contains_key(&i.item));
    states.sort_by_key(|i| named[&i.item]);
    let lines: Vec<String> = states
        .iter()
        .map(|i| {
            format!(
                "  {} is {}: {}; {}",
                i.item,
                i.state.as_str(),
                i.detail,
                super::what_settles(i)
            )
        })
        .collect();
    match lines.is_empty() {
        true => None,
        false => Some(format!(
            "note: a review does not settle what {} still {}:\n{}",
            match lines.len() {
                1 => "this item",
                _ => "these items",
            },
            match lines.len() {
                1 => "needs",
                _ => "need",
            },
            lines.join("\n")
        )),
    }
}

/// What to say when item files of `keys` have changes that `HEAD` does not
/// hold: the review is of each file as `HEAD` has it. Nothing when git
/// cannot tell; the review stands either way.
fn uncommitted(root: &std::path::Path, keys: &[ItemKey]) -> Option<String> {
    let paths: Vec<String> = keys.iter().map(ItemKey::path).collect();
    // git is asked about the items' folders, a few pathspecs however many
    // items a folder holds (one per item would cost seconds for thousands).
    let folders: std::collections::BTreeSet<&str> = (paths.iter())
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    let mut args = vec![
        "status",
        "--porcelain",
        "--no-renames",
        "--untracked-files=all",
        "--",
    ];
    args.extend(folders);
    let status = git::run(root, &args).ok()?;
    // Each item file, with its place in the order the items were named.
    let wanted: std::collections::HashMap<&str, usize> = (paths.iter().enumerate())
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut changed: Vec<(usize, &str)> = (status.lines())
        .filter_map(|l| l.get(3..))
        .filter_map(|p| wanted.get(p).map(|&i| (i, p)))
        .collect();
    changed.sort_unstable();
    let changed: Vec<&str> = changed.into_iter().map(|(_, p)| p).collect();
    let (first, more) = changed.split_first()?;
    let files = match more.len() {
        0 => format!("{first} has changes"),
        n => format!(
            "{first} and {} have changes",
            output::plural(n, "other file")
        ),
    };
    Some(format!(
        "note: the review is of each item's file as HEAD has it, and {files} that are not \
         committed; to review them, commit them and review again"
    ))
}

/// Commits `message` on HEAD with HEAD's own tree (the index and the
/// working tree are not touched) and moves HEAD to it, only if HEAD is still
/// the commit it was built on; otherwise builds it again on the new HEAD.
fn commit_on_head(root: &std::path::Path, message: &str) -> Result<String> {
    let moved = git::advance(root, "HEAD", "isms review", |head| {
        let head = head.ok_or_else(|| {
            Error::new(
                "the repository has no commits yet; commit something before recording a review",
            )
        })?;
        git::commit_tree(root, &format!("{head}^{{tree}}"), &[head], message)
    })?;
    moved.map_err(|e| {
        git::not_moved(
            e,
            "HEAD kept moving while the review was recorded",
            "recorded",
            "isms review",
        )
    })
}

fn subject(key: &ItemKey) -> String {
    match key {
        ItemKey::Allocation(svc, ctl) => format!("{ctl} on {svc}"),
        other => other.to_string().replacen(':', " ", 1),
    }
}

/// The commit message: a readable subject, then the trailers DESIGN §2 defines.
fn message(keys: &[ItemKey], args: &ReviewArgs) -> String {
    let mut m = format!("review: {}", subject(&keys[0]));
    if keys.len() > 1 {
        m.push_str(&format!(" and {} more", keys.len() - 1));
    }
    m.push_str("\n\n");
    for k in keys {
        m.push_str(&format!("Reviewed: {k}\n"));
    }
    let outcome = match args.outcome {
        OutcomeArg::Effective => "effective",
        OutcomeArg::NeedsChange => "needs-change",
    };
    m.push_str(&format!("Review-Outcome: {outcome}\n"));
    // On one line; a note of only blanks is none.
    let note = (args.note.as_deref()).map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
    if let Some(one_line) = note.filter(|n| !n.is_empty()) {
        m.push_str(&format!("Review-Note: {one_line}\n"));
    }
    m
}
