//! `isms new …`: valid files from templates; never overwrites.

mod common;

use common::{Env, read, sha256_hex, write};
use predicates::prelude::*;

#[test]
fn new_service_writes_the_service_and_one_allocation_per_matrix_control() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["new", "service", "billing", "--model", "iaas", "--role", "customer", "--provider", "Northwind Cloud", "--owner", "bob", "--region", "eu-west-1"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with("created services/billing.toml and 47 allocations under responsibilities/billing/, pre-filled with the iaas default parties"));
    let allocations = std::fs::read_dir(repo.join("responsibilities/billing"))
        .unwrap()
        .count();
    assert_eq!(allocations, 47);
    // The IaaS default for guest-OS hardening is the customer's.
    assert_eq!(
        read(&repo, "responsibilities/billing/CLD.9.5.2.toml"),
        "#:schema ../../.isms/schemas/allocation.json\nservice = \"billing\"\ncontrol = \"CLD.9.5.2\"\nparty = \"customer\"         # provider | customer | shared | not-applicable\nprovider = \"\"\ncustomer = \"TODO: what the customer does for Virtual machine hardening\"\njustification = \"\"\nowner = \"bob\"\n"
    );
    // The matrix is complete, and its gaps are visible as warnings.
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"], 0);
    // One per party text, at least one per allocation.
    assert!(doc["warnings"].as_u64().unwrap() >= 47, "{doc}");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == "placeholder")
    );
}

#[test]
fn a_service_model_or_role_is_taken_as_people_write_it() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "new", "service", "billing", "--model", "SaaS", "--role", "Customer",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "pre-filled with the saas default parties",
        ));
    let service = read(&repo, "services/billing.toml");
    assert!(service.contains("\nmodel = \"saas\""), "{service}");
    assert!(service.contains("\nrole = \"customer\""), "{service}");
    let (code, csv, _) = env.run(&repo, &["report", "SoA", "--format", "CSV"]);
    assert_eq!(code, Some(0));
    assert!(csv.starts_with("control,"), "{csv}");
    // And a value that is none of them is still refused.
    env.isms(&repo)
        .args(["new", "service", "ledger", "--model", "FaaS"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'FaaS' for '--model <MODEL>'",
        ));
}

/// `--data` names the categories of data a new service holds, as `--region`
/// names where; without it, `customer-data`.
#[test]
fn a_new_service_holds_the_data_categories_it_is_given() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "new",
            "service",
            "billing",
            "--model",
            "saas",
            "--region",
            "eu-west-1",
        ])
        .args(["--data", "customer-data", "--data", "account-data"])
        .assert()
        .success();
    let written = read(&repo, "services/billing.toml");
    assert!(
        written.contains(
            "regions = [\"eu-west-1\"]   # where data is stored or processed\n\
             data = [\"customer-data\", \"account-data\"]   # categories of data it holds\n"
        ),
        "{written}"
    );
    env.isms(&repo)
        .args(["new", "service", "ledger", "--model", "saas"])
        .assert()
        .success();
    assert!(read(&repo, "services/ledger.toml").contains("\ndata = [\"customer-data\"]   #"));
    env.isms(&repo)
        .args([
            "new",
            "service",
            "audit-log",
            "--model",
            "saas",
            "--data",
            "",
        ])
        .assert()
        .code(2);
    assert!(!repo.join("services/audit-log.toml").exists());
    let (code, lines) = env.check(&repo, &["services/"]);
    assert_eq!(code, Some(0), "{lines}");
}

#[test]
fn new_service_refuses_to_overwrite_and_writes_nothing() {
    let env = Env::new();
    let repo = env.example("repo");
    let before = read(&repo, "responsibilities/tenant-db/CLD.6.3.1.toml");
    env.isms(&repo)
        .args(["new", "service", "tenant-db", "--model", "saas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "services/tenant-db.toml already exists (and 47 more); not overwriting it",
        ));
    assert_eq!(
        read(&repo, "responsibilities/tenant-db/CLD.6.3.1.toml"),
        before
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn new_service_rejects_a_bad_id_and_an_unknown_owner() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["new", "service", "../escape", "--model", "saas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "service ID: invalid ID `../escape`",
        ));
    // IDs whose files or proposal branches would be names git refuses.
    for (id, why) in [
        ("db.lock", "an ID cannot end in `.lock`"),
        ("db.", "an ID must end with a letter or digit, not `.`"),
    ] {
        env.isms(&repo)
            .args(["new", "service", id, "--model", "saas"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "service ID: invalid ID `{id}`: {why}"
            )));
    }
    env.isms(&repo)
        .args(["new", "service", "x", "--model", "saas", "--owner", "alise"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`alise` is not a person or team in isms.toml",
        ))
        .stderr(predicate::str::contains("did you mean `alice`?"));
    assert!(!env.path().join("escape.toml").exists());
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
    // An owner named by GitHub login is written as the key it is.
    env.isms(&repo)
        .args(["new", "finding", "F-9", "--owner", "@alice-ng"])
        .assert()
        .success();
    assert!(read(&repo, "findings/F-9.toml").contains("\nowner = \"alice\"\n"));
}

/// `--owner @me` names the person whose email is git's author email, as
/// `stale --owner @me` reads it (case aside); `me` is taken for what it
/// meant, and a name that could be no key is not offered as one.
#[test]
fn an_owner_of_at_me_is_the_person_whose_email_is_gits_author_email() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "Dave@Example.com")
        .args(["new", "finding", "F-1", "--owner", "@me"])
        .assert()
        .success();
    assert!(read(&repo, "findings/F-1.toml").contains("\nowner = \"dave\"\n"));
    // Without --owner, the same person owns what they make.
    env.isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "Dave@Example.com")
        .args(["new", "finding", "F-2"])
        .assert()
        .success()
        .stderr("created findings/F-2.toml\nupdated .github/CODEOWNERS\n");
    assert!(read(&repo, "findings/F-2.toml").contains("\nowner = \"dave\"\n"));
    // Who raised a finding is free text, but `@me` is the person's key too.
    env.isms(&repo)
        .env("GIT_AUTHOR_EMAIL", "dave@example.com")
        .args([
            "new",
            "finding",
            "F-4",
            "--raised-by",
            "@me",
            "--owner",
            "bob",
        ])
        .assert()
        .success();
    let written = read(&repo, "findings/F-4.toml");
    assert!(
        written.contains("\nraised_by = \"dave\"\nowner = \"bob\"\n"),
        "{written}"
    );
    for (owner, email, said) in [
        (
            "@me",
            "erin@example.com",
            "error: --owner @me is git's author email, erin@example.com, and no person in isms.toml has it\n  \
             hint: set it as the `email` of your [people.KEY], or name the owner: --owner KEY\n",
        ),
        (
            "me",
            "dave@example.com",
            "error: `me` is not a person or team in isms.toml\n  \
             hint: did you mean `@me`? It is the person whose email is git's author email\n",
        ),
        (
            "zed quist",
            "dave@example.com",
            "error: `zed quist` is not a person or team in isms.toml\n",
        ),
    ] {
        env.isms(&repo)
            .env("GIT_AUTHOR_EMAIL", email)
            .args(["new", "finding", "F-3", "--owner", owner])
            .assert()
            .code(2)
            .stderr(said);
        assert!(!repo.join("findings/F-3.toml").exists(), "{owner}");
    }
}

#[test]
fn names_titles_and_regions_must_be_one_line_of_text_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("repo");
    let cases: [&[&str]; 6] = [
        &["new", "person", "carol", "--name", "Carol\nSmith"],
        &["new", "team", "ops", "--name", "", "--member", "alice"],
        &["new", "service", "x", "--model", "saas", "--name", "X\rY"],
        &[
            "new",
            "service",
            "x",
            "--model",
            "saas",
            "--region",
            "eu-west-1\n",
        ],
        &["new", "evidence", "e1", "--title", "Two\nlines"],
        &["new", "evidence", "e1", "--kind", "\t"],
    ];
    for args in cases {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("expected one line of text, found"));
    }
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_service_or_control_that_is_not_there_is_named_with_what_it_may_mean() {
    let env = Env::new();
    let repo = env.example("repo");
    for (args, said) in [
        (
            &["new", "allocation", "payments-ap", "5.1"][..],
            "error: service `payments-ap` does not exist (no services/payments-ap.toml)\n  \
             hint: did you mean `payments-api`?\n",
        ),
        (
            &["new", "allocation", "payments-api", "9.2.1"],
            "error: control `9.2.1` does not exist (no controls/9.2.1.toml); \
             9.2.1 is ISO/IEC 27002:2013; in 2022 it is 5.16\n",
        ),
        (
            &["new", "evidence", "e1", "--control", "8.155"],
            "error: control `8.155` does not exist (no controls/8.155.toml)\n  \
             hint: did you mean `8.15`?\n",
        ),
        (
            &["new", "evidence", "e1", "--service", "tenant-d"],
            "error: service `tenant-d` does not exist (no services/tenant-d.toml)\n  \
             hint: did you mean `tenant-db`?\n",
        ),
        // A name typed short, up to a word's end, names the one it begins.
        (
            &["new", "evidence", "e1", "--service", "payments"],
            "error: service `payments` does not exist (no services/payments.toml)\n  \
             hint: did you mean `payments-api`?\n",
        ),
        // An ID that only shares a prefix is not offered as a typo.
        (
            &["new", "allocation", "payments-api", "CLD.0.0.0"],
            "error: control `CLD.0.0.0` does not exist (no controls/CLD.0.0.0.toml)\n",
        ),
    ] {
        env.isms(&repo).args(args).assert().code(2).stderr(said);
    }
    // A file that is there but cannot be read is said to be so, and why.
    let service = read(&repo, "services/tenant-db.toml");
    let line = service.lines().count() + 2;
    write(
        &repo,
        "services/tenant-db.toml",
        format!("{service}\nx = \n"),
    );
    env.isms(&repo)
        .args(["new", "allocation", "tenant-db", "5.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::ends_with(format!(
            "error: services/tenant-db.toml:{line}:5: invalid TOML: string values must be quoted, \
             expected literal string\n  hint: fix it first; `isms check` lists every problem\n",
        )))
        // A command that fails says why alone, not what it would have left.
        .stderr(predicate::str::contains("CODEOWNERS").not());
    env.git(&repo, &["checkout", "-q", "services"]);
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn new_allocation_fills_a_gap_in_the_matrix() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::remove_file(repo.join("responsibilities/tenant-db/CLD.12.4.5.toml")).unwrap();
    env.isms(&repo).arg("check").assert().code(1);
    env.isms(&repo)
        .args(["new", "allocation", "tenant-db", "CLD.12.4.5"])
        .assert()
        .success()
        .stderr("created responsibilities/tenant-db/CLD.12.4.5.toml\n");
    let text = read(&repo, "responsibilities/tenant-db/CLD.12.4.5.toml");
    assert!(
        text.contains("party = \"shared\"") && text.contains("owner = \"platform\""),
        "{text}"
    );
    env.isms(&repo).arg("check").assert().code(0);
    env.isms(&repo)
        .args(["new", "allocation", "tenant-db", "5.3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "control `5.3` is organisation-wide (matrix = false): it takes no allocations",
        ));
}

/// An allocation decided elsewhere (a spreadsheet, a provider's matrix) is
/// written from the command line: its party and what each side does, or why
/// the control does not apply; what is not given starts as a placeholder.
#[test]
fn new_allocation_takes_its_party_duties_and_justification_from_the_command_line() {
    let env = Env::new();
    let repo = env.example("repo");
    let path = "responsibilities/tenant-db/CLD.12.4.5.toml";
    // The allocation made anew with `args`, as written.
    let made = |args: &[&str]| -> toml::Table {
        std::fs::remove_file(repo.join(path)).unwrap();
        env.isms(&repo)
            .args(["new", "allocation", "tenant-db", "CLD.12.4.5"])
            .args(args)
            .assert()
            .success();
        read(&repo, path).parse().unwrap()
    };
    let doc = made(&[
        "--party",
        "provider",
        "--provider",
        "Keeps the database's audit logs for a year",
    ]);
    assert_eq!(doc["party"].as_str(), Some("provider"));
    assert_eq!(
        doc["provider"].as_str(),
        Some("Keeps the database's audit logs for a year")
    );
    assert_eq!(doc["customer"].as_str(), Some(""));
    let (code, lines) = env.check(&repo, &[path]);
    assert_eq!((code, lines.as_str()), (Some(0), ""), "{lines}");

    // Shared, with one side given: the other is a placeholder check warns of.
    let doc = made(&["--party", "shared", "--customer", "Reads its tenant's logs"]);
    assert_eq!(doc["customer"].as_str(), Some("Reads its tenant's logs"));
    assert!(
        doc["provider"].as_str().unwrap().starts_with("TODO: "),
        "{doc:?}"
    );
    let (code, lines) = env.check(&repo, &[path]);
    assert_eq!(code, Some(0), "{lines}");
    assert!(
        lines.contains("`provider` is still a TODO placeholder"),
        "{lines}"
    );

    // Not applicable: its reason as given, or a placeholder where none is.
    for (given, want) in [
        (
            &["--justification", "The database writes no logs of its own"][..],
            "The database writes no logs of its own",
        ),
        (&[][..], "TODO: why "),
    ] {
        let doc = made(&[&["--party", "not-applicable"][..], given].concat());
        assert_eq!(doc["party"].as_str(), Some("not-applicable"));
        let justification = doc["justification"].as_str().unwrap();
        assert!(justification.starts_with(want), "{justification}");
        // A placeholder is a warning, never the error of a missing reason.
        let (code, lines) = env.check(&repo, &[path]);
        assert_eq!(code, Some(0), "{lines}");
        assert!(!lines.contains("allocation-justification"), "{lines}");
    }

    env.isms(&repo)
        .args(["new", "allocation", "--missing", "--party", "shared"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn new_allocation_missing_fills_every_gap_of_the_matrix_or_of_one_service() {
    let env = Env::new();
    let repo = env.example("repo");
    // A control that becomes a matrix control needs an allocation per service.
    let control = read(&repo, "controls/5.7.toml");
    write(
        &repo,
        "controls/5.7.toml",
        control.replace("matrix = false", "matrix = true"),
    );
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gaps: Vec<&str> = (v["findings"].as_array().unwrap().iter())
        .filter(|f| f["rule"] == "matrix-incomplete")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        gaps,
        [
            "responsibilities/northwind-compute/5.7.toml",
            "responsibilities/payments-api/5.7.toml",
            "responsibilities/tenant-db/5.7.toml"
        ]
    );
    // With several missing, check says how to make them all at once.
    env.isms(&repo)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "  = hint: run `isms new allocation payments-api 5.7` to create it with the default \
             party, or `isms new allocation --missing` to create every missing one\n",
        ));
    // One service's, then the rest.
    env.isms(&repo)
        .args(["new", "allocation", "--missing", "tenant-db"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "created 1 allocation under responsibilities/ (tenant-db 1), pre-filled with the default parties\n",
        ));
    assert!(repo.join("responsibilities/tenant-db/5.7.toml").is_file());
    assert!(!repo.join("responsibilities/payments-api/5.7.toml").exists());
    env.isms(&repo)
        .args(["new", "allocation", "--missing"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "created 2 allocations under responsibilities/ (northwind-compute 1, payments-api 1), \
             pre-filled with the default parties\n",
        ));
    // Each pre-filled for its service and owned by its service's owner.
    let allocation = read(&repo, "responsibilities/payments-api/5.7.toml");
    let service = read(&repo, "services/payments-api.toml");
    let owner = service.lines().find(|l| l.starts_with("owner = ")).unwrap();
    assert!(allocation.contains(&format!("\n{owner}\n")), "{allocation}");
    env.isms(&repo)
        .args(["check", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"errors\": 0,"));
    // Nothing left to make; an out-of-scope service needs nothing.
    env.isms(&repo)
        .args(["new", "allocation", "--missing"])
        .assert()
        .success()
        .stderr("the matrix is complete: nothing to create\n");
    let service = read(&repo, "services/tenant-db.toml");
    write(
        &repo,
        "services/tenant-db.toml",
        format!("{service}in_scope = false\n"),
    );
    env.isms(&repo)
        .args(["new", "allocation", "--missing", "tenant-db"])
        .assert()
        .code(2)
        .stderr(
            "error: service `tenant-db` is out of scope (in_scope = false): the matrix needs none of its allocations\n",
        );
}

#[test]
fn new_control_of_the_organisations_own_gets_an_allocation_per_service_and_passes_check() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "new",
            "control",
            "ACME-1",
            "--title",
            "Quarterly access recertification",
            "--matrix",
            "--owner",
            "bob-okafor",
            "--cadence",
            "quarterly",
        ])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "created controls/ACME-1.toml (Internal) and 3 allocations under responsibilities/, \
             pre-filled with the default parties\nnext: replace the TODO placeholders, then `isms check`\n",
        ));
    let control = read(&repo, "controls/ACME-1.toml");
    for line in [
        "id = \"ACME-1\"",
        "title = \"Quarterly access recertification\"",
        "framework = \"Internal\"",
        "owner = \"bob\"",
        "cadence = \"quarterly\"",
        "matrix = true ",
    ] {
        assert!(
            control.contains(&format!("\n{line}")),
            "{line} in\n{control}"
        );
    }
    // Each in-scope service's allocation is its owner's, shared, with TODO duties.
    let allocation = read(&repo, "responsibilities/tenant-db/ACME-1.toml");
    assert!(
        allocation.contains("party = \"shared\"") && allocation.contains("owner = \"platform\""),
        "{allocation}"
    );
    // Valid and complete: only its placeholders are left to fill.
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let findings = common::findings_as_lines(&out.stdout);
    let ours: Vec<&str> = (findings.lines())
        .filter(|l| !l.starts_with("  "))
        .collect();
    assert_eq!(
        ours,
        [
            "controls/ACME-1.toml:5:12: warning[placeholder]: `summary` is still a TODO placeholder",
            "controls/ACME-1.toml:14:18: warning[placeholder]: `justification` is still a TODO placeholder",
            "responsibilities/northwind-compute/ACME-1.toml:5:13: warning[placeholder]: `provider` is still a TODO placeholder",
            "responsibilities/northwind-compute/ACME-1.toml:6:13: warning[placeholder]: `customer` is still a TODO placeholder",
            "responsibilities/payments-api/ACME-1.toml:5:13: warning[placeholder]: `provider` is still a TODO placeholder",
            "responsibilities/payments-api/ACME-1.toml:6:13: warning[placeholder]: `customer` is still a TODO placeholder",
            "responsibilities/tenant-db/ACME-1.toml:5:13: warning[placeholder]: `provider` is still a TODO placeholder",
            "responsibilities/tenant-db/ACME-1.toml:6:13: warning[placeholder]: `customer` is still a TODO placeholder",
        ],
        "{findings}"
    );
    env.isms(&repo)
        .args(["new", "control", "ACME-1"])
        .assert()
        .code(2)
        .stderr("error: controls/ACME-1.toml already exists; not overwriting it\n");
}

/// A control of the organisation's own, written whole from the command line:
/// its summary and why it applies are as given, nothing is left to replace,
/// and `new` does not say there is.
#[test]
fn new_control_takes_its_justification_and_says_next_only_while_a_placeholder_is_left() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "new",
            "control",
            "ACME-2",
            "--title",
            "Vendor access reviews",
        ])
        .args(["--summary", "Review each vendor's access every quarter"])
        .args([
            "--justification",
            "Vendors hold administrator access to tenant-db",
        ])
        .assert()
        .success()
        .stderr("created controls/ACME-2.toml (Internal)\nupdated .github/CODEOWNERS\n");
    let doc: toml::Table = read(&repo, "controls/ACME-2.toml").parse().unwrap();
    assert_eq!(
        doc["soa"]["justification"].as_str(),
        Some("Vendors hold administrator access to tenant-db")
    );
    let (code, lines) = env.check(&repo, &["controls/ACME-2.toml"]);
    assert_eq!((code, lines.as_str()), (Some(0), ""), "{lines}");

    // Without a summary, one placeholder is left, and `new` says what next.
    env.isms(&repo)
        .args(["new", "control", "ACME-3", "--title", "Vendor offboarding"])
        .args(["--justification", "Vendors leave"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "\nnext: replace the TODO placeholders, then `isms check`\n",
        ));
}

#[test]
fn new_control_puts_a_catalog_control_back_and_refuses_what_the_catalog_decides() {
    let env = Env::new();
    let repo = env.example("repo");
    let before = env.git(&repo, &["status", "--porcelain"]);
    // The catalog decides title, summary, framework and matrix; another
    // edition's ID, or a catalog framework for an ID not in it, is refused.
    for (args, said) in [
        (
            &["5.7", "--title", "Threat intel"][..],
            "error: --title: control `5.7` is in the ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015 catalog, \
             which gives its title, summary, framework and matrix\n",
        ),
        (
            &["12.4.1"][..],
            "error: control `12.4.1` is not in this repository's edition, 2022; \
             12.4.1 is ISO/IEC 27002:2013; in 2022 it is 8.15\n",
        ),
        (
            &["5.99", "--framework", "ISO/IEC 27002:2022"][..],
            "error: --framework: `5.99` is not a control of ISO/IEC 27002:2022 in the \
             ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015 catalog\n",
        ),
        (
            &["ACME-2", "--cadence", "3months"][..],
            "error: --cadence: invalid period `3months`",
        ),
    ] {
        env.isms(&repo)
            .args(["new", "control"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(said));
        assert_eq!(
            env.git(&repo, &["status", "--porcelain"]),
            before,
            "{args:?}"
        );
    }
    // A catalog control that was deleted comes back from the catalog, and
    // finds the allocations it left.
    std::fs::remove_file(repo.join("controls/8.15.toml")).unwrap();
    env.isms(&repo).arg("check").assert().code(1);
    env.isms(&repo)
        .args(["new", "control", "8.15", "--owner", "dave"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(
            "created controls/8.15.toml from the ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015 catalog\n",
        ));
    let control = read(&repo, "controls/8.15.toml");
    assert!(
        control.contains("\ntitle = \"Logging\"\n")
            && control.contains("\nframework = \"ISO/IEC 27002:2022\"\n")
            && control.contains("\nmatrix = true "),
        "{control}"
    );
    env.isms(&repo).arg("check").assert().code(0);
}

#[test]
fn new_evidence_finding_trigger_and_person_pass_check() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "--as-of",
            "2026-11-20",
            "new",
            "evidence",
            "2026-11-access-review",
            "--kind",
            "access-review",
            "--control",
            "5.18",
            "--service",
            "tenant-db",
            "--collected-by",
            "dave",
            "--valid-for",
            "6mo",
        ])
        .assert()
        .success();
    let evidence = read(&repo, "evidence/2026-11-access-review.toml");
    assert!(
        evidence.contains("collected = 2026-11-20\ncollected_by = \"dave\"\nvalid_for = \"6mo\""),
        "{evidence}"
    );
    env.isms(&repo)
        .args(["--as-of", "2026-11-20", "new", "finding", "2026-004"])
        .assert()
        .success();
    assert!(
        read(&repo, "findings/2026-004.toml")
            .contains("raised = 2026-11-20\nraised_by = \"\"\nowner = \"alice\"\ndue = 2026-12-20")
    );
    // A trigger names what it reassesses: never an empty list.
    env.isms(&repo)
        .args(["new", "trigger", "encryption-changed"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--reassess <CONTROL>"));
    env.isms(&repo)
        .args([
            "new",
            "trigger",
            "encryption-changed",
            "--reassess",
            "8.24,8.99",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--reassess 8.99: no such control in controls/",
        ));
    // A 2013 ID or Annex A notation is told the ID it means, as `new allocation` tells it.
    for (named, said) in [
        (
            "9.1.1",
            "error: --reassess 9.1.1: no such control in controls/; 9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15\n",
        ),
        (
            "A.8.24",
            "error: --reassess A.8.24: no such control in controls/; A.8.24 is Annex A notation: controls are named without `A.`, here 8.24\n",
        ),
    ] {
        env.isms(&repo)
            .args(["new", "trigger", "encryption-changed", "--reassess", named])
            .assert()
            .code(2)
            .stderr(said);
    }
    env.isms(&repo)
        .args([
            "new",
            "trigger",
            "encryption-changed",
            "--reassess",
            "8.24",
            "--reassess",
            "5.31",
        ])
        .assert()
        .success();
    assert!(
        read(&repo, "triggers/encryption-changed.toml").contains(
            "reassess = [\"8.24\", \"5.31\"]  # the controls to reassess when it fires\n"
        )
    );
    env.isms(&repo)
        .args([
            "new",
            "person",
            "erin",
            "--name",
            "Erin Park",
            "--email",
            "erin@example.com",
            "--github",
            "erin-p",
        ])
        .assert()
        .success()
        .stderr("added [people.erin] to isms.toml\n");
    // After the last person, before the teams.
    assert!(read(&repo, "isms.toml").contains(
        "github = \"dave-lq\"\n\n[people.erin]\nname = \"Erin Park\"\nemail = \"erin@example.com\"\ngithub = \"erin-p\"\n\n[teams.platform]\n"
    ));
    let out = env
        .isms(&repo)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let placeholder_files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        placeholder_files,
        [
            "evidence/2026-11-access-review.toml",
            "findings/2026-004.toml",
            "findings/2026-004.toml",
            "triggers/encryption-changed.toml"
        ]
    );
}

/// An email two people have names neither for `@me`, and a GitHub login
/// two have makes an approval either's: adding the second says so, and a
/// new file's default owner, the first of them, is said with
/// both names, never as though the email were nobody's.
#[test]
fn a_person_given_an_email_or_login_another_has_is_warned_of_and_the_default_owner_says_so() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["new", "person", "alice2", "--name", "Alice Ng"])
        .args(["--email", "Alice@Example.com", "--github", "alice-ng2"])
        .assert()
        .success()
        .stderr(
            "added [people.alice2] to isms.toml\n\
             warning: `Alice@Example.com` is `alice`'s email too: `@me` names neither of them; give each person their own\n  \
             hint: if alice2 is alice under a new key, `isms reassign alice alice2` gives alice2 what alice owns; \
             then remove [people.alice]\n",
        );
    // A GitHub login another person has: approvals by it are either's.
    env.isms(&repo)
        .args(["new", "person", "alice3", "--name", "Alice Ng"])
        .args(["--email", "alice3@example.com", "--github", "Alice-NG"])
        .assert()
        .success()
        .stderr(
            "added [people.alice3] to isms.toml\n\
             warning: `Alice-NG` is `alice`'s GitHub login too: an approval by it is taken as either's; give each person their own\n",
        );
    // git's author email here is alice@example.com.
    env.isms(&repo)
        .args(["new", "finding", "F-1"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: owner = \"alice\", the first by key of alice and alice2, who share git's author email, alice@example.com, in isms.toml; pass --owner WHO to name another\n",
        ));
    assert!(read(&repo, "findings/F-1.toml").contains("\nowner = \"alice\"\n"));
}

#[test]
fn new_person_and_team_keep_uncommitted_edits_and_refuse_duplicates() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["new", "person", "bob", "--name", "Bob Again"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`bob` is already a person or team in isms.toml",
        ));
    // An edit not yet committed stays: the file is edited as TOML, so a
    // second person needs no commit in between.
    let edited = format!("{}# my unsaved note\n", read(&repo, "isms.toml"));
    write(&repo, "isms.toml", &edited);
    env.isms(&repo)
        .args(["new", "person", "erin", "--name", "Erin Park"])
        .assert()
        .success()
        .stderr(
            "added [people.erin] to isms.toml\n\
             warning: erin has no email (commits are matched to people by it) and no github handle \
             (CODEOWNERS and review requests need it); add them with --email and --github, or in isms.toml\n",
        );
    env.isms(&repo)
        .args([
            "new",
            "person",
            "frank",
            "--name",
            "Frank Li",
            "--email",
            "frank@example.com",
            "--github",
            "frank-li",
        ])
        .assert()
        .success()
        .stderr("added [people.frank] to isms.toml\n");
    env.isms(&repo)
        .args([
            "new",
            "team",
            "security",
            "--name",
            "Security",
            "--member",
            "erin,nobody",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--member nobody: not a person in isms.toml",
        ));
    env.isms(&repo)
        .args([
            "new", "team", "security", "--name", "Security", "--member", "platform",
        ])
        .assert()
        .code(2)
        .stderr(
            "error: --member platform: not a person in isms.toml\n  \
             hint: `platform` is a team; a team's members are people\n",
        );
    env.isms(&repo)
        .args([
            "new",
            "team",
            "security",
            "--name",
            "Security",
            "--member",
            "erin",
            // A person by GitHub login: their key is written.
            "--member",
            "@frank-li",
            "--github",
            "example/security",
        ])
        .assert()
        .success()
        .stderr("added [teams.security] to isms.toml\n");
    let text = read(&repo, "isms.toml");
    assert!(text.ends_with("# my unsaved note\n"), "{text}");
    assert!(text.contains("[people.frank]\nname = \"Frank Li\"\nemail = \"frank@example.com\"\ngithub = \"frank-li\"\n\n[teams.platform]"), "{text}");
    assert!(text.contains("[teams.security]\nname = \"Security\"\nmembers = [\"erin\", \"frank\"]\ngithub = \"example/security\"\n"), "{text}");
    // A handle GitHub cannot resolve is refused before anything is written.
    let before = read(&repo, "isms.toml");
    for (kind, key, handle, expected) in [
        (
            "person",
            "gina",
            "example/gina",
            "is not a GitHub user name",
        ),
        (
            "team",
            "ops",
            "example/ops/x",
            "is not a GitHub team: expected ORG/TEAM-SLUG",
        ),
    ] {
        env.isms(&repo)
            .args(["new", kind, key, "--name", "X", "--github", handle])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--github {handle}: `{handle}` {expected}"
            )));
    }
    assert_eq!(read(&repo, "isms.toml"), before);
    // A bare slug is added, and said to lack its organisation.
    env.isms(&repo)
        .args(["new", "team", "ops", "--name", "Ops", "--github", "ops"])
        .assert()
        .success()
        .stderr(
            "added [teams.ops] to isms.toml\n\
             warning: ops's github team `ops` names no organisation: review requests can use it, \
             CODEOWNERS cannot; write it as ORG/ops in isms.toml\n",
        );
    // A team without one is added, and said to lack it.
    env.isms(&repo)
        .args([
            "new", "team", "audit", "--name", "Audit", "--member", "erin",
        ])
        .assert()
        .success()
        .stderr(
            "added [teams.audit] to isms.toml\n\
             warning: audit has no github team (CODEOWNERS and review requests need it); \
             add it with --github ORG/TEAM, or in isms.toml\n",
        );
    env.isms(&repo)
        .args(["new", "team", "platform", "--name", "Again"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`platform` is already a person or team in isms.toml",
        ));
    assert!(env.check(&repo, &[]).0 == Some(0));
}

#[test]
fn a_person_or_team_added_to_a_crlf_settings_file_keeps_its_line_endings_and_mark() {
    // As git's core.autocrlf checks files out on Windows, or as they were
    // committed there: every line ends in CR LF; and a byte-order mark, as
    // some Windows editors write UTF-8.
    let env = Env::new();
    let repo = env.example("repo");
    let lf = read(&repo, "isms.toml");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    write(&repo, "isms.toml", &crlf);
    env.isms(&repo)
        .args(["new", "person", "erin", "--name", "Erin Park"])
        .assert()
        .success();
    env.isms(&repo)
        .args(["new", "team", "security", "--name", "Security"])
        .assert()
        .success();
    let text = read(&repo, "isms.toml");
    assert!(text.starts_with("\u{feff}#:schema"), "{text}");
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "a line ends in LF alone:\n{text}"
    );
    // Only the added lines differ from what was there.
    let added: Vec<&str> = text
        .lines()
        .filter(|l| !crlf.lines().any(|old| old == *l))
        .collect();
    assert_eq!(
        added,
        [
            "[people.erin]",
            "name = \"Erin Park\"",
            "email = \"\"",
            "github = \"\"",
            "[teams.security]",
            "name = \"Security\"",
            "members = []",
            "github = \"\""
        ],
        "{text}"
    );
    assert_eq!(env.check(&repo, &[]).0, Some(0));
}

#[test]
fn new_files_are_never_overwritten() {
    let env = Env::new();
    let repo = env.example("repo");
    let before = read(&repo, "findings/2026-003.toml");
    env.isms(&repo)
        .args(["new", "finding", "2026-003"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "findings/2026-003.toml already exists; not overwriting it",
        ));
    assert_eq!(read(&repo, "findings/2026-003.toml"), before);
}

#[test]
fn new_evidence_records_its_artifacts_with_their_hashes() {
    let env = Env::new();
    let repo = env.example("repo");
    std::fs::write(env.path().join("scan.pdf"), b"%PDF scan results\n").unwrap();
    common::write(&repo, "evidence/files/notes.md", "reviewed by bob\n");
    // Paths are relative to -C, as every path isms takes.
    env.isms(env.path())
        .args([
            "-C", "repo", "new", "evidence", "2026-q4-scan",
            "--title", "Q4 vulnerability scan",
            "--collected", "2026-11-30",
            "--control", "8.8",
            "--kind", "vulnerability-scan",
            "--collected-by", "bob",
            "--artifact", "../scan.pdf",
            "--artifact", "evidence/files/notes.md",
        ])
        .assert()
        .success()
        .stderr("created evidence/2026-q4-scan.toml with 2 artifacts, 1 copied into evidence/files/\nupdated .github/CODEOWNERS\n");
    let record = read(&repo, "evidence/2026-q4-scan.toml");
    assert!(
        record.contains("title = \"Q4 vulnerability scan\"\n"),
        "{record}"
    );
    assert!(record.contains("collected = 2026-11-30\n"), "{record}");
    assert!(record.contains(&format!(
        "[[artifacts]]\npath = \"files/scan.pdf\"\nsha256 = \"{}\"\n[[artifacts]]\npath = \"files/notes.md\"\nsha256 = \"{}\"\n",
        sha256_hex(b"%PDF scan results\n"),
        sha256_hex(b"reviewed by bob\n")
    )), "{record}");
    assert_eq!(
        std::fs::read(repo.join("evidence/files/scan.pdf")).unwrap(),
        b"%PDF scan results\n"
    );
    let (code, findings) = env.check(&repo, &["--as-of", "2026-12-01"]);
    assert!(!findings.contains("2026-q4-scan"), "{findings}");
    assert_ne!(code, Some(2));
    // A second record may not copy over the first one's file.
    env.isms(env.path())
        .args([
            "-C",
            "repo",
            "new",
            "evidence",
            "again",
            "--artifact",
            "../scan.pdf",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "evidence/files/scan.pdf already exists; not overwriting it",
        ));
    assert!(
        !repo.join("evidence/again.toml").exists(),
        "every file or none"
    );
    // A pipe is not read.
    let fifo = env.path().join("pipe");
    assert!(env.command("mkfifo").arg(&fifo).status().unwrap().success());
    env.isms(&repo)
        .args(["new", "evidence", "piped", "--artifact"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("could not read the artifact"));
}

#[test]
fn an_artifact_whose_name_is_already_kept_is_never_copied_over_and_the_hint_says_whether_it_is_the_same()
 {
    let env = Env::new();
    let repo = env.example("repo");
    let kept = "evidence/files/2026-10-admin-log-review.md";
    let original = read(&repo, kept);
    let same = env.path().join("2026-10-admin-log-review.md");
    std::fs::write(&same, &original).unwrap();
    env.isms(&repo)
        .args(["new", "evidence", "again"])
        .arg("--artifact")
        .arg(&same)
        .assert()
        .code(2)
        .stderr(format!(
            "error: {kept} already exists; not overwriting it\n  hint: it is the same file: pass --artifact {kept} to record it where it is\n"
        ));
    // As the hint says; the record that lists it already is named.
    env.isms(&repo)
        .args(["new", "evidence", "again", "--artifact", kept])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "note: evidence:2026-10-admin-log-review lists files/2026-10-admin-log-review.md too; \
             both records name it now\n",
        ));
    assert!(
        read(&repo, "evidence/again.toml").contains("path = \"files/2026-10-admin-log-review.md\"")
    );

    let other = env.path().join("elsewhere");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("2026-10-admin-log-review.md"), "another log\n").unwrap();
    env.isms(&repo)
        .args(["new", "evidence", "other"])
        .arg("--artifact")
        .arg(other.join("2026-10-admin-log-review.md"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "  hint: it differs from {}: give the file another name, or pass --artifact {kept} if that one is the artifact\n",
            other.join("2026-10-admin-log-review.md").display()
        )));
    assert_eq!(read(&repo, kept), original);
    assert!(!repo.join("evidence/other.toml").exists());
}

#[test]
fn two_artifacts_that_would_be_kept_under_one_name_are_refused_and_one_named_twice_is_kept_once() {
    let env = Env::new();
    let repo = env.example("repo");
    for dir in ["q3", "q4"] {
        std::fs::create_dir(env.path().join(dir)).unwrap();
        std::fs::write(
            env.path().join(dir).join("scan.pdf"),
            format!("{dir} scan\n"),
        )
        .unwrap();
    }
    env.isms(&repo)
        .args(["new", "evidence", "scans", "--artifact", "../q3/scan.pdf"])
        .args(["--artifact", "../q4/scan.pdf"])
        .assert()
        .code(2)
        .stderr(
            "error: --artifact ../q3/scan.pdf and --artifact ../q4/scan.pdf differ, and both would \
             be kept as evidence/files/scan.pdf; nothing was written\n  hint: give one of them \
             another name\n",
        );
    assert!(!repo.join("evidence/scans.toml").exists());
    assert!(!repo.join("evidence/files/scan.pdf").exists());

    env.isms(&repo)
        .args(["new", "evidence", "scans", "--artifact", "../q3/scan.pdf"])
        .args(["--artifact", "../q4/../q3/scan.pdf"])
        .assert()
        .success()
        .stderr(predicates::str::starts_with(
            "created evidence/scans.toml with 1 artifact, 1 copied into evidence/files/\n",
        ));
    assert_eq!(read(&repo, "evidence/files/scan.pdf"), "q3 scan\n");
}

#[cfg(unix)]
#[test]
fn an_artifact_that_is_a_link_in_the_repository_is_refused_unfollowed() {
    let env = Env::new();
    let repo = env.example("repo");
    // A secret outside, and a link to it among the artifacts.
    let secret = env.path().join("secret.txt");
    std::fs::write(&secret, "not evidence\n").unwrap();
    std::os::unix::fs::symlink(&secret, repo.join("evidence/files/out.txt")).unwrap();
    std::os::unix::fs::symlink(
        "2026-10-admin-log-review.md",
        repo.join("evidence/files/in.md"),
    )
    .unwrap();
    for link in ["evidence/files/out.txt", "evidence/files/in.md"] {
        env.isms(&repo)
            .args(["new", "evidence", "linked", "--artifact", link])
            .assert()
            .code(2)
            .stderr(format!(
                "error: {link} is a symbolic link; an artifact must be a file, and isms does not \
                 follow links in the repository\n  hint: pass the path of the file it points to instead\n"
            ));
    }
    assert!(!repo.join("evidence/linked.toml").exists());
    // A link outside the repository is the user's own way to name a file:
    // it is read, and the file is copied in under the link's name.
    let named = env.path().join("named.txt");
    std::os::unix::fs::symlink(&secret, &named).unwrap();
    env.isms(&repo)
        .args(["new", "evidence", "copied"])
        .arg("--artifact")
        .arg(&named)
        .assert()
        .success();
    assert_eq!(read(&repo, "evidence/files/named.txt"), "not evidence\n");
    assert!(
        !std::fs::symlink_metadata(repo.join("evidence/files/named.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn settings_that_cannot_be_read_are_named_by_file_line_and_column() {
    let env = Env::new();
    let repo = env.example("repo");
    let config = read(&repo, "isms.toml");
    let line = config.lines().count() + 1;
    write(&repo, "isms.toml", format!("{config}colour = \"blue\"\n"));
    let before = env.git(&repo, &["status", "--porcelain"]);
    for args in [
        &["new", "person", "zed", "--name", "Zed"][..],
        &["review", "control:5.1"],
        &["log", "control:5.1"],
        &["ci", "install"],
    ] {
        env.isms(&repo)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with(format!(
                "error: isms.toml:{line}:1: unknown key `colour`\n"
            )))
            .stderr(predicate::str::ends_with(
                "  hint: this command needs the settings; `isms check` lists every problem\n",
            ));
    }
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), before);
}

#[test]
fn an_email_that_no_commit_could_carry_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("repo");
    for email in ["bob", "bob at example.com", "bob@", "<bob@example.com>"] {
        env.isms(&repo)
            .args(["new", "person", "zed", "--name", "Zed", "--email", email])
            .assert()
            .code(2)
            .stderr(format!(
                "error: --email: `{email}` is not an email address: expected one like \
                 alice@example.com, as git records it for commits\n  \
                 hint: commits are matched to people by it, e.g. --email alice@example.com\n"
            ));
    }
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn evidence_collected_after_today_is_refused_as_check_would_refuse_it() {
    let env = Env::new();
    let repo = env.example("repo");
    let today = chrono::Utc::now().date_naive();
    let later = today + chrono::Days::new(30);
    env.isms(&repo)
        .args(["new", "evidence", "early", "--collected", &later.to_string()])
        .assert()
        .code(2)
        .stderr(format!(
            "error: --collected {later} is after {today}: evidence is recorded once it is collected\n  \
             hint: give the day it was collected, or --as-of DAY to record it as of a later day\n"
        ));
    assert!(!repo.join("evidence/early.toml").exists());
    // As of that day, it is written, and checks as of that day.
    let day = later.to_string();
    env.isms(&repo)
        .args([
            "--as-of",
            &day,
            "new",
            "evidence",
            "early",
            "--collected",
            &day,
        ])
        .assert()
        .success();
    let (code, lines) = env.check(&repo, &["--as-of", &day]);
    assert!(!lines.contains("evidence-future"), "{lines}");
    assert_eq!(code, Some(0), "{lines}");
}

#[test]
fn evidence_of_a_kind_a_typo_away_from_the_one_its_control_asks_for_is_said_to_meet_nothing() {
    let env = Env::new();
    let repo = env.example("repo");
    // 5.18 asks for `access-review` evidence every 6 months.
    env.isms(&repo)
        .args([
            "new",
            "evidence",
            "q4-access",
            "--kind",
            "acess-review",
            "--control",
            "5.18",
            "--title",
            "Q4 access review",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: kind `acess-review` is not one its controls ask for, so the record meets none of \
             their requirements; did you mean `access-review`? (set `kind` in evidence/q4-access.toml)\n",
        ));
    let (code, lines) = env.check(&repo, &[]);
    assert_eq!(code, Some(0), "a warning: {lines}");
    assert!(
        lines.contains(
            "evidence/q4-access.toml:6:1: warning[evidence-kind]: kind `acess-review` is not one its controls ask for, \
             so the record meets none of their requirements\n  = hint: did you mean `access-review`?\n"
        ),
        "{lines}"
    );
    // Spelt as asked, nothing is said.
    let text = read(&repo, "evidence/q4-access.toml").replace("acess-review", "access-review");
    write(&repo, "evidence/q4-access.toml", text);
    let (_, lines) = env.check(&repo, &[]);
    assert!(!lines.contains("evidence-kind"), "{lines}");
    env.isms(&repo)
        .args([
            "new",
            "evidence",
            "q4-other",
            "--kind",
            "access-review",
            "--control",
            "5.18",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

/// Without `--kind`, a record takes the one kind its controls ask for, and
/// so meets their requirement; where they ask for several, or it names no
/// control, the kind stays a TODO placeholder.
#[test]
fn evidence_without_a_kind_takes_the_one_its_controls_ask_for() {
    let env = Env::new();
    let repo = env.example("repo");
    let missing_evidence = |env: &Env| -> Vec<String> {
        let out = env
            .isms(&repo)
            .args(["stale", "--format", "json"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (doc["items"].as_array().unwrap().iter())
            .filter(|i| i["state"] == "missing-evidence")
            .map(|i| i["item"].as_str().unwrap().to_owned())
            .collect()
    };
    // 5.18 asks for `access-review` evidence every 6 months, and has none.
    assert!(missing_evidence(&env).contains(&"control:5.18".to_owned()));

    env.isms(&repo)
        .args(["new", "evidence", "q4-access", "--control", "5.18"])
        .args(["--title", "Q4 access review"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: kind = \"access-review\", asked for by 5.18; pass --kind KIND to name another\n",
        ));
    assert!(read(&repo, "evidence/q4-access.toml").contains("\nkind = \"access-review\"\n"));
    let missing = missing_evidence(&env);
    assert!(!missing.contains(&"control:5.18".to_owned()), "{missing:?}");

    // 5.35 asks for `independent-audit`: one record cannot be both.
    env.isms(&repo)
        .args(["new", "evidence", "both", "--control", "5.18", "--control", "5.35"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: kind is left a TODO placeholder, as several are asked for by 5.18, 5.35: \
             access-review, independent-audit; pass --kind KIND, or set `kind` in evidence/both.toml\n",
        ));
    assert!(read(&repo, "evidence/both.toml").contains("\nkind = \"TODO\"\n"));

    env.isms(&repo)
        .args(["new", "evidence", "loose"])
        .assert()
        .success()
        .stderr(predicate::str::contains("kind").not());
    assert!(read(&repo, "evidence/loose.toml").contains("\nkind = \"TODO\"\n"));

    // A kind given is written as given.
    env.isms(&repo)
        .args([
            "new",
            "evidence",
            "scan",
            "--control",
            "5.18",
            "--kind",
            "scan",
        ])
        .assert()
        .success();
    assert!(read(&repo, "evidence/scan.toml").contains("\nkind = \"scan\"\n"));
}

#[test]
fn evidence_named_by_no_argument_is_named_after_its_month_and_kind() {
    let env = Env::new();
    let repo = env.example("repo");
    let new = |args: &[&str]| {
        env.isms(&repo)
            .args(["--as-of", "2026-11-20", "new", "evidence"])
            .args(args)
            .output()
            .unwrap()
    };
    let said = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();
    // 5.18 asks for `access-review` evidence: the record is named after it.
    let out = new(&["--control", "5.18", "--title", "Q4 access review"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        said(&out).starts_with("created evidence/2026-11-access-review.toml;"),
        "{}",
        said(&out)
    );
    let text = read(&repo, "evidence/2026-11-access-review.toml");
    assert!(
        text.contains("\nid = \"2026-11-access-review\"\n"),
        "{text}"
    );
    assert!(text.contains("\ncollected = 2026-11-20\n"), "{text}");
    // Another that month is the second; a kind given names it, in words
    // made an ID; a renewal takes its kind, collected on the day given.
    new(&["--control", "5.18"]);
    assert!(repo.join("evidence/2026-11-access-review-2.toml").is_file());
    new(&["--kind", "Pen Test (external)", "--control", "8.8"]);
    assert!(
        repo.join("evidence/2026-11-pen-test-external.toml")
            .is_file()
    );
    let out = new(&[
        "--like",
        "2026-10-admin-log-review",
        "--collected",
        "2026-11-03",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(read(&repo, "evidence/2026-11-log-review.toml").contains("\nkind = \"log-review\"\n"));
    // A name in another case is taken too (it would collide on a checkout
    // that ignores case).
    std::fs::rename(
        repo.join("evidence/2026-11-pen-test-external.toml"),
        repo.join("evidence/2026-11-PEN-TEST-EXTERNAL.toml"),
    )
    .unwrap();
    let moved = read(&repo, "evidence/2026-11-PEN-TEST-EXTERNAL.toml").replace(
        "id = \"2026-11-pen-test-external\"",
        "id = \"2026-11-PEN-TEST-EXTERNAL\"",
    );
    write(&repo, "evidence/2026-11-PEN-TEST-EXTERNAL.toml", &moved);
    new(&["--kind", "pen-test-external", "--control", "8.8"]);
    assert!(
        repo.join("evidence/2026-11-pen-test-external-2.toml")
            .is_file()
    );
    // Without a kind to name it after, it must be named; nothing is written.
    let before = std::fs::read_dir(repo.join("evidence")).unwrap().count();
    let out = new(&["--control", "5.1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        said(&out),
        "error: name the record (`isms new evidence ID …`), or give its kind: no --kind, and its controls ask for no one kind to name it after\n  \
         hint: e.g. `isms new evidence 2026-q4-access-review --control 5.18`, or --kind access-review\n"
    );
    assert_eq!(
        std::fs::read_dir(repo.join("evidence")).unwrap().count(),
        before
    );
    // A kind in other letters makes what ASCII it has into the name, and
    // one with none is refused.
    let out = new(&["--kind", "Prüfung ✓", "--control", "8.8"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(repo.join("evidence/2026-11-pr-fung.toml").is_file());
    let out = new(&["--kind", "監査", "--control", "8.8"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        said(&out),
        "error: name the record (`isms new evidence ID …`): its kind, `監査`, has no letter or digit an ID could be made of (a-z, 0-9)\n"
    );
    let (code, findings) = env.check(&repo, &["--as-of", "2026-11-20"]);
    assert_ne!(code, Some(2), "{findings}");
    assert!(!findings.contains("error["), "{findings}");
}

#[test]
fn a_finding_named_by_no_argument_takes_the_next_number_of_the_year_it_was_raised() {
    let env = Env::new();
    let repo = env.example("repo");
    let new = |args: &[&str]| {
        let out = env
            .isms(&repo)
            .args(["--as-of", "2026-11-25", "new", "finding"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let said = String::from_utf8(out.stderr).unwrap();
        said.lines().next().unwrap().to_owned()
    };
    // The example has 2026-003.
    assert_eq!(
        new(&["--title", "Restore never tested"]),
        "created findings/2026-004.toml"
    );
    assert!(read(&repo, "findings/2026-004.toml").contains("\nid = \"2026-004\"\n"));
    // A file that does not parse still holds its number.
    write(&repo, "findings/2026-041.toml", "id = ");
    assert_eq!(new(&[]), "created findings/2026-042.toml");
    // Raised in another year: that year's numbers.
    assert_eq!(
        new(&["--raised", "2025-12-30"]),
        "created findings/2025-001.toml"
    );
}

/// An audit's finding is written from the command line, as an evidence
/// record is: its title, kind, severity, controls, services, who raised it
/// and when; its default due day counts from the day it was raised. What
/// names nothing in the repository, or a day to come, is refused.
#[test]
fn a_finding_takes_what_an_audit_says_of_it_from_the_command_line() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["--as-of", "2026-11-25", "new", "finding", "2026-010"])
        .args(["--title", "Restore of tenant backups never tested"])
        .args(["--kind", "observation", "--severity", "major"])
        .args(["--control", "8.13", "--service", "tenant-db"])
        .args(["--raised-by", "External audit", "--raised", "2026-11-20"])
        .args(["--owner", "platform"])
        .assert()
        .success()
        .stderr("created findings/2026-010.toml\nupdated .github/CODEOWNERS\n");
    let written = read(&repo, "findings/2026-010.toml");
    assert!(
        written.contains(
            "title = \"Restore of tenant backups never tested\"\n\
             kind = \"observation\"         # nonconformity | observation | exception\n\
             severity = \"major\"           # major | minor\n\
             controls = [\"8.13\"]\n\
             services = [\"tenant-db\"]\n\
             raised = 2026-11-20\n\
             raised_by = \"External audit\"\n\
             owner = \"platform\"\n\
             due = 2026-12-20\n"
        ),
        "{written}"
    );
    let (code, lines) = env.check(&repo, &["--as-of", "2026-11-25", "findings/"]);
    assert_eq!(code, Some(0), "{lines}");
    let out = env
        .isms(&repo)
        .args(["report", "findings", "--format", "json"])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("\"2026-010\""), "{report}");
    assert!(report.contains("\"observation\""), "{report}");

    for (args, said) in [
        (
            &["--control", "8.99"][..],
            "control `8.99` does not exist (no controls/8.99.toml)",
        ),
        (
            &["--service", "no-such"][..],
            "service `no-such` does not exist (no services/no-such.toml)",
        ),
        (
            &["--raised", "2026-11-26"][..],
            "--raised 2026-11-26 is after 2026-11-25: a finding is recorded once it is raised",
        ),
        (
            &["--severity", "critical"][..],
            "invalid value 'critical' for '--severity",
        ),
    ] {
        env.isms(&repo)
            .args(["--as-of", "2026-11-25", "new", "finding", "2026-011"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said));
        assert!(!repo.join("findings/2026-011.toml").exists(), "{args:?}");
    }
}

/// What an auditor wrote of a finding, and the corrective action agreed,
/// are taken from the command line as written, line breaks and all, so that
/// a finding is recorded without opening an editor; an evidence record takes
/// its description the same way.
#[test]
fn a_finding_takes_its_description_and_corrective_action_and_evidence_its_description() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args(["--as-of", "2026-11-25", "new", "finding", "2026-010"])
        .args(["--title", "Restore of tenant backups never tested"])
        .args(["--control", "8.13", "--owner", "platform"])
        .args([
            "--description",
            "No restore test on record.\nThe runbook names none.",
        ])
        .args([
            "--corrective-action",
            "Test a restore each quarter; record it as evidence",
        ])
        .assert()
        .success();
    let written = read(&repo, "findings/2026-010.toml");
    let doc: toml::Table = written.parse().unwrap();
    assert_eq!(
        doc["description"].as_str(),
        Some("No restore test on record.\nThe runbook names none."),
        "{written}"
    );
    assert_eq!(
        doc["corrective_action"].as_str(),
        Some("Test a restore each quarter; record it as evidence"),
        "{written}"
    );
    // With its corrective action given, the finding has no placeholder left.
    let (code, lines) = env.check(&repo, &["--as-of", "2026-11-25", "findings/"]);
    assert_eq!((code, lines.as_str()), (Some(0), ""), "{lines}");

    env.isms(&repo)
        .args([
            "--as-of",
            "2026-11-25",
            "new",
            "evidence",
            "2026-11-restore-test",
        ])
        .args(["--kind", "restore-test", "--control", "8.13"])
        .args([
            "--description",
            "Restored tenant-db from its 2026-11-24 snapshot",
        ])
        .assert()
        .success();
    let doc: toml::Table = read(&repo, "evidence/2026-11-restore-test.toml")
        .parse()
        .unwrap();
    assert_eq!(
        doc["description"].as_str(),
        Some("Restored tenant-db from its 2026-11-24 snapshot")
    );

    // Nothing at all, or an escape sequence, is refused, and nothing written.
    for (flag, value, said) in [
        ("--corrective-action", " ", "expected text, found nothing"),
        (
            "--description",
            "red \u{1b}[31m",
            "found the control character U+001B",
        ),
    ] {
        env.isms(&repo)
            .args([
                "--as-of",
                "2026-11-25",
                "new",
                "finding",
                "2026-011",
                flag,
                value,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said));
        assert!(!repo.join("findings/2026-011.toml").exists(), "{flag}");
    }
}

#[test]
fn a_finding_due_before_it_is_raised_is_written_and_said_to_be_overdue() {
    let env = Env::new();
    let repo = env.example("repo");
    env.isms(&repo)
        .args([
            "--as-of",
            "2026-11-02",
            "new",
            "finding",
            "2026-010",
            "--due",
            "2026-11-01",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "created findings/2026-010.toml\nwarning: it is due 2026-11-01, before it is raised \
             (2026-11-02), so it is overdue already; if it was raised earlier, set `raised` in \
             findings/2026-010.toml\n",
        ));
    let written = read(&repo, "findings/2026-010.toml");
    assert!(written.contains("due = 2026-11-01"), "{written}");
    // `check` says so too, and `stale` (of the working tree) counts it.
    env.isms(&repo)
        .args(["--as-of", "2026-11-02", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning[finding-dates]: due 2026-11-01, before it was raised (2026-11-02)",
        ));
    let out = env
        .isms(&repo)
        .args(["--format", "json", "stale"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stale: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        stale["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"] == "finding:2026-010" && i["state"] == "overdue"),
        "{stale}"
    );
    // Due the day it is raised: nothing to say.
    env.isms(&repo)
        .args([
            "--as-of",
            "2026-11-02",
            "new",
            "finding",
            "2026-011",
            "--due",
            "2026-11-02",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn an_owner_chosen_for_the_user_is_said_with_how_to_choose_another() {
    let env = Env::new();
    let repo = env.example("repo");
    // The author is a person: theirs, and nothing to say.
    env.isms(&repo)
        .args(["new", "evidence", "2026-12-a"])
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").not());
    assert!(read(&repo, "evidence/2026-12-a.toml").contains("collected_by = \"bob\"\n"));
    // No person's email: the first person, said, with the flag to change it.
    env.isms(&repo)
        .args(["new", "evidence", "2026-12-b"])
        .env("GIT_AUTHOR_EMAIL", "erin@elsewhere.example")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: collected_by = \"alice\", the first of the people in isms.toml by key: \
             git's author email, erin@elsewhere.example, is no person's there; \
             pass --collected-by WHO to name another\n",
        ));
    assert!(read(&repo, "evidence/2026-12-b.toml").contains("collected_by = \"alice\"\n"));
    env.isms(&repo)
        .args(["new", "finding", "2026-050"])
        .env("GIT_AUTHOR_EMAIL", "erin@elsewhere.example")
        .assert()
        .success()
        .stderr(
            predicate::str::contains("note: owner = \"alice\"")
                .and(predicate::str::contains("pass --owner WHO to name another")),
        );
    // Named: no note.
    env.isms(&repo)
        .args(["new", "finding", "2026-051", "--owner", "carol"])
        .env("GIT_AUTHOR_EMAIL", "erin@elsewhere.example")
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").not());
}

#[test]
fn evidence_like_an_earlier_record_renews_it_with_what_is_given_over_what_it_says() {
    let env = Env::new();
    let repo = env.example("repo");
    write(
        &repo,
        "november.md",
        "November's review of administrator activity.\n",
    );
    env.isms(&repo)
        .args(["new", "evidence", "2026-11-admin-log-review"])
        .args(["--like", "2026-10-admin-log-review"])
        .args(["--title", "November administrator activity review"])
        .args(["--collected", "2026-11-30", "--artifact", "november.md"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: kind, controls, services and valid_for as evidence/2026-10-admin-log-review.toml \
             has them; pass an option to give another\n",
        ));
    let text = read(&repo, "evidence/2026-11-admin-log-review.toml");
    for line in [
        "\ntitle = \"November administrator activity review\"\n",
        "\ncontrols = [\"CLD.12.1.5\", \"8.15\"]\n",
        "\nservices = [\"payments-api\"]\n",
        "\nkind = \"log-review\"\n",
        "\ncollected = 2026-11-30\n",
        "\nvalid_for = \"1mo\"\n",
        "\npath = \"files/november.md\"\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let (code, findings) = env.check(&repo, &[]);
    assert_eq!((code, findings.as_str()), (Some(0), ""));

    // What is given is taken over what the earlier record says; a title
    // alone is taken from it.
    env.isms(&repo)
        .args(["new", "evidence", "2026-h2-isolation-retest"])
        .args(["--like", "2026-h2-isolation-test", "--service", "tenant-db"])
        .args(["--valid-for", "3mo"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: title, kind and controls as evidence/2026-h2-isolation-test.toml has them; \
             pass an option to give another\n",
        ));
    let text = read(&repo, "evidence/2026-h2-isolation-retest.toml");
    assert!(
        text.contains("\ntitle = \"Second-half 2026 cross-tenant isolation test\"\n"),
        "{text}"
    );
    assert!(text.contains("\nservices = [\"tenant-db\"]\n"), "{text}");
    assert!(text.contains("\nvalid_for = \"3mo\"\n"), "{text}");

    // Git's author is the collector when they are a person here (alice,
    // above); an author who is no one's is not: whoever collected the
    // earlier record is, rather than the first person by key.
    env.isms(&repo)
        .args(["new", "evidence", "2026-12-admin-log-review"])
        .args(["--like", "2026-10-admin-log-review"])
        .env("GIT_AUTHOR_EMAIL", "erin@elsewhere.example")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: title, kind, controls, services, valid_for and collected_by as \
             evidence/2026-10-admin-log-review.toml has them; pass an option to give another\n",
        ));
    let text = read(&repo, "evidence/2026-12-admin-log-review.toml");
    assert!(text.contains("\ncollected_by = \"dave\"\n"), "{text}");
    assert!(
        read(&repo, "evidence/2026-11-admin-log-review.toml")
            .contains("\ncollected_by = \"alice\"\n")
    );

    // A record that is not there is named, with the one meant.
    env.isms(&repo)
        .args(["new", "evidence", "x", "--like", "2026-10-admin-log-reviw"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: evidence `2026-10-admin-log-reviw` does not exist (no evidence/2026-10-admin-log-reviw.toml)\n",
        ))
        .stderr(predicate::str::contains("2026-10-admin-log-review"));
    assert!(!repo.join("evidence/x.toml").exists());
    // One that does not parse is named at its line, and nothing is written.
    write(&repo, "evidence/broken.toml", "id = \"broken\"\ntitle = \n");
    env.isms(&repo)
        .args(["new", "evidence", "x", "--like", "broken"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: evidence/broken.toml:2:",
        ));
    assert!(!repo.join("evidence/x.toml").exists());
}

/// Without `--role`, a new service is ours in a provider's repository and
/// another's in a customer's; in one of both, another's when `--provider`
/// names someone else. A note says which and why.
#[test]
fn a_new_services_role_follows_the_organisation_unless_it_is_given() {
    let env = Env::new();
    let role_of = |repo: &std::path::Path, args: &[&str], note: Option<&str>| -> String {
        let out = env
            .isms(repo)
            .args(["new", "service"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8(out.stderr).unwrap();
        match note {
            Some(note) => assert!(
                stderr.starts_with(&format!("{note}; pass --role to say otherwise\n")),
                "{stderr}"
            ),
            None => assert!(!stderr.contains("role ="), "{stderr}"),
        }
        let file = read(repo, &format!("services/{}.toml", args[0]));
        let line = file.lines().find(|l| l.starts_with("role = ")).unwrap();
        line.split('"').nth(1).unwrap().to_owned()
    };
    // The example organisation is both.
    let both = env.example("both");
    let ours = role_of(
        &both,
        &["billing", "--model", "saas"],
        Some("note: role = \"provider\": no --provider names another organisation"),
    );
    assert_eq!(ours, "provider");
    let theirs = role_of(
        &both,
        &["s3", "--model", "iaas", "--provider", "Amazon Web Services"],
        Some("note: role = \"customer\": --provider names another organisation"),
    );
    assert_eq!(theirs, "customer");
    let named = role_of(
        &both,
        &[
            "ledger",
            "--model",
            "saas",
            "--provider",
            "Example Cloud Ltd",
        ],
        Some("note: role = \"provider\": no --provider names another organisation"),
    );
    assert_eq!(named, "provider");
    let given = role_of(
        &both,
        &["edge", "--model", "paas", "--role", "customer"],
        None,
    );
    assert_eq!(given, "customer");
    // A customer's repository: what it adds, it consumes.
    env.isms(env.path())
        .args(["init", "--role", "customer", "--org", "Acme", "acme"])
        .assert()
        .success();
    let acme = env.path().join("acme");
    let consumed = role_of(
        &acme,
        &["compute", "--model", "iaas", "--provider", "AWS"],
        Some("note: role = \"customer\": the organisation is a customer"),
    );
    assert_eq!(consumed, "customer");
}
