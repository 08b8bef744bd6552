//! `--format sarif`: SARIF 2.1.0 that validates against the official schema
//! (with check-jsonschema, which `.ci/test` installs with the schema).

mod common;

use std::path::Path;
use std::process::Command;

use common::{Env, read, run_tool, write};
use serde_json::Value;

/// Validates `doc` against the SARIF 2.1.0 schema; the validator's report.
fn validate(env: &Env, doc: &[u8]) -> (bool, String) {
    let schema = std::env::var("SARIF_SCHEMA")
        .unwrap_or_else(|_| panic!("SARIF_SCHEMA is needed: run .ci/test, which fetches it"));
    let file = env.path().join("out.sarif.json");
    std::fs::write(&file, doc).unwrap();
    run_tool(
        Command::new("check-jsonschema")
            .args(["--schemafile", &schema])
            .arg(&file),
        "check-jsonschema",
    )
}

fn sarif(env: &Env, repo: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>) {
    let out = env
        .isms(repo)
        .args(["--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), out.stdout)
}

#[test]
fn check_findings_are_valid_sarif_with_rules_levels_and_locations() {
    let env = Env::new();
    let repo = env.example("demo");
    std::fs::remove_file(repo.join("responsibilities/payments-api/CLD.6.3.1.toml")).unwrap();
    let file = "controls/CLD.9.5.1.toml";
    write(
        &repo,
        file,
        format!("{}colour = \"blue\"\n", read(&repo, file)),
    );
    let (code, doc) = sarif(&env, &repo, &["check"]);
    assert_eq!(code, Some(1));
    let (ok, report) = validate(&env, &doc);
    assert!(ok, "{report}");
    let v: Value = serde_json::from_slice(&doc).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "isms");
    let results = run["results"].as_array().unwrap();
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-key")
        .expect("the unknown key");
    assert_eq!(unknown["level"], "error");
    let loc = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], file);
    assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
    assert!(results.iter().any(|r| r["ruleId"] == "matrix-incomplete"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at its rule");
    }
}

#[test]
fn a_clean_check_is_valid_sarif_with_no_results() {
    let env = Env::new();
    let repo = env.example("demo");
    let (code, doc) = sarif(&env, &repo, &["check"]);
    assert_eq!(code, Some(0));
    let (ok, report) = validate(&env, &doc);
    assert!(ok, "{report}");
    let v: Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn stale_and_triggers_detect_are_valid_sarif() {
    let env = Env::new();
    let repo = env.example("demo");
    let (code, doc) = sarif(&env, &repo, &["stale"]);
    assert_eq!(code, Some(1));
    let (ok, report) = validate(&env, &doc);
    assert!(ok, "{report}");
    let v: Value = serde_json::from_slice(&doc).unwrap();
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "overdue" && r["level"] == "error")
    );

    let svc = "services/payments-api.toml";
    write(
        &repo,
        svc,
        read(&repo, svc).replacen("\"eu-west-1\"]", "\"eu-west-1\", \"us-east-1\"]", 1),
    );
    env.git(&repo, &["commit", "-qam", "new region"]);
    let (code, doc) = sarif(&env, &repo, &["triggers", "detect", "--from", "HEAD~1"]);
    assert_eq!(code, Some(0));
    let (ok, report) = validate(&env, &doc);
    assert!(ok, "{report}");
    let v: Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "trigger-fired");
}

#[test]
fn the_schema_check_is_not_a_rubber_stamp() {
    let env = Env::new();
    let (ok, _) = validate(&env, br#"{"version": "2.1.0", "runs": [{"results": []}]}"#);
    assert!(!ok, "a run without its tool is not SARIF");
}

#[test]
fn sarif_is_refused_where_it_means_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["--format", "sarif", "status"])
        .assert()
        .code(2)
        .stderr("error: --format sarif is not for isms status: it writes human or json\n");
}
