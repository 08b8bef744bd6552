//! `isms migrate --to 2022` end to end (DESIGN §10): a 2013 repository with a
//! review history landed through merges and squashes at pinned dates, moved to
//! the 2022 edition in one commit, its history carried across.

mod common;

use std::path::{Path, PathBuf};

use common::{Env, read, success, write};
use predicates::prelude::*;

const AS_OF: &str = "2026-11-02";

/// The legacy example on `main`, dated relative to AS_OF, plus reviews:
/// 9.1.1 a week ago (a merged pull request) and 9.1.2 fourteen months ago
/// (committed on main), 6.1.3 through a squashed pull request.
fn legacy(env: &Env) -> PathBuf {
    let repo = env.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    env.git(&repo, &["init", "-q", "-b", "main"]);
    env.isms(&repo)
        .args(["--as-of", AS_OF, "init", "--example", "--edition", "2013"])
        .assert()
        .success();
    env.commit_empty_at(
        &repo,
        "2025-09-01T10:00:00Z",
        "review: network access\n\nReviewed: control:9.1.2\nReview-Note: firewall rules reviewed",
    );
    env.git(&repo, &["checkout", "-q", "-b", "review/access-policy"]);
    env.commit_empty_at(
        &repo,
        "2026-10-26T10:00:00Z",
        "review: access policy\n\nReviewed: control:9.1.1\nReview-Note: policy v7 approved",
    );
    env.git(&repo, &["checkout", "-q", "main"]);
    env.git_at(
        &repo,
        "2026-10-27T10:00:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "review/access-policy",
            "-m",
            "Merge pull request #20 from example/review/access-policy",
        ],
    );
    // An open reassessment request, as `isms reassess` records it.
    write(
        &repo,
        "reassessments/region-added/payments-api.toml",
        "trigger = \"region-added\"\nservice = \"payments-api\"\nrequested = \"2026-09-20\"\nreason = \"us-east-1\"\n\
         items = [\"control:CLD.6.3.1\", \"control:18.1.1\", \"allocation:payments-api/18.1.1\", \"allocation:payments-api/18.1.5\"]\n",
    );
    env.git(&repo, &["add", "-A"]);
    env.git_at(
        &repo,
        "2026-09-20T10:00:00Z",
        &[
            "commit",
            "-q",
            "-m",
            "reassess: region-added on payments-api",
        ],
    );
    env.commit_empty_at(&repo, "2026-10-01T10:00:00Z", "Authorities contact list (#21)\n\n* review: contact with authorities\n\nReviewed: control:6.1.3\nReview-Note: contact list checked");
    repo
}

fn migrate(env: &Env, repo: &Path, extra: &[&str]) -> std::process::Output {
    env.isms(repo)
        .args(["--as-of", AS_OF, "migrate", "--to", "2022"])
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tracked(env: &Env, repo: &Path, dir: &str) -> Vec<String> {
    env.git(repo, &["ls-files", "--", dir])
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_legacy_repository_moves_to_2022_in_one_commit_with_its_history() {
    let env = Env::new();
    let repo = legacy(&env);
    let before = env.git(&repo, &["rev-parse", "HEAD"]);

    // The dry run prints the plan and writes nothing.
    let dry = success(migrate(&env, &repo, &["--dry-run"]));
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), before);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    let plan = stdout(&dry);
    insta::assert_snapshot!("migrate-plan", plan);

    let out = success(migrate(&env, &repo, &[]));
    assert_eq!(
        stdout(&out),
        plan,
        "the plan it carries out is the dry run's"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the repository is on edition 2022"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One commit, on the current branch, on top of the old tip.
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD~1"]), before);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    let message = env.git(&repo, &["log", "-1", "--format=%B"]);
    assert!(message.starts_with("Migrate the catalog from edition 2013 to 2022\n"));
    assert!(
        message.contains("Isms-Migration: 2013 -> 2022"),
        "{message}"
    );

    // The tree: 2022 controls only, allocations by 2022 ID.
    let controls = tracked(&env, &repo, "controls");
    assert_eq!(controls.len(), 100);
    assert!(controls.contains(&"controls/5.15.toml".to_owned()));
    assert!(controls.contains(&"controls/5.23.toml".to_owned()));
    assert!(!controls.contains(&"controls/9.1.1.toml".to_owned()));
    insta::assert_snapshot!(
        "migrate-tree",
        tracked(&env, &repo, "responsibilities/payments-api").join("\n")
    );
    assert!(read(&repo, "isms.toml").contains("[catalog]\nedition = \"2022\""));
    assert!(repo.join(".isms/migrations/2013-to-2022.toml").is_file());

    // It checks: placeholders and missing decisions are warnings only.
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(0), "{lines}");
    assert!(!lines.contains("error"), "{lines}");
    assert!(
        lines.contains("controls/5.23.toml"),
        "the new controls are flagged: {lines}"
    );

    // References follow: allocations, evidence, findings, triggers.
    let alloc = read(&repo, "responsibilities/payments-api/8.15.toml");
    assert!(alloc.contains("control = \"8.15\""), "{alloc}");
    assert!(
        read(&repo, "evidence/2026-10-admin-log-review.toml")
            .contains("controls = [\"CLD.12.1.5\", \"8.15\"]")
    );
    assert!(read(&repo, "findings/2026-003.toml").contains("controls = [\"5.18\", \"8.2\"]"));
    assert!(
        read(&repo, "triggers/region-added.toml")
            .contains("reassess = [\"CLD.6.3.1\", \"5.5\", \"5.31\", \"5.34\"]")
    );
    // An open reassessment's items: merged ones named once.
    assert!(
        read(&repo, "reassessments/region-added/payments-api.toml").contains(
            "items = [\"control:CLD.6.3.1\", \"control:5.31\", \"allocation:payments-api/5.31\"]"
        ),
        "{}",
        read(&repo, "reassessments/region-added/payments-api.toml")
    );

    // A merged control's log lists its sources' reviews, marked with the old key.
    let log = stdout(&success(
        env.isms(&repo)
            .args(["log", "control:5.15"])
            .output()
            .unwrap(),
    ));
    assert!(
        log.contains("[as control:9.1.1] policy v7 approved"),
        "{log}"
    );
    assert!(
        log.contains("[as control:9.1.2] firewall rules reviewed"),
        "{log}"
    );
    // A renamed control's log, with the pull request that landed it.
    let log = stdout(&success(
        env.isms(&repo)
            .args(["log", "control:5.5"])
            .output()
            .unwrap(),
    ));
    assert!(log.contains("#21"), "{log}");
    assert!(
        log.contains("[as control:6.1.3] contact list checked"),
        "{log}"
    );
    // git follows the 1:1 rename.
    let follow = env.git(
        &repo,
        &["log", "--follow", "--format=%s", "--", "controls/5.5.toml"],
    );
    assert!(
        follow.contains("Initialise compliance repository"),
        "{follow}"
    );
    let follow = env.git(
        &repo,
        &[
            "log",
            "--follow",
            "--format=%s",
            "--",
            "responsibilities/payments-api/CLD.9.5.1.toml",
        ],
    );
    assert!(
        follow.contains("Initialise compliance repository"),
        "{follow}"
    );

    // The old full key still shows its own reviews, and says where its
    // history goes on; no row ends in spaces.
    let old = env
        .isms(&repo)
        .args(["log", "control:9.1.1"])
        .output()
        .unwrap();
    let log = stdout(&success(old.clone()));
    assert!(log.contains("policy v7 approved"), "{log}");
    assert!(log.lines().all(|l| l == l.trim_end()), "{log:?}");
    assert_eq!(
        String::from_utf8_lossy(&old.stderr),
        "control:9.1.1 was migrated to control:5.15; `isms log control:5.15` shows its reviews \
         with those of the items it was made from\n"
    );
    // The old ID is refused by name, with its mapping.
    env.isms(&repo)
        .args(["log", "9.1.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15",
        ));
}

#[test]
fn the_reviews_of_migrated_items_are_still_checked_against_their_approvals() {
    let env = Env::new();
    let repo = legacy(&env);
    let verify = |env: &Env| {
        let out = env
            .isms(&repo)
            .args(["verify-approvals", "--offline"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let before = verify(&env);
    assert!(before.1.contains("control:9.1.2  in "), "{before:?}");
    success(migrate(&env, &repo, &[]));
    // Each review counts for the items made of its item: their owners must
    // have approved it, as before the move; none escapes the check.
    assert_eq!(verify(&env), before);
}

#[test]
fn a_merged_control_is_as_fresh_as_its_stalest_source() {
    let env = Env::new();
    let repo = legacy(&env);
    // Before: 9.1.1 is fresh, 9.1.2 overdue (reviewed 14 months ago).
    let state = |item: &str| -> String {
        let out = env
            .isms(&repo)
            .args(["--as-of", AS_OF, "--format", "json", "stale"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == item)
            .map_or("ok".to_owned(), |i| {
                format!(
                    "{} {}",
                    i["state"].as_str().unwrap(),
                    i["detail"].as_str().unwrap()
                )
            })
    };
    assert_eq!(state("control:9.1.1"), "ok");
    assert_eq!(
        state("control:9.1.2"),
        "overdue was due 2026-09-01 (every 1y)"
    );
    success(migrate(&env, &repo, &[]));
    // After: 5.15 rests on the older review, so it is overdue.
    assert_eq!(
        state("control:5.15"),
        "overdue was due 2026-09-01 (every 1y)"
    );
    // A renamed control keeps its standing: reviewed a month ago, so ok.
    assert_eq!(state("control:5.5"), "ok");
    // A review of the new control itself clears it.
    env.commit_empty_at(
        &repo,
        "2026-11-01T10:00:00Z",
        "review: access control\n\nReviewed: control:5.15",
    );
    assert_eq!(state("control:5.15"), "ok");
    // A control new in 2022 is due one cadence after the migration landed.
    let v: serde_json::Value = serde_json::from_slice(
        &env.isms(&repo)
            .args(["--as-of", "2027-11-03", "--format", "json", "stale"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let new = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "control:5.23")
        .unwrap();
    assert_eq!(new["state"], "overdue");
    assert_eq!(
        new["due"], "2027-11-02",
        "one year after the migration commit"
    );
}

#[test]
fn sources_with_different_parties_become_shared_with_both_duty_texts() {
    let env = Env::new();
    let repo = legacy(&env);
    let path = "responsibilities/payments-api/12.4.1.toml";
    let text = read(&repo, path)
        .replace("party = \"shared\"", "party = \"provider\"")
        .replace(
            "customer = \"Each merchant tenant is responsible for event logging for its own accounts, users and data on Payments API.\"",
            "customer = \"\"",
        );
    write(&repo, path, &text);
    let path = "responsibilities/payments-api/12.4.3.toml";
    let text = read(&repo, path)
        .replace("party = \"shared\"", "party = \"customer\"")
        .replace(
            "provider = \"Example Cloud Ltd is responsible for administrator and operator logs across the Payments API platform.\"",
            "provider = \"\"",
        );
    write(&repo, path, &text);
    env.git(&repo, &["commit", "-qam", "payments-api logging split"]);
    let out = success(migrate(&env, &repo, &[]));
    let plan = stdout(&out);
    assert!(
        plan.contains(
            "  party         allocation:payments-api/8.15\n                sources differ (12.4.1 provider, 12.4.3 customer): made shared"
        ),
        "{plan}"
    );
    let merged = read(&repo, "responsibilities/payments-api/8.15.toml");
    assert!(merged.contains("party = \"shared\""), "{merged}");
    assert!(
        merged.contains("provider = \"12.4.1: Example Cloud Ltd is responsible for event logging across the Payments API platform.\""),
        "{merged}"
    );
    assert!(
        merged.contains("customer = \"12.4.3: Each merchant tenant is responsible for administrator and operator logs for its own accounts, users and data on Payments API.\""),
        "{merged}"
    );
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(0), "{lines}");
}

#[test]
fn the_json_plan_lists_every_control_and_decision() {
    let env = Env::new();
    let repo = legacy(&env);
    let out = success(migrate(&env, &repo, &["--dry-run", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["version"].as_u64(), v["from"].as_str(), v["to"].as_str()),
        (Some(1), Some("2013"), Some("2022"))
    );
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["commit"], serde_json::Value::Null);
    let controls = v["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 100);
    let c815 = controls.iter().find(|c| c["id"] == "8.15").unwrap();
    assert_eq!(c815["how"], "merged");
    assert_eq!(
        c815["from"],
        serde_json::json!(["12.4.1", "12.4.2", "12.4.3"])
    );
    let new: Vec<&str> = controls
        .iter()
        .filter(|c| c["how"] == "new")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        new,
        [
            "5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"
        ]
    );
    let decisions = v["decisions"].as_array().unwrap();
    assert!(
        decisions
            .iter()
            .any(|d| d["kind"] == "owner" && d["item"] == "control:7.10")
    );
    assert_eq!(
        decisions
            .iter()
            .filter(|d| d["kind"] == "new-control")
            .count(),
        11
    );
}

/// Runs `isms migrate` and requires exit 2, an unchanged HEAD and an
/// unchanged working tree; returns stderr.
fn refused(env: &Env, repo: &Path, args: &[&str]) -> String {
    let head = env.git(repo, &["rev-parse", "HEAD"]);
    let status = env.git(repo, &["status", "--porcelain"]);
    let maps = repo.join(".isms/migrations").exists();
    let out = env.isms(repo).arg("migrate").args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.git(repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(env.git(repo, &["status", "--porcelain"]), status);
    assert_eq!(repo.join(".isms/migrations").exists(), maps);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let repo = legacy(&env);

    let err = refused(&env, &repo, &["--to", "2019"]);
    assert!(err.contains("unknown edition `2019`"), "{err}");
    assert!(err.contains("editions: 2013, 2022"), "{err}");

    // Uncommitted changes.
    let path = "controls/9.1.1.toml";
    let original = read(&repo, path);
    write(
        &repo,
        path,
        original.replace("status = \"implemented\"", "status = \"partial\""),
    );
    let err = refused(&env, &repo, &["--to", "2022"]);
    assert!(err.contains("uncommitted changes"), "{err}");
    write(&repo, path, &original);

    // A control the crosswalk does not know, added by hand.
    let custom = read(&repo, "controls/5.1.1.toml")
        .replace("id = \"5.1.1\"", "id = \"ACME-1\"")
        .replace("ISO/IEC 27002:2013", "Example Cloud internal");
    write(&repo, "controls/ACME-1.toml", custom);
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-qm", "an internal control"]);
    let err = refused(&env, &repo, &["--to", "2022"]);
    assert!(
        err.contains("controls/ACME-1.toml: control `ACME-1` is not a control of the 2013 catalog"),
        "{err}"
    );
    assert!(err.contains("move it out of controls/"), "{err}");
    env.git(&repo, &["rm", "-q", "controls/ACME-1.toml"]);
    env.git(&repo, &["commit", "-qm", "drop it"]);

    // An edition isms does not know.
    let config = read(&repo, "isms.toml");
    write(
        &repo,
        "isms.toml",
        config.replace("edition = \"2013\"", "edition = \"2017\""),
    );
    env.git(&repo, &["commit", "-qam", "a typo"]);
    let err = refused(&env, &repo, &["--to", "2022"]);
    assert!(err.contains("isms.toml"), "{err}");
    assert!(err.contains("`2017` is not one of: 2013, 2022"), "{err}");
    write(&repo, "isms.toml", &config);
    env.git(&repo, &["commit", "-qam", "fixed"]);

    // A rebase stopped half way, with a clean tree: the migration's
    // commit would become one of the rebase's.
    let stopped = env
        .command("git")
        .current_dir(&repo)
        .env("GIT_SEQUENCE_EDITOR", "sed -i -e '$a break'")
        .args(["rebase", "-q", "-i", "HEAD~1"])
        .output()
        .unwrap();
    assert!(stopped.status.success(), "{stopped:?}");
    let err = refused(&env, &repo, &["--to", "2022"]);
    assert!(
        err.contains("git is in the middle of a rebase; `isms migrate` would commit into it"),
        "{err}"
    );
    assert!(
        err.contains("`git rebase --continue` or `git rebase --abort`"),
        "{err}"
    );
    env.git(&repo, &["rebase", "--abort"]);

    // Already there.
    success(migrate(&env, &repo, &[]));
    let err = refused(&env, &repo, &["--to", "2022"]);
    assert!(err.contains("already on edition 2022"), "{err}");
}

#[test]
fn a_repository_without_an_edition_is_2013() {
    let env = Env::new();
    let repo = legacy(&env);
    let config = read(&repo, "isms.toml");
    let without = config.replace("[catalog]\nedition = \"2013\"", "");
    assert_ne!(config, without);
    write(&repo, "isms.toml", &without);
    env.git(&repo, &["commit", "-qam", "as before editions"]);
    assert_eq!(env.check(&repo, &[]), (Some(0), String::new()));
    success(migrate(&env, &repo, &[]));
    assert!(read(&repo, "isms.toml").contains("[catalog]\nedition = \"2022\""));
}

#[test]
fn the_commit_msg_hook_names_the_2022_control_for_a_2013_key() {
    let env = Env::new();
    let repo = env.example("demo");
    let msg = env.path().join("MSG");
    std::fs::write(
        &msg,
        "review\n\nReviewed: control:9.1.1\nReviewed: control:5.15\n",
    )
    .unwrap();
    env.isms(&repo)
        .args(["hooks", "commit-msg"])
        .arg(&msg)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Reviewed: control:9.1.1 — control:9.1.1 does not exist in this repository; 9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15",
        ))
        .stderr(predicate::str::contains("control:5.15 —").not());
}

#[test]
fn a_repository_in_crlf_line_endings_keeps_them_through_the_migration() {
    // Files committed with CR LF, as an editor on Windows writes them: the
    // migration commit changes the lines it must and no line ending.
    let env = Env::new();
    let repo = legacy(&env);
    for path in env.git(&repo, &["ls-files", "--", "*.toml"]).lines() {
        let text = read(&repo, path);
        write(&repo, path, text.replace('\n', "\r\n"));
    }
    env.git(&repo, &["commit", "-q", "-am", "CR LF"]);
    success(migrate(&env, &repo, &[]));

    // The settings: the edition's line alone.
    assert_eq!(
        env.git(
            &repo,
            &["diff", "--numstat", "HEAD~1", "HEAD", "--", "isms.toml"]
        ),
        "1\t1\tisms.toml\n"
    );
    // A renamed control and allocation, a merged control and allocation.
    let lone_lf = |path: &str| {
        let text = read(&repo, path);
        text.matches('\n').count() - text.matches("\r\n").count()
    };
    for path in [
        "isms.toml",
        "controls/5.5.toml",
        "controls/5.15.toml",
        "responsibilities/payments-api/5.15.toml",
        "responsibilities/payments-api/8.15.toml",
        "triggers/region-added.toml",
        "reassessments/region-added/payments-api.toml",
        "evidence/2026-10-admin-log-review.toml",
    ] {
        assert_eq!(lone_lf(path), 0, "{path}:\n{}", read(&repo, path));
    }
    // git still sees the 1:1 rename.
    let follow = env.git(
        &repo,
        &["log", "--follow", "--format=%s", "--", "controls/5.5.toml"],
    );
    assert!(follow.contains("CR LF"), "{follow}");
    assert_eq!(env.check(&repo, &[]).0, Some(0));
}

#[test]
fn the_diff_of_a_migration_says_what_each_item_was_made_from() {
    let env = Env::new();
    let repo = legacy(&env);
    success(migrate(&env, &repo, &[]));
    let out = success(
        env.isms(&repo)
            .args(["--format", "json", "diff", "HEAD~1", "HEAD"])
            .output()
            .unwrap(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let find = |kind: &str, id: &str| {
        changes
            .iter()
            .find(|c| c["kind"] == kind && c["id"] == id)
            .unwrap_or_else(|| panic!("{kind} {id}: {changes:#?}"))
    };
    // A merge: one control made from two, each of which went into it.
    assert_eq!(
        find("control", "5.15")["migrated_from"],
        serde_json::json!(["9.1.1", "9.1.2"])
    );
    for old in ["9.1.1", "9.1.2"] {
        let gone = find("control", old);
        assert_eq!(gone["change"], "deleted");
        assert_eq!(gone["migrated_to"], serde_json::json!(["5.15"]));
    }
    // A control new in 2022 was made from nothing.
    let new = find("control", "5.7");
    assert_eq!(new["change"], "created");
    assert!(new.get("migrated_from").is_none(), "{new}");
    // No rename the map does not record: git pairs files by similar text,
    // which took new controls' allocations for merged ones'.
    for c in changes.iter().filter(|c| c.get("renamed_from").is_some()) {
        let from = c["migrated_from"]
            .as_array()
            .expect("a rename the map records");
        assert!(from.contains(&c["renamed_from"]), "{c}");
    }

    let text = String::from_utf8(
        success(
            env.isms(&repo)
                .args(["diff", "HEAD~1", "HEAD"])
                .output()
                .unwrap(),
        )
        .stdout,
    )
    .unwrap();
    assert!(
        text.contains("\n- `5.15` (migrated from `9.1.1`, `9.1.2`)\n"),
        "{text}"
    );
    assert!(text.contains("\n- `9.1.2` migrated to `5.15`\n"), "{text}");
    assert!(text.contains("\n- `5.7` created\n"), "{text}");
}

#[test]
fn status_the_dashboard_and_the_stale_job_say_a_superseded_edition_is_until_the_move() {
    let env = Env::new();
    let repo = legacy(&env);
    let status = |as_of: &str| {
        let out = env
            .isms(&repo)
            .args(["--as-of", as_of, "status"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = "  catalog: edition 2013 (ISO/IEC 27002:2013 with ISO/IEC 27017:2015)\n    \
                superseded: certification audits are against edition 2022 since 2025-11-01;\n    \
                `isms migrate --to 2022 --dry-run` shows what moving to it changes\n";
    assert!(status(AS_OF).contains(said), "{}", status(AS_OF));
    // Before the day, what is to come.
    assert!(
        status("2025-10-31").contains(
            "to be superseded: certification audits are against edition 2022 from 2025-11-01;"
        ),
        "{}",
        status("2025-10-31")
    );
    let overview = || {
        let out = env.path().join("site");
        env.isms(&repo)
            .args(["--as-of", AS_OF, "site", "--out"])
            .arg(&out)
            .assert()
            .success();
        std::fs::read_to_string(out.join("index.html")).unwrap()
    };
    assert!(
        overview().contains(
            "<p class=\"notice\" data-notice=\"catalog\">Catalog: edition 2013 \
             (ISO/IEC 27002:2013 with ISO/IEC 27017:2015), superseded: certification audits \
             are against edition 2022 since 2025-11-01. <code>isms migrate --to 2022 --dry-run</code> \
             shows what moving to it changes.</p>"
        ),
        "{}",
        overview()
    );
    // And the page of the scheduled job that flags stale reviews.
    let job_page = || {
        let page = env.path().join("step_summary.md");
        let _ = std::fs::remove_file(&page);
        let out = env
            .isms(&repo)
            .env("GITHUB_STEP_SUMMARY", &page)
            .args(["--as-of", AS_OF, "stale", "--format", "github"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        std::fs::read_to_string(&page).unwrap()
    };
    assert!(
        job_page().ends_with(
            "\n**Catalog:** edition 2013 (ISO/IEC 27002:2013 with ISO/IEC 27017:2015), \
             superseded: certification audits are against edition 2022 since 2025-11-01. \
             `isms migrate --to 2022 --dry-run` shows what moving to it changes.\n"
        ),
        "{}",
        job_page()
    );
    // Moved, none says anything of the catalog.
    success(migrate(&env, &repo, &[]));
    assert!(!status(AS_OF).contains("catalog"), "{}", status(AS_OF));
    assert!(!overview().contains("notice"));
    assert!(!job_page().contains("Catalog"));
}
