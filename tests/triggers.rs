//! `isms triggers detect` end to end: real commits in an example repository,
//! compared field by field.

mod common;

use std::path::Path;

use common::{Env, read, write};

fn detect(env: &Env, repo: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = env
        .isms(repo)
        .args(["--format", "json", "triggers", "detect"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn commit(env: &Env, repo: &Path, message: &str) {
    env.git(repo, &["add", "-A"]);
    env.git(repo, &["commit", "-q", "-m", message]);
}

fn add_region(repo: &Path, file: &str, region: &str) {
    let text = read(repo, file);
    let edited = text.replacen(
        "regions = [\"eu-west-1\"]",
        &format!("regions = [\"eu-west-1\", \"{region}\"]"),
        1,
    );
    assert_ne!(edited, text, "{file} lists eu-west-1");
    write(repo, file, edited);
}

#[test]
fn a_new_region_fires_region_added_for_that_service_with_its_allocations() {
    let env = Env::new();
    let repo = env.example("demo");
    add_region(&repo, "services/payments-api.toml", "us-east-1");
    commit(
        &env,
        &repo,
        "payments-api now also stores data in us-east-1",
    );

    let out = env
        .isms(&repo)
        .args(["triggers", "detect", "--from", "HEAD~1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "region-added: A service stores or processes data in a new region\n  \
         services/payments-api.toml (payments-api): regions: + us-east-1\n  \
         reassess: control:CLD.6.3.1, control:5.5, control:5.31, control:5.34, \
         allocation:payments-api/CLD.6.3.1, allocation:payments-api/5.5, \
         allocation:payments-api/5.31\n\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("1 trigger fired 1 time on 1 changed file from "),
        "{stderr}"
    );

    let (code, v, _) = detect(&env, &repo, &["--from", "HEAD~1", "--to", "HEAD"]);
    // The revisions as `isms diff` takes them, FROM then TO, are the same.
    assert_eq!(detect(&env, &repo, &["HEAD~1", "HEAD"]).1, v);
    assert_eq!(detect(&env, &repo, &["HEAD~1"]).1, v);
    assert_eq!(code, Some(0));
    assert_eq!(v["version"], 1);
    assert_eq!(v["to"], env.git(&repo, &["rev-parse", "HEAD"]).trim());
    let fired = v["fired"].as_array().unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0]["trigger"], "region-added");
    assert_eq!(fired[0]["service"], "payments-api");
    assert_eq!(
        fired[0]["changes"],
        serde_json::json!([{"field": "regions", "change": "added", "added": ["us-east-1"]}])
    );
    assert_eq!(fired[0]["items"].as_array().unwrap().len(), 7);
}

#[test]
fn without_from_a_branch_is_compared_with_where_it_left_the_record_branch() {
    let env = Env::new();
    let repo = env.example("demo");
    // On the record branch, --from would be HEAD itself: said, not taken
    // for "nothing fired" alone.
    let (code, v, stderr) = detect(&env, &repo, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(v["fired"], serde_json::json!([]));
    assert!(
        stderr.contains(
            " is on the record branch, so --from, where it left the branch, is itself; \
             name the revision before the change, e.g. --from HEAD~1\n"
        ),
        "{stderr}"
    );
    // A branch of two commits: both changes, from where it left the record.
    let base = env.git(&repo, &["rev-parse", "HEAD"]);
    env.git(&repo, &["switch", "-q", "-c", "regions"]);
    add_region(&repo, "services/payments-api.toml", "us-east-1");
    commit(&env, &repo, "payments-api in us-east-1");
    let file = "services/tenant-db.toml";
    let text = read(&repo, file);
    write(
        &repo,
        file,
        text.replace("\"eu-central-1\"]", "\"eu-central-1\", \"us-east-1\"]"),
    );
    commit(&env, &repo, "tenant-db in us-east-1");
    let (code, v, stderr) = detect(&env, &repo, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(v["from"], base.trim());
    let services: Vec<&str> = (v["fired"].as_array().unwrap().iter())
        .map(|f| f["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["payments-api", "tenant-db"], "{v}");
    assert!(!stderr.contains("record branch"), "{stderr}");
}

#[test]
fn a_change_no_rule_watches_fires_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    let file = "services/payments-api.toml";
    let text = read(&repo, file);
    write(&repo, file, format!("{text}\n# reviewed wording\n"));
    commit(&env, &repo, "comment only");
    let (code, v, stderr) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["fired"], serde_json::json!([]));
    assert!(
        stderr.starts_with("no trigger fired on 1 changed file from "),
        "{stderr}"
    );
}

#[test]
fn a_renamed_service_is_compared_with_its_old_version_and_named_by_its_new_id() {
    let env = Env::new();
    let repo = env.example("demo");
    env.git(
        &repo,
        &["mv", "services/payments-api.toml", "services/payments.toml"],
    );
    add_region(&repo, "services/payments.toml", "ap-south-1");
    commit(&env, &repo, "rename payments-api and add a region");
    let (_, v, _) = detect(&env, &repo, &["--from", "HEAD~1"]);
    let fired = v["fired"].as_array().unwrap();
    assert_eq!(fired.len(), 1, "not created, not deleted: {v}");
    assert_eq!(fired[0]["trigger"], "region-added");
    assert_eq!(fired[0]["service"], "payments");
    assert_eq!(fired[0]["path"], "services/payments.toml");
    assert_eq!(fired[0]["renamed_from"], "services/payments-api.toml");
}

#[test]
fn a_created_and_a_deleted_service_fire_their_triggers() {
    let env = Env::new();
    let repo = env.example("demo");
    write(
        &repo,
        "triggers/service-removed.toml",
        "id = \"service-removed\"\ntitle = \"A service leaves scope\"\nreassess = [\"CLD.8.1.5\"]\n\
         [[when]]\npath = \"services/*.toml\"\nchange = \"deleted\"\n",
    );
    commit(&env, &repo, "trigger for removed services");
    env.git(
        &repo,
        &[
            "rm",
            "-q",
            "-r",
            "services/tenant-db.toml",
            "responsibilities/tenant-db",
        ],
    );
    env.isms(&repo)
        .args(["new", "service", "ledger", "--model", "saas"])
        .assert()
        .success();
    commit(&env, &repo, "retire tenant-db, add ledger");
    let (code, v, _) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    let fired: Vec<(String, String, usize)> = v["fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["trigger"].as_str().unwrap().to_owned(),
                f["service"].as_str().unwrap().to_owned(),
                f["items"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            // The new service's allocations exist at --to: controls and allocations.
            ("service-added".to_owned(), "ledger".to_owned(), 6),
            // The deleted service's allocations are gone: its controls only.
            ("service-removed".to_owned(), "tenant-db".to_owned(), 1),
        ]
    );
}

#[test]
fn filling_in_a_new_services_placeholder_region_adds_a_region_and_leaves_none() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["new", "service", "ledger", "--model", "saas"])
        .assert()
        .success();
    commit(&env, &repo, "add ledger");
    let file = "services/ledger.toml";
    let text = read(&repo, file);
    let filled = text.replacen(r#"regions = ["TODO"]"#, r#"regions = ["eu-central-1"]"#, 1);
    assert_ne!(filled, text, "a new service's region is a placeholder");
    write(&repo, file, filled);
    commit(&env, &repo, "ledger runs in eu-central-1");

    let (code, v, _) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    let fired: Vec<(&str, String)> = v["fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["trigger"].as_str().unwrap(),
                f["changes"][0]["added"].to_string(),
            )
        })
        .collect();
    assert_eq!(fired, [("region-added", r#"["eu-central-1"]"#.to_owned())]);
}

#[test]
fn a_bad_revision_is_exit_2_and_names_the_option() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["triggers", "detect", "--from", "no-such-rev"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "error: --from no-such-rev: not a revision in this repository\n",
        ));
    // As it was given; and not both ways at once.
    env.isms(&repo)
        .args(["triggers", "detect", "HEAD", "no-such-rev"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: TO no-such-rev: not a revision in this repository\n",
        ));
    env.isms(&repo)
        .args(["triggers", "detect", "--from", "HEAD", "HEAD~1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot be used with"));
}

#[test]
fn github_format_prints_one_escaped_annotation_per_fired_trigger() {
    let env = Env::new();
    let repo = env.example("demo");
    add_region(&repo, "services/payments-api.toml", "us-east-1");
    commit(&env, &repo, "new region");
    let page = env.path().join("step_summary.md");
    let out = env
        .isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &page)
        .args([
            "--format", "github", "triggers", "detect", "--from", "HEAD~1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(
            "::warning file=services/payments-api.toml,title=isms trigger-fired::region-added on payments-api fired: regions: + us-east-1; reassess control:CLD.6.3.1, "
        ),
        "{stdout}"
    );
    // In an Actions job, the same on the job's summary page, under the closing line.
    let closing = String::from_utf8_lossy(&out.stderr);
    let md = std::fs::read_to_string(&page).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        format!("### isms triggers detect: {}", closing.trim_end())
    );
    assert_eq!(lines[2], "| Trigger | Service | Change | Reassess |");
    // One row, and a blank line that ends the table before the next step's.
    assert_eq!(lines.len(), 6, "{md}");
    assert!(md.ends_with(" |\n\n"), "{md}");
    assert!(
        lines[4].starts_with(
            "| `region-added` | payments-api | regions: + us-east-1 | `control:CLD.6.3.1`, "
        ),
        "{md}"
    );
}

#[test]
fn a_trigger_file_over_the_size_limit_is_skipped_by_name_and_the_others_still_fire() {
    let env = Env::new();
    let repo = env.example("demo");
    let dir = repo.join("triggers");
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with(".toml") && n != "region-added.toml")
        .expect("the example has triggers besides region-added");
    let file = format!("triggers/{name}");
    let mut text = read(&repo, &file);
    text.push_str(&"# padding\n".repeat(120_000));
    write(&repo, &file, &text);
    commit(&env, &repo, "an oversized trigger");
    add_region(&repo, "services/payments-api.toml", "us-east-1");
    commit(&env, &repo, "payments-api in us-east-1");
    let (code, v, stderr) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains(&format!(
            "warning: {file}: {} bytes, over the 1 MiB isms reads of an item file; the trigger is skipped (run `isms check`)",
            text.len()
        )),
        "{stderr}"
    );
    let fired = v["fired"].as_array().unwrap();
    assert_eq!(fired.len(), 1, "{v}");
    assert_eq!(fired[0]["trigger"], "region-added");
}

#[test]
fn a_version_that_cannot_be_read_fires_nothing_and_is_never_taken_for_an_empty_file() {
    let env = Env::new();
    let repo = env.example("demo");
    let file = "services/payments-api.toml";
    let good = read(&repo, file);
    // Broken, then mended with a new region: neither step is read as every
    // field removed, or every field added.
    write(&repo, file, good.replacen("model = ", "model = = ", 1));
    commit(&env, &repo, "broken");
    let (code, broken, stderr) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(broken["fired"], serde_json::json!([]), "{broken}");
    assert!(
        stderr.contains(&format!("warning: {file}:"))
            && stderr.contains("its fields are not compared"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no trigger fired on 0 changed files (1 not compared) from "),
        "{stderr}"
    );
    let diff = env
        .isms(&repo)
        .args(["--format", "json", "diff", "HEAD~1", "HEAD"])
        .output()
        .unwrap();
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(diff["changes"], serde_json::json!([]), "{diff}");

    write(&repo, file, &good);
    add_region(&repo, file, "us-east-1");
    commit(&env, &repo, "mended, and in us-east-1");
    let (_, mended, _) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(mended["fired"], serde_json::json!([]), "{mended}");
    // Across both, the file is compared with its last readable version.
    let (_, across, _) = detect(&env, &repo, &["--from", "HEAD~2"]);
    let fired: Vec<&str> = across["fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["trigger"].as_str().unwrap())
        .collect();
    assert_eq!(fired, ["region-added"], "{across}");
}

/// `isms check` of the example with one line of its region-added trigger
/// misspelt: its exit code, the findings, and where that line is.
fn check_with_region_rule_misspelt(right: &str, wrong: &str) -> (Option<i32>, String, String) {
    let env = Env::new();
    let repo = env.example("demo");
    let file = "triggers/region-added.toml";
    let text = read(&repo, file);
    write(&repo, file, text.replacen(right, wrong, 1));
    let (code, lines) = env.check(&repo, &[]);
    let line = text.lines().position(|l| l.starts_with(right)).unwrap() + 1;
    (code, lines, format!("{file}:{line}:1"))
}

#[test]
fn check_refuses_a_trigger_rule_whose_field_no_file_it_watches_has() {
    let (code, lines, at) =
        check_with_region_rule_misspelt("field = \"regions\"", "field = \"regoins\"");
    assert_eq!(code, Some(1), "{lines}");
    assert_eq!(
        lines,
        format!(
            "{at}: error[trigger-rule]: `regoins` is not a field of a service (the files `services/*.toml` matches), so this rule never fires\n  \
             = hint: did you mean `regions`?\n"
        )
    );
}

#[test]
fn check_refuses_a_trigger_rule_under_a_folder_a_typo_from_an_item_folder() {
    let (code, lines, at) =
        check_with_region_rule_misspelt("path = \"services/*.toml\"", "path = \"service/*.toml\"");
    assert_eq!(code, Some(1), "{lines}");
    assert_eq!(
        lines,
        format!(
            "{at}: error[trigger-rule]: path `service/*.toml` is under `service/`, where isms keeps no items, \
             so the rule would never fire on one\n  = hint: did you mean `services/*.toml`?\n"
        )
    );
}

/// A trigger made from the command line, its rule given as options, fires
/// on the change it names; a rule that could never fire is refused, and
/// nothing is written.
#[test]
fn a_trigger_whose_rule_is_given_on_the_command_line_fires_on_that_change() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["new", "trigger", "owner-changed", "--reassess", "5.15"])
        .args(["--title", "A service changes hands", "--field", "owner"])
        .assert()
        .success();
    let written = read(&repo, "triggers/owner-changed.toml");
    assert!(
        written.contains(
            "title = \"A service changes hands\"\n\
             reassess = [\"5.15\"]  # the controls to reassess when it fires\n\n\
             [[when]]\n\
             path = \"services/*.toml\"\n\
             field = \"owner\"\n\
             change = \"changed\"            # added | removed | changed | created | deleted\n"
        ),
        "{written}"
    );
    commit(&env, &repo, "a trigger of our own");
    let service = read(&repo, "services/tenant-db.toml");
    let handed = service.replacen("owner = \"platform\"", "owner = \"bob\"", 1);
    assert_ne!(handed, service, "tenant-db is the platform team's");
    write(&repo, "services/tenant-db.toml", handed);
    commit(&env, &repo, "tenant-db moves to bob");
    let (code, v, _) = detect(&env, &repo, &["HEAD~1"]);
    assert_eq!(code, Some(0));
    let fired = v["fired"].as_array().unwrap();
    assert_eq!(fired.len(), 1, "{v}");
    assert_eq!(fired[0]["trigger"], "owner-changed");
    assert_eq!(fired[0]["service"], "tenant-db");

    for (args, said) in [
        (
            &["--field", "encryption"][..],
            "error: nothing written: `encryption` is not a field of a service",
        ),
        (
            &["--path", "service/*.toml", "--change", "created"][..],
            "error: nothing written: path `service/*.toml` is under `service/`",
        ),
        (
            &["--change", "added"][..],
            "error: --change added compares a field of the two versions of a file: give --field FIELD",
        ),
        (
            &["--field", "regions", "--change", "deleted"][..],
            "error: --field regions is not compared when a file is deleted",
        ),
    ] {
        env.isms(&repo)
            .args(["new", "trigger", "never", "--reassess", "5.15"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::starts_with(said));
        assert!(!repo.join("triggers/never.toml").exists(), "{args:?}");
    }
}

#[test]
fn a_service_out_of_scope_fires_nothing_until_a_change_brings_it_in() {
    let env = Env::new();
    let repo = env.example_on_main(Some("2026-11-02"));
    env.out_of_scope_at(&repo, "tenant-db", "2026-11-03T10:00:00Z");
    let path = "services/tenant-db.toml";
    let add_region = |region: &str| {
        let text =
            read(&repo, path).replacen("regions = [", &format!("regions = [\"{region}\", "), 1);
        assert_ne!(text, read(&repo, path));
        write(&repo, path, text);
    };
    let fired = |v: &serde_json::Value| -> Vec<String> {
        (v["fired"].as_array().unwrap().iter())
            .map(|f| format!("{} {}", f["trigger"], f["service"]))
            .collect()
    };

    // A region of a service out of scope before and after: nothing fires,
    // and the closing note says why.
    add_region("us-east-1");
    commit(&env, &repo, "tenant-db in us-east-1");
    let (code, v, stderr) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    assert_eq!(fired(&v), Vec::<String>::new());
    assert!(
        stderr.starts_with(
            "note: region-added did not fire for `tenant-db`, which is out of scope \
             (in_scope = false) before and after the change\n"
        ),
        "{stderr}"
    );
    // Over the change that took it out of scope, it fires: it was in scope.
    let (_, v, _) = detect(&env, &repo, &["--from", "HEAD~2"]);
    assert_eq!(fired(&v), ["\"region-added\" \"tenant-db\""]);

    // The change that brings it back into scope fires.
    write(
        &repo,
        path,
        read(&repo, path).replace("in_scope = false\n", ""),
    );
    add_region("ap-south-1");
    commit(&env, &repo, "tenant-db back, in ap-south-1");
    let (_, v, stderr) = detect(&env, &repo, &["--from", "HEAD~1"]);
    assert_eq!(fired(&v), ["\"region-added\" \"tenant-db\""]);
    assert!(!stderr.contains("did not fire"), "{stderr}");
}
