//! `isms rename service OLD NEW` end to end: one commit that moves a
//! service's files and every reference to it, its review history carried
//! across to the new keys.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Env, read, write};

/// Each item's state, due day, detail and last review's commit, as
/// `stale --all --format json` gives them, with `old` read as `new`.
fn states(env: &Env, repo: &Path, old: &str, new: &str) -> BTreeMap<String, String> {
    states_on(env, repo, old, new, None)
}

/// [`states`] as of `day`.
fn states_on(
    env: &Env,
    repo: &Path,
    old: &str,
    new: &str,
    day: Option<&str>,
) -> BTreeMap<String, String> {
    let mut cmd = env.isms(repo);
    if let Some(day) = day {
        cmd.args(["--as-of", day]);
    }
    let out = cmd
        .args(["stale", "--all", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["items"].as_array().unwrap().iter())
        .map(|i| {
            let item = i["item"].as_str().unwrap().replace(old, new);
            let what = format!(
                "{} {} {} {}",
                i["state"], i["due"], i["detail"], i["last_review"]["commit"]
            );
            (item, what.replace(old, new))
        })
        .collect()
}

#[test]
fn a_renamed_service_keeps_its_review_history_and_every_reference() {
    let env = Env::new();
    let repo = env.example("demo");
    let before = states(&env, &repo, "payments-api", "payments");
    let later = states_on(&env, &repo, "payments-api", "payments", Some("2030-01-01"));
    let verified = |env: &Env| {
        let out = env
            .isms(&repo)
            .args(["verify-approvals", "--offline"])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        (out.status.code(), said.into_owned())
    };
    let approvals = verified(&env);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);

    let out = env
        .isms(&repo)
        .args(["rename", "service", "payments-api", "payments"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "rename service payments-api → payments\n  \
         services/payments-api.toml → services/payments.toml\n  \
         responsibilities/payments-api/ → responsibilities/payments/ (47 allocations)\n  \
         evidence/2026-10-admin-log-review.toml services: payments-api → payments\n  \
         evidence/2026-h2-isolation-test.toml services: payments-api → payments\n  \
         evidence/2026-q3-vulnerability-scan.toml services: payments-api → payments\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("committed ")
            && stderr.ends_with(
                ": service payments-api is payments; .isms/migrations/renames.toml records the old → new items\n"
            ),
        "{stderr}"
    );
    // One commit on top of what was there, and nothing left over.
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD~1"]), head);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(
        env.git(&repo, &["log", "-1", "--format=%s"]),
        "Rename service payments-api to payments\n"
    );
    // Moved as git moves files: each one a rename, its history followed.
    let moved = env.git(&repo, &["diff", "-M", "--name-status", "HEAD~1", "HEAD"]);
    let renames = moved.lines().filter(|l| l.starts_with('R')).count();
    assert_eq!(renames, 48, "{moved}");
    assert!(!repo.join("responsibilities/payments-api").exists());
    let service = read(&repo, "services/payments.toml");
    assert!(service.contains("id = \"payments\""), "{service}");
    assert!(
        read(&repo, "responsibilities/payments/CLD.9.5.1.toml").contains("service = \"payments\"")
    );
    let record = read(&repo, "evidence/2026-h2-isolation-test.toml");
    assert!(record.contains("\"payments\""), "{record}");
    assert!(!record.contains("payments-api"), "{record}");
    assert!(read(&repo, ".github/CODEOWNERS").contains("/services/payments.toml @bob-okafor\n"));
    env.isms(&repo).arg("check").assert().code(0);

    // Every item stands as it stood: the reviews of the old keys count,
    // and are checked against the approvals as they were.
    assert_eq!(states(&env, &repo, "payments-api", "payments"), before);
    assert_eq!(verified(&env), approvals);
    // Years later, an allocation never reviewed is as overdue as it would
    // have been, and said to be so under either name.
    let never = |states: &BTreeMap<String, String>| states["allocation:payments/5.1"].clone();
    assert_eq!(
        never(&states_on(
            &env,
            &repo,
            "payments-api",
            "payments",
            Some("2030-01-01")
        )),
        never(&later).replace(
            "\"never reviewed;",
            "\"never reviewed, nor under the name it had;"
        )
    );
    assert!(
        never(&later).contains("\"never reviewed; was due 20"),
        "{later:?}"
    );
    assert!(
        approvals
            .1
            .contains("\nallocation:payments-api/CLD.9.5.1  in "),
        "{approvals:?}"
    );
    let log = env
        .isms(&repo)
        .args(["log", "allocation:payments/CLD.9.5.1"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(
        log.contains("[as allocation:payments-api/CLD.9.5.1] 2026-H1 isolation test passed"),
        "{log}"
    );
    let folder = env
        .isms(&repo)
        .args(["log", "responsibilities/payments/"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&folder.stdout).contains("allocation:payments-api/CLD.9.5.1"),
        "the folder's log holds the reviews made under the old key"
    );
    // The old names point to the new ones.
    env.isms(&repo)
        .args(["show", "payments-api"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: no item is called `payments-api`; it is now `service:payments`\n",
        ));
    env.isms(&repo)
        .args(["log", "allocation:payments-api/CLD.9.5.1"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "allocation:payments-api/CLD.9.5.1 was renamed to allocation:payments/CLD.9.5.1; ",
        ));
    // A reviewer reads the commit as the renames it is.
    let diff = env.isms(&repo).args(["diff", "HEAD~1"]).output().unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.contains("- `payments` (renamed from `payments-api`): id payments-api → payments\n"),
        "{diff}"
    );
}

#[test]
fn a_second_rename_carries_the_history_on_and_a_dry_run_writes_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    // A trigger that watches the service's allocations by their folder.
    env.isms(&repo)
        .args([
            "new",
            "trigger",
            "party-changed",
            "--reassess",
            "CLD.6.3.1",
            "--title",
            "Payments changes who does what",
            "--path",
            "responsibilities/payments-api/*.toml",
            "--field",
            "party",
        ])
        .assert()
        .code(0);
    env.git(&repo, &["add", "--all"]);
    env.git(&repo, &["commit", "-q", "-m", "watch payments' parties"]);
    let before = states(&env, &repo, "payments-api", "billing");
    env.isms(&repo)
        .args(["rename", "service", "payments-api", "payments"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "  triggers/party-changed.toml when.path: responsibilities/payments-api/*.toml → \
             responsibilities/payments/*.toml\n",
        ));
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    let out = env
        .isms(&repo)
        .args(["rename", "service", "payments", "billing", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("rename service payments → billing\n")
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "dry run: nothing was written\n"
    );
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    env.isms(&repo)
        .args(["rename", "service", "payments", "billing"])
        .assert()
        .code(0);
    assert_eq!(states(&env, &repo, "payments-api", "billing"), before);
    let trigger = read(&repo, "triggers/party-changed.toml");
    assert!(
        trigger.contains("path = \"responsibilities/billing/*.toml\""),
        "{trigger}"
    );
    let map = read(&repo, ".isms/migrations/renames.toml");
    assert!(
        map.contains(
            "key = \"allocation:billing/CLD.9.5.1\"\nfrom = [{ key = \"allocation:payments/CLD.9.5.1\", added = "
        ),
        "{map}"
    );
    assert!(
        map.contains("from = [{ key = \"allocation:payments-api/CLD.9.5.1\", added = 2026-"),
        "the first rename stays recorded: {map}"
    );
}

#[test]
fn a_dirty_tree_a_taken_id_or_an_unknown_service_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("demo");
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    for (args, said) in [
        (
            &["rename", "service", "payments", "billing"][..],
            "error: service `payments` does not exist (no services/payments.toml)\n  \
             hint: did you mean `payments-api`?\n",
        ),
        (
            &["rename", "service", "payments-api", "tenant-db"],
            "error: services/tenant-db.toml exists: `tenant-db` is taken; nothing was written\n",
        ),
        (
            &["rename", "service", "payments-api", "Payments API"],
            "error: NEW: ",
        ),
    ] {
        let out = env.isms(&repo).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(said), "{stderr}");
    }
    let file = "services/tenant-db.toml";
    write(&repo, file, format!("{}# edited\n", read(&repo, file)));
    let out = env
        .isms(&repo)
        .args(["rename", "service", "payments-api", "payments"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the working tree has uncommitted changes (M services/tenant-db.toml); \
         the rename must be one commit of its own\n  \
         hint: commit or stash them, then run it again; nothing was written\n"
    );
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        " M services/tenant-db.toml\n"
    );
}
