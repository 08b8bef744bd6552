//! `isms init`: the scaffold a new user starts from.

mod common;

use common::{Env, read, sha256_hex};
use predicates::prelude::*;

#[test]
fn init_creates_the_layout_commits_it_and_passes_check() {
    let env = Env::new();
    env.isms(env.path())
        .args(["init", "acme", "--org", "Acme Cloud", "--role", "provider"])
        .assert()
        .success()
        .stdout("")
        .stderr("created a compliance repository in acme with 100 controls (ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015), 6 triggers\nnext: isms -C acme check\n");
    let repo = env.path().join("acme");
    for path in [
        "isms.toml",
        "README.md",
        ".gitattributes",
        "controls/CLD.9.5.1.toml",
        "controls/5.1.toml",
        "controls/8.34.toml",
        "triggers/region-added.toml",
        "triggers/service-added.toml",
        "triggers/region-removed.toml",
        "triggers/model-changed.toml",
        "triggers/provider-changed.toml",
        "triggers/data-category-added.toml",
        ".isms/schemas/allocation.json",
        ".github/workflows/isms-check.yml",
        ".github/CODEOWNERS",
        "services/.gitkeep",
        "responsibilities/.gitkeep",
        "evidence/files/.gitkeep",
        "findings/.gitkeep",
    ] {
        assert!(repo.join(path).is_file(), "{path}");
    }
    let config = read(&repo, "isms.toml");
    assert!(
        config.contains("name = \"Acme Cloud\"\nrole = \"provider\"             # provider"),
        "{config}"
    );
    // Whatever the values, the comments after them line up.
    let columns: std::collections::BTreeSet<usize> = (config.lines())
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.find("  #").map(|at| at + l[at..].find('#').unwrap()))
        .collect();
    assert_eq!(columns.len(), 1, "{config}");
    // The git identity becomes the first person, so fresh repositories have an owner.
    assert!(
        config.contains("[people.isms-owner]\nname = \"Alice Ng\"\nemail = \"alice@example.com\""),
        "{config}"
    );
    assert_eq!(
        env.git(&repo, &["log", "--format=%s"]),
        "Initialise compliance repository\n"
    );
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        "",
        "everything is committed"
    );
    assert!(config.contains("[catalog]\nedition = \"2022\""), "{config}");
    assert!(read(&repo, "README.md").contains(
        "Acme Cloud's record of its cloud security controls under\n\
         ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015,"
    ));
    // Every applicable control still needs the reason it is included: a
    // warning per control, so the scaffold is committable.
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(doc["errors"], 0);
    assert_eq!(findings.len(), 100);
    assert!(findings.iter().all(|f| f["rule"] == "soa-justification"));
}

#[test]
fn init_edition_2013_keeps_the_legacy_catalog() {
    let env = Env::new();
    env.isms(env.path())
        .args(["init", "old", "--edition", "2013"])
        .assert()
        .success()
        .stderr("created a compliance repository in old with 121 controls (ISO/IEC 27002:2013 with ISO/IEC 27017:2015), 6 triggers\nnext: isms -C old check\n");
    let repo = env.path().join("old");
    assert!(repo.join("controls/18.2.3.toml").is_file());
    assert!(!repo.join("controls/5.15.toml").exists());
    assert!(read(&repo, "isms.toml").contains("[catalog]\nedition = \"2013\""));
    // The repository's README names the catalog it holds.
    assert!(
        read(&repo, "README.md")
            .contains("controls under\nISO/IEC 27002:2013 with ISO/IEC 27017:2015,")
    );
    assert!(
        read(&repo, "triggers/region-added.toml")
            .contains("reassess = [\"CLD.6.3.1\", \"6.1.3\", \"18.1.1\", \"18.1.4\"]")
    );
    // A 2022 repository's triggers name the 2022 controls.
    env.isms(env.path())
        .args(["init", "new"])
        .assert()
        .success();
    assert!(
        read(&env.path().join("new"), "triggers/region-added.toml")
            .contains("reassess = [\"CLD.6.3.1\", \"5.5\", \"5.31\", \"5.34\"]")
    );
    env.isms(env.path())
        .args(["init", "bad", "--edition", "2019"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[possible values: 2013, 2022]"));
    assert!(!env.path().join("bad").exists());
}

#[test]
fn control_files_carry_catalog_facts_and_a_schema_header() {
    let env = Env::new();
    env.isms(env.path()).args(["init", "r"]).assert().success();
    let control = read(&env.path().join("r"), "controls/CLD.9.5.1.toml");
    assert_eq!(
        control,
        r#"#:schema ../.isms/schemas/control.json
id = "CLD.9.5.1"
title = "Segregation in virtual computing environments"
framework = "ISO/IEC 27017:2015"
summary = "Keep each tenant's virtual environment isolated from other tenants and from the provider's own systems."
guidance_for = ["provider"]
maps_to = { "ISO/IEC 27002:2022" = ["8.22"] }
owner = "isms-owner"
matrix = true               # true: each in-scope service needs an allocation
default_party = { iaas = "provider", paas = "provider", saas = "provider" }

[soa]
applicable = true
justification = ""
status = "planned"        # planned | partial | implemented | not-applicable
"#
    );
}

#[test]
fn a_first_commit_git_cannot_sign_is_named_with_gits_reason() {
    let env = Env::new();
    env.isms(env.path())
        .args(["init", "signed"])
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "commit.gpgSign")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GIT_CONFIG_KEY_1", "gpg.program")
        .env("GIT_CONFIG_VALUE_1", "false")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gpg failed to sign the data"))
        .stderr(predicate::str::ends_with(
            "  hint: put right what git says, then run `git -C signed add --all && git -C signed commit`\n",
        ));
}

#[test]
fn without_org_or_identity_the_placeholders_are_warnings_not_errors() {
    let env = Env::new();
    let out = env
        .isms(env.path())
        .args(["init", "r"])
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env("GIT_COMMITTER_NAME", "ci")
        .output()
        .unwrap();
    // Without an author identity git cannot commit: say so, keep the files.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("created the files in r, but could not commit them"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "  hint: set git's user.name and user.email, then run `git -C r add --all && git -C r commit`\n"
        ),
        "{stderr}"
    );
    let repo = env.path().join("r");
    let config = read(&repo, "isms.toml");
    assert!(config.contains("name = \"TODO: your name\""), "{config}");
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning[placeholder]: `name` is still a TODO placeholder",
        ))
        .stderr("0 errors, 103 warnings (checked 107 files)\n");
}

#[test]
fn init_refuses_a_non_empty_directory_and_touches_nothing() {
    let env = Env::new();
    let dir = env.path().join("busy");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    env.isms(env.path())
        .args(["init", "busy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "busy is not empty (it has notes.txt); isms init needs an empty directory",
        ));
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["notes.txt"]);
}

#[test]
fn init_uses_an_existing_empty_repository_and_its_branch() {
    let env = Env::new();
    let dir = env.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "-b", "record"]);
    env.isms(&dir).arg("init").assert().success();
    assert!(read(&dir, "isms.toml").contains("branch = \"record\""));
    assert_eq!(env.git(&dir, &["rev-list", "--count", "HEAD"]), "1\n");
}

#[test]
fn init_with_c_and_default_directory() {
    let env = Env::new();
    let dir = env.path().join("here");
    std::fs::create_dir(&dir).unwrap();
    env.isms(env.path())
        .args(["-C", "here", "init"])
        .assert()
        .success();
    assert!(dir.join("isms.toml").is_file());
}

#[test]
fn the_example_has_people_services_allocations_evidence_and_a_finding() {
    let env = Env::new();
    env.isms(env.path())
        .args(["init", "--example", "demo"])
        .assert()
        .success()
        .stderr("created a compliance repository in demo with 100 controls (ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015), 6 triggers, 3 services, 141 allocations, 4 evidence records, 1 finding\nnext: isms -C demo check\n");
    let repo = env.path().join("demo");
    let models: Vec<String> = ["payments-api", "tenant-db", "northwind-compute"]
        .iter()
        .map(|s| {
            let t = read(&repo, &format!("services/{s}.toml"));
            let line = |k: &str| t.lines().find(|l| l.starts_with(k)).unwrap().to_owned();
            format!("{} {}", line("role"), line("model"))
        })
        .collect();
    assert_eq!(models.len(), 3);
    assert!(
        models
            .iter()
            .any(|m| m.contains("\"customer\"") && m.contains("\"iaas\"")),
        "{models:?}"
    );
    assert!(
        models
            .iter()
            .any(|m| m.contains("\"provider\"") && m.contains("\"saas\"")),
        "{models:?}"
    );
    assert!(models.iter().any(|m| m.contains("\"paas\"")), "{models:?}");
    // Artifacts are real files whose hashes the records carry.
    let artifact = std::fs::read(repo.join("evidence/files/2026-10-admin-log-review.md")).unwrap();
    let hash = sha256_hex(&artifact);
    assert!(read(&repo, "evidence/2026-10-admin-log-review.toml").contains(&hash));
    assert!(read(&repo, "findings/2026-003.toml").contains("status = \"open\""));
    // Defaults by model: guest OS hardening is the customer's on IaaS, the provider's on PaaS.
    assert!(
        read(&repo, "responsibilities/tenant-db/CLD.9.5.2.toml").contains("party = \"provider\"")
    );
    assert!(
        read(&repo, "responsibilities/northwind-compute/8.15.toml").contains("party = \"shared\"")
    );
}

#[test]
fn the_example_refuses_options_it_would_ignore() {
    let env = Env::new();
    env.isms(env.path())
        .args([
            "init",
            "--example",
            "--role",
            "customer",
            "--org",
            "Acme",
            "demo",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the argument '--example' cannot be used with",
        ))
        .stderr(predicates::str::contains("--role <ROLE>"))
        .stderr(predicates::str::contains("--org <NAME>"));
    assert!(!env.path().join("demo").exists(), "nothing was created");
}

#[test]
fn an_organisation_name_must_be_one_line_of_text() {
    let env = Env::new();
    for (org, expected) in [
        (
            "Acme\nCorp",
            "expected one line of text, found a line break",
        ),
        ("  ", "expected one line of text, found nothing"),
        (
            "Acme\u{7}",
            "expected one line of text, found the control character U+0007",
        ),
    ] {
        env.isms(env.path())
            .args(["init", "--org", org, "demo"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected))
            .stderr(predicate::str::contains("'--org <NAME>'"));
        assert!(!env.path().join("demo").exists(), "nothing was created");
    }
    env.isms(env.path())
        .args(["init", "--org", "Acme — Zürich", "demo"])
        .assert()
        .success();
    assert!(read(&env.path().join("demo"), "README.md").starts_with("# Acme — Zürich — "));
}

#[test]
fn init_inside_another_repository_makes_one_of_its_own_and_says_so() {
    let env = Env::new();
    let outer = env.path().join("mono");
    std::fs::create_dir(&outer).unwrap();
    env.git(&outer, &["init", "-q", "-b", "main"]);
    std::fs::write(outer.join("main.rs"), "fn main() {}\n").unwrap();
    env.git(&outer, &["add", "main.rs"]);
    env.git(&outer, &["commit", "-q", "-m", "code"]);
    let head = env.git(&outer, &["rev-parse", "HEAD"]);
    let outer = outer.canonicalize().unwrap();
    env.isms(&outer)
        .args(["init", "compliance"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "\nit is a git repository of its own, inside the work tree of {}, which does not track its files\nnext: isms -C compliance check\n",
            outer.display()
        )));
    let inner = outer.join("compliance");
    assert_eq!(
        env.git(&inner, &["rev-parse", "--show-toplevel"]).trim(),
        inner.display().to_string()
    );
    assert_eq!(env.git(&inner, &["rev-list", "--count", "HEAD"]), "1\n");
    // The other repository is as it was.
    assert_eq!(env.git(&outer, &["rev-parse", "HEAD"]), head);
    assert_eq!(
        env.git(&outer, &["status", "--porcelain"]),
        "?? compliance/\n"
    );
}

/// The repository's README tells an owner how to record a review, and
/// following it (a branch of its own, merged into the record branch the
/// README names) lands the review.
#[test]
fn the_readme_shows_owners_how_a_review_lands_and_following_it_lands_one() {
    let env = Env::new();
    let dir = env.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    env.git(&dir, &["init", "-q", "-b", "record"]);
    env.isms(&dir)
        .args(["init", "--example"])
        .assert()
        .success();
    let readme = read(&dir, "README.md");
    assert!(
        readme.contains("isms review ITEM --note \"what you checked\""),
        "{readme}"
    );
    assert!(readme.contains("isms stale --owner @me --all "), "{readme}");
    assert!(
        readme.contains("A review counts once its commit lands on `record`:"),
        "{readme}"
    );
    assert!(
        readme.contains("(`git switch -c review/NAME` first)"),
        "{readme}"
    );

    env.git(&dir, &["switch", "-q", "-c", "review/access"]);
    env.isms(&dir)
        .args(["review", "control:5.15", "--note", "what you checked"])
        .assert()
        .success();
    env.isms(&dir)
        .args(["log", "control:5.15"])
        .assert()
        .success()
        .stdout(predicate::str::contains("what you checked").not());
    env.git(&dir, &["switch", "-q", "record"]);
    env.git(
        &dir,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge review/access",
            "review/access",
        ],
    );
    env.isms(&dir)
        .args(["log", "control:5.15"])
        .assert()
        .success()
        .stdout(predicate::str::contains("what you checked"));
}
