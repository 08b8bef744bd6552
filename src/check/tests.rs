use super::*;
use crate::model::{Allocation, Control, Evidence, Service};
use crate::repo::FileKind;
use crate::testing::{doc, id};

const CONFIG: &str = r#"
[organization]
name = "Example"
role = "both"
[people.alice]
name = "Alice"
[teams.platform]
members = ["alice"]
"#;

fn control(cid: &str, matrix: bool, soa: &str) -> Doc<Control> {
    doc(
        FileKind::Control,
        &format!("controls/{cid}.toml"),
        &format!(
            "id = \"{cid}\"\ntitle = \"T\"\nframework = \"F\"\nowner = \"alice\"\nmatrix = {matrix}\n{soa}"
        ),
    )
}

const APPLICABLE: &str =
    "[soa]\napplicable = true\njustification = \"Tenant data.\"\nstatus = \"implemented\"\n";

fn service(sid: &str) -> Doc<Service> {
    doc(
        FileKind::Service,
        &format!("services/{sid}.toml"),
        &format!(
            "id = \"{sid}\"\nname = \"S\"\nrole = \"provider\"\nmodel = \"saas\"\nprovider = \"Us\"\nowner = \"platform\"\n"
        ),
    )
}

fn allocation(sid: &str, cid: &str, body: &str) -> Doc<Allocation> {
    doc(
        FileKind::Allocation,
        &format!("responsibilities/{sid}/{cid}.toml"),
        &format!("service = \"{sid}\"\ncontrol = \"{cid}\"\nowner = \"alice\"\n{body}"),
    )
}

/// A valid repository: one service, one matrix control with its allocation,
/// one organisation-wide control.
fn base() -> Snapshot {
    let mut s = Snapshot {
        config: Some(doc(FileKind::Config, "isms.toml", CONFIG)),
        ..Snapshot::default()
    };
    add_control(&mut s, control("CLD.9.5.1", true, APPLICABLE));
    add_control(&mut s, control("5.1.2", false, APPLICABLE));
    add_service(&mut s, service("api"));
    add_allocation(
        &mut s,
        allocation(
            "api",
            "CLD.9.5.1",
            "party = \"provider\"\nprovider = \"Per-tenant VPCs.\"\n",
        ),
    );
    s
}

fn add_control(s: &mut Snapshot, d: Doc<Control>) {
    let k = d.value.id.clone();
    s.present.controls.insert(k.clone());
    s.controls.insert(k, d);
}

fn add_service(s: &mut Snapshot, d: Doc<Service>) {
    let k = d.value.id.clone();
    s.present.services.insert(k.clone());
    s.services.insert(k, d);
}

fn add_allocation(s: &mut Snapshot, d: Doc<Allocation>) {
    let k = (d.value.service.clone(), d.value.control.clone());
    s.present.insert_allocation(k.0.clone(), k.1.clone());
    s.allocations.insert(k, d);
}

fn rules(s: &Snapshot) -> Vec<(&'static str, String, Option<usize>)> {
    check(s)
        .into_iter()
        .map(|d| (d.rule, d.file, d.line))
        .collect()
}

#[test]
fn a_complete_repository_has_no_findings() {
    assert_eq!(check(&base()), vec![]);
}

#[test]
fn a_missing_allocation_names_the_file_service_and_control() {
    let mut s = base();
    add_service(&mut s, service("db"));
    let found = check(&s);
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d.rule, "matrix-incomplete");
    assert_eq!(d.file, "responsibilities/db/CLD.9.5.1.toml");
    assert_eq!(
        d.message,
        "missing allocation: service `db` (services/db.toml) is in scope and control `CLD.9.5.1` (controls/CLD.9.5.1.toml:5) needs one per service"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("run `isms new allocation db CLD.9.5.1` to create it with the default party")
    );
}

#[test]
fn the_matrix_names_each_gap_between_allocations_present_and_orphaned() {
    let mut s = base();
    for cid in ["A.1", "A.3", "A.5"] {
        add_control(&mut s, control(cid, true, APPLICABLE));
    }
    let party = "party = \"provider\"\nprovider = \"x\"\n";
    // api has A.3 and an allocation for a control that does not exist
    // (A.2, between A.1 and A.3); db has only CLD.9.5.1.
    for cid in ["A.2", "A.3"] {
        add_allocation(&mut s, allocation("api", cid, party));
    }
    add_service(&mut s, service("db"));
    add_allocation(&mut s, allocation("db", "CLD.9.5.1", party));
    s.present.controls.insert(id("A.5"));
    s.present.insert_allocation(id("db"), id("A.5"));
    let got: Vec<_> = check(&s).into_iter().map(|d| (d.rule, d.file)).collect();
    assert_eq!(
        got,
        vec![
            (
                "allocation-orphan",
                "responsibilities/api/A.2.toml".to_owned()
            ),
            (
                "matrix-incomplete",
                "responsibilities/api/A.1.toml".to_owned()
            ),
            (
                "matrix-incomplete",
                "responsibilities/api/A.5.toml".to_owned()
            ),
            (
                "matrix-incomplete",
                "responsibilities/db/A.1.toml".to_owned()
            ),
            (
                "matrix-incomplete",
                "responsibilities/db/A.3.toml".to_owned()
            ),
        ]
    );
}

#[test]
fn out_of_scope_services_and_inapplicable_controls_need_no_allocation() {
    let mut s = base();
    let mut db = service("db");
    db.value.in_scope = false;
    add_service(&mut s, db);
    add_control(
        &mut s,
        control(
            "CLD.13.1.4",
            true,
            "[soa]\napplicable = false\njustification = \"No networks.\"\nstatus = \"not-applicable\"\n",
        ),
    );
    assert_eq!(check(&s), vec![]);
}

#[test]
fn shared_needs_both_texts_and_not_applicable_needs_a_justification() {
    let mut s = base();
    add_allocation(
        &mut s,
        allocation(
            "api",
            "CLD.9.5.1",
            "party = \"shared\"\nprovider = \"Isolation.\"\n",
        ),
    );
    let d = check(&s);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].rule, "allocation-duties");
    assert_eq!(
        d[0].message,
        "party is `shared` but `customer` is empty: say what the customer does"
    );
    assert_eq!(d[0].line, Some(4));

    add_allocation(
        &mut s,
        allocation("api", "CLD.9.5.1", "party = \"not-applicable\"\n"),
    );
    assert_eq!(
        rules(&s),
        vec![(
            "allocation-justification",
            "responsibilities/api/CLD.9.5.1.toml".into(),
            Some(4)
        )]
    );
}

#[test]
fn allocations_for_org_wide_or_missing_items_are_errors() {
    let mut s = base();
    add_allocation(
        &mut s,
        allocation("api", "5.1.2", "party = \"provider\"\nprovider = \"x\"\n"),
    );
    add_allocation(
        &mut s,
        allocation(
            "ghost",
            "CLD.9.5.1",
            "party = \"provider\"\nprovider = \"x\"\n",
        ),
    );
    let found = check(&s);
    let got: Vec<_> = found.iter().map(|d| (d.rule, d.file.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("allocation-not-matrix", "responsibilities/api/5.1.2.toml"),
            ("allocation-orphan", "responsibilities/ghost/CLD.9.5.1.toml"),
        ]
    );
    assert!(
        found[0]
            .message
            .contains("controls/5.1.2.toml:5 has matrix = false"),
        "{}",
        found[0].message
    );
}

#[test]
fn unknown_owner_suggests_a_known_one() {
    let mut s = base();
    add_service(&mut s, {
        let mut d = service("db");
        d.text = d
            .text
            .replace("owner = \"platform\"", "owner = \"platfrom\"");
        d.value.owner = id("platfrom");
        d
    });
    add_allocation(
        &mut s,
        allocation(
            "db",
            "CLD.9.5.1",
            "party = \"provider\"\nprovider = \"x\"\n",
        ),
    );
    let d = check(&s);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "owner `platfrom` is not a person or team in isms.toml"
    );
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `platform`?"));
    assert_eq!((d[0].line, d[0].column), (Some(6), Some(1)));
}

#[test]
fn ids_must_equal_file_names() {
    let mut s = base();
    let mut c = control("CLD.9.5.1", true, APPLICABLE);
    c.path = "controls/CLD.9.5.2.toml".into();
    s.controls.insert(id("CLD.9.5.2"), c);
    s.present.controls.insert(id("CLD.9.5.2"));
    let found = check(&s);
    let mismatch: Vec<_> = found.iter().filter(|d| d.rule == "id-mismatch").collect();
    assert_eq!(mismatch.len(), 1);
    assert_eq!(
        mismatch[0].message,
        "id `CLD.9.5.1` does not match the file name `CLD.9.5.2`"
    );
}

#[test]
fn soa_decisions_are_required_and_consistent() {
    let mut s = base();
    add_control(&mut s, control("6.1.2", false, ""));
    add_control(
        &mut s,
        control(
            "6.1.4",
            false,
            "[soa]\napplicable = false\nstatus = \"planned\"\n",
        ),
    );
    let got: Vec<_> = check(&s).into_iter().map(|d| d.message).collect();
    assert_eq!(
        got,
        vec![
            "control `6.1.2` has no Statement of Applicability decision",
            "control `6.1.4` is not applicable but has no justification",
            "control `6.1.4` is not applicable, so its status must be \"not-applicable\"",
        ]
    );
}

#[test]
fn a_file_among_the_artifacts_that_no_record_names_is_a_warning() {
    let mut s = base();
    s.evidence.insert(
        id("ev"),
        doc(
            FileKind::Evidence,
            "evidence/ev.toml",
            "id = \"ev\"\ntitle = \"T\"\nkind = \"k\"\ncollected = 2026-10-31\ncollected_by = \"alice\"\ncontrols = []\n\n[[artifacts]]\npath = \"files/q4/a.csv\"\nsha256 = \"aa\"\n",
        ),
    );
    s.present.evidence.insert(id("ev"));
    let files: Vec<String> = [
        "evidence/files/q4/a.csv",
        "evidence/files/q4/b.csv",
        "evidence/files/.gitkeep",
        "evidence/files/left-behind.pdf",
    ]
    .map(String::from)
    .to_vec();
    let warned: Vec<(String, bool, Option<usize>)> = unrecorded_artifacts(&s, &files)
        .into_iter()
        .map(|d| {
            assert_eq!(d.rule, "artifact-unrecorded");
            (d.file.clone(), d.is_error(), d.line)
        })
        .collect();
    assert_eq!(
        warned,
        vec![
            ("evidence/files/q4/b.csv".to_owned(), false, None),
            ("evidence/files/left-behind.pdf".to_owned(), false, None),
        ]
    );
    // A record that names a file not there may mean any of them, and so may
    // one that could not be read: none is judged.
    s.artifacts.insert(id("ev"), vec![ArtifactState::Missing]);
    assert!(unrecorded_artifacts(&s, &files).is_empty());
    s.artifacts.clear();
    s.present.evidence.insert(id("broken"));
    assert!(unrecorded_artifacts(&s, &files).is_empty());
}

#[test]
fn an_artifact_whose_name_is_not_utf8_is_to_be_renamed_not_recorded() {
    let s = base();
    // The listing shows a name that is not UTF-8 with U+FFFD in its place.
    let files = vec![
        "evidence/files/scan-\u{FFFD}.pdf".to_owned(),
        "evidence/files/scan.pdf".to_owned(),
    ];
    let hints: Vec<String> = unrecorded_artifacts(&s, &files)
        .into_iter()
        .map(|d| d.hint.unwrap_or_default())
        .collect();
    assert_eq!(hints.len(), 2);
    assert!(hints[0].contains("rename it with `git mv`"), "{}", hints[0]);
    assert!(!hints[0].contains("isms new evidence"), "{}", hints[0]);
    assert!(
        hints[1].starts_with("record it (`isms new evidence --artifact evidence/files/scan.pdf`"),
        "{}",
        hints[1]
    );
}

#[test]
fn artifact_states_become_precise_errors() {
    let mut s = base();
    let e: Doc<Evidence> = doc(
        FileKind::Evidence,
        "evidence/ev.toml",
        "id = \"ev\"\ntitle = \"T\"\nkind = \"k\"\ncollected = 2026-10-31\ncollected_by = \"alice\"\ncontrols = [\"CLD.9.5.1\", \"CLD.9.9.9\"]\n\n[[artifacts]]\npath = \"files/a.txt\"\nsha256 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n\n[[artifacts]]\npath = \"files/b.txt\"\nsha256 = \"bb\"\n\n[[artifacts]]\npath = \"../isms.toml\"\nsha256 = \"cc\"\n",
    );
    s.evidence.insert(id("ev"), e);
    s.artifacts.insert(
        id("ev"),
        vec![
            ArtifactState::Found {
                sha256: "b".repeat(64),
            },
            ArtifactState::Missing,
            ArtifactState::InvalidPath(
                "artifact path `../isms.toml` contains `..`; artifacts must stay inside evidence/"
                    .into(),
            ),
        ],
    );
    let got: Vec<_> = check(&s)
        .into_iter()
        .map(|d| (d.rule, d.line, d.message))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "unknown-reference",
                Some(6),
                "control `CLD.9.9.9` does not exist (no controls/CLD.9.9.9.toml)".into()
            ),
            (
                "artifact-hash",
                Some(10),
                format!(
                    "evidence/files/a.txt has changed: its sha256 is {}, the record says {}",
                    "b".repeat(64),
                    "a".repeat(64)
                )
            ),
            (
                "artifact-missing",
                Some(13),
                "artifact evidence/files/b.txt does not exist".into()
            ),
            (
                "artifact-path",
                Some(17),
                "artifact path `../isms.toml` contains `..`; artifacts must stay inside evidence/"
                    .into()
            ),
        ]
    );
}

#[test]
fn todo_placeholders_are_warnings_with_positions() {
    let mut s = base();
    add_allocation(
        &mut s,
        allocation(
            "api",
            "CLD.9.5.1",
            "party = \"provider\"\n# TODO in a comment is fine\nprovider = \"TODO: describe\"\n",
        ),
    );
    let d = check(&s);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].severity, crate::diagnostic::Severity::Warning);
    assert_eq!(d[0].message, "`provider` is still a TODO placeholder");
    assert_eq!((d[0].line, d[0].column), (Some(6), Some(13)));
}

#[test]
fn an_applicable_control_without_justification_is_a_warning_or_an_error() {
    let mut s = base();
    add_control(
        &mut s,
        control(
            "6.1.2",
            false,
            "[soa]\napplicable = true\njustification = \" \"\nstatus = \"planned\"\n",
        ),
    );
    let found: Vec<_> = check(&s)
        .into_iter()
        .map(|d| (d.rule, d.is_error(), d.line))
        .collect();
    assert_eq!(found, vec![("soa-justification", false, Some(8))]);
    let config = format!("{CONFIG}[review]\nrequire_inclusion_justification = true\n");
    s.config = Some(doc(FileKind::Config, "isms.toml", &config));
    let found: Vec<_> = check(&s)
        .into_iter()
        .map(|d| (d.rule, d.is_error()))
        .collect();
    assert_eq!(found, vec![("soa-justification", true)]);
}

fn catalog_control(cid: &str, framework: &str) -> Doc<Control> {
    doc(
        FileKind::Control,
        &format!("controls/{cid}.toml"),
        &format!(
            "id = \"{cid}\"\ntitle = \"T\"\nframework = \"{framework}\"\nowner = \"alice\"\nmatrix = false\n{APPLICABLE}"
        ),
    )
}

#[test]
fn a_control_of_another_edition_names_its_mapping() {
    let mut s = base();
    let config = format!("{CONFIG}[catalog]\nedition = \"2022\"\n");
    s.config = Some(doc(FileKind::Config, "isms.toml", &config));
    add_control(&mut s, catalog_control("9.1.1", "ISO/IEC 27002:2013"));
    add_control(&mut s, catalog_control("5.155", "ISO/IEC 27002:2022"));
    // An organisation's own control is not judged.
    add_control(
        &mut s,
        catalog_control("ACME-1", "Example internal controls"),
    );
    add_control(&mut s, catalog_control("5.15", "ISO/IEC 27002:2022"));
    let found: Vec<_> = check(&s)
        .into_iter()
        .map(|d| (d.rule, d.file, d.message, d.hint))
        .collect();
    let hint = Some(
        "this repository follows the 2022 catalog ([catalog] edition in isms.toml): use the control's 2022 ID"
            .to_owned(),
    );
    assert_eq!(
        found,
        vec![
            (
                "catalog-edition",
                "controls/5.1.2.toml".to_owned(),
                "control `5.1.2` is not in this repository's edition: 5.1.2 is ISO/IEC 27002:2013; in 2022 it is 5.1".to_owned(),
                hint.clone(),
            ),
            (
                "catalog-edition",
                "controls/5.155.toml".to_owned(),
                "control `5.155` (ISO/IEC 27002:2022) is not in the 2022 catalog (ISO/IEC 27001:2022 Annex A with ISO/IEC 27017:2015)".to_owned(),
                Some("did you mean `5.15`?".to_owned()),
            ),
            (
                "catalog-edition",
                "controls/9.1.1.toml".to_owned(),
                "control `9.1.1` is not in this repository's edition: 9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15".to_owned(),
                hint,
            ),
        ]
    );
}

#[test]
fn without_readable_settings_no_control_is_judged_against_an_edition() {
    let mut s = base();
    add_control(&mut s, catalog_control("5.15", "ISO/IEC 27002:2022"));
    add_control(&mut s, catalog_control("9.1.1", "ISO/IEC 27002:2013"));
    let edition_findings = |s: &Snapshot| {
        check(s)
            .into_iter()
            .filter(|d| d.rule == "catalog-edition")
            .map(|d| d.file)
            .collect::<Vec<_>>()
    };
    // With settings that name no edition, the repository is 2013.
    assert_eq!(edition_findings(&s), vec!["controls/5.15.toml".to_owned()]);
    // Settings that could not be read name none: the edition is unknown.
    s.config = None;
    assert_eq!(edition_findings(&s), Vec::<String>::new());
}

#[test]
fn a_key_in_annex_a_notation_is_named_without_its_prefix_in_either_edition() {
    use crate::model::ItemKey;
    let key = |id: &str| ItemKey::Control(Id::parse(id).unwrap());
    let mut s = base();
    s.config = Some(doc(
        FileKind::Config,
        "isms.toml",
        &format!("{CONFIG}[catalog]\nedition = \"2022\"\n"),
    ));
    assert_eq!(
        edition_note(&key("A.5.16"), &s),
        "; A.5.16 is Annex A notation: controls are named without `A.`, here 5.16"
    );
    assert_eq!(
        edition_note(&key("A.9.2.1"), &s),
        "; A.9.2.1 is Annex A notation: controls are named without `A.`, and 9.2.1 is ISO/IEC 27002:2013; in 2022 it is 5.16"
    );
    assert_eq!(
        edition_note(
            &ItemKey::Allocation(Id::parse("api").unwrap(), Id::parse("A.8.15").unwrap()),
            &s
        ),
        "; A.8.15 is Annex A notation: controls are named without `A.`, here 8.15"
    );
    // Neither edition has it: nothing to say.
    assert_eq!(edition_note(&key("A.99.1"), &s), "");
    assert_eq!(
        edition_note(&key("9.2.1"), &s),
        "; 9.2.1 is ISO/IEC 27002:2013; in 2022 it is 5.16"
    );
}

#[test]
fn the_mapping_names_every_counterpart_in_either_direction() {
    let legacy = Edition::LEGACY;
    let current = Edition::CURRENT;
    assert_eq!(
        other_edition(legacy, "5.15").as_deref(),
        Some("5.15 is ISO/IEC 27002:2022; in 2013 it is one of 9.1.1, 9.1.2")
    );
    assert_eq!(
        other_edition(legacy, "5.23").as_deref(),
        Some("5.23 is ISO/IEC 27002:2022; 2013 has no counterpart")
    );
    assert_eq!(
        other_edition(current, "12.4.3").as_deref(),
        Some("12.4.3 is ISO/IEC 27002:2013; in 2022 it is 8.15")
    );
    assert_eq!(other_edition(current, "CLD.9.5.1"), None);
    assert_eq!(other_edition(current, "ACME-1"), None);
}

#[test]
fn evidence_collected_after_the_date_is_an_error() {
    let mut s = base();
    let e: Doc<Evidence> = doc(
        FileKind::Evidence,
        "evidence/later.toml",
        "id = \"later\"\ntitle = \"T\"\ncontrols = []\nkind = \"k\"\ncollected = 2026-09-01\ncollected_by = \"alice\"\n",
    );
    s.present.evidence.insert(id("later"));
    s.evidence.insert(id("later"), e);
    let on = |d: &str| -> Vec<(&'static str, Option<usize>, String)> {
        dated(&s, d.parse().unwrap())
            .into_iter()
            .map(|d| (d.rule, d.line, d.message))
            .collect()
    };
    assert_eq!(on("2026-09-01"), vec![]);
    assert_eq!(
        on("2026-07-06"),
        vec![(
            "evidence-future",
            Some(5),
            "collected 2026-09-01, after 2026-07-06: evidence cannot predate its collection"
                .to_owned()
        )]
    );
}

#[test]
fn an_evidence_kind_a_typo_away_from_one_its_controls_ask_for_is_a_warning() {
    let mut s = base();
    add_control(
        &mut s,
        control(
            "5.18",
            false,
            &format!(
                "[[evidence_required]]\nkind = \"access-review\"\nevery = \"6mo\"\n{APPLICABLE}"
            ),
        ),
    );
    let found = |kind: &str,
                 controls: &str|
     -> Vec<(bool, Option<usize>, String, Option<String>)> {
        let mut s = s.clone();
        s.present.evidence.insert(id("e1"));
        s.evidence.insert(
            id("e1"),
            doc(
                FileKind::Evidence,
                "evidence/e1.toml",
                &format!(
                    "id = \"e1\"\ntitle = \"T\"\ncontrols = [{controls}]\nkind = \"{kind}\"\ncollected = 2026-07-01\ncollected_by = \"alice\"\n"
                ),
            ),
        );
        check(&s)
            .into_iter()
            .filter(|d| d.rule == "evidence-kind")
            .map(|d| (d.is_error(), d.line, d.message, d.hint))
            .collect()
    };
    for kind in ["acess-review", "Access-Review", "access-reviews"] {
        assert_eq!(
            found(kind, "\"5.18\""),
            vec![(
                false,
                Some(4),
                format!(
                    "kind `{kind}` is not one its controls ask for, so the record meets none of their requirements"
                ),
                Some("did you mean `access-review`?".to_owned())
            )],
            "{kind}"
        );
    }
    // The kind asked for; another kind altogether (evidence beyond what is
    // required); a typo with no control named, or one that asks for nothing.
    assert_eq!(found("access-review", "\"5.18\""), vec![]);
    assert_eq!(found("penetration-test", "\"5.18\""), vec![]);
    assert_eq!(found("acess-review", ""), vec![]);
    assert_eq!(found("acess-review", "\"5.1.2\""), vec![]);
    // A second control that asks for nothing changes nothing.
    assert_eq!(
        found("acess-review", "\"5.18\", \"5.1.2\""),
        found("acess-review", "\"5.18\"")
    );
}

#[test]
fn evidence_that_expires_before_it_was_collected_is_a_warning_at_the_date() {
    let found = |validity: &str| -> Vec<(bool, Option<usize>, String)> {
        let mut s = base();
        s.evidence.insert(
            id("E-1"),
            doc(
                FileKind::Evidence,
                "evidence/E-1.toml",
                &format!(
                    "id = \"E-1\"\ntitle = \"T\"\ncontrols = []\nkind = \"k\"\ncollected = 2026-11-01\ncollected_by = \"alice\"\n{validity}"
                ),
            ),
        );
        check(&s)
            .into_iter()
            .filter(|d| d.rule == "evidence-dates")
            .map(|d| (d.is_error(), d.line, d.message))
            .collect()
    };
    assert_eq!(found("expires = 2026-11-01\n"), vec![]);
    assert_eq!(found("valid_for = \"1mo\"\n"), vec![]);
    assert_eq!(
        found("expires = 2026-10-01\n"),
        vec![(
            false,
            Some(7),
            "expires 2026-10-01, before it was collected (2026-11-01): it never meets a requirement"
                .to_owned()
        )]
    );
}

#[test]
fn a_finding_due_or_closed_before_it_was_raised_is_a_warning_at_the_date() {
    use crate::model::Finding;
    let finding = |dates: &str| -> Doc<Finding> {
        doc(
            FileKind::Finding,
            "findings/NC-1.toml",
            &format!(
                "id = \"NC-1\"\ntitle = \"T\"\nkind = \"nonconformity\"\nraised_by = \"Audit\"\nowner = \"alice\"\nraised = 2026-07-15\n{dates}"
            ),
        )
    };
    let found = |dates: &str| -> Vec<(bool, Option<usize>, String)> {
        let mut s = base();
        s.findings.insert(id("NC-1"), finding(dates));
        check(&s)
            .into_iter()
            .filter(|d| d.rule == "finding-dates")
            .map(|d| (d.is_error(), d.line, d.message))
            .collect()
    };
    assert_eq!(found("due = 2026-07-15\nstatus = \"open\"\n"), vec![]);
    assert_eq!(
        found("due = 2026-01-15\nstatus = \"open\"\n"),
        vec![(
            false,
            Some(7),
            "due 2026-01-15, before it was raised (2026-07-15)".to_owned()
        )]
    );
    assert_eq!(
        found("due = 2026-08-01\nstatus = \"in-progress\"\nclosed = 2026-08-01\n"),
        vec![(
            false,
            Some(9),
            "closed 2026-08-01, while its status is in-progress".to_owned()
        )]
    );
    assert_eq!(
        found("due = 2026-08-01\nstatus = \"closed\"\nclosed = 2026-07-01\n"),
        vec![(
            false,
            Some(9),
            "closed 2026-07-01, before it was raised (2026-07-15)".to_owned()
        )]
    );
}

#[test]
fn evidence_and_findings_after_the_as_of_date_are_not_counted() {
    use crate::model::Finding;
    let mut s = base();
    let e: Doc<Evidence> = doc(
        FileKind::Evidence,
        "evidence/later.toml",
        "id = \"later\"\ntitle = \"T\"\ncontrols = []\nkind = \"k\"\ncollected = 2026-09-01\ncollected_by = \"alice\"\nexpires = 2026-09-30\n",
    );
    s.evidence.insert(id("later"), e);
    let f: Doc<Finding> = doc(
        FileKind::Finding,
        "findings/NC-1.toml",
        "id = \"NC-1\"\ntitle = \"T\"\nkind = \"nonconformity\"\nseverity = \"major\"\nraised_by = \"Internal audit\"\nstatus = \"open\"\nraised = 2026-07-15\ndue = 2026-07-20\nowner = \"alice\"\ncontrols = [\"CLD.9.5.1\"]\n",
    );
    s.findings.insert(id("NC-1"), f);
    let record = crate::history::Record::default();
    let kinds = |d: &str| -> Vec<(String, &'static str)> {
        review::assess(&s, &record, d.parse().unwrap())
            .items
            .into_iter()
            .filter(|i| i.kind == "evidence" || i.kind == "finding")
            .map(|i| (i.item, i.state.as_str()))
            .collect()
    };
    assert_eq!(kinds("2026-07-06"), vec![]);
    assert_eq!(
        kinds("2026-08-01"),
        vec![("finding:NC-1".to_owned(), "overdue")]
    );
    assert_eq!(
        kinds("2026-10-01"),
        vec![
            ("evidence:later".to_owned(), "expired"),
            ("finding:NC-1".to_owned(), "overdue")
        ]
    );
}

#[test]
fn a_trigger_that_reassesses_nothing_is_an_error() {
    use crate::model::Trigger;
    let mut s = base();
    let t: Doc<Trigger> = doc(
        FileKind::Trigger,
        "triggers/t.toml",
        "id = \"t\"\ntitle = \"T\"\nreassess = []\n\n[[when]]\npath = \"services/*.toml\"\nfield = \"regions\"\nchange = \"added\"\n",
    );
    s.triggers.insert(id("t"), t);
    let got: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| d.file == "triggers/t.toml")
        .map(|d| (d.rule, d.line, d.message))
        .collect();
    assert_eq!(
        got,
        vec![(
            "trigger-rule",
            Some(3),
            "trigger `t` names no control to reassess, so firing it would ask nobody to look again"
                .to_owned()
        )]
    );
}

#[test]
fn a_trigger_path_under_a_folder_a_typo_from_an_item_folder_is_an_error() {
    use crate::model::Trigger;
    let found = |path: &str| -> Vec<(&'static str, Option<usize>, String, Option<String>)> {
        let mut s = base();
        let t: Doc<Trigger> = doc(
            FileKind::Trigger,
            "triggers/t.toml",
            &format!(
                "id = \"t\"\ntitle = \"T\"\nreassess = [\"5.1.2\"]\n\n[[when]]\npath = \"{path}\"\nchange = \"created\"\n"
            ),
        );
        s.triggers.insert(id("t"), t);
        check(&s)
            .into_iter()
            .filter(|d| d.file == "triggers/t.toml")
            .map(|d| (d.rule, d.line, d.message, d.hint))
            .collect()
    };
    assert_eq!(
        found("service/*.toml"),
        vec![(
            "trigger-rule",
            Some(6),
            "path `service/*.toml` is under `service/`, where isms keeps no items, so the rule would never fire on one".to_owned(),
            Some("did you mean `services/*.toml`?".to_owned())
        )]
    );
    assert_eq!(
        found("evidences/files/**")[0].3.as_deref(),
        Some("did you mean `evidence/files/**`?")
    );
    // Item folders, and folders of the repository's own that are no typo.
    for path in [
        "services/*.toml",
        "responsibilities/*/*.toml",
        "evidence/files/**",
        "docs/policies/*.md",
        "reviews/*.md",
        "config/app.toml",
        "*.toml",
    ] {
        assert_eq!(found(path), vec![], "{path}");
    }
}

#[test]
fn a_github_handle_github_cannot_resolve_is_named_where_it_is_written() {
    let mut s = base();
    let config = r#"
[organization]
name = "Example"
role = "both"
[people.alice]
name = "Alice"
github = "alice-ng"
[people.bob]
name = "Bob"
github = "@bob"
[people.carol]
name = "Carol"
github = "example/carol"
[people.dave]
name = "Dave"
github = "-dave"
[people.erin]
name = "Erin"
[teams.platform]
members = ["alice"]
github = "example/platform"
[teams.ops]
members = ["bob"]
github = "ops"
[teams.sre]
members = ["bob"]
github = "example/"
"#;
    s.config = Some(doc(FileKind::Config, "isms.toml", config));
    let found: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| d.rule == "github-handle")
        .map(|d| (d.is_error(), d.line, d.message))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                false,
                Some(13),
                "`example/carol` is not a GitHub user name: expected letters, digits and hyphens, at most 39, not starting with a hyphen".to_owned()
            ),
            (
                false,
                Some(16),
                "`-dave` is not a GitHub user name: expected letters, digits and hyphens, at most 39, not starting with a hyphen".to_owned()
            ),
            (
                false,
                Some(24),
                "`ops` is not a GitHub team: expected ORG/TEAM-SLUG, as CODEOWNERS names teams".to_owned()
            ),
            (
                false,
                Some(27),
                "`example/` is not a GitHub team: expected ORG/TEAM-SLUG, as CODEOWNERS names teams".to_owned()
            ),
        ]
    );
}

#[test]
fn a_github_repository_that_is_not_owner_slash_name_is_a_warning_at_its_line() {
    let said = |r: &str| format!("`{r}` is not a GitHub repository: expected OWNER/NAME");
    for (repository, expected) in [
        ("example/isms", None),
        ("example/isms.github.io", None),
        ("isms", Some(said("isms"))),
        ("example/isms/extra", Some(said("example/isms/extra"))),
        (
            "https://github.com/example/isms",
            Some(said("https://github.com/example/isms")),
        ),
        ("example/..", Some(said("example/.."))),
    ] {
        let mut s = base();
        let config = format!(
            "[organization]\nname = \"Example\"\nrole = \"both\"\n[github]\nrepository = \"{repository}\"\n"
        );
        s.config = Some(doc(FileKind::Config, "isms.toml", &config));
        let found: Vec<_> = check(&s)
            .into_iter()
            .filter(|d| d.rule == "github-handle")
            .map(|d| (d.is_error(), d.line, d.message))
            .collect();
        let expected: Vec<_> = expected.into_iter().map(|m| (false, Some(5), m)).collect();
        assert_eq!(found, expected, "{repository}");
    }
}

#[test]
fn an_address_two_people_share_and_a_team_of_no_one_are_warnings_at_their_lines() {
    let mut s = base();
    let config = r#"
[organization]
name = "Example"
role = "both"
[people.alice]
name = "Alice"
email = "alice@example.com"
github = "alice-ng"
[people.bob]
name = "Bob"
email = "Alice@Example.com"
github = "bob-o"
[people.carol]
name = "Carol"
email = "carol@example.com"
github = "@Alice-NG"
[people.dave]
name = "Dave"
email = "TODO"
[people.erin]
name = "Erin"
email = "TODO"
[teams.platform]
members = ["alice"]
[teams.nobody]
members = []
"#;
    s.config = Some(doc(FileKind::Config, "isms.toml", config));
    let found: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| ["email", "github-handle", "team-members"].contains(&d.rule))
        .map(|d| (d.rule, d.is_error(), d.line, d.message))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "email",
                false,
                Some(11),
                "`Alice@Example.com` is `alice`'s email too".to_owned()
            ),
            (
                "github-handle",
                false,
                Some(16),
                "`@Alice-NG` is `alice`'s GitHub login too".to_owned()
            ),
            (
                "team-members",
                false,
                Some(26),
                "team `nobody` has no members: nobody answers for what it owns".to_owned()
            ),
        ]
    );
}

#[test]
fn an_email_no_commit_could_carry_is_a_warning_at_its_line() {
    let mut s = base();
    let config = r#"
[organization]
name = "Example"
role = "both"
[people.alice]
name = "Alice"
email = "alice@example.com"
[people.bob]
name = "Bob"
email = "bob"
[people.carol]
name = "Carol"
email = "carol at example.com"
[people.dave]
name = "Dave"
email = ""
[people.erin]
name = "Erin"
email = "<erin@example.com>"
[people.fay]
name = "Fay"
email = "TODO"
"#;
    s.config = Some(doc(FileKind::Config, "isms.toml", config));
    let found: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| d.rule == "email")
        .map(|d| (d.is_error(), d.line, d.message))
        .collect();
    let said = |e: &str| {
        format!(
            "`{e}` is not an email address: expected one like alice@example.com, as git records it for commits"
        )
    };
    assert_eq!(
        found,
        vec![
            (false, Some(10), said("bob")),
            (false, Some(13), said("carol at example.com")),
            (false, Some(19), said("<erin@example.com>")),
        ]
    );
    // Under author approval an empty address is a person whose reviews can
    // never count; under pull-request approval it only leaves CODEOWNERS to
    // the github handle.
    let author = config.replacen(
        "role = \"both\"\n",
        "role = \"both\"\n[review]\napproval = \"author\"\n",
        1,
    );
    s.config = Some(doc(FileKind::Config, "isms.toml", &author));
    let found: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| d.rule == "email" && d.message.contains("no email"))
        .map(|d| (d.line, d.message))
        .collect();
    assert_eq!(
        found,
        vec![(
            Some(18),
            "`dave` has no email: under approval = \"author\", no review of theirs can count"
                .to_owned()
        )]
    );
}

#[test]
fn a_trigger_rule_that_could_never_fire_is_an_error() {
    use crate::model::Trigger;
    let mut s = base();
    let rule = |path: &str, field: &str| {
        format!("\n[[when]]\npath = \"{path}\"\nfield = \"{field}\"\nchange = \"changed\"\n")
    };
    let text = format!(
        "id = \"t\"\ntitle = \"T\"\nreassess = [\"C.1\"]\n{}{}{}{}{}{}",
        rule("services/*.toml", "regoins"),
        rule("services/[*.toml", "regions"),
        rule("controls/*.toml", "soa.status"),
        rule("responsibilities/*/*.toml", "raci.accountable"),
        rule("infra/*.toml", "anything"),
        rule("responsibilities/*/*.toml", "zzz"),
    );
    let t: Doc<Trigger> = doc(FileKind::Trigger, "triggers/t.toml", &text);
    s.triggers.insert(id("t"), t);
    let got: Vec<_> = check(&s)
        .into_iter()
        .filter(|d| d.file == "triggers/t.toml" && d.rule == "trigger-rule")
        .map(|d| (d.rule, d.line, d.message, d.hint))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "trigger-rule",
                Some(7),
                "`regoins` is not a field of a service (the files `services/*.toml` matches), so this rule never fires".to_owned(),
                Some("did you mean `regions`?".to_owned()),
            ),
            (
                "trigger-rule",
                Some(11),
                "path `services/[*.toml` is not a valid glob: unclosed character class; missing ']'".to_owned(),
                None,
            ),
            (
                "trigger-rule",
                Some(32),
                "`zzz` is not a field of an allocation (the files `responsibilities/*/*.toml` matches), so this rule never fires".to_owned(),
                Some("its fields: cadence, control, customer, justification, owner, party, provider, raci, service".to_owned()),
            ),
        ]
    );
}

#[test]
fn the_kinds_controls_ask_for_are_each_named_once_in_the_order_asked() {
    let mut s = base();
    let asks = |kinds: &[&str]| {
        let reqs: String = (kinds.iter())
            .map(|k| format!("[[evidence_required]]\nkind = \"{k}\"\nevery = \"1y\"\n"))
            .collect();
        format!("{reqs}{APPLICABLE}")
    };
    add_control(&mut s, control("5.18", false, &asks(&["access-review"])));
    add_control(
        &mut s,
        control("5.15", false, &asks(&["policy-review", "access-review"])),
    );
    assert_eq!(asked_kinds(&s, &["5.18"]), ["access-review"]);
    assert_eq!(
        asked_kinds(&s, &["5.18", "5.15"]),
        ["access-review", "policy-review"]
    );
    // A control that asks for nothing, or is not there, adds nothing.
    assert_eq!(asked_kinds(&s, &["5.1.2", "9.9"]), Vec::<&str>::new());
}
