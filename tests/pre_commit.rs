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

#[test]
fn the_pre_commit_framework_hook_rejects_an_incomplete_matrix_and_passes_the_fix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // pre-commit clones the hook repository at a commit: this one's HEAD.
    let rev = String::from_utf8(
        Command::new("git")
            .args(["-C", root.to_str().unwrap(), "rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let env = Env::new();
    let repo = env.example("demo");
    write(
        &repo,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: isms-check\n",
            root.display(),
            rev.trim()
        ),
    );
    env.git(&repo, &["add", ".pre-commit-config.yaml"]);
    env.git(&repo, &["commit", "-q", "-m", "pre-commit"]);
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
