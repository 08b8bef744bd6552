//! Global options, help and usage errors.

mod common;

use common::Env;
use predicates::prelude::*;

#[test]
fn help_shows_examples_and_exit_codes() {
    let env = Env::new();
    env.isms(env.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("isms init --example demo"))
        .stdout(predicate::str::contains(
            "Exit status: 0 all good, 1 problems found, 2 could not run.",
        ))
        .stdout(predicate::str::contains("--as-of <DATE>"));
}

#[test]
fn version_prints_the_crate_version() {
    let env = Env::new();
    env.isms(env.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("isms {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.isms(env.path())
        .arg("chekc")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand 'chekc'"));
    env.isms(env.path())
        .args(["--as-of", "2026-02-30", "check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value '2026-02-30' for '--as-of <DATE>'",
        ));
    env.isms(env.path())
        .args(["-C", "nowhere", "check"])
        .assert()
        .code(2)
        .stderr("error: -C nowhere: no such directory\n");
    std::fs::write(env.path().join("notes.txt"), "").unwrap();
    env.isms(env.path())
        .args(["-C", "notes.txt", "check"])
        .assert()
        .code(2)
        .stderr("error: -C notes.txt: not a directory\n");
}

#[test]
fn completions_for_every_shell_and_a_manual_page_come_from_the_commands() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = env
            .isms(env.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in ["approvals", "verify-approvals", "migrate", "completions"] {
            assert!(text.contains(sub), "{shell} completes {sub}");
        }
    }
    // bash reads its script without a syntax error, and completes a subcommand.
    let script = env.path().join("isms.bash");
    let out = env
        .isms(env.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    std::fs::write(&script, &out.stdout).unwrap();
    let completed = env
        .command("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && COMP_WORDS=(isms appr) COMP_CWORD=1 && _isms isms appr isms && echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(completed.status.success(), "{completed:?}");
    assert_eq!(String::from_utf8_lossy(&completed.stdout), "approvals\n");

    let man = env.isms(env.path()).arg("man").output().unwrap();
    assert!(man.status.success());
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(man.contains(".TH isms 1"), "{man}");
    assert!(man.contains("verify\\-approvals"), "{man}");
    env.isms(env.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: bash, elvish, fish, powershell, zsh",
        ));
}

#[test]
fn every_path_is_relative_to_dash_c() {
    let env = Env::new();
    let repo = env.example("demo");
    let outside = env.path();
    for args in [
        &["-C", "demo", "pack", "--out", "p.zip"][..],
        &["-C", "demo", "site", "--out", "s"],
        &["-C", "demo", "export", "oscal", "--out", "o"],
    ] {
        env.isms(outside).args(args).assert().success();
    }
    assert!(repo.join("p.zip").is_file());
    assert!(repo.join("s/index.html").is_file());
    assert!(repo.join("o/ssp.json").is_file());
    for name in ["p.zip", "s", "o"] {
        assert!(!outside.join(name).exists(), "{name} is not beside demo/");
    }
    env.isms(outside)
        .args(["-C", "demo", "pack", "--verify", "p.zip"])
        .assert()
        .success();
    // What isms suggests next is run the same way.
    env.isms(outside)
        .args(["-C", "demo", "new", "service", "billing", "--model", "saas"])
        .assert()
        .success()
        .stderr(predicate::str::contains("then `isms -C demo check`"));
    // So is a command that a finding's hint suggests.
    std::fs::remove_file(repo.join("responsibilities/tenant-db/5.18.toml")).unwrap();
    env.isms(outside)
        .args(["-C", "demo", "check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "= hint: run `isms -C demo new allocation tenant-db 5.18` to create it",
        ));
}
