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
    let mut unknown = Vec::new();
    for item in &args.items {
        match ItemKey::resolve(&ctx.item_arg(&repo.root, item), &snapshot) {
            Ok(k) if !keys.contains(&k) => keys.push(k),
            Ok(_) => {}
            Err(why) => unknown.push(why),
        }
    }
    if !unknown.is_empty() {
        // One line for each item that cannot be reviewed.
        let said = match unknown.as_slice() {
            [one] => format!("nothing recorded: {one}"),
            many => format!(
                "nothing recorded, for {} items:\n  {}",
                many.len(),
                many.join("\n  ")
            ),
        };
        return Err(Error::new(said).hint(format!("items are {}", crate::model::KEY_FORMS)));
    }
    let message = message(&keys, args);
    let not_counted = super::not_counted(&repo, &snapshot, &keys);
    if args.dry_run {
        print!("{message}");
        not_counted.iter().for_each(|w| output::note(w));
        return Ok(ExitCode::SUCCESS);
    }
    // isms reviews take turns; a commit made meanwhile by git itself is
    // met by building the review again on the new HEAD.
    repo.refuse_mid_operation("isms review")?;
    let _writer = repo.writer(&mut crate::output::waiting_for)?;
    let commit = commit_on_head(&repo.root, &message)?;
    let branch = git::run(&repo.root, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .unwrap_or_else(|_| "a detached HEAD".into());
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
    Ok(ExitCode::SUCCESS)
}

/// How often a review is built again on a HEAD that moved under it.
const ATTEMPTS: u32 = 20;

/// Commits `message` on HEAD with HEAD's own tree (the index and the
/// working tree are not touched) and moves HEAD to it, only if HEAD is still
/// the commit it was built on; otherwise builds it again on the new HEAD.
fn commit_on_head(root: &std::path::Path, message: &str) -> Result<String> {
    for attempt in 0..ATTEMPTS {
        let head = git::resolve(root, "HEAD")?.ok_or_else(|| {
            Error::new(
                "the repository has no commits yet; commit something before recording a review",
            )
        })?;
        let commit = git::commit_tree(root, &format!("{head}^{{tree}}"), &[&head], message)?;
        match git::run(
            root,
            &["update-ref", "-m", "isms review", "HEAD", &commit, &head],
        ) {
            Ok(_) => return Ok(commit),
            // HEAD moved, or another process holds its lock: try again.
            Err(_) if attempt + 1 < ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(
                    10 * u64::from(attempt + 1),
                ));
            }
            Err(e) => return Err(not_moved(e)),
        }
    }
    unreachable!("the loop returns")
}

/// Why HEAD could not be moved to the review, after every attempt: a lock
/// git left (or holds) is named, with how to clear it; else HEAD moved.
fn not_moved(e: Error) -> Error {
    let stderr = e.cause.as_deref().unwrap_or("");
    let lock = stderr
        .split_once("Unable to create '")
        .and_then(|(_, rest)| rest.split_once("': File exists"))
        .map(|(path, _)| path.to_owned());
    match lock {
        Some(lock) => Error::new(format!(
            "{lock} exists: another git command holds the branch's lock, or one that stopped \
             left it; nothing was recorded ({ATTEMPTS} tries)"
        ))
        .hint("if no git command is running, remove that file, then run `isms review` again"),
        None => Error::new(format!(
            "HEAD kept moving while the review was recorded ({ATTEMPTS} tries); nothing was recorded"
        ))
        .caused_by(match &e.cause {
            Some(cause) => format!("{}: {cause}", e.message),
            None => e.message,
        })
        .hint("run `isms review` again once other commits have finished"),
    }
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
