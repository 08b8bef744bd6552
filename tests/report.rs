//! `isms report`: one model, rendered as Markdown, CSV, JSON and HTML.

mod common;

use std::path::Path;

use common::{Env, success, write};

const AS_OF: &str = "2026-11-02";

fn report(env: &Env, repo: &Path, args: &[&str]) -> String {
    let out = success(
        env.isms(repo)
            .args(["--as-of", AS_OF])
            .args(args)
            .output()
            .unwrap(),
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_soa_lists_every_control_with_decision_owner_and_last_review() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let md = report(&env, &repo, &["report", "soa"]);
    assert!(md.starts_with(
        "# Statement of Applicability (ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015)\n\nAs of 2026-11-02. Read from commit "
    ), "{md}");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Control") && !l.starts_with("| ---"))
        .count();
    assert_eq!(rows, 100);
    let row = md.lines().find(|l| l.starts_with("| CLD.9.5.1 |")).unwrap();
    assert!(row.contains("| yes |"), "{row}");
    assert!(row.contains("| alice |"), "{row}");

    let json: serde_json::Value =
        serde_json::from_str(&report(&env, &repo, &["--format", "json", "report", "soa"])).unwrap();
    assert_eq!(json["version"], 2, "typed values since version 2");
    assert_eq!(json["report"], "soa");
    assert_eq!(json["as_of"], AS_OF);
    assert_eq!(
        json["columns"],
        serde_json::json!([
            "control",
            "title",
            "theme",
            "applicable",
            "justification",
            "status",
            "owner",
            "owner_name",
            "review_state",
            "last_review",
            "reviewed_by",
            "review_outcome",
            "commit",
            "evidence",
            "expired_evidence",
            "guidance_provider",
            "guidance_customer",
            "other_edition"
        ])
    );
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 100);
    // In the edition's order: 5.1 … 8.34, then the CLD controls.
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["control"].as_str().unwrap())
        .collect();
    assert_eq!(
        (ids[0], ids[9], ids[92], ids[93], ids[99]),
        ("5.1", "5.10", "8.34", "CLD.6.3.1", "CLD.13.1.4")
    );
    let logging = rows.iter().find(|r| r["control"] == "8.15").unwrap();
    assert_eq!(logging["theme"], "technological");
    // Typed: lists are arrays, flags booleans, a decision a boolean.
    assert_eq!(
        logging["other_edition"],
        serde_json::json!(["12.4.1", "12.4.2", "12.4.3"])
    );
    assert_eq!(
        (&logging["guidance_provider"], &logging["guidance_customer"]),
        (&serde_json::json!(true), &serde_json::json!(true))
    );
    assert_eq!(logging["applicable"], true);
    let new = rows.iter().find(|r| r["control"] == "5.23").unwrap();
    assert_eq!(new["other_edition"], serde_json::json!([]));
    let reviewed = rows.iter().find(|r| r["control"] == "CLD.9.5.1").unwrap();
    assert_eq!(reviewed["review_state"], "overdue");
    // Who owns it by name, who reviewed it last and how.
    assert_eq!(reviewed["owner_name"], "Alice Ng");
    assert_eq!(reviewed["reviewed_by"], "Alice Ng");
    assert_eq!(reviewed["review_outcome"], "effective");
    assert_eq!(logging["expired_evidence"], serde_json::json!([]));
    // Later, the October log review has expired: the SoA says so.
    let later: serde_json::Value = serde_json::from_slice(
        &success(
            env.isms(&repo)
                .args(["--as-of", "2027-06-01", "--format", "json", "report", "soa"])
                .output()
                .unwrap(),
        )
        .stdout,
    )
    .unwrap();
    let logging = later["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control"] == "8.15")
        .unwrap();
    assert_eq!(
        logging["expired_evidence"],
        serde_json::json!(["2026-10-admin-log-review"]),
        "{logging}"
    );
    assert_eq!(reviewed["commit"].as_str().unwrap().len(), 10, "{reviewed}");
    assert!(
        reviewed["last_review"]
            .as_str()
            .unwrap()
            .starts_with("2026-"),
        "{reviewed}"
    );
}

#[test]
fn the_matrix_is_controls_by_services_with_the_duties_in_every_format() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let csv = report(&env, &repo, &["--format", "csv", "report", "matrix"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "control,title,northwind-compute,northwind-compute duties,payments-api,payments-api duties,tenant-db,tenant-db duties"
        )
    );
    // A duty may span lines inside its quoted cell: count records, not lines.
    let records = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(records, 48, "one row per matrix control");
    let one = report(
        &env,
        &repo,
        &[
            "--format",
            "csv",
            "report",
            "matrix",
            "--service",
            "payments-api",
        ],
    );
    // The duties beside the party, in the same grid.
    assert!(
        one.starts_with("control,title,payments-api,payments-api duties\n"),
        "{one}"
    );
    assert!(
        one.contains("\nCLD.6.3.1,Shared roles and responsibilities within a cloud computing environment,shared,\"Provider (us): Publishes the customer security guide"),
        "{one}"
    );
    let md = report(&env, &repo, &["report", "matrix"]);
    assert!(md.contains("\n## Duties\n\n"), "{md}");
    // Whose "provider" each column means: ours, or the one we consume from.
    assert!(
        md.contains("| Control | Title | northwind-compute (Northwind Cloud provides) | payments-api (we provide) | tenant-db (we provide) |\n"),
        "{md}"
    );
    assert!(
        md.contains("\n- **payments-api / CLD.6.3.1 (shared)**: Provider (us): Publishes the customer security guide"),
        "{md}"
    );
    assert!(
        md.contains(
            "\n- **northwind-compute / 5.1 (shared)**: Provider: Northwind Cloud is responsible"
        ),
        "{md}"
    );
    assert!(
        md.contains(" Customer (us): Example Cloud Ltd is responsible"),
        "{md}"
    );
}

#[test]
fn a_control_the_soa_excludes_is_excluded_in_the_matrix_not_missing() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // 7.4 is a matrix control the example's SoA excludes: no service needs
    // an allocation for it, and the matrix is complete.
    let why = "Excluded from the Statement of Applicability: Example Cloud Ltd has no premises that host information processing";
    let md = report(&env, &repo, &["report", "matrix"]);
    assert!(
        md.contains("\n| 7.4 | Physical security monitoring | excluded | excluded | excluded |\n"),
        "{md}"
    );
    assert!(
        md.contains(&format!("\n- **7.4 (excluded)**: {why}")),
        "{md}"
    );
    let (code, findings) = env.check(&repo, &["--as-of", AS_OF]);
    assert_eq!(code, Some(0), "{findings}");

    // A gap in an applicable control is still missing; an allocation made
    // for the excluded control is shown for what it says.
    std::fs::remove_file(repo.join("responsibilities/payments-api/5.1.toml")).unwrap();
    write(
        &repo,
        "responsibilities/tenant-db/7.4.toml",
        "service = \"tenant-db\"\ncontrol = \"7.4\"\nparty = \"provider\"\nprovider = \"Badge readers at the office.\"\nowner = \"bob\"\n",
    );
    env.git(&repo, &["add", "-A"]);
    env.git(
        &repo,
        &["commit", "-qm", "A gap, and an allocation for 7.4"],
    );
    let csv = report(&env, &repo, &["--format", "csv", "report", "matrix"]);
    let row = |control: &str| {
        csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| r.unwrap())
            .find(|r| &r[0] == control)
            .unwrap()
    };
    let excluded = row("7.4");
    // control, title, then each service's party and duties.
    assert_eq!(&excluded[2], "excluded");
    assert!(excluded[3].starts_with(why), "{excluded:?}");
    assert_eq!(&excluded[4], "excluded");
    assert_eq!(&excluded[6], "provider");
    assert_eq!(&excluded[7], "Provider (us): Badge readers at the office.");
    let gap = row("5.1");
    assert_eq!((&gap[2], &gap[4], &gap[6]), ("shared", "missing", "shared"));
    let json = report(&env, &repo, &["--format", "json", "report", "matrix"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row_7_4 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control"] == "7.4")
        .unwrap();
    assert_eq!(row_7_4["payments-api"], "excluded");
    assert_eq!(row_7_4["tenant-db"], "provider");

    // The dashboard's matrix: an excluded cell is filtered as such and
    // links to no allocation; the one that exists is linked.
    let site = env.path().join("site");
    env.isms(&repo)
        .args(["--as-of", AS_OF, "site", "--out"])
        .arg(&site)
        .assert()
        .success();
    let page = std::fs::read_to_string(site.join("matrix.html")).unwrap();
    assert!(
        page.contains(
            "<td class=\"p-excluded\" data-service=\"payments-api\" data-party=\"excluded\">excluded</td>"
        ),
        "{page}"
    );
    assert!(!page.contains("items/allocation/payments-api/7.4.html"));
    assert!(page.contains("items/allocation/tenant-db/7.4.html"));
    assert!(page.contains("<option>excluded</option>"));
}

#[test]
fn the_evidence_register_is_a_standalone_html_page_with_hashes() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let html = report(&env, &repo, &["--format", "html", "report", "evidence"]);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<h1>Evidence register</h1>"));
    assert!(html.contains("sha256:"));
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "no scripts, no external assets"
    );
    let rows = html.matches("<tr>").count();
    assert_eq!(rows, 1 + 4, "a header and the example's four records");
}

#[test]
fn report_formats_are_its_own() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.isms(&repo)
        .args(["--format", "sarif", "report", "soa"])
        .assert()
        .code(2)
        .stderr("error: --format sarif is not for isms report: it writes human, md, csv, json or html\n");
    env.isms(&repo)
        .args(["--format", "csv", "status"])
        .assert()
        .code(2)
        .stderr("error: --format csv is not for isms status: it writes human or json\n");
    env.isms(&repo)
        .args(["report", "soa", "--service", "payments-api"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("error: --service narrows the matrix, evidence and findings; the Statement of Applicability is the organisation's, whole\n"));
    // Every command accepts or refuses each format, never ignores one.
    for (args, format, ok) in [
        (&["status"][..], "github", false),
        (&["status"], "json", true),
        (&["log", "control:8.15"], "github", false),
        (&["verify-approvals", "--offline"], "github", true),
        (&["codeowners"], "json", false),
        (&["schema", "control"], "json", true),
        (&["check"], "github", true),
        (&["diff", "HEAD~1"], "md", true),
        (&["diff", "HEAD~1"], "csv", false),
    ] {
        let out = env
            .isms(&repo)
            .args(["--format", format])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code() != Some(2),
            ok,
            "{args:?} --format {format}: {out:?}"
        );
        if !ok {
            assert!(
                String::from_utf8_lossy(&out.stderr).starts_with(&format!(
                    "error: --format {format} is not for isms {}",
                    args[0]
                )),
                "{out:?}"
            );
        }
    }
    // `isms diff` writes Markdown: `--format md` says so, to the byte.
    let diff = |format: &[&str]| {
        let out = env
            .isms(&repo)
            .args(format)
            .args(["diff", "HEAD~1"])
            .output();
        String::from_utf8(success(out.unwrap()).stdout).unwrap()
    };
    let md = diff(&["--format", "md"]);
    assert!(md.starts_with("## isms: what changed from "), "{md}");
    assert_eq!(md, diff(&[]));
}

#[test]
fn a_mistyped_service_is_refused_with_what_it_may_mean() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    for (kind, service, said) in [
        (
            "matrix",
            "tenant-bd",
            "error: no service `tenant-bd` in services/\n  hint: did you mean `tenant-db`?\n",
        ),
        (
            "evidence",
            "billing",
            "error: no service `billing` in services/\n",
        ),
    ] {
        env.isms(&repo)
            .args(["report", kind, "--service", service])
            .assert()
            .code(2)
            .stdout("")
            .stderr(said);
    }
}

/// `--control` narrows the matrix to the control's row, and the evidence and
/// findings registers to the records that name it, as `--service` narrows
/// them to a service's; with both, to what names both.
#[test]
fn a_control_narrows_the_matrix_evidence_and_findings_to_its_part() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&report(&env, &repo, args)).unwrap()
    };
    // Each row's first column: what the row is of.
    let firsts = |doc: &serde_json::Value| -> Vec<String> {
        let key = doc["columns"][0].as_str().unwrap();
        (doc["rows"].as_array().unwrap().iter())
            .map(|r| r[key].as_str().unwrap().to_owned())
            .collect()
    };

    let matrix = json(&[
        "report",
        "matrix",
        "--control",
        "CLD.9.5.1",
        "--format",
        "json",
    ]);
    assert_eq!(firsts(&matrix), ["CLD.9.5.1"]);
    let whole = json(&["report", "matrix", "--format", "json"]);
    assert_eq!(matrix["columns"], whole["columns"], "every service stays");
    let row = (whole["rows"].as_array().unwrap().iter())
        .find(|r| r["control"] == "CLD.9.5.1")
        .unwrap();
    assert_eq!(&matrix["rows"][0], row);

    // Evidence and findings that name the control, and only those.
    let evidence = json(&[
        "report",
        "evidence",
        "--control",
        "8.22",
        "--format",
        "json",
    ]);
    assert_eq!(firsts(&evidence), ["2026-h2-isolation-test"]);
    let findings = json(&[
        "report",
        "findings",
        "--control",
        "5.18",
        "--format",
        "json",
    ]);
    assert_eq!(firsts(&findings), ["2026-003"]);
    let both = [
        "report",
        "findings",
        "--control",
        "5.18",
        "--service",
        "payments-api",
    ];
    assert!(firsts(&json(&[&both[..], &["--format", "json"]].concat())).is_empty());

    for (args, said) in [
        (
            &["report", "evidence", "--control", "5.188"][..],
            "error: no control `5.188` in controls/\n  hint: did you mean `5.18`?\n",
        ),
        (
            &["report", "evidence", "--control", "9.1.1"][..],
            "error: no control `9.1.1` in controls/; 9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15\n",
        ),
        (
            &["report", "matrix", "--control", "8.34"][..],
            "error: control `8.34` is organisation-wide (matrix = false): the matrix has no row for it\n  \
             hint: `isms report evidence --control 8.34` and `isms report findings --control 8.34` show its evidence and findings\n",
        ),
        (
            &["report", "soa", "--control", "5.1"][..],
            "error: --control narrows the matrix, evidence and findings; the Statement of Applicability is the \
             organisation's, whole\n  hint: `isms report matrix --control C` shows one control's duties\n",
        ),
    ] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(said);
    }
}

#[test]
fn verify_approvals_in_github_format_lists_what_does_not_count_on_the_jobs_summary_page() {
    let env = Env::new();
    let repo = env.example_on_main(None);
    let page = env.path().join("step_summary.md");
    let out = env
        .isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &page)
        .args(["--format", "github", "verify-approvals", "--offline"])
        .output()
        .unwrap();
    // Without approval notes, no review of the example counts.
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8(out.stdout).unwrap();
    let closing = String::from_utf8(out.stderr).unwrap();
    // It says which could not be checked, and why.
    assert_eq!(
        closing,
        "8 reviews in 0 pull requests checked: 8 not approved by an owner (3 landed without a pull request, 5 in a pull request no approval note records)\n"
    );
    let md = std::fs::read_to_string(&page).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        format!("### isms verify-approvals: {}", closing.trim_end())
    );
    assert_eq!(
        lines[2],
        "| Review of | Commit | Pull request | Owner | Why it does not count |"
    );
    let rows = &lines[4..lines.len() - 1];
    assert_eq!(rows.len(), annotations.lines().count(), "{md}");
    for (row, annotation) in rows.iter().zip(annotations.lines()) {
        // `::error title=…::review of ITEM in COMMIT: WHY`
        let (_, said) = annotation.split_once("::review of ").unwrap();
        let (item, rest) = said.split_once(" in ").unwrap();
        let (commit, why) = rest.split_once(": ").unwrap();
        assert!(
            row.starts_with(&format!("| `{item}` | `{commit}` | ")),
            "{row}"
        );
        assert!(
            row.ends_with(&format!(" | {} |", why.replace('|', "\\|"))),
            "{row}"
        );
    }
    assert!(
        rows.iter().any(|r| r.contains(" | #15 | ")),
        "a squash-merged pull request is named: {md}"
    );
    // In the order the reviews landed, as `isms log` lists the record.
    let log = success(
        env.isms(&repo)
            .args(["--format", "json", "log"])
            .output()
            .unwrap(),
    );
    let log: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    let landed: Vec<String> = log["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["commit"].as_str().unwrap()[..10].to_owned())
        .collect();
    let listed: Vec<String> = annotations
        .lines()
        .map(|a| a.split(" in ").nth(1).unwrap()[..10].to_owned())
        .collect();
    assert_eq!(listed, landed);
}

/// Commit ids (10 or 40 hex digits) depend on every byte of the example.
fn redact(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word.chars().all(|c| c.is_ascii_hexdigit());
        if hex && (word.len() == 10 || word.len() == 40) && word.chars().any(|c| c.is_ascii_digit())
        {
            out.push_str("<commit>");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[test]
fn every_report_in_every_format_matches_its_snapshot() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    for kind in ["soa", "matrix", "evidence", "findings"] {
        for format in ["md", "csv", "json", "html"] {
            let text = report(&env, &repo, &["--format", format, "report", kind]);
            insta::assert_snapshot!(format!("{kind}-{format}"), redact(&text));
        }
    }
}

#[test]
fn the_findings_register_says_open_overdue_and_closed_as_of_its_date() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // A closed finding, and one raised after the as-of date.
    common::write(
        &repo,
        "findings/2026-001.toml",
        "id = \"2026-001\"\ntitle = \"Backup restore untested\"\nkind = \"nonconformity\"\nseverity = \"major\"\n\
         controls = [\"8.13\"]\nraised = 2026-03-01\nowner = \"platform\"\ndue = 2026-06-01\nstatus = \"closed\"\n\
         closed = 2026-05-20\ncorrective_action = \"Quarterly restore test.\"\n",
    );
    common::write(
        &repo,
        "findings/2026-009.toml",
        "id = \"2026-009\"\ntitle = \"Later\"\nkind = \"observation\"\nraised = 2026-11-20\nowner = \"alice\"\nstatus = \"open\"\n",
    );
    // Committed before the as-of date: the later one is in the tree, but
    // not yet raised then.
    env.git(&repo, &["add", "-A"]);
    env.git_at(
        &repo,
        "2026-11-01T10:00:00Z",
        &["commit", "-qm", "findings"],
    );
    let rows = |as_of: &str| -> Vec<(String, String)> {
        let out = success(
            env.isms(&repo)
                .args(["--as-of", as_of, "--format", "json", "report", "findings"])
                .output()
                .unwrap(),
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["finding"].as_str().unwrap().to_owned(),
                    r["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        rows(AS_OF),
        [s("2026-001", "closed"), s("2026-003", "open")]
    );
    assert_eq!(
        rows("2026-12-20"),
        [
            s("2026-001", "closed"),
            s("2026-003", "overdue"),
            s("2026-009", "open")
        ]
    );
    // The SoA notes the open finding on each of its controls.
    let md = report(&env, &repo, &["report", "soa"]);
    assert!(
        md.contains("- **5.18: open findings**: 2026-003 (nonconformity, open, due 2026-12-15): Quarterly access review"),
        "{md}"
    );
    assert!(
        !md.contains("2026-001 ("),
        "a closed finding is not noted: {md}"
    );
}

#[test]
fn a_report_says_when_it_read_uncommitted_changes_or_another_commit() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // Without --as-of, the working tree is read: as of today.
    let today = |args: &[&str]| -> String {
        String::from_utf8(success(env.isms(&repo).args(args).output().unwrap()).stdout).unwrap()
    };
    let clean = today(&["report", "soa"]);
    assert!(!clean.contains("Read from"), "{clean}");
    let head = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    let head = head.trim();
    let control = "controls/5.3.toml";
    common::write(
        &repo,
        control,
        common::read(&repo, control).replace("Segregation of duties", "Uncommitted title"),
    );
    let dirty = today(&["report", "soa"]);
    assert!(
        dirty.contains(&format!(
            ". Read from the working tree, which differs from HEAD {head}.\n"
        )),
        "{dirty}"
    );
    assert!(dirty.contains("Uncommitted title"));
    let json: serde_json::Value =
        serde_json::from_str(&today(&["--format", "json", "report", "soa"])).unwrap();
    assert_eq!(
        json["source"],
        format!("Read from the working tree, which differs from HEAD {head}.")
    );
    // --rev reads the commit: the uncommitted title is not in it.
    let committed = report(&env, &repo, &["report", "soa", "--rev", "HEAD"]);
    assert!(
        committed.contains(&format!("As of 2026-11-02. Read from commit {head}.\n")),
        "{committed}"
    );
    assert!(!committed.contains("Uncommitted title"));
    assert!(committed.contains("| 5.3 | Segregation of duties |"));
    // A past --as-of reads the record branch as it stood that day.
    let then = report(&env, &repo, &["report", "soa"]);
    assert!(
        then.contains(&format!(
            "As of 2026-11-02. Read from commit {head}: the record branch main as it stood on 2026-11-02.\n"
        )),
        "{then}"
    );
    assert!(!then.contains("Uncommitted title"));
}

#[test]
fn as_of_reads_the_record_as_it_stood_that_day() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let before = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    // Landed after the as-of date: a finding raised then, and evidence
    // collected then.
    common::write(
        &repo,
        "findings/2026-020.toml",
        "id = \"2026-020\"\ntitle = \"Raised later\"\nkind = \"nonconformity\"\nseverity = \"major\"\n\
         controls = [\"8.13\"]\nraised = 2026-11-15\nowner = \"platform\"\ndue = 2026-11-20\nstatus = \"open\"\n",
    );
    common::write(
        &repo,
        "evidence/later-scan.toml",
        "id = \"later-scan\"\ntitle = \"Scan\"\nkind = \"scan\"\ncollected = 2026-11-16\ncollected_by = \"alice\"\n\
         controls = [\"8.8\"]\nexpires = 2026-11-30\n",
    );
    env.git(&repo, &["add", "-A"]);
    env.git_at(&repo, "2026-11-16T10:00:00Z", &["commit", "-qm", "later"]);
    // (`stale` exits 1 when something needs action.)
    let json = |as_of: &str, args: &[&str]| -> serde_json::Value {
        let out = env
            .isms(&repo)
            .args(["--as-of", as_of, "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.code().unwrap() <= 1, "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let findings = |as_of: &str| -> Vec<String> {
        json(as_of, &["report", "findings"])["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["finding"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(findings(AS_OF), ["2026-003"]);
    assert_eq!(findings("2026-11-16"), ["2026-003", "2026-020"]);
    let status = json(AS_OF, &["status"]);
    assert_eq!(status["counts"]["finding"]["overdue"], 0, "{status}");
    assert_eq!(
        status["source"],
        format!(
            "Read from commit {}: the record branch main as it stood on 2026-11-02.",
            before.trim()
        )
    );
    let evidence = |as_of: &str| -> usize {
        let v = json(as_of, &["status"]);
        ["ok", "due", "expired"]
            .iter()
            .map(|s| v["counts"]["evidence"][s].as_u64().unwrap() as usize)
            .sum()
    };
    assert_eq!(evidence("2026-11-16") - evidence(AS_OF), 1);
    let later = json("2026-11-25", &["status"]);
    assert_eq!(later["counts"]["finding"]["overdue"], 1, "{later}");
    // --rev names the commit to read; the date is still the as-of date.
    let at_rev = json("2026-11-25", &["status", "--rev", "HEAD~1"]);
    assert_eq!(at_rev["counts"]["finding"]["overdue"], 0, "{at_rev}");
    assert_eq!(
        at_rev["source"],
        format!("Read from commit {}.", before.trim())
    );
    let stale = json("2026-11-25", &["stale"]);
    for item in ["finding:2026-020", "evidence:later-scan"] {
        assert!(
            stale["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["item"] == item),
            "{item}: {stale}"
        );
    }
    let stale = json(AS_OF, &["stale"]);
    assert!(
        !stale["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "finding:2026-020" || i["item"] == "evidence:later-scan"),
        "{stale}"
    );
}

#[test]
fn a_rev_that_names_no_commit_is_said_to_be_one_by_every_command_that_reads_commits() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    for args in [
        &["status"][..],
        &["stale"],
        &["report", "soa"],
        &["site", "--out", "../site"],
        &["export", "oscal", "--out", "../oscal"],
        &["pack", "--out", "../pack.zip"],
    ] {
        let out = env
            .isms(&repo)
            .args(args)
            .args(["--rev", "no-such-rev"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: --rev no-such-rev: not a revision in this repository\n  \
             hint: name a commit, branch or tag, e.g. HEAD~1 or origin/main\n",
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!env.path().join("site").exists());
    assert!(!env.path().join("pack.zip").exists());
}

#[test]
fn the_matrix_of_an_out_of_scope_service_is_refused_and_its_evidence_still_listed() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    env.out_of_scope_at(&repo, "tenant-db", "2026-10-20T10:00:00Z");
    let out = env
        .isms(&repo)
        .args(["report", "matrix", "--service", "tenant-db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: service `tenant-db` is out of scope (in_scope = false): the matrix holds the \
         services in scope\n  hint: its allocations are kept under responsibilities/tenant-db/; \
         `isms show tenant-db` lists them\n"
    );
    // The records that name it are still the register's.
    let out = success(
        env.isms(&repo)
            .args([
                "report",
                "evidence",
                "--service",
                "tenant-db",
                "--format",
                "csv",
            ])
            .output()
            .unwrap(),
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains("\n2026-h2-isolation-test,"), "{csv}");
}
