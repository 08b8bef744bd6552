//! Staleness end to end (DESIGN §2, §3): histories built with real git and
//! pinned dates, read back through `isms stale` / `isms status`, and the cache.

mod common;

use std::path::Path;

use common::{Env, read, success, write};
use predicates::prelude::*;

const AS_OF: &str = "2026-11-02";

fn json(env: &Env, repo: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = env
        .isms(repo)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Commit ids depend on every byte of the example; the tests pin the rest.
fn redact(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s)
            if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            *s = "<commit>".into();
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact),
        serde_json::Value::Object(o) => o.values_mut().for_each(redact),
        _ => {}
    }
}

#[test]
fn status_json_is_pinned() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let (code, v, _) = json(&env, &repo, &["--as-of", AS_OF, "status"]);
    assert_eq!(code, Some(0));
    let head = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    let head = head.trim();
    let zero = |o: &[(&str, u64)]| {
        let mut m = serde_json::Map::new();
        for s in [
            "due",
            "expired",
            "missing-evidence",
            "needs-change",
            "ok",
            "overdue",
        ] {
            m.insert(
                s.into(),
                o.iter()
                    .find(|(k, _)| *k == s)
                    .map_or(0, |(_, n)| *n)
                    .into(),
            );
        }
        serde_json::Value::Object(m)
    };
    assert_eq!(
        v,
        serde_json::json!({
            "version": 1,
            "organization": "Example Cloud Ltd",
            "as_of": "2026-11-02",
            "branch": "main",
            "source": format!("Read from commit {head}: the record branch main as it stood on 2026-11-02."),
            "counts": {
                "allocation": zero(&[("ok", 139), ("overdue", 1), ("needs-change", 1)]),
                // Each control once, in its most urgent state: 100 controls.
                "control": zero(&[("ok", 93), ("overdue", 1), ("due", 1), ("missing-evidence", 5)]),
                "evidence": zero(&[("ok", 4)]),
                "finding": zero(&[("ok", 1)]),
                "service": zero(&[("ok", 3)]),
            },
            "matrix": { "required": 141, "present": 141, "placeholders": 0 },
            "overdue_by_owner": [
                { "owner": "alice", "items": ["control:5.35", "control:6.3", "control:CLD.9.5.1"] },
                { "owner": "bob", "items": ["allocation:payments-api/CLD.9.5.1", "control:5.18"] },
                { "owner": "dave", "items": ["control:5.24", "control:5.29"] },
                { "owner": "platform", "items": ["allocation:tenant-db/8.15"] },
            ]
        })
    );
}

#[test]
fn stale_json_is_pinned_and_exits_1() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let (code, mut v, _) = json(
        &env,
        &repo,
        &["--as-of", AS_OF, "stale", "--owner", "platform"],
    );
    assert_eq!(code, Some(1));
    redact(&mut v);
    let head = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    let head = head.trim();
    assert_eq!(
        v,
        serde_json::json!({
            "version": 1,
            "as_of": "2026-11-02",
            "branch": "main",
            "source": format!("Read from commit {head}: the record branch main as it stood on 2026-11-02."),
            "flagged": 1,
            "due": 1,
            "items": [
                {
                    "item": "allocation:tenant-db/8.15",
                    "kind": "allocation",
                    "file": "responsibilities/tenant-db/8.15.toml",
                    "owner": "platform",
                    "state": "needs-change",
                    "due": "2027-01-23",
                    "cadence": "3mo",
                    "last_review": {
                        "landed": "2026-10-23",
                        "author": "Alice Ng",
                        "commit": "<commit>",
                        "outcome": "needs-change",
                        "pull_request": 15
                    },
                    "detail": "needs change; an effective review closes it"
                },
                {
                    "item": "control:8.15",
                    "kind": "control",
                    "file": "controls/8.15.toml",
                    "owner": "platform",
                    "state": "due",
                    "due": "2026-11-14",
                    "cadence": "3mo",
                    "last_review": {
                        "landed": "2026-08-14",
                        "author": "Dave Lindqvist",
                        "commit": "<commit>",
                        "outcome": "effective",
                        "pull_request": null
                    },
                    "detail": "due 2026-11-14"
                }
            ],
            "unauthorized": [],
            "warnings": []
        })
    );
}

#[test]
fn an_effective_review_after_needs_change_clears_it() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.commit_empty_at(
        &repo,
        "2026-10-30T10:00:00Z",
        "review\n\nReviewed: allocation:tenant-db/8.15\nReview-Note: replica retention fixed",
    );
    let (_, v, _) = json(
        &env,
        &repo,
        &["--as-of", AS_OF, "stale", "--owner", "platform"],
    );
    let items: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["control:8.15"]);
    // Only due items left: exit 0.
    env.isms(&repo)
        .args(["--as-of", AS_OF, "stale", "--owner", "platform"])
        .assert()
        .code(0);
}

#[test]
fn never_reviewed_items_are_due_one_cadence_after_their_file_landed() {
    let env = Env::new();
    let dir = env.path().join("r");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "-b", "main"]);
    env.isms(&dir)
        .args(["init", "--org", "Acme"])
        .assert()
        .success()
        // Made here: the next step needs no -C.
        .stderr(predicates::str::ends_with("\nnext: isms check\n"));
    // Re-date the initial commit: the controls landed on 2025-03-01.
    env.git_at(
        &dir,
        "2025-03-01T12:00:00Z",
        &["commit", "-q", "--amend", "--no-edit", "--reset-author"],
    );
    let (code, v, _) = json(
        &env,
        &dir,
        &["--as-of", "2026-03-02", "stale", "--owner", "isms-owner"],
    );
    assert_eq!(code, Some(1));
    let items: Vec<&serde_json::Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "overdue")
        .collect();
    assert_eq!(items.len(), 100);
    let missing = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "missing-evidence")
        .count();
    assert_eq!(missing, 6, "the catalog's evidence requirements");
    assert_eq!(
        items[0]["detail"],
        "never reviewed; was due 2026-03-01, 1y after it was added"
    );
    assert_eq!(items[0]["last_review"], serde_json::Value::Null);
    // The day before it is only due soon.
    let (_, v, _) = json(&env, &dir, &["--as-of", "2026-02-28", "stale"]);
    // Items, each once: 6 need action (missing evidence), the other 94
    // are only due soon.
    assert_eq!(v["due"], 94);
    assert_eq!(v["flagged"], 6);
}

#[test]
fn under_author_approval_a_non_owner_review_does_not_count() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.commit_author_approval(&repo);
    // Alice does not own payments-api/CLD.9.5.1 (bob does): her reviews stop counting.
    let (_, v, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", "bob"]);
    let unauthorized: Vec<(&str, &str)> = v["unauthorized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["item"].as_str().unwrap(), u["email"].as_str().unwrap()))
        .collect();
    assert!(
        unauthorized.contains(&("allocation:payments-api/CLD.9.5.1", "alice@example.com")),
        "{unauthorized:?}"
    );
    let alloc = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "allocation:payments-api/CLD.9.5.1")
        .unwrap();
    assert_eq!(alloc["last_review"], serde_json::Value::Null);
    assert_eq!(stderr, "");
    // People are told why, by `stale` and by `log`, whose JSON marks it.
    let alice = (v["unauthorized"].as_array().unwrap().iter())
        .find(|u| u["item"] == "allocation:payments-api/CLD.9.5.1")
        .unwrap()["commit"]
        .as_str()
        .unwrap()
        .to_owned();
    let warning = format!(
        "warning: review of allocation:payments-api/CLD.9.5.1 in {} by Alice Ng <alice@example.com> \
         does not count: bob (Bob Okafor), who owns it, has another email in isms.toml (approval = \"author\")\n",
        &alice[..10]
    );
    let stderr_of = |args: &[&str]| {
        let out = env.isms(&repo).args(args).output().unwrap();
        String::from_utf8(out.stderr).unwrap()
    };
    let said = stderr_of(&["--as-of", AS_OF, "stale", "--owner", "bob"]);
    assert!(said.contains(&warning), "{said}");
    let said = stderr_of(&["log", "allocation:payments-api/CLD.9.5.1"]);
    assert_eq!(said, warning);
    // A team's item: no member has the author's email.
    let said = stderr_of(&["log", "responsibilities/tenant-db/"]);
    assert!(
        said.contains(" does not count: no member of platform (Platform engineering), which owns it, has that email in isms.toml (approval = \"author\")\n"),
        "{said}"
    );
    let counts = |v: &serde_json::Value| -> Vec<(String, Option<bool>)> {
        (v["reviews"].as_array().unwrap().iter())
            .map(|r| {
                (
                    r["email"].as_str().unwrap().to_owned(),
                    r["counts"].as_bool(),
                )
            })
            .collect()
    };
    let (_, v, _) = json(&env, &repo, &["log", "allocation:payments-api/CLD.9.5.1"]);
    assert_eq!(counts(&v), [("alice@example.com".to_owned(), Some(false))]);
    let out = (env
        .isms(&repo)
        .args(["show", "allocation:payments-api/CLD.9.5.1"]))
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n  reviews   1 on main; 1 not counted, by authors who do not own it (approval = \"author\")\n"),
        "{text}"
    );
    // `status` counts them, each review of an item once.
    let (_, all, _) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    let n = all["unauthorized"].as_array().unwrap().len();
    assert!(n > 1, "{all}");
    let (_, status, _) = json(&env, &repo, &["--as-of", AS_OF, "status"]);
    assert_eq!(status["unauthorized"], all["unauthorized"]);
    // The scheduled job's page says it too.
    let page = env.path().join("summary.md");
    env.isms(&repo)
        .args(["--as-of", AS_OF, "--format", "github", "stale"])
        .env("GITHUB_STEP_SUMMARY", &page)
        .output()
        .unwrap();
    let page = read(env.path(), "summary.md");
    assert!(
        page.ends_with(&format!(
            "**Not counted:** {n} reviews, by authors who do not own the item (approval = \"author\"); `isms stale` names them.\n"
        )),
        "{page}"
    );
    let out = (env.isms(&repo).args(["--as-of", AS_OF, "status"]))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "\n  not counted: {n} reviews, by authors who do not own the item (approval = \"author\"); `isms stale` names them\n"
        )),
        "{text}"
    );
    // Bob's own review counts.
    let bob = [
        ("GIT_AUTHOR_NAME", "Bob Okafor"),
        ("GIT_AUTHOR_EMAIL", "bob@example.com"),
    ];
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C").arg(&repo).args([
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "review\n\nReviewed: allocation:payments-api/CLD.9.5.1",
    ]);
    for (k, v) in bob {
        cmd.env(k, v);
    }
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_COMMITTER_NAME", "Bob Okafor")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com")
        .env("GIT_COMMITTER_DATE", "2026-11-01T10:00:00Z")
        .env("GIT_AUTHOR_DATE", "2026-11-01T10:00:00Z");
    assert!(cmd.status().unwrap().success());
    let (_, v, _) = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", "bob"]);
    assert!(
        !v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "allocation:payments-api/CLD.9.5.1")
    );
    let (_, v, _) = json(&env, &repo, &["log", "allocation:payments-api/CLD.9.5.1"]);
    assert_eq!(
        counts(&v),
        [
            ("alice@example.com".to_owned(), Some(false)),
            ("bob@example.com".to_owned(), None)
        ]
    );
}

#[test]
fn with_count_changes_a_landed_edit_counts_as_a_review() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    write(
        &repo,
        "isms.toml",
        read(&repo, "isms.toml").replace("count_changes = false", "count_changes = true"),
    );
    let path = "responsibilities/payments-api/CLD.9.5.1.toml";
    write(
        &repo,
        path,
        read(&repo, path).replace("twice a year", "twice a year; quarterly scans"),
    );
    env.git(&repo, &["add", "--all"]);
    env.git_at(
        &repo,
        "2026-10-20T10:00:00Z",
        &["commit", "-q", "-m", "tighten isolation duties"],
    );
    let (_, v, _) = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", "bob"]);
    assert!(
        !v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "allocation:payments-api/CLD.9.5.1"),
        "{v}"
    );
}

#[test]
fn as_of_ignores_reviews_that_landed_later() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let (_, v, _) = json(
        &env,
        &repo,
        &["--as-of", "2026-09-01", "stale", "--owner", "platform"],
    );
    let items: Vec<(&str, &str)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["item"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    // On 2026-09-01 the needs-change review (2026-10-23) had not landed yet.
    assert!(
        !items.iter().any(|(_, s)| *s == "needs-change"),
        "{items:?}"
    );
}

#[test]
fn the_cache_survives_a_rewrite_and_corruption_and_gives_the_same_answer() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let cold = json(&env, &repo, &["--as-of", AS_OF, "stale"]).1;
    let cache = repo.join(".git/isms/history-main.bin");
    assert!(cache.is_file(), "a cold run writes the cache");
    let (_, warm, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(warm, cold);
    assert_eq!(stderr, "");

    // Corrupt: ignored, rebuilt, never trusted.
    let mut bytes = std::fs::read(&cache).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0xff;
    std::fs::write(&cache, &bytes).unwrap();
    let (_, v, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(v, cold);
    assert_eq!(
        stderr,
        "note: the history cache was unreadable; rebuilding it\n"
    );
    std::fs::write(&cache, &bytes[..n / 2]).unwrap();
    let (_, v, _) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(v, cold);

    // New commits are walked incrementally.
    env.commit_empty_at(
        &repo,
        "2026-10-31T10:00:00Z",
        "review\n\nReviewed: control:CLD.9.5.1",
    );
    let (_, v, stderr) = json(
        &env,
        &repo,
        &["--as-of", AS_OF, "stale", "--owner", "alice"],
    );
    assert_eq!(stderr, "");
    assert!(
        !v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "control:CLD.9.5.1")
    );
    // Then a commit that changes an item file and one that deletes one:
    // appended to the cache, the answer is a cold run's.
    let before = std::fs::metadata(&cache).unwrap().len();
    let file = "evidence/2026-q3-vulnerability-scan.toml";
    let text = read(&repo, file);
    write(
        &repo,
        file,
        text.replace("valid_for", "# edited\nvalid_for"),
    );
    // A control reviewed daily, due a day after its file landed.
    let control = read(&repo, "controls/5.1.toml")
        .replace("id = \"5.1\"", "id = \"A.1\"")
        .replace("matrix = true", "matrix = false");
    let control = match control.find("cadence = ") {
        Some(_) => control,
        None => control.replace("matrix = false", "matrix = false\ncadence = \"1d\""),
    };
    write(&repo, "controls/A.1.toml", control);
    env.git(&repo, &["add", "controls/A.1.toml"]);
    env.git_at(&repo, "2026-10-31T11:00:00Z", &["commit", "-qam", "edit"]);
    env.git(&repo, &["rm", "-q", "evidence/2026-h2-isolation-test.toml"]);
    env.git_at(&repo, "2026-10-31T12:00:00Z", &["commit", "-qm", "remove"]);
    json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert!(std::fs::metadata(&cache).unwrap().len() > before);
    let (_, appended, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(stderr, "");
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(json(&env, &repo, &["--as-of", AS_OF, "stale"]).1, appended);
    let added = appended["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "control:A.1");
    assert_eq!(added.unwrap()["due"], "2026-11-01", "{appended}");
    env.git(&repo, &["reset", "-q", "--hard", "HEAD~2"]);
    json(&env, &repo, &["--as-of", AS_OF, "stale"]);

    // A force-pushed (rewritten) branch: reported once, rebuilt.
    env.git(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
    let (_, v, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(
        stderr,
        "note: `main` was rewritten since the history cache was built; rebuilding it\n"
    );
    assert_eq!(v, cold);
    let (_, _, stderr) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    assert_eq!(stderr, "", "reported once");
}

#[test]
fn status_shows_one_screen() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.isms(&repo)
        .args(["--as-of", AS_OF, "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Example Cloud Ltd — as of 2026-11-02, record branch main",
        ))
        .stdout(predicate::str::contains(
            "matrix: 141 of 141 allocations present (100.0%)",
        ))
        .stdout(predicate::str::contains(
            "platform (Platform engineering)    1  allocation:tenant-db/8.15",
        ));
}

#[test]
fn stale_colours_states_on_request_and_its_plain_text_is_unchanged() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let forced = env.in_colour(&repo, &["--as-of", AS_OF, "stale"]);
    // Needs action now: red; due soon: yellow; the owner in bold.
    assert!(
        forced.contains("\x1b[1m\x1b[31moverdue\x1b[0m          "),
        "{forced}"
    );
    assert!(
        forced.contains("\x1b[1mplatform (Platform engineering)\x1b[0m\n"),
        "{forced}"
    );
    assert!(forced.contains("\x1b[33mdue\x1b[0m"), "{forced}");
}

#[test]
fn an_owner_is_named_by_key_github_login_email_or_team_slug() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    for (key, names) in [
        ("alice", &["alice-ng", "@Alice-NG", "Alice@Example.com"][..]),
        ("platform", &["example/platform", "@example/platform"]),
    ] {
        let by_key = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", key]);
        assert!(!by_key.1["items"].as_array().unwrap().is_empty(), "{key}");
        for who in names {
            let named = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", who]);
            assert_eq!(named, by_key, "{who}");
        }
    }
    // A login that is no one's is still refused, with the key it is near.
    env.isms(&repo)
        .args(["stale", "--owner", "alice-n"])
        .assert()
        .code(2)
        .stderr("error: `alice-n` is not a person or team in isms.toml\n  hint: did you mean `alice`?\n");
}

#[test]
fn owner_at_me_is_the_person_whose_email_is_gits_author_email() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // The tests' author is alice@example.com.
    let mine = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", "@me"]);
    let alices = json(
        &env,
        &repo,
        &["--as-of", AS_OF, "stale", "--owner", "alice"],
    );
    assert!(!alices.1["items"].as_array().unwrap().is_empty());
    assert_eq!(mine, alices);
    // Bob also sees his team's items.
    let bobs = json(&env, &repo, &["--as-of", AS_OF, "stale", "--owner", "bob"]);
    let out = env
        .isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "Bob@Example.com")
        .args([
            "--format", "json", "--as-of", AS_OF, "stale", "--owner", "@me",
        ])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        bobs.1
    );
    // An author email no person has, and none at all, are said to be so.
    env.isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "erin@example.com")
        .args(["stale", "--owner", "@me"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: --owner @me is git's author email, erin@example.com, and no person in isms.toml has it\n  hint: set it as the `email` of your [people.KEY], or name the owner: --owner KEY\n");
    env.isms(&repo)
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_AUTHOR_NAME")
        .env("EMAIL", "")
        // Not guessed from the host's name, wherever the tests run.
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "user.useConfigOnly")
        .env("GIT_CONFIG_VALUE_0", "true")
        .args(["stale", "--owner", "@me"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: --owner @me is git's author email, and git has none here\n",
        ));
    // An email two people have names neither, and `check` says so.
    let settings = common::read(&repo, "isms.toml").replacen(
        "email = \"dave@example.com\"",
        "email = \"Bob@example.com\"",
        1,
    );
    common::write(&repo, "isms.toml", settings);
    env.isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .args(["stale", "--owner", "@me"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: --owner @me is git's author email, bob@example.com, which bob and dave have in isms.toml: it names none of them\n  hint: give each person their own email, or name the owner: --owner KEY\n");
    // `me` is no key; `@me` is what was meant.
    env.isms(&repo)
        .args(["stale", "--owner", "me"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: `me` is not a person or team in isms.toml\n  hint: did you mean `@me`? It is the person whose email is git's author email\n");
    env.isms(&repo)
        .args(["check"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning[email]: `Bob@example.com` is `bob`'s email too\n",
        ));
}

#[test]
fn github_format_adds_each_item_with_its_owner_to_the_jobs_summary_page() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let page = env.path().join("step_summary.md");
    let out = env
        .isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &page)
        .args(["--as-of", AS_OF, "stale", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8(out.stdout).unwrap();
    let (_, doc, _) = json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    let md = std::fs::read_to_string(&page).unwrap();
    let mut lines = md.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "### isms stale: {} need action, {} due soon, as of {AS_OF}",
            doc["flagged"], doc["due"]
        )
    );
    assert_eq!(lines.next(), Some(""));
    assert_eq!(lines.next(), Some("| Owner | State | Item | What |"));
    // One row per annotation, in the same order, each under its owner's name.
    let rows: Vec<&str> = lines.skip(1).filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), annotations.lines().count(), "{md}");
    for (row, item) in rows.iter().zip(doc["items"].as_array().unwrap()) {
        let key = item["item"].as_str().unwrap();
        assert!(row.contains(&format!("| `{key}` |")), "{row} for {key}");
    }
    assert!(
        rows.contains(&"| bob (Bob Okafor) | missing-evidence | `control:5.18` | no current `access-review` evidence (needed every 6mo) |"),
        "{md}"
    );
}

#[test]
fn an_unknown_owner_is_refused_before_history_is_read() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.isms(&repo)
        .args(["stale", "--owner", "nobody"])
        .assert()
        .code(2)
        .stderr("error: `nobody` is not a person or team in isms.toml\n");
    assert!(
        !repo.join(".git/isms").exists(),
        "no history walk, so no cache"
    );
}

#[test]
fn an_unchanged_repository_is_answered_from_the_summary_and_every_change_is_seen() {
    let env = Env::new();
    // The working tree is read, so the date is today (a past --as-of
    // reads a commit instead).
    let today = chrono::Local::now().date_naive();
    let as_of = today.to_string();
    let as_of = as_of.as_str();
    let repo = env.example_on_main(Some(as_of));
    let summary = repo.join(".git/isms/summary.bin");
    json(&env, &repo, &["--as-of", as_of, "stale"]);
    assert!(
        !summary.exists(),
        "files changed within the last seconds are not trusted to show the next change"
    );
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let (code, cold, _) = json(&env, &repo, &["--as-of", as_of, "stale"]);
    assert!(summary.is_file(), "settled files: the summary is kept");
    let (warm_code, warm, stderr) = json(&env, &repo, &["--as-of", as_of, "stale"]);
    assert_eq!((warm_code, &warm, stderr.as_str()), (code, &cold, ""));
    // The kept summary knows people by GitHub login and email too.
    let alice = json(
        &env,
        &repo,
        &["--as-of", as_of, "stale", "--owner", "alice"],
    );
    for who in ["alice-ng", "alice@example.com"] {
        assert_eq!(
            json(&env, &repo, &["--as-of", as_of, "stale", "--owner", who]),
            alice,
            "{who}"
        );
    }

    // Another date is another answer.
    let later = (today + chrono::Months::new(7)).to_string();
    let (_, later, _) = json(&env, &repo, &["--as-of", &later, "stale"]);
    assert_ne!(later["flagged"], cold["flagged"]);

    // A damaged summary is not trusted.
    let mut bytes = std::fs::read(&summary).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&summary, &bytes).unwrap();
    assert_eq!(json(&env, &repo, &["--as-of", as_of, "stale"]).1, cold);

    // Nor are damaged parsed items: they are read and parsed again.
    let items = repo.join(".git/isms/items.bin");
    assert!(items.is_file(), "settled item files are kept parsed");
    let mut bytes = std::fs::read(&items).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&items, &bytes).unwrap();
    std::fs::remove_file(&summary).unwrap();
    assert_eq!(json(&env, &repo, &["--as-of", as_of, "stale"]).1, cold);

    // An edited item file is read again: the overdue item changes owner.
    let item = cold["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"] == "overdue")
        .unwrap();
    let file = item["file"].as_str().unwrap();
    let old = item["owner"].as_str().unwrap();
    let new = if old == "dave" { "carol" } else { "dave" };
    let text = read(&repo, file);
    let edited = text.replace(&format!("owner = \"{old}\""), &format!("owner = \"{new}\""));
    assert_ne!(edited, text);
    write(&repo, file, edited);
    let (_, v, _) = json(&env, &repo, &["--as-of", as_of, "stale"]);
    let moved = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item["item"])
        .unwrap();
    assert_eq!(moved["owner"], new);

    // A review that lands on the record branch is seen.
    let key = item["item"].as_str().unwrap();
    env.commit_empty_at(
        &repo,
        &format!("{as_of}T00:00:01Z"),
        &format!("review\n\nReviewed: {key}"),
    );
    let (_, v, _) = json(&env, &repo, &["--as-of", as_of, "stale"]);
    assert!(
        !v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == key)
    );
}

#[test]
fn a_shallow_clone_is_refused_with_the_fix_never_answered_from() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // Answered once from the full clone, so a cache exists to be copied.
    json(&env, &repo, &["--as-of", AS_OF, "stale"]);
    let url = format!("file://{}", repo.display());
    env.git(
        env.path(),
        &["clone", "-q", "--depth", "1", "-b", "main", &url, "shallow"],
    );
    let shallow = env.path().join("shallow");
    for args in [
        &["stale"][..],
        &["status"],
        &["log", "control:8.15"],
        &["report", "soa"],
    ] {
        let out = env.isms(&shallow).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: no answer");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("error: this is a shallow clone: the reviews in the commits it lacks cannot be seen, so isms does not answer from it\n  hint: fetch the whole history: `git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout"),
            "{args:?}: {stderr}"
        );
    }
    env.git(&shallow, &["fetch", "-q", "--unshallow"]);
    let (code, _, stderr) = json(&env, &shallow, &["--as-of", AS_OF, "stale"]);
    assert_eq!(
        (code, stderr.as_str()),
        (Some(1), ""),
        "a full clone answers"
    );
}

#[test]
fn status_adds_up_and_tells_placeholders_from_filled_allocations() {
    let env = Env::new();
    env.isms(env.path())
        .args(["init", "fresh"])
        .assert()
        .success();
    let fresh = env.path().join("fresh");
    // From outside, as a newcomer types it: the hint keeps `-C fresh`.
    let out = env
        .isms(env.path())
        .args(["-C", "fresh", "status"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\n  matrix: no in-scope services yet; add one with `isms -C fresh new service ID --model iaas|paas|saas`\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  details: isms -C fresh stale [--owner WHO]\n"),
        "{text}"
    );

    env.isms(&fresh)
        .args(["new", "service", "api", "--model", "saas"])
        .assert()
        .success();
    let (_, v, _) = json(&env, &fresh, &["status"]);
    let required = v["matrix"]["required"].as_u64().unwrap();
    assert!(required > 0);
    assert_eq!(v["matrix"]["present"], required);
    assert_eq!(
        v["matrix"]["placeholders"], required,
        "every duty is still TODO"
    );
    // Each row adds up to its items.
    let controls = std::fs::read_dir(fresh.join("controls")).unwrap().count() as u64;
    let row: u64 = v["counts"]["control"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(row, controls);
    let out = env.isms(&fresh).arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "\n  matrix: {required} of {required} allocations present (100.0%), {required} still TODO placeholders\n"
        )),
        "{text}"
    );
    // The matrix report marks the cells; one filled in loses the mark.
    let csv = |env: &Env| -> String {
        let out = env
            .isms(&fresh)
            .args(["--format", "csv", "report", "matrix"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let before = csv(&env);
    let todo_cells = before.matches("(TODO)").count() as u64;
    assert_eq!(todo_cells, required, "{before}");
    let alloc = std::fs::read_dir(fresh.join("responsibilities/api"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&alloc).unwrap();
    let filled: String = text
        .lines()
        .map(|l| match l.split_once(" = ") {
            Some((k, v)) if v.contains("TODO") => format!("{k} = \"Done by us.\""),
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&alloc, filled + "\n").unwrap();
    assert_eq!(csv(&env).matches("(TODO)").count() as u64, required - 1);
    success(
        env.isms(&fresh)
            .args(["site", "--out", "../site"])
            .output()
            .unwrap(),
    );
    let matrix = std::fs::read_to_string(env.path().join("site/matrix.html")).unwrap();
    assert_eq!(matrix.matches(" todo\"").count() as u64, required - 1);
}

#[test]
fn reading_the_working_tree_leaves_the_git_index_as_it_was() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // Rewritten as they were: the same contents with new stat data, which
    // a `git status` refreshes in the index and writes back.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for file in ["controls/5.15.toml", "services/payments-api.toml"] {
        let text = read(&repo, file);
        write(&repo, file, text);
    }
    let index = repo.join(".git/index");
    let before = (
        std::fs::read(&index).unwrap(),
        std::fs::metadata(&index).unwrap().modified().unwrap(),
    );
    for command in ["status", "stale"] {
        env.isms(&repo).arg(command).output().unwrap();
        let after = (
            std::fs::read(&index).unwrap(),
            std::fs::metadata(&index).unwrap().modified().unwrap(),
        );
        assert!(after == before, "`isms {command}` rewrote .git/index");
    }
    // git itself, asked the same, would have written it.
    env.git(&repo, &["status", "--porcelain"]);
    assert_ne!(std::fs::read(&index).unwrap(), before.0);
}

/// Whether git's index alone shows the files `isms status` reads in `repo`
/// to be `HEAD`'s.
fn index_shows_clean(repo: &Path) -> bool {
    let tree = isms::repo::WorkTree::new(repo).unwrap();
    let stats = isms::repo::stats(&tree, repo).unwrap().unwrap();
    isms::repo::clean(&repo.join(".git"), &stats)
}

#[test]
fn the_index_tells_a_clean_tree_from_every_kind_of_change_to_the_files_read() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // Files written in the same instant as the index are racy: git then
    // records them so that they are read again. Later, they are not.
    std::thread::sleep(std::time::Duration::from_millis(50));
    env.git(&repo, &["update-index", "-q", "--really-refresh"]);
    assert!(index_shows_clean(&repo));
    // Artifacts and other files beside the item files are not read.
    write(&repo, "evidence/files/new-scan.csv", "host,finding\n");
    write(&repo, "controls/README.md", "notes\n");
    assert!(index_shows_clean(&repo));

    let allocation = "responsibilities/payments-api/5.15.toml";
    let text = read(&repo, allocation);
    let changes: [(&str, &dyn Fn()); 5] = [
        ("an untracked item file", &|| {
            write(&repo, "responsibilities/payments-api/5.3.toml", &text)
        }),
        ("an edited item file", &|| {
            write(&repo, allocation, text.replace("owner", "# note\nowner"))
        }),
        ("a removed item file", &|| {
            std::fs::remove_file(repo.join(allocation)).unwrap()
        }),
        ("a staged edit", &|| {
            write(&repo, allocation, text.replace("owner", "# note\nowner"));
            env.git(&repo, &["add", allocation]);
        }),
        ("an edited migration map", &|| {
            write(&repo, ".isms/migrations/2013-to-2022.toml", "[controls]\n")
        }),
    ];
    for (what, change) in changes {
        change();
        assert!(!index_shows_clean(&repo), "{what} is seen");
        env.git(&repo, &["reset", "-q", "--hard"]);
        env.git(&repo, &["clean", "-qfd", "--", "responsibilities", ".isms"]);
        std::thread::sleep(std::time::Duration::from_millis(50));
        env.git(&repo, &["update-index", "-q", "--really-refresh"]);
        assert!(index_shows_clean(&repo), "clean again after {what}");
    }
    // An index written no later than its files last changed proves nothing
    // of them (racy git): they may have changed within the same instant.
    let index = std::fs::File::options()
        .write(true)
        .open(repo.join(".git/index"))
        .unwrap();
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
    index.set_modified(long_ago).unwrap();
    assert!(!index_shows_clean(&repo), "a racy index is not trusted");
}

#[test]
fn status_says_it_read_a_changed_tree_only_when_a_file_it_reads_differs() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let source = || json(&env, &repo, &["status"]).1["source"].clone();
    assert_eq!(source(), serde_json::Value::Null);
    // An untracked artifact is not read by status.
    write(&repo, "evidence/files/new-scan.csv", "host,finding\n");
    assert_eq!(source(), serde_json::Value::Null);
    // A file rewritten as it was: git reads it and finds it unchanged.
    let allocation = "responsibilities/payments-api/5.15.toml";
    write(&repo, allocation, read(&repo, allocation));
    assert_eq!(source(), serde_json::Value::Null);
    // A new item file is read.
    write(
        &repo,
        "responsibilities/payments-api/5.3.toml",
        read(&repo, allocation).replace("5.15", "5.3"),
    );
    let head = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    assert_eq!(
        source(),
        format!(
            "Read from the working tree, which differs from HEAD {}.",
            head.trim()
        )
    );
}

#[test]
fn the_index_check_reads_a_split_index_and_a_linked_worktree_index() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let allocation = "responsibilities/payments-api/5.15.toml";
    let settle = |dir: &Path| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        env.git(dir, &["update-index", "-q", "--really-refresh"]);
    };
    // A split index keeps most entries in a shared file beside it.
    env.git(&repo, &["update-index", "--split-index"]);
    settle(&repo);
    assert!(index_shows_clean(&repo));
    write(&repo, allocation, read(&repo, allocation) + "# note\n");
    assert!(
        !index_shows_clean(&repo),
        "an edit under a split index is seen"
    );
    env.git(&repo, &["checkout", "-q", "--", allocation]);

    // A linked worktree has its own index and HEAD under .git/worktrees.
    let linked = env.path().join("linked");
    env.git(
        &repo,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "other",
            linked.to_str().unwrap(),
        ],
    );
    settle(&linked);
    let git_dir = repo.join(".git/worktrees/linked");
    let stats = |dir: &Path| {
        let tree = isms::repo::WorkTree::new(dir).unwrap();
        isms::repo::stats(&tree, dir).unwrap().unwrap()
    };
    assert!(isms::repo::clean(&git_dir, &stats(&linked)));
    write(&linked, allocation, read(&linked, allocation) + "# note\n");
    assert!(!isms::repo::clean(&git_dir, &stats(&linked)));
}

#[test]
fn a_record_branch_that_does_not_exist_is_named_with_the_branch_it_may_mean() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let config = read(&repo, "isms.toml");
    for (typo, hint) in [
        (
            "mian",
            "  hint: did you mean `main`? set defaults.branch in isms.toml to the branch whose history is the record\n",
        ),
        (
            "records",
            "  hint: set defaults.branch in isms.toml to the branch whose history is the record\n",
        ),
    ] {
        let with = config.replacen("branch = \"main\"", &format!("branch = \"{typo}\""), 1);
        assert_ne!(with, config);
        write(&repo, "isms.toml", with);
        for command in ["status", "stale"] {
            env.isms(&repo)
                .arg(command)
                .assert()
                .code(2)
                .stdout("")
                .stderr(format!(
                    "error: the record branch `{typo}` does not exist\n{hint}"
                ));
        }
    }
}

#[test]
fn a_clone_with_the_record_branch_only_as_a_remotes_is_told_how_to_make_it() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let clone = env.path().join("clone");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            repo.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    env.git(&clone, &["switch", "-q", "-c", "feature"]);
    env.git(&clone, &["branch", "-q", "-D", "main"]);
    // Every command that reads the record branch says so alike.
    let out = env.path().join("out");
    let (pack, oscal) = (out.join("pack.zip"), out.join("oscal"));
    let commands: [&[&str]; 6] = [
        &["status"],
        &["pack", "--out", pack.to_str().unwrap()],
        &["export", "oscal", "--out", oscal.to_str().unwrap()],
        &["diff"],
        &["triggers", "detect"],
        &["report", "soa"],
    ];
    for args in commands {
        env.isms(&clone)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                "error: the record branch `main` does not exist\n  hint: it exists as `origin/main`: \
                 `git branch main origin/main` makes the local record branch; or set defaults.branch \
                 in isms.toml to the branch whose history is the record\n",
            );
    }
    assert!(!out.exists());
    env.git(&clone, &["branch", "main", "origin/main"]);
    for args in commands {
        env.isms(&clone).args(args).assert().success();
    }
    // The pack's folder is made, as export's is.
    assert!(pack.is_file() && oscal.is_dir());
}

#[test]
fn a_record_branch_without_a_commit_yet_says_so_rather_than_that_it_is_missing() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    // The files, staged on a branch that has no commit yet.
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    env.git(&repo, &["init", "-q", "-b", "main"]);
    env.git(&repo, &["add", "-A"]);
    for command in ["status", "stale", "log"] {
        env.isms(&repo)
            .arg(command)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                "error: the record branch `main` has no commit yet\n  hint: the record starts with the branch's first commit: commit the repository's files (`git add -A && git commit`)\n",
            );
    }
    // `check` reads the working tree, and needs no commit.
    env.isms(&repo).arg("check").assert().code(0);
}

#[test]
fn an_owner_with_a_typo_is_named_with_the_owner_it_may_mean_read_or_kept() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let said =
        "error: `alcie` is not a person or team in isms.toml\n  hint: did you mean `alice`?\n";
    // Before any summary is kept, then once one is (after `status`).
    env.isms(&repo)
        .args(["stale", "--owner", "alcie"])
        .assert()
        .code(2)
        .stderr(said);
    env.isms(&repo)
        .args(["--as-of", AS_OF, "status"])
        .assert()
        .success();
    env.isms(&repo)
        .args(["--as-of", AS_OF, "stale", "--owner", "alcie"])
        .assert()
        .code(2)
        .stderr(said);
    env.isms(&repo)
        .args(["--as-of", AS_OF, "stale", "--owner", "platfrom"])
        .assert()
        .code(2)
        .stderr(predicate::str::ends_with(
            "  hint: did you mean `platform`?\n",
        ));
}

/// `--all` lists every item, those that are ok too, each with when it is
/// next due; what needs action, and the exit status, are as without it.
/// The summary kept for later runs neither answers it nor is changed by it.
#[test]
fn all_lists_every_item_with_when_it_is_next_due_and_keeps_the_summary_as_it_was() {
    let env = Env::new();
    // The working tree is read, so the date is today.
    let today = chrono::Local::now().date_naive().to_string();
    let repo = env.example_on_main(Some(&today));
    let summary = repo.join(".git/isms/summary.bin");
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let (code, needs, _) = json(&env, &repo, &["--as-of", &today, "stale"]);
    let kept = std::fs::read(&summary).expect("settled files: the summary is kept");

    let (all_code, all, _) = json(&env, &repo, &["--as-of", &today, "stale", "--all"]);
    assert_eq!(all_code, code);
    let items = all["items"].as_array().unwrap();
    // Every item file is there, as one item or more (an item both due for
    // review and missing evidence has a line for each).
    let mut files = 0;
    for dir in ["controls", "services", "evidence", "findings"] {
        files += std::fs::read_dir(repo.join(dir))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count();
    }
    for service in std::fs::read_dir(repo.join("responsibilities")).unwrap() {
        files += std::fs::read_dir(service.unwrap().path()).unwrap().count();
    }
    let distinct: std::collections::BTreeSet<&str> =
        items.iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), files);
    // Those that are not ok are what `stale` alone lists, in its order.
    let not_ok: Vec<&serde_json::Value> = items.iter().filter(|i| i["state"] != "ok").collect();
    let needs_items: Vec<&serde_json::Value> = needs["items"].as_array().unwrap().iter().collect();
    assert_eq!(not_ok, needs_items);
    assert_eq!(
        (&all["flagged"], &all["due"]),
        (&needs["flagged"], &needs["due"])
    );
    let control = items
        .iter()
        .find(|i| i["item"] == "control:5.1")
        .expect("an ok control is listed");
    assert_eq!(control["state"], "ok");
    assert!(
        control["detail"]
            .as_str()
            .unwrap()
            .starts_with("next review due "),
        "{control}"
    );

    assert!(
        std::fs::read(&summary).unwrap() == kept,
        "--all keeps nothing"
    );
    assert_eq!(json(&env, &repo, &["--as-of", &today, "stale"]).1, needs);

    env.isms(&repo)
        .args(["--as-of", &today, "stale", "--all", "--owner", "dave"])
        .assert()
        .stdout(predicate::str::is_match(r"\n  ok +control:\S+ +next review due ").unwrap())
        .stderr(
            predicate::str::is_match(r"\d+ need action, \d+ due soon, \d+ ok, as of ").unwrap(),
        );
    env.isms(&repo)
        .args(["stale", "--all", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(
            "error: --format sarif is not for isms stale --all: it writes human, json or csv\n",
        );
    env.isms(&repo)
        .args(["stale", "--all", "--open-prs"])
        .assert()
        .code(2);
}

#[test]
fn csv_is_a_row_an_item_with_the_fields_json_has_and_the_same_exit() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let columns = [
        "owner",
        "state",
        "item",
        "kind",
        "file",
        "due",
        "cadence",
        "last_review_landed",
        "last_review_author",
        "last_review_commit",
        "last_review_outcome",
        "last_review_pull_request",
        "detail",
    ];
    for extra in [&[][..], &["--all"], &["--owner", "platform"]] {
        let (code, v, _) = json(
            &env,
            &repo,
            &[&["--as-of", AS_OF, "stale"][..], extra].concat(),
        );
        let out = env
            .isms(&repo)
            .args(["--format", "csv", "--as-of", AS_OF, "stale"])
            .args(extra)
            .output()
            .unwrap();
        // Overdue items make it exit 1, whatever the format.
        assert_eq!(out.status.code(), code, "{extra:?}");
        assert_eq!(code, Some(1));
        let mut reader = csv::Reader::from_reader(&out.stdout[..]);
        assert_eq!(reader.headers().unwrap(), columns.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let items = v["items"].as_array().unwrap();
        assert_eq!(rows.len(), items.len(), "{extra:?}");
        assert!(!rows.is_empty());
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for (row, item) in rows.iter().zip(items) {
            for (i, column) in columns.iter().enumerate() {
                let want = match column.strip_prefix("last_review_") {
                    Some(field) => text(&item["last_review"][field]),
                    None => text(&item[column]),
                };
                assert_eq!(&row[i], want, "{column} of {row:?}");
            }
        }
        if extra == ["--all"] {
            assert!(rows.iter().any(|r| &r[1] == "ok"));
        }
        if extra == ["--owner", "platform"] {
            assert!(rows.iter().all(|r| &r[0] == "platform"), "{rows:?}");
        }
    }
    // A review the state rests on is in its row: the example's reviewed
    // allocation, landed through pull request #15.
    let out = env
        .isms(&repo)
        .args(["--format", "csv", "--as-of", "2026-12-01", "stale"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(
            |l| l.starts_with("platform,needs-change,allocation:tenant-db/8.15,")
                && l.contains(",needs-change,15,needs change; an effective review closes it")
        ),
        "{text}"
    );
}

#[test]
fn an_out_of_scope_service_and_its_allocations_need_no_review() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let needs = |env: &Env| {
        let (code, v, _) = json(env, &repo, &["--as-of", AS_OF, "stale", "--all"]);
        let items: Vec<String> = (v["items"].as_array().unwrap().iter())
            .map(|i| i["item"].as_str().unwrap().to_string())
            .filter(|i| i.contains("tenant-db"))
            .collect();
        (code, items)
    };
    let (code, before) = needs(&env);
    assert_eq!(code, Some(1));
    assert!(
        before.contains(&"service:tenant-db".to_string()),
        "{before:?}"
    );
    assert!(
        before.contains(&"allocation:tenant-db/8.15".to_string()),
        "{before:?}"
    );

    // Taken out of scope, its allocations are kept, and nobody is asked to
    // review them: the needs-change allocation no longer needs action.
    env.out_of_scope_at(&repo, "tenant-db", "2026-10-20T10:00:00Z");
    let (_, after) = needs(&env);
    assert_eq!(after, Vec::<String>::new());
    let (_, v, _) = json(
        &env,
        &repo,
        &["--as-of", AS_OF, "stale", "--owner", "platform"],
    );
    let items: Vec<&str> = (v["items"].as_array().unwrap().iter())
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["control:8.15"]);
    let out = success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "show", "allocation:tenant-db/8.15"])
            .output()
            .unwrap(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\n  party     shared; tenant-db is out of scope, so it is not reviewed\n"),
        "{text}"
    );
    assert!(repo.join("responsibilities/tenant-db/8.15.toml").exists());
    // `status` says where they went from its counts.
    let out = success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "status"])
            .output()
            .unwrap(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "\n  matrix: 94 of 94 allocations present (100.0%)\n  \
             out of scope, kept and not reviewed: tenant-db (47 allocations)\n"
        ),
        "{text}"
    );
    let out = success(
        env.isms(&repo)
            .args(["--as-of", AS_OF, "--format", "json", "status"])
            .output()
            .unwrap(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["matrix"],
        serde_json::json!({"required": 94, "present": 94, "placeholders": 0})
    );
    assert_eq!(
        doc["out_of_scope"],
        serde_json::json!([{"service": "tenant-db", "allocations": 47}])
    );

    // A review of them is recorded all the same, and says so.
    let out = success(
        env.isms(&repo)
            .args(["review", "tenant-db/8.15", "8.15", "--dry-run"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: service `tenant-db` is out of scope (in_scope = false): it and its allocations \
         are not reviewed; the review is recorded all the same, and counts if it returns to scope\n"
    );
    let out = success(
        env.isms(&repo)
            .args(["review", "payments-api/8.15", "--dry-run"])
            .output()
            .unwrap(),
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn under_author_approval_a_pull_request_made_as_another_says_its_reviews_will_not_count() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let settings =
        read(&repo, "isms.toml").replace("approval = \"pull-request\"", "approval = \"author\"");
    write(&repo, "isms.toml", &settings);
    env.git(
        &repo,
        &[
            "commit",
            "-qam",
            "Reviews count when their owner makes them",
        ],
    );
    let bot = "41898282+github-actions[bot]@users.noreply.github.com";
    let dry_run = |as_who: Option<&str>, args: &[&str]| {
        let mut cmd = env.isms(&repo);
        if let Some(email) = as_who {
            cmd.env("GIT_AUTHOR_NAME", "github-actions[bot]")
                .env("GIT_AUTHOR_EMAIL", email);
        }
        let out = cmd.args(["--as-of", AS_OF]).args(args).output().unwrap();
        assert_ne!(out.status.code(), Some(2), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let warning = |branch: &str, some: &str, who: &str| {
        format!(
            "warning: the pull request from {branch} records reviews that will not count{some}: its commit is made as {who}, and under approval = \"author\" only an owner's own reviews count\n  \
             hint: owners record their reviews as themselves: `isms review ITEM…` (or, for their overdue items, `isms stale --open-prs --owner @me`)\n"
        )
    };
    // The scheduled job, as the bot: no review it proposes would count.
    let said = dry_run(Some(bot), &["stale", "--open-prs", "--dry-run"]);
    let bot_ident = format!("github-actions[bot] <{bot}>");
    assert!(
        said.contains(&warning("isms/stale/alice", "", &bot_ident)),
        "{said}"
    );
    let reassess = [
        "reassess",
        "region-added",
        "--service",
        "payments-api",
        "--reason",
        "moved",
        "--dry-run",
    ];
    let said = dry_run(Some(bot), &reassess);
    assert!(
        said.contains(&warning(
            "isms/reassess/region-added/payments-api",
            "",
            &bot_ident
        )),
        "{said}"
    );
    // alice owns the controls, bob the service's allocations: hers count.
    let said = dry_run(None, &reassess);
    assert!(
        said.contains(&warning(
            "isms/reassess/region-added/payments-api",
            " for 3 of its 7 items",
            "Alice Ng <alice@example.com>"
        )),
        "{said}"
    );
    // The owner's own pull request counts: nothing to warn of.
    let said = dry_run(
        None,
        &["stale", "--open-prs", "--dry-run", "--owner", "@me"],
    );
    assert!(!said.contains("will not count"), "{said}");
    // Under pull-request approval, the bot's are the way reviews land.
    env.git(&repo, &["revert", "--no-edit", "HEAD"]);
    let said = dry_run(Some(bot), &["stale", "--open-prs", "--dry-run"]);
    assert!(!said.contains("will not count"), "{said}");
    assert!(said.contains("pull requests shown"), "{said}");
}

#[test]
fn a_review_on_a_branch_is_said_to_count_once_it_lands_and_then_counts() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.git(&repo, &["checkout", "-q", "-b", "fix-replica"]);
    let (code, commit, stderr) = env.run(
        &repo,
        &[
            "review",
            "tenant-db/8.15",
            "--note",
            "replica retention fixed",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let note = format!(
        "note: allocation:tenant-db/8.15 has a review on fix-replica ({}) that is not on `main` yet; \
         it counts once it lands there\n",
        &commit.trim()[..10]
    );
    // Still needs change, as the record branch has it, and why is said.
    let stale = ["--as-of", AS_OF, "stale", "--owner", "platform"];
    let (code, stdout, stderr) = env.run(&repo, &stale);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.contains("needs-change     allocation:tenant-db/8.15"),
        "{stdout}"
    );
    assert!(stderr.contains(&note), "{stderr}");
    let (code, stdout, stderr) = env.run(&repo, &["--as-of", AS_OF, "show", "tenant-db/8.15"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("needs-change"), "{stdout}");
    assert!(stderr.ends_with(&note), "{stderr}");
    let (_, _, stderr) = env.run(&repo, &["--as-of", AS_OF, "status"]);
    assert!(stderr.ends_with(&note), "{stderr}");
    let (_, _, stderr) = env.run(&repo, &["log", "tenant-db/8.15"]);
    assert!(stderr.ends_with(&note), "{stderr}");
    // Items the branch does not review are not named.
    let (_, _, stderr) = env.run(&repo, &["--as-of", AS_OF, "show", "8.15"]);
    assert!(!stderr.contains("note: "), "{stderr}");

    // Landed, it counts, and nothing more is said.
    env.git(&repo, &["checkout", "-q", "main"]);
    env.git(
        &repo,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge fix-replica",
            "fix-replica",
        ],
    );
    let (_, stdout, stderr) = env.run(&repo, &stale);
    assert!(!stdout.contains("allocation:tenant-db/8.15"), "{stdout}");
    assert!(!stderr.contains("not on `main` yet"), "{stderr}");
}
