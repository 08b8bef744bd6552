//! `isms check` end to end: bad input that fixtures cannot hold, the staged
//! index versus the working tree, output formats and exit codes.

mod common;

use common::{Env, read, sha256_hex, write};
use predicates::prelude::*;

#[test]
fn the_example_repository_passes_with_no_finding() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(0)
        .stdout("")
        .stderr("checked 256 files: no problems\n");
}

#[test]
fn paths_show_only_their_findings_of_a_check_of_the_whole_repository() {
    let env = Env::new();
    let repo = env.example("repo");
    let file = "responsibilities/tenant-db/5.1.toml";
    let text = read(&repo, file);
    write(
        &repo,
        file,
        text.replacen("party = \"shared\"", "party = \"custmer\"", 1),
    );
    let text = read(&repo, "controls/5.2.toml");
    write(
        &repo,
        "controls/5.2.toml",
        format!("{text}\nsurprise = 1\n"),
    );
    // Elsewhere: none of its findings, and the summary says where it looked.
    env.isms(&repo)
        .args(["check", "services/tenant-db.toml"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("checked 256 files: no problems in services/tenant-db.toml\n");
    // A folder, from a folder below the top: only the finding under it.
    let out = env
        .isms(&repo.join("responsibilities"))
        .args(["check", "tenant-db/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("--> {file}:4:9")), "{stdout}");
    assert!(!stdout.contains("controls/5.2.toml"), "{stdout}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "1 error, 0 warnings in responsibilities/tenant-db (checked 256 files)\n"
    );
    // JSON counts and lists what was asked for, and says what that was.
    let out = env
        .isms(&repo)
        .args(["--format", "json", "check", "controls/5.2.toml", file])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["paths"], serde_json::json!(["controls/5.2.toml", file]));
    assert_eq!(doc["errors"], 2);
    let files: Vec<&str> = (doc["findings"].as_array().unwrap().iter())
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["controls/5.2.toml", file]);
    // A path that is not there is refused, never answered with "no problems".
    env.isms(&repo)
        .args(["check", "services/tenant-bd.toml"])
        .assert()
        .code(2)
        .stderr("error: services/tenant-bd.toml: no such file or folder\n");
}

#[test]
fn file_names_that_are_not_ids_are_reported_and_never_used_as_paths() {
    let env = Env::new();
    let repo = env.example("repo");
    let text = read(&repo, "services/tenant-db.toml");
    for name in ["..hidden", "-rf", "café", "a\\b", ".dot"] {
        write(&repo, &format!("services/{name}.toml"), &text);
    }
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        "\
services/-rf.toml: error[invalid-id]: file name is not a valid ID: invalid ID `-rf`: an ID must start with a letter or digit, not `-`
  = hint: rename the file so that its name is the item's ID
services/..hidden.toml: error[invalid-id]: file name is not a valid ID: invalid ID `..hidden`: an ID must start with a letter or digit, not `.`
  = hint: rename the file so that its name is the item's ID
services/.dot.toml: error[invalid-id]: file name is not a valid ID: invalid ID `.dot`: an ID must start with a letter or digit, not `.`
  = hint: rename the file so that its name is the item's ID
services/a\\b.toml: error[invalid-id]: file name is not a valid ID: invalid ID `a\\b`: `\\\\` is not allowed; IDs use letters, digits, `.`, `_` and `-`
  = hint: rename the file so that its name is the item's ID
services/café.toml: error[invalid-id]: file name is not a valid ID: invalid ID `café`: `é` is not ASCII; IDs use letters A-Z, a-z, digits, `.`, `_` and `-`
  = hint: rename the file so that its name is the item's ID
"
    );
}

#[test]
fn an_artifact_symlink_leading_outside_is_an_error_and_is_never_read() {
    let env = Env::new();
    let repo = env.example("repo");
    let secret = env.path().join("secret.txt");
    std::fs::write(&secret, "outside the repository").unwrap();
    let link = repo.join("evidence/files/2026-q3-vulnerability-scan.csv");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    // Had the target been hashed, the finding would be a hash mismatch.
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        "evidence/2026-q3-vulnerability-scan.toml:12:1: error[artifact-path]: artifact evidence/files/2026-q3-vulnerability-scan.csv is a symbolic link (or goes through one) that leads outside the repository; it was not read\n"
    );
}

#[test]
fn a_symlinked_item_file_is_refused() {
    let env = Env::new();
    let repo = env.example("repo");
    let outside = env.path().join("outside.toml");
    std::fs::write(&outside, read(&repo, "services/tenant-db.toml")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("services/linked.toml")).unwrap();
    let (_, lines) = env.check(&repo, &[]);
    assert_eq!(
        lines,
        "services/linked.toml: error[symlink]: file is a symbolic link; isms files must be regular files, and links are not followed\n"
    );
}

/// Moves the folder `rel` of `repo` out of the repository, with a file
/// that would be an error if it were read, and leaves a link to it.
fn link_folder_outside(env: &Env, repo: &std::path::Path, rel: &str) -> std::path::PathBuf {
    let outside = env
        .path()
        .join(format!("outside-{}", rel.replace('/', "-")));
    std::fs::rename(repo.join(rel), &outside).unwrap();
    std::fs::write(outside.join("planted.toml"), "id = 3\n").unwrap();
    std::os::unix::fs::symlink(&outside, repo.join(rel)).unwrap();
    outside
}

#[test]
fn a_folder_of_items_that_is_a_link_is_an_error_and_is_never_followed() {
    let env = Env::new();
    let repo = env.example("repo");
    let outside = link_folder_outside(&env, &repo, "evidence");
    let said = "evidence: error[symlink]: folder is a symbolic link; isms reads items only from the repository's own folders, and links are not followed\n  = hint: make evidence/ a folder of the repository, with its files in it\n";
    // Had the link been followed, planted.toml would be an error too.
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(lines, said);
    // Committed or staged, the link is the same error.
    env.git(&repo, &["add", "--all"]);
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert_eq!(lines, said);
    // A summary would leave the evidence out: it stops instead.
    env.isms(&repo)
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: evidence: folder is a symbolic link",
        ));
    // Nothing is written through it.
    let before = std::fs::read_dir(&outside).unwrap().count();
    env.isms(&repo)
        .args(["new", "evidence", "through-the-link"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: evidence is a symbolic link (to {}); isms does not write evidence/through-the-link.toml through it\n",
            outside.display()
        )));
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), before);
}

#[test]
fn a_service_folder_of_allocations_that_is_a_link_is_an_error() {
    let env = Env::new();
    let repo = env.example("repo");
    let outside = link_folder_outside(&env, &repo, "responsibilities/tenant-db");
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert!(
        lines.starts_with("responsibilities/tenant-db: error[symlink]: folder is a symbolic link;"),
        "{lines}"
    );
    // Its allocations are not read, so the matrix lacks them; planted.toml is never seen.
    assert!(!lines.contains("planted"), "{lines}");
    assert!(lines.contains("error[matrix-incomplete]: missing allocation: service `tenant-db`"));
    std::fs::remove_file(outside.join("5.1.toml")).unwrap();
    let before = std::fs::read_dir(&outside).unwrap().count();
    env.isms(&repo)
        .args(["new", "allocation", "tenant-db", "5.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "responsibilities/tenant-db is a symbolic link",
        ));
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), before);
}

#[test]
fn a_huge_file_is_refused_by_size_without_being_read() {
    let env = Env::new();
    let repo = env.example("repo");
    let f = std::fs::File::create(repo.join("controls/6.1.2.toml")).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        "controls/6.1.2.toml: error[file-too-large]: file is 52428800 bytes; isms files are at most 1048576 bytes (1 MiB) and this one was not read\n  = hint: keep large documents as evidence artifacts under evidence/files/\n"
    );
}

#[test]
fn a_directory_that_is_not_a_git_repository_exits_2_and_says_so() {
    let env = Env::new();
    let dir = env.path().join("plain");
    std::fs::create_dir(&dir).unwrap();
    env.isms(&dir)
        .arg("check")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("is not in a git repository"))
        .stderr(predicate::str::contains("hint: run `isms init`"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn settings_without_a_git_repository_are_told_how_to_make_one() {
    // A compliance repository copied without its .git, or never committed.
    let env = Env::new();
    let repo = env.example("repo");
    let copy = env.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(repo.join("isms.toml"), copy.join("isms.toml")).unwrap();
    env.isms(&copy)
        .arg("status")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "error: . is not in a git repository\n  \
             hint: isms reads the review record from git; `git init && git add -A && \
             git commit -m \"Import the compliance repository\"` makes one here\n",
        );
}

#[test]
fn a_git_repository_without_isms_toml_exits_2() {
    let env = Env::new();
    let dir = env.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q"]);
    env.isms(&dir).arg("check").assert().code(2).stderr(format!(
        "error: {} is not a compliance repository: it has no isms.toml\n  \
             hint: run `isms init` to create one\n",
        dir.canonicalize().unwrap().display()
    ));
}

#[test]
fn a_commit_from_before_the_record_began_is_named_not_taken_for_a_repository_without_one() {
    let env = Env::new();
    let dir = env.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "NOTES.md", "before\n");
    env.git(&dir, &["add", "NOTES.md"]);
    env.git_at(&dir, "2026-01-10T10:00:00Z", &["commit", "-qm", "Notes"]);
    let before = env.git(&dir, &["rev-parse", "HEAD"]).trim().to_owned();
    env.git(&dir, &["rm", "-q", "NOTES.md"]);
    env.git_at(&dir, "2026-01-11T10:00:00Z", &["commit", "-qm", "Clear"]);
    env.isms(&dir)
        .args(["init", "--example"])
        .assert()
        .success();
    let said = format!(
        "error: commit {} holds no isms.toml: it is not a compliance repository's commit\n  \
         hint: name a commit that holds the settings; `git log --oneline -- isms.toml` lists \
         those that changed them\n",
        &before[..10]
    );
    for args in [
        &["check", "--rev", &before][..],
        &["status", "--rev", &before],
        &["pack", "--out", "x.zip", "--rev", &before],
        &["triggers", "detect", "--from", &before, "--to", &before],
    ] {
        env.isms(&dir)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(said.clone());
    }
    assert!(!dir.join("x.zip").exists());
    // A day before the settings landed is said to be one.
    for args in [&["status"][..], &["report", "soa"], &["show", "5.1"]] {
        env.isms(&dir)
            .args(["--as-of", "2026-02-01"])
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                "error: `main` held no isms.toml on 2026-02-01: the record had not begun\n  \
                 hint: choose a later --as-of date: the record begins when isms.toml lands \
                 on the branch\n",
            );
    }
}

#[test]
fn settings_that_cannot_be_read_are_the_one_error_not_a_flood_of_guesses() {
    let env = Env::new();
    let repo = env.example("repo");
    let config = read(&repo, "isms.toml");
    let broken = config.replacen(
        "name = \"Example Cloud Ltd\"",
        "name = \"Example Cloud Ltd",
        1,
    );
    assert_ne!(config, broken);
    write(&repo, "isms.toml", broken);
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    // The edition is named in the settings: with them unread, no control is
    // judged against a guessed one.
    assert_eq!(
        lines, "isms.toml:7:26: error[syntax]: invalid TOML: invalid basic string, expected `\"`\n",
        "{lines}"
    );
}

#[test]
fn all_findings_are_reported_in_one_run_and_sorted() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_file(repo.join("responsibilities/tenant-db/CLD.9.5.1.toml")).unwrap();
    write(
        &repo,
        "services/tenant-db.toml",
        read(&repo, "services/tenant-db.toml")
            .replace("owner = \"platform\"", "owner = \"nobody\""),
    );
    write(&repo, "findings/2026-003.toml", "oops = \n");
    let (_, lines) = env.check(&repo, &[]);
    let files: Vec<&str> = lines
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "findings/2026-003.toml",
            "responsibilities/tenant-db/CLD.9.5.1.toml",
            "services/tenant-db.toml"
        ]
    );
}

/// The JSON document is a contract (README, "check --format json"): pin it whole.
#[test]
fn json_output_shape_is_pinned() {
    let env = Env::new();
    let repo = env.example("repo");
    write(
        &repo,
        "responsibilities/payments-api/CLD.9.5.1.toml",
        "service = \"payments-api\"\ncontrol = \"CLD.9.5.1\"\nparty = \"shared\"\nprovider = \"TODO\"\nowner = \"alice\"\n",
    );
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = serde_json::json!({
        "version": 1,
        "source": "worktree",
        "files": 256,
        "errors": 1,
        "warnings": 1,
        "findings": [
            {
                "severity": "error",
                "rule": "allocation-duties",
                "file": "responsibilities/payments-api/CLD.9.5.1.toml",
                "line": 3,
                "column": 1,
                "message": "party is `shared` but `customer` is empty: say what the customer does",
                "hint": "describe the customer's duties for CLD.9.5.1 on payments-api in `customer = \"…\"`"
            },
            {
                "severity": "warning",
                "rule": "placeholder",
                "file": "responsibilities/payments-api/CLD.9.5.1.toml",
                "line": 4,
                "column": 13,
                "message": "`provider` is still a TODO placeholder",
                "hint": null
            }
        ]
    });
    assert_eq!(got, want);
}

#[test]
fn github_format_prints_annotations() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_file(repo.join("responsibilities/tenant-db/CLD.9.5.1.toml")).unwrap();
    env.isms(&repo)
        .args(["check", "--format", "github"])
        .assert()
        .code(1)
        .stdout("::error file=responsibilities/tenant-db/CLD.9.5.1.toml,title=isms matrix-incomplete::missing allocation: service `tenant-db` (services/tenant-db.toml) is in scope and control `CLD.9.5.1` (controls/CLD.9.5.1.toml:10) needs one per service%0Ahint: run `isms new allocation tenant-db CLD.9.5.1` to create it with the default party\n");
}

#[test]
fn github_format_adds_a_table_to_the_jobs_summary_page_where_actions_names_one() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_file(repo.join("responsibilities/tenant-db/CLD.9.5.1.toml")).unwrap();
    // The page already holds an earlier step's summary: it is added to.
    let page = env.path().join("step_summary.md");
    std::fs::write(&page, "earlier step\n").unwrap();
    env.isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &page)
        .args(["check", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=responsibilities/tenant-db/CLD.9.5.1.toml,",
        ))
        .stderr("");
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        "earlier step\n### isms check: 1 error, 0 warnings (checked 255 files)\n\n| Severity | Rule | Where | What |\n| --- | --- | --- | --- |\n| error | `matrix-incomplete` | `responsibilities/tenant-db/CLD.9.5.1.toml` | missing allocation: service `tenant-db` (services/tenant-db.toml) is in scope and control `CLD.9.5.1` (controls/CLD.9.5.1.toml:10) needs one per service — hint: run `isms new allocation tenant-db CLD.9.5.1` to create it with the default party |\n\n"
    );
    // Other formats, and a run outside Actions, write no summary.
    std::fs::write(&page, "").unwrap();
    env.isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &page)
        .args(["check"])
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "");
    // A page that cannot be written is a warning; the check still answers.
    let missing = env.path().join("no/such/dir/summary.md");
    env.isms(&repo)
        .env("GITHUB_STEP_SUMMARY", &missing)
        .args(["check", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("::error "))
        .stderr(predicate::str::starts_with(format!(
            "warning: could not add to the job summary {}: ",
            missing.display()
        )));
}

#[test]
fn human_output_shows_location_source_line_and_hint() {
    let env = Env::new();
    let repo = env.example("repo");
    write(
        &repo,
        "services/tenant-db.toml",
        read(&repo, "services/tenant-db.toml")
            .replace("owner = \"platform\"", "ownr = \"platform\""),
    );
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(1)
        .stdout(
            "error[unknown-key]: unknown key `ownr`\n  --> services/tenant-db.toml:9:1\n    |\n  9 | ownr = \"platform\"\n    | ^\n  = hint: did you mean `owner`?\n\n",
        )
        .stderr("1 error, 0 warnings (checked 256 files)\n");
}

#[test]
fn a_control_character_is_named_and_shown_never_sent_to_the_terminal() {
    let env = Env::new();
    let repo = env.example("repo");
    // On a terminal, where escapes are passed on, the file's are not.
    write(
        &repo,
        "services/tenant-db.toml",
        "id = \"tenant-db\" # \x1b]0;title\x07\n",
    );
    env.isms(&repo)
        .arg("check")
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\x1b]0;").not())
        .stdout(predicate::str::contains("# ␛]0;title␇"));
    write(&repo, "services/tenant-db.toml", "id = \"tenant-db\"\0\n");
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(1)
        .stdout(
            "error[syntax]: invalid TOML: unexpected key or value, expected newline, `#`\n  \
             --> services/tenant-db.toml:1:17\n    |\n  1 | id = \"tenant-db\"␀\n    |                 ^\n  \
             = hint: the file has a control character here, U+0000 (shown as ␀); TOML allows none but tab: delete it\n\n",
        );
}

#[test]
fn a_count_of_one_file_is_said_in_the_singular() {
    let env = Env::new();
    let repo = env.path().join("one");
    std::fs::create_dir(&repo).unwrap();
    env.git(&repo, &["init", "-q"]);
    write(&repo, "isms.toml", "x\n");
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(1)
        .stderr("1 error, 0 warnings (checked 1 file)\n");
    env.git(&repo, &["add", "isms.toml"]);
    env.isms(&repo)
        .args(["check", "--staged"])
        .assert()
        .code(1)
        .stderr("1 error, 0 warnings (checked 1 staged file)\n");
}

#[test]
fn colour_only_when_forced_and_never_with_no_color() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_file(repo.join("responsibilities/tenant-db/CLD.9.5.1.toml")).unwrap();
    let plain = env.isms(&repo).arg("check").output().unwrap();
    assert!(
        !plain.stdout.contains(&0x1b),
        "no colour when not a terminal"
    );
    let forced = env
        .isms(&repo)
        .arg("check")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b), "colour when forced");
    let no_color = env
        .isms(&repo)
        .arg("check")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b), "NO_COLOR wins");
    assert!(!no_color.stderr.contains(&0x1b));
}

// ---- --staged: the index, not the working tree ----

fn staged(env: &Env, repo: &std::path::Path) -> (Option<i32>, String) {
    env.check(repo, &["--staged"])
}

#[test]
fn staged_an_unstaged_fix_does_not_hide_a_staged_error() {
    let env = Env::new();
    let repo = env.example("repo");
    let path = "responsibilities/tenant-db/CLD.6.3.1.toml";
    let good = read(&repo, path);
    write(
        &repo,
        path,
        good.replace("party = \"shared\"", "party = \"sharde\""),
    );
    env.git(&repo, &["add", path]);
    write(&repo, path, &good);
    assert_eq!(
        staged(&env, &repo),
        (
            Some(1),
            "responsibilities/tenant-db/CLD.6.3.1.toml:4:9: error[invalid-value]: `sharde` is not one of: provider, customer, shared, not-applicable\n  = hint: did you mean `shared`?\n".into()
        )
    );
    env.isms(&repo).arg("check").assert().code(0);
}

#[test]
fn staged_an_unstaged_error_does_not_block_a_clean_index() {
    let env = Env::new();
    let repo = env.example("repo");
    write(&repo, "services/tenant-db.toml", "broken = \n");
    std::fs::remove_file(repo.join("responsibilities/payments-api/CLD.9.5.1.toml")).unwrap();
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
    env.isms(&repo).arg("check").assert().code(1);
}

#[test]
fn staged_deleting_an_allocation_breaks_the_matrix() {
    let env = Env::new();
    let repo = env.example("repo");
    env.git(
        &repo,
        &["rm", "-q", "responsibilities/payments-api/CLD.9.5.1.toml"],
    );
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert!(
        lines.starts_with("responsibilities/payments-api/CLD.9.5.1.toml: error[matrix-incomplete]"),
        "{lines}"
    );
}

#[test]
fn staged_removing_a_person_is_checked_against_unchanged_files() {
    let env = Env::new();
    let repo = env.example("repo");
    let config = read(&repo, "isms.toml");
    let without_bob = config
        .replace("[people.bob]\nname = \"Bob Okafor\"\nemail = \"bob@example.com\"\ngithub = \"bob-okafor\"\n", "")
        .replace("members = [\"bob\", \"dave\"]", "members = [\"dave\"]");
    assert_ne!(config, without_bob);
    write(&repo, "isms.toml", without_bob);
    env.git(&repo, &["add", "isms.toml"]);
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    // Every unchanged file that names bob is found, not only the changed file.
    assert!(lines.contains("services/payments-api.toml:9:1: error[unknown-reference]: owner `bob` is not a person or team in isms.toml"), "{lines}");
    assert!(lines.contains("controls/5.18.toml"), "{lines}");
    assert!(
        lines.contains(
            "evidence/2026-h2-isolation-test.toml:8:1: error[unknown-reference]: collected_by `bob`"
        ),
        "{lines}"
    );
}

#[test]
fn staged_a_tampered_artifact_is_found_in_the_index() {
    let env = Env::new();
    let repo = env.example("repo");
    let artifact = "evidence/files/2026-10-admin-log-review.md";
    let original = read(&repo, artifact);
    write(&repo, artifact, "rewritten\n");
    env.git(&repo, &["add", artifact]);
    write(&repo, artifact, original);
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert!(lines.contains("evidence/2026-10-admin-log-review.toml:13:1: error[artifact-hash]: evidence/files/2026-10-admin-log-review.md has changed"), "{lines}");
}

#[test]
fn line_endings_git_converts_are_kept_out_of_artifacts_and_named_where_they_were_not() {
    let env = Env::new();
    let repo = env.example("repo");
    env.git(&repo, &["branch", "-M", "main"]);
    // `isms init` keeps evidence artifacts byte for byte: a CSV exported
    // with CRLF, added where git normalises text, is committed as collected.
    env.git(&repo, &["config", "core.autocrlf", "input"]);
    let scan = b"host,finding\r\nweb-1,none\r\n";
    let outside = env.path().join("scan.csv");
    std::fs::write(&outside, scan).unwrap();
    let new = |id: &str, dir: &std::path::Path| {
        env.isms(dir)
            .args(["new", "evidence", id, "--control", "8.8", "--title", "Scan"])
            .arg("--artifact")
            .arg(&outside)
            .assert()
            .success();
    };
    new("2026-11-scan", &repo);
    env.git(&repo, &["add", "-A"]);
    assert_eq!(
        env.git(&repo, &["show", ":evidence/files/scan.csv"])
            .as_bytes(),
        scan
    );
    assert_eq!(env.check(&repo, &["--staged"]).0, Some(0));
    env.git(&repo, &["commit", "-q", "-m", "scan"]);

    // A repository whose attributes normalise every text file, the
    // artifact's line endings included: named as that, with the mend.
    let scan_sha = sha256_hex(scan);
    let lf_sha = sha256_hex(b"host,finding\nweb-1,none\n");
    write(&repo, ".gitattributes", "* text=auto\n");
    env.git(&repo, &["add", ".gitattributes"]);
    env.git(&repo, &["add", "--renormalize", "evidence/files/scan.csv"]);
    let converted = format!(
        "evidence/2026-11-scan.toml:14:1: error[artifact-hash]: evidence/files/scan.csv is the collected file with its line endings changed, CRLF to LF: its sha256 is {lf_sha}, the record says {scan_sha}\n  \
         = hint: git converted them when the file was added (`text` in .gitattributes, or core.autocrlf): keep artifacts byte for byte with `/evidence/files/** -text` in .gitattributes, then add the file again: `git add --renormalize evidence/files/scan.csv`\n"
    );
    assert_eq!(env.check(&repo, &["--staged"]), (Some(1), converted));
    // The mend the hint gives.
    write(
        &repo,
        ".gitattributes",
        "* text=auto\n/evidence/files/** -text\n",
    );
    env.git(&repo, &["add", ".gitattributes"]);
    env.git(&repo, &["add", "--renormalize", "evidence/files/scan.csv"]);
    assert_eq!(env.check(&repo, &["--staged"]), (Some(0), String::new()));
    env.git(&repo, &["commit", "-q", "-m", "attributes"]);

    // Checked out with CRLF (core.autocrlf on Windows) where the attributes
    // do not keep it byte for byte: the other way round.
    env.git(&repo, &["config", "core.autocrlf", "true"]);
    write(&repo, ".gitattributes", "* text=auto\n");
    let review = "evidence/files/2026-10-admin-log-review.md";
    std::fs::remove_file(repo.join(review)).unwrap();
    env.git(&repo, &["checkout", "--", review]);
    assert!(
        read(&repo, review).contains("\r\n"),
        "checked out with CRLF"
    );
    let (code, findings) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert!(
        findings.contains(&format!(
            "error[artifact-hash]: {review} is the collected file with its line endings changed, LF to CRLF: "
        )) && findings.contains(&format!(
            "= hint: git converted them on checkout (core.autocrlf): keep artifacts byte for byte with `/evidence/files/** -text` in .gitattributes, then check the file out again: `git rm --cached -q -- {review} && git checkout HEAD -- {review}`"
        )),
        "{findings}"
    );
    // The mend the hint gives, on an index entry that is not racily clean:
    // git trusts its stat data, so a plain checkout would leave the file.
    let a_minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(repo.join(review))
        .unwrap()
        .set_modified(a_minute_ago)
        .unwrap();
    env.git(&repo, &["update-index", "-q", "--refresh"]);
    env.git(&repo, &["checkout", "--", ".gitattributes"]);
    env.git(&repo, &["rm", "--cached", "-q", "--", review]);
    env.git(&repo, &["checkout", "HEAD", "--", review]);
    assert!(
        !read(&repo, review).contains("\r\n"),
        "checked out byte for byte"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(env.check(&repo, &[]), (Some(0), String::new()));

    // A file that differs in more than its line endings is another file.
    write(
        &repo,
        review,
        format!("{}Signed off later.\n", read(&repo, review)),
    );
    let (_, findings) = env.check(&repo, &[]);
    assert!(
        findings.contains(&format!("{review} has changed")),
        "{findings}"
    );
}

#[test]
fn staged_a_symlinked_artifact_leading_outside_is_refused() {
    let env = Env::new();
    let repo = env.example("repo");
    let artifact = "evidence/files/2026-10-admin-log-review.md";
    std::fs::remove_file(repo.join(artifact)).unwrap();
    std::os::unix::fs::symlink("../../../outside.md", repo.join(artifact)).unwrap();
    env.git(&repo, &["add", artifact]);
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert!(
        lines.contains("leads outside the repository; it was not read"),
        "{lines}"
    );
}

#[test]
fn staged_in_a_repository_without_commits_checks_everything() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    env.git(&repo, &["init", "-q"]);
    env.git(&repo, &["add", "--all"]);
    env.isms(&repo)
        .args(["check", "--staged"])
        .assert()
        .code(0)
        .stderr("checked 256 staged files: no problems\n");
}

#[test]
fn a_toml_file_beside_the_layout_is_named_not_read() {
    let env = Env::new();
    let repo = env.example("demo");
    write(&repo, "service/billing.toml", "id = \"billing\"\n");
    write(&repo, "x.toml", "id = \"x\"\n");
    write(&repo, "Cargo.toml", "[package]\n");
    write(&repo, "docs/notes.toml", "a = 1\n");
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(0), "warnings only: {lines}");
    assert_eq!(
        lines,
        "service/billing.toml: warning[misplaced-file]: file is not read by isms\n  = hint: did you mean services/? isms reads items only from services/ and the other item folders\n\
         x.toml: warning[misplaced-file]: file is not read by isms\n  = hint: isms reads isms.toml and the items in controls/, services/, responsibilities/, evidence/, triggers/ and findings/; move the file into its folder\n"
    );
    // The pre-commit hook sees them too.
    env.git(&repo, &["add", "-A"]);
    let (_, staged) = env.check(&repo, &["--staged"]);
    assert!(
        staged.contains("service/billing.toml: warning[misplaced-file]"),
        "{staged}"
    );
    assert!(
        staged.contains("x.toml: warning[misplaced-file]"),
        "{staged}"
    );
}

#[test]
fn staged_files_remembered_between_checks_are_reported_as_when_first_read() {
    let env = Env::new();
    let repo = env.example("repo");
    let mut controls: Vec<_> = std::fs::read_dir(repo.join("controls"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    controls.sort();
    let path = format!("controls/{}", controls[0]);
    let good = read(&repo, &path);
    let id = controls[0].trim_end_matches(".toml");
    let bad = good.replacen(&format!("id = \"{id}\""), "id = \"9.99\"", 1);
    assert_ne!(bad, good);
    write(&repo, &path, &bad);
    env.git(&repo, &["add", &path]);
    let first = staged(&env, &repo);
    assert_eq!(first.0, Some(1));
    assert!(
        first.1.starts_with(&format!("{path}:")) && first.1.contains("error[id-mismatch]"),
        "{}",
        first.1
    );
    // The second check takes the staged files from `.git/isms/staged.bin`
    // by object id, and says the same, line and column included.
    assert!(repo.join(".git/isms/staged.bin").is_file());
    assert_eq!(staged(&env, &repo), first);
    write(&repo, &path, &good);
    env.git(&repo, &["add", &path]);
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
    write(&repo, &path, &bad);
    env.git(&repo, &["add", &path]);
    assert_eq!(staged(&env, &repo), first);
}

#[test]
fn staged_in_a_sparse_index_git_lists_the_index() {
    let env = Env::new();
    let repo = env.example("repo");
    env.git(
        &repo,
        &["sparse-checkout", "init", "--cone", "--sparse-index"],
    );
    env.git(&repo, &["sparse-checkout", "set", "controls", "services"]);
    assert!(!repo.join("evidence").exists());
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
    write(&repo, "services/tenant-db.toml", "broken = \n");
    env.git(&repo, &["add", "--sparse", "services/tenant-db.toml"]);
    let (code, out) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert!(out.starts_with("services/tenant-db.toml:1:"), "{out}");
}

/// `git merge side`, which must stop on a conflict.
fn merge_side_to_its_conflict(env: &Env, repo: &std::path::Path) {
    let merge = env
        .command("git")
        .current_dir(repo)
        .args(["merge", "side"])
        .output()
        .unwrap();
    assert!(
        !merge.status.success(),
        "the merge should stop on its conflict"
    );
}

#[test]
fn staged_a_file_with_an_unresolved_conflict_is_named_not_taken_for_missing() {
    let env = Env::new();
    let repo = env.example("repo");
    // The example's first commit is on the default branch; name it.
    env.git(&repo, &["branch", "-M", "main"]);
    let file = "controls/5.5.toml";
    let base = read(&repo, file);
    env.conflicting_side_branch(&repo, file);
    merge_side_to_its_conflict(&env, &repo);
    // The one error: no allocation or trigger is said to name a control
    // that does not exist.
    let (code, lines) = staged(&env, &repo);
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        format!(
            "{file}: error[conflict]: file has an unresolved merge conflict: the index holds both sides, and neither is staged to be committed\n  = hint: resolve the conflict, then `git add` the file\n"
        )
    );
    // Resolved and added, it is checked as any staged file.
    write(&repo, file, &base);
    env.git(&repo, &["add", file]);
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
}

#[test]
fn conflict_markers_left_in_a_file_are_named_in_the_tree_and_when_staged() {
    let env = Env::new();
    let repo = env.example("repo");
    env.git(&repo, &["branch", "-M", "main"]);
    // Prose in a multi-line string, where two edits conflict and the
    // markers git writes still leave valid TOML.
    let file = "controls/5.5.toml";
    let one_line = "justification = \"Selected in risk treatment plan RTP-2026: treats risks to tenant data and to the service.\"";
    let original = read(&repo, file);
    let prose = |reason: &str| {
        original.replace(
            one_line,
            &format!("justification = \"\"\"\nSelected in risk treatment plan RTP-2026.\n{reason}\n\"\"\""),
        )
    };
    write(&repo, file, prose("Treats risks to tenant data."));
    env.git(&repo, &["commit", "-q", "--no-verify", "-am", "prose"]);
    let resolved = read(&repo, file);
    env.git(&repo, &["checkout", "-q", "-b", "side"]);
    write(&repo, file, prose("Treats risks to tenant data and keys."));
    env.git(&repo, &["commit", "-q", "--no-verify", "-am", "side"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    write(&repo, file, prose("Treats risks to tenant data and logs."));
    env.git(&repo, &["commit", "-q", "--no-verify", "-am", "main"]);
    merge_side_to_its_conflict(&env, &repo);
    let marker = read(&repo, file)
        .lines()
        .position(|l| l.starts_with("<<<<<<< "))
        .expect("git wrote its markers")
        + 1;
    let named = format!(
        "{file}:{marker}:1: error[conflict]: file has an unresolved merge conflict: git's conflict markers are still in it\n  = hint: keep the side you want (or both, merged), delete the marker lines (`<<<<<<<`, `=======`, `>>>>>>>`), then `git add` the file\n"
    );
    assert_eq!(env.check(&repo, &[]), (Some(1), named.clone()));
    // `git add` takes the markers for a resolution: the pre-commit check
    // does not.
    env.git(&repo, &["add", file]);
    assert_eq!(staged(&env, &repo), (Some(1), named));
    // Nothing answers from a record it cannot read.
    let stale = env.isms(&repo).arg("stale").output().unwrap();
    assert_eq!(stale.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {file}:{marker}: file has an unresolved merge conflict"
        )),
        "{stderr}"
    );
    // Resolved, it is checked as any file.
    write(&repo, file, &resolved);
    env.git(&repo, &["add", file]);
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
    assert_eq!(env.check(&repo, &[]), (Some(0), String::new()));
}

#[test]
fn check_rev_checks_a_commit_as_committed_whatever_the_working_tree_holds() {
    let env = Env::new();
    let repo = env.example("repo");
    let file = "services/tenant-db.toml";
    let sound = read(&repo, file);
    let head = env.git(&repo, &["rev-parse", "HEAD"]);
    let head = head.trim();
    // Uncommitted breakage is not the commit's.
    write(&repo, file, format!("{sound}oops\n"));
    env.isms(&repo)
        .args(["check", "--rev", "HEAD"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(format!(
            "checked 256 files of commit {}: no problems\n",
            &head[..10]
        ));
    assert_eq!(
        env.check(&repo, &[]).0,
        Some(1),
        "the working tree is broken"
    );
    // Committed breakage is, though the working tree is mended since.
    env.git(&repo, &["commit", "-q", "-am", "broken"]);
    write(&repo, file, &sound);
    let (code, findings) = env.check(&repo, &["--rev", "HEAD"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        findings,
        format!("{file}:11:5: error[syntax]: invalid TOML: key with no value, expected `=`\n"),
        "named as committed"
    );
    assert_eq!(env.check(&repo, &[]).0, Some(0));
    // JSON says which commit it read.
    let out = env
        .isms(&repo)
        .args(["check", "--rev", "HEAD~1", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["source"], "commit");
    assert_eq!(doc["commit"], head);
    assert_eq!(doc["errors"], 0);
    // A name that is no commit cannot be checked.
    env.isms(&repo)
        .args(["check", "--rev", "no-such-branch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "could not read the commit `no-such-branch`",
        ));
}

#[test]
fn a_file_among_the_artifacts_that_no_record_names_is_a_warning_until_one_does() {
    let env = Env::new();
    let repo = env.example("repo");
    // Collected into the folder, not yet recorded; beside it, what git
    // ignores (an office program's lock file), which no commit would hold.
    write(&repo, "evidence/files/q4/access-review.csv", "user,role\n");
    write(&repo, "evidence/files/q4/~$access-review.csv", "lock");
    write(&repo, ".gitignore", "~$*\n");
    env.git(&repo, &["add", ".gitignore"]);
    env.git(
        &repo,
        &["commit", "-qm", "office lock files are not the record"],
    );
    let warning = "evidence/files/q4/access-review.csv: warning[artifact-unrecorded]: \
        no evidence record names this file, so no report, export or pack includes it\n  \
        = hint: record it (`isms new evidence --artifact evidence/files/q4/access-review.csv`, \
        or path = \"files/q4/access-review.csv\" in a record's [[artifacts]]), or remove it: \
        git keeps it in history\n";
    assert_eq!(env.check(&repo, &[]), (Some(0), warning.to_owned()));
    // A commit's check judges the commit's files; a staged check, which
    // reads only the records a commit changes, does not judge the folder.
    env.git(&repo, &["add", "evidence/files"]);
    assert_eq!(staged(&env, &repo), (Some(0), String::new()));
    env.git(&repo, &["commit", "-q", "-m", "q4 access review"]);
    assert_eq!(
        env.check(&repo, &["--rev", "HEAD"]),
        (Some(0), warning.to_owned())
    );
    assert_eq!(
        env.check(&repo, &["--rev", "HEAD~1"]),
        (Some(0), String::new())
    );
    // Recorded: nothing to say.
    env.isms(&repo)
        .args([
            "new",
            "evidence",
            "--control",
            "5.18",
            "--title",
            "Q4 access review",
            "--artifact",
            "evidence/files/q4/access-review.csv",
        ])
        .assert()
        .success();
    assert_eq!(env.check(&repo, &[]), (Some(0), String::new()));
}

#[test]
fn a_person_written_by_name_email_or_login_is_told_the_key_to_write() {
    let env = Env::new();
    let repo = env.example("demo");
    let set = |file: &str, field: &str, value: &str| {
        let text = read(&repo, file);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{field} = ")))
            .unwrap();
        write(
            &repo,
            file,
            text.replace(line, &format!("{field} = \"{value}\"")),
        );
    };
    set("controls/5.35.toml", "owner", "Alice Ng");
    set("controls/5.18.toml", "owner", "bob-okafor");
    set("services/tenant-db.toml", "owner", "Platform engineering");
    set(
        "evidence/2026-10-admin-log-review.toml",
        "collected_by",
        "dave@example.com",
    );
    let (code, stdout, _) = env.run(&repo, &["check"]);
    assert_eq!(code, Some(1), "{stdout}");
    for hint in [
        "`Alice Ng` is the name of `alice` in isms.toml: write the key, `alice`",
        "`bob-okafor` is the GitHub login of `bob` in isms.toml: write the key, `bob`",
        "`Platform engineering` is the name of `platform` in isms.toml: write the key, `platform`",
        "`dave@example.com` is the email of `dave` in isms.toml: write the key, `dave`",
    ] {
        assert!(
            stdout.contains(&format!("= hint: {hint}\n")),
            "{hint}\n{stdout}"
        );
    }
    // A person's field does not take a team, whatever it is called.
    set(
        "evidence/2026-10-admin-log-review.toml",
        "collected_by",
        "Platform engineering",
    );
    let (_, stdout, _) = env.run(&repo, &["check", "evidence/"]);
    assert!(!stdout.contains("hint: `Platform engineering`"), "{stdout}");
}
