//! `isms show ITEM`: one item, its states, its reviews and the items about
//! it, each in the state `isms stale --all` gives it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Env;
use serde_json::Value;

/// `isms --as-of 2026-11-26 ARGS…` in the example: exit code, stdout, stderr.
fn isms(env: &Env, repo: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = env
        .isms(repo)
        .args(["--as-of", "2026-11-26"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_control_is_shown_with_its_states_reviews_and_the_items_about_it() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let reviewed = env.git(
        &repo,
        &["log", "-1", "--format=%H", "--grep=Reviewed: control:8.15"],
    );
    let (code, text, _) = isms(&env, &repo, &["show", "8.15"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        text,
        format!(
            "control:8.15  Logging\n\
             \x20 file      controls/8.15.toml\n\
             \x20 owner     platform (Platform engineering)\n\
             \x20 soa       applicable, implemented\n\
             \x20 why       Selected in risk treatment plan RTP-2026: treats risks to tenant data and to the service.\n\
             \x20 reviews   1 on main, the last 2026-09-07 by Dave Lindqvist in {}, effective\n\
             \n\
             \x20 due              due 2026-12-07\n\
             \n\
             allocations (3)\n\
             \x20 ok               allocation:northwind-compute/8.15  shared\n\
             \x20 ok               allocation:payments-api/8.15       shared\n\
             \x20 needs-change     allocation:tenant-db/8.15          shared\n\
             \n\
             evidence (1)\n\
             \x20 due              evidence:2026-10-admin-log-review  October administrator activity review\n",
            &reviewed.trim()[..10]
        )
    );
    // A commit that names the item twice is one review of it, as in `log`.
    env.commit_empty_at(
        &repo,
        "2026-11-20T10:00:00+00:00",
        "review 8.15\n\nReviewed: control:8.15\nReviewed: control:8.15",
    );
    let (_, text, _) = isms(&env, &repo, &["show", "8.15"]);
    assert!(
        text.contains("\n  reviews   2 on main, the last "),
        "{text}"
    );

    // A control missing its evidence is both: the more urgent state first;
    // an open finding about it is listed.
    let (_, text, _) = isms(&env, &repo, &["show", "control:5.18"]);
    assert!(
        text.contains(
            "\n  soa       applicable, partial\n  \
             why       Selected in risk treatment plan RTP-2026: treats risks to tenant data and to the service.\n  \
             requires  access-review every 6mo\n"
        ),
        "{text}"
    );
    let states: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.is_empty())
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        states,
        [
            "  missing-evidence no current `access-review` evidence (needed every 6mo)",
            "  ok               next review due 2027-01-30"
        ],
        "{text}"
    );
    assert!(
        text.ends_with("findings (1)\n  ok               finding:2026-003  open, due 2026-12-15: Quarterly access review of Tenant Database administrators was skipped in Q3\n"),
        "{text}"
    );
}

#[test]
fn every_kind_of_item_is_shown_as_stale_all_sees_it() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let (_, all, _) = isms(&env, &repo, &["stale", "--all", "--format", "json"]);
    let all: Value = serde_json::from_str(&all).unwrap();
    // The most urgent state of each item, as `stale` ranks them.
    let rank = [
        "ok",
        "due",
        "overdue",
        "needs-change",
        "expired",
        "missing-evidence",
    ];
    let mut worst: BTreeMap<String, &str> = BTreeMap::new();
    for i in all["items"].as_array().unwrap() {
        let state = i["state"].as_str().unwrap();
        let e = worst
            .entry(i["item"].as_str().unwrap().to_owned())
            .or_insert(state);
        let at = |s: &str| rank.iter().position(|r| *r == s);
        if at(state) > at(e) {
            *e = state;
        }
    }
    // Each kind, named as a user would: a bare ID, a file, SERVICE/CONTROL.
    for (named, key, facts, n_related) in [
        (
            "payments-api",
            "service:payments-api",
            serde_json::json!({"model": "saas (provider), in scope"}),
            50,
        ),
        (
            "responsibilities/tenant-db/8.15.toml",
            "allocation:tenant-db/8.15",
            // What each party does: what the owner answers for.
            serde_json::json!({
                "party": "shared",
                "provider": "Example Cloud Ltd is responsible for logging across the Tenant Database platform.",
                "customer": "Each customer tenant is responsible for logging for its own accounts, users and data on Tenant Database."
            }),
            2,
        ),
        (
            "2026-10-admin-log-review",
            "evidence:2026-10-admin-log-review",
            serde_json::json!({
                "kind": "log-review",
                "collected": "2026-10-31 by dave",
                "artifacts": "evidence/files/2026-10-admin-log-review.md"
            }),
            3,
        ),
        (
            "2026-003",
            "finding:2026-003",
            serde_json::json!({
                "status": "open: minor nonconformity",
                "raised": "2026-10-12 by Internal audit",
                "found": "No record of the Q3 review of administrator access to Tenant Database.",
                "action": "Run the overdue review, add it to the platform team's quarterly calendar, and record it as evidence."
            }),
            3,
        ),
    ] {
        let (code, json, _) = isms(&env, &repo, &["--format", "json", "show", named]);
        assert_eq!(code, Some(0), "{named}");
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["item"], key);
        assert_eq!(v["facts"], facts, "{key}");
        let states: Vec<&str> = (v["states"].as_array().unwrap().iter())
            .map(|s| s["state"].as_str().unwrap())
            .collect();
        assert_eq!(states.first().copied(), worst.get(key).copied(), "{key}");
        let related = v["related"].as_array().unwrap();
        assert_eq!(related.len(), n_related, "{key}: {related:?}");
        for r in related {
            let item = r["item"].as_str().unwrap();
            assert_eq!(
                r["state"].as_str(),
                worst.get(item).copied(),
                "{key}: {item}"
            );
        }
    }
    // An allocation that does not apply says why, and no party's duties.
    let file = "responsibilities/payments-api/8.15.toml";
    let text = common::read(&repo, file);
    let text = (text.lines())
        .map(|l| match l.split_once(" = ").map(|(k, _)| k.trim()) {
            Some("party") => "party = \"not-applicable\"".to_owned(),
            Some("provider" | "customer") => format!("{} = \"\"", &l[..8]),
            Some("justification") => {
                "justification = \"payments-api keeps no logs of its own\"".to_owned()
            }
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    common::write(&repo, file, text + "\n");
    // Today, so the working tree is read.
    let out = (env
        .isms(&repo)
        .args(["show", "allocation:payments-api/8.15"]))
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "\n  party     not-applicable\n  reason    payments-api keeps no logs of its own\n  reviews   "
        ),
        "{text}"
    );
}

#[test]
fn show_reads_a_commit_with_rev_and_refuses_what_it_cannot_show() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let file = "controls/8.15.toml";
    let text = common::read(&repo, file);
    common::write(
        &repo,
        file,
        text.replacen("status = \"implemented\"", "status = \"partial\"", 1),
    );
    env.git(
        &repo,
        &["commit", "-q", "--no-verify", "-am", "8.15 is partial"],
    );
    let soa = |args: &[&str]| {
        let (code, text, _) = isms(&env, &repo, args);
        assert_eq!(code, Some(0), "{args:?}");
        text.lines()
            .find(|l| l.starts_with("  soa "))
            .unwrap()
            .to_owned()
    };
    assert_eq!(soa(&["show", "8.15"]), "  soa       applicable, partial");
    assert_eq!(
        soa(&["show", "8.15", "--rev", "HEAD~1"]),
        "  soa       applicable, implemented"
    );

    // A finding counts from the day it was raised, as the register has it.
    let finding = common::read(&repo, "findings/2026-003.toml")
        .replace("id = \"2026-003\"", "id = \"2026-004\"")
        .replace("raised = 2026-10-12", "raised = 2026-11-24")
        .replace("controls = [\"5.18\", \"8.2\"]", "controls = [\"8.15\"]");
    common::write(&repo, "findings/2026-004.toml", finding);
    env.git(&repo, &["add", "findings"]);
    env.git_at(
        &repo,
        "2026-11-20T10:00:00+00:00",
        &["commit", "-q", "--no-verify", "-m", "a finding on 8.15"],
    );
    let findings = |as_of: &str| {
        let out = (env.isms(&repo).args(["--as-of", as_of, "show", "8.15"]))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.split_once("findings (")
            .map(|(_, f)| f.to_owned())
            .unwrap_or_default()
    };
    assert_eq!(findings("2026-11-23"), "");
    assert!(
        findings("2026-11-24").starts_with("1)\n  ok               finding:2026-004  open, due"),
        "{}",
        findings("2026-11-24")
    );

    let (code, _, err) = isms(&env, &repo, &["show", "5.99"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: no item is called `5.99`; did you mean `5.9`?\n"),
        "{err}"
    );
    let (code, _, err) = isms(&env, &repo, &["show", "responsibilities/tenant-db"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        "error: `responsibilities/tenant-db` is a folder; isms show shows one item\n  \
         hint: `isms stale --all` lists every item's state, and `isms log responsibilities/tenant-db/` the reviews of those under it\n"
    );
    let (code, _, err) = isms(&env, &repo, &["show", "8.15", "--format", "csv"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        "error: --format csv is not for isms show: it writes human or json\n"
    );
}

#[test]
fn with_count_changes_a_file_change_is_shown_and_logged_as_the_review_that_counts() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let settings = common::read(&repo, "isms.toml");
    assert!(settings.contains("count_changes = false"));
    common::write(
        &repo,
        "isms.toml",
        settings.replace("count_changes = false", "count_changes = true"),
    );
    let file = "controls/5.3.toml";
    let text =
        common::read(&repo, file).replace("justification = \"", "justification = \"Reviewed: ");
    common::write(&repo, file, text);
    env.git(&repo, &["commit", "-qam", "count changes; 5.3 edited"]);
    let landed = env.git(&repo, &["log", "-1", "--format=%cs"]);
    let out = (env.isms(&repo).args(["show", "5.3"])).output().unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(
        shown.contains(&format!(
            "\n  reviews   none on main; the change to its file landed {} counts as one (count_changes)\n",
            landed.trim()
        )),
        "{shown}"
    );
    // The dashboard's item page says it too, where it said "Never reviewed."
    let out = (env.isms(&repo).args(["site", "--out", "../site"]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = common::read(&env.path().join("site"), "items/control/5.3.html");
    assert!(
        page.contains(&format!(
            "<p data-file-change>No review commit; the change to its file landed {} counts as one (count_changes).</p>",
            landed.trim()
        )),
        "{page}"
    );
    assert!(!page.contains("Never reviewed."));
    // `isms log` lists review commits; it says that the change counts too.
    let out = (env.isms(&repo).args(["log", "5.3"])).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "control:5.3 has no review on main\n\
             with count_changes = true, the change to controls/5.3.toml that landed {} counts as a review of it too; \
             `git log --first-parent -- controls/5.3.toml` lists its changes\n",
            landed.trim()
        )
    );
    // Not for a period that ended before it landed.
    let out = (env
        .isms(&repo)
        .args(["--as-of", "2026-01-01", "log", "5.3"]))
    .output()
    .unwrap();
    assert!(
        !String::from_utf8(out.stderr)
            .unwrap()
            .contains("count_changes")
    );
}

/// A person or team named where an item is (`show`, `log`, `review`) is
/// said to be one, with where what they own is listed.
#[test]
fn a_person_or_team_named_as_an_item_is_pointed_to_what_it_owns() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let items = "  hint: items are control:ID, service:ID, allocation:SERVICE/CONTROL, evidence:ID or finding:ID\n";
    for (args, said) in [
        (
            &["show", "platform"][..],
            "error: no item is called `platform`\n  hint: `platform` is a team in isms.toml: \
             `isms stale --owner platform --all` lists what it owns\n",
        ),
        (
            &["log", "bob"][..],
            "error: no item is called `bob`\n  hint: `bob` is a person in isms.toml: \
             `isms stale --owner bob --all` lists what they own\n",
        ),
        (
            &["review", "alice-ng"][..],
            "error: nothing recorded: no item is called `alice-ng`\n  hint: `alice-ng` names alice, \
             a person in isms.toml: `isms stale --owner alice --all` lists what they own\n",
        ),
    ] {
        let (code, stdout, stderr) = isms(&env, &repo, args);
        assert_eq!(code, Some(2), "{args:?}");
        assert_eq!(stdout, "");
        assert_eq!(stderr, format!("{said}{items}"), "{args:?}");
    }
    // What names no one is only what it is.
    let (_, _, stderr) = isms(&env, &repo, &["show", "payments-ap"]);
    assert_eq!(
        stderr,
        format!("error: no item is called `payments-ap`; did you mean `payments-api`?\n{items}")
    );
}
