//! What each first-parent commit of a range changed, as `git log` lists it
//! (git's tree diff is faster than libgit2's here), read as it streams.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::files::Fold;
use crate::error::{Error, Result};

/// How far a listing has read, and where it may stop: it lists commits
/// newest first and stops before its `limit + 1`-th, so that another listing
/// can take the older ones.
#[derive(Debug)]
pub struct Reach {
    pub read: AtomicUsize,
    pub limit: AtomicUsize,
}

impl Default for Reach {
    fn default() -> Self {
        Reach {
            read: AtomicUsize::new(0),
            limit: AtomicUsize::new(usize::MAX),
        }
    }
}

/// The item-file changes of the first-parent commits of `range`, folded.
pub fn changes(git_dir: &Path, range: &str, reach: &Reach) -> Result<Fold> {
    let args = ["--name-status", "-z", "--format=%x01%ct", range, "--"];
    first_parent_log(git_dir, &args, range, |stdout| {
        let mut fold = Fold::default();
        let whole = parse(BufReader::with_capacity(1 << 16, stdout), &mut fold, reach)?;
        Ok((fold, whole))
    })
}

/// `git log --first-parent ARGS` (of `revision`, for messages), its output
/// given to `read` as git writes it: merges compared with their first
/// parent, and the output that user configuration could change pinned
/// (renames, root commits, colour, signatures, paths relative to the
/// current folder). `read` says whether it read to the end; where it did
/// not, git is stopped and how it ended is not asked.
pub(super) fn first_parent_log<T>(
    git_dir: &Path,
    args: &[&str],
    revision: &str,
    read: impl FnOnce(std::process::ChildStdout) -> std::io::Result<(T, bool)>,
) -> Result<T> {
    let mut child = Command::new("git")
        // Written in whole buffers: git flushes after every commit when its
        // output is a pipe, a system call and a wake-up each (a third of a
        // cold run's CPU at 100k commits).
        .env("GIT_FLUSH", "0")
        .arg("--git-dir")
        .arg(git_dir)
        .args([
            "-c",
            "log.showSignature=false",
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--root",
            "--no-renames",
            "--no-relative",
            "--no-color",
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::new("could not run the `git` program")
                .caused_by(e)
                .hint("install git and make sure it is on PATH")
        })?;
    let read = read(child.stdout.take().expect("stdout is piped"));
    let whole = matches!(read, Ok((_, true)));
    if !whole {
        let _ = child.kill();
    }
    let output = child
        .wait_with_output()
        .map_err(|e| Error::new("could not run `git log`").caused_by(e))?;
    let (value, _) = read.map_err(|e| Error::new("could not read `git log`").caused_by(e))?;
    if whole && !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::new(format!("`git log {revision}` failed")).caused_by(stderr.trim()));
    }
    Ok(value)
}

/// Reads `\x01<time> \0 (<status> \0 <path> \0)*`, newest commit first;
/// `false` when it stopped at `reach.limit` before the end.
fn parse(mut reader: impl BufRead, fold: &mut Fold, reach: &Reach) -> std::io::Result<bool> {
    let mut landed = 0;
    let mut status: Option<u8> = None;
    let mut read = 0;
    // One buffer for every token: most are a status letter or a path.
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        if reader.read_until(0, &mut buf)? == 0 {
            break;
        }
        let token = buf.strip_suffix(&[0]).unwrap_or(&buf);
        if let Some(status) = status.take() {
            fold.event(status, token, landed);
            continue;
        }
        let token = token.strip_prefix(b"\n").unwrap_or(token);
        if let Some(time) = token.strip_prefix(b"\x01") {
            if read >= reach.limit.load(Ordering::Relaxed) {
                return Ok(false);
            }
            read += 1;
            reach.read.store(read, Ordering::Relaxed);
            landed = std::str::from_utf8(time)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .ok_or_else(|| std::io::Error::other("a commit time that is not a number"))?;
        } else if let Some(&first) = token.first() {
            status = Some(first);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_land_at_their_commit_time() {
        let out = b"\x01300\x00\nM\x00controls/A.1.toml\x00A\x00controls/A.2.toml\x00\
                    \x01200\x00\x01100\x00\nA\x00controls/A.1.toml\x00";
        let mut fold = Fold::default();
        assert!(parse(&out[..], &mut fold, &Reach::default()).unwrap());
        let mut files = std::collections::HashMap::new();
        fold.apply(&mut files);
        assert_eq!(files["controls/A.1.toml"].added, 100);
        assert_eq!(files["controls/A.1.toml"].changed, 300);
        assert_eq!(files["controls/A.2.toml"].added, 300);
    }

    #[test]
    fn a_listing_stops_at_its_limit_with_whole_commits() {
        let out = b"\x01300\x00\nM\x00controls/A.1.toml\x00\x01200\x00\nA\x00controls/A.2.toml\x00";
        let reach = Reach::default();
        reach.limit.store(1, Ordering::Relaxed);
        let mut fold = Fold::default();
        assert!(!parse(&out[..], &mut fold, &reach).unwrap());
        let mut files = std::collections::HashMap::new();
        fold.apply(&mut files);
        assert_eq!(
            files.len(),
            1,
            "the second commit is left to another listing"
        );
        assert_eq!(reach.read.load(Ordering::Relaxed), 1);
    }
}
