//! `tests/fixtures/{valid,invalid}/<case>/` hold files laid over a fresh
//! example repository. Each invalid case is paired with `expected.txt`: every
//! finding `isms check` must report, exactly. A case may list paths to delete
//! in `remove.txt`. `UPDATE_FIXTURES=1` rewrites the expectations (review the
//! diff before committing it).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::Env;

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn overlay(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "expected.txt" || name == "remove.txt" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            overlay(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn apply(case: &Path, repo: &Path) {
    overlay(case, repo);
    if let Ok(list) = fs::read_to_string(case.join("remove.txt")) {
        for rel in list.lines().filter(|l| !l.trim().is_empty()) {
            fs::remove_file(repo.join(rel)).unwrap();
        }
    }
}

#[test]
fn each_invalid_fixture_reports_exactly_its_expected_findings() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    let cases = cases("invalid");
    assert!(cases.len() >= 20, "fixtures missing");
    for case in cases {
        let env = Env::new();
        let repo = env.example("repo");
        apply(&case, &repo);
        let (code, got) = env.check(&repo, &[]);
        let expected_path = case.join("expected.txt");
        if update {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if code != Some(1) {
            failures.push(format!("{name}: exit {code:?}, expected 1"));
        }
        if got != expected {
            failures.push(format!("{name}:\n--- expected\n{expected}--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_valid_fixture_passes_with_no_finding() {
    for case in cases("valid") {
        let env = Env::new();
        let repo = env.example("repo");
        apply(&case, &repo);
        // New items get their CODEOWNERS lines, as the check's hint says.
        env.isms(&repo).arg("codeowners").assert().success();
        let (code, lines) = env.check(&repo, &[]);
        assert_eq!(lines, "", "{}", case.display());
        assert_eq!(code, Some(0), "{}", case.display());
    }
}
