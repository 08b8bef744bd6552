//! The record as a git bundle: the history of one commit on the record
//! branch, with the approval notes, written with the `git` program so the
//! same commit gives the same bytes, and read back into a scratch
//! repository to re-derive what a pack holds.

use std::path::Path;

use crate::error::{Error, Result};

/// A git bundle of `commit` and its history, as the ref `refs/heads/<branch>`,
/// with the approval notes when there are any:
/// the record itself, so the pack can be re-derived offline. Written by one
/// thread, so that the same commit gives the same bytes.
pub fn create(git_dir: &Path, commit: &str, branch: &str) -> Result<Vec<u8>> {
    use std::process::{Command, Stdio};
    let run = |what: &str, e: std::io::Error| {
        Error::new(format!("could not run `git {what}`"))
            .caused_by(e)
            .hint("install git and make sure it is on PATH")
    };
    // The approval notes go with the record, so `verify-approvals
    // --offline` can be run on the bundle.
    let notes = crate::history::notes::tip(git_dir);
    let mut list = Command::new("git")
        // Whole buffers into the pipe, not one write per object.
        .env("GIT_FLUSH", "0")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["rev-list", "--objects", commit])
        .args(notes.as_deref())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| run("rev-list", e))?;
    let objects = list.stdout.take().expect("stdout is piped");
    let packed = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["pack-objects", "--stdout", "--threads=1", "-q"])
        .stdin(objects)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| run("pack-objects", e))?;
    let listed = list.wait().map_err(|e| run("rev-list", e))?;
    if !listed.success() || !packed.status.success() {
        return Err(
            Error::new(format!("could not bundle the history of {commit}"))
                .caused_by(String::from_utf8_lossy(&packed.stderr).trim().to_owned()),
        );
    }
    let mut heads = format!("{commit} refs/heads/{branch}\n");
    if let Some(notes) = &notes {
        heads.push_str(&format!("{notes} {}\n", crate::check::approvals::NOTES_REF));
    }
    let mut out = format!("# v2 git bundle\n{heads}\n").into_bytes();
    out.extend_from_slice(&packed.stdout);
    Ok(out)
}

/// Fetches `refs/heads/<branch>` from `bundle` (a file called `name` in a
/// pack) into a new bare repository at `git_dir`, with the bundle written
/// in `scratch` on the way; the branch's tip. Errors name `name`.
pub fn open(
    bundle: &[u8],
    name: &str,
    branch: &str,
    scratch: &Path,
    git_dir: &Path,
) -> std::result::Result<String, String> {
    let bundle_path = scratch.join(name);
    std::fs::write(&bundle_path, bundle).map_err(|e| format!("{name}: {e}"))?;
    let git = |args: &[&str]| -> std::result::Result<String, String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(args)
            .output()
            .map_err(|e| format!("could not run git: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    };
    std::process::Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(git_dir)
        .output()
        .map_err(|e| format!("could not run git: {e}"))?;
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    git(&["fetch", "--quiet", &bundle_path.to_string_lossy(), &refspec])
        .map_err(|e| format!("{name}: not a bundle of refs/heads/{branch}: {e}"))?;
    let tip =
        git(&["rev-parse", &format!("refs/heads/{branch}")]).map_err(|e| format!("{name}: {e}"))?;
    Ok(tip)
}
