//! Where each kind of file lives in a compliance repository: one table,
//! [`LAYOUT`], that the reader, the history walker, `diff` and trigger
//! detection all go by. Pure: it names paths and never touches them.

use super::{Allocation, Config, Control, Evidence, Finding, Service, Trigger};

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
        LAYOUT
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |(_, dir, _)| dir)
    }

    /// Whether files of this kind are items with an owner and a review
    /// cadence, whose history the review record follows (not the settings,
    /// not triggers).
    pub fn is_reviewed(self) -> bool {
        !matches!(self, FileKind::Config | FileKind::Trigger)
    }

    /// The path of the file of this kind with ID `stem` (for allocations,
    /// in service `service`'s folder).
    pub fn path(self, service: Option<&str>, stem: &str) -> String {
        match (self, service) {
            (FileKind::Config, _) => CONFIG_FILE.to_owned(),
            (_, Some(service)) => format!("{}/{service}/{stem}.toml", self.dir()),
            _ => format!("{}/{stem}.toml", self.dir()),
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
    let (top, rest) = match path.split_once('/') {
        Some((top, rest)) => (top, Some(rest)),
        None => (path, None),
    };
    let Some(&(kind, dir, depth)) = LAYOUT.iter().find(|(_, dir, _)| *dir == top) else {
        if !path.ends_with(".toml") {
            return None;
        }
        return match rest {
            // A folder one typo away from an item folder (`service/`).
            Some(_) => near_miss(top).map(|d| {
                Place::Misplaced(format!(
                    "did you mean {d}/? isms reads items only from {d}/ and the other item folders"
                ))
            }),
            // A TOML file at the top that is not another tool's settings.
            None if !top.starts_with('.') && !TOOL_SETTINGS.contains(&top) => {
                Some(Place::Misplaced(
                    "isms reads isms.toml and the items in controls/, services/, responsibilities/, evidence/, triggers/ and findings/; move the file into its folder".to_owned(),
                ))
            }
            None => None,
        };
    };
    let rest = rest?;
    let stem = rest.rsplit('/').next()?.strip_suffix(".toml")?;
    let levels = rest.matches('/').count() + 1;
    // Artifacts of any type live under evidence/files/.
    if path.starts_with(ARTIFACT_DIR) && path[ARTIFACT_DIR.len()..].starts_with('/') {
        return None;
    }
    match levels == depth {
        true if depth == 2 => Some(Place::Item {
            kind,
            service: rest.split_once('/').map(|(service, _)| service),
            stem,
        }),
        true => Some(Place::Item {
            kind,
            service: None,
            stem,
        }),
        false if depth == 2 => Some(Place::Misplaced(format!(
            "{}s live at {dir}/<SERVICE>/<CONTROL>.toml",
            kind.name()
        ))),
        false => Some(Place::Misplaced(
            "item files live directly in their directory (controls/<ID>.toml, services/<ID>.toml, …)"
                .to_owned(),
        )),
    }
}

/// The layout: each kind of item file, the folder it lives in, and how
/// many levels below that folder its files are. Allocations sit one folder
/// deeper, at `responsibilities/<SERVICE>/<CONTROL>.toml`; the settings are
/// [`CONFIG_FILE`] at the top.
pub const LAYOUT: [(FileKind, &str, usize); 6] = [
    (FileKind::Control, "controls", 1),
    (FileKind::Service, "services", 1),
    (FileKind::Allocation, "responsibilities", 2),
    (FileKind::Evidence, "evidence", 1),
    (FileKind::Trigger, "triggers", 1),
    (FileKind::Finding, "findings", 1),
];

/// Where evidence artifacts live, of any file type: never item files.
pub const ARTIFACT_DIR: &str = "evidence/files";

/// The repository path of the artifact a record names at `path`, which is
/// relative to the evidence folder (`files/scan.csv` is
/// `evidence/files/scan.csv`).
pub fn artifact_path(path: &str) -> String {
    format!("{}/{path}", FileKind::Evidence.dir())
}

/// The path a record would name the artifact at repository path `path`
/// by, relative to the evidence folder; `None` when `path` is not under
/// [`ARTIFACT_DIR`]. The inverse of [`artifact_path`].
pub fn artifact_of(path: &str) -> Option<&str> {
    (path.strip_prefix(ARTIFACT_DIR))
        .filter(|rest| rest.starts_with('/'))
        .and_then(|_| path.strip_prefix(FileKind::Evidence.dir()))
        .and_then(|rest| rest.strip_prefix('/'))
}

/// The folders items live in, in [`LAYOUT`]'s order.
pub const ITEM_DIRS: [&str; LAYOUT.len()] = {
    let mut dirs = [""; LAYOUT.len()];
    let mut i = 0;
    while i < LAYOUT.len() {
        dirs[i] = LAYOUT[i].1;
        i += 1;
    }
    dirs
};

/// Whether the repository path `path` is `dir` or lies under it; `""` is
/// the whole repository, and a trailing `/` on `dir` is no matter.
pub fn is_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether `path` names a folder that holds item files: an item folder, or
/// a service's folder of allocations (`responsibilities/<SERVICE>`).
pub fn is_item_folder(path: &str) -> bool {
    let (top, rest) = match path.split_once('/') {
        Some((top, rest)) => (top, Some(rest)),
        None => (path, None),
    };
    LAYOUT.iter().any(|&(_, dir, depth)| {
        dir == top
            && match rest {
                None => true,
                Some(sub) => depth == 2 && !sub.is_empty() && !sub.contains('/'),
            }
    })
}

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
    crate::diagnostic::did_you_mean(dir, &ITEM_DIRS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_is_the_path_or_under_it_never_a_name_that_starts_alike() {
        let file = "responsibilities/payments-api/5.1.toml";
        assert!(is_within(file, "responsibilities/payments-api"));
        assert!(is_within(file, "responsibilities/payments-api/"));
        assert!(is_within(file, file));
        assert!(is_within(file, ""));
        assert!(!is_within(file, "responsibilities/payments"));
        assert!(!is_within(file, "responsibilities/payments-api/5.1"));
    }

    #[test]
    fn an_artifacts_repository_path_and_the_path_its_record_names_are_inverses() {
        assert_eq!(artifact_path("files/scan.csv"), "evidence/files/scan.csv");
        assert_eq!(
            artifact_of("evidence/files/scan.csv"),
            Some("files/scan.csv")
        );
        assert_eq!(
            artifact_of("evidence/files/q3/scan.csv"),
            Some("files/q3/scan.csv")
        );
        // Records are not artifacts, nor is a folder that only starts alike.
        assert_eq!(artifact_of("evidence/scan.toml"), None);
        assert_eq!(artifact_of("evidence/filesx/scan.csv"), None);
        assert_eq!(artifact_of("controls/files/scan.csv"), None);
        let rel = "files/deep/a b.pdf";
        assert_eq!(artifact_of(&artifact_path(rel)), Some(rel));
    }

    #[test]
    fn item_folders_are_the_layouts_and_the_services_allocation_folders() {
        for folder in [
            "controls",
            "evidence",
            "responsibilities",
            "responsibilities/db",
        ] {
            assert!(is_item_folder(folder), "{folder}");
        }
        for other in [
            "docs",
            "service",
            "controls/old",
            "evidence/files",
            "responsibilities/db/x",
            "responsibilities/",
        ] {
            assert!(!is_item_folder(other), "{other}");
        }
    }

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
