//! `controls/<CONTROL>.toml`: one control, its catalog facts and our decision.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Id, Party, Period, ServiceModel};

/// One control: catalog facts, the Statement of Applicability decision, owner and cadence.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The control's ID; equals the file name.
    pub id: Id,
    /// Short title.
    pub title: String,
    /// The standard it comes from, e.g. `ISO/IEC 27002:2022` or `ISO/IEC 27017:2015`.
    pub framework: String,
    /// The ISO/IEC 27002:2022 theme: organizational, people, physical or technological.
    #[serde(default)]
    pub theme: Option<Theme>,
    /// One line in your own words; never the standard's text.
    #[serde(default)]
    pub summary: String,
    /// Which sides ISO/IEC 27017 gives guidance to.
    #[serde(default)]
    pub guidance_for: Vec<Side>,
    /// Whether `guidance_for` is derived from the guidance ISO/IEC 27017:2015
    /// gives on this control's ISO/IEC 27002:2013 sources (it numbers by 2013).
    #[serde(default)]
    pub guidance_derived: bool,
    /// Corresponding controls in other frameworks, by framework.
    #[serde(default)]
    pub maps_to: BTreeMap<String, Vec<String>>,
    /// Person or team key that owns the control.
    pub owner: Id,
    /// Review cadence; inherits `defaults.cadence`.
    #[serde(default)]
    pub cadence: Option<Period>,
    /// Whether each in-scope service needs an allocation for this control
    /// (false: an organisation-wide control).
    pub matrix: bool,
    /// The party that usually carries the control, per service model; used to
    /// pre-fill allocations of new services.
    #[serde(default)]
    pub default_party: Option<DefaultParty>,
    /// The Statement of Applicability decision.
    #[serde(default)]
    pub soa: Option<Soa>,
    /// Kinds of evidence a review expects, and how fresh.
    #[serde(default)]
    pub evidence_required: Vec<EvidenceRequirement>,
}

/// A side of the cloud relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Provider,
    Customer,
}

/// An ISO/IEC 27002:2022 theme.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    Organizational,
    People,
    Physical,
    Technological,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Organizational => "organizational",
            Theme::People => "people",
            Theme::Physical => "physical",
            Theme::Technological => "technological",
        }
    }
}

/// Default party per service model.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultParty {
    pub iaas: Party,
    pub paas: Party,
    pub saas: Party,
}

impl DefaultParty {
    pub fn for_model(&self, model: ServiceModel) -> Party {
        match model {
            ServiceModel::Iaas => self.iaas,
            ServiceModel::Paas => self.paas,
            ServiceModel::Saas => self.saas,
        }
    }

    /// The party a new allocation of a control with `default` takes on a
    /// service of `model`: shared where the control names none.
    pub fn or_shared(default: Option<&DefaultParty>, model: ServiceModel) -> Party {
        default.map_or(Party::Shared, |d| d.for_model(model))
    }
}

/// The Statement of Applicability decision for a control.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Soa {
    /// Whether the control applies to this organisation.
    pub applicable: bool,
    /// Why it applies, or why not (required when not applicable).
    #[serde(default)]
    pub justification: String,
    /// Implementation status.
    pub status: SoaStatus,
}

/// Implementation status of a control, from least to most implemented.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SoaStatus {
    Planned,
    Partial,
    Implemented,
    NotApplicable,
}

impl SoaStatus {
    /// Every status, from least to most implemented.
    pub const ALL: [SoaStatus; 4] = [
        SoaStatus::Planned,
        SoaStatus::Partial,
        SoaStatus::Implemented,
        SoaStatus::NotApplicable,
    ];

    /// As the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SoaStatus::Planned => "planned",
            SoaStatus::Partial => "partial",
            SoaStatus::Implemented => "implemented",
            SoaStatus::NotApplicable => "not-applicable",
        }
    }
}

/// A kind of evidence a control's review expects.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequirement {
    /// Evidence kind, matched against evidence records' `kind`.
    pub kind: String,
    /// How often a new item of this kind is needed.
    pub every: Period,
    /// What the evidence is.
    #[serde(default)]
    pub description: String,
}

impl Control {
    /// Applicable per the SoA; a control without a decision is treated as applicable.
    pub fn is_applicable(&self) -> bool {
        self.soa.as_ref().is_none_or(|s| s.applicable)
    }
}
