//! `isms pack`: the audit evidence pack, reproducible and verifiable.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::Env;

const AS_OF: &str = "2026-11-02";

fn pack(env: &Env, repo: &Path, out: &Path) {
    env.isms(repo)
        .args(["--as-of", AS_OF, "pack", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn entries(file: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (e.name().to_owned(), bytes)
        })
        .collect()
}

#[test]
fn two_packs_of_the_same_commit_are_byte_identical_and_complete() {
    let env = Env::new();
    let repo = env.example("demo");
    let (a, b) = (env.path().join("a.zip"), env.path().join("b.zip"));
    pack(&env, &repo, &a);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    pack(&env, &repo, &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    let files = entries(&a);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "MANIFEST",
        "reports/soa.md",
        "reports/soa.csv",
        "reports/soa.json",
        "reports/soa.html",
        "reports/matrix.csv",
        "reports/evidence.html",
        "oscal/ssp.json",
        "oscal/component-definitions/payments-api.json",
        "evidence/files/2026-q3-vulnerability-scan.csv",
        "reviews/control/CLD.9.5.1.json",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries in a stable order");
    let reviews: serde_json::Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(n, _)| n == "reviews/control/CLD.9.5.1.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(reviews[0]["item"], "control:CLD.9.5.1");
    assert_eq!(reviews[0]["commit"].as_str().unwrap().len(), 40);
    let manifest = String::from_utf8(files[0].1.clone()).unwrap();
    assert_eq!(
        manifest.lines().filter(|l| !l.starts_with('#')).count(),
        files.len() - 1,
        "every other file is listed"
    );

    env.isms(&repo)
        .args(["pack", "--verify"])
        .arg(&a)
        .assert()
        .success()
        .stderr(format!(
            "{}: {} files match the manifest\n",
            a.display(),
            files.len() - 1
        ));
}

#[test]
fn a_changed_file_fails_verification() {
    let env = Env::new();
    let repo = env.example("demo");
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let bad = env.path().join("bad.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
    for (name, bytes) in entries(&good) {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        if name == "reports/soa.csv" {
            zip.write_all(b"control\nforged\n").unwrap();
        } else {
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    env.isms(&repo)
        .args(["pack", "--verify"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with(
            "error: reports/soa.csv: its sha256 differs from MANIFEST's\n",
        ));
}
