//! A hermetic environment for running the real `isms` binary and the real
//! `git` against temporary repositories: cleared environment, no user or
//! system git configuration, fixed identities and dates.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use tempfile::TempDir;

pub const DATE: &str = "2026-11-02T10:00:00Z";

pub struct Env {
    pub tmp: TempDir,
}

/// The caller's PATH with the directory of the isms under test first, as
/// the hooks it installs must find it; with `with_isms` false, without any
/// isms at all (the README's first command puts one on PATH, and a test
/// must not run it).
pub fn path_for_hooks(with_isms: bool) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("isms").exists())
        .collect();
    if with_isms {
        let bin = Path::new(assert_cmd::cargo::cargo_bin!("isms"));
        dirs.insert(0, bin.parent().expect("a binary's directory").to_owned());
    }
    std::env::join_paths(dirs).expect("PATH entries")
}

impl Env {
    pub fn new() -> Env {
        Env {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `program` with a clean environment: a HOME of its own, no git
    /// configuration but a fixed identity, UTC, the C locale; the caller's PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> StdCommand {
        let mut cmd = StdCommand::new(program);
        self.hermetic(&mut cmd);
        cmd
    }

    /// A bare repository `origin.git` beside `repo`, added as its `origin`.
    pub fn origin(&self, repo: &Path) -> PathBuf {
        let origin = self.path().join("origin.git");
        let url = origin.to_str().expect("UTF-8 temp path");
        self.git(self.path(), &["init", "-q", "--bare", url]);
        self.git(repo, &["remote", "add", "origin", url]);
        origin
    }

    fn hermetic(&self, cmd: &mut StdCommand) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Alice Ng")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice Ng")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_DATE", DATE)
            .env("TZ", "UTC")
            .env("LC_ALL", "C");
    }

    /// `isms` run in `dir`.
    pub fn isms(&self, dir: &Path) -> Command {
        let mut std = StdCommand::new(assert_cmd::cargo::cargo_bin!("isms"));
        self.hermetic(&mut std);
        std.current_dir(dir);
        Command::from_std(std)
    }

    /// `isms ARGS` run in `dir`: its exit code, stdout and stderr.
    pub fn run(&self, dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
        self.run_with(dir, args, "")
    }

    /// [`Env::run`] with `stdin` on its standard input.
    pub fn run_with(
        &self,
        dir: &Path,
        args: &[&str],
        stdin: &str,
    ) -> (Option<i32>, String, String) {
        let out = self
            .isms(dir)
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The stdout of `isms ARGS` in `dir` with colour forced
    /// (`CLICOLOR_FORCE=1`), having checked that the colour is all it adds:
    /// stripped of it, it is the text of a run off a terminal, which has none,
    /// and `NO_COLOR` wins over the forcing.
    pub fn in_colour(&self, dir: &Path, args: &[&str]) -> String {
        let run = |vars: &[(&str, &str)]| {
            let mut cmd = self.isms(dir);
            cmd.args(args).envs(vars.iter().copied());
            String::from_utf8(cmd.output().unwrap().stdout).unwrap()
        };
        let plain = run(&[]);
        assert!(!plain.contains('\x1b'), "{plain}");
        let forced = run(&[("CLICOLOR_FORCE", "1")]);
        let stripped = anstream::adapter::strip_bytes(forced.as_bytes()).into_vec();
        assert_eq!(String::from_utf8(stripped).unwrap(), plain);
        assert_eq!(run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
        forced
    }

    /// Runs git in `dir` and returns its stdout; panics on failure.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        self.git_at(dir, DATE, args)
    }

    /// `git commit -q --allow-empty -m MESSAGE` in `dir`: a commit whose
    /// message alone says something (a review, by its trailers).
    pub fn commit_empty(&self, dir: &Path, message: &str) -> String {
        self.commit_empty_at(dir, DATE, message)
    }

    /// [`Env::commit_empty`], authored and committed at `date`.
    pub fn commit_empty_at(&self, dir: &Path, date: &str, message: &str) -> String {
        self.git_at(dir, date, &["commit", "-q", "--allow-empty", "-m", message])
    }

    /// Takes `service` of `repo` out of scope (`in_scope = false`) in a
    /// commit at `date`.
    pub fn out_of_scope_at(&self, repo: &Path, service: &str, date: &str) {
        let path = format!("services/{service}.toml");
        write(repo, &path, read(repo, &path) + "in_scope = false\n");
        let message = format!("{service} out of scope");
        self.git_at(repo, date, &["commit", "-qam", &message]);
    }

    /// `isms check --format json [extra…]` in `repo`: its exit code and findings as lines.
    pub fn check(&self, repo: &Path, extra: &[&str]) -> (Option<i32>, String) {
        let out = self
            .isms(repo)
            .args(["check", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code(), findings_as_lines(&out.stdout))
    }

    /// Runs git in `dir` with author and committer dates set to `date`.
    pub fn git_at(&self, dir: &Path, date: &str, args: &[&str]) -> String {
        let mut cmd = StdCommand::new("git");
        self.hermetic(&mut cmd);
        cmd.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
        let out = cmd
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Two commits that conflict on `file` of `repo`, which is on `main`:
    /// one on a new branch `side`, then one on `main`, checked out again.
    pub fn conflicting_side_branch(&self, repo: &Path, file: &str) {
        let base = read(repo, file);
        self.git(repo, &["checkout", "-q", "-b", "side"]);
        write(repo, file, format!("{base}# side\n"));
        self.git(repo, &["commit", "-q", "--no-verify", "-am", "side"]);
        self.git(repo, &["checkout", "-q", "main"]);
        write(repo, file, format!("{base}# main\n"));
        self.git(repo, &["commit", "-q", "--no-verify", "-am", "main"]);
    }

    /// Adds `text` as the approval note of the landing `commit`, as
    /// `isms approvals record` would keep it (or a hand would edit it).
    pub fn add_approval_note(&self, repo: &Path, commit: &str, text: &str) {
        let args = [
            "notes",
            "--ref",
            "isms/approvals",
            "add",
            "-m",
            text,
            commit,
        ];
        self.git(repo, &args);
    }

    /// Commits `approval = "author"` in `repo`'s settings, where the
    /// example has `"pull-request"`: only an owner's own reviews count.
    pub fn commit_author_approval(&self, repo: &Path) {
        let settings = read(repo, "isms.toml");
        let author = settings.replace("approval = \"pull-request\"", "approval = \"author\"");
        assert_ne!(author, settings, "the settings name pull-request approval");
        write(repo, "isms.toml", author);
        self.git(repo, &["commit", "-qam", "author approval"]);
    }

    /// A fresh example repository at `<tmp>/repo` on branch `main`, its
    /// history dated relative to `as_of` (today when `None`).
    pub fn example_on_main(&self, as_of: Option<&str>) -> PathBuf {
        let dir = self.path().join("repo");
        std::fs::create_dir(&dir).unwrap();
        self.git(&dir, &["init", "-q", "-b", "main"]);
        let mut cmd = self.isms(&dir);
        if let Some(date) = as_of {
            cmd.args(["--as-of", date]);
        }
        cmd.args(["init", "--example"]).assert().success();
        dir
    }

    /// A fresh example repository at `<tmp>/<name>`.
    pub fn example(&self, name: &str) -> PathBuf {
        self.isms(self.path())
            .args(["init", "--example", name])
            .assert()
            .success();
        self.path().join(name)
    }
}

/// Findings of `isms check --format json` as stable lines:
/// `file:line:col: severity[rule]: message` and ` = hint: …`.
pub fn findings_as_lines(json: &[u8]) -> String {
    let doc: serde_json::Value = serde_json::from_slice(json).expect("check prints JSON");
    let mut out = String::new();
    for f in doc["findings"].as_array().expect("findings array") {
        let pos = match (f["line"].as_u64(), f["column"].as_u64()) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{}{pos}: {}[{}]: {}\n",
            f["file"].as_str().unwrap(),
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        ));
        if let Some(h) = f["hint"].as_str() {
            out.push_str(&format!("  = hint: {h}\n"));
        }
    }
    out
}

/// `out`, once it is known to have exited 0; otherwise a failure showing its stderr.
pub fn success(out: std::process::Output) -> std::process::Output {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd`: whether it succeeded, and all it printed.
pub fn run_tool(cmd: &mut StdCommand, what: &str) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} is needed: run .ci/test, which installs it ({e})"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Writes `contents` at `dir/rel`, creating directories.
pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

pub fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

/// Lowercase hex SHA-256, as evidence records, MANIFESTs and Git LFS
/// pointers write it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
