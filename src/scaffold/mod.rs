//! What isms writes for people to edit: new item files as TOML text
//! (formatted for people, with `#:schema` headers, and always valid for the
//! parser), the files shipped inside the binary ([`templates`]) and the
//! GitHub Actions workflows ([`workflows`]). It makes text; the commands
//! decide where it goes, and it never reads the repository.

pub mod templates;
pub mod workflows;

use std::fmt::Write;

use crate::model::{CatalogControl, Id, Party, ServiceModel, ServiceRole, Side, SoaStatus};
use crate::repo::FileKind;

/// A TOML basic string, escaped.
pub fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| q(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// [`list`] of `items`, or of `none` alone when there are none.
fn list_or(items: &[String], none: &str) -> String {
    match items {
        [] => list(&[none.to_owned()]),
        _ => list(items),
    }
}

/// The `#:schema` line that starts the file of `kind` with ID `stem` (for
/// an allocation, in `service`'s folder).
fn header(kind: FileKind, service: Option<&str>, stem: &str) -> String {
    format!("{}\n", kind.schema_header(&kind.path(service, stem)))
}

/// The Statement of Applicability decision a control file starts with.
pub struct SoaDecision<'a> {
    pub applicable: bool,
    pub justification: &'a str,
    pub status: SoaStatus,
}

pub fn control_path(id: &Id) -> String {
    FileKind::Control.path(None, id.as_str())
}

/// A control file from its catalog entry.
pub fn control(
    c: &CatalogControl,
    owner: &str,
    cadence: Option<&str>,
    soa: &SoaDecision,
) -> String {
    let mut s = header(FileKind::Control, None, c.id.as_str());
    let sides: Vec<String> = c
        .guidance_for
        .iter()
        .map(|g| match g {
            Side::Provider => "provider".to_owned(),
            Side::Customer => "customer".to_owned(),
        })
        .collect();
    let maps: Vec<String> = c
        .maps_to
        .iter()
        .map(|(k, v)| format!("{} = {}", q(k), list(v)))
        .collect();
    let _ = writeln!(s, "id = {}", q(c.id.as_str()));
    let _ = writeln!(s, "title = {}", q(&c.title));
    let _ = writeln!(s, "framework = {}", q(&c.framework));
    if let Some(theme) = c.theme {
        let _ = writeln!(s, "theme = \"{}\"", theme.as_str());
    }
    let _ = writeln!(s, "summary = {}", q(&c.summary));
    let _ = writeln!(s, "guidance_for = {}", list(&sides));
    if c.guidance_derived {
        let _ = writeln!(
            s,
            "guidance_derived = true       # from ISO/IEC 27017:2015 guidance on the 2013 sources"
        );
    }
    if maps.is_empty() {
        let _ = writeln!(s, "maps_to = {{}}");
    } else {
        let _ = writeln!(s, "maps_to = {{ {} }}", maps.join(", "));
    }
    let _ = writeln!(s, "owner = {}", q(owner));
    if let Some(c) = cadence {
        let _ = writeln!(s, "cadence = {}", q(c));
    }
    let _ = writeln!(
        s,
        "matrix = {}               # true: each in-scope service needs an allocation",
        c.matrix
    );
    if let Some(d) = &c.default_party {
        let _ = writeln!(
            s,
            "default_party = {{ iaas = \"{}\", paas = \"{}\", saas = \"{}\" }}",
            d.iaas, d.paas, d.saas
        );
    }
    let _ = writeln!(s, "\n[soa]");
    let _ = writeln!(s, "applicable = {}", soa.applicable);
    let _ = writeln!(s, "justification = {}", q(soa.justification));
    let _ = writeln!(
        s,
        "status = \"{}\"{}# planned | partial | implemented | not-applicable",
        soa.status.as_str(),
        " ".repeat(15usize.saturating_sub(soa.status.as_str().len()))
    );
    for e in &c.evidence_required {
        let _ = writeln!(s, "\n[[evidence_required]]");
        let _ = writeln!(s, "kind = {}", q(&e.kind));
        let _ = writeln!(s, "every = \"{}\"", e.every);
        let _ = writeln!(s, "description = {}", q(&e.description));
    }
    s
}

pub fn allocation_path(service: &Id, control: &Id) -> String {
    FileKind::Allocation.path(Some(service.as_str()), control.as_str())
}

/// An allocation file. Empty texts are written as empty strings.
pub fn allocation(
    service: &Id,
    control: &Id,
    party: Party,
    provider: &str,
    customer: &str,
    justification: &str,
    owner: &str,
) -> String {
    let mut s = header(
        FileKind::Allocation,
        Some(service.as_str()),
        control.as_str(),
    );
    let _ = writeln!(s, "service = {}", q(service.as_str()));
    let _ = writeln!(s, "control = {}", q(control.as_str()));
    let _ = writeln!(
        s,
        "party = \"{party}\"{}# provider | customer | shared | not-applicable",
        " ".repeat(17usize.saturating_sub(party.to_string().len()))
    );
    let _ = writeln!(s, "provider = {}", q(provider));
    let _ = writeln!(s, "customer = {}", q(customer));
    let _ = writeln!(s, "justification = {}", q(justification));
    let _ = writeln!(s, "owner = {}", q(owner));
    s
}

/// The texts a new allocation starts with, (provider, customer,
/// justification): `TODO` where the party has duties, or, where the control
/// does not apply, where the reason goes.
pub fn todo_texts(party: Party, title: &str) -> (String, String, String) {
    let todo = |side: &str| format!("TODO: what the {side} does for {title}");
    match party {
        Party::Provider => (todo("provider"), String::new(), String::new()),
        Party::Customer => (String::new(), todo("customer"), String::new()),
        Party::Shared => (todo("provider"), todo("customer"), String::new()),
        Party::NotApplicable => (
            String::new(),
            String::new(),
            format!("TODO: why {title} does not apply to this service"),
        ),
    }
}

pub struct NewService<'a> {
    pub id: &'a Id,
    pub name: &'a str,
    pub role: ServiceRole,
    pub model: ServiceModel,
    pub provider: &'a str,
    pub regions: &'a [String],
    /// Categories of data it holds; `customer-data` when none is given.
    pub data: &'a [String],
    pub owner: &'a str,
}

pub fn service(v: &NewService) -> String {
    let mut s = header(FileKind::Service, None, v.id.as_str());
    let _ = writeln!(s, "id = {}", q(v.id.as_str()));
    let _ = writeln!(s, "name = {}", q(v.name));
    let _ = writeln!(
        s,
        "role = \"{}\"             # provider: we provide it | customer: we consume it",
        v.role
    );
    let _ = writeln!(
        s,
        "model = \"{}\"                # iaas | paas | saas",
        v.model
    );
    let _ = writeln!(s, "provider = {}", q(v.provider));
    let _ = writeln!(
        s,
        "regions = {}   # where data is stored or processed",
        list_or(v.regions, "TODO")
    );
    let _ = writeln!(
        s,
        "data = {}   # categories of data it holds",
        list_or(v.data, "customer-data")
    );
    let _ = writeln!(s, "owner = {}", q(v.owner));
    s
}

/// What `new evidence` knows of the record it scaffolds.
pub struct NewEvidence<'a> {
    pub id: &'a Id,
    pub title: Option<&'a str>,
    pub kind: &'a str,
    pub controls: &'a [String],
    pub services: &'a [String],
    pub collected: &'a str,
    pub collected_by: &'a str,
    pub valid_for: &'a str,
    /// (path under evidence/, sha256) of each artifact.
    pub artifacts: &'a [(String, String)],
    /// Written only when given.
    pub description: Option<&'a str>,
}

pub fn evidence(e: &NewEvidence) -> String {
    let NewEvidence {
        id,
        title,
        kind,
        controls,
        services,
        collected,
        collected_by,
        valid_for,
        artifacts,
        description,
    } = e;
    let mut s = header(FileKind::Evidence, None, id.as_str());
    let _ = writeln!(s, "id = {}", q(id.as_str()));
    let _ = writeln!(
        s,
        "title = {}",
        q(title.unwrap_or("TODO: what this evidence shows"))
    );
    let _ = writeln!(s, "controls = {}", list(controls));
    let _ = writeln!(s, "services = {}", list(services));
    let _ = writeln!(s, "kind = {}", q(kind));
    let _ = writeln!(s, "collected = {collected}");
    let _ = writeln!(s, "collected_by = {}", q(collected_by));
    let _ = writeln!(s, "valid_for = {}", q(valid_for));
    if let Some(description) = description {
        let _ = writeln!(s, "description = {}", q(description));
    }
    let _ = writeln!(
        s,
        "\n# Artifact files live under evidence/files/; `isms check` verifies their sha256."
    );
    if artifacts.is_empty() {
        let _ = writeln!(
            s,
            "# (`isms new evidence ID --artifact FILE` records one, with its sha256.)\n\
             # [[artifacts]]\n# path = \"files/{id}.pdf\"\n# sha256 = \"\""
        );
    }
    for (path, sha256) in *artifacts {
        let _ = writeln!(
            s,
            "[[artifacts]]\npath = {}\nsha256 = {}",
            q(path),
            q(sha256)
        );
    }
    s
}

/// What a new finding's file says.
pub struct NewFinding<'a> {
    pub id: &'a Id,
    pub title: Option<&'a str>,
    pub kind: &'a str,
    pub severity: &'a str,
    pub controls: &'a [String],
    pub services: &'a [String],
    pub raised: &'a str,
    pub raised_by: &'a str,
    pub owner: &'a str,
    pub due: &'a str,
    pub description: Option<&'a str>,
    pub corrective_action: Option<&'a str>,
}

pub fn finding(f: &NewFinding) -> String {
    let NewFinding {
        id,
        title,
        kind,
        severity,
        controls,
        services,
        raised,
        raised_by,
        owner,
        due,
        description,
        corrective_action,
    } = f;
    let mut s = header(FileKind::Finding, None, id.as_str());
    let _ = writeln!(s, "id = {}", q(id.as_str()));
    let _ = writeln!(
        s,
        "title = {}",
        q(title.unwrap_or("TODO: what is wrong, in a line"))
    );
    let _ = writeln!(
        s,
        "{:<28} # nonconformity | observation | exception",
        format!("kind = {}", q(kind))
    );
    let _ = writeln!(
        s,
        "{:<28} # major | minor",
        format!("severity = {}", q(severity))
    );
    let _ = writeln!(s, "controls = {}", list(controls));
    let _ = writeln!(s, "services = {}", list(services));
    let _ = writeln!(s, "raised = {raised}");
    let _ = writeln!(s, "raised_by = {}", q(raised_by));
    let _ = writeln!(s, "owner = {}", q(owner));
    let _ = writeln!(s, "due = {due}");
    let _ = writeln!(
        s,
        "status = \"open\"              # open | in-progress | closed | accepted"
    );
    let _ = writeln!(s, "description = {}", q(description.unwrap_or_default()));
    let _ = writeln!(
        s,
        "corrective_action = {}",
        q(corrective_action.unwrap_or("TODO: what will be done, by when"))
    );
    s
}

/// A new trigger's `[[when]]` rule: the files it watches, the field it
/// compares, and the change that fires it.
pub struct When<'a> {
    pub path: &'a str,
    pub field: Option<&'a str>,
    pub change: &'a str,
}

impl When<'static> {
    /// The rule of a trigger made without one, an example to edit: a
    /// service gains a region.
    pub const EXAMPLE: When<'static> = When {
        path: "services/*.toml",
        field: Some("regions"),
        change: "added",
    };
}

pub fn trigger(id: &Id, title: Option<&str>, reassess: &[Id], when: &When) -> String {
    let mut s = header(FileKind::Trigger, None, id.as_str());
    let _ = writeln!(s, "id = {}", q(id.as_str()));
    let _ = writeln!(
        s,
        "title = {}",
        q(title.unwrap_or("TODO: the event, in a line"))
    );
    let list: Vec<String> = reassess.iter().map(|c| q(c.as_str())).collect();
    let _ = writeln!(
        s,
        "reassess = [{}]  # the controls to reassess when it fires",
        list.join(", ")
    );
    let _ = writeln!(s, "\n[[when]]");
    let _ = writeln!(s, "path = {}", q(when.path));
    if let Some(field) = when.field {
        let _ = writeln!(s, "field = {}", q(field));
    }
    let _ = writeln!(
        s,
        "{:<29} # added | removed | changed | created | deleted",
        format!("change = {}", q(when.change))
    );
    s
}

/// The schema of `kind` as pretty JSON, as written to `.isms/schemas/`.
pub fn schema_text(kind: FileKind) -> String {
    let mut s = serde_json::to_string_pretty(&kind.schema()).expect("schemas serialize");
    s.push('\n');
    s
}
