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
    // The items as keys name them, as `isms show` and `isms review` take them.
    for keys in [
        &["rename", "service:payments", "billing", "--dry-run"][..],
        &[
            "rename",
            "service",
            "payments",
            "service:billing",
            "--dry-run",
        ],
    ] {
        let as_keys = env.isms(&repo).args(keys).output().unwrap();
        assert_eq!(as_keys.status.code(), Some(0), "{keys:?}");
        assert_eq!(as_keys.stdout, out.stdout, "{keys:?}");
    }
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
        (
            &["rename", "service", "control:5.1", "billing"],
            "error: OLD: `control:5.1` is a control, and `isms rename service` renames a service\n",
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

#[test]
fn a_control_of_our_own_is_renamed_with_its_allocations_history_and_references() {
    let env = Env::new();
    let repo = env.example("demo");
    let run = |args: &[&str]| {
        let out = env.isms(&repo).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&[
        "new",
        "control",
        "ACME-1",
        "--title",
        "Tenant offboarding",
        "--summary",
        "Tenant data deleted within 30 days of exit",
        "--matrix",
        "--justification",
        "Contracts",
    ]);
    run(&[
        "new",
        "trigger",
        "offboarding-changed",
        "--title",
        "Offboarding changes",
        "--reassess",
        "ACME-1",
        "--reassess",
        "5.1",
        "--path",
        "responsibilities/*/ACME-1.toml",
        "--field",
        "party",
    ]);
    run(&[
        "new",
        "evidence",
        "deletion-log",
        "--control",
        "ACME-1",
        "--kind",
        "deletion-log",
        "--title",
        "Deletion log",
        "--collected",
        "2026-11-02",
    ]);
    env.git(&repo, &["add", "--all"]);
    env.git(&repo, &["commit", "-q", "--no-verify", "-m", "ACME-1"]);
    run(&[
        "review",
        "ACME-1",
        "allocation:tenant-db/ACME-1",
        "--note",
        "checked",
    ]);
    let before = states(&env, &repo, "ACME-1", "ACME-9");
    let later = states_on(&env, &repo, "ACME-1", "ACME-9", Some("2030-01-01"));

    let plan = "rename control ACME-1 → ACME-9\n  \
                controls/ACME-1.toml → controls/ACME-9.toml\n  \
                responsibilities/*/ACME-1.toml → responsibilities/*/ACME-9.toml (3 allocations)\n  \
                evidence/deletion-log.toml controls: ACME-1 → ACME-9\n  \
                triggers/offboarding-changed.toml reassess: ACME-1 → ACME-9\n  \
                triggers/offboarding-changed.toml when.path: responsibilities/*/ACME-1.toml → \
                responsibilities/*/ACME-9.toml\n";
    assert_eq!(run(&["rename", "control", "ACME-1", "ACME-9"]), plan);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    let renamed = env.git(&repo, &["diff", "--name-status", "-M", "HEAD~1", "HEAD"]);
    for (from, to) in [
        ("controls/ACME-1.toml", "controls/ACME-9.toml"),
        (
            "responsibilities/tenant-db/ACME-1.toml",
            "responsibilities/tenant-db/ACME-9.toml",
        ),
    ] {
        assert!(
            renamed
                .lines()
                .any(|l| l.starts_with('R') && l.ends_with(&format!("\t{from}\t{to}"))),
            "{renamed}"
        );
    }
    assert!(read(&repo, "controls/ACME-9.toml").contains("id = \"ACME-9\"\n"));
    assert!(
        read(&repo, "responsibilities/payments-api/ACME-9.toml").contains("control = \"ACME-9\"\n")
    );
    assert!(read(&repo, "evidence/deletion-log.toml").contains("controls = [\"ACME-9\"]"));
    let trigger = read(&repo, "triggers/offboarding-changed.toml");
    assert!(
        trigger.contains("reassess = [\"ACME-9\", \"5.1\"]"),
        "{trigger}"
    );
    assert!(
        trigger.contains("path = \"responsibilities/*/ACME-9.toml\""),
        "{trigger}"
    );

    // Its reviews count for the new keys, today and years later, when an
    // allocation never reviewed says so of either name.
    assert_eq!(states(&env, &repo, "ACME-1", "ACME-9"), before);
    let after = states_on(&env, &repo, "ACME-1", "ACME-9", Some("2030-01-01"));
    let never = "\"never reviewed, nor under the name it had; was due 2027-11-02";
    assert!(
        after["allocation:payments-api/ACME-9"]
            .starts_with(&format!("\"overdue\" \"2027-11-02\" {never}")),
        "{}",
        after["allocation:payments-api/ACME-9"]
    );
    let reworded: BTreeMap<String, String> = (after.into_iter())
        .map(|(k, v)| (k, v.replace(", nor under the name it had;", ";")))
        .collect();
    assert_eq!(reworded, later);
    let log = run(&["log", "allocation:tenant-db/ACME-9"]);
    assert!(
        log.contains("[as allocation:tenant-db/ACME-1] checked"),
        "{log}"
    );
    let out = env.isms(&repo).args(["check"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The catalog's IDs are the standard's: neither renamed nor taken.
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    for (args, said) in [
        (
            &["rename", "control", "5.1", "ACME-2"][..],
            "error: OLD: `5.1` is a control of the ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015 \
             catalog: its ID is the standard's, and is not renamed; nothing was written\n  \
             hint: only a control of your own (`isms new control`) is renamed\n",
        ),
        (
            &["rename", "control", "ACME-9", "5.2"],
            "error: NEW: `5.2` is a control of the ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015 \
             catalog: the standard's ID is not given to another; nothing was written\n  \
             hint: give a control of your own an ID of your own (e.g. ACME-1)\n",
        ),
        (
            &["rename", "control", "ACME-9", "9.1.1"],
            "error: NEW: `9.1.1` is not in this repository's edition, 2022; \
             9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15; nothing was written\n",
        ),
        (
            &["rename", "control", "ACME-1", "ACME-2"],
            "error: control `ACME-1` does not exist (no controls/ACME-1.toml)\n  \
             hint: did you mean `ACME-9`?\n",
        ),
    ] {
        let out = env.isms(&repo).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), said, "{args:?}");
    }
    assert_eq!(env.git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}
