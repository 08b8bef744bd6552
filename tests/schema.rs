//! `isms schema`: what the parser accepts, as JSON Schema; every template
//! validates against it, and what the parser rejects, the schema rejects too.

mod common;

use std::path::Path;

use common::{Env, read, write};
use isms::repo::{FileKind, Place, classify};

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => s.into(),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        // Editors (taplo) validate TOML dates as strings with format "date".
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.into_iter().map(toml_to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect(),
    }
}

fn schemas(env: &Env) -> serde_json::Value {
    let out = env.isms(env.path()).arg("schema").output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn item_files(repo: &Path) -> Vec<(String, FileKind)> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["ls-files"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|p| match classify(p) {
            Some(Place::Item { kind, .. }) => Some((p.to_owned(), kind)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_template_validates_against_its_schema() {
    let env = Env::new();
    let all = schemas(&env);
    env.isms(env.path())
        .args(["init", "plain"])
        .assert()
        .success();
    env.isms(env.path())
        .args(["init", "--example", "demo"])
        .assert()
        .success();
    let mut checked = 0;
    for name in ["plain", "demo"] {
        let repo = env.path().join(name);
        for (path, kind) in item_files(&repo) {
            let schema = &all[kind.name()];
            let validator = jsonschema::validator_for(schema).unwrap();
            let value: toml::Value = toml::from_str(&read(&repo, &path)).unwrap();
            let instance = toml_to_json(value);
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{name}/{path}: {errors:?}");
            checked += 1;
        }
        // The copies written for editors are the same schemas.
        for kind in FileKind::ALL {
            let file: serde_json::Value =
                serde_json::from_str(&read(&repo, &format!(".isms/schemas/{}.json", kind.name())))
                    .unwrap();
            assert_eq!(file, all[kind.name()], "{}", kind.name());
        }
    }
    assert!(checked > 350, "{checked}");
}

#[test]
fn the_schema_rejects_what_the_parser_rejects() {
    let env = Env::new();
    let repo = env.example("repo");
    let all = schemas(&env);
    let validator = jsonschema::validator_for(&all["allocation"]).unwrap();
    let path = "responsibilities/payments-api/CLD.9.5.1.toml";
    let good = read(&repo, path);
    for (bad, why) in [
        (good.replace("justification", "justifcation"), "unknown key"),
        (
            good.replace("party = \"provider\"", "party = \"provder\""),
            "bad enum",
        ),
        (
            good.replace("owner = \"bob\"", "owner = \"../x\""),
            "bad id",
        ),
        (
            good.replace("owner = \"bob\"", "owner = \"bob.lock\""),
            "an id in .lock",
        ),
        (
            good.replace("owner = \"bob\"", "owner = \"bob-\""),
            "an id ending in -",
        ),
        (good.replace("owner = \"bob\"\n", ""), "missing key"),
    ] {
        assert_ne!(bad, good, "the mutation must change the file: {why}");
        let instance = toml_to_json(toml::from_str(&bad).unwrap());
        assert!(!validator.is_valid(&instance), "schema accepted: {why}");
        write(&repo, path, &bad);
        env.isms(&repo).arg("check").assert().code(1);
    }
}

#[test]
fn schema_of_one_kind_and_an_unknown_kind() {
    let env = Env::new();
    let out = env
        .isms(env.path())
        .args(["schema", "control"])
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Control");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["owner"]["$ref"], "#/$defs/Id");
    env.isms(env.path())
        .args(["schema", "controls"])
        .assert()
        .code(2)
        .stderr("error: unknown file kind `controls`\n  hint: did you mean `control`?\n");
}

#[test]
fn the_schema_of_a_kind_is_printed_as_init_writes_it() {
    let env = Env::new();
    let repo = env.example("repo");
    for kind in FileKind::ALL {
        let out = env
            .isms(&repo)
            .args(["schema", kind.name()])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            read(&repo, &format!(".isms/schemas/{}.json", kind.name())),
            "{}",
            kind.name()
        );
    }
}
