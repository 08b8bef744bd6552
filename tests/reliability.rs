//! Bad input and hostile conditions: each case ends in a clear message, and
//! nothing is lost.

mod common;

use common::{Env, read, write};
use predicates::prelude::*;

#[test]
fn a_closed_stdout_ends_quietly() {
    let env = Env::new();
    let isms = assert_cmd::cargo::cargo_bin!("isms");
    let out = env
        .command("sh")
        .arg("-c")
        .arg(format!(
            "'{}' schema | head -c 10 > /dev/null",
            isms.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn an_impossible_date_says_what_was_expected() {
    let env = Env::new();
    env.isms(env.path())
        .args(["--as-of", "2026-02-30", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "2026-02-30 is not a day of the calendar; expected a real date like 2026-02-28",
        ));
    env.isms(env.path())
        .args(["--as-of", "next week", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected a date like 2026-10-31 (YYYY-MM-DD), found `next week`",
        ));
}

#[test]
fn every_date_option_says_what_was_expected_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("demo");
    for args in [
        &["new", "finding", "2026-009", "--due", "2026-13-01"][..],
        &["new", "evidence", "late", "--collected", "2026-13-01"],
    ] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "for '--due <DATE>'".replace("--due", args[3]),
            ))
            .stderr(predicate::str::contains(
                "2026-13-01 is not a day of the calendar; expected a real date like 2026-02-28",
            ));
    }
    assert!(!repo.join("findings/2026-009.toml").exists());
    assert!(!repo.join("evidence/late.toml").exists());
}

#[test]
fn a_person_key_with_a_dot_is_written_as_toml() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["new", "person", "a.b", "--name", "A B"])
        .assert()
        .success();
    assert!(read(&repo, "isms.toml").contains("[people.\"a.b\"]\nname = \"A B\""));
    assert_eq!(env.check(&repo, &[]), (Some(0), String::new()));
}

#[test]
fn a_multibyte_character_where_a_trailer_key_ends_is_no_internal_error() {
    let env = Env::new();
    let repo = env.example("demo");
    let msg = env.path().join("MSG");
    std::fs::write(
        &msg,
        "review\n\nReviewe\u{20ac} in the body\n\nReviewed: control:nope\n",
    )
    .unwrap();
    env.isms(&repo)
        .args(["hooks", "commit-msg"])
        .arg(&msg)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Reviewed: control:nope — control:nope does not exist",
        ))
        .stderr(predicate::str::contains("internal error").not());
}

#[test]
fn ids_that_differ_only_in_case_are_an_error() {
    let env = Env::new();
    let repo = env.example("demo");
    let text = read(&repo, "evidence/2026-h2-isolation-test.toml").replace(
        "id = \"2026-h2-isolation-test\"",
        "id = \"2026-H2-isolation-test\"",
    );
    write(&repo, "evidence/2026-H2-isolation-test.toml", text);
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert!(
        lines.contains("error[id-case]: evidence/2026-h2-isolation-test.toml and evidence/2026-H2-isolation-test.toml differ only in case"),
        "{lines}"
    );
}

#[test]
fn a_commit_that_names_an_item_twice_is_listed_once() {
    let env = Env::new();
    let repo = env.example("demo");
    env.commit_empty(
        &repo,
        "review\n\nReviewed: control:5.3\nReviewed: control:5.3",
    );
    let out = env
        .isms(&repo)
        .args(["log", "control:5.3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "a header and one review: {text}");
}

#[cfg(unix)]
#[test]
fn written_files_follow_the_umask_as_git_does() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let repo = env.example("demo");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let git_made = mode(&repo.join(".git/HEAD"));
    assert_eq!(mode(&repo.join("isms.toml")), git_made);
    assert_eq!(mode(&repo.join("controls/5.1.toml")), git_made);
    let pack = env.path().join("p.zip");
    env.isms(&repo)
        .args(["pack", "--out"])
        .arg(&pack)
        .assert()
        .success();
    assert_eq!(mode(&pack), git_made);
    env.isms(&repo)
        .args(["site", "--out", "../site"])
        .assert()
        .success();
    assert_eq!(mode(&env.path().join("site/index.html")), git_made);
}

#[test]
fn reports_the_site_the_export_and_verify_approvals_never_leave_out_an_item_that_does_not_parse() {
    let env = Env::new();
    let repo = env.example("demo");
    let broken = "id = \"5.4\"\ntitle = = \"x\"\n";
    write(&repo, "controls/5.4.toml", broken);
    let site = env.path().join("site");
    let reports: [&[&str]; 6] = [
        &["report", "soa"],
        // Each review is judged by its item's owner: one left out would pass unjudged.
        &["verify-approvals", "--offline"],
        &["report", "matrix"],
        &["report", "evidence"],
        &["report", "findings", "--format", "csv"],
        &["site", "--out", site.to_str().unwrap()],
    ];
    // In the working tree: the file is named, and nothing is printed or written.
    for args in reports {
        let out = env.isms(&repo).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            stderr,
            "error: controls/5.4.toml:2: invalid TOML: extra `=`, expected nothing: an item that cannot be read would be left out, so isms stops\n  \
             hint: fix the file (`isms check` lists every problem), then run this again\n",
            "{args:?}"
        );
    }
    assert!(!site.exists());
    // Committed: what reads the commit names it too.
    env.git(&repo, &["commit", "-q", "-am", "a broken control"]);
    let head = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    let oscal = env.path().join("oscal");
    for args in [
        &["report", "soa", "--rev", "HEAD"][..],
        &["site", "--rev", "HEAD", "--out", site.to_str().unwrap()],
        &["export", "oscal", "--out", oscal.to_str().unwrap()],
    ] {
        let out = env.isms(&repo).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("controls/5.4.toml:2: invalid TOML")
                && stderr.contains(&format!(
                    " in commit {}: an item that cannot be read would be left out, so isms stops\n",
                    head.trim()
                )),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("hint: fix the file and commit it"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!site.exists() && !oscal.exists());
}

#[test]
fn settings_that_do_not_parse_stop_a_reading_command_as_settings_not_an_item() {
    let env = Env::new();
    let repo = env.example("demo");
    let config = read(&repo, "isms.toml").replace("edition = \"2022\"", "edition = \"2019\"");
    write(&repo, "isms.toml", &config);
    let line = config
        .lines()
        .position(|l| l.starts_with("edition"))
        .unwrap()
        + 1;
    for args in [&["status"][..], &["stale"], &["report", "soa"]] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "error: isms.toml:{line}: `2019` is not one of: 2013, 2022: the settings say how the record is read, so isms stops\n  \
                 hint: fix the file (`isms check` lists every problem), then run this again\n"
            ));
    }
}

#[test]
fn an_item_that_does_not_parse_is_never_left_out_of_an_answer() {
    let env = Env::new();
    let repo = env.example("demo");
    let codeowners = read(&repo, ".github/CODEOWNERS");
    // Bob's service no longer parses: its owner must not silently vanish.
    write(
        &repo,
        "services/payments-api.toml",
        "id = \"payments-api\"\nowner = \n",
    );
    for args in [&["stale"][..], &["status"], &["codeowners"]] {
        let out = env.isms(&repo).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("services/payments-api.toml:2: "),
            "{stderr}"
        );
        assert!(
            stderr.contains("an item that cannot be read would be left out"),
            "{stderr}"
        );
    }
    assert_eq!(read(&repo, ".github/CODEOWNERS"), codeowners, "untouched");
    // `new` still writes its file, but leaves CODEOWNERS as it is and says so.
    let out = env
        .isms(&repo)
        .args(["new", "finding", "2026-010", "--owner", "alice"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr
            .contains("warning: .github/CODEOWNERS is left as it is: services/payments-api.toml:2"),
        "{stderr}"
    );
    assert_eq!(read(&repo, ".github/CODEOWNERS"), codeowners);
}

#[test]
fn a_fifo_or_device_in_the_working_tree_is_refused_never_opened() {
    let env = Env::new();
    let repo = env.example("demo");
    // A named pipe where an item file belongs, and one as an artifact:
    // opening either would wait for a writer for ever.
    for fifo in ["controls/9.9.toml", "evidence/files/pipe.md"] {
        let status = env.command("mkfifo").arg(repo.join(fifo)).status().unwrap();
        assert!(status.success());
    }
    let evidence = read(&repo, "evidence/2026-q3-vulnerability-scan.toml");
    write(
        &repo,
        "evidence/2026-q3-vulnerability-scan.toml",
        format!(
            "{evidence}\n[[artifacts]]\npath = \"files/pipe.md\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ),
    );
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = common::findings_as_lines(&out.stdout);
    assert!(
        lines.contains("controls/9.9.toml: error[not-a-file]: file is a named pipe (FIFO); isms files must be regular files, and this one was not opened"),
        "{lines}"
    );
    assert!(lines.contains("files/pipe.md"), "{lines}");
    // stale reads every item file: it names the pipe and stops, at once.
    let out = env
        .isms(&repo)
        .arg("stale")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: controls/9.9.toml: file is a named pipe (FIFO)"),
        "{out:?}"
    );
}

#[test]
fn an_artifact_over_the_limit_is_refused_unread() {
    let env = Env::new();
    let repo = env.example("demo");
    // Sparse: 600 MiB on paper, nothing on disk.
    std::fs::File::create(repo.join("evidence/files/huge.bin"))
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    let evidence = read(&repo, "evidence/2026-q3-vulnerability-scan.toml");
    write(
        &repo,
        "evidence/2026-q3-vulnerability-scan.toml",
        format!(
            "{evidence}\n[[artifacts]]\npath = \"files/huge.bin\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ),
    );
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = common::findings_as_lines(&out.stdout);
    assert!(
        lines.contains("evidence/2026-q3-vulnerability-scan.toml:16:1: error[artifact-path]: artifact evidence/files/huge.bin is 629145600 bytes, over the 512 MiB an artifact may be; it was not read"),
        "{lines}"
    );
}

#[test]
fn a_sha256_repository_is_named_as_unsupported_and_init_makes_sha1() {
    let env = Env::new();
    let dir = env.path().join("s256");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "--object-format=sha256"]);
    let message = "is a git repository with sha256 object names (extensions.objectFormat); isms supports SHA-1 repositories only";
    env.isms(env.path())
        .args(["init", "s256"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "nothing but .git"
    );
    std::fs::write(dir.join("isms.toml"), "").unwrap();
    env.isms(&dir)
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
    // Where git would make SHA-256 repositories, init still makes SHA-1.
    env.isms(env.path())
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "init.defaultObjectFormat")
        .env("GIT_CONFIG_VALUE_0", "sha256")
        .args(["init", "fresh"])
        .assert()
        .success();
    let fresh = env.path().join("fresh");
    assert_eq!(
        env.git(&fresh, &["rev-parse", "--show-object-format"])
            .trim(),
        "sha1"
    );
    env.isms(&fresh).arg("check").assert().success();
}

/// Starts `isms args` in `dir` for each of `runs`, all at once, and waits
/// for them: their exit codes and stderr.
fn together(env: &Env, dir: &std::path::Path, runs: &[Vec<String>]) -> Vec<(Option<i32>, String)> {
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            env.command(assert_cmd::cargo::cargo_bin!("isms"))
                .current_dir(dir)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

#[test]
fn concurrent_new_services_all_reach_codeowners() {
    let env = Env::new();
    let repo = env.example("demo");
    for round in 0..20 {
        let ids: Vec<String> = (0..5).map(|i| format!("svc-{round}-{i}")).collect();
        let runs: Vec<Vec<String>> = ids
            .iter()
            .map(|id| {
                [
                    "new", "service", id, "--model", "saas", "--owner", "platform",
                ]
                .map(String::from)
                .to_vec()
            })
            .collect();
        for (code, stderr) in together(&env, &repo, &runs) {
            assert_eq!(code, Some(0), "{stderr}");
        }
        let owners = read(&repo, ".github/CODEOWNERS");
        for id in &ids {
            assert!(
                owners.contains(&format!("/services/{id}.toml ")),
                "round {round}: {id} lost from CODEOWNERS"
            );
        }
    }
    env.isms(&repo)
        .arg("codeowners")
        .assert()
        .success()
        .stderr(predicate::str::ends_with(" is up to date\n"));
}

#[test]
fn a_new_service_that_cannot_be_written_whole_leaves_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    // Where the service's allocations must go, a file stands.
    write(&repo, "responsibilities/blocked", "in the way\n");
    let before = env.git(&repo, &["status", "--porcelain", "--untracked-files=all"]);
    env.isms(&repo)
        .args(["new", "service", "blocked", "--model", "saas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nothing was created: every file or none",
        ));
    assert!(!repo.join("services/blocked.toml").exists());
    assert_eq!(read(&repo, "responsibilities/blocked"), "in the way\n");
    assert_eq!(
        env.git(&repo, &["status", "--porcelain", "--untracked-files=all"]),
        before
    );
}

#[test]
fn concurrent_reviews_each_land_exactly_once() {
    let env = Env::new();
    let repo = env.example("demo");
    let items = [
        "control:5.1",
        "control:5.2",
        "control:5.3",
        "control:5.4",
        "control:5.5",
        "control:5.7",
        "control:5.9",
        "control:5.10",
        "control:5.12",
        "control:5.15",
    ];
    for round in 0..20 {
        let before: usize = env
            .git(&repo, &["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap();
        let runs: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                vec![
                    "review".into(),
                    (*i).into(),
                    "--note".into(),
                    format!("round {round}"),
                ]
            })
            .collect();
        for (code, stderr) in together(&env, &repo, &runs) {
            assert_eq!(code, Some(0), "round {round}: {stderr}");
        }
        let after: usize = env
            .git(&repo, &["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap();
        assert_eq!(after, before + items.len(), "round {round}");
        let log = env.git(&repo, &["log", &format!("-{}", items.len()), "--format=%B"]);
        for item in items {
            assert_eq!(
                log.matches(&format!("Reviewed: {item}\n")).count(),
                1,
                "round {round}: {item}"
            );
        }
    }
    // Nothing else moved: the working tree is as it was.
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn concurrent_reassessments_of_one_branch_each_land_exactly_once() {
    let env = Env::new();
    let repo = env.example("demo");
    let branch = "isms/reassess/region-added/tenant-db";
    let reassess = |reason: String| -> Vec<String> {
        [
            "reassess",
            "region-added",
            "--service",
            "tenant-db",
            "--reason",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .chain([reason])
        .collect()
    };
    let count = || -> usize {
        let n = env.git(&repo, &["rev-list", "--count", branch]);
        n.trim().parse().unwrap()
    };
    // The branch is made by the first run, then each round races on it.
    assert_eq!(
        together(&env, &repo, &[reassess("first".into())])[0].0,
        Some(0)
    );
    for round in 0..20 {
        let before = count();
        let runs: Vec<Vec<String>> = (0..5)
            .map(|i| reassess(format!("round {round} run {i}")))
            .collect();
        for (code, stderr) in together(&env, &repo, &runs) {
            assert_eq!(code, Some(0), "round {round}: {stderr}");
        }
        assert_eq!(count(), before + 5, "round {round}");
        let log = env.git(&repo, &["log", "-5", "--format=%B", branch]);
        for i in 0..5 {
            assert_eq!(
                log.matches(&format!("\nround {round} run {i}\n")).count(),
                1,
                "round {round}: {log}"
            );
        }
    }
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_writer_that_waits_for_another_says_so_once_and_then_writes() {
    let env = Env::new();
    let repo = env.example("demo");
    let dir = repo.join(".git/isms");
    std::fs::create_dir_all(&dir).unwrap();
    let lock_path = dir.join("lock");
    let held = |for_ms: u64, id: &str| {
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .unwrap();
        lock.lock().unwrap();
        let mut child = env.isms(&repo);
        child
            .args(["new", "evidence", id])
            .timeout(std::time::Duration::from_secs(30));
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(for_ms));
            drop(lock);
        });
        let out = child.output().unwrap();
        release.join().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert!(repo.join(format!("evidence/{id}.toml")).exists());
        String::from_utf8(out.stderr).unwrap()
    };
    // A long turn is said, once.
    let said = held(2500, "after-a-wait");
    let waiting = format!(
        "waiting for another isms to finish writing in this repository (it holds {})\n",
        lock_path.display()
    );
    assert!(said.starts_with(&waiting), "{said}");
    assert_eq!(said.matches("waiting for").count(), 1, "{said}");
    // A short one is not.
    let said = held(200, "after-a-short-wait");
    assert!(!said.contains("waiting for"), "{said}");
}

#[test]
fn no_file_is_read_through_a_folder_that_is_a_link_out_of_the_repository() {
    let env = Env::new();
    // A generated CODEOWNERS whose folder is a link: not read, and said so.
    // A folder of the repository moved out, and a link left in its place.
    let behind_a_link = |repo: &std::path::Path, folder: &str| {
        let outside = env.path().join(format!("outside-{folder}"));
        std::fs::rename(repo.join(folder), &outside).unwrap();
        std::os::unix::fs::symlink(&outside, repo.join(folder)).unwrap();
    };
    let repo = env.example("demo");
    behind_a_link(&repo, ".github");
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(0), "{lines}");
    assert!(
        lines.contains(".github/CODEOWNERS: warning[symlink]: `.github` is a symbolic link; isms reads no file through a link"),
        "{lines}"
    );

    // The migration map behind a link: the reviews it carries across are
    // not guessed at, by `check`, `log` or `stale`, warm or cold.
    let repo = env.path().join("legacy");
    std::fs::create_dir(&repo).unwrap();
    env.git(&repo, &["init", "-q", "-b", "main"]);
    env.isms(&repo)
        .args(["init", "--example", "--edition", "2013"])
        .assert()
        .success();
    env.isms(&repo)
        .args(["migrate", "--to", "2022"])
        .assert()
        .success();
    let carried = "[as control:12.4.1]";
    let log = env
        .isms(&repo)
        .args(["log", "control:8.15"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&log.stdout).contains(carried),
        "{log:?}"
    );
    // Settled files: the summary is kept, and the map's own stat data
    // does not change when its folder is moved behind a link.
    std::thread::sleep(std::time::Duration::from_millis(3500));
    env.isms(&repo).arg("stale").assert().code(1);
    assert!(repo.join(".git/isms/summary.bin").is_file());
    behind_a_link(&repo, ".isms");
    let said = ".isms/migrations/2013-to-2022.toml: `.isms` is a symbolic link; isms reads no file through a link";
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1), "{lines}");
    assert!(
        lines.contains(
            ".isms/migrations/2013-to-2022.toml: error[symlink]: `.isms` is a symbolic link"
        ),
        "{lines}"
    );
    for args in [&["log", "control:8.15"][..], &["stale"], &["status"]] {
        let out = env.isms(&repo).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with(&format!("error: {said}")),
            "{args:?}: {out:?}"
        );
    }
    // Committed as a link, the map is not in the commit's tree: what is
    // read from that commit stops rather than carry no history across. The
    // map of renames, which isms would read there too, is the one more.
    env.git(&repo, &["rm", "-rq", "--cached", ".isms"]);
    env.git(&repo, &["add", ".isms"]);
    env.git(&repo, &["commit", "-qm", "link"]);
    let out = env
        .isms(&repo)
        .args(["stale", "--rev", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("error: {said} (and 1 more) in commit ")),
        "{out:?}"
    );
}

#[test]
fn text_from_the_files_and_the_record_reaches_a_terminal_without_its_escapes() {
    let env = Env::new();
    let repo = env.example("repo");
    // TOML may spell an escape character; so may a commit message.
    let config = read(&repo, "isms.toml")
        .replace(
            "name = \"Example Cloud Ltd\"",
            "name = \"Example\\u001b]0;owned\\u0007\"",
        )
        .replace(
            "name = \"Alice Ng\"",
            "name = \"Alice\\u001b[2J\\n::error::spoofed\"",
        );
    write(&repo, "isms.toml", config);
    env.git(&repo, &["commit", "-qam", "names"]);
    env.commit_empty(
        &repo,
        "review\n\nReviewed: control:5.1\nReview-Note: fine\x1b[31m",
    );
    let service = read(&repo, "services/tenant-db.toml").replace(
        "regions = [\"eu-west-1\"",
        "regions = [\"eu\\u001b[2J\", \"eu-west-1\"",
    );
    write(&repo, "services/tenant-db.toml", service);
    env.git(&repo, &["commit", "-qam", "region"]);
    for (args, shown) in [
        (
            &["triggers", "detect", "--from", "HEAD~1"][..],
            "regions: + eu␛[2J",
        ),
        (&["status"], "Example␛]0;owned␇"),
        (&["status"], "alice (Alice␛[2J␊::error::spoofed)"),
        (&["stale"], "alice (Alice␛[2J␊::error::spoofed)"),
        (&["log", "control:5.1"], "fine␛[31m"),
    ] {
        let out = env
            .isms(&repo)
            .args(args)
            .env("CLICOLOR_FORCE", "1")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(shown), "{args:?}: {text}");
        for raw in ["\x1b]0;", "\x07", "\x1b[2J", "fine\x1b", "\n::"] {
            assert!(!text.contains(raw), "{args:?}: {text:?}");
        }
    }
}
