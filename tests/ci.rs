//! The generated GitHub Actions workflows: written by `init`, refreshed by
//! `isms ci install`, and accepted by actionlint.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Env, read, run_tool, write};

const WORKFLOWS: [&str; 4] = [
    ".github/workflows/isms-check.yml",
    ".github/workflows/isms-stale.yml",
    ".github/workflows/isms-triggers.yml",
    ".github/workflows/isms-approvals.yml",
];

/// actionlint, from ACTIONLINT or PATH (`.ci/test` installs it).
fn actionlint(files: &[&Path]) -> (bool, String) {
    let program = std::env::var("ACTIONLINT").unwrap_or_else(|_| "actionlint".into());
    run_tool(Command::new(&program).args(files), "actionlint")
}

#[test]
fn init_writes_four_workflows_that_actionlint_accepts() {
    let env = Env::new();
    let repo = env.example("demo");
    let branch = env.git(&repo, &["symbolic-ref", "--short", "HEAD"]);
    let paths: Vec<_> = WORKFLOWS.iter().map(|w| repo.join(w)).collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let (ok, report) = actionlint(&refs);
    assert!(ok, "{report}");
    let check = read(&repo, WORKFLOWS[0]);
    assert!(check.contains("command: check --format github"));
    assert!(check.contains("contents: read"), "least privilege");
    // A merge queue that requires the check runs it on what it would land;
    // the pull request's summary is for pull requests alone (a merge
    // group has no base_ref).
    assert!(
        check.contains("on:\n  pull_request:\n  merge_group:\n"),
        "{check}"
    );
    assert!(
        check.contains(
            "      - name: What the pull request changes\n        if: always() && github.event_name == 'pull_request'\n"
        ),
        "{check}"
    );
    // And the reassessments merging it will ask for, before it is merged.
    assert!(
        check.contains(
            "        run: isms triggers detect --from \"origin/$BASE\" --to HEAD --format github\n"
        ),
        "{check}"
    );
    let triggers = read(&repo, WORKFLOWS[2]);
    assert!(triggers.contains(&format!("branches: [{}]", branch.trim())));
    assert!(triggers.contains(
        "command: triggers detect --from ${{ github.event.before }} --to ${{ github.sha }} --open-pr --format github"
    ));
    // The jobs that read the review history keep its cache between runs;
    // a restored cache is checked before use, so any earlier one will do.
    for w in &WORKFLOWS[1..] {
        let text = read(&repo, w);
        assert!(
            text.contains(
                "        uses: actions/cache@v6\n        with:\n          path: .git/isms\n          key: isms-${{ runner.os }}-${{ github.ref_name }}-${{ github.sha }}\n          restore-keys: |\n            isms-${{ runner.os }}-${{ github.ref_name }}-\n"
            ),
            "{w}: {text}"
        );
    }
    assert!(
        !read(&repo, WORKFLOWS[0]).contains("actions/cache"),
        "check reads no history"
    );
    // Each runs the isms that wrote it, not an older release that may not
    // read this version's files.
    let uses = format!("uses: isms-dev/isms@v{}\n", env!("CARGO_PKG_VERSION"));
    for w in &WORKFLOWS {
        assert!(read(&repo, w).contains(&uses), "{w} does not say {uses}");
    }
    // GitHub's runners no longer carry Node.js 20, which checkout@v4 runs
    // on: every run would carry a deprecation warning.
    for w in &WORKFLOWS {
        let text = read(&repo, w);
        assert!(
            text.contains("      - uses: actions/checkout@v7\n"),
            "{w}: {text}"
        );
        assert!(!text.contains("@v4"), "{w}: {text}");
    }
    let approvals = read(&repo, WORKFLOWS[3]);
    assert!(approvals.contains(&format!("branches: [{}]", branch.trim())));
    assert!(approvals.contains("command: approvals record\n"));
    assert!(approvals.contains("contents: write\n  pull-requests: read\n"));
    assert!(
        approvals.contains("fetch-depth: 0"),
        "the whole record is read"
    );
    let stale = read(&repo, WORKFLOWS[1]);
    assert!(stale.contains("command: stale --open-prs"));
    assert!(
        stale.contains("fetch-depth: 0"),
        "the record needs the whole history"
    );
}

#[test]
fn check_names_a_workflow_that_runs_an_earlier_isms_until_ci_install_moves_it() {
    let env = Env::new();
    let repo = env.example("demo");
    let check = |args: &[&str]| env.isms(&repo).arg("check").args(args).output().unwrap();
    let clean = || {
        assert_eq!(
            String::from_utf8_lossy(&check(&[]).stderr),
            "checked 256 files: no problems\n"
        )
    };
    clean();

    // Workflows as an earlier isms wrote them: each is named at the line
    // that runs that release.
    env.isms(&repo)
        .args(["ci", "install", "--action", "isms-dev/isms@v0.1.0"])
        .assert()
        .success();
    let out = check(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "a warning");
    let v = env!("CARGO_PKG_VERSION");
    let expected: String = WORKFLOWS
        .iter()
        .map(|w| {
            let line = read(&repo, w)
                .lines()
                .position(|l| l.ends_with("uses: isms-dev/isms@v0.1.0"))
                .unwrap()
                + 1;
            format!(
                "{w}:{line}:1: warning[workflow-stale]: this workflow runs isms 0.1.0 (`isms-dev/isms@v0.1.0`), an earlier release than this isms, {v}\n  \
                 = hint: run `isms ci install` to have it run `isms-dev/isms@v{v}`, and commit the result\n"
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(common::findings_as_lines(&out.stdout), expected);
    env.isms(&repo).args(["ci", "install"]).assert().success();
    clean();

    // A workflow someone edited is theirs, and an action of one's own is
    // kept as chosen: neither is judged.
    env.isms(&repo)
        .args(["ci", "install", "--action", "isms-dev/isms@v0.1.0"])
        .assert()
        .success();
    let edited = read(&repo, WORKFLOWS[1]).replace("17 6 * * 1-5", "0 5 * * *");
    write(&repo, WORKFLOWS[1], &edited);
    let lines = common::findings_as_lines(&check(&["--format", "json"]).stdout);
    assert!(!lines.contains("isms-stale.yml"), "{lines}");
    assert_eq!(lines.matches("[workflow-stale]").count(), 3, "{lines}");
    write(
        &repo,
        WORKFLOWS[1],
        read(&repo, WORKFLOWS[1]).replace("0 5 * * *", "17 6 * * 1-5"),
    );
    env.isms(&repo)
        .args(["ci", "install", "--action", "acme/isms@v0.1.0"])
        .assert()
        .success();
    clean();
}

#[test]
fn actionlint_is_not_a_rubber_stamp() {
    let env = Env::new();
    let bad = env.path().join("bad.yml");
    std::fs::write(
        &bad,
        "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n",
    )
    .unwrap();
    let (ok, report) = actionlint(&[&bad]);
    assert!(!ok, "{report}");
}

#[test]
fn ci_install_refreshes_its_own_files_and_never_an_edited_one() {
    let env = Env::new();
    let repo = env.example("demo");
    env.isms(&repo)
        .args(["ci", "install"])
        .assert()
        .success()
        .stderr("the workflows are up to date\n");

    env.isms(&repo)
        .args(["ci", "install", "--action", "acme/isms@v2"])
        .assert()
        .success()
        .stderr(predicates::str::starts_with("wrote 4 workflows: "));
    assert!(read(&repo, WORKFLOWS[0]).contains("uses: acme/isms@v2\n"));

    let edited = read(&repo, WORKFLOWS[1]).replace("17 6 * * 1-5", "0 5 * * *");
    write(&repo, WORKFLOWS[1], &edited);
    env.isms(&repo)
        .args(["ci", "install"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: .github/workflows/isms-stale.yml was edited since isms generated it (or not generated by isms); nothing was changed\n",
        ));
    assert_eq!(read(&repo, WORKFLOWS[1]), edited);
    assert!(
        read(&repo, WORKFLOWS[0]).contains("uses: acme/isms@v2\n"),
        "nothing was changed"
    );

    // --force never replaces an edit git does not have.
    env.isms(&repo)
        .args(["ci", "install", "--force"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: .github/workflows/isms-stale.yml has uncommitted changes; nothing was changed\n",
        ));
    assert_eq!(read(&repo, WORKFLOWS[1]), edited);
    env.git(&repo, &["commit", "-qam", "our own schedule"]);
    env.isms(&repo)
        .args(["ci", "install", "--force"])
        .assert()
        .success();
    assert!(read(&repo, WORKFLOWS[1]).contains("17 6 * * 1-5"));
    // The edit is still in git.
    let old = env.git(&repo, &["show", &format!("HEAD:{}", WORKFLOWS[1])]);
    assert!(old.contains("0 5 * * *"));
}

#[test]
fn an_action_that_is_not_a_uses_reference_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("demo");
    let before: Vec<String> = WORKFLOWS.iter().map(|w| read(&repo, w)).collect();
    for (action, found) in [
        ("isms", "found `isms`"),
        ("acme/isms", "found `acme/isms`"),
        ("acme/isms@", "found `acme/isms@`"),
        ("acme/isms@v1 # pinned", "found a space"),
        ("acme/isms@v1\n  run: curl evil", "found a space"),
        ("acme/isms@\"v1\"", "found `\\\"`"),
        ("./../elsewhere", "found `./../elsewhere`"),
    ] {
        env.isms(&repo)
            .args(["ci", "install", "--action", action])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "expected OWNER/REPO@REF (e.g. isms-dev/isms@v0.1.0), or ./PATH for an action in this repository; {found}"
            )));
    }
    let after: Vec<String> = WORKFLOWS.iter().map(|w| read(&repo, w)).collect();
    assert_eq!(after, before);
    // A path in the action's repository, a commit, a branch, an action of
    // this repository: as `uses:` takes them.
    for action in [
        "acme/isms/action@0123456789abcdef0123456789abcdef01234567",
        "acme/isms@release/1.x",
        "./.github/actions/isms",
    ] {
        env.isms(&repo)
            .args(["ci", "install", "--action", action])
            .assert()
            .success();
        assert!(
            read(&repo, WORKFLOWS[0]).contains(&format!("uses: {action}\n")),
            "{action}"
        );
    }
}

#[test]
fn the_tools_own_workflow_passes_actionlint_too() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ci = root.join(".github/workflows/ci.yml");
    let (ok, report) = actionlint(&[&ci]);
    assert!(ok, "{report}");
}

/// check-jsonschema with one of its vendored schemas (`.ci/test` installs it).
fn schema_check(builtin: &str, file: &Path) -> (bool, String) {
    run_tool(
        Command::new("check-jsonschema")
            .args(["--builtin-schema", builtin])
            .arg(file),
        "check-jsonschema",
    )
}

#[test]
fn the_action_and_the_workflows_match_githubs_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (ok, report) = schema_check("vendor.github-actions", &root.join("action.yml"));
    assert!(ok, "{report}");
    let env = Env::new();
    let repo = env.example("demo");
    for w in WORKFLOWS {
        let (ok, report) = schema_check("vendor.github-workflows", &repo.join(w));
        assert!(ok, "{w}: {report}");
    }
    let broken = env.path().join("action.yml");
    std::fs::write(&broken, "name: x\nruns:\n  using: composite\n").unwrap();
    let (ok, _) = schema_check("vendor.github-actions", &broken);
    assert!(!ok, "a composite action without steps is refused");
}
