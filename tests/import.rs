//! `isms import allocations FILE` end to end: the allocations report as
//! CSV, edited as a spreadsheet edits it, taken back field by field.

mod common;

use std::path::Path;

use common::{Env, read, write};

/// The table `isms report ARGS --format csv` gives, as rows of cells.
fn exported(env: &Env, repo: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let args = [&["report"], args, &["--format", "csv"]].concat();
    let (code, csv, stderr) = env.run(repo, &args);
    assert_eq!(code, Some(0), "{stderr}");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// `rows` as a spreadsheet saves them: CRLF line ends, a byte-order mark.
fn saved(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    format!(
        "\u{feff}{}",
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    )
}

/// Sets the cell of `column` in the row of `control`.
fn set(rows: &mut [Vec<String>], control: &str, column: &str, value: &str) {
    let at = rows[0].iter().position(|c| c == column).unwrap();
    let row = rows.iter_mut().find(|r| r[1] == control).unwrap();
    row[at] = value.to_owned();
}

#[test]
fn duties_edited_in_a_spreadsheet_are_taken_back_field_by_field() {
    let env = Env::new();
    let repo = env.example("demo");
    let mut rows = exported(&env, &repo, &["allocations", "--service", "payments-api"]);
    assert_eq!(
        rows[0],
        [
            "service",
            "control",
            "title",
            "party",
            "provider",
            "customer",
            "justification",
            "owner"
        ]
    );
    assert_eq!(rows.len(), 1 + 47, "a row an allocation of payments-api");

    // As exported, nothing changes.
    write(&repo, "duties.csv", saved(&rows));
    let (code, stdout, stderr) = env.run(&repo, &["import", "allocations", "duties.csv"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert_eq!(
        stderr,
        "nothing to import: every allocation of duties.csv is as its file has it (47 rows)\n"
    );
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        "?? duties.csv\n"
    );

    set(
        &mut rows,
        "5.1",
        "customer",
        "Each merchant reviews its policies.\nYearly.",
    );
    set(&mut rows, "8.15", "party", "not-applicable");
    set(
        &mut rows,
        "8.15",
        "justification",
        "Payments API keeps no logs of its own.",
    );
    set(&mut rows, "5.2", "owner", "carol");
    // The control's title is not the allocation's to change.
    set(&mut rows, "5.8", "title", "Project security");
    write(&repo, "duties.csv", saved(&rows));
    let file = "responsibilities/payments-api/5.1.toml";
    // An uncommitted edit of a file the import changes, kept.
    write(
        &repo,
        file,
        read(&repo, file).replace("justification = \"\"", "justification = \"\" # none"),
    );

    let (code, stdout, stderr) = env.run(&repo, &["import", "allocations", "duties.csv"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert_eq!(
        stderr,
        "updated 3 allocations from duties.csv: party 1, customer 1, justification 1, owner 1\n\
         updated .github/CODEOWNERS\n\
         note: `title` is the control's, in controls/, and was not imported; the table gives another in 1 row\n\
         next: `isms check`, then review the change with `isms diff --uncommitted` and commit it\n"
    );
    let numstat = env.git(&repo, &["diff", "--numstat"]);
    let changed: Vec<&str> = numstat
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(
        changed,
        [
            ".github/CODEOWNERS",
            "responsibilities/payments-api/5.1.toml",
            "responsibilities/payments-api/5.2.toml",
            "responsibilities/payments-api/8.15.toml",
        ]
    );
    let text = read(&repo, file);
    assert!(
        text.contains(
            "party = \"shared\"           # provider | customer | shared | not-applicable\n"
        ),
        "{text}"
    );
    assert!(text.contains("justification = \"\" # none\n"), "{text}");
    let v: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(
        v["customer"].as_str(),
        Some("Each merchant reviews its policies.\nYearly.")
    );
    let v: toml::Table =
        toml::from_str(&read(&repo, "responsibilities/payments-api/8.15.toml")).unwrap();
    assert_eq!(v["party"].as_str(), Some("not-applicable"));
    assert_eq!(
        v["justification"].as_str(),
        Some("Payments API keeps no logs of its own.")
    );
    assert!(
        read(&repo, ".github/CODEOWNERS")
            .contains("/responsibilities/payments-api/5.2.toml @carol-diaz\n")
    );
    let (code, stdout, _) = env.run(&repo, &["check"]);
    assert_eq!(code, Some(0), "{stdout}");
    // And the report gives back what was imported.
    let again = exported(&env, &repo, &["allocations", "--service", "payments-api"]);
    let row = |rows: &[Vec<String>], control: &str| rows.iter().find(|r| r[1] == control).cloned();
    for control in ["5.1", "5.2", "8.15"] {
        assert_eq!(row(&again, control), row(&rows, control), "{control}");
    }
}

#[test]
fn every_row_that_cannot_be_imported_is_named_by_its_line_and_nothing_is_written() {
    let env = Env::new();
    let repo = env.example("demo");
    let table = "service,control,party,owner\n\
                 payments-api,5.1,shared,bob\n\
                 payments-api,5.1,customer,bob\n\
                 payments-api,5.1,provider,bob\n\
                 ,5.1,provider,bob\n\
                 payments,5.2,shared,bob\n\
                 payments-api,5.3,shared,bob\n\
                 payments-api,5.5,custmer,bob\n\
                 payments-api,5.8,shared,bobby\n\
                 payments-api,8.15,customer,bob\n";
    let (code, stdout, stderr) = env.run_with(&repo, &["import", "allocations", "-"], table);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert_eq!(
        stderr,
        "error: (standard input): 7 rows cannot be imported; nothing was written:\n  \
         (standard input):3: payments-api/5.1 is on line 2 too: one row an allocation\n  \
         (standard input):4: payments-api/5.1 is on line 2 too: one row an allocation\n  \
         (standard input):5: `service` is empty: each row names its allocation\n  \
         (standard input):6: no service `payments`\n  \
         (standard input):7: payments-api has no allocation of 5.3 to import into; `isms new allocation payments-api 5.3` makes one\n  \
         (standard input):8: party `custmer` is none of provider, customer, shared or not-applicable; did you mean `customer`?\n  \
         (standard input):9: owner `bobby` is not a person or team in isms.toml; did you mean `bob`?\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    for (table, said) in [
        (
            "service,control,custmer\n",
            "error: duties.csv:1: unknown column `custmer`: expected service, control, title, party, provider, customer, justification or owner\n  \
             hint: did you mean `customer`?\n",
        ),
        (
            "service;control;party\npayments-api;5.1;shared\n",
            "error: duties.csv:1: unknown column `service;control;party`: expected service, control, title, party, provider, customer, justification or owner\n  \
             hint: its columns are separated by `;`: save it as CSV, separated by commas\n",
        ),
        (
            "control,party\n5.1,shared\n",
            "error: duties.csv:1: no `service` column: each row names its allocation by `service` and `control`\n",
        ),
    ] {
        write(&repo, "duties.csv", table);
        let (code, _, stderr) = env.run(&repo, &["import", "allocations", "duties.csv"]);
        assert_eq!(code, Some(2), "{table}");
        assert_eq!(stderr, said, "{table}");
    }
    // No file named at all.
    let (code, _, stderr) = env.run(&repo, &["import", "allocations", ""]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("error: a value is required for '<FILE>' but none was supplied"),
        "{stderr}"
    );
    // A pipe (`<(…)`) is not opened: standard input reads one.
    let fifo = env.path().join("pipe.csv");
    assert!(env.command("mkfifo").arg(&fifo).status().unwrap().success());
    env.isms(&repo)
        .args(["import", "allocations"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(format!(
            "error: could not read {}\n  caused by: it is a named pipe (FIFO)\n  \
             hint: a pipe is read as standard input: `… | isms import allocations -`\n",
            fifo.display()
        ));
    // Saved in a spreadsheet's legacy encoding.
    write(
        &repo,
        "duties.csv",
        b"service,control,customer\npayments-api,5.1,Caf\xe9\n",
    );
    let (code, _, stderr) = env.run(&repo, &["import", "allocations", "duties.csv"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: duties.csv is not UTF-8 text\n  \
         hint: save it from the spreadsheet as CSV in UTF-8 (\"CSV UTF-8\")\n"
    );
    assert_eq!(
        env.git(&repo, &["status", "--porcelain"]),
        "?? duties.csv\n"
    );
}

#[test]
fn a_value_written_as_a_spreadsheet_user_writes_it_is_refused_with_the_one_meant() {
    let env = Env::new();
    let repo = env.example("demo");
    let table = "service,control,party\n\
                 payments-api,5.1,N/A\n\
                 payments-api,5.2,Both\n\
                 payments-api,5.5,sometimes\n";
    let (code, _, stderr) = env.run_with(&repo, &["import", "allocations", "-"], table);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: (standard input): 3 rows cannot be imported; nothing was written:\n  \
         (standard input):2: party `N/A` is none of provider, customer, shared or not-applicable; did you mean `not-applicable`?\n  \
         (standard input):3: party `Both` is none of provider, customer, shared or not-applicable; did you mean `shared`?\n  \
         (standard input):4: party `sometimes` is none of provider, customer, shared or not-applicable\n"
    );
    // The same in a file `check` reads.
    let file = "responsibilities/payments-api/5.1.toml";
    let text = read(&repo, file);
    let party = text.lines().find(|l| l.starts_with("party = ")).unwrap();
    write(&repo, file, text.replace(party, "party = \"both\""));
    let (code, stdout, _) = env.run(&repo, &["check", file]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("error[invalid-value]: `both` is not one of: provider, customer, shared, not-applicable\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("= hint: did you mean `shared`?\n"),
        "{stdout}"
    );
}

#[test]
fn a_dry_run_shows_each_change_as_a_diff_and_writes_nothing() {
    let env = Env::new();
    let repo = env.example("demo");
    let table =
        "service,control,customer\r\ntenant-db,5.1,\"Tenants review\r\ntheir policies.\"\r\n";
    let (code, stdout, stderr) =
        env.run_with(&repo, &["import", "allocations", "-", "--dry-run"], table);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with(
            "--- a/responsibilities/tenant-db/5.1.toml\n+++ b/responsibilities/tenant-db/5.1.toml\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n+customer = \"\"\"\n+Tenants review\n+their policies.\"\"\"\n"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "would update 1 allocation from (standard input): customer 1; nothing was written\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    // What `check` and the hook would refuse is said before it is written.
    let table = "service,control,customer\ntenant-db,5.1,\n";
    let (code, stdout, stderr) =
        env.run_with(&repo, &["import", "allocations", "-", "--dry-run"], table);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("\n+customer = \"\"\n"), "{stdout}");
    assert_eq!(
        stderr,
        "warning: `isms check` would find 1 error in what would be imported:\n  \
         responsibilities/tenant-db/5.1.toml:4:1: party is `shared` but `customer` is empty: say what the customer does\n\
         would update 1 allocation from (standard input): customer 1; nothing was written\n"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");

    // Imported, it is said at once.
    let (code, _, stderr) = env.run_with(&repo, &["import", "allocations", "-"], table);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "updated 1 allocation from (standard input): customer 1\n\
         warning: `isms check` finds 1 error in what was imported:\n  \
         responsibilities/tenant-db/5.1.toml:4:1: party is `shared` but `customer` is empty: say what the customer does\n\
         next: `isms check`, then review the change with `isms diff --uncommitted` and commit it\n"
    );
}

#[test]
fn a_statement_of_applicability_written_in_a_spreadsheet_is_taken_back() {
    let env = Env::new();
    let repo = env.path().join("isms");
    let (code, _, stderr) = env.run(env.path(), &["init", "isms"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (_, json, _) = env.run(&repo, &["--format", "json", "check"]);
    assert!(json.contains("\"rule\": \"soa-justification\""), "{json}");
    // A control of our own, its decision still to make.
    write(
        &repo,
        "controls/ACME-1.toml",
        "id = \"ACME-1\"\ntitle = \"Tenant offboarding\"\nframework = \"Internal\"\n\
         owner = \"isms-owner\"\nmatrix = false\n",
    );

    let mut soa = exported(&env, &repo, &["soa"]);
    let header = soa[0].clone();
    let column = |name: &str| header.iter().position(|c| c == name).unwrap();
    for row in soa.iter_mut().skip(1) {
        let justification = format!("Needed: {}.", row[column("title")].to_lowercase());
        row[column("justification")] = justification;
    }
    let row =
        |soa: &[Vec<String>], control: &str| soa.iter().position(|r| r[0] == control).unwrap();
    let at = row(&soa, "7.1");
    soa[at][column("applicable")] = "no".into();
    soa[at][column("status")] = "not-applicable".into();
    soa[at][column("justification")] = "No premises: staff work remotely.".into();
    let at = row(&soa, "5.1");
    soa[at][column("status")] = "implemented".into();
    let own = row(&soa, "ACME-1");
    assert_eq!(soa[own][column("applicable")], "undecided");
    // Only a justification, where no decision was made: refused, with what
    // it needs.
    write(&repo, "soa.csv", saved(&soa));
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "error: soa.csv: 1 row cannot be imported; nothing was written:\n  \
             soa.csv:{}: ACME-1 has no SoA decision yet: give its `applicable` too (yes or no)\n",
            own + 1
        )
    );
    soa[own][column("applicable")] = "TRUE".into();
    soa[own][column("status")] = "planned".into();
    write(&repo, "soa.csv", saved(&soa));

    let (code, stdout, stderr) = env.run(&repo, &["import", "soa", "soa.csv"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
    assert_eq!(
        stderr,
        "updated 101 controls from soa.csv: applicable 2, justification 101, status 3\n\
         next: `isms check`, then review the change with `isms diff --uncommitted` and commit it\n"
    );
    let (code, json, _) = env.run(&repo, &["--format", "json", "check"]);
    assert_eq!(code, Some(0), "{json}");
    assert!(!json.contains("soa-justification"), "{json}");
    let c: toml::Table = toml::from_str(&read(&repo, "controls/7.1.toml")).unwrap();
    assert_eq!(c["soa"]["applicable"].as_bool(), Some(false));
    assert_eq!(c["soa"]["status"].as_str(), Some("not-applicable"));
    let text = read(&repo, "controls/5.1.toml");
    assert!(
        text.contains(
            "status = \"implemented\"        # planned | partial | implemented | not-applicable\n"
        ),
        "{text}"
    );
    let c: toml::Table = toml::from_str(&read(&repo, "controls/ACME-1.toml")).unwrap();
    assert_eq!(c["soa"]["applicable"].as_bool(), Some(true));
    assert_eq!(
        c["soa"]["justification"].as_str(),
        Some("Needed: tenant offboarding.")
    );
    // The report gives back what was imported.
    let after = exported(&env, &repo, &["soa"]);
    let decided = &after[row(&after, "7.1")];
    assert_eq!(
        ["applicable", "justification", "status"].map(|c| decided[column(c)].as_str()),
        ["no", "No premises: staff work remotely.", "not-applicable"]
    );

    // Emptied, a decision is not undone by a table.
    let at = row(&soa, "5.2");
    soa[at][column("applicable")] = String::new();
    write(&repo, "soa.csv", saved(&soa));
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.ends_with(&format!(
            "soa.csv:{}: applicable is empty, and 5.2 has a decision (applicable: yes): \
             expected yes or no; a decision is undone in its file, not by a table\n",
            at + 1
        )),
        "{stderr}"
    );
}

#[test]
fn an_id_a_spreadsheet_read_as_a_number_is_refused_not_imported_into_another_control() {
    let env = Env::new();
    let repo = env.example("demo");
    // A spreadsheet opens the CSV and saves `5.20` as the number 5.2: the
    // row keeps 5.20's title and duties.
    let mut rows = exported(&env, &repo, &["allocations", "--service", "tenant-db"]);
    let control = rows[0].iter().position(|c| c == "control").unwrap();
    set(
        &mut rows,
        "5.20",
        "customer",
        "Tenants vet their suppliers.",
    );
    for row in &mut rows {
        if row[control] == "5.20" {
            row[control] = "5.2".to_owned();
        }
    }
    let table = saved(&rows);
    let line = 1 + rows
        .iter()
        .position(|r| r[1] == "5.2" && r[2].starts_with("Addressing"))
        .unwrap();
    let (code, _, stderr) = env.run_with(&repo, &["import", "allocations", "-"], &table);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: (standard input): 1 row cannot be imported; nothing was written:\n  \
             (standard input):{line}: the row names 5.2, but its title is 5.20's (\"Addressing information security within supplier agreements\"); \
             a spreadsheet read 5.20 as the number 5.2: format the `control` column as text before the table is opened, or import the CSV with that column as text\n"
        )
    );
    // Without the title, the row is 5.2's twice.
    let first = 1 + rows.iter().position(|r| r[1] == "5.2").unwrap();
    let title = rows[0].iter().position(|c| c == "title").unwrap();
    for row in &mut rows {
        row.remove(title);
    }
    let (code, _, stderr) = env.run_with(&repo, &["import", "allocations", "-"], &saved(&rows));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "(standard input):{line}: tenant-db/5.2 is on line {first} too: one row an allocation; \
             a spreadsheet read 5.20 as the number 5.2"
        )),
        "{stderr}"
    );
    assert_eq!(env.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn cells_isms_works_out_are_named_when_the_table_changes_them_not_dropped_unsaid() {
    let env = Env::new();
    let repo = env.example("demo");
    let mut soa = exported(&env, &repo, &["soa"]);
    let header = soa[0].clone();
    let column = |name: &str| header.iter().position(|c| c == name).unwrap();
    let row =
        |soa: &[Vec<String>], control: &str| soa.iter().position(|r| r[0] == control).unwrap();
    // A review typed into the table, and an owner's name changed: neither
    // is the file's to hold.
    let at = row(&soa, "5.1");
    soa[at][column("last_review")] = "2026-12-01".into();
    soa[at][column("review_state")] = "ok".into();
    let at = row(&soa, "5.2");
    soa[at][column("owner_name")] = "Someone Else".into();
    let table = saved(&soa);
    let (code, _, stderr) = env.run_with(&repo, &["import", "soa", "-"], &table);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "nothing to import: every control of (standard input) is as its file has it (100 rows)\n\
         note: `owner_name` and `last_review` are worked out by isms (from the settings, the files and the review record) and were not imported; the table gives others in 2 rows\n"
    );

    // An owner and the name that goes with it: the name is the new owner's
    // once imported, and nothing is said of it.
    let mut soa = exported(&env, &repo, &["soa"]);
    let at = row(&soa, "5.2");
    soa[at][column("owner")] = "bob".into();
    soa[at][column("owner_name")] = "Bob Okafor".into();
    let (code, _, stderr) = env.run_with(&repo, &["import", "soa", "-", "--dry-run"], &saved(&soa));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "would update 1 control from (standard input): owner 1; nothing was written\n"
    );

    // Where the record cannot be read, the cells are not compared, and
    // that is said; the import itself goes on.
    let record = env.git(&repo, &["branch", "--show-current"]);
    env.git(&repo, &["checkout", "-q", "-b", "elsewhere"]);
    env.git(&repo, &["branch", "-q", "-D", record.trim()]);
    let (code, _, stderr) = env.run_with(&repo, &["import", "soa", "-"], &table);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "nothing to import: every control of (standard input) is as its file has it (100 rows)\n\
             note: the table's review and evidence columns were not compared with the review record: the record branch `{}` does not exist\n",
            record.trim()
        )
    );
}

#[test]
fn a_table_made_before_a_later_commit_names_what_it_would_undo() {
    let env = Env::new();
    let repo = env.example("demo");
    // Alice exports the table and edits it for a while…
    let mut soa = exported(&env, &repo, &["soa"]);
    let header = soa[0].clone();
    let column = |name: &str| header.iter().position(|c| c == name).unwrap();
    let row =
        |soa: &[Vec<String>], control: &str| soa.iter().position(|r| r[0] == control).unwrap();
    // …while Bob commits two changes the table does not have.
    let edit = |path: &str, from: &str, to: &str| {
        let text = read(&repo, path);
        assert!(text.contains(from), "{text}");
        write(&repo, path, text.replacen(from, to, 1));
    };
    edit(
        "controls/5.3.toml",
        "status = \"implemented\"",
        "status = \"partial\"",
    );
    edit("controls/5.4.toml", "owner = \"alice\"", "owner = \"bob\"");
    let bob = ["--author", "Bob Okafor <bob@example.com>"];
    env.git(
        &repo,
        &[&["commit", "-qam", "5.3 partial; 5.4 to bob"][..], &bob].concat(),
    );
    let commit = env.git(&repo, &["rev-parse", "--short=10", "HEAD"]);
    // A later commit that changes other fields of 5.3 does not hide it.
    edit(
        "controls/5.3.toml",
        "justification = \"",
        "justification = \"Reviewed. ",
    );
    env.git(
        &repo,
        &[&["commit", "-qam", "5.3 reviewed"][..], &bob].concat(),
    );
    let at = row(&soa, "5.3");
    soa[at][column("justification")] = format!("Reviewed. {}", soa[at][column("justification")]);
    // Alice's own edit.
    let at = row(&soa, "5.5");
    soa[at][column("status")] = "partial".into();
    write(&repo, "soa.csv", saved(&soa));

    let warning = format!(
        "warning: soa.csv would set 2 fields back to an earlier value, undoing a later change:\n  \
         5.3 status: `partial` → `implemented`, as it was before {c} (2026-11-02, Bob Okafor: 5.3 partial; 5.4 to bob)\n  \
         5.4 owner: `bob` → `alice`, as it was before {c} (2026-11-02, Bob Okafor: 5.3 partial; 5.4 to bob)\n  \
         hint: a table exported before a change undoes it; if that is not meant, export the table again \
         (`isms report soa --format csv`), redo the edits and import it\n",
        c = commit.trim()
    );
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv", "--dry-run"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "{warning}would update 3 controls from soa.csv: status 2, owner 1; nothing was written\n"
        )
    );
    // Imported all the same, it says what it did.
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&warning.replace(" would set ", " set ")),
        "{stderr}"
    );
    env.git(&repo, &["checkout", "-q", "--", "controls", ".github"]);

    // Exported again, the same edit undoes nothing, and nothing is said.
    let mut soa = exported(&env, &repo, &["soa"]);
    let at = row(&soa, "5.5");
    soa[at][column("status")] = "partial".into();
    write(&repo, "soa.csv", saved(&soa));
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "updated 1 control from soa.csv: status 1\n\
         next: `isms check`, then review the change with `isms diff --uncommitted` and commit it\n"
    );

    // A field edited by hand since, not committed: the table's value is
    // HEAD's, and the edit would be lost unsaid.
    edit(
        "controls/5.6.toml",
        "status = \"implemented\"",
        "status = \"partial\"",
    );
    let (code, _, stderr) = env.run(&repo, &["import", "soa", "soa.csv", "--dry-run"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.starts_with(
            "warning: soa.csv would set 1 field back to an earlier value, undoing a later change:\n  \
             5.6 status: `partial` → `implemented`, as HEAD has it: the file's uncommitted edit is replaced\n"
        ),
        "{stderr}"
    );
}
