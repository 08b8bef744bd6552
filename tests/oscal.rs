//! `isms export oscal`: OSCAL documents that NIST's schema and
//! compliance-trestle accept, carrying the responsibility matrix, the same
//! bytes for the same commit.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Env, read, run_tool, success, write};
use serde_json::Value;

const AS_OF: &str = "2026-11-02";
const DOCS: [&str; 5] = [
    "catalog.json",
    "component-definitions/payments-api.json",
    "component-definitions/tenant-db.json",
    "profile.json",
    "ssp.json",
];

fn export(env: &Env, repo: &Path, out: &str) -> std::process::Output {
    env.isms(repo)
        .args(["--as-of", AS_OF, "export", "oscal", "--out", out])
        .output()
        .unwrap()
}

fn exported(env: &Env) -> (std::path::PathBuf, std::path::PathBuf) {
    let repo = env.example_on_main(Some(AS_OF));
    success(export(env, &repo, "../oscal"));
    (repo, env.path().join("oscal"))
}

fn json(dir: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(dir, rel)).unwrap()
}

/// Validates `files` against NIST's OSCAL 1.2 complete schema.
fn nist_schema(files: &[std::path::PathBuf]) -> (bool, String) {
    let schema = std::env::var("OSCAL_SCHEMA")
        .unwrap_or_else(|_| panic!("OSCAL_SCHEMA is needed: run .ci/test, which fetches it"));
    run_tool(
        Command::new("check-jsonschema")
            .args(["--schemafile", &schema])
            .args(files),
        "check-jsonschema",
    )
}

/// Imports `file` (relative to `dir`, whose hrefs it follows) into the
/// trestle workspace `ws` as `name`: trestle validates it on the way in.
fn trestle_import(env: &Env, ws: &Path, dir: &Path, file: &str, name: &str) -> (bool, String) {
    run_tool(
        env.command("trestle").current_dir(dir).args([
            "import",
            "--trestle-root",
            ws.to_str().unwrap(),
            "-f",
            file,
            "-o",
            name,
        ]),
        "trestle",
    )
}

/// Runs oscal-validate on `file`, resolving references against `dir`.
fn oscal_validate(file: &Path, dir: &Path) -> (bool, String) {
    let tool = std::env::var("OSCAL_VALIDATE")
        .unwrap_or_else(|_| panic!("OSCAL_VALIDATE is needed: run .ci/test, which installs it"));
    run_tool(
        Command::new(tool).arg("--resolve").arg(dir).arg(file),
        "oscal-validate",
    )
}

#[test]
fn every_reference_resolves_across_the_documents_by_nists_constraints() {
    let env = Env::new();
    let (_, oscal) = exported(&env);
    for doc in DOCS {
        let (ok, report) = oscal_validate(&oscal.join(doc), &oscal);
        assert!(ok, "{doc}: {report}");
        assert!(report.contains(" 0 ERROR,"), "{doc}: {report}");
    }
    // A control the profile does not have, and a role nobody defined, are caught.
    let mut ssp = json(&oscal, "ssp.json");
    let req =
        &mut ssp["system-security-plan"]["control-implementation"]["implemented-requirements"][0];
    req["control-id"] = "c-99.9".into();
    req["responsible-roles"][0]["role-id"] = "nobody".into();
    let bad = env.path().join("dangling.json");
    std::fs::write(&bad, ssp.to_string()).unwrap();
    let (ok, report) = oscal_validate(&bad, &oscal);
    assert!(!ok, "{report}");
    assert_eq!(
        report.matches("ERROR        REFERENCE_UNRESOLVED").count(),
        3,
        "{report}"
    );
}

#[test]
fn every_document_passes_nists_schema_and_compliance_trestle() {
    let env = Env::new();
    let (_, oscal) = exported(&env);
    let files: Vec<_> = DOCS.iter().map(|d| oscal.join(d)).collect();
    let (ok, report) = nist_schema(&files);
    assert!(ok, "{report}");

    // The schema is really applied: a control-id that is not an OSCAL token fails.
    let bad = env.path().join("bad-ssp.json");
    std::fs::write(
        &bad,
        read(&oscal, "ssp.json").replacen(
            "\"control-id\": \"c-5.1\"",
            "\"control-id\": \"5.1\"",
            1,
        ),
    )
    .unwrap();
    assert_ne!(
        read(&oscal, "ssp.json"),
        std::fs::read_to_string(&bad).unwrap()
    );
    let (ok, report) = nist_schema(&[bad]);
    assert!(
        !ok,
        "the schema must reject a control-id starting with a digit: {report}"
    );

    let ws = env.path().join("trestle");
    std::fs::create_dir(&ws).unwrap();
    let (ok, report) = run_tool(
        env.command("trestle").current_dir(&ws).arg("init"),
        "trestle",
    );
    assert!(ok, "{report}");
    for (file, name) in [
        ("catalog.json", "isms"),
        ("profile.json", "isms"),
        ("ssp.json", "isms"),
        ("component-definitions/payments-api.json", "payments-api"),
        ("component-definitions/tenant-db.json", "tenant-db"),
    ] {
        let (ok, report) = trestle_import(&env, &ws, &oscal, file, name);
        assert!(ok, "trestle import {file}: {report}");
    }
    // Run beside the export, so the plan's profile and the profile's catalog resolve.
    let (ok, report) = run_tool(
        env.command("trestle").current_dir(&oscal).args([
            "validate",
            "--trestle-root",
            ws.to_str().unwrap(),
            "--all",
        ]),
        "trestle",
    );
    assert!(ok, "{report}");
    assert_eq!(report.matches("VALID: Model").count(), 5, "{report}");
    assert!(!report.contains("WARNING"), "{report}");

    // And trestle refuses what is not OSCAL: a plan without its profile.
    let mut broken = json(&oscal, "ssp.json");
    broken["system-security-plan"]
        .as_object_mut()
        .unwrap()
        .remove("import-profile");
    write(&oscal, "broken.json", broken.to_string());
    let (ok, report) = trestle_import(&env, &ws, &oscal, "broken.json", "broken");
    assert!(
        !ok,
        "trestle must refuse an SSP without import-profile: {report}"
    );
}

#[test]
fn the_plan_carries_the_matrix_as_provided_responsibility_inherited_and_satisfied() {
    let env = Env::new();
    let (repo, oscal) = exported(&env);
    let ssp = &json(&oscal, "ssp.json")["system-security-plan"];
    assert_eq!(ssp["metadata"]["oscal-version"], "1.2.1");
    assert_eq!(ssp["import-profile"]["href"], "profile.json");
    // The system is described by the catalog it is held to.
    assert_eq!(
        ssp["system-characteristics"]["description"],
        "The cloud services Example Cloud Ltd provides and consumes, and the controls of its \
         ISMS (ISO/IEC 27002:2022, ISO/IEC 27017:2015)."
    );
    let components = ssp["system-implementation"]["components"]
        .as_array()
        .unwrap();
    let titles: Vec<&str> = components
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Example Cloud Ltd ISMS",
            "Northwind Compute",
            "Payments API",
            "Tenant Database"
        ]
    );
    let uuid_of =
        |title: &str| components.iter().find(|c| c["title"] == title).unwrap()["uuid"].clone();
    let requirement = |control: &str| {
        ssp["control-implementation"]["implemented-requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["control-id"] == control)
            .unwrap_or_else(|| panic!("{control} in the plan"))
            .clone()
    };
    let by = |control: &str, title: &str| {
        requirement(control)["by-components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["component-uuid"] == uuid_of(title))
            .unwrap_or_else(|| panic!("{control} on {title}"))
            .clone()
    };

    // Provided by us, on a service we provide: `provided`, no customer duty.
    let isolation = by("CLD.9.5.1", "Payments API");
    assert_eq!(
        isolation["export"]["provided"][0]["description"],
        "Per-tenant VPCs and encryption keys; isolation tested twice a year by an external tester."
    );
    assert!(isolation["export"].get("responsibilities").is_none());
    assert_eq!(isolation["implementation-status"]["state"], "implemented");

    // Shared on a provided service: what our customers must do, tied to what we provide.
    let removal = by("CLD.8.1.5", "Payments API");
    let export = &removal["export"];
    assert_eq!(
        export["responsibilities"][0]["description"],
        "Requests the export before the contract ends."
    );
    assert_eq!(
        export["responsibilities"][0]["provided-uuid"],
        export["provided"][0]["uuid"]
    );

    // On the service we consume: the provider's part is inherited, ours satisfied.
    let hardening = by("CLD.9.5.2", "Northwind Compute");
    assert!(hardening.get("export").is_none());
    assert_eq!(
        hardening["satisfied"][0]["description"],
        "Builds hardened images from the CIS benchmark; only required ports open; EDR agent baked in."
    );
    let isolation = by("CLD.9.5.1", "Northwind Compute");
    assert_eq!(
        isolation["inherited"][0]["description"],
        "Northwind's hypervisor isolates tenants; covered by its ISO/IEC 27017 certificate."
    );

    // An organisation-wide control is carried by the system itself.
    let org_wide = requirement("c-5.3");
    assert_eq!(
        org_wide["by-components"][0]["component-uuid"],
        uuid_of("Example Cloud Ltd ISMS")
    );

    // The profile selects exactly the applicable controls.
    let soa: Value = serde_json::from_slice(
        &env.isms(&repo)
            .args(["--as-of", AS_OF, "--format", "json", "report", "soa"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let applicable = soa["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["applicable"] == true)
        .count();
    let profile = json(&oscal, "profile.json");
    let ids = profile["profile"]["imports"][0]["include-controls"][0]["with-ids"]
        .as_array()
        .unwrap();
    assert_eq!(ids.len(), applicable);
    assert!(
        applicable < 121,
        "the example has controls that do not apply"
    );

    // A component definition per provided service, with what the provider does.
    assert!(
        !oscal
            .join("component-definitions/northwind-compute.json")
            .exists()
    );
    let cd = json(&oscal, "component-definitions/payments-api.json");
    let component = &cd["component-definition"]["components"][0];
    assert_eq!(component["title"], "Payments API");
    assert_eq!(component["type"], "service");
    let imp = &component["control-implementations"][0];
    assert_eq!(imp["source"], "../profile.json");
    let cld951 = imp["implemented-requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control-id"] == "CLD.9.5.1")
        .unwrap();
    assert_eq!(
        cld951["description"],
        "Per-tenant VPCs and encryption keys; isolation tested twice a year by an external tester."
    );
    assert_eq!(
        cld951["uuid"].as_str().unwrap().as_bytes()[14],
        b'5',
        "a v5 UUID"
    );
}

#[test]
fn one_commit_exports_the_same_bytes_and_an_export_replaces_only_an_export() {
    let env = Env::new();
    let (repo, oscal) = exported(&env);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = export(&env, &repo, "../oscal-2");
    assert_eq!(again.status.code(), Some(0));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains(": 5 OSCAL 1.2.1 documents (catalog, profile, system security plan, 2 component definitions) of commit "),
        "{said}"
    );
    for doc in DOCS {
        assert_eq!(
            read(&oscal, doc),
            read(&env.path().join("oscal-2"), doc),
            "{doc} differs between two exports of one commit"
        );
    }
    // Exporting over an earlier export replaces it: a file the earlier one
    // wrote (a service since removed) goes, a file of the user's stays.
    write(&oscal, "component-definitions/gone.json", "{}");
    let marker = read(&oscal, ".isms-export");
    write(
        &oscal,
        ".isms-export",
        format!("{marker}component-definitions/gone.json\n"),
    );
    write(&oscal, "README.md", "Our OSCAL export.\n");
    assert_eq!(export(&env, &repo, "../oscal").status.code(), Some(0));
    assert!(!oscal.join("component-definitions/gone.json").exists());
    assert!(oscal.join("ssp.json").exists());
    assert_eq!(read(&oscal, "README.md"), "Our OSCAL export.\n");

    // A directory isms did not write is left alone.
    let mine = env.path().join("mine");
    write(&mine, "notes.txt", "keep me");
    let out = export(&env, &repo, "../mine");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Named as it was written, not as `./../mine`.
    assert_eq!(
        stderr,
        "error: ../mine is not empty and was not written by isms; not touching it\n  \
         hint: name a new or empty directory\n"
    );
    assert_eq!(read(&mine, "notes.txt"), "keep me");
    assert!(!mine.join("ssp.json").exists());
    // So is a file named where the directory would go.
    let out = export(&env, &repo, "../mine/notes.txt");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: ../mine/notes.txt is a file, not a directory; not touching it\n  \
         hint: name a new or empty directory\n"
    );
    assert_eq!(read(&mine, "notes.txt"), "keep me");

    // A committed export with uncommitted edits is not replaced.
    assert_eq!(export(&env, &repo, "oscal").status.code(), Some(0));
    env.git(&repo, &["add", "oscal"]);
    env.git(&repo, &["commit", "-q", "-m", "OSCAL export"]);
    write(&repo, "oscal/ssp.json", "{\"edited\": true}");
    let out = export(&env, &repo, "oscal");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("oscal has uncommitted changes; not replacing it"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(&repo, "oscal/ssp.json"), "{\"edited\": true}");

    // Of the record's tip, the item files left out are said to be.
    write(&repo, "services/new.toml", "");
    env.isms(&repo)
        .args(["export", "oscal", "--out", "../tip"])
        .assert()
        .success()
        .stderr(predicates::str::ends_with(
            "\nnote: 1 item file has uncommitted changes, which the export leaves out: it holds commits alone\n",
        ));
}

#[test]
fn two_controls_that_would_share_an_oscal_id_are_named() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let text = read(&repo, "controls/5.3.toml").replace("id = \"5.3\"", "id = \"c-5.3\"");
    write(&repo, "controls/c-5.3.toml", text);
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-qm", "a second control"]);
    let out = export(&env, &repo, "../oscal");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "controls/c-5.3.toml and controls/5.3.toml both become OSCAL control `c-5.3`"
        ),
        "{stderr}"
    );
    assert!(!env.path().join("oscal").exists());
}

#[test]
fn the_export_reads_a_commit_never_the_working_tree() {
    let env = Env::new();
    let repo = env.example_on_main(Some(AS_OF));
    let first = export(&env, &repo, "../a");
    assert_eq!(first.status.code(), Some(0));
    // An uncommitted edit changes nothing; `--rev` names another commit.
    let control = "controls/5.3.toml";
    let text = read(&repo, control);
    write(
        &repo,
        control,
        text.replace(
            "title = \"Segregation of duties\"",
            "title = \"Uncommitted\"",
        ),
    );
    assert_eq!(export(&env, &repo, "../b").status.code(), Some(0));
    assert_eq!(
        read(&env.path().join("a"), "catalog.json"),
        read(&env.path().join("b"), "catalog.json")
    );
    env.git(&repo, &["commit", "-qam", "retitle"]);
    assert_eq!(export(&env, &repo, "../c").status.code(), Some(0));
    assert!(read(&env.path().join("c"), "catalog.json").contains("Uncommitted"));
    let out = env
        .isms(&repo)
        .args([
            "--as-of", AS_OF, "export", "oscal", "--out", "../d", "--rev", "HEAD~1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read(&env.path().join("a"), "catalog.json"),
        read(&env.path().join("d"), "catalog.json")
    );
}
