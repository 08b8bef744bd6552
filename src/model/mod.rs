//! The domain in plain serde structs, without I/O: one type per file kind.

mod allocation;
mod catalog;
mod config;
mod control;
mod date;
mod diff;
mod evidence;
mod finding;
mod id;
mod item;
mod layout;
mod migration;
mod period;
mod review;
mod service;
mod snapshot;
mod trigger;

pub use allocation::{Allocation, Party, Raci};
pub use catalog::{Catalog, CatalogControl, CatalogHead, Crosswalk, Edition, Pair};
pub use config::{
    Approval, CatalogSettings, Config, Defaults, GithubSettings, OrgRole, Organization, Person,
    ReviewSettings, Team, email_problem, github_login_problem, github_repository_problem,
    github_team_problem, owner_alias, owner_named,
};
pub use control::{Control, DefaultParty, EvidenceRequirement, Side, Soa, SoaStatus, Theme};
pub use date::Date;
pub use diff::{Changed, FileDiff};
pub use evidence::{Artifact, Evidence, MAX_ARTIFACT_BYTES};
pub use finding::{Finding, FindingKind, FindingStatus, Severity};
pub use id::{ID_PATTERN, Id, in_reading_order, natural_cmp, validate as validate_id};
pub use item::{ItemKey, KEY_FORMS, successors_in};
pub use layout::{
    ARTIFACT_DIR, CONFIG_FILE, FileKind, ITEM_DIRS, LAYOUT, Place, SCHEMA_DIR, artifact_of,
    artifact_path, classify, is_item_folder, is_within, near_miss,
};
pub use migration::{
    MappedItem, MappedSource, MigrationMap, RENAMES_MAP, sources_by_key, with_sources,
    with_successors,
};
pub use period::{PERIOD_PATTERN, Period};
pub use review::{CommitId, FileTimes, Malformed, Outcome, Record, Review};
pub use service::{Service, ServiceModel, ServiceRole};
pub use snapshot::{Allocated, ArtifactState, Doc, Present, Snapshot};
pub use trigger::{Change, Trigger, WhenRule};
