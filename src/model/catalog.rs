//! The control catalog shipped in `templates/catalog.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{DefaultParty, EvidenceRequirement, Id, Side};

/// The catalog: ISO/IEC 27002:2013 controls with ISO/IEC 27017 flags, and the CLD controls.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub control: Vec<CatalogControl>,
}

/// One catalog control: the facts a new repository starts from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogControl {
    pub id: Id,
    pub title: String,
    pub framework: String,
    #[serde(default)]
    pub summary: String,
    pub guidance_for: Vec<Side>,
    pub maps_to: BTreeMap<String, Vec<String>>,
    pub matrix: bool,
    #[serde(default)]
    pub default_party: Option<DefaultParty>,
    #[serde(default)]
    pub evidence_required: Vec<EvidenceRequirement>,
}
