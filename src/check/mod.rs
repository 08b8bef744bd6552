//! Pure rules: a snapshot in, every problem out (DESIGN §4). No rule reads a file.

pub mod approvals;
pub mod placeholders;
pub mod review;
pub mod triggers;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::diagnostic::suggestion;
use crate::model::{ArtifactState, Config, Control, Doc, Edition, Id, Party, Snapshot, SoaStatus};
use crate::span::locate;

/// Runs every rule over `s`.
pub fn check(s: &Snapshot) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    file_ids(s, &mut out);
    if let Some(config) = &s.config {
        config_rules(config, &mut out);
    }
    controls(s, &mut out);
    services(s, &mut out);
    allocations(s, &mut out);
    matrix(s, &mut out);
    evidence(s, &mut out);
    triggers(s, &mut out);
    findings(s, &mut out);
    placeholders::check(s, &mut out);
    out
}

/// The rules that depend on the date the check is made for (`today`, or
/// `--as-of`): evidence cannot have been collected after it.
pub fn dated(s: &Snapshot, today: chrono::NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in s.evidence.values() {
        let collected = doc.value.collected.0;
        if collected > today {
            out.push(
                err(
                    "evidence-future",
                    doc,
                    &["collected"],
                    format!("collected {collected}, after {today}: evidence cannot predate its collection"),
                )
                .hint("correct the date; for a planned collection, add the record when it is done"),
            );
        }
    }
    out
}

/// A diagnostic at `key` of `doc`.
fn at<T>(d: Diagnostic, doc: &Doc<T>, key: &[&str]) -> Diagnostic {
    d.in_text(&doc.text, locate(&doc.text, key))
}

fn err<T>(rule: &'static str, doc: &Doc<T>, key: &[&str], message: String) -> Diagnostic {
    at(Diagnostic::error(rule, &doc.path, message), doc, key)
}

/// The ID inside a file must equal its file name.
fn file_ids(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    fn same<T>(
        out: &mut Vec<Diagnostic>,
        doc: &Doc<T>,
        key: &str,
        inside: &Id,
        expected: &Id,
        what: &str,
    ) {
        if inside != expected {
            out.push(
                err(
                    "id-mismatch",
                    doc,
                    &[key],
                    format!("{key} `{inside}` does not match the {what} `{expected}`"),
                )
                .hint(format!(
                    "the file name is the ID: set {key} = \"{expected}\" or rename the file"
                )),
            );
        }
    }
    for (id, d) in &s.controls {
        same(out, d, "id", &d.value.id, id, "file name");
    }
    for (id, d) in &s.services {
        same(out, d, "id", &d.value.id, id, "file name");
    }
    for (id, d) in &s.evidence {
        same(out, d, "id", &d.value.id, id, "file name");
    }
    for (id, d) in &s.triggers {
        same(out, d, "id", &d.value.id, id, "file name");
    }
    for (id, d) in &s.findings {
        same(out, d, "id", &d.value.id, id, "file name");
    }
    for ((svc, ctl), d) in &s.allocations {
        same(out, d, "service", &d.value.service, svc, "directory name");
        same(out, d, "control", &d.value.control, ctl, "file name");
    }
    // IDs that differ only in case collide on macOS and Windows checkouts.
    fn case<'a, T: 'a>(
        out: &mut Vec<Diagnostic>,
        docs: impl Iterator<Item = (String, &'a Doc<T>)>,
    ) {
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for (id, d) in docs {
            match seen.get(&id.to_lowercase()) {
                Some(other) => out.push(
                    Diagnostic::error(
                        "id-case",
                        &d.path,
                        format!(
                            "{} and {other} differ only in case; they collide on macOS and Windows",
                            d.path
                        ),
                    )
                    .hint("rename one of them"),
                ),
                None => {
                    seen.insert(id.to_lowercase(), &d.path);
                }
            }
        }
    }
    case(out, s.controls.iter().map(|(id, d)| (id.to_string(), d)));
    case(out, s.services.iter().map(|(id, d)| (id.to_string(), d)));
    case(out, s.evidence.iter().map(|(id, d)| (id.to_string(), d)));
    case(out, s.triggers.iter().map(|(id, d)| (id.to_string(), d)));
    case(out, s.findings.iter().map(|(id, d)| (id.to_string(), d)));
    case(
        out,
        s.allocations
            .iter()
            .map(|((svc, ctl), d)| (format!("{svc}/{ctl}"), d)),
    );
}

fn config_rules(config: &Doc<Config>, out: &mut Vec<Diagnostic>) {
    let c = &config.value;
    for key in c.teams.keys() {
        if c.people.contains_key(key) {
            out.push(err(
                "duplicate-owner",
                config,
                &["teams", key.as_str()],
                format!("`{key}` is both a person and a team; owner keys must be unique"),
            ));
        }
    }
    // A handle GitHub cannot resolve makes a CODEOWNERS line GitHub rejects
    // and review requests that reach no one.
    use crate::model::{github_login_problem, github_team_problem};
    let handles = c
        .people
        .iter()
        .map(|(k, p)| ("people", k, &p.github, github_login_problem(&p.github)))
        .chain(
            c.teams
                .iter()
                .map(|(k, t)| ("teams", k, &t.github, github_team_problem(&t.github))),
        );
    for (group, key, handle, problem) in handles {
        let Some(message) = problem.filter(|_| !handle.trim().is_empty()) else {
            continue;
        };
        out.push(at(
            Diagnostic::warning("github-handle", &config.path, message).hint(
                "CODEOWNERS and review requests use it as written; \
                 a person's is their login, a team's is org/team-slug",
            ),
            config,
            &[group, key.as_str(), "github"],
        ));
    }
    if let Some(problem) = c
        .github
        .repository
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .and_then(crate::model::github_repository_problem)
    {
        out.push(at(
            Diagnostic::warning("github-handle", &config.path, problem).hint(
                "pull requests and approvals are asked of this repository: write it as owner/name",
            ),
            config,
            &["github", "repository"],
        ));
    }
    // An address no commit carries: that person's commits and reviews are
    // never matched to them.
    for (key, person) in &c.people {
        // A placeholder is the placeholder rule's to report.
        let problem = Some(person.email.as_str())
            .filter(|e| !e.trim().is_empty() && !placeholders::holds(e))
            .and_then(crate::model::email_problem);
        if let Some(message) = problem {
            out.push(at(
                Diagnostic::warning("email", &config.path, message)
                    .hint("commits are matched to people by the address git records for them"),
                config,
                &["people", key.as_str(), "email"],
            ));
        }
    }
    // An address or login two people share names neither: `--owner` and
    // `@me` cannot tell them apart, and a commit by it is either's.
    let mut first: BTreeMap<(&str, String), &Id> = BTreeMap::new();
    for (key, person) in &c.people {
        for (field, rule, what, value) in [
            ("email", "email", "email", &person.email),
            ("github", "github-handle", "GitHub login", &person.github),
        ] {
            let alias = crate::model::owner_alias(value);
            if alias.is_empty() || value.contains(placeholders::MARKER) {
                continue;
            }
            let other = match first.entry((field, alias)) {
                Entry::Vacant(v) => {
                    v.insert(key);
                    continue;
                }
                Entry::Occupied(o) => *o.get(),
            };
            out.push(at(
                Diagnostic::warning(
                    rule,
                    &config.path,
                    format!("`{}` is `{other}`'s {what} too", value.trim()),
                )
                .hint(match field {
                    "email" => "commits are matched to people by it: a commit by it is taken as either's, and `--owner` names neither by it",
                    _ => "review requests and approvals are matched to people by it: an approval by it is taken as either's, and `--owner` names neither by it",
                }),
                config,
                &["people", key.as_str(), field],
            ));
        }
    }
    // A team with no members: nobody answers for what it owns.
    for (key, _) in c.teams.iter().filter(|(_, t)| t.members.is_empty()) {
        out.push(at(
            Diagnostic::warning(
                "team-members",
                &config.path,
                format!("team `{key}` has no members: nobody answers for what it owns"),
            )
            .hint("list the people who answer for it by key: members = [\"alice\", \"bob\"]"),
            config,
            &["teams", key.as_str(), "members"],
        ));
    }
    // Under author approval a review counts only by its author's address:
    // a person without one can never review what they or their teams own.
    if c.review.approval == crate::model::Approval::Author {
        for (key, _) in c.people.iter().filter(|(_, p)| p.email.trim().is_empty()) {
            out.push(at(
                Diagnostic::warning(
                    "email",
                    &config.path,
                    format!(
                        "`{key}` has no email: under approval = \"author\", no review of theirs can count"
                    ),
                )
                .hint("add the address git records for their commits (`git log --format='%an <%ae>'` shows them)"),
                config,
                &["people", key.as_str(), "email"],
            ));
        }
    }
    for (key, team) in &c.teams {
        for (i, m) in team.members.iter().enumerate() {
            if !c.people.contains_key(m) {
                let idx = i.to_string();
                let mut d = err(
                    "unknown-reference",
                    config,
                    &["teams", key.as_str(), "members", &idx],
                    format!("team `{key}` lists `{m}`, who is not in [people]"),
                );
                if let Some(h) = suggest(m, c.people.keys()) {
                    d = d.hint(h);
                }
                out.push(d);
            }
        }
    }
}

fn suggest<'a>(name: &Id, candidates: impl Iterator<Item = &'a Id>) -> Option<String> {
    let names: Vec<&str> = candidates.map(Id::as_str).collect();
    suggestion(name.as_str(), &names)
}

/// The name of the field at `key`: for an element of a list
/// (`["raci", "consulted", "1"]`), the list's.
fn field_name<'a>(key: &[&'a str], default: &'a str) -> &'a str {
    (key.iter().rev())
        .find(|k| k.parse::<usize>().is_err())
        .copied()
        .unwrap_or(default)
}

/// Checks an owner-like reference against people and teams.
fn owner_ref<T>(s: &Snapshot, doc: &Doc<T>, key: &[&str], who: &Id, out: &mut Vec<Diagnostic>) {
    let Some(config) = &s.config else { return };
    let c = &config.value;
    // `TODO` is a placeholder, which the placeholder rule reports as a warning.
    if c.has_owner(who.as_str()) || who.as_str() == "TODO" {
        return;
    }
    let hint = (c.key_hint(who.as_str(), false))
        .or_else(|| suggest(who, c.people.keys().chain(c.teams.keys())))
        .unwrap_or_else(|| {
            format!(
                "add [people.{who}] or [teams.{who}] to isms.toml, or run `isms new person {who}`"
            )
        });
    out.push(
        err(
            "unknown-reference",
            doc,
            key,
            format!(
                "{} `{who}` is not a person or team in isms.toml",
                field_name(key, "owner")
            ),
        )
        .hint(hint),
    );
}

fn person_ref<T>(s: &Snapshot, doc: &Doc<T>, key: &[&str], who: &Id, out: &mut Vec<Diagnostic>) {
    let Some(config) = &s.config else { return };
    if config.value.people.contains_key(who) {
        return;
    }
    let mut d = err(
        "unknown-reference",
        doc,
        key,
        format!(
            "{} `{who}` is not a person in isms.toml",
            field_name(key, "person")
        ),
    );
    if config.value.teams.contains_key(who) {
        d = d.hint(format!("`{who}` is a team; name one of its members"));
    } else if let Some(h) = (config.value.key_hint(who.as_str(), true))
        .or_else(|| suggest(who, config.value.people.keys()))
    {
        d = d.hint(h);
    }
    out.push(d);
}

fn control_ref<T>(s: &Snapshot, doc: &Doc<T>, key: &[&str], id: &Id, out: &mut Vec<Diagnostic>) {
    if s.present.controls.contains(id) {
        return;
    }
    let mut d = err(
        "unknown-reference",
        doc,
        key,
        format!("control `{id}` does not exist (no controls/{id}.toml)"),
    );
    if let Some(h) = other_edition(edition_of(s), id.as_str()) {
        d = d.hint(format!("{h}: name that instead"));
    } else if let Some(h) = suggest(id, s.present.controls.iter()) {
        d = d.hint(h);
    }
    out.push(d);
}

/// For an item that does not exist: when it names a control of another
/// edition, "; 9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15". An ID in
/// ISO/IEC 27001's Annex A notation (`A.5.16`) is read without its `A.`.
pub fn edition_note(key: &crate::model::ItemKey, s: &Snapshot) -> String {
    use crate::model::ItemKey;
    let id = match key {
        ItemKey::Control(id) | ItemKey::Allocation(_, id) => id.as_str(),
        _ => return String::new(),
    };
    let edition = edition_of(s);
    if let Some(bare) = id.strip_prefix("A.") {
        let annex = format!("; {id} is Annex A notation: controls are named without `A.`");
        if crate::scaffold::templates::catalog(edition)
            .get(bare)
            .is_some()
        {
            return format!("{annex}, here {bare}");
        }
        if let Some(m) = other_edition(edition, bare) {
            return format!("{annex}, and {m}");
        }
    }
    other_edition(edition, id)
        .map(|m| format!("; {m}"))
        .unwrap_or_default()
}

/// The repository's catalog edition.
pub fn edition_of(s: &Snapshot) -> Edition {
    s.config
        .as_ref()
        .map(|c| c.value.catalog.edition)
        .unwrap_or_default()
}

/// When `id` is a control of another edition than `edition`, what it is and
/// what it became: "9.1.1 is ISO/IEC 27002:2013; in 2022 it is 5.15".
pub fn other_edition(edition: Edition, id: &str) -> Option<String> {
    if crate::scaffold::templates::catalog(edition)
        .get(id)
        .is_some()
    {
        return None;
    }
    Edition::names()
        .iter()
        .filter_map(|n| Edition::parse(n))
        .find_map(|other| {
            let c = crate::scaffold::templates::catalog(other).get(id)?;
            let mapped: Vec<&str> = match (
                crate::scaffold::templates::crosswalk(other, edition),
                crate::scaffold::templates::crosswalk(edition, other),
            ) {
                (Some(x), _) => x.targets(id).into_iter().map(Id::as_str).collect(),
                (None, Some(x)) => x.sources(id).into_iter().map(Id::as_str).collect(),
                (None, None) => Vec::new(),
            };
            Some(match mapped.as_slice() {
                [] => format!("{id} is {}; {edition} has no counterpart", c.framework),
                [one] => format!("{id} is {}; in {edition} it is {one}", c.framework),
                many => format!(
                    "{id} is {}; in {edition} it is one of {}",
                    c.framework,
                    many.join(", ")
                ),
            })
        })
}

/// A control whose ID is not in the repository's edition: named with its
/// mapping when it comes from another edition, or with the closest ID.
/// Controls of other frameworks (an organisation's own) are not judged.
/// Nothing is judged when the settings could not be read: the edition is
/// then unknown, and their own error says why.
fn catalog_edition(s: &Snapshot, doc: &Doc<crate::model::Control>, out: &mut Vec<Diagnostic>) {
    if s.config.is_none() {
        return;
    }
    let edition = edition_of(s);
    let catalog = crate::scaffold::templates::catalog(edition);
    let id = doc.value.id.as_str();
    if catalog.get(id).is_some() {
        return;
    }
    if let Some(mapped) = other_edition(edition, id) {
        out.push(
            err(
                "catalog-edition",
                doc,
                &["id"],
                format!("control `{id}` is not in this repository's edition: {mapped}"),
            )
            .hint(format!(
                "this repository follows the {edition} catalog ([catalog] edition in isms.toml): \
                 use the control's {edition} ID"
            )),
        );
        return;
    }
    let ours = Edition::names()
        .iter()
        .filter_map(|n| Edition::parse(n))
        .any(|e| {
            crate::scaffold::templates::catalog(e)
                .frameworks()
                .contains(doc.value.framework.as_str())
        });
    if !ours {
        return;
    }
    let ids: Vec<&str> = catalog.control.iter().map(|c| c.id.as_str()).collect();
    let mut d = err(
        "catalog-edition",
        doc,
        &["id"],
        format!(
            "control `{id}` ({}) is not in the {edition} catalog ({})",
            doc.value.framework, catalog.name
        ),
    );
    if let Some(h) = suggestion(id, &ids) {
        d = d.hint(h);
    }
    out.push(d);
}

fn service_ref<T>(s: &Snapshot, doc: &Doc<T>, key: &[&str], id: &Id, out: &mut Vec<Diagnostic>) {
    if s.present.services.contains(id) {
        return;
    }
    let mut d = err(
        "unknown-reference",
        doc,
        key,
        format!("service `{id}` does not exist (no services/{id}.toml)"),
    );
    if let Some(h) = suggest(id, s.present.services.iter()) {
        d = d.hint(h);
    }
    out.push(d);
}

fn controls(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    let require_inclusion = s
        .config
        .as_ref()
        .is_some_and(|c| c.value.review.require_inclusion_justification);
    for doc in s.controls.values() {
        let c = &doc.value;
        catalog_edition(s, doc, out);
        owner_ref(s, doc, &["owner"], &c.owner, out);
        let Some(soa) = &c.soa else {
            out.push(
                err(
                    "soa",
                    doc,
                    &["id"],
                    format!(
                        "control `{}` has no Statement of Applicability decision",
                        c.id
                    ),
                )
                .hint("add a [soa] table with applicable, status and justification"),
            );
            continue;
        };
        if !soa.applicable && soa.justification.trim().is_empty() {
            out.push(
                err("soa", doc, &["soa", "applicable"], format!(
                    "control `{}` is not applicable but has no justification",
                    c.id
                ))
                .hint("say why in soa.justification: auditors read it in the Statement of Applicability"),
            );
        }
        if soa.applicable && soa.justification.trim().is_empty() {
            let message = format!("control `{}` is applicable but has no justification", c.id);
            let d = if require_inclusion {
                Diagnostic::error("soa-justification", &doc.path, message)
            } else {
                Diagnostic::warning("soa-justification", &doc.path, message)
            };
            out.push(
                at(d, doc, &["soa", "justification"])
                    .hint("say why it is included in soa.justification: ISO/IEC 27001 6.1.3 d asks for the justification of inclusions too"),
            );
        }
        if !soa.applicable && soa.status != SoaStatus::NotApplicable {
            out.push(err(
                "soa",
                doc,
                &["soa", "status"],
                format!(
                    "control `{}` is not applicable, so its status must be \"not-applicable\"",
                    c.id
                ),
            ));
        }
        if soa.applicable && soa.status == SoaStatus::NotApplicable {
            out.push(err("soa", doc, &["soa", "status"], format!(
                "control `{}` has status \"not-applicable\" but soa.applicable = true",
                c.id
            )).hint("set soa.applicable = false with a justification, or choose planned, partial or implemented"));
        }
    }
}

fn services(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    for doc in s.services.values() {
        owner_ref(s, doc, &["owner"], &doc.value.owner, out);
    }
}

fn allocations(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    for ((svc, ctl), doc) in &s.allocations {
        let a = &doc.value;
        owner_ref(s, doc, &["owner"], &a.owner, out);
        if let Some(raci) = &a.raci {
            for (key, who) in [
                ("responsible", &raci.responsible),
                ("accountable", &raci.accountable),
            ] {
                if let Some(who) = who {
                    owner_ref(s, doc, &["raci", key], who, out);
                }
            }
            for (key, list) in [("consulted", &raci.consulted), ("informed", &raci.informed)] {
                for (i, who) in list.iter().enumerate() {
                    owner_ref(s, doc, &["raci", key, &i.to_string()], who, out);
                }
            }
        }
        let blank = |t: &str| t.trim().is_empty();
        let need = |party_text: &str, field: &str, out: &mut Vec<Diagnostic>| {
            if blank(party_text) {
                out.push(
                    err(
                        "allocation-duties",
                        doc,
                        &["party"],
                        format!(
                            "party is `{}` but `{field}` is empty: say what the {field} does",
                            a.party
                        ),
                    )
                    .hint(format!(
                        "describe the {field}'s duties for {ctl} on {svc} in `{field} = \"…\"`"
                    )),
                );
            }
        };
        match a.party {
            Party::Provider => need(&a.provider, "provider", out),
            Party::Customer => need(&a.customer, "customer", out),
            Party::Shared => {
                need(&a.provider, "provider", out);
                need(&a.customer, "customer", out);
            }
            Party::NotApplicable => {
                if blank(&a.justification) {
                    out.push(
                        err("allocation-justification", doc, &["party"], format!(
                            "party is `not-applicable` but there is no justification for {ctl} on {svc}"
                        ))
                        .hint("say why the control does not apply to this service in `justification = \"…\"`"),
                    );
                }
            }
        }
    }
    // Orphans and allocations for organisation-wide controls: decided from
    // paths, so they are found even for allocations not parsed this run.
    // Most allocations are in order: their path and file are looked up
    // only for a finding.
    for (svc, controls) in &s.present.allocations {
        let service = s.present.services.contains(svc);
        for ctl in controls {
            let control = s.controls.get(ctl);
            let fine = match control {
                Some(c) => c.value.matrix && c.value.is_applicable(),
                // A control that does not parse is reported once, by itself.
                None => s.present.controls.contains(ctl),
            };
            if !(service && fine) {
                allocation_rules(s, svc, ctl, control, out);
            }
        }
    }
}

/// The findings about the allocation file of `ctl` on `svc` that depend on
/// other files: its service and control exist, and the control is a
/// matrix control that applies.
fn allocation_rules(
    s: &Snapshot,
    svc: &Id,
    ctl: &Id,
    control: Option<&Doc<Control>>,
    out: &mut Vec<Diagnostic>,
) {
    let path = crate::model::FileKind::Allocation.path(Some(svc.as_str()), ctl.as_str());
    let doc = s.allocations.get(&(svc.clone(), ctl.clone()));
    let place = |d: Diagnostic, key: &str| match doc {
        Some(doc) => at(d, doc, &[key]),
        None => d,
    };
    if !s.present.services.contains(svc) {
        let mut d = place(
            Diagnostic::error(
                "allocation-orphan",
                &path,
                format!(
                    "allocation for service `{svc}`, which does not exist (no services/{svc}.toml)"
                ),
            ),
            "service",
        );
        d = d.hint(suggest(svc, s.present.services.iter()).unwrap_or_else(|| {
            "remove the allocation, or create the service with `isms new service`".into()
        }));
        out.push(d);
    }
    if !s.present.controls.contains(ctl) {
        let mut d = place(
            Diagnostic::error(
                "allocation-orphan",
                &path,
                format!(
                    "allocation for control `{ctl}`, which does not exist (no controls/{ctl}.toml)"
                ),
            ),
            "control",
        );
        if let Some(h) = suggest(ctl, s.present.controls.iter()) {
            d = d.hint(h);
        }
        out.push(d);
    }
    if let Some(control) = control {
        if !control.value.matrix {
            let line = locate(&control.text, &["matrix"])
                .map(|(l, _)| format!(":{l}"))
                .unwrap_or_default();
            out.push(place(Diagnostic::error("allocation-not-matrix", &path, format!(
                "allocation for control `{ctl}`, which is organisation-wide ({}{line} has matrix = false)",
                control.path
            )), "control").hint("remove the allocation, or set matrix = true on the control"));
        } else if !control.value.is_applicable() {
            out.push(place(Diagnostic::warning("allocation-unused", &path, format!(
                "allocation for control `{ctl}`, which is not applicable in the Statement of Applicability"
            )), "control"));
        }
    }
}

/// Every in-scope service × every applicable matrix control has an allocation.
fn matrix(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    let gaps = s.matrix_gaps();
    let many = gaps.len() > 1;
    for (svc, service, ctl, control) in gaps {
        let line = locate(&control.text, &["matrix"])
            .map(|(l, _)| format!(":{l}"))
            .unwrap_or_default();
        let mut hint =
            format!("run `isms new allocation {svc} {ctl}` to create it with the default party");
        if many {
            hint.push_str(", or `isms new allocation --missing` to create every missing one");
        }
        out.push(
            Diagnostic::error(
                "matrix-incomplete",
                crate::model::FileKind::Allocation.path(Some(svc.as_str()), ctl.as_str()),
                format!(
                    "missing allocation: service `{svc}` ({}) is in scope and control `{ctl}` ({}{line}) needs one per service",
                    service.path, control.path
                ),
            )
            .hint(hint),
        );
    }
}

/// The kind that `kind` most likely misspells, of those the `controls` of an
/// evidence record ask for (`evidence_required`): none when one of them asks
/// for `kind` itself, or when none asks for one a typo away. A record of a
/// misspelt kind meets no requirement, and its control stays without evidence.
pub fn misspelt_kind<'a>(
    s: &'a Snapshot,
    kind: &str,
    controls: &[impl AsRef<str>],
) -> Option<&'a str> {
    let wanted = asked_kinds(s, controls);
    if wanted.contains(&kind) {
        return None;
    }
    crate::diagnostic::did_you_mean_id(kind, &wanted)
}

/// The evidence kinds `controls` ask for (`evidence_required`), each once,
/// in the order they ask.
pub fn asked_kinds<'a>(s: &'a Snapshot, controls: &[impl AsRef<str>]) -> Vec<&'a str> {
    let mut kinds: Vec<&str> = Vec::new();
    for kind in (controls.iter())
        .filter_map(|c| s.controls.get(c.as_ref()))
        .flat_map(|c| c.value.evidence_required.iter().map(|r| r.kind.as_str()))
    {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

fn evidence(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    for (id, doc) in &s.evidence {
        let e = &doc.value;
        for (i, c) in e.controls.iter().enumerate() {
            control_ref(s, doc, &["controls", &i.to_string()], c, out);
        }
        for (i, v) in e.services.iter().enumerate() {
            service_ref(s, doc, &["services", &i.to_string()], v, out);
        }
        person_ref(s, doc, &["collected_by"], &e.collected_by, out);
        if let Some(meant) = misspelt_kind(s, &e.kind, &e.controls) {
            out.push(
                at(
                    Diagnostic::warning(
                        "evidence-kind",
                        &doc.path,
                        format!(
                            "kind `{}` is not one its controls ask for, so the record meets none of their requirements",
                            e.kind
                        ),
                    ),
                    doc,
                    &["kind"],
                )
                .hint(crate::diagnostic::meant(meant)),
            );
        }
        if e.valid_for.is_some() && e.expires.is_some() {
            out.push(err(
                "evidence-validity",
                doc,
                &["expires"],
                "set either `valid_for` or `expires`, not both".into(),
            ));
        }
        // A record that expired before it was collected was never current:
        // most likely a mistyped date.
        if let Some(expires) = e.expires.filter(|x| x.0 < e.collected.0) {
            out.push(at(
                Diagnostic::warning(
                    "evidence-dates",
                    &doc.path,
                    format!(
                        "expires {}, before it was collected ({}): it never meets a requirement",
                        expires.0, e.collected.0
                    ),
                )
                .hint("check the dates: a record is collected first"),
                doc,
                &["expires"],
            ));
        }
        let states = s.artifacts.get(id).map(Vec::as_slice).unwrap_or(&[]);
        for (i, (artifact, state)) in e.artifacts.iter().zip(states).enumerate() {
            let idx = i.to_string();
            let file = crate::model::artifact_path(&artifact.path);
            let d = match state {
                ArtifactState::Found { sha256 } => {
                    let want = artifact.sha256.trim();
                    if want.len() != 64 || !want.bytes().all(|b| b.is_ascii_hexdigit()) {
                        Some(
                            err(
                                "artifact-hash",
                                doc,
                                &["artifacts", &idx, "sha256"],
                                format!("sha256 of `{}` is not 64 hex digits", artifact.path),
                            )
                            .hint(format!("the file's sha256 is {sha256}")),
                        )
                    } else if !want.eq_ignore_ascii_case(sha256) {
                        Some(err("artifact-hash", doc, &["artifacts", &idx, "sha256"], format!(
                            "{file} has changed: its sha256 is {sha256}, the record says {want}"
                        )).hint("evidence must not change after collection: restore the file, or record a new evidence item"))
                    } else {
                        None
                    }
                }
                ArtifactState::LineEndings { sha256, crlf } => {
                    let want = artifact.sha256.trim();
                    let (has, had, fix) = match crlf {
                        true => (
                            "CRLF",
                            "LF",
                            format!(
                                "git converted them on checkout (core.autocrlf): keep artifacts byte for byte with `/evidence/files/** -text` in .gitattributes, then check the file out again: `git rm --cached -q -- {file} && git checkout HEAD -- {file}`"
                            ),
                        ),
                        false => (
                            "LF",
                            "CRLF",
                            format!(
                                "git converted them when the file was added (`text` in .gitattributes, or core.autocrlf): keep artifacts byte for byte with `/evidence/files/** -text` in .gitattributes, then add the file again: `git add --renormalize {file}`"
                            ),
                        ),
                    };
                    Some(err("artifact-hash", doc, &["artifacts", &idx, "sha256"], format!(
                        "{file} is the collected file with its line endings changed, {had} to {has}: its sha256 is {sha256}, the record says {want}"
                    )).hint(fix))
                }
                ArtifactState::Missing => Some(err(
                    "artifact-missing",
                    doc,
                    &["artifacts", &idx, "path"],
                    format!("artifact {file} does not exist"),
                )),
                ArtifactState::InvalidPath(why) => Some(err(
                    "artifact-path",
                    doc,
                    &["artifacts", &idx, "path"],
                    why.clone(),
                )),
                ArtifactState::Escapes => Some(err(
                    "artifact-path",
                    doc,
                    &["artifacts", &idx, "path"],
                    format!(
                        "artifact {file} is a symbolic link (or goes through one) that leads outside the repository; it was not read"
                    ),
                )),
                ArtifactState::NotAFile => Some(err(
                    "artifact-path",
                    doc,
                    &["artifacts", &idx, "path"],
                    format!("artifact {file} is not a regular file"),
                )),
                ArtifactState::TooLarge(size) => Some(err(
                    "artifact-path",
                    doc,
                    &["artifacts", &idx, "path"],
                    format!(
                        "artifact {file} is {size} bytes, over the {} MiB an artifact may be; it was not read",
                        crate::model::MAX_ARTIFACT_BYTES >> 20
                    ),
                )),
                ArtifactState::Unreadable(why) => Some(err(
                    "artifact-missing",
                    doc,
                    &["artifacts", &idx, "path"],
                    format!("artifact {file} could not be read: {why}"),
                )),
            };
            out.extend(d);
        }
    }
}

fn triggers(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    for doc in s.triggers.values() {
        trigger_rules(s, doc, out);
    }
}

/// The rules of one trigger of `s`: the controls it reassesses, and
/// `[[when]]` rules that can fire.
pub fn trigger_rules(s: &Snapshot, doc: &Doc<crate::model::Trigger>, out: &mut Vec<Diagnostic>) {
    use crate::model::Change;
    let t = &doc.value;
    for (i, c) in t.reassess.iter().enumerate() {
        control_ref(s, doc, &["reassess", &i.to_string()], c, out);
    }
    if t.reassess.is_empty() {
        out.push(err(
            "trigger-rule",
            doc,
            &["reassess"],
            format!(
                "trigger `{}` names no control to reassess, so firing it would ask nobody to look again",
                t.id
            ),
        ));
    }
    if t.when.is_empty() {
        out.push(err(
            "trigger-rule",
            doc,
            &["when"],
            format!("trigger `{}` has no [[when]] rule, so it never fires", t.id),
        ));
    }
    for (i, rule) in t.when.iter().enumerate() {
        let idx = i.to_string();
        let needs_field = matches!(
            rule.change,
            Change::Added | Change::Removed | Change::Changed
        );
        if needs_field && rule.field.as_deref().is_none_or(|f| f.trim().is_empty()) {
            out.push(err(
                "trigger-rule",
                doc,
                &["when", &idx, "change"],
                "this change kind compares a field: set `field`".into(),
            ));
        }
        if rule.path.starts_with('/') || rule.path.split('/').any(|c| c == "..") {
            out.push(err("trigger-rule", doc, &["when", &idx, "path"], format!(
                "path `{}` must be a glob relative to the repository root, like services/*.toml",
                rule.path
            )));
            continue;
        }
        let glob = match triggers::glob(&rule.path) {
            Ok(glob) => glob,
            Err(problem) => {
                out.push(err("trigger-rule", doc, &["when", &idx, "path"], problem));
                continue;
            }
        };
        // Under a folder a typo from an item folder (`service/*.toml`),
        // where isms keeps nothing: it would never fire on an item.
        let dirs = crate::model::ITEM_DIRS;
        if let Some((first, rest)) = rule.path.split_once('/')
            && !dirs.contains(&first)
            && let Some(meant) = crate::diagnostic::did_you_mean_id(first, &dirs)
        {
            out.push(
                err(
                    "trigger-rule",
                    doc,
                    &["when", &idx, "path"],
                    format!(
                        "path `{}` is under `{first}/`, where isms keeps no items, so the rule would never fire on one",
                        rule.path
                    ),
                )
                .hint(crate::diagnostic::meant(format!("{meant}/{rest}"))),
            );
            continue;
        }
        if let Some(field) = rule.field.as_deref().filter(|_| needs_field) {
            unknown_field(doc, &idx, &rule.path, field, &glob, out);
        }
    }
}

/// A rule's field that no item file its path matches can have: the rule
/// would never fire. Paths that match no item file are not judged.
fn unknown_field<T>(
    doc: &Doc<T>,
    idx: &str,
    path: &str,
    field: &str,
    glob: &globset::GlobMatcher,
    out: &mut Vec<Diagnostic>,
) {
    let kinds = triggers::kinds_matched(glob);
    // A kind whose fields the schema does not list is not judged.
    if kinds.is_empty() || kinds.iter().any(|k| fields_of(*k).is_empty()) {
        return;
    }
    let top = field.split('.').next().unwrap_or(field).trim();
    let mut known: Vec<&str> = kinds
        .iter()
        .flat_map(|k| fields_of(*k).iter().map(String::as_str))
        .collect();
    if known.contains(&top) {
        return;
    }
    known.sort_unstable();
    known.dedup();
    let names: Vec<String> = kinds.iter().map(|k| k.with_article()).collect();
    let mut d = err(
        "trigger-rule",
        doc,
        &["when", idx, "field"],
        format!(
            "`{top}` is not a field of {} (the files `{path}` matches), so this rule never fires",
            names.join(" or ")
        ),
    );
    d = match suggestion(top, &known) {
        Some(h) => d.hint(h),
        None if kinds.len() == 1 => d.hint(format!("its fields: {}", known.join(", "))),
        None => d,
    };
    out.push(d);
}

/// The top-level fields a file of `kind` may have, from its schema: made
/// once per run, and only for the kinds a rule watches.
fn fields_of(kind: crate::model::FileKind) -> &'static [String] {
    use crate::model::FileKind;
    use std::sync::OnceLock;
    static FIELDS: [OnceLock<Vec<String>>; FileKind::ALL.len()] =
        [const { OnceLock::new() }; FileKind::ALL.len()];
    let Some(slot) = FileKind::ALL.iter().position(|k| *k == kind) else {
        return &[];
    };
    FIELDS[slot].get_or_init(|| {
        let schema = kind.schema();
        schema
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// A warning for each file under `evidence/files/` (of `files`) that no
/// evidence record names: an artifact collected and never recorded, or
/// left behind by a record since deleted. Judged only when every record
/// was read and every artifact it names is where it says: a record that
/// does not parse, or that names a file not there, may mean one of them,
/// and its error says so first.
pub fn unrecorded_artifacts(s: &Snapshot, files: &[String]) -> Vec<Diagnostic> {
    let astray = |state: &ArtifactState| {
        matches!(
            state,
            ArtifactState::Missing | ArtifactState::InvalidPath(_)
        )
    };
    if s.evidence.len() != s.present.evidence.len() || s.artifacts.values().flatten().any(astray) {
        return Vec::new();
    }
    let named: BTreeSet<String> = (s.evidence.values())
        .flat_map(|e| &e.value.artifacts)
        .map(|a| crate::model::artifact_path(&a.path))
        .collect();
    files
        .iter()
        .filter(|f| !named.contains(f.as_str()))
        // A dot file (`.gitkeep`) is the folder's, not evidence.
        .filter(|f| !f.rsplit('/').next().is_some_and(|name| name.starts_with('.')))
        .map(|f| {
            let artifact = crate::model::artifact_of(f).unwrap_or(f);
            let warning = Diagnostic::warning(
                "artifact-unrecorded",
                f,
                "no evidence record names this file, so no report, export or pack includes it",
            );
            // A name that is not UTF-8 reaches here with U+FFFD in its
            // place, and no TOML record can name it: renaming comes first.
            if f.contains(char::REPLACEMENT_CHARACTER) {
                return warning.hint(
                    "its name is not UTF-8 (shown with �), which no record can name: rename it with `git mv`, then record it",
                );
            }
            warning.hint(format!(
                "record it (`isms new evidence --artifact {f}`, or path = \"{artifact}\" in a record's [[artifacts]]), or remove it: git keeps it in history"
            ))
        })
        .collect()
}

fn findings(s: &Snapshot, out: &mut Vec<Diagnostic>) {
    use crate::model::FindingStatus;
    for doc in s.findings.values() {
        let f = &doc.value;
        owner_ref(s, doc, &["owner"], &f.owner, out);
        for (i, c) in f.controls.iter().enumerate() {
            control_ref(s, doc, &["controls", &i.to_string()], c, out);
        }
        for (i, v) in f.services.iter().enumerate() {
            service_ref(s, doc, &["services", &i.to_string()], v, out);
        }
        if f.status == FindingStatus::Closed && f.closed.is_none() {
            out.push(err(
                "finding-closed",
                doc,
                &["status"],
                "status is closed: set `closed` to the date it was closed".into(),
            ));
        }
        // A date it closed on while it says it is still being worked on:
        // the register would show it open and closed at once.
        if let (FindingStatus::Open | FindingStatus::InProgress, Some(closed)) =
            (f.status, f.closed)
        {
            out.push(at(
                Diagnostic::warning(
                    "finding-dates",
                    &doc.path,
                    format!("closed {closed}, while its status is {}", f.status.as_str()),
                )
                .hint("set status = \"closed\" if it is, else remove `closed`"),
                doc,
                &["closed"],
            ));
        }
        // A corrective action due, or a finding closed, before it was
        // raised: most likely a mistyped date.
        for (key, date, what) in [("due", f.due, "due"), ("closed", f.closed, "closed")] {
            if let Some(date) = date.filter(|d| *d < f.raised) {
                out.push(at(
                    Diagnostic::warning(
                        "finding-dates",
                        &doc.path,
                        format!("{what} {date}, before it was raised ({})", f.raised),
                    )
                    .hint("check the dates: a finding is raised first"),
                    doc,
                    &[key],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests;
