//! `isms diff`: what changed between two revisions, in words.

mod common;

use common::{Env, read, write};

fn edit(repo: &std::path::Path, file: &str, from: &str, to: &str) {
    let text = read(repo, file);
    let edited = text.replacen(from, to, 1);
    assert_ne!(edited, text, "{file}: {from}");
    write(repo, file, edited);
}

/// `isms diff HEAD~1 HEAD`, which succeeds.
fn last_commit(env: &Env, repo: &std::path::Path) -> std::process::Output {
    let out = env
        .isms(repo)
        .args(["diff", "HEAD~1", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    out
}

/// `isms diff HEAD~1 HEAD`'s Markdown.
fn markdown_of_the_last_commit(env: &Env, repo: &std::path::Path) -> String {
    String::from_utf8(last_commit(env, repo).stdout).unwrap()
}

/// `isms diff HEAD~1 HEAD`'s stderr, and the short id of `file`'s blob at
/// `HEAD`.
fn diff_of_the_last_commit(env: &Env, repo: &std::path::Path, file: &str) -> (String, String) {
    let out = last_commit(env, repo);
    let blob = env.git(repo, &["rev-parse", &format!("HEAD:{file}")]);
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        blob.trim()[..10].to_owned(),
    )
}

#[test]
fn a_branch_is_described_item_by_item_in_markdown() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["checkout", "-q", "-b", "change"]);
    edit(
        &repo,
        "services/payments-api.toml",
        "regions = [\"eu-west-1\"]",
        "regions = [\"eu-west-1\", \"us-east-1\"]",
    );
    let alloc = "responsibilities/payments-api/CLD.6.3.1.toml";
    edit(&repo, alloc, "owner = \"bob\"", "owner = \"carol\"");
    edit(
        &repo,
        alloc,
        "and keeps it current.",
        "and reviews it yearly.",
    );
    env.git(&repo, &["rm", "-q", "findings/2026-003.toml"]);
    env.git(&repo, &["commit", "-qam", "change"]);
    let out = env.isms(&repo).arg("diff").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let body = text.split_once("\n\n").unwrap().1;
    assert_eq!(
        body,
        "### Services\n\n\
         - `payments-api`: regions + us-east-1\n\n\
         ### Allocations\n\n\
         - `payments-api/CLD.6.3.1`: owner bob → carol; provider: Publishes the customer security guide with the split of duties, and ~~keeps~~ **reviews** it ~~current.~~ **yearly.**\n\n\
         ### Findings\n\n\
         - `2026-003` deleted\n\n"
    );
    assert!(text.starts_with("## isms: what changed from "));

    let out = env
        .isms(&repo)
        .args(["--format", "json", "diff", "HEAD~1", "HEAD"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 2);
    // Kinds as item keys name them.
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["service", "allocation", "finding"]);
    assert_eq!(v["reviews"], serde_json::json!([]));
    assert_eq!(
        v["changes"][1]["fields"][0],
        serde_json::json!({"field": "owner", "old": "bob", "new": "carol"})
    );
}

#[test]
fn nothing_to_say_is_said_and_a_bad_revision_is_exit_2() {
    let env = Env::new();
    let repo = env.example("demo");
    let out = env.isms(&repo).arg("diff").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(
        "No change to the settings, services, allocations, controls, evidence, findings or triggers.\n"
    ));
    env.isms(&repo)
        .args(["diff", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: FROM nope: not a revision in this repository\n",
        ));
    // Nothing committed changed, but the working tree did: it is said to
    // be left out, not taken for nothing; an artifact or a file outside
    // the item folders is no item file.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    edit(&repo, "controls/5.1.toml", "owner = \"", "owner = \"x");
    write(&repo, "docs/a.toml", "");
    write(&repo, "services/b.toml", "");
    write(&repo, "evidence/files/new.txt", "x");
    let left_out = |n: &str| {
        format!(
            "note: {n} uncommitted changes, which this diff leaves out: it compares commits, up to HEAD\n"
        )
    };
    env.isms(&repo)
        .arg("diff")
        .assert()
        .success()
        .stderr(left_out("2 item files have"));
    env.git(&repo, &["add", "services/b.toml"]);
    std::fs::remove_file(repo.join("docs/a.toml")).unwrap();
    env.git(&repo, &["stash", "push", "-q", "controls"]);
    env.isms(&repo)
        .arg("diff")
        .assert()
        .success()
        .stderr(left_out("1 item file has"));
    // Naming TO is asking for commits alone.
    env.isms(&repo)
        .args(["diff", "HEAD", "HEAD"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn settings_nested_fields_rewritten_text_and_reviews_read_as_what_they_are() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["checkout", "-q", "-b", "change"]);
    // A person added to the settings, an SoA decision changed, a text
    // rewritten through.
    env.isms(&repo)
        .args([
            "new",
            "person",
            "erin",
            "--name",
            "Erin Park",
            "--email",
            "erin@example.com",
            "--github",
            "erin-p",
        ])
        .assert()
        .success();
    edit(
        &repo,
        "controls/8.15.toml",
        "status = \"implemented\"",
        "status = \"partial\"",
    );
    let alloc = "responsibilities/payments-api/CLD.6.3.1.toml";
    let text = read(&repo, alloc);
    let provider = text
        .lines()
        .find(|l| l.starts_with("provider = "))
        .unwrap()
        .to_owned();
    write(
        &repo,
        alloc,
        text.replace(
            &provider,
            "provider = \"Runs a tenant onboarding workshop every quarter.\"",
        ),
    );
    env.git(&repo, &["commit", "-qam", "change"]);
    env.isms(&repo)
        .args([
            "review",
            "control:8.15",
            "--outcome",
            "needs-change",
            "--note",
            "partial for now",
        ])
        .assert()
        .success();
    let out = env.isms(&repo).arg("diff").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("### Settings\n\n- `isms.toml`: people.erin.email (none) → erin@example.com; people.erin.github (none) → erin-p; people.erin.name (none) → Erin Park\n"),
        "{text}"
    );
    assert!(
        text.contains("- `8.15`: soa.status implemented → partial\n"),
        "{text}"
    );
    let old = provider
        .trim_start_matches("provider = \"")
        .trim_end_matches('"');
    assert!(
        text.contains(&format!(
            "provider: ~~{old}~~ → **Runs a tenant onboarding workshop every quarter.**"
        )),
        "{text}"
    );
    assert!(
        text.contains("### Reviews\n\n- `control:8.15` needs-change in "),
        "{text}"
    );
    assert!(text.contains(" by Alice Ng: partial for now\n"), "{text}");
    let out = env
        .isms(&repo)
        .args(["--format", "json", "diff"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reviews"][0]["item"], "control:8.15");
    assert_eq!(v["reviews"][0]["outcome"], "needs-change");
    assert_eq!(v["changes"][0]["kind"], "settings");
}

#[test]
fn a_version_that_is_not_toml_is_named_with_its_line_and_commit_and_not_compared() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["checkout", "-q", "-b", "broken"]);
    let file = "services/payments-api.toml";
    edit(&repo, file, "regions = [", "regions = = [");
    env.git(&repo, &["commit", "-qam", "broken"]);
    let (stderr, blob) = diff_of_the_last_commit(&env, &repo, file);
    let line = read(&repo, file)
        .lines()
        .position(|l| l.starts_with("regions"))
        .unwrap();
    assert!(
        stderr.contains(&format!(
            "warning: {file}:{}: not valid TOML in {blob}; its fields are not compared",
            line + 1
        )),
        "{stderr}"
    );
}

#[test]
fn a_version_over_the_size_limit_is_named_and_not_read() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["checkout", "-q", "-b", "large"]);
    let file = "services/payments-api.toml";
    let mut text = read(&repo, file);
    text.push_str(&"# padding\n".repeat(120_000));
    write(&repo, file, &text);
    env.git(&repo, &["commit", "-qam", "large"]);
    let (stderr, blob) = diff_of_the_last_commit(&env, &repo, file);
    assert!(
        stderr.contains(&format!(
            "warning: {file}: {} bytes in {blob}, over the 1 MiB isms reads of an item file; its fields are not compared",
            text.len(),
        )),
        "{stderr}"
    );
}

#[test]
fn the_summary_names_a_file_it_could_not_compare_instead_of_saying_nothing_changed() {
    let env = Env::new();
    let repo = env.example("demo");
    let file = "services/payments-api.toml";
    edit(&repo, file, "regions = [", "regions = = [");
    env.git(&repo, &["commit", "-qam", "broken"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    assert!(!text.contains("No change"), "{text}");
    assert!(
        text.contains("### Not compared\n\n- services/payments-api.toml:"),
        "{text}"
    );
    assert!(text.contains("its fields are not compared\n"), "{text}");
    assert!(!text.contains("### Services"), "{text}");
}

#[test]
fn items_are_listed_in_reading_order() {
    let env = Env::new();
    let repo = env.example("demo");
    for control in ["5.10", "5.2", "5.1"] {
        edit(
            &repo,
            &format!("controls/{control}.toml"),
            "owner = \"alice\"",
            "owner = \"bob\"",
        );
    }
    env.git(&repo, &["commit", "-qam", "bob owns them"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    let listed: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(listed, ["5.1", "5.2", "5.10"], "{text}");
}

#[test]
fn since_and_as_of_say_what_changed_on_the_record_branch_in_a_period() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-26"));
    let land = |date: &str, file: &str, from: &str, to: &str, message: &str| {
        edit(&repo, file, from, to);
        env.git_at(
            &repo,
            date,
            &["commit", "-q", "--no-verify", "-am", message],
        )
    };
    // Before the period: its last day is the period's starting point.
    land(
        "2026-12-31T23:30:00+00:00",
        "services/payments-api.toml",
        "regions = [\"eu-west-1\"]",
        "regions = [\"eu-west-1\", \"us-east-1\"]",
        "payments-api in us-east-1",
    );
    // In the period, a change and a review.
    land(
        "2027-01-01T00:10:00+00:00",
        "controls/5.1.toml",
        "owner = \"",
        "owner = \"x",
        "5.1 changes hands",
    );
    env.commit_empty_at(
        &repo,
        "2027-03-10T10:00:00+00:00",
        "review control:5.3\n\nReviewed: control:5.3\nReview-Outcome: effective",
    );
    // After it.
    land(
        "2027-07-01T00:10:00+00:00",
        "services/payments-api.toml",
        "us-east-1",
        "us-west-2",
        "payments-api moves",
    );
    // Work on another branch has not landed: no period holds it.
    env.git(&repo, &["checkout", "-q", "-b", "unlanded"]);
    land(
        "2027-02-01T10:00:00+00:00",
        "controls/5.2.toml",
        "owner = \"",
        "owner = \"y",
        "not landed",
    );
    let commit = |rev: &str| env.git(&repo, &["rev-parse", rev]).trim().to_owned();
    let diff = |args: &[&str]| {
        let out = env.isms(&repo).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };

    let (code, text, err) = diff(&["--as-of", "2027-06-30", "diff", "--since", "2027-01-01"]);
    assert_eq!((code, err.as_str()), (Some(0), ""), "{err}");
    let (from, to) = (commit("main~3"), commit("main~1"));
    let (head, body) = text.split_once("\n\n").unwrap();
    assert_eq!(
        head,
        format!(
            "## isms: what changed on main from 2027-01-01 to 2027-06-30 ({} → {})",
            &from[..10],
            &to[..10]
        )
    );
    let (changes, reviews) = body.split_once("### Reviews\n\n").unwrap();
    assert_eq!(changes, "### Controls\n\n- `5.1`: owner alice → xalice\n\n");
    assert_eq!(
        reviews,
        format!("- `control:5.3` effective in {} by Alice Ng\n\n", &to[..10])
    );

    // Without --as-of, up to the record branch's tip, whatever is checked out.
    let (_, text, _) = diff(&["diff", "--since", "2027-01-01"]);
    assert!(
        text.starts_with(&format!(
            "## isms: what changed on main since 2027-01-01 ({} → {})\n",
            &from[..10],
            &commit("main")[..10]
        )),
        "{text}"
    );
    assert!(
        text.contains("- `payments-api`: regions + us-west-2 − us-east-1\n"),
        "{text}"
    );
    assert!(!text.contains("`5.2`"), "{text}");

    // JSON names the period and its two commits.
    let (_, json, _) = diff(&[
        "--format",
        "json",
        "--as-of",
        "2027-06-30",
        "diff",
        "--since",
        "2027-01-01",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (&v["from"], &v["to"], &v["since"], &v["as_of"]),
        (
            &serde_json::json!(from),
            &serde_json::json!(to),
            &serde_json::json!("2027-01-01"),
            &serde_json::json!("2027-06-30")
        )
    );
    assert_eq!(v["changes"].as_array().unwrap().len(), 1);

    // A period that begins before the record: the whole record is new.
    let (code, text, _) = diff(&["--as-of", "2026-12-01", "diff", "--since", "2020-01-01"]);
    assert_eq!(code, Some(0));
    assert!(
        text.starts_with(&format!(
            "## isms: what changed on main from 2020-01-01 to 2026-12-01 (the whole record, up to {})\n",
            &commit("main~4")[..10]
        )),
        "{text}"
    );
    assert!(text.contains("- `isms.toml` created\n"), "{text}");
    let (_, json, _) = diff(&["--format", "json", "diff", "--since", "2020-01-01"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["from"], serde_json::Value::Null);

    // A reversed period, and a period with revisions, are refused.
    let (code, _, err) = diff(&["--as-of", "2027-01-01", "diff", "--since", "2027-06-30"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: --since 2027-06-30 is after --as-of 2027-01-01"),
        "{err}"
    );
    let (code, _, err) = diff(&["diff", "HEAD~1", "--since", "2027-01-01"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn under_author_approval_a_review_that_will_not_count_says_so() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(&repo, &["checkout", "-q", "-b", "review"]);
    env.commit_author_approval(&repo);
    // Alice owns the control; Bob owns its allocation on payments-api.
    env.isms(&repo)
        .args([
            "review",
            "control:CLD.9.5.1",
            "allocation:payments-api/CLD.9.5.1",
            "--note",
            "isolation retested",
        ])
        .assert()
        .success();
    let text = String::from_utf8(env.isms(&repo).arg("diff").output().unwrap().stdout).unwrap();
    let reviews = text.split_once("### Reviews\n\n").unwrap().1;
    let lines: Vec<&str> = reviews.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("- `control:CLD.9.5.1` effective in ")
            && lines[0].ends_with(" by Alice Ng: isolation retested"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("- `allocation:payments-api/CLD.9.5.1` effective in ")
            && lines[1].ends_with(
                " by Alice Ng: isolation retested (does not count: bob (Bob Okafor), who owns it, has another email in isms.toml, approval = \"author\")"
            ),
        "{text}"
    );
    let out = env
        .isms(&repo)
        .args(["--format", "json", "diff"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts: Vec<(&str, Option<bool>)> = (v["reviews"].as_array().unwrap().iter())
        .map(|r| (r["item"].as_str().unwrap(), r["counts"].as_bool()))
        .collect();
    assert_eq!(
        counts,
        [
            ("control:CLD.9.5.1", None),
            ("allocation:payments-api/CLD.9.5.1", Some(false))
        ]
    );
}

#[test]
fn with_count_changes_a_diff_says_that_landing_it_reviews_what_it_changes() {
    let env = Env::new();
    let repo = env.example("demo");
    let note = "With `count_changes = true`, landing this also counts as a review of each \
                control, service and allocation it creates or modifies.\n";
    edit(
        &repo,
        "isms.toml",
        "count_changes = false",
        "count_changes = true",
    );
    env.git(&repo, &["commit", "-qam", "count changes"]);
    // Evidence is judged by its dates: changing a record reviews nothing.
    let record = "evidence/2026-10-admin-log-review.toml";
    edit(&repo, record, "title = \"", "title = \"Reviewed: ");
    env.git(&repo, &["commit", "-qam", "evidence title"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    assert!(text.contains("### Evidence\n"), "{text}");
    assert!(!text.contains("count_changes"), "{text}");
    // An allocation changed: landing it reviews it.
    edit(
        &repo,
        "responsibilities/payments-api/CLD.9.5.1.toml",
        "provider = \"",
        "provider = \"Also: ",
    );
    env.git(&repo, &["commit", "-qam", "duties"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    assert!(text.contains(&format!("\n\n{note}")), "{text}");
    // Not where changes are not reviews.
    edit(
        &repo,
        "isms.toml",
        "count_changes = true",
        "count_changes = false",
    );
    edit(
        &repo,
        "responsibilities/payments-api/CLD.9.5.1.toml",
        "provider = \"Also: ",
        "provider = \"",
    );
    env.git(&repo, &["commit", "-qam", "no more"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    assert!(text.contains("### Allocations\n"), "{text}");
    assert!(!text.contains("count_changes = true`"), "{text}");
}

#[test]
fn an_artifact_changed_where_it_was_reads_as_its_hash_and_is_said_to_break_the_rule() {
    let env = Env::new();
    let repo = env.example("demo");
    let file = "evidence/files/2026-h2-isolation-test.md";
    let record = "evidence/2026-h2-isolation-test.toml";
    let old = common::sha256_hex(read(&repo, file).as_bytes());
    let edited = read(&repo, file) + "One more tenant pair tested.\n";
    let new = common::sha256_hex(edited.as_bytes());
    write(&repo, file, &edited);
    edit(&repo, record, &old, &new);
    // A requirement's period changed too, named by its kind.
    edit(
        &repo,
        "controls/5.18.toml",
        "every = \"6mo\"",
        "every = \"3mo\"",
    );
    env.git(&repo, &["commit", "-qam", "isolation test amended"]);
    let text = markdown_of_the_last_commit(&env, &repo);
    assert!(
        text.contains(&format!(
            "- `2026-h2-isolation-test`: artifacts[files/2026-h2-isolation-test.md].sha256 {old} → {new}\n\n\
             A file collected as evidence changed where it was (`2026-h2-isolation-test`): a record's \
             artifacts are kept as they were collected, and new evidence is a new record \
             (`isms new evidence --like ID`).\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("- `5.18`: evidence_required[access-review].every 6mo → 3mo\n"),
        "{text}"
    );
    let out = env
        .isms(&repo)
        .args(["diff", "HEAD~1", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evidence = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "evidence")
        .unwrap();
    assert_eq!(
        evidence["fields"],
        serde_json::json!([{
            "field": "artifacts[files/2026-h2-isolation-test.md].sha256",
            "old": old,
            "new": new,
        }])
    );
}

#[test]
fn uncommitted_changes_are_described_on_top_of_head_new_files_included() {
    let env = Env::new();
    let repo = env.example("demo");
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    // Staged, unstaged, new and ignored; a link where an item belongs.
    edit(
        &repo,
        "controls/5.1.toml",
        "owner = \"alice\"",
        "owner = \"bob\"",
    );
    env.git(&repo, &["add", "controls/5.1.toml"]);
    edit(
        &repo,
        "services/payments-api.toml",
        "regions = [\"eu-west-1\"]",
        "regions = [\"eu-west-1\", \"us-east-1\"]",
    );
    write(
        &repo,
        "services/billing.toml",
        read(&repo, "services/tenant-db.toml").replace("tenant-db", "billing"),
    );
    write(&repo, ".gitignore", "services/scratch.toml\n");
    write(&repo, "services/scratch.toml", "id = \"scratch\"\n");
    std::os::unix::fs::symlink("/etc/hostname", repo.join("services/linked.toml")).unwrap();

    let (code, stdout, stderr) = env.run(&repo, &["diff", "--uncommitted"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "## isms: what changed from {} to the working tree\n",
            &head.trim()[..10]
        )),
        "{stdout}"
    );
    for said in [
        "- `billing` created\n",
        "- `payments-api`: regions + us-east-1\n",
        "- `5.1`: owner alice → bob\n",
    ] {
        assert!(stdout.contains(said), "{said}\n{stdout}");
    }
    assert!(!stdout.contains("scratch"), "{stdout}");
    // A link is not followed: named, not read.
    assert_eq!(
        stderr,
        "warning: services/linked.toml: a symbolic link in the working tree, not followed; its fields are not compared\n"
    );

    // JSON says the changes are not committed; TO is HEAD.
    let (_, out, _) = env.run(&repo, &["diff", "--uncommitted", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["uncommitted"], true);
    assert_eq!(json["to"], head.trim());
    assert_eq!(json["from"], head.trim());

    // Without it, the same changes are left out, as before.
    let (_, plain, _) = env.run(&repo, &["diff"]);
    assert!(plain.contains("No change to"), "{plain}");

    // With a TO, or in a bare repository, there is no working tree to read.
    env.isms(&repo)
        .args(["diff", "HEAD", "HEAD", "--uncommitted"])
        .assert()
        .code(2);
    env.git(env.path(), &["clone", "-q", "--bare", "demo", "bare.git"]);
    env.isms(&env.path().join("bare.git"))
        .args(["diff", "--uncommitted"])
        .assert()
        .code(2)
        .stderr("error: --uncommitted compares the working tree, and a bare repository has none\n");
}
