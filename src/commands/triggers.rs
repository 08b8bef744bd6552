//! `isms triggers detect --from REV --to REV`: which triggers a change fires,
//! and what they ask to reassess.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::check::triggers::{Compiled, Fired, affected};
use crate::cli::{DetectArgs, Format, TriggersCommand};
use crate::error::{Error, Result};
use crate::history::diff::{commit, structured_diff};
use crate::model::Trigger;
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

/// A fired trigger with the items it asks to reassess.
#[derive(Serialize)]
pub struct Detected {
    #[serde(flatten)]
    pub fired: Fired,
    pub items: Vec<String>,
    /// The trigger as defined at `--to`.
    #[serde(skip)]
    pub trigger: Trigger,
    /// The file's two versions, as text.
    #[serde(skip)]
    pub old_text: Option<String>,
    #[serde(skip)]
    pub new_text: Option<String>,
}

pub fn run(ctx: &Context, cmd: TriggersCommand) -> Result<ExitCode> {
    match cmd {
        TriggersCommand::Detect(args) => detect_cmd(ctx, &args),
    }
}

fn detect_cmd(ctx: &Context, args: &DetectArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    let git =
        git2::Repository::open(&repo.git_dir).map_err(|e| Error::git("open the repository", e))?;
    let from = commit(&git, "--from", &args.from)?;
    let to = commit(&git, "--to", &args.to)?;
    // GitHub first: without a token nothing is committed or pushed.
    let open = match args.open_pr {
        true => {
            let snapshot = crate::repo::load(
                &crate::repo::WorkTree::new(&repo.root)?,
                &crate::repo::Scope::All,
            )?
            .snapshot;
            let github = crate::github::GitHub::for_checkout(&repo.root, &snapshot)?;
            Some((snapshot, github))
        }
        false => None,
    };
    let (detected, files) = detect(&git, &from, &to)?;
    // Buffered: one write for many lines (stdout is line-buffered).
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let short = |c: &git2::Commit<'_>| c.id().to_string()[..10].to_owned();
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &DetectJson {
                version: 1,
                from: from.id().to_string(),
                to: to.id().to_string(),
                fired: &detected,
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out)),
        Format::Github => findings(&detected)
            .iter()
            .try_for_each(|d| writeln!(out, "{}", output::github(d))),
        Format::Human | Format::Md | Format::Csv | Format::Html => {
            detected.iter().try_for_each(|d| human(&mut out, d))
        }
        Format::Sarif => {
            crate::render::sarif::print(&findings(&detected));
            Ok(())
        }
    };
    let triggers: std::collections::BTreeSet<&str> =
        detected.iter().map(|d| d.fired.trigger.as_str()).collect();
    output::note(&match detected.len() {
        0 => format!(
            "no trigger fired on {files} changed file{} from {} to {}",
            plural(files),
            short(&from),
            short(&to)
        ),
        n => format!(
            "{} trigger{} fired {n} time{} on {files} changed file{} from {} to {}",
            triggers.len(),
            plural(triggers.len()),
            plural(n),
            plural(files),
            short(&from),
            short(&to)
        ),
    });
    drop(out);
    if let Some((snapshot, github)) = open {
        let record = crate::reading::record_branch(&snapshot)?;
        let summary = super::worktree_summary(ctx, None)?;
        let inputs = super::reassess::Inputs {
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
            let fired = super::reassess::Fired {
                from: from.id().to_string(),
                to: to.id().to_string(),
                path: &f.path,
                changes: &f.changes,
                old_text: d.old_text.as_deref(),
                new_text: d.new_text.as_deref(),
            };
            let p = super::reassess::reassessment(
                &inputs,
                &d.trigger,
                f.service.as_deref(),
                &reason,
                Some(&fired),
            )?;
            let done = crate::github::proposal::open_pr(&repo.root, &record, &p, &github)?;
            super::report_proposal(&p, &done);
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
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}: {}\n  {}{service}{renamed}: {}\n  reassess: {}\n",
        f.trigger,
        f.title,
        f.path,
        changes_line(f),
        d.items.join(", ")
    )
}

/// The triggers (as of `to`) that the change from `from` to `to` fires, and
/// how many files changed.
pub fn detect(
    git: &git2::Repository,
    from: &git2::Commit<'_>,
    to: &git2::Commit<'_>,
) -> Result<(Vec<Detected>, usize)> {
    let err = |e| Error::git("compare the revisions", e);
    let new_tree = to.tree().map_err(err)?;
    let changed = structured_diff(git, from, to)?;
    for warning in &changed.warnings {
        output::note(warning);
    }
    let changed = changed.changed;
    let triggers = load_triggers(git, &new_tree);
    let compiled: Vec<Compiled<'_>> = triggers
        .iter()
        .filter_map(|(path, t)| match Compiled::new(t) {
            Ok(c) => Some(c),
            Err(why) => {
                output::note(&format!("warning: {path}: {why}; the trigger is skipped"));
                None
            }
        })
        .collect();

    let files = changed.len();
    let mut detected = Vec::new();
    for change in changed {
        for c in &compiled {
            if let Some(fired) = c.evaluate(&change.file) {
                let items = affected(c.trigger, fired.service.as_deref(), |svc, ctl| {
                    let path = format!("responsibilities/{svc}/{ctl}.toml");
                    new_tree.get_path(std::path::Path::new(&path)).is_ok()
                });
                detected.push(Detected {
                    fired,
                    items,
                    trigger: c.trigger.clone(),
                    old_text: change.old_text.clone(),
                    new_text: change.new_text.clone(),
                });
            }
        }
    }
    detected.sort_by(|a, b| {
        (&a.fired.trigger, &a.fired.service, &a.fired.path).cmp(&(
            &b.fired.trigger,
            &b.fired.service,
            &b.fired.path,
        ))
    });
    Ok((detected, files))
}

/// The triggers of `tree`, by path; files that do not parse are reported
/// and skipped.
fn load_triggers(git: &git2::Repository, tree: &git2::Tree<'_>) -> Vec<(String, Trigger)> {
    let Ok(entry) = tree.get_path(std::path::Path::new("triggers")) else {
        return Vec::new();
    };
    let Ok(dir) = git.find_tree(entry.id()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in dir.iter() {
        let Some(name) = e.name().ok().filter(|n| n.ends_with(".toml")) else {
            continue;
        };
        let path = format!("triggers/{name}");
        let Ok(blob) = git.find_blob(e.id()) else {
            continue;
        };
        let text = String::from_utf8_lossy(blob.content());
        match toml::from_str::<Trigger>(&text) {
            Ok(t) => out.push((path, t)),
            Err(e) => output::note(&format!(
                "warning: {path}: {}; the trigger is skipped (run `isms check`)",
                e.message()
            )),
        }
    }
    out
}
