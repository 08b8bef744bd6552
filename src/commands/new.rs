//! `isms new KIND ID …`: a valid file from its template. Never overwrites.

use std::path::Path;
use std::process::ExitCode;

use crate::check::placeholders;
use crate::cli::{NewCommand, PartyArg, ServiceRoleArg};
use crate::error::{Error, Result};
use crate::git;
use crate::model::{
    Config, FileKind, Id, OrgRole, Party, Period, ServiceModel, ServiceRole, Snapshot,
};
use crate::output::{self, plural};
use crate::repo::{self, CONFIG_FILE, Repo, Scope, WorkTree, suggestion};
use crate::scaffold::{self, NewService};

use super::Context;

pub fn run(ctx: &Context, cmd: NewCommand) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // Held from the first read to the last write: concurrent runs take
    // turns, so none loses another's CODEOWNERS lines.
    let writer = repo.writer(&mut crate::output::waiting_for)?;
    // Settings, controls and services: what every template needs. Allocations
    // and evidence are only looked at by path.
    let (snapshot, problems) = repo.outline_with_problems()?;
    let config = super::settings(&snapshot)?;
    let new = New {
        root: &repo.root,
        writer: &writer,
        snapshot: &snapshot,
        problems: &problems,
        config,
        ctx,
        guessed: std::cell::Cell::new(None),
    };
    // CODEOWNERS as it should be before this command: if it is exactly
    // that, it holds no hand edits and follows the new items.
    let codeowners = super::FollowCodeowners::before(&repo.root);
    let done = match cmd {
        NewCommand::Control(a) => new.control(a),
        NewCommand::Service(a) => new.service(a),
        NewCommand::Allocation(a) => new.allocation(a),
        NewCommand::Evidence(a) => new.evidence(a),
        NewCommand::Finding(a) => new.finding(a),
        NewCommand::Trigger(a) => new.trigger(a),
        NewCommand::Person(a) => new.person(a),
        NewCommand::Team(a) => new.team(a),
    }?;
    if let Some(note) = new.guessed.take() {
        output::note(&note);
    }
    codeowners.after(&writer, "the new item's lines were not added to it")?;
    Ok(done)
}

struct New<'a> {
    root: &'a Path,
    writer: &'a crate::repo::Writer<'a>,
    snapshot: &'a Snapshot,
    /// What is wrong with the files the snapshot read.
    problems: &'a [crate::diagnostic::Diagnostic],
    config: &'a Config,
    ctx: &'a Context,
    /// Said once the file is written: a person chosen for the user, not by
    /// them, and how to choose another.
    guessed: std::cell::Cell<Option<String>>,
}

/// An allocation pre-filled with the default party of the control for the
/// service's model (shared when it has none) and `TODO` duties.
fn allocation_text(
    service: &Id,
    control: &Id,
    default_party: Option<&crate::model::DefaultParty>,
    title: &str,
    model: ServiceModel,
    owner: &str,
) -> String {
    let party = crate::model::DefaultParty::or_shared(default_party, model);
    let (provider, customer, why) = scaffold::todo_texts(party, title);
    scaffold::allocation(service, control, party, &provider, &customer, &why, owner)
}

fn parse_id(what: &str, s: &str) -> Result<Id> {
    Id::parse(s).map_err(|why| Error::new(format!("{what}: {why}")))
}

/// What an option or argument names that must exist.
#[derive(Clone, Copy)]
enum Named {
    Control,
    Service,
    Evidence,
}

impl New<'_> {
    /// `id` names no item of its kind that could be read: a file that is
    /// there but does not parse is said to be so; one that is not there
    /// gets a "did you mean", and a control of the other edition its
    /// mapping.
    fn unknown(&self, named: Named, id: &str) -> Error {
        let s = &self.snapshot;
        let (file_kind, present) = match named {
            Named::Control => (FileKind::Control, &s.present.controls),
            Named::Service => (FileKind::Service, &s.present.services),
            Named::Evidence => (FileKind::Evidence, &s.present.evidence),
        };
        let kind = file_kind.name();
        let known: Vec<&str> = present.iter().map(Id::as_str).collect();
        if present.contains(id) {
            let path = file_kind.path(None, id);
            let said = (self.problems.iter()).find(|d| d.file == path && d.is_error());
            return match said {
                Some(d) => Error::new(format!("{}: {}", d.place(), d.message))
                    .hint("fix it first; `isms check` lists every problem"),
                None => {
                    Error::new(format!("{path} does not parse")).hint("run `isms check` to see why")
                }
            };
        }
        let note = match (named, Id::parse(id)) {
            (Named::Control, Ok(id)) => {
                crate::check::edition_note(&crate::model::ItemKey::Control(id), s)
            }
            _ => String::new(),
        };
        let e = Error::new(format!(
            "{kind} `{id}` does not exist (no {}){note}",
            file_kind.path(None, id)
        ));
        let meant = crate::diagnostic::completion(id, &known)
            .or_else(|| crate::diagnostic::did_you_mean_id(id, &known));
        e.hint_if(meant.map(crate::diagnostic::meant))
    }

    /// An explicit owner must exist, by key or as
    /// [`Config::owner_key`] reads it (the key is written); the default is
    /// the person whose email is git's author email, else the first person,
    /// which is said, with the `flag` that names another.
    fn owner(&self, explicit: Option<&str>, field: &str, flag: &str) -> Result<String> {
        if let Some(o) = explicit {
            if o == super::ME {
                return super::me(self.root, Some(self.config), flag);
            }
            if let Some(key) = self.config.owner_key(o) {
                return Ok(key);
            }
            let keys: Vec<&str> = self
                .config
                .people
                .keys()
                .chain(self.config.teams.keys())
                .map(Id::as_str)
                .collect();
            let e = Error::new(format!("`{o}` is not a person or team in {CONFIG_FILE}"));
            return Err(match crate::diagnostic::owner_suggestion(o, &keys) {
                Some(h) => e.hint(h),
                None if Id::parse(o).is_ok() => {
                    e.hint(format!("add them with `isms new person {o} --name …`"))
                }
                None => e,
            });
        }
        let (mine, email) = self.author();
        match (mine.as_slice(), &email) {
            ([me], _) => return Ok((*me).to_owned()),
            ([first, ..], Some(e)) => {
                self.guessed.set(Some(format!(
                    "note: {field} = \"{first}\", the first by key of {}, who share git's author email, {e}, in {CONFIG_FILE}; \
                     pass {flag} WHO to name another",
                    crate::output::series(&mine, "and")
                )));
                return Ok((*first).to_owned());
            }
            _ => {}
        }
        let Some((first, _)) = self.config.people.iter().next() else {
            return Err(
                Error::new(format!("{CONFIG_FILE} has no people to own the new file"))
                    .hint("pass --owner, or add a person with `isms new person`"),
            );
        };
        let whose = match &email {
            Some(e) => format!("git's author email, {e}, is no person's there"),
            None => "git has no author email (user.email)".to_string(),
        };
        self.guessed.set(Some(format!(
            "note: {field} = \"{first}\", the first of the people in {CONFIG_FILE} by key: {whose}; \
             pass {flag} WHO to name another"
        )));
        Ok(first.to_string())
    }

    /// The people whose email is git's author email, case aside, by key
    /// (one, unless several share it), and that email.
    fn author(&self) -> (Vec<&str>, Option<String>) {
        let email = git::author(self.root).map(|(_, e)| e);
        let mine = (email.as_deref())
            .map(|e| self.config.people_with_email(e))
            .unwrap_or_default();
        (mine, email)
    }

    /// Writes every file or none: all paths are checked before the first write.
    fn write_all(&self, files: &[(String, impl AsRef<[u8]>)]) -> Result<()> {
        let existing: Vec<&str> = files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| self.root.join(p).exists())
            .collect();
        if let Some(first) = existing.first() {
            let more = if existing.len() > 1 {
                format!(" (and {} more)", existing.len() - 1)
            } else {
                String::new()
            };
            return Err(Error::new(format!(
                "{first} already exists{more}; not overwriting it"
            )));
        }
        // What this call made, undone if a later write fails.
        let mut made: Vec<std::path::PathBuf> = Vec::new();
        for (path, text) in files {
            let full = self.root.join(path);
            for dir in full.ancestors().skip(1) {
                if dir == self.root || dir.exists() {
                    break;
                }
                made.push(dir.to_path_buf());
            }
            if let Err(e) = self.writer.create(&full, text.as_ref()) {
                // Files first, then the directories, deepest first.
                for p in made.iter().rev() {
                    let _ = std::fs::remove_file(p).or_else(|_| std::fs::remove_dir(p));
                }
                return Err(e.hint("nothing was created: every file or none"));
            }
            made.push(full);
        }
        Ok(())
    }

    fn service(&self, a: crate::cli::NewServiceArgs) -> Result<ExitCode> {
        let id = parse_id("service ID", &a.id)?;
        let owner = self.owner(a.owner.as_deref(), "owner", "--owner")?;
        let org = &self.config.organization;
        let role = match a.role {
            Some(ServiceRoleArg::Provider) => ServiceRole::Provider,
            Some(ServiceRoleArg::Customer) => ServiceRole::Customer,
            // Not said: what the organisation is, or, for one that is both,
            // whether another provides it.
            None => {
                let (role, why) = match org.role {
                    OrgRole::Provider => (ServiceRole::Provider, "the organisation is a provider"),
                    OrgRole::Customer => (ServiceRole::Customer, "the organisation is a customer"),
                    OrgRole::Both => match a.provider.as_deref() {
                        Some(p) if p.trim() != org.name.trim() => (
                            ServiceRole::Customer,
                            "--provider names another organisation",
                        ),
                        _ => (
                            ServiceRole::Provider,
                            "no --provider names another organisation",
                        ),
                    },
                };
                output::note(&format!(
                    "note: role = \"{role}\": {why}; pass --role to say otherwise"
                ));
                role
            }
        };
        let provider = a.provider.unwrap_or_else(|| match role {
            ServiceRole::Provider => self.config.organization.name.clone(),
            ServiceRole::Customer => "TODO: who provides it".into(),
        });
        let service_text = scaffold::service(&NewService {
            id: &id,
            name: a.name.as_deref().unwrap_or(id.as_str()),
            role,
            model: a.model,
            provider: &provider,
            regions: &a.regions,
            data: &a.data,
            owner: &owner,
        });
        let mut files = vec![(FileKind::Service.path(None, id.as_str()), service_text)];
        for (cid, control) in &self.snapshot.controls {
            let c = &control.value;
            if c.matrix && c.is_applicable() {
                files.push((
                    scaffold::allocation_path(&id, cid),
                    self.allocation_text(&id, cid, a.model, &owner),
                ));
            }
        }
        self.write_all(&files)?;
        output::note(&format!(
            "created services/{id}.toml and {} under responsibilities/{id}/, pre-filled with the {} default parties\nnext: replace the TODO duties, then `isms check`",
            plural(files.len() - 1, "allocation"),
            a.model
        ));
        Ok(ExitCode::SUCCESS)
    }

    fn allocation_text(
        &self,
        service: &Id,
        control: &Id,
        model: ServiceModel,
        owner: &str,
    ) -> String {
        let c = &self.snapshot.controls[control].value;
        allocation_text(
            service,
            control,
            c.default_party.as_ref(),
            &c.title,
            model,
            owner,
        )
    }

    fn control(&self, a: crate::cli::NewControlArgs) -> Result<ExitCode> {
        let id = parse_id("control ID", &a.id)?;
        let edition = crate::check::edition_of(self.snapshot);
        let catalog = scaffold::templates::catalog(edition);
        let owner = self.owner(a.owner.as_deref(), "owner", "--owner")?;
        if let Some(cadence) = &a.cadence {
            cadence
                .parse::<Period>()
                .map_err(|e| Error::new(format!("--cadence: {e}")))?;
        }
        let from_catalog = catalog.get(id.as_str());
        let control = match from_catalog {
            Some(c) => {
                let given: Vec<&str> = [
                    ("--title", a.title.is_some()),
                    ("--summary", a.summary.is_some()),
                    ("--framework", a.framework.is_some()),
                    ("--matrix", a.matrix),
                ]
                .into_iter()
                .filter_map(|(flag, on)| on.then_some(flag))
                .collect();
                if let Some(first) = given.first() {
                    return Err(Error::new(format!(
                        "{first}: control `{id}` is in the {} catalog, which gives its title, summary, framework and matrix",
                        catalog.name
                    ))
                    .hint(format!(
                        "drop {}, or give a control of your own an ID of your own (e.g. ACME-1)",
                        given.join(" and ")
                    )));
                }
                c.clone()
            }
            None => {
                let note = crate::check::edition_note(
                    &crate::model::ItemKey::Control(id.clone()),
                    self.snapshot,
                );
                if !note.is_empty() {
                    return Err(Error::new(format!(
                        "control `{id}` is not in this repository's edition, {edition}{note}"
                    ))
                    .hint("name the control by its ID in this edition ([catalog] edition in isms.toml)"));
                }
                let framework = a.framework.unwrap_or_else(|| "Internal".to_owned());
                if catalog.frameworks().contains(framework.as_str()) {
                    return Err(Error::new(format!(
                        "--framework: `{id}` is not a control of {framework} in the {} catalog",
                        catalog.name
                    ))
                    .hint({
                        let ids: Vec<&str> = catalog.control.iter().map(|c| c.id.as_str()).collect();
                        match crate::diagnostic::did_you_mean_id(id.as_str(), &ids) {
                            Some(m) => crate::diagnostic::meant(m),
                            None => "a control of the organisation's own takes a framework of its own (default: Internal)".to_owned(),
                        }
                    }));
                }
                crate::model::CatalogControl {
                    id: id.clone(),
                    title: a.title.unwrap_or_else(|| "TODO: a short title".to_owned()),
                    framework,
                    theme: None,
                    summary: a
                        .summary
                        .unwrap_or_else(|| "TODO: what it requires, in your own words".to_owned()),
                    guidance_for: Vec::new(),
                    guidance_derived: false,
                    maps_to: Default::default(),
                    matrix: a.matrix,
                    default_party: None,
                    evidence_required: Vec::new(),
                }
            }
        };
        let soa = scaffold::SoaDecision {
            applicable: true,
            justification: a.justification.as_deref().unwrap_or("TODO: why it applies"),
            status: crate::model::SoaStatus::Planned,
        };
        let path = scaffold::control_path(&id);
        let mut files = vec![(
            path.clone(),
            scaffold::control(&control, &owner, a.cadence.as_deref(), &soa),
        )];
        if control.matrix {
            for (sid, service) in &self.snapshot.services {
                let s = &service.value;
                let path = scaffold::allocation_path(sid, &id);
                // A catalog control put back finds the allocations it left.
                if s.in_scope && !self.root.join(&path).exists() {
                    files.push((
                        path,
                        allocation_text(
                            sid,
                            &id,
                            control.default_party.as_ref(),
                            &control.title,
                            s.model,
                            s.owner.as_str(),
                        ),
                    ));
                }
            }
        }
        self.write_all(&files)?;
        let what = match from_catalog {
            Some(_) => format!("from the {} catalog", catalog.name),
            None => format!("({})", control.framework),
        };
        let allocations = match files.len() - 1 {
            0 => String::new(),
            n => format!(
                " and {} under responsibilities/, pre-filled with the default parties",
                plural(n, "allocation")
            ),
        };
        // Said only while a file written holds one: all may have been given.
        let placeholders = (files.iter()).any(|(_, text)| text.contains(placeholders::MARKER));
        let next = match placeholders {
            true => "\nnext: replace the TODO placeholders, then `isms check`",
            false => "",
        };
        output::note(&format!("created {path} {what}{allocations}{next}"));
        Ok(ExitCode::SUCCESS)
    }

    fn allocation(&self, a: crate::cli::NewAllocationArgs) -> Result<ExitCode> {
        if a.missing {
            return self.missing_allocations(a.service.as_deref(), a.owner.as_deref());
        }
        let (Some(service), Some(control)) = (&a.service, &a.control) else {
            return Err(Error::new(
                "name a SERVICE and a CONTROL, or pass --missing",
            ));
        };
        let sid = parse_id("service ID", service)?;
        let cid = parse_id("control ID", control)?;
        let service = (self.snapshot.services.get(&sid))
            .ok_or_else(|| self.unknown(Named::Service, sid.as_str()))?;
        let control = (self.snapshot.controls.get(&cid))
            .ok_or_else(|| self.unknown(Named::Control, cid.as_str()))?;
        if !control.value.matrix {
            return Err(Error::new(format!(
                "control `{cid}` is organisation-wide (matrix = false): it takes no allocations"
            )));
        }
        let owner = self.owner(
            a.owner.as_deref().or(Some(service.value.owner.as_str())),
            "owner",
            "--owner",
        )?;
        let path = scaffold::allocation_path(&sid, &cid);
        let c = &control.value;
        let party = match a.party {
            Some(PartyArg::Provider) => Party::Provider,
            Some(PartyArg::Customer) => Party::Customer,
            Some(PartyArg::Shared) => Party::Shared,
            Some(PartyArg::NotApplicable) => Party::NotApplicable,
            None => {
                crate::model::DefaultParty::or_shared(c.default_party.as_ref(), service.value.model)
            }
        };
        // What is given is written as given; the rest starts as a placeholder.
        let (provider, customer, why) = scaffold::todo_texts(party, &c.title);
        let text = scaffold::allocation(
            &sid,
            &cid,
            party,
            a.provider.as_deref().unwrap_or(&provider),
            a.customer.as_deref().unwrap_or(&customer),
            a.justification.as_deref().unwrap_or(&why),
            &owner,
        );
        self.write_all(&[(path.clone(), text)])?;
        output::note(&format!("created {path}"));
        Ok(ExitCode::SUCCESS)
    }

    /// Every allocation the matrix lacks, of `service` when given: all
    /// written, or none.
    fn missing_allocations(&self, service: Option<&str>, owner: Option<&str>) -> Result<ExitCode> {
        let s = self.snapshot;
        if let Some(id) = service {
            let sid = parse_id("service ID", id)?;
            let doc = (s.services.get(&sid)).ok_or_else(|| self.unknown(Named::Service, id))?;
            if !doc.value.in_scope {
                return Err(Error::new(format!(
                    "service `{sid}` is out of scope (in_scope = false): the matrix needs none of its allocations"
                )));
            }
        }
        let gaps: Vec<_> = (s.matrix_gaps().into_iter())
            .filter(|(svc, ..)| service.is_none_or(|id| svc.as_str() == id))
            .collect();
        if gaps.is_empty() {
            output::note(&match service {
                Some(id) => format!("no allocation of `{id}` is missing: nothing to create"),
                None => "the matrix is complete: nothing to create".to_owned(),
            });
            return Ok(ExitCode::SUCCESS);
        }
        let mut files = Vec::with_capacity(gaps.len());
        let mut per_service: Vec<(&Id, usize)> = Vec::new();
        for (svc, doc, ctl, _) in gaps {
            let owner = self.owner(owner.or(Some(doc.value.owner.as_str())), "owner", "--owner")?;
            files.push((
                scaffold::allocation_path(svc, ctl),
                self.allocation_text(svc, ctl, doc.value.model, &owner),
            ));
            match per_service.last_mut() {
                Some((last, n)) if *last == svc => *n += 1,
                _ => per_service.push((svc, 1)),
            }
        }
        self.write_all(&files)?;
        let each: Vec<String> = (per_service.iter())
            .map(|(svc, n)| format!("{svc} {n}"))
            .collect();
        output::note(&format!(
            "created {} under responsibilities/ ({}), pre-filled with the default parties\nnext: replace the TODO duties, then `isms check`",
            plural(files.len(), "allocation"),
            each.join(", ")
        ));
        Ok(ExitCode::SUCCESS)
    }

    fn evidence(&self, mut a: crate::cli::NewEvidenceArgs) -> Result<ExitCode> {
        let given = (a.id.as_deref())
            .map(|id| parse_id("evidence ID", id))
            .transpose()?;
        // A renewal takes what the earlier record says, where nothing is given.
        let mut taken = Vec::new();
        if let Some(like) = &a.like {
            let earlier = &self.earlier_evidence(like)?;
            let ids = |ids: &[Id]| ids.iter().map(Id::to_string).collect::<Vec<_>>();
            let mut take = |field: &'static str, given: bool| {
                if !given {
                    taken.push(field);
                }
                !given
            };
            if take("title", a.title.is_some()) {
                a.title = Some(earlier.title.clone());
            }
            if take("kind", a.kind.is_some()) {
                a.kind = Some(earlier.kind.clone());
            }
            if take("controls", !a.controls.is_empty()) {
                a.controls = ids(&earlier.controls);
            }
            if take("services", !a.services.is_empty()) {
                a.services = ids(&earlier.services);
            }
            if let Some(period) = earlier.valid_for.as_ref().filter(|_| a.valid_for.is_none()) {
                taken.push("valid_for");
                a.valid_for = Some(period.to_string());
            }
            // Git's author is the collector when they are a person here;
            // else whoever collected the earlier record, while they still are.
            let collector = earlier.collected_by.as_str();
            if a.collected_by.is_none()
                && self.author().0.is_empty()
                && self.config.people.contains_key(collector)
            {
                taken.push("collected_by");
                a.collected_by = Some(collector.to_string());
            }
        }
        self.known(&a.controls, &a.services)?;
        let valid_for = a.valid_for.as_deref().unwrap_or("1y");
        valid_for
            .parse::<Period>()
            .map_err(|e| Error::new(format!("--valid-for: {e}")))?;
        // `isms check` refuses evidence from the future (evidence-future).
        if let Some(day) = a.collected.filter(|d| *d > self.ctx.today) {
            return Err(Error::new(format!(
                "--collected {day} is after {}: evidence is recorded once it is collected",
                self.ctx.today
            ))
            .hint("give the day it was collected, or --as-of DAY to record it as of a later day"));
        }
        let by = self.owner(a.collected_by.as_deref(), "collected_by", "--collected-by")?;
        if !self.config.people.contains_key(by.as_str()) {
            return Err(Error::new(format!(
                "--collected-by must name a person; `{by}` is a team"
            )));
        }
        let collected = a.collected.unwrap_or(self.ctx.today);
        // Without --kind, the kind its controls ask for, when they ask for one.
        let asked = crate::check::asked_kinds(self.snapshot, &a.controls);
        let kind = match (&a.kind, asked.as_slice()) {
            (Some(kind), _) => kind.as_str(),
            (None, [one]) => one,
            (None, _) => "TODO",
        };
        let id = match given {
            Some(id) => id,
            None => self.evidence_id(collected, kind)?,
        };
        let path = FileKind::Evidence.path(None, id.as_str());
        // Each artifact: where it is recorded, its sha256, and the bytes to
        // copy into evidence/files/ when it is not under evidence/ already.
        let mut recorded: Vec<(String, String)> = Vec::new();
        let mut sources: Vec<&Path> = Vec::new();
        let mut copies: Vec<(String, Vec<u8>)> = Vec::new();
        for file in &a.artifacts {
            let (rel, sha256, copy) = self.artifact(file)?;
            // The same file named twice is recorded once; two files that
            // would be kept under one name are refused, never one dropped.
            if let Some(at) = recorded.iter().position(|(r, _)| r == &rel) {
                if recorded[at].1 == sha256 {
                    continue;
                }
                return Err(Error::new(format!(
                    "--artifact {} and --artifact {} differ, and both would be kept as {}; nothing was written",
                    sources[at].display(),
                    file.display(),
                    crate::model::artifact_path(&rel)
                ))
                .hint("give one of them another name"));
            }
            sources.push(file);
            if let Some(bytes) = copy {
                copies.push((crate::model::artifact_path(&rel), bytes));
            }
            recorded.push((rel, sha256));
        }
        let collected = collected.to_string();
        let text = scaffold::evidence(&scaffold::NewEvidence {
            id: &id,
            title: a.title.as_deref(),
            kind,
            controls: &a.controls,
            services: &a.services,
            collected: &collected,
            collected_by: &by,
            valid_for,
            artifacts: &recorded,
            description: a.description.as_deref(),
        });
        let mut files: Vec<(String, Vec<u8>)> = vec![(path.clone(), text.into_bytes())];
        files.extend(copies.iter().cloned());
        self.write_all(&files)?;
        output::note(&match (recorded.len(), copies.len()) {
            (0, _) => format!(
                "created {path}; put its files under evidence/files/ (or pass --artifact FILE)"
            ),
            (n, 0) => format!("created {path} with {}", plural(n, "artifact")),
            (n, c) => format!(
                "created {path} with {}, {} copied into evidence/files/",
                plural(n, "artifact"),
                c
            ),
        });
        // An artifact may be another record's too: said, as both now name it.
        let rels: Vec<&str> = recorded.iter().map(|(rel, _)| rel.as_str()).collect();
        for (other, rel) in self.listed_elsewhere(&rels) {
            output::note(&format!(
                "note: evidence:{other} lists {rel} too; both records name it now"
            ));
        }
        if let (Some(like), false) = (&a.like, taken.is_empty()) {
            output::note(&format!(
                "note: {} as {} has {}; pass an option to give another",
                output::series(&taken, "and"),
                FileKind::Evidence.path(None, like),
                if taken.len() == 1 { "it" } else { "them" }
            ));
        }
        let controls = a.controls.join(", ");
        match (&a.kind, asked.as_slice()) {
            (None, [one]) => output::note(&format!(
                "note: kind = \"{one}\", asked for by {controls}; pass --kind KIND to name another"
            )),
            (None, [_, _, ..]) => output::note(&format!(
                "note: kind is left a TODO placeholder, as several are asked for by {controls}: {}; pass --kind KIND, or set `kind` in {path}",
                asked.join(", ")
            )),
            (None, []) => {}
            // Written as asked, and said: `check` warns of it too.
            (Some(kind), _) => {
                if let Some(meant) = crate::check::misspelt_kind(self.snapshot, kind, &a.controls) {
                    output::note(&format!(
                        "warning: kind `{kind}` is not one its controls ask for, so the record meets none of \
                         their requirements; {} (set `kind` in {path})",
                        crate::diagnostic::meant(meant)
                    ));
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    fn finding(&self, a: crate::cli::NewFindingArgs) -> Result<ExitCode> {
        let given = (a.id.as_deref())
            .map(|id| parse_id("finding ID", id))
            .transpose()?;
        self.known(&a.controls, &a.services)?;
        let raised = a.raised.unwrap_or(self.ctx.today);
        // A finding raised after the day it is read as of is no part of the
        // record yet: `stale` and the reports would leave it out, unsaid.
        if raised > self.ctx.today {
            return Err(Error::new(format!(
                "--raised {raised} is after {}: a finding is recorded once it is raised",
                self.ctx.today
            ))
            .hint("give the day it was raised, or --as-of DAY to record it as of a later day"));
        }
        let owner = self.owner(a.owner.as_deref(), "owner", "--owner")?;
        // Free text, but `@me` is the person's key, as for an owner.
        let raised_by = match a.raised_by.as_deref() {
            Some(super::ME) => super::me(self.root, Some(self.config), "--raised-by")?,
            by => by.unwrap_or_default().to_owned(),
        };
        let due = a.due.unwrap_or_else(|| Period::Days(30).after(raised));
        let id = match given {
            Some(id) => id,
            None => self.finding_id(raised)?,
        };
        let path = FileKind::Finding.path(None, id.as_str());
        let text = scaffold::finding(&scaffold::NewFinding {
            id: &id,
            title: a.title.as_deref(),
            kind: &a.kind,
            severity: &a.severity,
            controls: &a.controls,
            services: &a.services,
            raised: &raised.to_string(),
            raised_by: &raised_by,
            owner: &owner,
            due: &due.to_string(),
            description: a.description.as_deref(),
            corrective_action: a.corrective_action.as_deref(),
        });
        self.write_all(&[(path.clone(), text)])?;
        output::note(&format!("created {path}"));
        // Written as asked, and said: `check` warns of it too.
        if due < raised {
            output::note(&format!(
                "warning: it is due {due}, before it is raised ({raised}), so it is overdue already; \
                 if it was raised earlier, set `raised` in {path}"
            ));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The ID of a finding named by no argument: the year it was raised and
    /// the number after the highest of that year (`2026-004` after
    /// `2026-003`), in three digits or more.
    fn finding_id(&self, raised: chrono::NaiveDate) -> Result<Id> {
        use chrono::Datelike as _;
        let year = raised.year();
        let prefix = format!("{year}-");
        // By file name too: a finding that does not parse still holds its number.
        let files = std::fs::read_dir(self.root.join(FileKind::Finding.dir()))
            .into_iter()
            .flatten();
        let names = files.filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".toml")?.to_owned())
        });
        let highest = (self.snapshot.findings.keys().map(|id| id.to_string()))
            .chain(names)
            .filter_map(|id| id.strip_prefix(&prefix)?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        parse_id(
            "finding ID",
            &format!("{prefix}{:03}", highest.saturating_add(1)),
        )
    }

    /// The ID of a record named by no argument: the month it was collected
    /// and its kind (`2026-12-access-review`), with `-2`, `-3`, … after it
    /// while a record of that name (in any case) exists.
    fn evidence_id(&self, collected: chrono::NaiveDate, kind: &str) -> Result<Id> {
        let mut slug = String::new();
        for c in kind.chars() {
            match c.to_ascii_lowercase() {
                c if c.is_ascii_alphanumeric() => slug.push(c),
                _ if !slug.is_empty() && !slug.ends_with('-') => slug.push('-'),
                _ => {}
            }
        }
        let slug = slug.trim_end_matches('-');
        if kind == "TODO" {
            return Err(Error::new(
                "name the record (`isms new evidence ID …`), or give its kind: no --kind, and its controls ask for no one kind to name it after",
            )
            .hint("e.g. `isms new evidence 2026-q4-access-review --control 5.18`, or --kind access-review"));
        }
        if slug.is_empty() {
            return Err(Error::new(format!(
                "name the record (`isms new evidence ID …`): its kind, `{kind}`, has no letter or digit an ID could be made of (a-z, 0-9)"
            )));
        }
        let base = format!("{}-{slug}", collected.format("%Y-%m"));
        let taken = |name: &str| {
            (self.snapshot.present.evidence.iter()).any(|e| e.as_str().eq_ignore_ascii_case(name))
        };
        let name = (1..)
            .map(|n| match n {
                1 => base.clone(),
                n => format!("{base}-{n}"),
            })
            .find(|name| !taken(name))
            .expect("a free name");
        parse_id("evidence ID", &name)
    }

    /// The records there were before this command that list one of the
    /// artifacts `rels`, with the artifact: read only when there are any,
    /// and a record that does not parse is passed over (`isms check` names
    /// it).
    fn listed_elsewhere(&self, rels: &[&str]) -> Vec<(Id, String)> {
        if rels.is_empty() {
            return Vec::new();
        }
        // The snapshot was read before the new record was written.
        let paths = (self.snapshot.present.evidence.iter())
            .map(|e| FileKind::Evidence.path(None, e.as_str()))
            .collect();
        let Ok(loaded) =
            WorkTree::new(self.root).and_then(|w| repo::load(&w, &Scope::Changed(paths)))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (other, doc) in &loaded.snapshot.evidence {
            for a in &doc.value.artifacts {
                if rels.contains(&a.path.as_str()) {
                    out.push((other.clone(), a.path.clone()));
                }
            }
        }
        out
    }

    /// The evidence record `id`, read and parsed as `isms check` reads it;
    /// one that is not there, or does not parse, is said to be.
    fn earlier_evidence(&self, id: &str) -> Result<crate::model::Evidence> {
        use crate::repo::{Source, WorkTree};
        if !self.snapshot.present.evidence.contains(id) {
            return Err(self.unknown(Named::Evidence, id));
        }
        let path = FileKind::Evidence.path(None, id);
        let bytes = WorkTree::new(self.root)?
            .read(&path)
            .map_err(|_| self.unknown(Named::Evidence, id))?;
        crate::repo::parse::<crate::model::Evidence>(FileKind::Evidence, &path, bytes)
            .map(|d| d.value)
            .map_err(|d| {
                Error::new(format!("{}: {}", d.place(), d.message))
                    .hint("fix it first; `isms check` lists every problem")
            })
    }

    /// An error naming the first of `controls` and `services` that is not
    /// in the repository.
    fn known(&self, controls: &[String], services: &[String]) -> Result<()> {
        for c in controls {
            if !self.snapshot.present.controls.contains(c.as_str()) {
                return Err(self.unknown(Named::Control, c));
            }
        }
        for s in services {
            if !self.snapshot.present.services.contains(s.as_str()) {
                return Err(self.unknown(Named::Service, s));
            }
        }
        Ok(())
    }

    /// An artifact named on the command line (relative to `-C DIR`): its
    /// path under evidence/, its sha256, and its bytes when it must be
    /// copied there. Only a regular file is read, within the artifact limit.
    fn artifact(&self, file: &Path) -> Result<(String, String, Option<Vec<u8>>)> {
        let full = self.ctx.path(file);
        // A link in the repository is never followed, wherever it leads:
        // `isms check` would refuse it as an artifact too.
        let is_link = full
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        let in_repository = full
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .zip(self.root.canonicalize().ok())
            .is_some_and(|(dir, root)| dir.starts_with(root));
        if is_link && in_repository {
            return Err(Error::new(format!(
                "{} is a symbolic link; an artifact must be a file, and isms does not follow links in the repository",
                full.display()
            ))
            .hint("pass the path of the file it points to instead"));
        }
        let limit = crate::repo::MAX_ARTIFACT_BYTES;
        let bytes = crate::fsutil::read_bounded(&full, limit).map_err(|e| match e.kind() {
            std::io::ErrorKind::FileTooLarge => Error::new(format!(
                "{} is over the {} MiB an artifact may be",
                full.display(),
                limit >> 20
            )),
            _ => Error::io("read the artifact", &full, e),
        })?;
        // A Git LFS pointer (its content not fetched) stands for its content.
        let sha256 = crate::repo::artifact_sha256(&bytes);
        let evidence = self.root.join(FileKind::Evidence.dir());
        let inside = full
            .canonicalize()
            .ok()
            .zip(evidence.canonicalize().ok())
            .and_then(|(f, e)| f.strip_prefix(&e).ok().map(Path::to_path_buf));
        if let Some(rel) = inside {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if let Some(problem) = crate::repo::artifact_path_problem(&rel) {
                return Err(Error::new(format!("{}: {problem}", full.display())));
            }
            return Ok((rel, sha256, None));
        }
        let name = full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::new(format!("{} names no file", full.display())))?;
        let rel = format!("files/{name}");
        if let Some(problem) = crate::repo::artifact_path_problem(&rel) {
            return Err(Error::new(format!("{}: {problem}", full.display())));
        }
        // A file of that name already kept is never copied over; the hint
        // says whether it is the same file.
        let kept = evidence.join(&rel);
        if kept.symlink_metadata().is_ok() {
            let same = crate::fsutil::read_bounded(&kept, limit)
                .is_ok_and(|b| crate::repo::artifact_sha256(&b) == sha256);
            let shown = crate::model::artifact_path(&rel);
            let e = Error::new(format!("{shown} already exists; not overwriting it"));
            return Err(match same {
                true => e.hint(format!(
                    "it is the same file: pass --artifact {shown} to record it where it is"
                )),
                false => e.hint(format!(
                    "it differs from {}: give the file another name, or pass --artifact {shown} if that one is the artifact",
                    full.display()
                )),
            });
        }
        Ok((rel, sha256, Some(bytes)))
    }

    fn trigger(&self, a: crate::cli::NewTriggerArgs) -> Result<ExitCode> {
        let id = parse_id("trigger ID", &a.id)?;
        let mut reassess = Vec::new();
        for c in a
            .reassess
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            let cid = parse_id("control ID", c)?;
            if !self.snapshot.controls.contains_key(&cid) {
                let known: Vec<&str> = self.snapshot.controls.keys().map(Id::as_str).collect();
                let key = crate::model::ItemKey::Control(cid.clone());
                let note = crate::check::edition_note(&key, self.snapshot);
                let e = Error::new(format!(
                    "--reassess {cid}: no such control in controls/{note}"
                ));
                let meant = crate::diagnostic::did_you_mean_id(cid.as_str(), &known);
                return Err(e.hint_if(meant.map(crate::diagnostic::meant)));
            }
            if !reassess.contains(&cid) {
                reassess.push(cid);
            }
        }
        if reassess.is_empty() {
            return Err(Error::new("--reassess names no control"));
        }
        let when = match (a.path.as_deref(), a.field.as_deref(), a.change.as_deref()) {
            (None, None, None) => scaffold::When::EXAMPLE,
            (path, field, change) => scaffold::When {
                path: path.unwrap_or("services/*.toml"),
                field,
                change: change.unwrap_or(if field.is_some() {
                    "changed"
                } else {
                    "created"
                }),
            },
        };
        match (when.field, when.change) {
            (Some(field), "created" | "deleted") => {
                return Err(Error::new(format!(
                    "--field {field} is not compared when a file is {}: the rule fires on the file alone",
                    when.change
                ))
                .hint("leave out --field, or give --change added, removed or changed"));
            }
            (None, change @ ("added" | "removed" | "changed")) => {
                return Err(Error::new(format!(
                    "--change {change} compares a field of the two versions of a file: give --field FIELD"
                )));
            }
            _ => {}
        }
        let path = FileKind::Trigger.path(None, id.as_str());
        let text = scaffold::trigger(&id, a.title.as_deref(), &reassess, &when);
        // Written only when its rule can fire, as `check` judges it.
        let doc = crate::repo::parse::<crate::model::Trigger>(
            crate::model::FileKind::Trigger,
            &path,
            text.clone().into_bytes(),
        )
        .map_err(|d| Error::new(format!("nothing written: {}", d.message)))?;
        let mut problems = Vec::new();
        crate::check::trigger_rules(self.snapshot, &doc, &mut problems);
        if let Some(d) = problems.into_iter().find(|d| d.is_error()) {
            return Err(Error::new(format!("nothing written: {}", d.message)).hint_if(d.hint));
        }
        self.write_all(&[(path.clone(), text)])?;
        output::note(&format!("created {path}"));
        Ok(ExitCode::SUCCESS)
    }

    fn person(&self, a: crate::cli::NewPersonArgs) -> Result<ExitCode> {
        let id = parse_id("person key", &a.id)?;
        if self.config.has_owner(id.as_str()) {
            return Err(Error::new(format!(
                "`{id}` is already a person or team in {CONFIG_FILE}"
            )));
        }
        if let Some(problem) = Some(a.github.as_str())
            .filter(|g| !g.trim().is_empty())
            .and_then(crate::model::github_login_problem)
        {
            return Err(Error::new(format!("--github {}: {problem}", a.github))
                .hint("a person's --github is their login, e.g. --github alice-ng"));
        }
        if let Some(problem) = Some(a.email.as_str())
            .filter(|e| !e.trim().is_empty())
            .and_then(crate::model::email_problem)
        {
            return Err(Error::new(format!("--email: {problem}"))
                .hint("commits are matched to people by it, e.g. --email alice@example.com"));
        }
        let mut table = toml_edit::Table::new();
        table["name"] = toml_edit::value(a.name.as_str());
        table["email"] = toml_edit::value(a.email.as_str());
        table["github"] = toml_edit::value(a.github.as_str());
        self.add_to_config("people", &id, table)?;
        output::note(&format!("added [people.{id}] to {CONFIG_FILE}"));
        // As `check` warns: a shared email or login names neither person.
        for (value, sharing, what, so) in [
            (
                &a.email,
                self.config.people_with_email(&a.email),
                "email",
                "`@me` names neither of them",
            ),
            (
                &a.github,
                self.config.people_with_github(&a.github),
                "GitHub login",
                "an approval by it is taken as either's",
            ),
        ] {
            if sharing.is_empty() {
                continue;
            }
            // One person under a second key (the `isms-owner` that `init`
            // makes, say): what the first owns can move in one command.
            let takes_over = match sharing.as_slice() {
                [other] if what == "email" => format!(
                    "\n  hint: if {id} is {other} under a new key, `isms reassign {other} {id}` gives {id} what {other} owns; then remove [people.{other}]"
                ),
                _ => String::new(),
            };
            let sharing: Vec<String> = sharing.iter().map(|key| format!("`{key}`")).collect();
            let sharing: Vec<&str> = sharing.iter().map(String::as_str).collect();
            output::note(&format!(
                "warning: `{value}` is {}'s {what} too: {so}; give each person their own{takes_over}",
                crate::output::series(&sharing, "and")
            ));
        }
        let missing: Vec<&str> = [
            (
                a.email.is_empty(),
                "email (commits are matched to people by it)",
            ),
            (
                a.github.is_empty(),
                "github handle (CODEOWNERS and review requests need it)",
            ),
        ]
        .into_iter()
        .filter_map(|(empty, what)| empty.then_some(what))
        .collect();
        if !missing.is_empty() {
            output::note(&format!(
                "warning: {id} has no {}; add them with --email and --github, or in {CONFIG_FILE}",
                missing.join(" and no ")
            ));
        }
        Ok(ExitCode::SUCCESS)
    }

    fn team(&self, a: crate::cli::NewTeamArgs) -> Result<ExitCode> {
        let id = parse_id("team key", &a.id)?;
        if self.config.has_owner(id.as_str()) {
            return Err(Error::new(format!(
                "`{id}` is already a person or team in {CONFIG_FILE}"
            )));
        }
        // A bare slug still serves review requests; `isms check` says that
        // CODEOWNERS needs the organisation too. Anything else is refused.
        let github = a.github.trim();
        let bare_slug = !github.is_empty()
            && !github.contains('/')
            && crate::model::github_team_problem(&format!("org/{github}")).is_none();
        if let Some(problem) = Some(github)
            .filter(|g| !g.is_empty() && !bare_slug)
            .and_then(crate::model::github_team_problem)
        {
            return Err(Error::new(format!("--github {}: {problem}", a.github))
                .hint("a team's --github is org/team-slug, e.g. --github example/platform"));
        }
        let mut members = toml_edit::Array::new();
        for m in a.members.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
            // A person by key, or by GitHub login or email: the key is written.
            let key =
                (self.config.owner_key(m)).filter(|k| self.config.people.contains_key(k.as_str()));
            let Some(key) = key else {
                let keys: Vec<&str> = self.config.people.keys().map(Id::as_str).collect();
                let e = Error::new(format!("--member {m}: not a person in {CONFIG_FILE}"));
                return Err(match suggestion(m, &keys) {
                    _ if self.config.teams.contains_key(m) => {
                        e.hint(format!("`{m}` is a team; a team's members are people"))
                    }
                    Some(h) => e.hint(h),
                    None => e.hint(format!(
                        "add them first with `isms new person {m} --name …`"
                    )),
                });
            };
            members.push(key);
        }
        let mut table = toml_edit::Table::new();
        table["name"] = toml_edit::value(a.name.as_str());
        table["members"] = toml_edit::value(members);
        table["github"] = toml_edit::value(a.github.as_str());
        self.add_to_config("teams", &id, table)?;
        output::note(&format!("added [teams.{id}] to {CONFIG_FILE}"));
        if github.is_empty() {
            output::note(&format!(
                "warning: {id} has no github team (CODEOWNERS and review requests need it); \
                 add it with --github ORG/TEAM, or in {CONFIG_FILE}"
            ));
        } else if bare_slug {
            output::note(&format!(
                "warning: {id}'s github team `{github}` names no organisation: review requests \
                 can use it, CODEOWNERS cannot; write it as ORG/{github} in {CONFIG_FILE}"
            ));
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Adds `[<group>.<id>]` to isms.toml, after the group's last table,
    /// with a TOML editor: the file's other contents, uncommitted edits
    /// included, stay as they are.
    fn add_to_config(&self, group: &str, id: &Id, mut table: toml_edit::Table) -> Result<()> {
        let path = self.root.join(CONFIG_FILE);
        let text = crate::fsutil::read_text(&path, crate::repo::MAX_FILE_BYTES)?;
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e| Error::new(format!("{CONFIG_FILE} does not parse")).caused_by(e))?;
        // Where the group's tables end: the new one goes right after.
        let last = doc
            .get(group)
            .and_then(toml_edit::Item::as_table)
            .and_then(|t| {
                t.iter()
                    .filter_map(|(_, v)| v.as_table().and_then(toml_edit::Table::position))
                    .max()
            });
        let Some(groups) = doc
            .entry(group)
            .or_insert_with(|| {
                let mut t = toml_edit::Table::new();
                t.set_implicit(true);
                toml_edit::Item::Table(t)
            })
            .as_table_mut()
        else {
            return Err(Error::new(format!(
                "`{group}` in {CONFIG_FILE} is not a table"
            )));
        };
        match last {
            Some(position) => table.set_position(Some(position)),
            None => table.set_position(None),
        }
        table.decor_mut().set_prefix("\n");
        groups.insert(id.as_str(), toml_edit::Item::Table(table));
        let text = crate::span::in_the_form_of(&text, doc.to_string());
        self.writer.refresh(&path, text.as_bytes())
    }
}
