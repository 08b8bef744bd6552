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
}
