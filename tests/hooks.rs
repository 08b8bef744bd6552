//! Git hooks end to end: installed by `isms hooks install`, fired by real
//! `git commit` and `git push`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{Env, read, write};

/// git in `dir`, as a user would run it: hooks fire and find `isms` on PATH
/// (unless `with_isms` is false).
fn git(env: &Env, dir: &Path, args: &[&str], with_isms: bool) -> Output {
    env.command("git")
        .env("PATH", common::path_for_hooks(with_isms))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `git commit --allow-empty [extra…] -m message` in `repo`, the hooks
/// finding `isms` on PATH.
fn commit_empty(env: &Env, repo: &Path, extra: &[&str], message: &str) -> Output {
    let mut args = vec!["commit", "-q", "--allow-empty"];
    args.extend(extra);
    args.extend(["-m", message]);
    git(env, repo, &args, true)
}

/// A hook file git will run.
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn install(env: &Env, repo: &Path, extra: &[&str]) -> Output {
    env.isms(repo)
        .args(["hooks", "install"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hook_stops_an_incomplete_matrix_and_lets_the_fix_through() {
    let env = Env::new();
    let repo = env.example("demo");
    let out = install(&env, &repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hooks = repo.join(".git/hooks");
    assert!(stderr(&out).starts_with("installed pre-commit, commit-msg and pre-push in "));

    let gap = "responsibilities/payments-api/CLD.6.3.1.toml";
    let saved = read(&repo, gap);
    git(&env, &repo, &["rm", "-q", gap], true);
    let out = git(
        &env,
        &repo,
        &["commit", "-q", "-m", "drop an allocation"],
        true,
    );
    assert_eq!(out.status.code(), Some(1), "the commit is refused");
    assert!(
        stderr(&out).contains("matrix-incomplete"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%s"]).trim(),
        env.git(&repo, &["log", "-1", "--format=%s", "HEAD"]).trim()
    );

    write(&repo, gap, saved);
    git(&env, &repo, &["add", gap], true);
    let out = commit_empty(&env, &repo, &[], "nothing to commit?");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(hooks.join("pre-commit").is_file());
}

#[test]
fn the_commit_msg_hook_refuses_unknown_items_and_outcomes_naming_the_line() {
    let env = Env::new();
    let repo = env.example("demo");
    install(&env, &repo, &[]);
    let refused = |message: &str| {
        let out = commit_empty(&env, &repo, &[], message);
        assert_eq!(out.status.code(), Some(1));
        stderr(&out)
    };
    let err = refused(
        "review\n\nReviewed: control:CLD.9.5.1\nReviewed: control:NOPE.1\nReview-Outcome: fine",
    );
    assert!(
        err.contains(
            ":4: Reviewed: control:NOPE.1 — control:NOPE.1 does not exist in this repository\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(":5: Review-Outcome: fine — `fine` is not effective or needs-change\n"),
        "{err}"
    );

    // What a trailer written otherwise means is named.
    let err = refused(
        "review\n\nReviewed: 5.18\nReviewed: tenant-db/8.15\nReviewed: NOPE.1\nReview-Outcome: passed",
    );
    let expected = "is not an item key: expected KIND:ID with KIND one of control, service, allocation, evidence or finding";
    for said in [
        // A bare ID, as the command line takes it: the key it stands for.
        format!(":3: Reviewed: 5.18 — `5.18` {expected}; did you mean `control:5.18`?\n"),
        format!(
            ":4: Reviewed: tenant-db/8.15 — `tenant-db/8.15` {expected}; did you mean `allocation:tenant-db/8.15`?\n"
        ),
        // An ID that names nothing gets no guess.
        format!(":5: Reviewed: NOPE.1 — `NOPE.1` {expected}\n"),
        // A word for an outcome: the outcome it means.
        ":6: Review-Outcome: passed — `passed` is not effective or needs-change; did you mean `effective`?\n".to_owned(),
    ] {
        assert!(err.contains(&said), "{said}\n{err}");
    }

    let out = commit_empty(&env, &repo, &[], "review\n\nReviewed: control:CLD.9.5.1");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn under_author_approval_the_commit_msg_hook_says_which_reviews_will_not_count() {
    let env = Env::new();
    let repo = env.example("demo");
    env.commit_author_approval(&repo);
    install(&env, &repo, &[]);
    let message = "review\n\nReviewed: control:CLD.9.5.1\nReviewed: control:CLD.9.5.1";
    // As someone who owns nothing: made, with a warning, once for the item.
    let out = commit_empty(
        &env,
        &repo,
        &["--author", "Mallory <mallory@example.com>"],
        message,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "\nwarning: this review of control:CLD.9.5.1 will not count: it is made as Mallory <mallory@example.com>, and alice (Alice Ng), who owns it, has another email in isms.toml (approval = \"author\")\n  hint: "
        ),
        "{err}"
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    // As its owner, Alice: nothing to say.
    let out = commit_empty(&env, &repo, &[], message);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn the_commit_msg_hook_refuses_a_misspelt_review_trailer_that_would_record_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    install(&env, &repo, &[]);
    let commit = |message: &str| commit_empty(&env, &repo, &[], message);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    let out = commit(
        "review\n\nReview-Outcom: needs-change\nReviewd: control:CLD.9.5.1\nReview-Notes: keys rotated",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        lines,
        [
            "error: .git/COMMIT_EDITMSG:3: Review-Outcom: needs-change — isms reads no `Review-Outcom` trailer; did you mean `Review-Outcome`?",
            "error: .git/COMMIT_EDITMSG:4: Reviewd: control:CLD.9.5.1 — isms reads no `Reviewd` trailer; did you mean `Reviewed`?",
            "error: .git/COMMIT_EDITMSG:5: Review-Notes: keys rotated — isms reads no `Review-Notes` trailer; did you mean `Review-Note`?",
        ],
        "{err}"
    );
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    // Misspelt so that nothing in the message says "review".
    let out = commit("fix\n\nReveiwed: control:CLD.9.5.1");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: .git/COMMIT_EDITMSG:3: Reveiwed: control:CLD.9.5.1 — isms reads no `Reveiwed` trailer; did you mean `Reviewed`?"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    // Trailers of other uses that look alike are not judged: a person named
    // as reviewer, git's own Reviewed-by, a note with no review to belong to.
    let out = commit(
        "fix\n\nReviewer: Bob Okafor <bob@example.com>\nReviewed-by: Bob Okafor <bob@example.com>\nReview-Notes: see the ticket",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Spelt right, in any case, it records the review.
    let out = commit("review\n\nreviewed: control:CLD.9.5.1\nReview-Note: keys rotated");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = env.git(&repo, &["log", "-1", "--format=%H"]);
    let out = env
        .isms(&repo)
        .args(["log", "control:CLD.9.5.1"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&log[..10]) && shown.contains("keys rotated"),
        "{shown}"
    );
}

#[test]
fn the_commit_msg_hook_reads_a_message_in_another_encoding_as_the_record_does() {
    // Latin-1, as git writes it with i18n.commitEncoding = latin1: the
    // history reads its trailers, so the hook checks them rather than
    // refusing the message.
    let env = Env::new();
    let repo = env.example("demo");
    install(&env, &repo, &[]);
    let file = env.path().join("message");
    let commit = |trailer: &str| {
        let mut message = b"review: caf\xe9 supplier list\n\n".to_vec();
        message.extend_from_slice(trailer.as_bytes());
        std::fs::write(&file, message).unwrap();
        git(
            &env,
            &repo,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "-F",
                file.to_str().unwrap(),
            ],
            true,
        )
    };
    let out = commit("Reviewed: control:NOPE.1\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(":3: Reviewed: control:NOPE.1 — control:NOPE.1 does not exist"),
        "{}",
        stderr(&out)
    );
    let out = commit("Reviewed: control:5.19\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = env
        .isms(&repo)
        .args(["--format", "json", "log", "control:5.19"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    assert!(
        doc["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["commit"] == head.trim()),
        "{doc}"
    );
}

#[test]
fn the_commit_msg_hook_starts_isms_only_for_a_message_that_may_hold_review_trailers() {
    let env = Env::new();
    let repo = env.example("demo");
    install(&env, &repo, &[]);
    // Only the commit-msg hook: the pre-commit hook always needs isms.
    std::fs::remove_file(repo.join(".git/hooks/pre-commit")).unwrap();
    let commit = |message: &str, with_isms: bool| {
        git(
            &env,
            &repo,
            &["commit", "-q", "--allow-empty", "-m", message],
            with_isms,
        )
    };
    // No review named: the hook answers without isms.
    let out = commit("tidy the README\n\nNothing to see.", false);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A review trailer, in any case, still needs isms, and is checked.
    let out = commit("review\n\nREVIEWED: control:NOPE.1", false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("isms commit-msg hook: the isms program is not on PATH"),
        "{}",
        stderr(&out)
    );
    let out = commit("review\n\nREVIEWED: control:NOPE.1", true);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(":3: REVIEWED: control:NOPE.1 — control:NOPE.1 does not exist"),
        "{}",
        stderr(&out)
    );
    // A long message is read by isms whatever it says.
    let body: String = (0..80).map(|i| format!("* change {i}\n")).collect();
    let out = commit(&format!("squash\n\n{body}\nReviewed: control:NOPE.1"), true);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(":84: Reviewed: control:NOPE.1 — control:NOPE.1 does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hooks_go_where_core_hooks_path_says_and_fail_clearly_without_isms() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["config", "core.hooksPath", ".githooks"]);
    let out = install(&env, &repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo.join(".githooks/pre-commit").is_file());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    let out = git(
        &env,
        &repo,
        &["commit", "-q", "--allow-empty", "-m", "x"],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("isms pre-commit hook: the isms program is not on PATH"),
        "{}",
        stderr(&out)
    );
    // How to install it from where it is published: its source repository.
    assert!(
        stderr(&out).contains("cargo install --locked --git https://github.com/isms-dev/isms isms"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hooks_path_every_repository_shares_is_refused_and_the_hint_gives_one_of_its_own() {
    let env = Env::new();
    let repo = env.example("demo");
    let shared = env.path().join("shared-hooks");
    let global = env.path().join("global.gitconfig");
    std::fs::write(
        &global,
        format!("[core]\n\thooksPath = {}\n", shared.display()),
    )
    .unwrap();
    let install_global = || {
        env.isms(&repo)
            .env("GIT_CONFIG_GLOBAL", &global)
            .args(["hooks", "install"])
            .output()
            .unwrap()
    };
    let out = install_global();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "error: the hooks directory, {}, is shared: core.hooksPath is set in {} (global config)",
            shared.display(),
            global.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(!shared.exists(), "nothing was written there");
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    // The hint's command gives the repository hooks of its own.
    let own = repo.canonicalize().unwrap().join(".git/hooks");
    let hint = format!("`git config core.hooksPath {}`", own.display());
    assert!(stderr(&out).contains(&hint), "{}", stderr(&out));
    env.git(&repo, &["config", "core.hooksPath", own.to_str().unwrap()]);
    let out = install_global();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo.join(".git/hooks/pre-commit").is_file());
    assert!(!shared.exists());
    // A hooks path the repository's own config names is its own, wherever
    // it points.
    env.git(
        &repo,
        &["config", "core.hooksPath", shared.to_str().unwrap()],
    );
    let out = install_global();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(shared.join("pre-commit").is_file());
}

#[test]
fn a_foreign_hook_is_refused_then_kept_chained_and_restored() {
    let env = Env::new();
    let repo = env.example("demo");
    let hook = repo.join(".git/hooks/pre-commit");
    let foreign = "#!/bin/sh\necho foreign hook ran >&2\nexit 0\n";
    write(&repo, ".git/hooks/pre-commit", foreign);
    make_executable(&hook);
    let out = install(&env, &repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("hooks that isms did not install are in the way"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&repo, ".git/hooks/pre-commit"), foreign, "untouched");
    assert!(
        !repo.join(".git/hooks/commit-msg").exists(),
        "nothing was installed"
    );

    let out = install(&env, &repo, &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&repo, ".git/hooks/pre-commit.isms-backup"), foreign);
    let out = commit_empty(&env, &repo, &[], "x");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("foreign hook ran"),
        "chained: {}",
        stderr(&out)
    );

    let out = env
        .isms(&repo)
        .args(["hooks", "uninstall"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(&repo, ".git/hooks/pre-commit"), foreign, "restored");
    assert!(!repo.join(".git/hooks/pre-commit.isms-backup").exists());
    assert!(!repo.join(".git/hooks/commit-msg").exists());
    // Again: there is nothing of isms's left, and it says so.
    let hooks = repo.join(".git/hooks");
    env.isms(&repo)
        .args(["hooks", "uninstall"])
        .assert()
        .success()
        .stderr(format!(
            "left {}: isms did not install it\nno isms hook is installed in {}\n",
            hooks.join("pre-commit").display(),
            hooks.display()
        ));
    assert_eq!(read(&repo, ".git/hooks/pre-commit"), foreign);
}

#[test]
fn a_foreign_hook_beside_a_backup_is_never_moved_over_it() {
    let env = Env::new();
    let repo = env.example("demo");
    let (mine, kept) = ("#!/bin/sh\necho mine\n", "#!/bin/sh\necho kept\n");
    write(&repo, ".git/hooks/pre-commit", mine);
    write(&repo, ".git/hooks/pre-commit.isms-backup", kept);
    make_executable(&repo.join(".git/hooks/pre-commit"));
    // With or without --force: moving the hook aside would lose the backup.
    for extra in [&[][..], &["--force"][..]] {
        let out = install(&env, &repo, extra);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("pre-commit.isms-backup: nothing was changed"),
            "{}",
            stderr(&out)
        );
        assert_eq!(read(&repo, ".git/hooks/pre-commit"), mine);
        assert_eq!(read(&repo, ".git/hooks/pre-commit.isms-backup"), kept);
        assert!(!repo.join(".git/hooks/commit-msg").exists());
    }
}

#[test]
fn the_pre_push_hook_runs_the_full_check() {
    let env = Env::new();
    let repo = env.example("demo");
    env.origin(&repo);
    install(&env, &repo, &[]);
    // A broken file committed past the pre-commit hook is stopped at push.
    write(&repo, "controls/CLD.9.5.1.toml", "id = [");
    git(
        &env,
        &repo,
        &["commit", "-q", "--no-verify", "-am", "broken"],
        true,
    );
    let out = git(&env, &repo, &["push", "-q", "origin", "HEAD"], true);
    assert_ne!(out.status.code(), Some(0));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("controls/CLD.9.5.1.toml"), "{all}");
}

#[test]
fn the_pre_push_hook_checks_each_commit_as_pushed_never_the_working_tree() {
    let env = Env::new();
    let repo = env.example("demo");
    let origin = env.origin(&repo);
    // A foreign pre-push hook, kept by --force, still hears what is pushed.
    let heard = env.path().join("heard");
    let foreign = format!("#!/bin/sh\ncat > '{}'\n", heard.display());
    write(&repo, ".git/hooks/pre-push", &foreign);
    make_executable(&repo.join(".git/hooks/pre-push"));
    assert_eq!(install(&env, &repo, &["--force"]).status.code(), Some(0));
    let tip = |dir: &Path| env.git(dir, &["rev-parse", "refs/heads/master"]);
    let head = tip(&repo);
    let head = head.trim();

    // Work in progress that does not parse stays home: what is pushed is
    // the commit, which is sound.
    let wip = "services/tenant-db.toml";
    let committed = read(&repo, wip);
    write(&repo, wip, format!("{committed}WIP\n"));
    let out = git(&env, &repo, &["push", "-q", "origin", "master"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(tip(&origin).trim(), head);
    assert_eq!(
        std::fs::read_to_string(&heard).unwrap(),
        format!(
            "refs/heads/master {head} refs/heads/master {}\n",
            "0".repeat(40)
        )
    );

    // A broken commit does not leave, though the working tree was mended
    // since: the check is of the commit as pushed.
    git(
        &env,
        &repo,
        &["commit", "-q", "--no-verify", "-am", "broken"],
        true,
    );
    write(&repo, wip, &committed);
    let out = git(&env, &repo, &["push", "-q", "origin", "master"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // (git passes on the hook's standard output as its own.)
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(said.contains(&format!("--> {wip}:")), "{said}");
    assert!(
        said.contains(
            "isms pre-push hook: refs/heads/master does not pass `isms check` as pushed, \
             so nothing was pushed"
        ),
        "{said}"
    );
    assert_eq!(tip(&origin).trim(), head, "nothing left this clone");
    // A branch deleted on origin has nothing to check.
    let out = git(
        &env,
        &repo,
        &["push", "-q", "origin", "HEAD~1:refs/heads/old"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = git(
        &env,
        &repo,
        &["push", "-q", "origin", ":refs/heads/old"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn installed_from_a_worktree_the_hooks_serve_every_worktree() {
    let env = Env::new();
    let repo = env.example("demo");
    let wt = env.path().join("wt");
    env.git(&repo, &["worktree", "add", "-q", wt.to_str().unwrap()]);
    let out = install(&env, &wt, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        repo.join(".git/hooks/pre-commit").is_file(),
        "the common hooks directory"
    );
    let gap = "responsibilities/payments-api/CLD.6.3.1.toml";
    git(&env, &wt, &["rm", "-q", gap], true);
    let out = git(&env, &wt, &["commit", "-q", "-m", "gap"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn the_pre_commit_hook_shows_errors_in_full_and_warnings_one_line_per_rule() {
    let env = Env::new();
    let repo = env.example("demo");
    assert_eq!(install(&env, &repo, &[]).status.code(), Some(0));
    env.isms(&repo)
        .args(["new", "service", "billing", "--model", "saas"])
        .assert()
        .success();
    env.git(&repo, &["add", "-A"]);
    let out = git(&env, &repo, &["commit", "-q", "-m", "billing"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // (git shows a hook's output on stderr.)
    let shown = stderr(&out);
    let line = shown
        .lines()
        .find(|l| l.starts_with("warning[placeholder]: "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.ends_with(" files (`isms check` lists them)"), "{line}");
    assert!(!shown.contains("-->"), "no warning in full: {shown}");
    assert!(shown.lines().count() <= 4, "{shown}");
    // An error is still shown whole.
    write(&repo, "services/billing.toml", "id = \"billing\"\n");
    env.git(&repo, &["add", "-A"]);
    let out = git(&env, &repo, &["commit", "-q", "-m", "broken"], true);
    assert_eq!(out.status.code(), Some(1));
    let shown = stderr(&out);
    assert!(shown.contains("error[missing-key]"), "{shown}");
    assert!(shown.contains("--> services/billing.toml"), "{shown}");
}

#[test]
fn the_pre_commit_hook_checks_what_commit_a_and_commit_paths_commit() {
    // `git commit -a` and `git commit <path>` commit a temporary index
    // (GIT_INDEX_FILE), not .git/index: the hook must check that one.
    let env = Env::new();
    let repo = env.example("demo");
    let out = install(&env, &repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = "responsibilities/payments-api/CLD.6.3.1.toml";
    let saved = read(&repo, file);
    write(&repo, file, format!("{saved}party = \"nobody\"\n"));
    let head = env.git(&repo, &["rev-parse", "HEAD"]);

    for args in [
        &["commit", "-q", "-a", "-m", "commit -a"][..],
        &["commit", "-q", "-m", "commit a path", file][..],
    ] {
        let out = git(&env, &repo, args, true);
        assert_eq!(out.status.code(), Some(1), "{args:?} is refused");
        assert!(
            stderr(&out).contains(&format!("--> {file}:")),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head, "{args:?}");
    }

    // The same paths with the file put right commit.
    write(&repo, file, saved.replace("party = ", "party =  "));
    let out = git(
        &env,
        &repo,
        &["commit", "-q", "-a", "-m", "commit -a"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn in_a_bare_repository_the_pre_receive_hook_refuses_a_push_no_client_hook_checked() {
    let env = Env::new();
    let repo = env.example("demo");
    let origin = env.origin(&repo);
    // On the server: its bare repository gets the pre-receive hook.
    let out = install(&env, &origin, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "installed pre-receive in {}\n",
            origin.join("hooks").display()
        )
    );
    let tip = |dir: &Path| env.git(dir, &["rev-parse", "refs/heads/master"]);
    let push = |args: &[&str], with_isms: bool| {
        let mut all = vec!["push", "-q", "origin"];
        all.extend(args);
        git(&env, &repo, &all, with_isms)
    };
    let out = push(&["master"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(tip(&origin), tip(&repo));
    let landed = tip(&origin);

    // A gap in the matrix, committed where no client hook runs: refused
    // where it is received, the error shown to whoever pushed.
    std::fs::remove_file(repo.join("responsibilities/payments-api/5.1.toml")).unwrap();
    env.git(&repo, &["commit", "-qam", "Drop an allocation"]);
    let out = push(&["master"], true);
    assert_ne!(out.status.code(), Some(0));
    let said = stderr(&out);
    assert!(
        said.contains(
            "remote: error[matrix-incomplete]: missing allocation: service `payments-api`"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "remote: isms pre-receive hook: refs/heads/master does not pass `isms check` as pushed, so the push was refused"
        ),
        "{said}"
    );
    assert!(said.contains("(pre-receive hook declined)"), "{said}");
    assert_eq!(tip(&origin), landed, "nothing was accepted");

    // The fix is accepted; so is a branch pushed and deleted.
    env.git(&repo, &["revert", "--no-edit", "HEAD"]);
    let out = push(&["master", "HEAD:refs/heads/side"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(tip(&origin), tip(&repo));
    let out = push(&["--delete", "side"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A branch that never held a compliance repository (a site published
    // to gh-pages) is not checked; one that drops isms.toml is, and fails.
    env.git(&repo, &["switch", "-q", "--orphan", "gh-pages"]);
    write(&repo, "index.html", "<h1>Dashboard</h1>\n");
    env.git(&repo, &["add", "index.html"]);
    env.git(&repo, &["commit", "-qm", "Publish the dashboard"]);
    let out = push(&["gh-pages"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    env.git(&repo, &["switch", "-q", "master"]);
    env.git(&repo, &["rm", "-q", "isms.toml"]);
    env.git(&repo, &["commit", "-qm", "No settings"]);
    let out = push(&["master"], true);
    assert!(
        stderr(&out).contains("remote: isms pre-receive hook: refs/heads/master does not pass"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("holds no isms.toml: it is not a compliance repository's commit"),
        "{}",
        stderr(&out)
    );
    env.git(&repo, &["reset", "-q", "--hard", "HEAD~1"]);

    // A server without isms refuses rather than lets a push through unchecked.
    env.git(&repo, &["commit", "-q", "--allow-empty", "-m", "Note"]);
    let out = push(&["master"], false);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out)
            .contains("isms pre-receive hook: the isms program is not on the server's PATH"),
        "{}",
        stderr(&out)
    );

    // What needs a working tree says so, and what the bare one can do.
    let out = env.isms(&origin).arg("stale").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "hint: in a bare repository, what reads commits alone runs: `isms check` with `--rev REV`; `status`, `stale`, `report`, `show` and `site` with `--rev REV` or a past `--as-of DATE`; `diff`, `triggers detect`, `log`, `verify-approvals --offline`, `pack` and `export oscal`; and `isms hooks install` installs the pre-receive hook that checks each push"
        ),
        "{}",
        stderr(&out)
    );
    let out = env
        .isms(&origin)
        .args(["hooks", "uninstall"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!origin.join("hooks/pre-receive").exists());
}

#[test]
fn the_pre_push_hook_lets_a_branch_that_never_held_the_record_through() {
    let env = Env::new();
    let repo = env.example("demo");
    let origin = env.origin(&repo);
    assert_eq!(install(&env, &repo, &[]).status.code(), Some(0));
    // The dashboard, published on a branch of its own.
    env.git(&repo, &["switch", "-q", "--orphan", "gh-pages"]);
    write(&repo, "index.html", "<h1>Dashboard</h1>\n");
    env.git(&repo, &["add", "index.html"]);
    let out = git(
        &env,
        &repo,
        &["commit", "-qm", "Publish the dashboard"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = git(&env, &repo, &["push", "-q", "origin", "gh-pages"], true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !env.git(&origin, &["rev-parse", "refs/heads/gh-pages"])
            .is_empty()
    );
    // The record branch without its settings is still refused.
    env.git(&repo, &["switch", "-q", "master"]);
    env.git(&repo, &["rm", "-q", "isms.toml"]);
    let out = git(
        &env,
        &repo,
        &["commit", "-q", "--no-verify", "-m", "No settings"],
        true,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = git(&env, &repo, &["push", "-q", "origin", "master"], true);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out)
            .contains("isms pre-push hook: refs/heads/master does not pass `isms check` as pushed"),
        "{}",
        stderr(&out)
    );
}
