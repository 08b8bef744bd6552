//! Where each kind of file lives in a compliance repository.

use crate::model::{Allocation, Config, Control, Evidence, Finding, Service, Trigger};

/// The kinds of file `isms` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    Config,
    Control,
    Service,
    Allocation,
    Evidence,
    Trigger,
    Finding,
}

/// The settings file at the repository root.
pub const CONFIG_FILE: &str = "isms.toml";
/// Where `#:schema` headers point, relative to the repository root.
pub const SCHEMA_DIR: &str = ".isms/schemas";

impl FileKind {
    pub const ALL: [FileKind; 7] = [
        FileKind::Config,
        FileKind::Control,
        FileKind::Service,
        FileKind::Allocation,
        FileKind::Evidence,
        FileKind::Trigger,
        FileKind::Finding,
    ];

    /// The name used by `isms schema KIND` and in schema file names.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Control => "control",
            FileKind::Service => "service",
            FileKind::Allocation => "allocation",
            FileKind::Evidence => "evidence",
            FileKind::Trigger => "trigger",
            FileKind::Finding => "finding",
        }
    }

    /// The kind's name with its article, for messages: "an allocation".
    pub fn with_article(self) -> String {
        match self {
            FileKind::Allocation | FileKind::Evidence => format!("an {}", self.name()),
            _ => format!("a {}", self.name()),
        }
    }

    pub fn from_name(name: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The directory holding files of this kind (the config has none).
    pub fn dir(self) -> &'static str {
        match self {
            FileKind::Config => "",
            FileKind::Control => "controls",
            FileKind::Service => "services",
            FileKind::Allocation => "responsibilities",
            FileKind::Evidence => "evidence",
            FileKind::Trigger => "triggers",
            FileKind::Finding => "findings",
        }
    }

    /// The JSON Schema of this kind, generated from the types the parser uses.
    pub fn schema(self) -> schemars::Schema {
        match self {
            FileKind::Config => schemars::schema_for!(Config),
            FileKind::Control => schemars::schema_for!(Control),
            FileKind::Service => schemars::schema_for!(Service),
            FileKind::Allocation => schemars::schema_for!(Allocation),
            FileKind::Evidence => schemars::schema_for!(Evidence),
            FileKind::Trigger => schemars::schema_for!(Trigger),
            FileKind::Finding => schemars::schema_for!(Finding),
        }
    }

    /// The `#:schema` header line for a file of this kind at `path`.
    pub fn schema_header(self, path: &str) -> String {
        let depth = path.matches('/').count();
        format!(
            "#:schema {}{SCHEMA_DIR}/{}.json",
            "../".repeat(depth),
            self.name()
        )
    }
}

/// What a repository path is, by its place in the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place<'a> {
    /// A file of `kind` whose name gives the ID `stem` (and for allocations,
    /// the service directory `service`).
    Item {
        kind: FileKind,
        service: Option<&'a str>,
        stem: &'a str,
    },
    /// A TOML file where `isms` does not look for one; the string says where it belongs.
    Misplaced(String),
}

/// Classifies a repository path (with `/` separators); `None` for files that
/// are not `isms` files at all (artifacts, READMEs, workflows, …).
pub fn classify(path: &str) -> Option<Place<'_>> {
    if path == CONFIG_FILE {
        return Some(Place::Item {
            kind: FileKind::Config,
            service: None,
            stem: "isms",
        });
    }
    let parts: Vec<&str> = path.split('/').collect();
    let kind = match parts[0] {
        "controls" => FileKind::Control,
        "services" => FileKind::Service,
        "responsibilities" => FileKind::Allocation,
        "evidence" => FileKind::Evidence,
        "triggers" => FileKind::Trigger,
        "findings" => FileKind::Finding,
        _ if !path.ends_with(".toml") => return None,
        // A folder one typo away from an item folder (`service/`).
        dir if parts.len() > 1 => {
            return near_miss(dir).map(|d| {
                Place::Misplaced(format!(
                    "did you mean {d}/? isms reads items only from {d}/ and the other item folders"
                ))
            });
        }
        // A TOML file at the top that is not another tool's settings.
        name if !name.starts_with('.') && !TOOL_SETTINGS.contains(&name) => {
            return Some(Place::Misplaced(
                "isms reads isms.toml and the items in controls/, services/, responsibilities/, evidence/, triggers/ and findings/; move the file into its folder".to_owned(),
            ));
        }
        _ => return None,
    };
    let last = parts[parts.len() - 1];
    let stem = last.strip_suffix(".toml")?;
    match (kind, parts.len()) {
        (FileKind::Allocation, 3) => Some(Place::Item {
            kind,
            service: Some(parts[1]),
            stem,
        }),
        (FileKind::Allocation, _) => Some(Place::Misplaced(
            "allocations live at responsibilities/<SERVICE>/<CONTROL>.toml".to_owned(),
        )),
        // Artifacts of any type live under evidence/files/.
        (FileKind::Evidence, n) if n > 2 && parts[1] == "files" => None,
        (_, 2) => Some(Place::Item {
            kind,
            service: None,
            stem,
        }),
        _ => Some(Place::Misplaced(
            "item files live directly in their directory (controls/<ID>.toml, services/<ID>.toml, …)"
                .to_owned(),
        )),
    }
}

/// The folders items live in.
pub const ITEM_DIRS: [&str; 6] = [
    "controls",
    "services",
    "responsibilities",
    "evidence",
    "triggers",
    "findings",
];

/// TOML files other tools keep at a repository's top.
const TOOL_SETTINGS: [&str; 12] = [
    "Cargo.toml",
    "pyproject.toml",
    "rust-toolchain.toml",
    "rustfmt.toml",
    "clippy.toml",
    "deny.toml",
    "taplo.toml",
    "typos.toml",
    "_typos.toml",
    "netlify.toml",
    "lychee.toml",
    "ruff.toml",
];

/// The item folder `dir` is one typo away from, if any.
pub fn near_miss(dir: &str) -> Option<&'static str> {
    if ITEM_DIRS.contains(&dir) {
        return None;
    }
    super::did_you_mean(dir, &ITEM_DIRS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_layout() {
        assert_eq!(
            classify("responsibilities/payments-api/CLD.9.5.1.toml"),
            Some(Place::Item {
                kind: FileKind::Allocation,
                service: Some("payments-api"),
                stem: "CLD.9.5.1"
            })
        );
        assert!(matches!(
            classify("controls/5.1.1.toml"),
            Some(Place::Item {
                kind: FileKind::Control,
                ..
            })
        ));
        assert_eq!(classify("evidence/files/report.toml"), None);
        assert_eq!(classify("controls/README.md"), None);
        assert_eq!(classify(".github/workflows/isms-check.yml"), None);
        assert!(matches!(
            classify("responsibilities/x.toml"),
            Some(Place::Misplaced(_))
        ));
        assert!(matches!(
            classify("controls/sub/x.toml"),
            Some(Place::Misplaced(_))
        ));
        assert_eq!(
            classify("service/billing.toml"),
            Some(Place::Misplaced(
                "did you mean services/? isms reads items only from services/ and the other item folders".to_owned()
            ))
        );
        assert!(matches!(classify("x.toml"), Some(Place::Misplaced(_))));
        assert_eq!(classify("Cargo.toml"), None);
        assert_eq!(classify(".taplo.toml"), None);
        assert_eq!(classify("docs/notes.toml"), None, "not near an item folder");
    }

    #[test]
    fn schema_headers_are_relative_to_the_file() {
        assert_eq!(
            FileKind::Config.schema_header("isms.toml"),
            "#:schema .isms/schemas/config.json"
        );
        assert_eq!(
            FileKind::Allocation.schema_header("responsibilities/a/b.toml"),
            "#:schema ../../.isms/schemas/allocation.json"
        );
    }
}
