//! A whole compliance repository as read from the working tree or the index.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    Allocation, Config, Control, Evidence, Finding, Id, ItemKey, MigrationMap, Service, Trigger,
};

/// A parsed file: where it came from, its text (for locating diagnostics) and its value.
///
/// Serialized only into isms's own caches, which keep each doc under its
/// path: the path is not written twice.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Doc<T> {
    /// Repository-relative path with `/` separators.
    #[serde(skip)]
    pub path: String,
    pub text: String,
    pub value: T,
}

/// Every item of a repository, keyed by the ID its file name gives it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub config: Option<Doc<Config>>,
    pub controls: BTreeMap<Id, Doc<Control>>,
    pub services: BTreeMap<Id, Doc<Service>>,
    /// Keyed by (service directory, control file stem).
    pub allocations: BTreeMap<(Id, Id), Doc<Allocation>>,
    pub evidence: BTreeMap<Id, Doc<Evidence>>,
    pub triggers: BTreeMap<Id, Doc<Trigger>>,
    pub findings: BTreeMap<Id, Doc<Finding>>,
    /// Items whose file exists, whether or not it parsed: a broken file is
    /// reported once, not again by every reference to it.
    pub present: Present,
    /// The state of each evidence record's artifacts, in the order they are listed.
    pub artifacts: BTreeMap<Id, Vec<ArtifactState>>,
    /// `.github/CODEOWNERS`, when there is one.
    pub codeowners: Option<String>,
    /// The workflows isms writes (`.github/workflows/isms-*.yml`) that are
    /// there, by path.
    pub workflows: BTreeMap<String, String>,
    /// The maps of old → new items that `isms migrate` recorded.
    pub migrations: Vec<MigrationMap>,
}

impl Snapshot {
    /// The owner of the item `key` names, when it exists and has one: an
    /// evidence record has none.
    pub fn owner_of(&self, key: &ItemKey) -> Option<&Id> {
        let owner = match key {
            ItemKey::Control(id) => &self.controls.get(id)?.value.owner,
            ItemKey::Service(id) => &self.services.get(id)?.value.owner,
            ItemKey::Allocation(svc, ctl) => {
                &self
                    .allocations
                    .get(&(svc.clone(), ctl.clone()))?
                    .value
                    .owner
            }
            ItemKey::Finding(id) => &self.findings.get(id)?.value.owner,
            ItemKey::Evidence(_) => return None,
        };
        Some(owner)
    }

    /// Whether the allocations of service `svc` are reviewed: its service
    /// is in scope, or is missing (an orphan, which `check` names). An
    /// out-of-scope service's are kept for when it returns, unreviewed.
    pub fn reviews_allocations_of(&self, svc: &Id) -> bool {
        self.services.get(svc).is_none_or(|v| v.value.in_scope)
    }

    /// The allocations the matrix lacks: for each in-scope service, in
    /// order, each applicable matrix control that has no allocation file.
    pub fn matrix_gaps(&self) -> Vec<(&Id, &Doc<Service>, &Id, &Doc<Control>)> {
        let mut gaps = Vec::new();
        for (svc, service) in &self.services {
            if !service.value.in_scope {
                continue;
            }
            let mut present = self.present.allocations_of(svc);
            for (ctl, control) in &self.controls {
                let c = &control.value;
                if !present.has(ctl) && c.matrix && c.is_applicable() {
                    gaps.push((svc, service, ctl, control));
                }
            }
        }
        gaps
    }
}

/// Which items have a file, by kind.
#[derive(Clone, Debug, Default)]
pub struct Present {
    pub controls: BTreeSet<Id>,
    pub services: BTreeSet<Id>,
    /// Control IDs by service directory: each service's ID is held once,
    /// and a pair is looked up without building it.
    pub allocations: BTreeMap<Id, BTreeSet<Id>>,
    pub evidence: BTreeSet<Id>,
}

impl Present {
    /// Whether `responsibilities/<svc>/<ctl>.toml` exists.
    pub fn has_allocation(&self, svc: &str, ctl: &str) -> bool {
        self.allocations
            .get(svc)
            .is_some_and(|controls| controls.contains(ctl))
    }

    pub fn insert_allocation(&mut self, svc: Id, ctl: Id) {
        self.allocations.entry(svc).or_default().insert(ctl);
    }

    /// The allocations of `svc`, asked of control by control in ID order:
    /// one pass over them, however many controls are asked.
    pub fn allocations_of(&self, svc: &Id) -> Allocated<'_> {
        Allocated(self.allocations.get(svc).into_iter().flatten().peekable())
    }
}

/// One service's allocations, see [`Present::allocations_of`].
pub struct Allocated<'a>(
    std::iter::Peekable<std::iter::Flatten<std::option::IntoIter<&'a BTreeSet<Id>>>>,
);

impl Allocated<'_> {
    /// Whether the service has an allocation for `ctl`; each call must
    /// name a control after the one before it.
    pub fn has(&mut self, ctl: &Id) -> bool {
        while self.0.next_if(|p| *p < ctl).is_some() {}
        self.0.next_if(|p| *p == ctl).is_some()
    }
}

/// What was found at an evidence artifact's path. Paths that could lead
/// outside the repository are never read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArtifactState {
    /// A regular file with this SHA-256 (lowercase hex).
    Found {
        sha256: String,
    },
    /// A regular file whose bytes are the record's but for their line
    /// endings, which git converted (`core.autocrlf`, `text` in
    /// `.gitattributes`): its SHA-256, and whether it has CRLF where the
    /// collected file had LF (`false`: LF where it had CRLF).
    LineEndings {
        sha256: String,
        crlf: bool,
    },
    Missing,
    /// The path is absolute, has `..`, or is otherwise not a plain relative path.
    InvalidPath(String),
    /// A symbolic link (or a directory on the way) leads outside the repository.
    Escapes,
    /// Something other than a regular file.
    NotAFile,
    /// Larger than an artifact may be (bytes): never read.
    TooLarge(u64),
    /// It could not be read.
    Unreadable(String),
}
