//! `isms triggers detect --from REV --to REV`: which triggers a change fires,
//! and what they ask to reassess.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::triggers::{Detected, Fired, detect};
use crate::cli::{DetectArgs, Format, TriggersCommand};
use crate::diagnostic::one_line;
use crate::error::Result;
use crate::history::diff::Revisions;
use crate::model::FileKind;
use crate::output;
use crate::repo::Repo;

use super::Context;

/// The JSON document of `isms triggers detect --format json`.
#[derive(Serialize)]
struct DetectJson<'a> {
    version: u32,
    from: String,
    to: String,
    fired: &'a [Detected],
}

pub fn run(ctx: &Context, cmd: TriggersCommand) -> Result<ExitCode> {
    match cmd {
        TriggersCommand::Detect(args) => detect_cmd(ctx, &args),
    }
}

fn detect_cmd(ctx: &Context, args: &DetectArgs) -> Result<ExitCode> {
    // Commits alone, unless a pull request is to be made of them: then a
    // working tree, whose branch it is made on.
    let repo = Repo::discover_reading(&ctx.dir, !args.open_pr)?;
    let revs = Revisions::open(&repo.git_dir)?;
    // A bad revision is named as it was given.
    let (named, rev) = args.to();
    let to = revs.commit(named, rev)?;
    // The triggers are TO's: a commit without the settings is no record's,
    // and has none to fire.
    if !revs.has_file(to, crate::repo::CONFIG_FILE) {
        return Err(crate::repo::commit_without_settings(&to.to_string()));
    }
    let from = match args.from() {
        Some((named, rev)) => revs.commit(named, rev)?,
        None => {
            let base = super::record_base(&repo, &revs, to)?;
            if base == to {
                output::note(&format!(
                    "note: {} is on the record branch, so --from, where it left the branch, \
                     is itself; name the revision before the change, e.g. --from HEAD~1",
                    to.short()
                ));
            }
            base
        }
    };
    // GitHub first: without a token nothing is committed or pushed.
    let open = match args.open_pr {
        true => {
            let snapshot = crate::repo::load(
                &crate::repo::WorkTree::new(&repo.root)?,
                &crate::repo::Scope::All,
            )?
            .snapshot;
            let github = match args.dry_run {
                true => None,
                false => Some(crate::github::GitHub::for_checkout(&repo.root, &snapshot)?),
            };
            Some((snapshot, github))
        }
        false => None,
    };
    let diff = revs.diff(Some(from), to)?;
    let (triggers, unread) = revs.triggers(to)?;
    for warning in diff.warnings.iter().chain(&unread) {
        output::note(warning);
    }
    let files = diff.changed.len();
    // Files left out are said to be, not counted among those compared.
    let files = match diff.left_out {
        0 => format!("{files} changed file{}", plural(files)),
        n => format!("{files} changed file{} ({n} not compared)", plural(files)),
    };
    // A service out of scope before and after the change is not watched;
    // one whose file is at neither revision (an orphan's) is.
    let watched = |svc: &str| match (
        revs.service_in_scope(from, svc),
        revs.service_in_scope(to, svc),
    ) {
        (None, None) => true,
        (before, after) => before == Some(true) || after == Some(true),
    };
    let (detected, skipped) = detect(
        diff.changed,
        &triggers,
        |svc, ctl| revs.has_file(to, &FileKind::Allocation.path(Some(svc), ctl)),
        watched,
    );
    for warning in &skipped {
        output::note(warning);
    }
    let triggers: std::collections::BTreeSet<&str> =
        detected.iter().map(|d| d.fired.trigger.as_str()).collect();
    // The closing line, on stderr, and the heading of a job summary.
    let closing = match detected.len() {
        0 => format!(
            "no trigger fired on {files} from {} to {}",
            from.short(),
            to.short()
        ),
        n => format!(
            "{} trigger{} fired {n} time{} on {files} from {} to {}",
            triggers.len(),
            plural(triggers.len()),
            plural(n),
            from.short(),
            to.short()
        ),
    };
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &DetectJson {
                version: 1,
                from: from.to_string(),
                to: to.to_string(),
                fired: &detected,
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out)),
        Format::Github => {
            output::job_summary(&job_summary(&closing, &detected));
            findings(&detected)
                .iter()
                .try_for_each(|d| writeln!(out, "{}", output::github(d)))
        }
        Format::Human | Format::Md | Format::Csv | Format::Html => {
            detected.iter().try_for_each(|d| human(&mut out, d))
        }
        Format::Sarif => {
            crate::output::sarif(&findings(&detected));
            Ok(())
        }
    };
    output::note(&closing);
    drop(out);
    if let Some((snapshot, github)) = open {
        let record = crate::reading::record_branch(&snapshot)?;
        let mut shown = Vec::new();
        let summary = super::worktree_summary(ctx, None)?;
        let inputs = crate::github::reassessment::Inputs {
            snapshot: &snapshot,
            summary: &summary,
            today: ctx.today,
        };
        for d in &detected {
            let f = &d.fired;
            let reason = format!(
                "{}{}: {}",
                f.service
                    .as_deref()
                    .map(|s| format!("{s}, "))
                    .unwrap_or_default(),
                f.path,
                changes_line(f)
            );
            let fired = crate::github::reassessment::Fired {
                from: from.to_string(),
                to: to.to_string(),
                path: &f.path,
                changes: &f.changes,
                old_text: d.old_text.as_deref(),
                new_text: d.new_text.as_deref(),
            };
            let p = crate::github::reassessment::reassessment(
                &inputs,
                &d.trigger,
                f.service.as_deref(),
                &reason,
                Some(&fired),
            )?;
            super::warn_uncounted(&repo, &snapshot, &p);
            match &github {
                Some(github) => {
                    let done = crate::github::proposal::open_pr(&repo.root, &record, &p, github)?;
                    super::report_proposal(&p, &done);
                }
                None => shown.push(p),
            }
        }
        if github.is_none() {
            super::show_proposals(shown);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Fired triggers as findings (notices for annotations, warnings in SARIF).
fn findings(detected: &[Detected]) -> Vec<crate::diagnostic::Diagnostic> {
    detected
        .iter()
        .map(|d| {
            let on = d
                .fired
                .service
                .as_deref()
                .map(|s| format!(" on {s}"))
                .unwrap_or_default();
            crate::diagnostic::Diagnostic::warning(
                "trigger-fired",
                &d.fired.path,
                format!(
                    "{}{on} fired: {}; reassess {}",
                    d.fired.trigger,
                    changes_line(&d.fired),
                    d.items.join(", ")
                ),
            )
        })
        .collect()
}

/// The job summary of `--format github`: the closing line as its heading,
/// and what fired, where, and what to reassess.
fn job_summary(closing: &str, detected: &[Detected]) -> String {
    let rows: Vec<Vec<String>> = detected
        .iter()
        .map(|d| {
            let reassess: Vec<String> = d.items.iter().map(|i| format!("`{i}`")).collect();
            vec![
                format!("`{}`", d.fired.trigger),
                d.fired.service.clone().unwrap_or_default(),
                changes_line(&d.fired),
                reassess.join(", "),
            ]
        })
        .collect();
    crate::render::job_summary::table(
        &format!("isms triggers detect: {closing}"),
        &["Trigger", "Service", "Change", "Reassess"],
        &rows,
        "the annotations, and `isms triggers detect`, list every one",
    )
}

fn changes_line(f: &Fired) -> String {
    f.changes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn human(out: &mut impl Write, d: &Detected) -> std::io::Result<()> {
    const BOLD: anstyle::Style = anstyle::Style::new().bold();
    let f = &d.fired;
    let service = f
        .service
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let renamed = f
        .renamed_from
        .as_deref()
        .map(|o| format!(", renamed from {o}"))
        .unwrap_or_default();
    // The title and the values come from the files: shown, never obeyed.
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}: {}\n  {}{service}{renamed}: {}\n  reassess: {}\n",
        f.trigger,
        one_line(&f.title),
        one_line(&f.path),
        one_line(&changes_line(f)),
        d.items.join(", ")
    )
}
