//! `isms close FINDING` end to end: a finding's corrective action is done,
//! and its file says so, every other line as it was.

mod common;

use common::{Env, read, write};

const FILE: &str = "findings/2026-003.toml";

#[test]
fn a_closed_finding_is_closed_in_its_file_the_register_and_every_state() {
    let env = Env::new();
    let repo = env.example("demo");
    // Overdue, it is said how to close it.
    let (code, _, stderr) = env.run(
        &repo,
        &["--as-of", "2026-12-20", "review", "2026-003", "--dry-run"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "finding:2026-003 is overdue: corrective action was due 2026-12-15; \
             finish the corrective action and close it in `findings/2026-003.toml` \
             (`status = \"closed\"`, `closed = DATE`), or agree a new `due`; `isms close 2026-003` closes it\n"
        ),
        "{stderr}"
    );
    // An uncommitted edit of the file, kept.
    let before = read(&repo, FILE).replace("severity = \"minor\"", "severity = \"major\"");
    write(&repo, FILE, &before);

    let (code, stdout, stderr) = env.run(&repo, &["close", "2026-003", "--on", "2026-12-01"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "finding:2026-003 closed on 2026-12-01 in findings/2026-003.toml\n\
         next: review the change with `isms diff --uncommitted`, then commit it\n"
    );
    assert_eq!(
        read(&repo, FILE),
        before
            .replace("status = \"open\"\n", "status = \"closed\"\n")
            .replace("\ndescription = ", "\nclosed = 2026-12-01\ndescription = "),
        "the status and the date, beside it, and nothing else"
    );
    assert!(read(&repo, FILE).contains("severity = \"major\""));

    let (code, stdout, _) = env.run(&repo, &["check"]);
    assert_eq!(code, Some(0), "{stdout}");
    let (_, csv, _) = env.run(&repo, &["report", "findings", "--format", "csv"]);
    let row = csv.lines().find(|l| l.starts_with("2026-003,")).unwrap();
    assert!(row.contains(",closed,"), "{row}");
    assert!(row.contains(",2026-12-01,"), "{row}");
    // Due in two weeks: still the example's one finding due, now settled.
    let (_, json, _) = env.run(
        &repo,
        &[
            "--as-of",
            "2026-12-10",
            "--format",
            "json",
            "stale",
            "--all",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let states: Vec<&str> = (v["items"].as_array().unwrap().iter())
        .filter(|i| i["item"] == "finding:2026-003")
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["ok"]);
    let (_, json, _) = env.run(&repo, &["--format", "json", "show", "2026-003"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["facts"]["status"], "closed: major nonconformity");
    assert_eq!(v["facts"]["closed"], "2026-12-01");

    // Once closed, it is not closed again.
    let after = read(&repo, FILE);
    let (code, _, stderr) = env.run(&repo, &["close", "findings/2026-003.toml"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: finding:2026-003 is already closed on 2026-12-01; nothing was written\n  \
         hint: to change its date or status, edit findings/2026-003.toml\n"
    );
    assert_eq!(read(&repo, FILE), after);
}

#[test]
fn a_finding_is_not_closed_without_a_corrective_action_nor_on_a_day_it_cannot_be() {
    let env = Env::new();
    let repo = env.example("demo");
    let (code, _, stderr) = env.run(
        &repo,
        &[
            "new",
            "finding",
            "--title",
            "Restores untested",
            "--kind",
            "observation",
            "--owner",
            "platform",
            "--raised",
            "2026-11-02",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let file = "findings/2026-004.toml";
    let open = read(&repo, file);
    let refused = |args: &[&str], expected: &str| {
        let (code, stdout, stderr) = env.run(&repo, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(stderr, expected, "{args:?}");
        assert_eq!(read(&repo, file), open, "{args:?} wrote");
    };
    refused(
        &["close", "2026-004", "--on", "2026-11-20"],
        "error: finding:2026-004's corrective action is still a TODO; nothing was written\n  \
         hint: say what was done: `isms close 2026-004 --corrective-action TEXT`\n",
    );
    refused(
        &["close", "2026-004", "--on", "2026-11-20", "--accepted"],
        "error: finding:2026-004's corrective action is still a TODO; nothing was written\n  \
         hint: say why its risk is accepted: `isms close 2026-004 --corrective-action TEXT`\n",
    );
    refused(
        &[
            "close",
            "finding:2026-004",
            "--on",
            "2026-11-01",
            "--corrective-action",
            "Tested.",
        ],
        "error: --on 2026-11-01 is before finding:2026-004 was raised (2026-11-02); nothing was written\n",
    );
    refused(
        &[
            "--as-of",
            "2026-11-20",
            "close",
            "2026-004",
            "--on",
            "2099-01-01",
            "--corrective-action",
            "Tested.",
        ],
        "error: --on 2099-01-01 is after today (2026-11-20): a finding is closed once its corrective action is done; nothing was written\n",
    );
    refused(
        &["close", "5.18"],
        "error: `5.18` is control:5.18, not a finding: only a finding is closed\n",
    );
    let (code, _, stderr) = env.run(&repo, &["close", "2026-04"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("error: no item is called `2026-04`; did you mean `2026-004`?\n"),
        "{stderr}"
    );

    // A dry run shows the edit as a diff, and writes nothing.
    let (code, stdout, stderr) = env.run(
        &repo,
        &[
            "--as-of",
            "2026-11-20",
            "close",
            "2026-004",
            "--accepted",
            "--dry-run",
            "--corrective-action",
            "Accepted by the board.\nRevisit in Q2.",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("--- a/findings/2026-004.toml\n+++ b/findings/2026-004.toml\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\n-status = \"open\" "), "{stdout}");
    assert!(stdout.contains("\n+status = \"accepted\" "), "{stdout}");
    assert!(stdout.contains("\n+closed = 2026-11-20\n"), "{stdout}");
    assert_eq!(
        stderr,
        "would mark finding:2026-004 accepted on 2026-11-20; nothing was written\n"
    );
    assert_eq!(read(&repo, file), open);

    // Accepted, with why: the text as written, its lines kept.
    let (code, _, stderr) = env.run(
        &repo,
        &[
            "--as-of",
            "2026-11-20",
            "close",
            "2026-004",
            "--accepted",
            "--corrective-action",
            "Accepted by the board.\nRevisit in Q2.",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let text = read(&repo, file);
    let v: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(v["status"].as_str(), Some("accepted"));
    assert_eq!(v["closed"].to_string(), "2026-11-20");
    assert_eq!(
        v["corrective_action"].as_str(),
        Some("Accepted by the board.\nRevisit in Q2.")
    );
    // Nothing left for `check` to say of it: no TODO, no date out of order.
    let (code, json, _) = env.run(&repo, &["--format", "json", "check"]);
    assert_eq!(code, Some(0), "{json}");
    assert!(!json.contains("findings/2026-004.toml"), "{json}");
}
