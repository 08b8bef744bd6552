//! `isms reassign FROM TO [PATH…]` end to end: someone leaves, and their
//! items move to another owner, file by file, nothing else changed.

mod common;

use std::path::Path;

use common::{Env, read, write};

/// The item files with a line `owner = "WHO"`, with or without a comment
/// after it, read as a person reads them.
fn owned(repo: &Path, who: &str) -> Vec<String> {
    let mut found = Vec::new();
    for dir in ["controls", "services", "responsibilities", "findings"] {
        for entry in walk(&repo.join(dir)) {
            let text = std::fs::read_to_string(&entry).unwrap();
            let owner = format!("owner = \"{who}\"");
            if text.lines().any(|l| l.starts_with(&owner)) {
                let rel = entry.strip_prefix(repo).unwrap();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        match path.is_dir() {
            true => out.extend(walk(&path)),
            false => out.push(path),
        }
    }
    out
}

#[test]
fn every_item_an_owner_has_moves_to_another_and_nothing_else_changes() {
    let env = Env::new();
    let repo = env.example("demo");
    let bobs = owned(&repo, "bob");
    assert_eq!(bobs.len(), 58, "the example's items of bob");
    let evidence = read(&repo, "evidence/2026-q3-vulnerability-scan.toml");

    let out = env
        .isms(&repo)
        .args(["reassign", "bob", "carol"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "reassigned 58 items from bob (Bob Okafor) to carol (Carol Diaz): \
         10 controls, 1 service, 47 allocations\n\
         updated .github/CODEOWNERS\n\
         note: bob stays the collector of 1 evidence record: who collected a record is a fact, not a duty\n\
         note: bob is still a member of team `platform` in isms.toml\n\
         next: review the change with `isms diff --uncommitted`, then commit it\n"
    );
    assert_eq!(owned(&repo, "bob"), Vec::<String>::new());
    let carols = owned(&repo, "carol");
    assert!(bobs.iter().all(|f| carols.contains(f)), "{carols:?}");
    // One line each, the owner's, and CODEOWNERS: nothing else.
    let numstat = env.git(&repo, &["diff", "--numstat"]);
    let changed: Vec<&str> = numstat.lines().collect();
    assert_eq!(changed.len(), 59, "{numstat}");
    for line in changed
        .iter()
        .filter(|l| !l.ends_with(".github/CODEOWNERS"))
    {
        assert!(line.starts_with("1\t1\t"), "{line}");
    }
    let service = read(&repo, "services/payments-api.toml");
    assert!(service.contains("owner = \"carol\""), "{service}");
    assert!(
        read(&repo, ".github/CODEOWNERS").contains("/services/payments-api.toml @carol-diaz\n")
    );
    // A record's collector is a fact of the record: kept.
    assert_eq!(
        read(&repo, "evidence/2026-q3-vulnerability-scan.toml"),
        evidence
    );
    env.isms(&repo).arg("check").assert().code(0);
    // A second run finds nothing left: said, and nothing written.
    env.isms(&repo)
        .args(["reassign", "bob", "carol"])
        .assert()
        .code(0)
        .stderr(
            "nothing to reassign: bob (Bob Okafor) owns no control, service, allocation or finding\n",
        );
}

#[test]
fn a_dry_run_lists_the_items_and_a_path_narrows_them() {
    let env = Env::new();
    let repo = env.example("demo");
    let out = env
        .isms(&repo)
        .args(["reassign", "platform", "dave", "--dry-run", "controls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("control:")), "{stdout}");
    assert!(
        (lines.iter()).any(|l| l
            .split_whitespace()
            .eq(["control:8.15", "controls/8.15.toml"])),
        "{stdout}"
    );
    // In reading order: 5.14 before 5.37, 7.2 before 7.11.
    let at = |key: &str| (lines.iter().position(|l| l.starts_with(&format!("{key} ")))).expect(key);
    assert!(at("control:7.2") < at("control:7.11"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        format!(
            "would reassign {n} items from platform (Platform engineering) to dave (Dave Lindqvist): \
             {n} controls; nothing was written\n",
            n = lines.len()
        )
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    // A service's folder of allocations, written.
    env.isms(&repo)
        .args([
            "reassign",
            "platform",
            "dave",
            "responsibilities/tenant-db/",
        ])
        .assert()
        .code(0);
    let status = env.git(&repo, &["status", "--porcelain"]);
    assert!(
        status.lines().all(
            |l| l.starts_with(" M responsibilities/tenant-db/") || l == " M .github/CODEOWNERS"
        ),
        "{status}"
    );
    assert!(
        owned(&repo, "platform")
            .iter()
            .all(|f| !f.starts_with("responsibilities/tenant-db/"))
    );
    assert!(!owned(&repo, "platform").is_empty(), "its controls stay");
}

#[test]
fn uncommitted_edits_of_a_file_are_kept_and_a_departed_key_can_still_be_moved() {
    let env = Env::new();
    let repo = env.example("demo");
    // An edit not yet committed, in a file whose owner moves.
    let file = "services/payments-api.toml";
    let edited = read(&repo, file).replace("owner = \"bob\"", "owner = \"bob\"  # until March");
    write(&repo, file, format!("{edited}# reviewed with the team\n"));
    // bob left and was removed from isms.toml first: his items still name him.
    let config = read(&repo, "isms.toml");
    let without_bob = config.replace(
        "[people.bob]\nname = \"Bob Okafor\"\nemail = \"bob@example.com\"\ngithub = \"bob-okafor\"\n\n",
        "",
    );
    assert_ne!(without_bob, config);
    write(
        &repo,
        "isms.toml",
        without_bob.replace("members = [\"bob\", \"dave\"]", "members = [\"dave\"]"),
    );
    env.isms(&repo)
        .args(["reassign", "bob", "@me"])
        .env("GIT_AUTHOR_EMAIL", "carol@example.com")
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "reassigned 58 items from bob to carol (Carol Diaz): 10 controls, 1 service, 47 allocations\n\
             warning: .github/CODEOWNERS does not follow the owners (edited, or not refreshed), \
             so the new owner's lines were not written to it; `isms codeowners` brings it up to date\n\
             note: bob stays the collector of 1 evidence record: who collected a record is a fact, \
             not a duty, so isms.toml must keep [people.bob]\n",
        ));
    assert_eq!(
        read(&repo, file),
        format!(
            "{}# reviewed with the team\n",
            edited.replace("owner = \"bob\"", "owner = \"carol\"")
        )
    );
    // What is left is the record's collector, as the note said.
    let (code, said) = env.check(&repo, &[]);
    assert_eq!(code, Some(1));
    assert!(
        said.contains("error[unknown-reference]: collected_by `bob` is not a person in isms.toml"),
        "{said}"
    );
    assert_eq!(said.matches("error[").count(), 1, "{said}");
}

#[test]
fn a_wrong_owner_is_refused_with_what_it_may_mean_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("demo");
    for (args, said) in [
        (
            &["reassign", "bob", "carla"][..],
            "error: `carla` is not a person or team in isms.toml\n  hint: did you mean `carol`?\n",
        ),
        (
            &["reassign", "bobb", "carol"],
            "error: `bobb` is not a person or team in isms.toml\n  hint: did you mean `bob`?\n",
        ),
        (
            &["reassign", "bob", "bob-okafor"],
            "error: FROM and TO both name `bob`: there is nothing to move\n",
        ),
        (
            &["reassign", "bob", "carol", "nowhere/"],
            "error: nowhere/: no such file or folder\n",
        ),
    ] {
        env.isms(&repo).args(args).assert().code(2).stderr(said);
    }
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}
