//! `isms hooks install|uninstall`, and the commit-msg hook's check.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{CommitMsgArgs, HooksCommand, HooksInstallArgs};
use crate::error::{Error, Result};
use crate::git;
use crate::model::ItemKey;
use crate::output;
use crate::repo::Repo;

use super::Context;

/// The hooks of a clone, as shipped in `hooks/`.
const HOOKS: [(&str, &str); 3] = [
    ("pre-commit", include_str!("../../hooks/pre-commit")),
    ("commit-msg", include_str!("../../hooks/commit-msg")),
    ("pre-push", include_str!("../../hooks/pre-push")),
];

/// The hook of a bare repository, where pushes are received.
const SERVER_HOOKS: [(&str, &str); 1] = [("pre-receive", include_str!("../../hooks/pre-receive"))];

/// The hooks for `repo`: a bare one receives pushes; a clone commits.
fn hooks_of(repo: &Repo) -> &'static [(&'static str, &'static str)] {
    match repo.is_bare() {
        true => &SERVER_HOOKS,
        false => &HOOKS,
    }
}

/// The line that marks a hook as installed by isms.
const MARKER: &str = "# isms-hook:";

pub fn run(ctx: &Context, cmd: HooksCommand) -> Result<ExitCode> {
    match cmd {
        HooksCommand::Install(args) => install(ctx, &args),
        HooksCommand::Uninstall => uninstall(ctx),
        HooksCommand::CommitMsg(args) => commit_msg(ctx, &args),
    }
}

/// Where git runs hooks from for this repository: `core.hooksPath` when set,
/// else the common git directory's `hooks/` (shared by worktrees).
fn hooks_dir(root: &Path) -> Result<PathBuf> {
    let dir = git::run(
        root,
        &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
    )?;
    Ok(PathBuf::from(dir))
}

fn backup(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".isms-backup");
    path.with_file_name(name)
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.starts_with(MARKER)))
}

/// Refuses a `core.hooksPath` set outside this repository's own config:
/// the global or system one is shared by every repository that sets none,
/// and isms hooks there would check each of them.
fn refuse_shared(root: &Path, dir: &Path) -> Result<()> {
    let Some((scope, file)) = git::config_origin(root, "core.hooksPath")? else {
        return Ok(());
    };
    if scope != "global" && scope != "system" {
        return Ok(());
    }
    let own = git::run(
        root,
        &["rev-parse", "--path-format=absolute", "--git-common-dir"],
    )?;
    let own = Path::new(&own).join("hooks");
    Err(Error::new(format!(
        "the hooks directory, {}, is shared: core.hooksPath is set in {file} ({scope} config), so every repository without one of its own runs the hooks there, and isms hooks would check each of them; nothing was changed",
        dir.display()
    ))
    .hint(format!(
        "give this repository hooks of its own (`git config core.hooksPath {}`) and run `isms hooks install` again, or run `isms check --staged` from your shared pre-commit hook",
        own.display()
    )))
}

fn install(ctx: &Context, args: &HooksInstallArgs) -> Result<ExitCode> {
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let hooks = hooks_of(&repo);
    let dir = hooks_dir(&repo.root)?;
    refuse_shared(&repo.root, &dir)?;
    // Decide everything before writing anything.
    let mut foreign = Vec::new();
    for (name, _) in hooks {
        let path = dir.join(name);
        if path.exists() && !is_ours(&path) {
            if backup(&path).exists() {
                return Err(Error::new(format!(
                    "{} exists, and so does {}: nothing was changed",
                    path.display(),
                    backup(&path).display()
                ))
                .hint("move one of them away, then run `isms hooks install --force` again"));
            }
            foreign.push(path);
        }
    }
    if !foreign.is_empty() && !args.force {
        let list: Vec<String> = foreign.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::new(format!(
            "hooks that isms did not install are in the way: {}; nothing was changed",
            list.join(", ")
        ))
        .hint("`isms hooks install --force` keeps each as <hook>.isms-backup and runs it before the isms hook"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    for path in &foreign {
        std::fs::rename(path, backup(path)).map_err(|e| Error::io("move aside", path, e))?;
    }
    for (name, text) in hooks {
        let path = dir.join(name);
        crate::fsutil::replace(&path, text.as_bytes())?;
        make_executable(&path)?;
    }
    let kept = if foreign.is_empty() {
        String::new()
    } else {
        format!(
            "; kept {} as .isms-backup, run first",
            output::plural(foreign.len(), "existing hook")
        )
    };
    let names: Vec<&str> = hooks.iter().map(|(name, _)| *name).collect();
    output::note(&format!(
        "installed {} in {}{kept}",
        output::series(&names, "and"),
        dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io("make executable", path, e))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

fn uninstall(ctx: &Context) -> Result<ExitCode> {
    let repo = Repo::discover_for_commits(&ctx.dir)?;
    let dir = hooks_dir(&repo.root)?;
    let mut removed = 0;
    let mut restored = 0;
    for (name, _) in hooks_of(&repo) {
        let path = dir.join(name);
        if path.exists() && !is_ours(&path) {
            output::note(&format!("left {}: isms did not install it", path.display()));
            continue;
        }
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
            removed += 1;
        }
        let saved = backup(&path);
        if saved.exists() {
            std::fs::rename(&saved, &path).map_err(|e| Error::io("restore", &saved, e))?;
            restored += 1;
        }
    }
    if removed == 0 && restored == 0 {
        output::note(&format!("no isms hook is installed in {}", dir.display()));
        return Ok(ExitCode::SUCCESS);
    }
    output::note(&format!(
        "removed {} from {}{}",
        output::plural(removed, "isms hook"),
        dir.display(),
        if restored > 0 {
            format!("; restored {}", output::plural(restored, "earlier hook"))
        } else {
            String::new()
        }
    ));
    Ok(ExitCode::SUCCESS)
}

/// Checks the `Reviewed:` and `Review-Outcome:` trailers of a commit message:
/// every item must exist, every outcome be known. Exit 1 naming each bad line.
fn commit_msg(ctx: &Context, args: &CommitMsgArgs) -> Result<ExitCode> {
    // Read as the history walker reads landed messages: a message in
    // another encoding (git's `i18n.commitEncoding`) still has its trailers.
    let bytes = crate::fsutil::read_bounded(&args.file, crate::repo::MAX_FILE_BYTES)
        .map_err(|e| Error::io("read the commit message", &args.file, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let blocks = crate::history::trailers::blocks(&text);
    let trailers: Vec<_> = blocks
        .iter()
        .flatten()
        .filter(|t| {
            t.key.eq_ignore_ascii_case("Reviewed") || t.key.eq_ignore_ascii_case("Review-Outcome")
        })
        .collect();
    // A misspelt key would be passed over: a review that is never recorded.
    // Only where its value is what the key takes, so that a `Reviewer:`
    // naming a person is not one; a note, in a message that records a review.
    use crate::history::trailers::misspells;
    let reviews = blocks
        .iter()
        .flatten()
        .any(|t| t.key.eq_ignore_ascii_case("Reviewed") || misspells(t, false) == Some("Reviewed"));
    let misspelt: Vec<_> = blocks
        .iter()
        .flatten()
        .filter_map(|t| misspells(t, reviews).map(|meant| (t, meant)))
        .collect();
    if trailers.is_empty() && misspelt.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let repo = Repo::discover(&ctx.dir)?;
    let snapshot = repo.outline()?;
    let line_of = |key: &str, value: &str| {
        text.lines()
            .position(|l| {
                let l = l.trim();
                l.len() > key.len()
                    && l.get(..key.len())
                        .is_some_and(|k| k.eq_ignore_ascii_case(key))
                    && l.get(key.len()..)
                        .is_some_and(|r| r.trim_start().starts_with(':'))
                    && l.contains(value)
            })
            .map_or(0, |i| i + 1)
    };
    // Each bad line, in the order of the message.
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut problem = |t: &crate::history::trailers::Trailer, why: String| {
        let line = line_of(&t.key, &t.value);
        problems.push((
            line,
            format!(
                "{}:{line}: {}: {} — {why}",
                args.file.display(),
                t.key,
                t.value
            ),
        ));
    };
    for (t, meant) in misspelt {
        problem(
            t,
            format!("isms reads no `{}` trailer; did you mean `{meant}`?", t.key),
        );
    }
    // The items reviewed, once each, for the author-approval warning.
    let mut keys: Vec<ItemKey> = Vec::new();
    for t in trailers {
        let why = if t.key.eq_ignore_ascii_case("Reviewed") {
            match ItemKey::parse(&t.value) {
                Ok(key) if key.exists_in(&snapshot) => {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                    None
                }
                Ok(key) => Some(format!(
                    "{key} does not exist in this repository{}",
                    key.unknown_note(&snapshot)
                )),
                // A bare ID, as the command line takes it: the key it names.
                Err(why) => Some(match ItemKey::resolve(&t.value, &snapshot) {
                    Ok(key) if !t.value.contains(':') => {
                        format!("{why}; {}", crate::diagnostic::meant(key))
                    }
                    _ => why,
                }),
            }
        } else {
            crate::history::Outcome::parse(&t.value).is_none().then(|| {
                let meant =
                    crate::diagnostic::value_meant(&t.value, &["effective", "needs-change"])
                        .map(|v| format!("; {}", crate::diagnostic::meant(v)))
                        .unwrap_or_default();
                format!("`{}` is not effective or needs-change{meant}", t.value)
            })
        };
        if let Some(why) = why {
            problem(t, why);
        }
    }
    problems.sort_by_key(|(line, _)| *line);
    if problems.is_empty() {
        super::not_counted(&repo, &snapshot, &keys)
            .iter()
            .for_each(|w| output::note(w));
        return Ok(ExitCode::SUCCESS);
    }
    for (_, p) in &problems {
        output::note(&format!("error: {p}"));
    }
    output::note(&format!(
        "the commit was not made; items are {} (your message is kept in .git/COMMIT_EDITMSG)",
        crate::model::KEY_FORMS
    ));
    Ok(ExitCode::from(1))
}
