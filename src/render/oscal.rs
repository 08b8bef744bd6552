//! OSCAL export: the controls as a catalog, the applicable ones as a
//! profile, a component definition for each service we provide, and a
//! system security plan whose `provided` and `responsibility` statements come
//! from the responsibility matrix. Pure: snapshot in, JSON documents out.
//!
//! Output is deterministic: UUIDs are name-based (v5) in a namespace of the
//! organisation, and everything is in ID order, so the same commit exports
//! the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::model::{
    Allocation, Control, Id, Party, ServiceRole, Snapshot, SoaStatus, in_reading_order, natural_cmp,
};

/// The OSCAL version the documents declare (and compliance-trestle reads).
pub const OSCAL_VERSION: &str = "1.2.1";

/// Namespace of the properties isms adds (`responsibility`, `maps-to`, …).
pub const NS: &str = "urn:isms:oscal";

/// What dates and versions the documents: the record tip.
pub struct Stamp {
    /// RFC 3339 time of the record tip's commit.
    pub last_modified: String,
    /// The record tip's commit id (short).
    pub version: String,
}

impl Stamp {
    /// The stamp of the commit `id`, made at `time`.
    pub fn new(id: &str, time: chrono::DateTime<chrono::Utc>) -> Stamp {
        Stamp {
            last_modified: time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            version: id[..10.min(id.len())].to_owned(),
        }
    }
}

/// OSCAL's `control-id` for a control: its ID, or `c-` + its ID when that
/// starts with a digit (OSCAL IDs must start with a letter or `_`).
pub fn control_id(id: &str) -> String {
    if id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.to_owned()
    } else {
        format!("c-{id}")
    }
}

/// Every document of the export by file name (`catalog.json`,
/// `profile.json`, `ssp.json`, `component-definitions/<service>.json`).
/// Fails when two controls map to the same OSCAL id, or none is applicable.
pub fn export(s: &Snapshot, stamp: &Stamp) -> Result<BTreeMap<String, Value>, String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (id, doc) in &s.controls {
        if let Some(other) = seen.insert(control_id(id.as_str()), &doc.path) {
            return Err(format!(
                "{} and {other} both become OSCAL control `{}`; rename one of them",
                doc.path,
                control_id(id.as_str())
            ));
        }
    }
    if !s.controls.values().any(|c| c.value.is_applicable()) {
        return Err(
            "no control is applicable (every controls/*.toml says `applicable = false`): \
             a system security plan needs at least one"
                .to_owned(),
        );
    }
    let org = s
        .config
        .as_ref()
        .map(|c| c.value.organization.name.clone())
        .unwrap_or_default();
    let x = Exporter {
        s,
        stamp,
        ns: Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("urn:isms:{org}").as_bytes()),
        org,
    };
    let mut files = BTreeMap::new();
    files.insert("catalog.json".to_owned(), x.catalog());
    files.insert("profile.json".to_owned(), x.profile());
    files.insert("ssp.json".to_owned(), x.ssp());
    for (id, svc) in &s.services {
        let v = &svc.value;
        if v.in_scope && v.role == ServiceRole::Provider {
            files.insert(
                format!("component-definitions/{id}.json"),
                x.component_definition(id),
            );
        }
    }
    Ok(files)
}

struct Exporter<'a> {
    s: &'a Snapshot,
    stamp: &'a Stamp,
    /// The UUID namespace: the organisation's.
    ns: Uuid,
    org: String,
}

impl Exporter<'_> {
    /// The frameworks the controls come from, as their files name them:
    /// "ISO/IEC 27002:2022, ISO/IEC 27017:2015".
    fn frameworks(&self) -> String {
        let named: std::collections::BTreeSet<&str> = (self.s.controls.values())
            .map(|c| c.value.framework.as_str())
            .collect();
        named.into_iter().collect::<Vec<_>>().join(", ")
    }

    /// The UUID of what `name` names, e.g. `component:payments-api`.
    fn uuid(&self, name: &str) -> String {
        Uuid::new_v5(&self.ns, name.as_bytes()).to_string()
    }

    fn metadata(&self, title: String) -> Value {
        let mut parties = vec![json!({
            "uuid": self.uuid("party:organization"),
            "type": "organization",
            "name": self.org,
        })];
        if let Some(c) = &self.s.config {
            let c = &c.value;
            for (key, t) in &c.teams {
                let name = if t.name.is_empty() {
                    key.as_str()
                } else {
                    &t.name
                };
                parties.push(json!({
                    "uuid": self.party(key.as_str()),
                    "type": "organization",
                    "name": name,
                    "short-name": key.as_str(),
                    "member-of-organizations": [self.uuid("party:organization")],
                }));
            }
            for (key, p) in &c.people {
                let mut party = json!({
                    "uuid": self.party(key.as_str()),
                    "type": "person",
                    "name": p.name,
                    "short-name": key.as_str(),
                });
                if !p.email.is_empty() {
                    party["email-addresses"] = json!([p.email]);
                }
                let mut orgs = vec![self.uuid("party:organization")];
                orgs.extend(
                    c.teams
                        .iter()
                        .filter(|(_, t)| t.members.contains(key))
                        .map(|(k, _)| self.party(k.as_str())),
                );
                party["member-of-organizations"] = json!(orgs);
                parties.push(party);
            }
        }
        json!({
            "title": title,
            "last-modified": self.stamp.last_modified,
            "version": self.stamp.version,
            "oscal-version": OSCAL_VERSION,
            "roles": [
                {"id": "control-owner", "title": "Control owner"},
                {"id": "service-owner", "title": "Service owner"},
            ],
            "parties": parties,
        })
    }

    fn party(&self, owner: &str) -> String {
        self.uuid(&format!("party:{owner}"))
    }

    fn owner_role(&self, role: &str, owner: &Id) -> Value {
        json!([{"role-id": role, "party-uuids": [self.party(owner.as_str())]}])
    }

    fn catalog(&self) -> Value {
        let mut groups: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (id, doc) in in_reading_order(&self.s.controls) {
            let c = &doc.value;
            let mut props = vec![json!({"name": "label", "value": id.as_str()})];
            for side in &c.guidance_for {
                let side = match side {
                    crate::model::Side::Provider => "provider",
                    crate::model::Side::Customer => "customer",
                };
                props.push(json!({"name": "guidance-for", "ns": NS, "value": side}));
            }
            for (framework, ids) in &c.maps_to {
                for other in ids {
                    props.push(
                        json!({"name": "maps-to", "ns": NS, "value": format!("{framework} {other}")}),
                    );
                }
            }
            let mut control = json!({
                "id": control_id(id.as_str()),
                "title": c.title,
                "props": props,
            });
            if !c.summary.is_empty() {
                control["parts"] = json!([{
                    "id": format!("{}_ovw", control_id(id.as_str())),
                    "name": "overview",
                    "prose": c.summary,
                }]);
            }
            groups.entry(&c.framework).or_default().push(control);
        }
        let groups: Vec<Value> = groups
            .into_iter()
            .map(|(title, controls)| json!({"id": group_id(title), "title": title, "controls": controls}))
            .collect();
        let mut catalog = json!({
            "uuid": self.uuid("catalog"),
            "metadata": self.metadata(format!("{}: controls", self.org)),
        });
        if !groups.is_empty() {
            catalog["groups"] = json!(groups);
        }
        json!({ "catalog": catalog })
    }

    /// The applicable controls, in reading order.
    fn applicable(&self) -> impl Iterator<Item = (&Id, &Control)> {
        in_reading_order(&self.s.controls)
            .into_iter()
            .map(|(id, d)| (id, &d.value))
            .filter(|(_, c)| c.is_applicable())
    }

    /// The baseline: the controls the Statement of Applicability applies.
    fn profile(&self) -> Value {
        let ids: Vec<String> = self
            .applicable()
            .map(|(id, _)| control_id(id.as_str()))
            .collect();
        json!({"profile": {
            "uuid": self.uuid("profile"),
            "metadata": self.metadata(format!("{}: Statement of Applicability", self.org)),
            "imports": [{"href": "catalog.json", "include-controls": [{"with-ids": ids}]}],
            "merge": {"as-is": true},
        }})
    }

    fn allocations_of<'b>(
        &'b self,
        service: &'b Id,
    ) -> impl Iterator<Item = (&'b Id, &'b Allocation)> + 'b {
        let mut of: Vec<_> = self
            .s
            .allocations
            .iter()
            .filter(move |((sv, _), _)| sv == service)
            .map(|((_, ct), d)| (ct, &d.value))
            .collect();
        of.sort_by(|(a, _), (b, _)| natural_cmp(a.as_str(), b.as_str()));
        of.into_iter()
    }

    /// One provided service: what it implements, and what its customers must do.
    fn component_definition(&self, service: &Id) -> Value {
        let svc = &self.s.services[service].value;
        let mut requirements = Vec::new();
        for (control, a) in self.allocations_of(service) {
            // Only the profile's controls: an allocation of a control that
            // does not apply would reference a control the source lacks.
            let applies = self
                .s
                .controls
                .get(control)
                .is_some_and(|c| c.value.is_applicable());
            if !matches!(a.party, Party::Provider | Party::Shared) || !applies {
                continue;
            }
            let mut req = json!({
                "uuid": self.uuid(&format!("component-requirement:{service}/{control}")),
                "control-id": control_id(control.as_str()),
                "description": a.provider,
                "props": [{"name": "responsibility", "ns": NS, "value": a.party.to_string()}],
                "responsible-roles": self.owner_role("control-owner", &a.owner),
            });
            if a.party == Party::Shared && !a.customer.is_empty() {
                req["remarks"] = json!(format!("The customer: {}", a.customer));
            }
            requirements.push(req);
        }
        let mut component = json!({
            "uuid": self.uuid(&format!("component:{service}")),
            "type": "service",
            "title": svc.name,
            "description": self.service_description(service),
            "props": self.service_props(service),
            "responsible-roles": self.owner_role("service-owner", &svc.owner),
        });
        if !requirements.is_empty() {
            component["control-implementations"] = json!([{
                "uuid": self.uuid(&format!("component-implementation:{service}")),
                "source": "../profile.json",
                "description": format!(
                    "What {} does for {} under each control it carries, from the responsibility matrix.",
                    svc.provider, svc.name
                ),
                "implemented-requirements": requirements,
            }]);
        }
        json!({"component-definition": {
            "uuid": self.uuid(&format!("component-definition:{service}")),
            "metadata": self.metadata(format!("{}: component definition", svc.name)),
            "components": [component],
        }})
    }

    fn service_description(&self, service: &Id) -> String {
        let svc = &self.s.services[service].value;
        if svc.description.is_empty() {
            format!(
                "{} ({}), provided by {}.",
                svc.name, svc.model, svc.provider
            )
        } else {
            svc.description.clone()
        }
    }

    fn service_props(&self, service: &Id) -> Vec<Value> {
        let svc = &self.s.services[service].value;
        let mut props = vec![
            json!({"name": "service-id", "ns": NS, "value": service.as_str()}),
            json!({"name": "service-model", "ns": NS, "value": svc.model.to_string()}),
            json!({"name": "service-role", "ns": NS, "value": svc.role.to_string()}),
            json!({"name": "provider", "ns": NS, "value": svc.provider}),
        ];
        props.extend(
            svc.regions
                .iter()
                .map(|r| json!({"name": "region", "ns": NS, "value": r})),
        );
        props
    }

    fn ssp(&self) -> Value {
        let services: Vec<&Id> = self
            .s
            .services
            .iter()
            .filter(|(_, v)| v.value.in_scope)
            .map(|(k, _)| k)
            .collect();
        let this_system = self.uuid("component:this-system");
        let mut components = vec![json!({
            "uuid": this_system,
            "type": "this-system",
            "title": format!("{} ISMS", self.org),
            "description": "The organisation as a whole: controls that are not allocated per service.",
            "status": {"state": "operational"},
        })];
        for id in &services {
            let svc = &self.s.services[*id].value;
            components.push(json!({
                "uuid": self.uuid(&format!("component:{id}")),
                "type": "service",
                "title": svc.name,
                "description": self.service_description(id),
                "props": self.service_props(id),
                "status": {"state": "operational"},
                "responsible-roles": self.owner_role("service-owner", &svc.owner),
            }));
        }

        let mut data: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for id in &services {
            for d in &self.s.services[*id].value.data {
                data.entry(d).or_default().insert(id.as_str());
            }
        }
        let mut information_types: Vec<Value> = data
            .iter()
            .map(|(d, held)| {
                json!({
                    "uuid": self.uuid(&format!("information-type:{d}")),
                    "title": d,
                    "description": format!(
                        "Held by: {}.",
                        held.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                })
            })
            .collect();
        if information_types.is_empty() {
            information_types.push(json!({
                "uuid": self.uuid("information-type:unspecified"),
                "title": "unspecified",
                "description": "No service names the categories of data it holds.",
            }));
        }

        let mut requirements = Vec::new();
        for (id, c) in self.applicable() {
            let state = implementation_state(c);
            let mut by = Vec::new();
            if c.matrix {
                for svc in &services {
                    let key = ((*svc).clone(), id.clone());
                    if let Some(a) = self.s.allocations.get(&key) {
                        by.push(self.by_component(svc, id, &a.value, state));
                    }
                }
            } else {
                let text = c
                    .soa
                    .as_ref()
                    .map(|d| d.justification.as_str())
                    .filter(|j| !j.is_empty())
                    .unwrap_or(&c.summary);
                by.push(json!({
                    "component-uuid": this_system,
                    "uuid": self.uuid(&format!("by-component:this-system/{id}")),
                    "description": if text.is_empty() { "Organisation-wide control." } else { text },
                    "implementation-status": {"state": state},
                }));
            }
            let mut req = json!({
                "uuid": self.uuid(&format!("requirement:{id}")),
                "control-id": control_id(id.as_str()),
                "responsible-roles": self.owner_role("control-owner", &c.owner),
            });
            if !by.is_empty() {
                req["by-components"] = json!(by);
            }
            requirements.push(req);
        }
        let control_implementation = json!({
            "description": format!(
                "How {} implements each applicable control, per service, from its responsibility matrix.",
                self.org
            ),
            "implemented-requirements": requirements,
        });
        json!({"system-security-plan": {
            "uuid": self.uuid("ssp"),
            "metadata": self.metadata(format!("{}: system security plan", self.org)),
            "import-profile": {"href": "profile.json"},
            "system-characteristics": {
                "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": self.uuid("system")}],
                "system-name": format!("{} cloud services", self.org),
                "description": format!(
                    "The cloud services {org} provides and consumes, and the controls of its ISMS ({frameworks}).",
                    org = self.org,
                    frameworks = self.frameworks(),
                ),
                "system-information": {"information-types": information_types},
                "status": {"state": "operational"},
                "authorization-boundary": {
                    "description": format!(
                        "The in-scope services: {}.",
                        if services.is_empty() {
                            "none".to_owned()
                        } else {
                            services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                        }
                    ),
                },
            },
            "system-implementation": {"components": components},
            "control-implementation": control_implementation,
        }})
    }

    /// One allocation in the SSP. For a service we provide, the provider's
    /// duties are `provided` and the customer's are `responsibilities` (what
    /// our customers must do); for one we consume, they are `inherited` and
    /// `satisfied`.
    fn by_component(&self, service: &Id, control: &Id, a: &Allocation, state: &str) -> Value {
        let key = format!("{service}/{control}");
        let svc = &self.s.services[service].value;
        let provides = matches!(a.party, Party::Provider | Party::Shared) && !a.provider.is_empty();
        let customer = matches!(a.party, Party::Customer | Party::Shared) && !a.customer.is_empty();
        let description = match a.party {
            Party::NotApplicable => format!("Not applicable to {}: {}", svc.name, a.justification),
            Party::Provider => format!("{} carries it: {}", svc.provider, a.provider),
            Party::Customer => format!("The customer carries it: {}", a.customer),
            Party::Shared => format!(
                "Shared. {}: {} The customer: {}",
                svc.provider, a.provider, a.customer
            ),
        };
        let mut by = json!({
            "component-uuid": self.uuid(&format!("component:{service}")),
            "uuid": self.uuid(&format!("by-component:{key}")),
            "description": description,
            "props": [{"name": "responsibility", "ns": NS, "value": a.party.to_string()}],
            "implementation-status": {
                "state": if a.party == Party::NotApplicable { "not-applicable" } else { state },
            },
            "responsible-roles": self.owner_role("control-owner", &a.owner),
        });
        let provided = self.uuid(&format!("provided:{key}"));
        match svc.role {
            ServiceRole::Provider => {
                let mut export = serde_json::Map::new();
                if provides {
                    export.insert(
                        "provided".into(),
                        json!([{"uuid": provided, "description": a.provider}]),
                    );
                }
                if customer {
                    let mut r = json!({
                        "uuid": self.uuid(&format!("responsibility:{key}")),
                        "description": a.customer,
                    });
                    if provides {
                        r["provided-uuid"] = json!(provided);
                    }
                    export.insert("responsibilities".into(), json!([r]));
                }
                if !export.is_empty() {
                    by["export"] = Value::Object(export);
                }
            }
            ServiceRole::Customer => {
                if provides {
                    by["inherited"] = json!([{
                        "uuid": self.uuid(&format!("inherited:{key}")),
                        "description": a.provider,
                    }]);
                }
                if customer {
                    by["satisfied"] = json!([{
                        "uuid": self.uuid(&format!("satisfied:{key}")),
                        "description": a.customer,
                    }]);
                }
            }
        }
        by
    }
}

/// A group's id from its framework: `ISO/IEC 27002:2013` → `g-iso-iec-27002-2013`.
fn group_id(framework: &str) -> String {
    let mut id = String::from("g-");
    for c in framework.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// OSCAL's implementation state for a control's SoA status.
fn implementation_state(c: &Control) -> &'static str {
    match c.soa.as_ref().map(|s| s.status) {
        Some(SoaStatus::Implemented) => "implemented",
        Some(SoaStatus::Partial) => "partial",
        Some(SoaStatus::NotApplicable) => "not-applicable",
        Some(SoaStatus::Planned) | None => "planned",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileKind;
    use crate::testing::{doc, id};

    fn snapshot(org: &str, applicable: bool) -> Snapshot {
        let mut s = Snapshot {
            config: Some(doc(
                FileKind::Config,
                "isms.toml",
                &format!(
                    "[organization]\nname = \"{org}\"\nrole = \"both\"\n[people.alice]\nname = \"Alice\"\n"
                ),
            )),
            ..Snapshot::default()
        };
        s.controls.insert(
            id("9.1.1"),
            doc(
                FileKind::Control,
                "controls/9.1.1.toml",
                &format!(
                    "id = \"9.1.1\"\ntitle = \"Access control policy\"\nframework = \"F\"\nowner = \"alice\"\n\
                     matrix = true\n[soa]\napplicable = {applicable}\njustification = \"j\"\nstatus = \"partial\"\n"
                ),
            ),
        );
        for (sid, role) in [("api", "provider"), ("cloud", "customer")] {
            s.services.insert(
                id(sid),
                doc(
                    FileKind::Service,
                    &format!("services/{sid}.toml"),
                    &format!(
                        "id = \"{sid}\"\nname = \"{sid}\"\nrole = \"{role}\"\nmodel = \"saas\"\nprovider = \"P\"\nowner = \"alice\"\n"
                    ),
                ),
            );
        }
        for (sid, body) in [
            (
                "api",
                "party = \"customer\"\ncustomer = \"Tenants manage their users.\"\n",
            ),
            (
                "cloud",
                "party = \"not-applicable\"\njustification = \"No users there.\"\n",
            ),
        ] {
            s.allocations.insert(
                (id(sid), id("9.1.1")),
                doc(
                    FileKind::Allocation,
                    &format!("responsibilities/{sid}/9.1.1.toml"),
                    &format!("service = \"{sid}\"\ncontrol = \"9.1.1\"\nowner = \"alice\"\n{body}"),
                ),
            );
        }
        s
    }

    fn stamp() -> Stamp {
        Stamp {
            last_modified: "2026-11-02T10:00:00Z".into(),
            version: "0123456789".into(),
        }
    }

    fn by_component(docs: &BTreeMap<String, Value>, service: usize) -> Value {
        docs["ssp.json"]["system-security-plan"]["control-implementation"]["implemented-requirements"][0]
            ["by-components"][service]
            .clone()
    }

    #[test]
    fn control_ids_become_oscal_tokens() {
        assert_eq!(control_id("CLD.9.5.1"), "CLD.9.5.1");
        assert_eq!(control_id("12.4.3"), "c-12.4.3");
        assert_eq!(group_id("ISO/IEC 27002:2013"), "g-iso-iec-27002-2013");
    }

    #[test]
    fn a_customer_duty_alone_is_a_responsibility_without_a_provided_entry() {
        let docs = export(&snapshot("Org", true), &stamp()).unwrap();
        let api = by_component(&docs, 0);
        assert!(api["export"].get("provided").is_none());
        let r = &api["export"]["responsibilities"][0];
        assert_eq!(r["description"], "Tenants manage their users.");
        assert!(r.get("provided-uuid").is_none());
        assert_eq!(api["implementation-status"]["state"], "partial");
        // A customer-only control is not one the provided service implements.
        let cd = &docs["component-definitions/api.json"]["component-definition"]["components"][0];
        assert!(cd.get("control-implementations").is_none());
        assert!(!docs.contains_key("component-definitions/cloud.json"));
    }

    #[test]
    fn an_allocation_that_does_not_apply_says_so_and_why() {
        let docs = export(&snapshot("Org", true), &stamp()).unwrap();
        let cloud = by_component(&docs, 1);
        assert_eq!(cloud["implementation-status"]["state"], "not-applicable");
        assert_eq!(
            cloud["description"],
            "Not applicable to cloud: No users there."
        );
        assert!(cloud.get("inherited").is_none() && cloud.get("satisfied").is_none());
    }

    #[test]
    fn uuids_are_stable_for_an_organisation_and_differ_between_organisations() {
        let a = export(&snapshot("Org", true), &stamp()).unwrap();
        let b = export(&snapshot("Org", true), &stamp()).unwrap();
        let c = export(&snapshot("Other Org", true), &stamp()).unwrap();
        assert_eq!(a, b);
        let uuid =
            |d: &BTreeMap<String, Value>| d["ssp.json"]["system-security-plan"]["uuid"].clone();
        assert_ne!(uuid(&a), uuid(&c));
        assert_ne!(by_component(&a, 0)["uuid"], by_component(&a, 1)["uuid"]);
    }

    #[test]
    fn a_component_implements_only_controls_of_the_profile() {
        let mut s = snapshot("Org", true);
        for (cid, applicable) in [("9.1.2", "true"), ("9.1.3", "false")] {
            s.controls.insert(
                id(cid),
                doc(
                    FileKind::Control,
                    &format!("controls/{cid}.toml"),
                    &format!(
                        "id = \"{cid}\"\ntitle = \"T\"\nframework = \"F\"\nowner = \"alice\"\nmatrix = true\n\
                         [soa]\napplicable = {applicable}\njustification = \"j\"\nstatus = \"implemented\"\n"
                    ),
                ),
            );
            s.allocations.insert(
                (id("api"), id(cid)),
                doc(
                    FileKind::Allocation,
                    &format!("responsibilities/api/{cid}.toml"),
                    &format!(
                        "service = \"api\"\ncontrol = \"{cid}\"\nowner = \"alice\"\nparty = \"provider\"\nprovider = \"We do it.\"\n"
                    ),
                ),
            );
        }
        let docs = export(&s, &stamp()).unwrap();
        let cd = &docs["component-definitions/api.json"]["component-definition"]["components"][0];
        let ids: Vec<&Value> = cd["control-implementations"][0]["implemented-requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["control-id"])
            .collect();
        assert_eq!(ids, ["c-9.1.2"]);
        let profile =
            &docs["profile.json"]["profile"]["imports"][0]["include-controls"][0]["with-ids"];
        assert_eq!(profile, &serde_json::json!(["c-9.1.1", "c-9.1.2"]));
    }

    #[test]
    fn a_repository_where_nothing_applies_is_refused() {
        let err = export(&snapshot("Org", false), &stamp()).unwrap_err();
        assert!(err.starts_with("no control is applicable"), "{err}");
    }
}
