//! The pre-commit framework's hook (`.pre-commit-hooks.yaml`), driven by the
//! real `pre-commit` program (`.ci/test` installs it) against a temporary
//! compliance repository: it builds isms from this repository with cargo.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Env, read, write};

fn run(env: &Env, dir: &Path, program: &str, args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    env.command(program)
        .env(
            "PRE_COMMIT_HOME",
            root.join("target/test-tools/pre-commit-cache"),
        )
        // The hook's build shares one target directory across runs.
        .env("CARGO_TARGET_DIR", root.join("target/pre-commit-build"))
        .env(
            "CARGO_HOME",
            std::env::var_os("CARGO_HOME").unwrap_or_else(|| env.path().join(".cargo").into()),
        )
        .env(
            "RUSTUP_HOME",
            std::env::var_os("RUSTUP_HOME").unwrap_or_default(),
        )
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed: run .ci/test, which installs it ({e})"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A compliance repository whose `.pre-commit-config.yaml`, committed, uses
/// the hook `id` of this repository at its HEAD (pre-commit clones the hook
/// repository at a commit).
fn with_hook(env: &Env, id: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rev = String::from_utf8(
        Command::new("git")
            .args(["-C", root.to_str().unwrap(), "rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let repo = env.example("demo");
    write(
        &repo,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: {id}\n",
            root.display(),
            rev.trim()
        ),
    );
    env.git(&repo, &["add", ".pre-commit-config.yaml"]);
    env.git(&repo, &["commit", "-q", "-m", "pre-commit"]);
    repo
}

#[test]
fn the_pre_commit_framework_hook_rejects_an_incomplete_matrix_and_passes_the_fix() {
    let env = Env::new();
    let repo = with_hook(&env, "isms-check");
    let out = run(&env, &repo, "pre-commit", &["install"]);
    assert!(out.status.success(), "{}", text(&out));

    let gap = "responsibilities/payments-api/CLD.6.3.1.toml";
    let saved = read(&repo, gap);
    env.git(&repo, &["rm", "-q", gap]);
    let out = run(
        &env,
        &repo,
        "git",
        &["commit", "-q", "-m", "drop an allocation"],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("matrix-incomplete"), "{}", text(&out));

    write(&repo, gap, saved);
    env.git(&repo, &["add", gap]);
    let out = run(
        &env,
        &repo,
        "git",
        &["commit", "-q", "--allow-empty", "-m", "keep it"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("isms check"), "{}", text(&out));
}

/// The pre-push hook checks each commit pushed as it is committed: a commit
/// that breaks the matrix is not pushed, whatever the working tree holds,
/// its fix is, and deleting a branch checks nothing.
#[test]
fn the_pre_commit_framework_pre_push_hook_checks_the_commit_pushed() {
    let env = Env::new();
    let repo = with_hook(&env, "isms-check-push");
    let origin = env.origin(&repo);
    let out = run(
        &env,
        &repo,
        "pre-commit",
        &["install", "--hook-type", "pre-push"],
    );
    assert!(out.status.success(), "{}", text(&out));
    // The commit `origin` has at `branch`; empty when it has no such branch.
    let pushed = |branch: &str| {
        let out = env
            .command("git")
            .arg("-C")
            .arg(&origin)
            .args(["rev-parse", "--verify", "--quiet", branch])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };

    let gap = "responsibilities/payments-api/CLD.6.3.1.toml";
    let saved = read(&repo, gap);
    env.git(&repo, &["rm", "-q", gap]);
    env.git(
        &repo,
        &["commit", "-q", "--no-verify", "-m", "drop an allocation"],
    );
    // The working tree is whole again, but the commit pushed is not.
    write(&repo, gap, &saved);
    let out = run(
        &env,
        &repo,
        "git",
        &["push", "-q", "origin", "HEAD:refs/heads/broken"],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("matrix-incomplete"), "{}", text(&out));
    assert_eq!(pushed("refs/heads/broken"), "");

    env.git(&repo, &["add", gap]);
    env.git(&repo, &["commit", "-q", "--no-verify", "-m", "put it back"]);
    let out = run(
        &env,
        &repo,
        "git",
        &["push", "-q", "origin", "HEAD:refs/heads/fixed"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        pushed("refs/heads/fixed"),
        env.git(&repo, &["rev-parse", "HEAD"]).trim()
    );
    let out = run(
        &env,
        &repo,
        "git",
        &["push", "-q", "origin", ":refs/heads/fixed"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(pushed("refs/heads/fixed"), "");
}
