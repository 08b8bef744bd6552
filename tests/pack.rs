//! `isms pack`: the audit evidence pack, reproducible and verifiable.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::{Env, sha256_hex};

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

/// A copy of the pack `good`, named `name`, with `change` applied to each
/// entry (`None` leaves it out) and `extra` entries after them; the
/// MANIFEST is an entry like any other, changed only as `change` says.
fn rezipped(
    env: &Env,
    good: &Path,
    name: &str,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, &[u8])],
) -> std::path::PathBuf {
    let out = env.path().join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    for (name, bytes) in entries(good) {
        if let Some(bytes) = change(&name, bytes) {
            zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    for (name, bytes) in extra {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out
}

#[test]
fn two_packs_of_the_same_commit_are_byte_identical_and_complete() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
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
        .stderr(predicates::str::starts_with(format!(
            "{}: {} files match the manifest, and the record in its bundle (commit ",
            a.display(),
            files.len() - 1
        )));
}

#[test]
fn a_changed_file_fails_verification() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let bad = rezipped(
        &env,
        &good,
        "bad.zip",
        |name, bytes| match name {
            "reports/soa.csv" => Some(b"control\nforged\n".to_vec()),
            _ => Some(bytes),
        },
        &[],
    );
    env.isms(&repo)
        .args(["pack", "--verify"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with(
            "error: reports/soa.csv: its sha256 differs from MANIFEST's\n",
        ));
}

#[test]
fn uncommitted_edits_never_change_a_pack() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let clean = env.path().join("clean.zip");
    pack(&env, &repo, &clean);
    // An edited control, a tampered artifact and a new file, none committed.
    let control = "controls/5.18.toml";
    common::write(
        &repo,
        control,
        common::read(&repo, control).replace("status = \"partial\"", "status = \"implemented\""),
    );
    common::write(
        &repo,
        "evidence/files/2026-10-admin-log-review.md",
        "rewritten\n",
    );
    common::write(&repo, "findings/2026-999.toml", "not even TOML");
    let dirty = env.path().join("dirty.zip");
    pack(&env, &repo, &dirty);
    assert_eq!(
        std::fs::read(&clean).unwrap(),
        std::fs::read(&dirty).unwrap()
    );
    // Of the record's tip, the item files left out are said to be.
    env.isms(&repo)
        .args(["pack", "--out"])
        .arg(env.path().join("tip.zip"))
        .assert()
        .success()
        .stderr(predicates::str::ends_with(
            "\nnote: 2 item files have uncommitted changes, which the pack leaves out: it holds commits alone\n",
        ));
    let files = entries(&dirty);
    let soa = &files
        .iter()
        .find(|(n, _)| n == "reports/soa.csv")
        .unwrap()
        .1;
    assert!(String::from_utf8_lossy(soa).contains(",partial,"));
    // It holds every item file as committed.
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "isms.toml",
        "controls/5.18.toml",
        "services/payments-api.toml",
        "responsibilities/payments-api/CLD.9.5.1.toml",
        "triggers/region-added.toml",
        "findings/2026-003.toml",
        "reports/findings.csv",
    ] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
}

/// `isms pack` must refuse (exit 1, nothing written) and name `what`.
fn refused(env: &Env, repo: &Path, what: &str) {
    let out = env.path().join("refused.zip");
    let o = env
        .isms(repo)
        .args(["--as-of", AS_OF, "pack", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(what), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_record_with_errors_or_a_linked_artifact_is_not_packed() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // A committed artifact whose hash no longer matches its record.
    let artifact = "evidence/files/2026-10-admin-log-review.md";
    let original = common::read(&repo, artifact);
    common::write(&repo, artifact, format!("{original}one more line\n"));
    env.git(&repo, &["commit", "-qam", "edit an artifact"]);
    refused(
        &env,
        &repo,
        "error[artifact-hash]: evidence/2026-10-admin-log-review.toml",
    );
    common::write(&repo, artifact, &original);
    env.git(&repo, &["commit", "-qam", "restore it"]);

    // Committed links out of the repository: to the process environment and
    // to git's configuration (where checkout credentials live).
    for target in ["/proc/self/environ", "../../.git/config"] {
        std::fs::remove_file(repo.join(artifact)).unwrap();
        std::os::unix::fs::symlink(target, repo.join(artifact)).unwrap();
        env.git(&repo, &["add", "-A"]);
        env.git(&repo, &["commit", "-qm", "a link"]);
        refused(
            &env,
            &repo,
            "error[artifact-path]: evidence/2026-10-admin-log-review.toml",
        );
    }
}

#[test]
fn verification_names_every_entry_the_manifest_and_the_pack_disagree_on() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let bad = rezipped(
        &env,
        &good,
        "bad.zip",
        |name, mut bytes| match name {
            // Left out of the pack, still listed.
            "reports/soa.csv" => None,
            "MANIFEST" => {
                bytes.extend_from_slice(b"not a manifest line\n");
                Some(bytes)
            }
            _ => Some(bytes),
        },
        // In the pack, listed nowhere.
        &[("reports/extra.md", b"# slipped in\n")],
    );
    let (code, stderr) = verify(&env, &repo, &bad);
    assert_eq!(code, Some(1), "{stderr}");
    for problem in [
        "error: reports/soa.csv: listed in MANIFEST, missing from the pack\n",
        ": not `sha256  path`\n",
        "error: reports/extra.md: in the pack, not in MANIFEST\n",
    ] {
        assert!(stderr.contains(problem), "{problem}: {stderr}");
    }
}

/// A copy of the pack `good` with `change` applied to its entries, and the
/// MANIFEST rewritten to match them (as a forger would).
fn forged(
    env: &Env,
    good: &Path,
    name: &str,
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
) -> std::path::PathBuf {
    let files: Vec<(String, Vec<u8>)> = entries(good)
        .into_iter()
        .filter(|(n, _)| n != "MANIFEST")
        .filter_map(|(n, b)| change(&n, b).map(|b| (n, b)))
        .collect();
    let manifest = String::from_utf8(
        entries(good)
            .into_iter()
            .find(|(n, _)| n == "MANIFEST")
            .unwrap()
            .1,
    )
    .unwrap();
    let mut text: String = manifest
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    for (n, b) in &files {
        text.push_str(&format!("{}  {n}\n", sha256_hex(b)));
    }
    let out = env.path().join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    zip.start_file("MANIFEST", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    for (n, b) in files {
        zip.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&b).unwrap();
    }
    zip.finish().unwrap();
    out
}

fn verify(env: &Env, repo: &Path, pack: &Path) -> (Option<i32>, String) {
    let o = env
        .isms(repo)
        .args(["pack", "--verify"])
        .arg(pack)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn verify_rederives_the_pack_from_its_bundle() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let (code, stderr) = verify(&env, &repo, &good);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("and the record in its bundle (commit "),
        "{stderr}"
    );

    // A changed artifact, its MANIFEST line updated: the evidence record at
    // the commit still names the old hash.
    let artifact = "evidence/files/2026-10-admin-log-review.md";
    let bad = forged(&env, &good, "artifact.zip", |n, b| {
        Some(if n == artifact {
            b"doctored\n".to_vec()
        } else {
            b
        })
    });
    let (code, stderr) = verify(&env, &repo, &bad);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {artifact}: differs from what the record at "
        )),
        "{stderr}"
    );

    // Two changed reports: each is named.
    let bad = forged(&env, &good, "report.zip", |n, b| {
        Some(match n {
            "reports/soa.csv" | "reports/matrix.md" => b"control\nforged\n".to_vec(),
            _ => b,
        })
    });
    let (code, stderr) = verify(&env, &repo, &bad);
    assert_eq!(code, Some(1), "{stderr}");
    for report in ["reports/matrix.md", "reports/soa.csv"] {
        assert!(
            stderr.contains(&format!(
                "error: {report}: differs from what the record at "
            )),
            "{stderr}"
        );
    }
    assert!(stderr.ends_with(": 2 problems\n"), "{stderr}");

    // A changed report whose pack no longer carries the bundle that would
    // show it: nothing can be re-derived, and that is a problem.
    let bad = forged(&env, &good, "unbundled.zip", |n, b| match n {
        "record.bundle" => None,
        "reports/soa.csv" => Some(b"control\nforged\n".to_vec()),
        _ => Some(b),
    });
    let (code, stderr) = verify(&env, &repo, &bad);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: record.bundle: not in the pack, so nothing in it can be re-derived from the record\n"
        ),
        "{stderr}"
    );

    // A bundle whose tip is another commit.
    env.commit_empty(&repo, "later");
    let later = env.path().join("later.zip");
    pack(&env, &repo, &later);
    let other = entries(&later)
        .into_iter()
        .find(|(n, _)| n == "record.bundle")
        .unwrap()
        .1;
    let bad = forged(&env, &good, "bundle.zip", |n, b| {
        Some(if n == "record.bundle" {
            other.clone()
        } else {
            b
        })
    });
    let (code, stderr) = verify(&env, &repo, &bad);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: record.bundle: its tip is "),
        "{stderr}"
    );
    assert!(stderr.contains(", the MANIFEST says "), "{stderr}");
}

#[test]
fn a_pack_made_by_another_version_says_so_where_only_what_isms_writes_differs() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let ours = env!("CARGO_PKG_VERSION");
    let made_by = format!("\n# made by isms {ours}\n");
    let manifest = entries(&good)
        .into_iter()
        .find(|(n, _)| n == "MANIFEST")
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .unwrap();
    assert!(manifest.contains(&made_by), "{manifest}");
    // The pack as another isms would have made it: its MANIFEST says so, and
    // `change` says what it wrote otherwise.
    let made_by_other = |name: &str, change: &dyn Fn(&str, Vec<u8>) -> Vec<u8>| {
        let forged = forged(&env, &good, &format!("forged-{name}"), |n, b| {
            Some(change(n, b))
        });
        rezipped(
            &env,
            &forged,
            name,
            |n, b| {
                Some(match n {
                    "MANIFEST" => String::from_utf8(b)
                        .unwrap()
                        .replace(&made_by, "\n# made by isms 0.1.0\n")
                        .into_bytes(),
                    _ => b,
                })
            },
            &[],
        )
    };
    let report = |n: &str, b: Vec<u8>| match n {
        "reports/soa.csv" => b"control\nwritten otherwise\n".to_vec(),
        _ => b,
    };
    let (code, stderr) = verify(&env, &repo, &made_by_other("report.zip", &report));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: reports/soa.csv: differs from what the record at "),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "\n  hint: the pack was made by isms 0.1.0, and this is isms {ours}: the item files and artifacts match, \
             and only what isms writes from them differs, which another version may write otherwise; \
             verify it with isms 0.1.0\n"
        )),
        "{stderr}"
    );
    assert!(stderr.ends_with(": 1 problem\n"), "{stderr}");

    // An item file that differs is no question of version.
    let item = |n: &str, b: Vec<u8>| match n {
        "controls/5.1.toml" => b"id = \"5.1\"\n".to_vec(),
        _ => report(n, b),
    };
    let (code, stderr) = verify(&env, &repo, &made_by_other("item.zip", &item));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: controls/5.1.toml: differs from what the record at "),
        "{stderr}"
    );
    assert!(!stderr.contains("hint:"), "{stderr}");

    // Made by this version, a report that differs is only that.
    let same = forged(&env, &good, "same.zip", |n, b| Some(report(n, b)));
    let (code, stderr) = verify(&env, &repo, &same);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("hint:"), "{stderr}");
}

#[test]
fn a_pack_zipped_again_with_folder_entries_still_verifies() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    // As `unzip` then `zip -r` would give it back: an entry for each folder,
    // before its files.
    let again = env.path().join("again.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&again).unwrap());
    let mut folders = std::collections::BTreeSet::new();
    for (name, bytes) in entries(&good) {
        let mut folder = String::new();
        for part in name.split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            folder.push_str(part);
            folder.push('/');
            if folders.insert(folder.clone()) {
                zip.add_directory(folder.as_str(), zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
        }
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    assert!(folders.contains("reports/"), "{folders:?}");
    let (code, stderr) = verify(&env, &repo, &again);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("and the record in its bundle (commit "),
        "{stderr}"
    );
}

/// A copy of `good` in which entry `name` declares `size` bytes, in its
/// local header and in the central directory, whatever it holds.
fn misdeclared(env: &Env, good: &Path, name: &str, size: u32, out: &str) -> std::path::PathBuf {
    let mut bytes = std::fs::read(good).unwrap();
    let mut patched = 0;
    // (signature, offset of the uncompressed size, offset of the name's length)
    for (signature, at, name_len) in [(0x0403_4b50u32, 22, 26), (0x0201_4b50, 24, 28)] {
        let sig = signature.to_le_bytes();
        let header = if signature == 0x0403_4b50 { 30 } else { 46 };
        let mut i = 0;
        while i + header < bytes.len() {
            if bytes[i..i + 4] == sig {
                let len =
                    u16::from_le_bytes([bytes[i + name_len], bytes[i + name_len + 1]]) as usize;
                if bytes.get(i + header..i + header + len) == Some(name.as_bytes()) {
                    bytes[i + at..i + at + 4].copy_from_slice(&size.to_le_bytes());
                    patched += 1;
                }
            }
            i += 1;
        }
    }
    assert_eq!(
        patched, 2,
        "{name} in its local header and the central directory"
    );
    let path = env.path().join(out);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn an_entry_larger_than_it_declares_or_than_any_pack_file_is_not_read() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);

    let big = misdeclared(&env, &good, "reports/soa.md", 600 << 20, "big.zip");
    let (code, stderr) = verify(&env, &repo, &big);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("reports/soa.md declares 629145600 bytes; not read"),
        "{stderr}"
    );

    let lying = misdeclared(&env, &good, "reports/soa.md", 10, "lying.zip");
    let (code, stderr) = verify(&env, &repo, &lying);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("reports/soa.md holds more than the 10 bytes it declares; not read"),
        "{stderr}"
    );
}

#[test]
fn the_pack_never_writes_into_git_or_over_a_users_file() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let head = common::read(&repo, ".git/HEAD");
    let log = env.git(&repo, &["log", "--format=%H"]);
    for out in [".git/HEAD", ".git/new.zip", "./.git/../.git/HEAD"] {
        let o = env
            .isms(&repo)
            .args(["pack", "--out", out])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("is inside the git directory"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert_eq!(common::read(&repo, ".git/HEAD"), head);
    assert!(!repo.join(".git/new.zip").exists());
    assert_eq!(env.git(&repo, &["log", "--format=%H"]), log);

    // A file of the user's, edited or not, is never replaced by a pack.
    let edited = common::read(&repo, "isms.toml") + "\n# my note\n";
    common::write(&repo, "isms.toml", &edited);
    for out in ["isms.toml", "README.md"] {
        let before = common::read(&repo, out);
        let o = env
            .isms(&repo)
            .args(["pack", "--out", out])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("exists and is not an isms pack"));
        assert_eq!(common::read(&repo, out), before, "{out} untouched");
    }
    // An earlier pack is replaced.
    let p = env.path().join("p.zip");
    pack(&env, &repo, &p);
    pack(&env, &repo, &p);
    // The site and the export refuse the git directory too.
    for args in [["site", "--out", ".git/site"], ["export", "oscal", "--out"]] {
        let mut cmd = env.isms(&repo);
        cmd.args(args);
        if args[0] == "export" {
            cmd.arg(".git/oscal");
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("is inside the git directory"));
    }
    assert!(!repo.join(".git/site").exists() && !repo.join(".git/oscal").exists());
}

#[test]
fn the_bundle_carries_the_approval_notes_for_an_offline_check() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let note = format!(
        "# isms approvals v1\npull_request = 15\nhead = \"{h}\"\n\n[[review]]\nlogin = \"dave-lq\"\n\
         state = \"APPROVED\"\nsubmitted_at = \"2026-10-20T09:00:00Z\"\ncommit = \"{h}\"\n",
        h = "5".repeat(40)
    );
    let landing = env.git(&repo, &["log", "-1", "--format=%H", "--grep=(#15)"]);
    env.add_approval_note(&repo, landing.trim(), &note);
    let file = env.path().join("pack.zip");
    pack(&env, &repo, &file);
    let (code, stderr) = verify(&env, &repo, &file);
    assert_eq!(code, Some(0), "{stderr}");
    let bundle = env.path().join("record.bundle");
    let bytes = entries(&file)
        .into_iter()
        .find(|(n, _)| n == "record.bundle")
        .unwrap()
        .1;
    std::fs::write(&bundle, bytes).unwrap();
    let heads = env.git(
        env.path(),
        &["bundle", "list-heads", bundle.to_str().unwrap()],
    );
    assert!(heads.contains(" refs/heads/main\n"), "{heads}");
    assert!(heads.contains(" refs/notes/isms/approvals"), "{heads}");
    // An auditor's offline copy: the record and its notes, no GitHub.
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "-b",
            "main",
            bundle.to_str().unwrap(),
            "audit",
        ],
    );
    let audit = env.path().join("audit");
    env.git(
        &audit,
        &[
            "fetch",
            "-q",
            bundle.to_str().unwrap(),
            "refs/notes/*:refs/notes/*",
        ],
    );
    let out = env
        .isms(&audit)
        .args(["--format", "json", "verify-approvals", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let approved_elsewhere = v["unapproved"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["item"] == "allocation:tenant-db/8.15");
    assert!(!approved_elsewhere, "dave approved for platform: {v}");
    assert!(
        v["unapproved"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["item"] == "allocation:payments-api/8.15"
                && u["message"] == "pull request #15 was not approved by bob"),
        "{v}"
    );

    // The README's offline audit, run as written, in a folder holding only
    // the pack: the unzipping is done here, the rest by `sh`.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split_once("An auditor can re-run isms on the record itself, offline:\n\n```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the README's offline audit")
        .0;
    let (unzip, rest) = block.split_once(" && ").expect("the unzipping comes first");
    assert_eq!(unzip, "unzip pack.zip -d pack");
    let auditor = env.path().join("auditor");
    for (name, bytes) in entries(&file) {
        let path = auditor.join("pack").join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let outputs: Vec<(&str, String)> = rest
        .lines()
        .map(|line| {
            let out = env
                .command("sh")
                .args(["-c", line])
                .env("PATH", common::path_for_hooks(true))
                .current_dir(&auditor)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            // verify-approvals finds reviews no owner approved: exit 1.
            assert!(
                matches!(out.status.code(), Some(0 | 1)) && !stderr.contains("fatal"),
                "`{line}`: {:?}\n{stderr}",
                out.status
            );
            (line, String::from_utf8(out.stdout).unwrap())
        })
        .collect();
    let output_of = |command: &str| {
        let (_, out) = outputs
            .iter()
            .find(|(line, _)| line.contains(command))
            .unwrap();
        out.as_str()
    };
    let packed = |name: &str| {
        let bytes = entries(&file)
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1;
        String::from_utf8(bytes).unwrap()
    };
    // The pack's report, its stamp naming the commit the record gave.
    let tip = env.git(&audit, &["rev-parse", "--short=10", "HEAD"]);
    let stamped = packed("reports/soa.md").replacen(
        "As of 2026-11-02.\n",
        &format!(
            "As of 2026-11-02. Read from commit {}: the record branch main as it stood on 2026-11-02.\n",
            tip.trim()
        ),
        1,
    );
    assert_eq!(output_of(" report soa"), stamped);
    let verified = output_of(" verify-approvals --offline");
    assert!(
        verified.contains("pull request #15 was not approved by bob"),
        "{verified}"
    );
    let log = output_of(" log control:8.15");
    assert!(log.contains("APPROVED BY"), "{log}");
}

#[test]
fn what_a_killed_pack_left_beside_its_output_is_removed_by_the_next() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let leftover = env.path().join(format!(".isms-tmp-{dead}-Ab12Cd"));
    std::fs::write(&leftover, b"half a zip").unwrap();
    // A temporary file of a process that still runs (this one) is kept.
    let alive = env
        .path()
        .join(format!(".isms-tmp-{}-Ef34Gh", std::process::id()));
    std::fs::write(&alive, b"in use").unwrap();
    pack(&env, &repo, &env.path().join("pack.zip"));
    assert!(!leftover.exists(), "the killed run's file is removed");
    assert!(alive.exists(), "a running process's file is left alone");
}

#[test]
fn a_pack_of_a_past_day_leaves_out_evidence_collected_after_it() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // The record as it stood on this day already held evidence records of
    // collections made later: they are sound, just not yet collected then.
    let day = "2026-08-01";
    let out = env.path().join("august.zip");
    let made = env
        .isms(&repo)
        .args(["--as-of", day, "pack", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let files: std::collections::BTreeMap<String, Vec<u8>> = entries(&out).into_iter().collect();
    let collected = |toml: &[u8]| -> String {
        let v: toml::Value = toml::from_str(std::str::from_utf8(toml).unwrap()).unwrap();
        v["collected"].to_string()
    };
    let (before, after): (Vec<_>, Vec<_>) = files
        .iter()
        .filter(|(n, _)| n.starts_with("evidence/") && !n.starts_with("evidence/files/"))
        .map(|(n, b)| {
            (
                n.trim_start_matches("evidence/").trim_end_matches(".toml"),
                collected(b),
            )
        })
        .partition(|(_, c)| c.as_str() <= day);
    assert!(
        !before.is_empty() && !after.is_empty(),
        "{before:?} {after:?}"
    );
    // The register lists what had been collected by then, and only that.
    let register = String::from_utf8(files["reports/evidence.csv"].clone()).unwrap();
    for (id, _) in &before {
        assert!(register.contains(&format!("\n{id},")), "{id}: {register}");
    }
    for (id, _) in &after {
        assert!(!register.contains(id), "{id}: {register}");
    }
    let soa = String::from_utf8(files["reports/soa.csv"].clone()).unwrap();
    for (id, _) in &after {
        assert!(!soa.contains(id), "{id}: {soa}");
    }
    let (code, stderr) = verify(&env, &repo, &out);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn an_artifact_kept_in_git_lfs_is_checked_by_its_pointer_and_packed_with_its_content() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // As a team that keeps its evidence documents in Git LFS sets it up:
    // LFS's hooks first, then isms's (LFS's pre-push is kept and run first).
    env.git(&repo, &["lfs", "install", "--local"]);
    env.isms(&repo)
        .args(["hooks", "install", "--force"])
        .assert()
        .success();
    env.git(&repo, &["lfs", "track", "*.pdf"]);
    env.git(&repo, &["add", ".gitattributes"]);
    // Commits run the hooks, which find the isms under test.
    let commit = |message: &str| {
        env.command("git")
            .env("PATH", common::path_for_hooks(true))
            .current_dir(&repo)
            .args(["commit", "-q", "-m", message])
            .output()
            .unwrap()
    };
    let out = commit("Keep PDFs in Git LFS");
    assert!(out.status.success(), "{out:?}");
    let report: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let outside = env.path().join("pentest-report.pdf");
    std::fs::write(&outside, &report).unwrap();
    env.isms(&repo)
        .args(["--as-of", AS_OF, "new", "evidence", "2026-10-pentest"])
        .args(["--title", "External penetration test", "--control", "8.8"])
        .args(["--kind", "vulnerability-scan", "--collected", "2026-10-20"])
        .arg("--artifact")
        .arg(&outside)
        .assert()
        .success();
    env.git(&repo, &["add", "-A"]);
    let path = "evidence/files/pentest-report.pdf";
    let staged = env.git(&repo, &["show", &format!(":{path}")]);
    assert!(
        staged.starts_with("version https://git-lfs.github.com/spec/v1\noid sha256:"),
        "git holds a pointer: {staged}"
    );
    // The pre-commit hook checks the pointer against the record.
    let out = commit("Pentest report");
    assert!(out.status.success(), "{out:?}");
    env.isms(&repo)
        .args(["--as-of", AS_OF, "check", "--rev", "HEAD"])
        .assert()
        .success();

    // The pack holds the content, not the pointer, and verifies.
    let good = env.path().join("good.zip");
    pack(&env, &repo, &good);
    let packed = entries(&good);
    let (_, bytes) = packed.iter().find(|(n, _)| n == path).unwrap();
    assert!(bytes == &report, "the pack holds the report itself");
    let (code, stderr) = verify(&env, &repo, &good);
    assert_eq!(code, Some(0), "{stderr}");
    // Another document in its place, MANIFEST and all, is not the one the
    // record's pointer names.
    let swapped = forged(&env, &good, "swapped.zip", |n, b| {
        Some(if n == path {
            b"another report".to_vec()
        } else {
            b
        })
    });
    let (code, stderr) = verify(&env, &repo, &swapped);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&format!(
            "{path}: kept in Git LFS as sha256:{}, and the pack's copy is not that content",
            sha256_hex(&report)
        )),
        "{stderr}"
    );

    // A clone whose LFS files were not fetched (as actions/checkout leaves
    // one by default) checks them by their pointers; its pack says what is
    // missing and writes nothing.
    let clone = env.path().join("clone");
    let out = env
        .command("git")
        .env("GIT_LFS_SKIP_SMUDGE", "1")
        .args(["clone", "-q"])
        .arg(&repo)
        .arg(&clone)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(clone.join(path)).unwrap();
    assert!(text.starts_with("version https://git-lfs.github.com/spec/v1"));
    env.isms(&clone)
        .args(["--as-of", AS_OF, "check"])
        .assert()
        .success();
    let missing = env.path().join("missing.zip");
    let out = env
        .isms(&clone)
        .args(["--as-of", AS_OF, "pack", "--out"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: evidence/2026-10-pentest.toml: {path}: kept in Git LFS (sha256:{}), and its content is not in this clone\n  \
             hint: fetch it: `git lfs fetch` (or `git lfs pull`), then run this again\n",
            sha256_hex(&report)
        )
    );
    assert!(!missing.exists());

    // A changed document is still found, in the working tree and staged.
    std::fs::write(repo.join(path), b"an edited report").unwrap();
    let (code, findings) = env.check(&repo, &["--as-of", AS_OF]);
    assert_eq!(code, Some(1));
    assert!(findings.contains("error[artifact-hash]"), "{findings}");
    env.git(&repo, &["add", path]);
    let (code, findings) = env.check(&repo, &["--as-of", AS_OF, "--staged"]);
    assert_eq!(code, Some(1));
    assert!(findings.contains("error[artifact-hash]"), "{findings}");
}

#[test]
fn a_mirror_without_a_working_tree_packs_and_reads_the_same_record() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    // A change that fires a trigger, for `diff` and `triggers detect`.
    let svc = repo.join("services/payments-api.toml");
    let text = std::fs::read_to_string(&svc).unwrap();
    std::fs::write(
        &svc,
        text.replace(
            r#"regions = ["eu-west-1"]"#,
            r#"regions = ["eu-west-1", "us-east-1"]"#,
        ),
    )
    .unwrap();
    env.git(&repo, &["commit", "-qam", "payments-api: us-east-1"]);
    let here = env.path().join("here.zip");
    pack(&env, &repo, &here);
    // An auditor's mirror: a bare repository, every ref, no working tree.
    let mirror = env.path().join("mirror.git");
    let out = env
        .command("git")
        .args(["clone", "-q", "--mirror"])
        .arg(&repo)
        .arg(&mirror)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let there = env.path().join("there.zip");
    pack(&env, &mirror, &there);
    assert!(
        std::fs::read(&here).unwrap() == std::fs::read(&there).unwrap(),
        "one commit, one pack, wherever it is read from"
    );
    let (code, stderr) = verify(&env, &mirror, &there);
    assert_eq!(code, Some(0), "{stderr}");
    // The record read there is the record read here.
    for args in [
        &["--format", "json", "log"][..],
        &["--format", "csv", "log", "--since", "2026-01-01"],
        &["--format", "json", "verify-approvals", "--offline"],
        &["--format", "json", "stale", "--all", "--rev", "main"],
        &["--format", "json", "status", "--rev", "HEAD"],
        &["--format", "csv", "report", "matrix", "--rev", "HEAD"],
        &["--format", "json", "show", "5.23", "--rev", "HEAD"],
        &["--as-of", AS_OF, "--format", "json", "show", "5.23"],
        &["--as-of", AS_OF, "--format", "json", "stale"],
        &["diff", "HEAD~1", "HEAD"],
        &["--format", "json", "diff", "--since", "2026-01-01"],
        &["--format", "json", "triggers", "detect", "--from", "HEAD~1"],
    ] {
        let run = |dir: &Path| {
            let out = env.isms(dir).args(args).output().unwrap();
            assert_ne!(out.status.code(), Some(2), "{args:?}: {out:?}");
            out.stdout
        };
        let (here, there) = (run(&repo), run(&mirror));
        assert!(!here.is_empty());
        assert!(here == there, "{args:?}");
    }
    // The OSCAL export and the dashboard of a commit too, each written
    // outside the mirror.
    let written = |dir: &Path, args: &[&str], out: &str| {
        let out = env.path().join(out);
        env.isms(dir).args(args).arg(&out).assert().success();
        let mut files: Vec<(String, Vec<u8>)> = walk(&out);
        files.sort();
        files
    };
    for (args, name) in [
        (&["export", "oscal", "--out"][..], "oscal"),
        (&["site", "--rev", "HEAD", "--out"], "site"),
    ] {
        let here = written(&repo, args, &format!("{name}-here"));
        assert!(!here.is_empty());
        assert!(
            here == written(&mirror, args, &format!("{name}-there")),
            "{args:?}"
        );
    }
    // Its default folder, `site`, would be inside the git directory.
    let out = env
        .isms(&mirror)
        .args(["site", "--rev", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: site is inside the git directory; isms never writes there\n  \
         hint: a bare repository has no working tree: name a path outside it\n"
    );
    assert!(!mirror.join("site").exists());
    // What makes a pull request needs the working tree it commits in.
    let out = env
        .isms(&mirror)
        .args([
            "triggers",
            "detect",
            "--from",
            "HEAD~1",
            "--open-pr",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is a bare git repository; isms needs a working tree"),
        "{out:?}"
    );
}

/// Every file under `dir`, by its path there, with its bytes.
fn walk(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.extend(
                walk(&path)
                    .into_iter()
                    .map(|(p, b)| (format!("{name}/{p}"), b)),
            );
        } else {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn under_author_approval_the_packed_history_marks_a_review_that_does_not_count() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let packed = env.path().join("plain.zip");
    pack(&env, &repo, &packed);
    let history = |file: &Path| -> serde_json::Value {
        let (_, bytes) = (entries(file).into_iter())
            .find(|(n, _)| n == "reviews/allocation/payments-api/CLD.9.5.1.json")
            .expect("the allocation's history is packed");
        serde_json::from_slice(&bytes).unwrap()
    };
    // Every review counts under pull-request approval: none is marked.
    let plain = history(&packed);
    assert!(
        plain
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("counts").is_none())
    );
    env.commit_author_approval(&repo);
    let packed = env.path().join("author.zip");
    pack(&env, &repo, &packed);
    // Alice reviewed Bob's allocation: that review does not count.
    let marked = history(&packed);
    let reviews = marked.as_array().unwrap();
    assert_eq!(reviews.len(), plain.as_array().unwrap().len());
    for (r, was) in reviews.iter().zip(plain.as_array().unwrap()) {
        assert_eq!(r["email"], "alice@example.com", "{r}");
        assert_eq!(r["counts"], false, "{r}");
        let mut r = r.clone();
        r.as_object_mut().unwrap().remove("counts");
        assert_eq!(&r, was);
    }
    let (code, said) = verify(&env, &repo, &packed);
    assert_eq!(code, Some(0), "{said}");
}
