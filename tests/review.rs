//! `isms review` writes the record; `isms log` reads it back by the rules of
//! DESIGN §2: what counts is what landed on the record branch, and when.

mod common;

use std::path::Path;

use common::{Env, read, write};
use predicates::prelude::*;

fn log(env: &Env, repo: &Path, item: &str) -> String {
    let out = env.isms(repo).args(["log", item]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn review_commits_trailers_and_keeps_the_index_and_tree() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    write(&repo, "README.md", "staged change\n");
    env.git(&repo, &["add", "README.md"]);
    write(
        &repo,
        "isms.toml",
        format!("{}# unstaged\n", read(&repo, "isms.toml")),
    );
    let tree_before = env.git(&repo, &["rev-parse", "HEAD^{tree}"]);
    env.isms(&repo)
        .args([
            "review",
            "CLD.9.5.1",
            "payments-api/CLD.9.5.1",
            "--note",
            "isolation test\n2026-H2 passed",
        ])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "recorded a review of 2 items on main in ",
        ));
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%B"]),
        "review: control CLD.9.5.1 and 1 more\n\nReviewed: control:CLD.9.5.1\nReviewed: allocation:payments-api/CLD.9.5.1\nReview-Outcome: effective\nReview-Note: isolation test 2026-H2 passed\n\n"
    );
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD^{tree}"]), tree_before);
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        "M  README.md\n M isms.toml\n"
    );
}

/// A review is of each item's file as `HEAD` has it: an item file with
/// changes not yet committed, staged or not, is named, and the changes stay
/// where they were. Files of items not reviewed are not named.
#[test]
fn a_review_names_the_item_files_whose_changes_it_does_not_hold() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let control = "controls/5.15.toml";
    let allocation = "responsibilities/payments-api/5.15.toml";
    write(
        &repo,
        control,
        format!("{}# unstaged\n", read(&repo, control)),
    );
    write(
        &repo,
        allocation,
        format!("{}# staged\n", read(&repo, allocation)),
    );
    env.git(&repo, &["add", allocation]);
    write(&repo, "controls/5.16.toml", "# not reviewed\n");
    let said = "note: the review is of each item's file as HEAD has it, and \
                controls/5.15.toml and 1 other file have changes that are not committed; \
                to review them, commit them and review again\n";
    for dry_run in [true, false] {
        let mut cmd = env.isms(&repo);
        cmd.args(["review", "5.15", "payments-api/5.15"]);
        if dry_run {
            cmd.arg("--dry-run");
        }
        cmd.assert()
            .success()
            .stderr(predicate::str::ends_with(said));
    }
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        " M controls/5.15.toml\n M controls/5.16.toml\nM  responsibilities/payments-api/5.15.toml\n"
    );
    env.isms(&repo)
        .args(["review", "5.1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").not());
}

#[test]
fn review_refuses_unknown_and_ambiguous_items_and_commits_nothing() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    write(
        &repo,
        "findings/tenant-db.toml",
        read(&repo, "findings/2026-003.toml").replace("id = \"2026-003\"", "id = \"tenant-db\""),
    );
    env.git(&repo, &["add", "--all"]);
    env.git(&repo, &["commit", "-qm", "finding named like a service"]);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    env.isms(&repo)
        .args(["review", "CLD.9.5.1", "control:CLD.0.0.0", "nosuch", "tenant-db"])
        .assert()
        .code(2)
        .stderr(
            "error: nothing recorded, for 3 items:\n  control:CLD.0.0.0 does not exist\n  \
             no item is called `nosuch`\n  `tenant-db` is ambiguous: it could be \
             `service:tenant-db` or `finding:tenant-db`\n  \
             hint: items are control:ID, service:ID, allocation:SERVICE/CONTROL, evidence:ID or finding:ID\n",
        );
    // A likely typo is named with what it may mean.
    env.isms(&repo)
        .args(["review", "payments-ap"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: nothing recorded: no item is called `payments-ap`; did you mean `payments-api`?\n",
        ));
    env.isms(&repo)
        .args(["review", "allocation:payment-api/8.15"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: nothing recorded: allocation:payment-api/8.15 does not exist; \
             did you mean `allocation:payments-api/8.15`?\n",
        ));
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
}

#[test]
fn a_review_says_when_git_cannot_be_run_and_when_there_is_no_commit_yet() {
    let env = Env::new();
    let repo = env.example("repo");
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    // No git on PATH: that is what is said, not that nothing was committed.
    let empty = env.path().join("no-programs");
    std::fs::create_dir(&empty).unwrap();
    env.isms(&repo)
        .env("PATH", &empty)
        .args(["review", "5.15", "--note", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("could not run the `git` program"))
        .stderr(predicate::str::contains("no commits yet").not());
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    // A repository whose HEAD is unborn has no commit to review on.
    let fresh = env.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    env.git(&fresh, &["init", "-q"]);
    std::fs::write(fresh.join("isms.toml"), read(&repo, "isms.toml")).unwrap();
    std::fs::create_dir(fresh.join("controls")).unwrap();
    std::fs::write(
        fresh.join("controls/5.15.toml"),
        read(&repo, "controls/5.15.toml"),
    )
    .unwrap();
    env.isms(&fresh)
        .args(["review", "5.15", "--note", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the repository has no commits yet",
        ));
}

#[test]
fn dry_run_prints_the_message_only() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    env.isms(&repo)
        .args(["review", "service:tenant-db", "--outcome", "needs-change", "--dry-run"])
        .assert()
        .success()
        .stdout("review: service tenant-db\n\nReviewed: service:tenant-db\nReview-Outcome: needs-change\n");
    // A note is one line, and a note of only blanks is none.
    for (note, line) in [("two\n  lines", "Review-Note: two lines\n"), (" \n ", "")] {
        env.isms(&repo)
            .args(["review", "control:5.1", "--dry-run", "--note", note])
            .assert()
            .success()
            .stdout(format!(
                "review: control 5.1\n\nReviewed: control:5.1\nReview-Outcome: effective\n{line}"
            ));
    }
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
}

#[test]
fn a_note_or_reason_with_a_control_character_is_refused_and_nothing_is_committed() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    // An escape sequence in the record would act on every terminal that
    // shows it, in `git log` among others; a tab is text.
    env.isms(&repo)
        .args(["review", "control:5.1", "--note", "passed\u{1b}[2J"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "for '--note <NOTE>': expected text, found the control character U+001B",
        ));
    env.isms(&repo)
        .args(["reassess", "region-added", "--service", "payments-api"])
        .args(["--reason", "moved\u{7}"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected one line of text, found the control character U+0007",
        ));
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    env.isms(&repo)
        .args(["review", "control:5.1", "--dry-run", "--note", "a\tb"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("Review-Note: a b\n"));
}

#[test]
fn an_item_is_named_by_its_file_from_anywhere_in_the_repository() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // A file as a shell completes it, from the top or from its folder.
    env.isms(&repo)
        .args(["review", "responsibilities/tenant-db/8.15.toml", "--dry-run"])
        .assert()
        .success()
        .stdout("review: 8.15 on tenant-db\n\nReviewed: allocation:tenant-db/8.15\nReview-Outcome: effective\n");
    env.isms(&repo.join("controls"))
        .args([
            "review",
            "./5.1.toml",
            "../services/tenant-db.toml",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(
            "review: control 5.1 and 1 more\n\nReviewed: control:5.1\nReviewed: service:tenant-db\n\
             Review-Outcome: effective\n",
        );
    // The log of a file is the log of its item.
    let by_key = env
        .isms(&repo)
        .args(["log", "allocation:tenant-db/8.15"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&by_key.stdout).contains("needs-change"));
    env.isms(&repo.join("responsibilities/tenant-db"))
        .args(["log", "8.15.toml"])
        .assert()
        .success()
        .stdout(String::from_utf8(by_key.stdout).unwrap());
    // A file that holds no reviewable item is said to be so.
    env.isms(&repo)
        .args(["review", "triggers/region-added.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: nothing recorded: `triggers/region-added.toml` is not the file of a control, \
             service, allocation, evidence or finding\n",
        ));
}

#[test]
fn a_folder_stands_for_every_item_under_it_unless_it_names_an_item() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let dry_run = |dir: &Path, args: &[&str]| {
        let out = env
            .isms(dir)
            .arg("review")
            .args(args)
            .arg("--dry-run")
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // Every allocation of one service, as the files of its folder.
    let files: Vec<String> = std::fs::read_dir(repo.join("responsibilities/tenant-db"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let (code, folder, _) = dry_run(&repo, &["responsibilities/tenant-db/"]);
    assert_eq!(code, Some(0));
    let reviewed: Vec<&str> = folder
        .lines()
        .filter(|l| l.starts_with("Reviewed: "))
        .collect();
    assert_eq!(reviewed.len(), files.len(), "{folder}");
    for file in &files {
        let key = format!(
            "Reviewed: allocation:tenant-db/{}",
            file.trim_end_matches(".toml")
        );
        assert!(reviewed.contains(&key.as_str()), "{key} in {folder}");
    }
    assert!(folder.starts_with(&format!(
        "review: 5.1 on tenant-db and {} more\n",
        files.len() - 1
    )));
    // From inside, without the slash, with an item named besides: once each.
    let (code, same, _) = dry_run(
        &repo.join("responsibilities"),
        &["./tenant-db", "tenant-db/8.15.toml"],
    );
    assert_eq!((code, &same), (Some(0), &folder));
    // A name that is an item's is that item, though a folder has it too.
    let (code, service, _) = dry_run(&repo.join("responsibilities"), &["tenant-db"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        service,
        "review: service tenant-db\n\nReviewed: service:tenant-db\nReview-Outcome: effective\n"
    );
    // A folder without items, and the whole repository, are refused.
    let (code, out, err) = dry_run(&repo, &["evidence/files"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(
        err.starts_with("error: nothing recorded: no item's file is under `evidence/files/`\n"),
        "{err}"
    );
    let (code, _, err) = dry_run(&repo.join("controls"), &[".."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("`.` is the whole repository"), "{err}");
}

#[test]
fn reviews_land_when_they_reach_the_record_branch() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let g = |date: &str, args: &[&str]| env.git_at(&repo, date, args);
    // Direct commit on main: lands at its own committer time.
    env.commit_empty_at(
        &repo,
        "2026-01-10T09:00:00Z",
        "review: direct\n\nReviewed: control:CLD.13.1.4\nReview-Note: direct",
    );
    // A branch merged with --no-ff: lands at the merge's time, with its PR number.
    g("2026-02-01T09:00:00Z", &["checkout", "-q", "-b", "feature"]);
    env.commit_empty_at(&repo, "2026-02-01T09:00:00Z", "review: on a branch\n\nReviewed: control:CLD.13.1.4\nReview-Outcome: needs-change\nReview-Note: merged");
    g("2026-02-01T09:00:00Z", &["checkout", "-q", "main"]);
    g(
        "2026-03-05T12:00:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature",
            "-m",
            "Merge pull request #7 from example/feature",
        ],
    );
    // A squash merge in GitHub's format: lands at the squash commit.
    env.commit_empty_at(&repo, "2026-04-02T08:30:00Z", "Quarterly reviews (#9)\n\n* review: isolation\n\nReviewed: control:CLD.13.1.4\nReview-Note: squashed\n\n* fix typo");
    // A review on a branch that never merged does not count.
    g(
        "2026-05-01T09:00:00Z",
        &["checkout", "-q", "-b", "abandoned"],
    );
    env.commit_empty_at(
        &repo,
        "2026-05-01T09:00:00Z",
        "review: never merged\n\nReviewed: control:CLD.13.1.4",
    );
    g("2026-05-01T09:00:00Z", &["checkout", "-q", "main"]);
    // A rebase merge: the rebased commit is on main, landing at its committer time.
    g(
        "2026-06-01T09:00:00Z",
        &["checkout", "-q", "-b", "rebased", "main"],
    );
    env.commit_empty_at(
        &repo,
        "2026-06-01T09:00:00Z",
        "review: rebased\n\nReviewed: control:CLD.13.1.4\nReview-Note: rebased",
    );
    g("2026-06-01T09:00:00Z", &["checkout", "-q", "main"]);
    g(
        "2026-06-03T10:00:00Z",
        &["rebase", "-q", "--committer-date-is-author-date", "rebased"],
    );
    let shown = log(&env, &repo, "CLD.13.1.4");
    let lines: Vec<String> = shown
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l
                .split("  ")
                .filter(|c| !c.trim().is_empty())
                .map(str::trim)
                .collect();
            // Drop the commit column (ids depend on the tree).
            cols.iter()
                .enumerate()
                .filter(|(i, _)| *i != 3)
                .map(|(_, c)| *c)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "LANDED | OUTCOME | AUTHOR | PR | APPROVED BY | NOTE",
            "2026-01-10 | effective | Alice Ng | direct",
            "2026-03-05 | needs-change | Alice Ng | #7 | merged",
            "2026-04-02 | effective | Alice Ng | #9 | squashed",
            "2026-06-01 | effective | Alice Ng | rebased",
        ]
    );
}

#[test]
fn a_merge_brings_in_every_commit_of_its_branch_whatever_the_branch_looks_like() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let g = |date: &str, args: &[&str]| env.git_at(&repo, date, args);
    let review = |date: &str, note: &str| {
        let message = format!("review\n\nReviewed: control:CLD.13.1.4\nReview-Note: {note}");
        env.commit_empty_at(&repo, date, &message);
    };
    let merge = |date: &str, branch: &str, pr: u32| {
        let message = format!("Merge pull request #{pr} from example/{branch}");
        g(date, &["merge", "-q", "--no-ff", branch, "-m", &message]);
    };
    let empty = |date: &str, message: &str| {
        env.commit_empty_at(&repo, date, message);
    };
    // Three commits on a branch from the tip of main.
    g("2026-01-01T09:00:00Z", &["checkout", "-q", "-b", "linear"]);
    review("2026-01-01T09:00:00Z", "linear 1");
    empty("2026-01-01T10:00:00Z", "no review");
    review("2026-01-01T11:00:00Z", "linear 2");
    g("2026-01-01T12:00:00Z", &["checkout", "-q", "main"]);
    merge("2026-01-02T09:00:00Z", "linear", 1);
    // A branch from an older commit of main, merged after main moved on.
    g(
        "2026-02-01T09:00:00Z",
        &["checkout", "-q", "-b", "behind", "main~1"],
    );
    review("2026-02-01T09:00:00Z", "behind 1");
    review("2026-02-01T10:00:00Z", "behind 2");
    g("2026-02-01T11:00:00Z", &["checkout", "-q", "main"]);
    empty("2026-02-02T09:00:00Z", "main moves on");
    merge("2026-02-03T09:00:00Z", "behind", 2);
    // A branch that merged main into itself before it was merged: main's
    // own commits are not brought in again.
    g("2026-03-01T09:00:00Z", &["checkout", "-q", "-b", "updated"]);
    review("2026-03-01T09:00:00Z", "updated 1");
    g("2026-03-01T10:00:00Z", &["checkout", "-q", "main"]);
    review("2026-03-02T09:00:00Z", "on main");
    g("2026-03-02T10:00:00Z", &["checkout", "-q", "updated"]);
    g(
        "2026-03-03T09:00:00Z",
        &["merge", "-q", "--no-ff", "main", "-m", "update"],
    );
    review("2026-03-03T10:00:00Z", "updated 2");
    g("2026-03-03T11:00:00Z", &["checkout", "-q", "main"]);
    merge("2026-03-04T09:00:00Z", "updated", 3);

    let shown = log(&env, &repo, "CLD.13.1.4");
    let rows: Vec<(String, String)> = shown
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            (cols[0].to_owned(), cols[cols.len() - 1].to_owned())
        })
        .collect();
    let expected = [
        ("2026-01-02", "linear 1"),
        ("2026-01-02", "linear 2"),
        ("2026-02-03", "behind 1"),
        ("2026-02-03", "behind 2"),
        ("2026-03-02", "on main"),
        ("2026-03-04", "updated 1"),
        ("2026-03-04", "updated 2"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(d, n)| (d.to_string(), n.to_string()))
        .collect();
    assert_eq!(rows, expected, "{shown}");
}

/// The messages of a `log --format json` document's warnings.
fn warning_messages(doc: &serde_json::Value) -> Vec<&str> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect()
}

#[test]
fn a_branch_lock_git_left_is_named_with_how_to_clear_it_and_nothing_is_recorded() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    let lock = repo.join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    env.isms(&repo)
        .args(["review", "control:5.1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: {} exists: another git command holds the branch's lock, or one that stopped \
             left it; nothing was recorded (20 tries)\n  \
             hint: if no git command is running, remove that file, then run `isms review` again\n",
            lock.display()
        ));
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    // As the hint says.
    std::fs::remove_file(&lock).unwrap();
    env.isms(&repo)
        .args(["review", "control:5.1"])
        .assert()
        .success();
    assert_ne!(env.git(&repo, &["rev-parse", "HEAD"]), head);
}

#[test]
fn malformed_trailers_are_warnings_with_the_commit() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    env.commit_empty(
        &repo,
        "review\n\nReviewed: control:CLD.13.1.4\nReview-Outcome: great",
    );
    env.commit_empty(&repo, "review\n\nReviewed: policy:access");
    let out = env
        .isms(&repo)
        .args(["log", "--format", "json", "CLD.13.1.4"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["reviews"].as_array().unwrap().len(), 0);
    assert_eq!(
        warning_messages(&doc),
        [
            "Review-Outcome `great` is not effective or needs-change; the review is not counted",
            "Reviewed: `policy:access`: unknown item kind `policy`; expected control, service, allocation, evidence or finding",
        ]
    );
}

#[test]
fn a_misspelt_trailer_beside_a_review_is_a_warning_and_an_unread_outcome_is_not_guessed() {
    // Landed without the commit-msg hook (a web edit, a squash on GitHub).
    let env = Env::new();
    let repo = env.example_on_main(None);
    for message in [
        "review\n\nReviewed: control:CLD.13.1.4\nReview-Outcom: needs-change",
        "review\n\nReviewed: control:5.2\nReview-Notes: policy re-read\nReviewd: control:5.3",
        // Not a review: a reviewer named, git's own trailer.
        "fix\n\nReviewer: Bob Okafor\nReviewed-by: Bob Okafor <bob@example.com>",
        // A review misspelt whole: nothing in the message says `reviewed`.
        "fix\n\nReveiwed: control:5.4",
    ] {
        env.commit_empty(&repo, message);
    }
    let log = |item: &str| -> serde_json::Value {
        let out = env
            .isms(&repo)
            .args(["log", "--format", "json", item])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The outcome meant cannot be read: the review is not taken as effective.
    assert_eq!(log("CLD.13.1.4")["reviews"].as_array().unwrap().len(), 0);
    // The review counts; the misspelt note and item do not.
    let doc = log("5.2");
    let reviews = doc["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["note"], serde_json::Value::Null);
    assert_eq!(log("5.3")["reviews"].as_array().unwrap().len(), 0);
    assert_eq!(
        warning_messages(&doc),
        [
            "Review-Outcom: needs-change: isms reads no `Review-Outcom` trailer (did you mean `Review-Outcome`?); the review is not counted",
            "Review-Notes: policy re-read: isms reads no `Review-Notes` trailer (did you mean `Review-Note`?); the note is not read",
            "Reviewd: control:5.3: isms reads no `Reviewd` trailer (did you mean `Reviewed`?); its item's review is not counted",
            "Reveiwed: control:5.4: isms reads no `Reveiwed` trailer (did you mean `Reviewed`?); its item's review is not counted",
        ]
    );
}

#[test]
fn log_of_a_key_that_names_nothing_says_so_and_an_item_without_reviews_is_not_an_error() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // An item of the repository that was never reviewed: no error.
    let out = env
        .isms(&repo)
        .args(["log", "control:5.2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "control:5.2 has no review on main\n"
    );
    // A typo is said to be one, in both formats, and a 2013 ID gets its mapping.
    for format in ["human", "json"] {
        env.isms(&repo)
            .args(["--format", format, "log", "control:5.99"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(
                "control:5.99 does not exist and has no review on main",
            ));
    }
    env.isms(&repo)
        .args(["log", "allocation:payments-api/9.1.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15",
        ));
    // A bare ID that names nothing is told apart from a key, as `review` tells it.
    env.isms(&repo)
        .args(["log", "5.15x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: no item is called `5.15x`; did you mean `5.15`?\n  hint: items are control:ID, service:ID, allocation:SERVICE/CONTROL, evidence:ID or finding:ID\n");
    // A key in Annex A notation is named without its `A.`.
    env.isms(&repo)
        .args(["log", "control:A.5.15"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: control:A.5.15 does not exist and has no review on main; A.5.15 is Annex A notation: controls are named without `A.`, here 5.15\n",
        ));
    // An item that was reviewed and then removed keeps its history.
    env.isms(&repo)
        .args([
            "review",
            "evidence:2026-q3-vulnerability-scan",
            "--note",
            "checked",
        ])
        .assert()
        .success();
    env.git(
        &repo,
        &["rm", "-q", "evidence/2026-q3-vulnerability-scan.toml"],
    );
    env.git(&repo, &["commit", "-q", "-m", "retire the scan"]);
    assert!(log(&env, &repo, "evidence:2026-q3-vulnerability-scan").contains("checked"));
    // A review without a note: its row ends where its text does.
    env.isms(&repo)
        .args(["review", "control:5.2"])
        .assert()
        .success();
    let rows = log(&env, &repo, "control:5.2");
    assert_eq!(rows.lines().count(), 2, "{rows}");
    assert!(rows.lines().all(|l| l == l.trim_end()), "{rows:?}");
}

#[test]
fn a_review_is_refused_while_git_is_in_the_middle_of_a_merge_or_a_cherry_pick() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    env.conflicting_side_branch(&repo, "controls/5.2.toml");
    let head = env.git(&repo, &["rev-parse", "HEAD"]);

    for (start, doing, finish, abort) in [
        (["merge", "side"], "a merge", "git merge --abort", "merge"),
        (
            ["cherry-pick", "side"],
            "a cherry-pick",
            "git cherry-pick --abort",
            "cherry-pick",
        ),
    ] {
        // The conflict stops git half way.
        let stopped = env
            .command("git")
            .current_dir(&repo)
            .args(start)
            .output()
            .unwrap();
        assert!(
            !stopped.status.success(),
            "{start:?} should stop on its conflict"
        );
        env.isms(&repo)
            .args(["review", "control:5.1"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "git is in the middle of {doing}; `isms review` would commit into it, so nothing was done"
            )))
            .stderr(predicate::str::contains(finish));
        assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head, "HEAD moved");
        // A dry run commits nothing, and is still shown.
        env.isms(&repo)
            .args(["review", "control:5.1", "--dry-run"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Reviewed: control:5.1"));
        env.git(&repo, &[abort, "--abort"]);
    }
    env.isms(&repo)
        .args(["review", "control:5.1"])
        .assert()
        .success();
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD~1"]), head);
}

#[test]
fn reviews_and_reassessments_are_signed_where_git_signs_every_commit() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // A stand-in for gpg that signs anything, as git asks gpg to.
    let gpg = env.path().join("sign");
    write(
        env.path(),
        "sign",
        "#!/bin/sh\ncat >/dev/null\nprintf '\\n[GNUPG:] SIG_CREATED D 1 8 00 0 X\\n' >&2\n\
         printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nsigned\\n-----END PGP SIGNATURE-----\\n'\n",
    );
    std::fs::set_permissions(&gpg, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.git(&repo, &["config", "commit.gpgSign", "true"]);
    env.git(&repo, &["config", "gpg.program", gpg.to_str().unwrap()]);
    env.isms(&repo)
        .args(["review", "control:5.1"])
        .assert()
        .success();
    reassess_payments_api(&env, &repo, "moved").success();
    for commit in ["HEAD", "isms/reassess/region-added/payments-api"] {
        let raw = env.git(&repo, &["cat-file", "commit", commit]);
        assert!(
            raw.contains("\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n signed\n"),
            "{commit}: {raw}"
        );
    }
    // A signature that cannot be made is an error that says why, and
    // nothing is recorded.
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    env.git(&repo, &["config", "gpg.program", "false"]);
    env.isms(&repo)
        .args(["review", "control:5.2"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: `git commit-tree -S` could not make the commit\n"))
        .stderr(predicate::str::ends_with(
            "  hint: commit.gpgSign asks git to sign every commit: put right what it says about signing\n",
        ));
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
}

/// `isms reassess region-added --service payments-api --reason REASON`.
fn reassess_payments_api(env: &Env, repo: &Path, reason: &str) -> assert_cmd::assert::Assert {
    env.isms(repo)
        .args([
            "reassess",
            "region-added",
            "--service",
            "payments-api",
            "--reason",
            reason,
        ])
        .assert()
}

#[test]
fn a_reassessment_is_not_committed_on_a_branch_checked_out_in_a_work_tree() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let branch = "isms/reassess/region-added/payments-api";
    let reassess = |reason: &str| reassess_payments_api(&env, &repo, reason);
    reassess("first").success();
    let tip = env.git(&repo, &["rev-parse", branch]);

    // Checked out in another work tree, then in this one.
    let other = env.path().join("other");
    env.git(
        &repo,
        &["worktree", "add", "-q", other.to_str().unwrap(), branch],
    );
    let other = other.canonicalize().unwrap();
    reassess("second").code(2).stderr(format!(
        "error: the branch {branch} is checked out in {}; a commit on it from here would leave that work tree behind, so nothing was committed\n  hint: switch that work tree to another branch (`git switch -`), then run this again\n",
        other.display()
    ));
    env.git(&repo, &["worktree", "remove", other.to_str().unwrap()]);
    env.git(&repo, &["switch", "-q", branch]);
    reassess("second").code(2);
    assert_eq!(env.git(&repo, &["rev-parse", branch]), tip);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    env.git(&repo, &["switch", "-q", "main"]);
    reassess("second").success();
    assert_eq!(env.git(&repo, &["rev-parse", &format!("{branch}~1")]), tip);
}

#[test]
fn a_reassessment_after_the_last_one_landed_starts_from_the_record_branch() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let branch = "isms/reassess/region-added/payments-api";
    let git = |args: &[&str]| env.git(&repo, args).trim().to_owned();
    let reassess = |reason: &str| {
        reassess_payments_api(&env, &repo, reason).success();
        git(&["rev-parse", branch])
    };
    let parents = |commit: &str| git(&["log", "-1", "--format=%P", commit]);
    let proposes = |commit: &str| git(&["diff", "--name-only", "main", commit]);

    // Merged: the next commit is on the record branch, which holds the
    // old tip, so the branch only moves forward.
    let first = reassess("first");
    git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge the reassessment",
        branch,
    ]);
    let main = git(&["rev-parse", "main"]);
    let second = reassess("second");
    assert_eq!(parents(&second), main);
    assert_eq!(
        git(&["merge-base", "--is-ancestor", &first, &second]),
        "",
        "never a history rewritten"
    );
    assert_eq!(
        proposes(&second),
        "reassessments/region-added/payments-api.toml"
    );

    // Squashed: the next commit is on the record branch with the old tip
    // as its second parent, and proposes the new record alone.
    git(&["merge", "-q", "--squash", branch]);
    git(&["commit", "-q", "-m", "Reassess payments-api (#9)"]);
    let main = git(&["rev-parse", "main"]);
    let third = reassess("third");
    assert_eq!(parents(&third), format!("{main} {second}"));
    assert_eq!(
        proposes(&third),
        "reassessments/region-added/payments-api.toml"
    );
    assert!(
        git(&["show", "main:reassessments/region-added/payments-api.toml"]).contains("\"second\"")
    );
    git(&["merge-tree", "--write-tree", "main", &third]);

    // Not landed yet: the next commit goes on the branch's tip.
    let fourth = reassess("fourth");
    assert_eq!(parents(&fourth), third);
    assert_eq!(git(&["status", "--porcelain"]), "");
}

#[test]
fn a_reassessment_with_no_reason_or_a_mistyped_name_is_refused_with_what_it_may_mean() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let branches = env.git(&repo, &["branch", "--list"]);
    for (args, said) in [
        (
            &["reassess", "region-added", "--reason", " "][..],
            "expected one line of text, found nothing",
        ),
        (
            &["reassess", "region-adde", "--reason", "moved"],
            "error: no trigger `region-adde` in triggers/\n  hint: did you mean `region-added`?\n",
        ),
        (
            &[
                "reassess",
                "region-added",
                "--service",
                "payments-ap",
                "--reason",
                "moved",
            ],
            "error: no service `payments-ap` in services/\n  hint: did you mean `payments-api`?\n",
        ),
    ] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said));
    }
    assert_eq!(env.git(&repo, &["branch", "--list"]), branches);
}

#[test]
fn log_without_an_item_is_the_whole_record_in_the_order_it_landed_on_the_branch() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    env.isms(&repo)
        .args(["review", "control:5.2", "--note", "policy reread"])
        .assert()
        .success();
    env.isms(&repo)
        .args([
            "review",
            "evidence:2026-q3-vulnerability-scan",
            "--outcome",
            "needs-change",
        ])
        .assert()
        .success();
    let rows =
        String::from_utf8(common::success(env.isms(&repo).arg("log").output().unwrap()).stdout)
            .unwrap();
    let lines: Vec<&str> = rows.lines().collect();
    assert!(
        lines[0].starts_with("LANDED      OUTCOME       ITEM "),
        "{rows}"
    );
    // The last two rows are the two reviews just made, each under its item.
    let last: Vec<&str> = lines[lines.len() - 2..].to_vec();
    assert!(last[0].contains("  effective     control:5.2  "), "{rows}");
    assert!(last[0].ends_with("policy reread"), "{rows}");
    assert!(
        last[1].contains("  needs-change  evidence:2026-q3-vulnerability-scan  "),
        "{rows}"
    );
    // Every review is there: the item logs add up to the whole.
    let json = env
        .isms(&repo)
        .args(["--format", "json", "log"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["item"], serde_json::Value::Null);
    let reviews = json["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), lines.len() - 1, "{rows}");
    assert_eq!(
        reviews.last().unwrap()["item"],
        "evidence:2026-q3-vulnerability-scan"
    );
    let of_5_2 = reviews
        .iter()
        .filter(|r| r["item"] == "control:5.2")
        .count();
    assert_eq!(of_5_2, log(&env, &repo, "control:5.2").lines().count() - 1);

    // A record without a review says so, and is not an error.
    let fresh = env.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    env.git(&fresh, &["init", "-q", "-b", "main"]);
    env.isms(&fresh).arg("init").assert().success();
    env.isms(&fresh)
        .arg("log")
        .assert()
        .success()
        .stdout("")
        .stderr("no review has landed on main\n");
}

#[test]
fn log_colours_commits_and_a_review_that_asked_for_change_on_request_only() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let forced = env.in_colour(&repo, &["log", "allocation:tenant-db/8.15"]);
    assert!(
        forced.contains("\x1b[1m\x1b[31mneeds-change\x1b[0m  "),
        "{forced}"
    );
    assert!(forced.contains("\x1b[33m"), "{forced}");
}

#[test]
fn under_author_approval_a_review_that_will_not_count_is_said_to_as_it_is_made() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    env.commit_author_approval(&repo);
    // The tests commit as Alice Ng <alice@example.com>: she owns
    // control:CLD.9.5.1, not payments-api's allocation of it (bob's), nor
    // tenant-db's allocation of 8.15 (the platform team's: bob and dave).
    let out = env
        .isms(&repo)
        .args([
            "review",
            "control:CLD.9.5.1",
            "allocation:payments-api/CLD.9.5.1",
            "allocation:tenant-db/8.15",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let warnings: Vec<&str> = stderr.lines().skip(1).collect();
    assert_eq!(
        warnings,
        [
            "warning: this review of allocation:payments-api/CLD.9.5.1 will not count: it is made as Alice Ng <alice@example.com>, and bob (Bob Okafor), who owns it, has another email in isms.toml (approval = \"author\")",
            "warning: this review of allocation:tenant-db/8.15 will not count: it is made as Alice Ng <alice@example.com>, and no member of platform (Platform engineering), which owns it, has that email in isms.toml (approval = \"author\")",
            "  hint: with approval = \"author\", only the owner's own reviews count: ask them to record it, or set your email in isms.toml if it is yours",
        ],
        "{stderr}"
    );
    // It was recorded all the same, and `stale` agrees with what was said.
    let stale = env
        .isms(&repo)
        .args(["--format", "json", "stale"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&stale.stdout).unwrap();
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    let mut unauthorized: Vec<&str> = v["unauthorized"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["commit"] == head.trim())
        .map(|u| u["item"].as_str().unwrap())
        .collect();
    unauthorized.sort();
    assert_eq!(
        unauthorized,
        [
            "allocation:payments-api/CLD.9.5.1",
            "allocation:tenant-db/8.15"
        ]
    );

    // Bob, in the team, reviewing what he and his team own: nothing to say.
    let out = env
        .isms(&repo)
        .env("GIT_AUTHOR_NAME", "Bob Okafor")
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .args([
            "review",
            "--dry-run",
            "allocation:payments-api/CLD.9.5.1",
            "allocation:tenant-db/8.15",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");

    // Under pull-request approval no author is judged.
    env.git(&repo, &["reset", "-q", "--hard", "HEAD~2"]);
    env.isms(&repo)
        .args(["review", "allocation:tenant-db/8.15"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

/// `isms log FOLDER` is the record narrowed to the items under a folder, a
/// deleted one's history included; a name that is an item keeps its
/// meaning, and the repository's root is the whole record.
#[test]
fn log_of_a_folder_is_the_record_of_every_item_under_it() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let json = |dir: &Path, args: &[&str]| -> serde_json::Value {
        let out = env
            .isms(dir)
            .args(["--format", "json", "log"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let whole = json(&repo, &[]);
    let of = |doc: &serde_json::Value| -> Vec<serde_json::Value> {
        doc["reviews"].as_array().unwrap().clone()
    };
    let under = |prefix: &str| -> Vec<serde_json::Value> {
        (of(&whole).into_iter())
            .filter(|r| r["item"].as_str().unwrap().starts_with(prefix))
            .collect()
    };
    let folder = json(&repo, &["responsibilities/payments-api/"]);
    assert_eq!(folder["item"], serde_json::Value::Null);
    assert_eq!(folder["under"], "responsibilities/payments-api");
    let expected = under("allocation:payments-api/");
    assert!(!expected.is_empty());
    assert_eq!(of(&folder), expected);
    assert_eq!(of(&json(&repo.join("controls"), &["."])), under("control:"));
    // A name that is an item is the item; the root is the whole record.
    let service = json(&repo.join("responsibilities"), &["payments-api"]);
    assert_eq!(service["item"], "service:payments-api");
    assert_eq!(json(&repo, &["."]), whole);

    // An item deleted since keeps its history under its folder.
    let reviewed = expected[0]["item"].as_str().unwrap().to_owned();
    let file = format!(
        "responsibilities/{}.toml",
        reviewed.trim_start_matches("allocation:")
    );
    std::fs::remove_file(repo.join(&file)).unwrap();
    assert_eq!(
        of(&json(&repo, &["responsibilities/payments-api"])),
        expected
    );

    let out = env.isms(&repo).args(["log", "findings"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "no review of an item under findings/ has landed on main\n"
    );
    let out = env
        .isms(&repo)
        .args(["log", "responsibilities/payments-api"])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("LANDED      OUTCOME       ITEM "),
        "{table}"
    );
    assert!(table.contains(&reviewed), "{table}");
}

#[test]
fn log_lists_the_reviews_that_landed_in_a_period_from_since_to_as_of() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    for (date, item) in [
        ("2027-01-15T10:00:00+00:00", "control:5.2"),
        ("2027-03-10T10:00:00+00:00", "control:5.3"),
        ("2027-06-30T23:30:00+00:00", "control:5.2"),
        ("2027-07-01T00:10:00+00:00", "control:5.2"),
    ] {
        env.commit_empty_at(
            &repo,
            date,
            &format!("review {item}\n\nReviewed: {item}\nReview-Outcome: effective"),
        );
    }
    let log = |args: &[&str]| {
        let out = env.isms(&repo).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // The first half of 2027, its last day whole: the landing of 1 July
    // is after it, and everything of 2026 before it.
    let (code, rows, _) = log(&["--as-of", "2027-06-30", "log", "--since", "2027-01-01"]);
    assert_eq!(code, Some(0));
    let landed: Vec<(&str, &str)> = rows
        .lines()
        .skip(1)
        .map(|l| (&l[..10], l.split_whitespace().nth(2).unwrap()))
        .collect();
    assert_eq!(
        landed,
        [
            ("2027-01-15", "control:5.2"),
            ("2027-03-10", "control:5.3"),
            ("2027-06-30", "control:5.2"),
        ],
        "{rows}"
    );
    // One item's, and a folder's.
    let (_, rows, _) = log(&[
        "--as-of",
        "2027-06-30",
        "log",
        "5.2",
        "--since",
        "2027-02-01",
    ]);
    let days: Vec<&str> = rows.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(days, ["2027-06-30"], "{rows}");
    let (_, rows, _) = log(&["log", "controls/", "--since", "2027-03-01"]);
    let days: Vec<&str> = rows.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(days, ["2027-03-10", "2027-06-30", "2027-07-01"], "{rows}");

    // JSON names the period.
    let (_, json, _) = log(&[
        "--format",
        "json",
        "--as-of",
        "2027-06-30",
        "log",
        "--since",
        "2027-01-01",
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["since"], "2027-01-01");
    assert_eq!(json["as_of"], "2027-06-30");
    assert_eq!(json["reviews"].as_array().unwrap().len(), 3);

    // A period in which nothing landed says so, naming it; an empty one
    // (since after as-of) is refused.
    assert_eq!(
        log(&[
            "--as-of",
            "2027-03-01",
            "log",
            "control:5.2",
            "--since",
            "2027-01-16"
        ]),
        (
            Some(0),
            String::new(),
            "control:5.2 has no review on main from 2027-01-16 to 2027-03-01\n".to_owned()
        )
    );
    assert_eq!(
        log(&["--as-of", "2027-01-01", "log", "--since", "2027-02-01"]),
        (
            Some(2),
            String::new(),
            "error: --since 2027-02-01 is after --as-of 2027-01-01: no review lands in that period\n  \
             hint: name the first day of the period with --since and the last with --as-of\n"
                .to_owned()
        )
    );
}

#[test]
fn log_as_csv_is_a_row_a_review_with_the_fields_json_has() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let run = |args: &[&str]| {
        let out = env.isms(&repo).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (csv_text, err) = run(&["log", "--format", "csv"]);
    assert_eq!(err, "");
    let (json, _) = run(&["log", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let reviews = json["reviews"].as_array().unwrap();

    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let columns = [
        "landed",
        "outcome",
        "item",
        "author",
        "email",
        "commit",
        "landed_by",
        "pull_request",
        "approved_by",
        "note",
    ];
    assert_eq!(reader.headers().unwrap(), columns.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Row for review, the same reviews in the same order as JSON's, each
    // field as JSON has it.
    assert_eq!(rows.len(), reviews.len());
    assert!(rows.len() >= 8, "{csv_text}");
    for (row, review) in rows.iter().zip(reviews) {
        for (i, field) in columns[..7].iter().enumerate() {
            assert_eq!(row[i], review[field], "{field}: {row:?}");
        }
        let pr = review["pull_request"].as_u64().map(|n| n.to_string());
        assert_eq!(&row[7], pr.as_deref().unwrap_or(""));
        assert_eq!(&row[8], "", "no approval note: nothing said of approvals");
        assert_eq!(&row[9], review["note"].as_str().unwrap_or(""));
    }
    // A note with a comma stays one field; a review a pull request landed
    // names it, and the merge that landed it.
    let needs_change = rows.iter().find(|r| &r[1] == "needs-change").unwrap();
    assert_eq!(
        (&needs_change[2], &needs_change[9]),
        (
            "allocation:tenant-db/8.15",
            "replica logs are kept 30 days, policy says 12 months"
        )
    );
    let merged = rows.iter().find(|r| &r[7] == "12").unwrap();
    assert_ne!(&merged[5], &merged[6], "{merged:?}");

    // One item's, over a period in which nothing landed: the header alone,
    // and the note that says so.
    let (text, err) = run(&[
        "--as-of",
        "2026-10-01",
        "log",
        "control:8.15",
        "--since",
        "2026-09-18",
        "--format",
        "csv",
    ]);
    assert_eq!(
        text,
        "landed,outcome,item,author,email,commit,landed_by,pull_request,approved_by,note\n"
    );
    assert_eq!(
        err,
        "control:8.15 has no review on main from 2026-09-18 to 2026-10-01\n"
    );
}

#[test]
fn a_review_says_what_its_items_still_need_that_no_review_gives() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-02"));
    // On 2026-12-06, 5.35 has no `independent-audit` evidence and the
    // October log review has expired; 5.1 asks for no evidence.
    let said = "note: a review does not settle what these items still need:\n  \
                control:5.35 is missing-evidence: no current `independent-audit` evidence (needed every 1y); collect it, and record it: `isms new evidence --control 5.35`\n  \
                evidence:2026-10-admin-log-review is expired: expired 2026-11-30; collect it again: `isms new evidence --like 2026-10-admin-log-review`\n";
    let args = [
        "--as-of",
        "2026-12-06",
        "review",
        "5.1",
        "control:5.35",
        "evidence:2026-10-admin-log-review",
    ];
    for dry_run in [true, false] {
        let mut cmd = env.isms(&repo);
        cmd.args(args);
        if dry_run {
            cmd.arg("--dry-run");
        }
        cmd.assert()
            .success()
            .stderr(predicate::str::ends_with(said));
    }
    // The review is recorded all the same.
    assert!(log(&env, &repo, "control:5.35").contains("effective"));
    // Once the evidence is there, nothing is said of it.
    env.isms(&repo)
        .args([
            "--as-of",
            "2026-12-06",
            "new",
            "evidence",
            "--control",
            "5.35",
        ])
        .assert()
        .success();
    env.isms(&repo)
        .args(["--as-of", "2026-12-06", "review", "5.35"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").not());
}

#[test]
fn under_author_approval_verify_approvals_has_nothing_to_ask_and_says_so_in_json_too() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    env.commit_author_approval(&repo);
    // No token and no network: nothing is asked of GitHub.
    let out = env
        .isms(&repo)
        .args(["--format", "json", "verify-approvals"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["approval"], "author");
    assert_eq!(v["reviews"], 0);
    assert_eq!(v["unapproved"], serde_json::json!([]));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("nothing to verify: review.approval is \"author\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_approval_note_that_does_not_read_is_an_error_naming_its_commit() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let out = env
        .isms(&repo)
        .args(["--format", "json", "log", "control:8.15"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let landing = v["reviews"][0]["landed_by"].as_str().unwrap().to_owned();
    // A note edited by hand, or damaged: never taken as "no approvals".
    env.add_approval_note(&repo, &landing, "pull_request = [");
    let said = format!(
        "error: the approval note of commit {} (refs/notes/isms/approvals) does not read: ",
        &landing[..10]
    );
    for args in [
        &["verify-approvals", "--offline"][..],
        &["log", "control:8.15"][..],
    ] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(said.as_str()));
    }
}

#[test]
fn a_folder_that_is_not_there_is_told_the_one_beside_it_that_is() {
    let env = Env::new();
    let repo = env.example("demo");
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    for (args, said) in [
        (
            &["review", "responsibilities/payment-api/"][..],
            "error: nothing recorded: no item is called `responsibilities/payment-api/`\n  \
             hint: did you mean `responsibilities/payments-api/`?\n",
        ),
        (
            &["log", "control/"][..],
            "error: no item is called `control/`\n  hint: did you mean `controls/`?\n",
        ),
        (
            &[
                "reassign",
                "bob",
                "carol",
                "responsibilities/payment-api",
                "--dry-run",
            ][..],
            "error: responsibilities/payment-api: no such file or folder\n  \
             hint: did you mean `responsibilities/payments-api/`?\n",
        ),
        (
            &["check", "responsibilities/tenant-dbb/"][..],
            "error: responsibilities/tenant-dbb/: no such file or folder\n  \
             hint: did you mean `responsibilities/tenant-db/`?\n",
        ),
    ] {
        let (code, _, stderr) = env.run(&repo, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(said), "{args:?}: {stderr}");
    }
    // Nothing near it: no guess.
    let (_, _, stderr) = env.run(&repo, &["review", "policies/"]);
    assert!(!stderr.contains("did you mean"), "{stderr}");
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
}
