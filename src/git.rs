//! Running the `git` program, so users' configuration, hooks, signing and
//! credential helpers apply exactly as they do on the command line.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

/// Runs `git -C dir args…`; its stdout on success, a clear error otherwise.
pub fn run(dir: &Path, args: &[&str]) -> Result<String> {
    run_with(dir, args, &[])
}

/// [`run`] with extra environment variables (identities, dates).
pub fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let env: Vec<_> = env.iter().map(|&(k, v)| (k, OsStr::new(v))).collect();
    let stdout = bytes_with(dir, args, &env)?;
    Ok(String::from_utf8_lossy(&stdout).trim_end().to_owned())
}

/// Runs `git -C dir args…` that talks to a remote (ls-remote, fetch, push):
/// it fails rather than ask for a password, and an HTTP(S) transfer that
/// moves nothing for `stall` is given up rather than waited on for ever
/// (unless `GIT_HTTP_LOW_SPEED_LIMIT` or `_TIME` is already set).
pub fn remote(dir: &Path, args: &[&str], stall: std::time::Duration) -> Result<String> {
    let secs = stall.as_secs().max(1).to_string();
    let mut env = vec![("GIT_TERMINAL_PROMPT", "0")];
    if std::env::var_os("GIT_HTTP_LOW_SPEED_LIMIT").is_none()
        && std::env::var_os("GIT_HTTP_LOW_SPEED_TIME").is_none()
    {
        env.extend([
            ("GIT_HTTP_LOW_SPEED_LIMIT", "1"),
            ("GIT_HTTP_LOW_SPEED_TIME", secs.as_str()),
        ]);
    }
    run_with(dir, args, &env)
}

/// The output of `git -C dir args…`, whatever its exit status; an error only
/// when git could not be run.
fn output(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Result<std::process::Output> {
    Command::new("git")
        // The output is read whole: no flush after each record.
        .env("GIT_FLUSH", "0")
        // No optional locks: `git status` would otherwise write back the
        // index it refreshed, and a `git add` run meanwhile would find the
        // index locked. isms only asks; what git writes is the user's call.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .envs(env.iter().copied())
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            Error::new("could not run the `git` program")
                .caused_by(e)
                .hint("install git and make sure it is on PATH")
        })
}

/// The commit `rev` names, or `None` when it names none (an unborn `HEAD`,
/// a branch that does not exist). That git could not answer is an error,
/// never "none".
pub fn resolve(dir: &Path, rev: &str) -> Result<Option<String>> {
    // `--quiet`: a name that resolves to nothing exits 1 and says nothing.
    commit_or_none(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
}

/// The best common ancestor of commits `a` and `b`, or `None` when they
/// share no history (exit 1, nothing said).
pub fn merge_base(dir: &Path, a: &str, b: &str) -> Result<Option<String>> {
    commit_or_none(dir, &["merge-base", a, b])
}

/// The commit id `git args…` prints, or `None` when it exits 1 and says
/// nothing; anything else is an error.
fn commit_or_none(dir: &Path, args: &[&str]) -> Result<Option<String>> {
    stdout_or_none(dir, args, |stdout| {
        let id = stdout.trim();
        (!id.is_empty()).then(|| id.to_owned())
    })
}

/// What `read` makes of the stdout of `git args…` that succeeded, or `None`
/// when git exits 1 and says nothing (nothing found); an error when it
/// fails otherwise, or `read` cannot read what it printed.
fn stdout_or_none<T>(
    dir: &Path,
    args: &[&str],
    read: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>> {
    let output = output(dir, args, &[])?;
    let failed = || {
        Error::new(format!("`git {}` failed", args.join(" ")))
            .caused_by(String::from_utf8_lossy(&output.stderr).trim())
    };
    match output.status.code() {
        Some(0) => {
            let stdout = String::from_utf8_lossy(&output.stdout);
            read(&stdout).map(Some).ok_or_else(failed)
        }
        Some(1) if output.stderr.is_empty() => Ok(None),
        _ => Err(failed()),
    }
}

/// The paths whose content differs between commits `from` and `to`
/// (renames as a deletion and a creation).
pub fn changed_paths(dir: &Path, from: &str, to: &str) -> Result<Vec<String>> {
    let args = [
        "diff",
        "--name-only",
        "-z",
        "--no-renames",
        "--no-ext-diff",
        from,
        to,
    ];
    let stdout = bytes_with(dir, &args, &[])?;
    Ok(stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// [`run_with`]'s stdout as bytes, untrimmed: for `-z` listings.
pub fn bytes_with(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Result<Vec<u8>> {
    let output = output(dir, args, env)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::new(format!("`git {}` failed", args.join(" "))).caused_by(stderr.trim()));
    }
    Ok(output.stdout)
}

/// A commit of `tree` on `parents` (the first first) with `message`, made
/// as `git commit` would make it: signed when `commit.gpgSign` asks for
/// every commit to be, which `git commit-tree` alone does not read. Its id.
pub fn commit_tree(dir: &Path, tree: &str, parents: &[&str], message: &str) -> Result<String> {
    let sign =
        run(dir, &["config", "--type=bool", "--get", "commit.gpgSign"]).is_ok_and(|v| v == "true");
    let mut args = vec!["commit-tree"];
    if sign {
        args.push("-S");
    }
    args.push(tree);
    for parent in parents {
        args.extend(["-p", parent]);
    }
    args.extend(["-m", message]);
    run(dir, &args).map_err(|e| {
        let e = Error::new(format!("`git commit-tree{}` could not make the commit", if sign { " -S" } else { "" }))
            .caused_by(e.cause.unwrap_or(e.message));
        match author(dir) {
            None => e.hint("git needs an identity to commit: set user.name and user.email"),
            Some(_) if sign => e.hint(
                "commit.gpgSign asks git to sign every commit: put right what it says about signing",
            ),
            Some(_) => e,
        }
    })
}

/// How often a commit is built again on a ref that moved under it.
pub const ATTEMPTS: u32 = 20;

/// Makes a commit with `build`, on the commit `refname` is at (`None`: it
/// does not exist yet), and moves `refname` to it only if nothing moved it
/// meanwhile; when something did, or holds its lock, builds it again on
/// where it went, up to [`ATTEMPTS`] times. The commit's id; `Ok(Err(_))`
/// is the last refusal to move the ref (see [`not_moved`]), and an error of
/// `build` is returned at once.
pub fn advance(
    dir: &Path,
    refname: &str,
    reflog: &str,
    mut build: impl FnMut(Option<&str>) -> Result<String>,
) -> Result<std::result::Result<String, Error>> {
    let mut attempt = 0;
    loop {
        let tip = resolve(dir, refname)?;
        let commit = build(tip.as_deref())?;
        let old = tip.unwrap_or_else(|| "0".repeat(40));
        match run(dir, &["update-ref", "-m", reflog, refname, &commit, &old]) {
            Ok(_) => return Ok(Ok(commit)),
            Err(e) if attempt + 1 >= ATTEMPTS => return Ok(Err(e)),
            Err(_) => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 * u64::from(attempt)));
            }
        }
    }
}

/// Why [`advance`] could not move its ref, after every attempt: a lock git
/// left (or holds) is named, with how to clear it; else the ref kept moving
/// (`moving`: "HEAD kept moving while the review was recorded"). `recorded`
/// says what was not made ("recorded", "committed"); `rerun` is the command
/// to run again.
pub fn not_moved(e: Error, moving: &str, recorded: &str, rerun: &str) -> Error {
    let stderr = e.cause.as_deref().unwrap_or("");
    let lock = stderr
        .split_once("Unable to create '")
        .and_then(|(_, rest)| rest.split_once("': File exists"))
        .map(|(path, _)| path.to_owned());
    match lock {
        Some(lock) => Error::new(format!(
            "{lock} exists: another git command holds the branch's lock, or one that stopped \
             left it; nothing was {recorded} ({ATTEMPTS} tries)"
        ))
        .hint(format!(
            "if no git command is running, remove that file, then run `{rerun}` again"
        )),
        None => Error::new(format!(
            "{moving} ({ATTEMPTS} tries); nothing was {recorded}"
        ))
        .caused_by(match &e.cause {
            Some(cause) => format!("{}: {cause}", e.message),
            None => e.message,
        })
        .hint(format!(
            "run `{rerun}` again once other commits have finished"
        )),
    }
}

/// Where `key` is set for the repository at `dir`, if anywhere: its scope
/// (`local`, `worktree`, `global`, `system` or `command`) and the file that
/// sets it (the last, where it is set more than once).
pub fn config_origin(dir: &Path, key: &str) -> Result<Option<(String, String)>> {
    let args = ["config", "--show-scope", "--show-origin", "--get", key];
    stdout_or_none(dir, &args, |stdout| {
        let mut fields = stdout.splitn(3, '\t');
        let (scope, origin, _value) = (fields.next()?, fields.next()?, fields.next()?);
        let origin = origin.strip_prefix("file:").unwrap_or(origin);
        Some((scope.to_owned(), origin.to_owned()))
    })
}

/// The author identity git would use here, as (name, email), if configured.
pub fn author(dir: &Path) -> Option<(String, String)> {
    let ident = run(dir, &["var", "GIT_AUTHOR_IDENT"]).ok()?;
    // "Name <email> 1700000000 +0000"
    let (name, rest) = ident.split_once(" <")?;
    let (email, _) = rest.split_once('>')?;
    Some((name.trim().to_owned(), email.trim().to_owned()))
}

/// Whether `path` (relative to the work tree at `root`) differs from `HEAD`,
/// staged or not.
pub fn has_uncommitted_changes(root: &Path, path: &str) -> Result<bool> {
    let out = run(root, &["status", "--porcelain", "--", path])?;
    Ok(!out.is_empty())
}

/// Whether tracked files at `path` (a file or directory relative to the work
/// tree at `root`) differ from `HEAD`. Untracked files do not count: for
/// generated output, they are the previous run's.
pub fn has_uncommitted_tracked_changes(root: &Path, path: &str) -> Result<bool> {
    let out = run(
        root,
        &["status", "--porcelain", "--untracked-files=no", "--", path],
    )?;
    Ok(!out.is_empty())
}

/// The work tree where the branch `refname` (`refs/heads/…`) is checked
/// out, this one or another of the repository's, if any: a commit made on
/// it without that work tree would leave its index and files behind.
pub fn checked_out_at(root: &Path, refname: &str) -> Result<Option<String>> {
    let out = run(root, &["worktree", "list", "--porcelain"])?;
    let mut tree = None;
    for line in out.lines() {
        if let Some(path) = line.strip_prefix("worktree ") {
            tree = Some(path);
        } else if line.strip_prefix("branch ") == Some(refname) {
            return Ok(tree.map(str::to_owned));
        }
    }
    Ok(None)
}
