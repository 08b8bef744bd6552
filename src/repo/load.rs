//! Loading every file of a repository into a [`Snapshot`], collecting
//! diagnostics for the files that do not parse.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::memo::Memo;
use super::parse::parse;
use super::source::{MAX_FILE_BYTES, ReadError, Source};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{
    Allocation, Config, Control, Doc, Evidence, Finding, Id, Service, Snapshot, Trigger,
};
use crate::model::{ArtifactState, FileKind, Place, classify};

/// What to parse.
#[derive(Clone, Debug)]
pub enum Scope {
    /// Every file.
    All,
    /// The small, always-read kinds (settings, controls, services, triggers,
    /// findings) in full, but allocations and evidence records only at these
    /// paths. Completeness still comes from every path present.
    Changed(BTreeSet<String>),
}

impl Scope {
    /// The small kinds only: settings, controls, services, triggers and
    /// findings, with allocations and evidence records known by path.
    pub fn outline() -> Scope {
        Scope::Changed(BTreeSet::new())
    }

    /// Whether the item file at `path` is parsed: the rule above, decided
    /// by the folder the layout puts allocations and evidence records in.
    pub fn reads(&self, path: &str) -> bool {
        let bulk = |kind: FileKind| {
            path.strip_prefix(kind.dir())
                .is_some_and(|rest| rest.starts_with('/'))
        };
        match self {
            Scope::All => true,
            Scope::Changed(paths) => {
                !(bulk(FileKind::Allocation) || bulk(FileKind::Evidence)) || paths.contains(path)
            }
        }
    }
}

/// A loaded snapshot, with the diagnostics of the files that did not load.
pub struct Loaded {
    pub snapshot: Snapshot,
    pub diagnostics: Vec<Diagnostic>,
    /// How many item files were read, parsed or taken from a memo.
    pub parsed: usize,
    /// How many of them came from the memo.
    pub remembered: usize,
}

/// One parsed item file.
#[derive(Serialize, Deserialize)]
pub(super) enum Parsed {
    Config(Doc<Config>),
    Control(Id, Doc<Control>),
    Service(Id, Doc<Service>),
    Allocation(Id, Id, Doc<Allocation>),
    Evidence(Id, Doc<Evidence>),
    Trigger(Id, Doc<Trigger>),
    Finding(Id, Doc<Finding>),
}

/// A parsed item file of a snapshot, borrowed.
pub(super) enum ParsedRef<'a> {
    Config(&'a Doc<Config>),
    Control(&'a Id, &'a Doc<Control>),
    Service(&'a Id, &'a Doc<Service>),
    Allocation(&'a Id, &'a Id, &'a Doc<Allocation>),
    Evidence(&'a Id, &'a Doc<Evidence>),
    Trigger(&'a Id, &'a Doc<Trigger>),
    Finding(&'a Id, &'a Doc<Finding>),
}

impl Parsed {
    /// The doc's path, which a memo does not keep twice, restored.
    pub(super) fn at(mut self, path: &str) -> Parsed {
        let doc_path = match &mut self {
            Parsed::Config(d) => &mut d.path,
            Parsed::Control(_, d) => &mut d.path,
            Parsed::Service(_, d) => &mut d.path,
            Parsed::Allocation(_, _, d) => &mut d.path,
            Parsed::Evidence(_, d) => &mut d.path,
            Parsed::Trigger(_, d) => &mut d.path,
            Parsed::Finding(_, d) => &mut d.path,
        };
        path.clone_into(doc_path);
        self
    }
}

impl<'a> ParsedRef<'a> {
    /// The file as a memo keeps it: with its text when `whole`, else its
    /// text only where a rule that reads the summary needs it (a `TODO`
    /// placeholder), since the text is most of its size.
    pub(super) fn kept(&self, whole: bool) -> Parsed {
        fn keep<T: Clone>(d: &Doc<T>, whole: bool) -> Doc<T> {
            Doc {
                path: String::new(),
                text: match whole || d.text.contains(crate::check::placeholders::MARKER) {
                    true => d.text.clone(),
                    false => String::new(),
                },
                value: d.value.clone(),
            }
        }
        match *self {
            ParsedRef::Config(d) => Parsed::Config(keep(d, whole)),
            ParsedRef::Control(id, d) => Parsed::Control(id.clone(), keep(d, whole)),
            ParsedRef::Service(id, d) => Parsed::Service(id.clone(), keep(d, whole)),
            ParsedRef::Allocation(s, id, d) => {
                Parsed::Allocation(s.clone(), id.clone(), keep(d, whole))
            }
            ParsedRef::Evidence(id, d) => Parsed::Evidence(id.clone(), keep(d, whole)),
            ParsedRef::Trigger(id, d) => Parsed::Trigger(id.clone(), keep(d, whole)),
            ParsedRef::Finding(id, d) => Parsed::Finding(id.clone(), keep(d, whole)),
        }
    }

    /// Every parsed item file of `s`, with its path.
    pub(super) fn all(s: &'a Snapshot) -> impl Iterator<Item = (&'a str, ParsedRef<'a>)> {
        let config = s
            .config
            .iter()
            .map(|d| (d.path.as_str(), ParsedRef::Config(d)));
        let controls = s
            .controls
            .iter()
            .map(|(id, d)| (d.path.as_str(), ParsedRef::Control(id, d)));
        let services = s
            .services
            .iter()
            .map(|(id, d)| (d.path.as_str(), ParsedRef::Service(id, d)));
        let allocations = s
            .allocations
            .iter()
            .map(|((svc, id), d)| (d.path.as_str(), ParsedRef::Allocation(svc, id, d)));
        let evidence = s
            .evidence
            .iter()
            .map(|(id, d)| (d.path.as_str(), ParsedRef::Evidence(id, d)));
        let triggers = s
            .triggers
            .iter()
            .map(|(id, d)| (d.path.as_str(), ParsedRef::Trigger(id, d)));
        let findings = s
            .findings
            .iter()
            .map(|(id, d)| (d.path.as_str(), ParsedRef::Finding(id, d)));
        config
            .chain(controls)
            .chain(services)
            .chain(allocations)
            .chain(evidence)
            .chain(triggers)
            .chain(findings)
    }
}

struct Item {
    path: String,
    kind: FileKind,
    service: Option<Id>,
    id: Id,
}

/// Reads `source` into a snapshot. Fails (exit 2) only when the repository
/// cannot be read at all or has no `isms.toml`.
pub fn load(source: &dyn Source, scope: &Scope) -> Result<Loaded> {
    load_reusing(source, scope, None)
}

/// [`load`], taking from `memo` every file it holds as the file is now,
/// and noting in it what had to be parsed. A doc taken from the memo has
/// its text only where the text holds a `TODO` placeholder: enough for the
/// summary, not for locating diagnostics (use [`load`] for those).
pub fn load_reusing(source: &dyn Source, scope: &Scope, memo: Option<&mut Memo>) -> Result<Loaded> {
    let mut diagnostics = Vec::new();
    let mut snapshot = Snapshot::default();
    let mut items = Vec::new();
    let mut config = false;
    // Gathered unordered and sorted once: most paths are only counted.
    let (mut controls, mut services, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
    // Allocations come a service directory at a time: each directory's are
    // gathered, then put in the map at once.
    let mut service: Option<(Id, Vec<Id>)> = None;

    for path in source.files()? {
        // A folder that is a symbolic link (see `Source::files`): an error
        // where items would be, since they are not read through it.
        if let Some(folder) = path.strip_suffix('/') {
            if !crate::model::is_item_folder(folder) {
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    "symlink",
                    folder,
                    "folder is a symbolic link; isms reads items only from the repository's own folders, and links are not followed",
                )
                .hint(format!("make {folder}/ a folder of the repository, with its files in it")),
            );
            continue;
        }
        match classify(&path) {
            None => {}
            Some(Place::Misplaced(why)) => diagnostics.push(
                Diagnostic::warning("misplaced-file", &*path, "file is not read by isms").hint(why),
            ),
            Some(Place::Item {
                kind,
                service: dir,
                stem,
            }) => {
                // A service directory already seen is known to be valid.
                let known = dir.is_some_and(|d| {
                    service.as_ref().is_some_and(|(s, _)| s.as_str() == d)
                        || snapshot.present.allocations.contains_key(d)
                });
                let new_service = match dir.filter(|_| !known).map(Id::parse).transpose() {
                    Ok(s) => s,
                    Err(why) => {
                        diagnostics.push(Diagnostic::error(
                            "invalid-id",
                            &*path,
                            format!("directory name is not a valid service ID: {why}"),
                        ));
                        continue;
                    }
                };
                let id = match Id::parse(stem) {
                    Ok(id) => id,
                    Err(why) => {
                        diagnostics.push(
                            Diagnostic::error(
                                "invalid-id",
                                &*path,
                                format!("file name is not a valid ID: {why}"),
                            )
                            .hint("rename the file so that its name is the item's ID"),
                        );
                        continue;
                    }
                };
                config |= kind == FileKind::Config;
                let read = scope.reads(&path);
                let (id, service) = match kind {
                    FileKind::Control => (keep(&mut controls, id, read), None),
                    FileKind::Service => (keep(&mut services, id, read), None),
                    FileKind::Evidence => (keep(&mut evidence, id, read), None),
                    FileKind::Allocation => {
                        let dir = dir.expect("allocations have a service");
                        if service.as_ref().is_none_or(|(s, _)| s.as_str() != dir) {
                            let present = &mut snapshot.present.allocations;
                            let svc = match new_service {
                                Some(svc) => svc,
                                None => present.get_key_value(dir).expect("known").0.clone(),
                            };
                            gathered(present, service.replace((svc, Vec::new())));
                        }
                        let (svc, ids) = service.as_mut().expect("set above");
                        let id = keep(ids, id, read);
                        let svc = id.is_some().then(|| svc.clone());
                        (id, svc)
                    }
                    _ => (Some(id), None),
                };
                if let Some(id) = id.filter(|_| read) {
                    items.push(Item {
                        path: path.into_owned(),
                        kind,
                        service,
                        id,
                    });
                }
            }
        }
    }
    gathered(&mut snapshot.present.allocations, service);
    if !config {
        return Err(match source.commit() {
            // The repository may well be one: this commit is not of its record.
            Some(id) => super::commit_without_settings(id),
            None => Error::new(format!(
                "no {} found: this is not a compliance repository",
                super::CONFIG_FILE
            ))
            .hint("run `isms init` to create one"),
        });
    }
    snapshot.present.controls = controls.into_iter().collect();
    snapshot.present.services = services.into_iter().collect();
    snapshot.present.evidence = evidence.into_iter().collect();

    // CODEOWNERS that cannot be read is not judged; that is said.
    snapshot.codeowners = match source.read(crate::render::codeowners::PATH) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(ReadError::Missing) => None,
        Err(e) => {
            let mut d = unread(crate::render::codeowners::PATH, e);
            d.severity = crate::diagnostic::Severity::Warning;
            diagnostics.push(d);
            None
        }
    };
    // The workflows isms wrote, to say when one is out of date. One that
    // is not a regular file of a workflow's size is not one isms wrote.
    for path in crate::scaffold::workflows::paths() {
        if let Ok(bytes) = source.read(&path) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            snapshot.workflows.insert(path, text);
        }
    }
    for path in migration_maps() {
        // A map that is there but cannot be read is said to be, never taken
        // as none: it decides which reviews carry across.
        match source.read(&path) {
            Ok(bytes) => match migration_map(&path, bytes) {
                Ok(map) => snapshot.migrations.push(map),
                Err(d) => diagnostics.push(*d),
            },
            Err(ReadError::Missing) => {}
            Err(e) => diagnostics.push(unread(&path, e)),
        }
    }

    let mut results: Vec<Result<Parsed, Box<Diagnostic>>> = Vec::with_capacity(items.len());
    if let Some(memo) = memo {
        items.retain(|item| match memo.take(&item.path) {
            Some(parsed) => {
                results.push(Ok(parsed));
                false
            }
            None => {
                memo.parsed(&item.path);
                true
            }
        });
    }
    let remembered = results.len();
    results.par_extend(
        items
            .into_par_iter()
            .map(|item| read_and_parse(source, item)),
    );
    let parsed = results.len();
    for result in results {
        match result {
            Err(d) => diagnostics.push(*d),
            Ok(Parsed::Config(doc)) => snapshot.config = Some(doc),
            Ok(Parsed::Control(id, doc)) => {
                snapshot.controls.insert(id, doc);
            }
            Ok(Parsed::Service(id, doc)) => {
                snapshot.services.insert(id, doc);
            }
            Ok(Parsed::Allocation(svc, id, doc)) => {
                snapshot.allocations.insert((svc, id), doc);
            }
            Ok(Parsed::Evidence(id, doc)) => {
                snapshot.evidence.insert(id, doc);
            }
            Ok(Parsed::Trigger(id, doc)) => {
                snapshot.triggers.insert(id, doc);
            }
            Ok(Parsed::Finding(id, doc)) => {
                snapshot.findings.insert(id, doc);
            }
        }
    }

    if let Some(config) = &snapshot.config {
        for d in &mut diagnostics {
            key_hint(d, &config.value);
        }
    }
    Ok(Loaded {
        snapshot,
        diagnostics,
        parsed,
        remembered,
    })
}

/// The hint for an owner, collector or finder written as no key can be
/// (`owner = "Alice Ng"`, `collected_by = "alice@example.com"`), where it
/// names a person or team of `config` otherwise: which key to write.
fn key_hint(d: &mut Diagnostic, config: &crate::model::Config) {
    if d.rule != "invalid-id" || d.hint.is_some() {
        return;
    }
    let field = (d.snippet.as_deref())
        .and_then(|line| line.split_once('='))
        .map(|(field, _)| field.trim());
    let people_only = match field {
        Some("owner") => false,
        Some("collected_by" | "raised_by") => true,
        _ => return,
    };
    let written = (d.message.strip_prefix("invalid ID `"))
        .and_then(|rest| rest.split_once("`: "))
        .map(|(written, _)| written);
    if let Some(hint) = written.and_then(|w| config.key_hint(w, people_only)) {
        d.hint = Some(hint);
    }
}

/// Where `isms migrate` records its maps: one per crosswalk isms ships.
pub fn migration_maps() -> Vec<String> {
    (crate::scaffold::templates::EDITIONS.windows(2))
        .map(|w| crate::migrate::map_path_str(w[0], w[1]))
        .chain([crate::model::RENAMES_MAP.to_owned()])
        .collect()
}

fn migration_map(
    path: &str,
    bytes: Vec<u8>,
) -> Result<crate::model::MigrationMap, Box<Diagnostic>> {
    let text = String::from_utf8(bytes).map_err(|_| {
        Box::new(Diagnostic::error(
            "migration-map",
            path,
            "file is not valid UTF-8",
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        let pos = e.span().map(|s| crate::span::line_col(&text, s.start));
        Box::new(
            Diagnostic::error(
                "migration-map",
                path,
                format!("the migration map does not parse: {}", e.message().trim()),
            )
            .hint("isms migrate and isms rename write this file; restore it with `git checkout -- FILE`")
            .in_text(&text, pos),
        )
    })
}

/// Hashes every evidence record's artifacts into `snapshot.artifacts`: what
/// `check` needs, and nothing that only reads the review record does.
pub fn hash_artifacts(source: &dyn Source, snapshot: &mut Snapshot) {
    snapshot.artifacts = snapshot
        .evidence
        .par_iter()
        .map(|(id, doc)| {
            let states = doc
                .value
                .artifacts
                .iter()
                .map(|a| match source.artifact(&a.path) {
                    // Another file, or the same with its line endings
                    // converted by git: only the second says how to mend it.
                    ArtifactState::Found { sha256 }
                        if !a.sha256.trim().eq_ignore_ascii_case(&sha256) =>
                    {
                        match source.artifact_line_endings(&a.path, a.sha256.trim()) {
                            Some(crlf) => ArtifactState::LineEndings { sha256, crlf },
                            None => ArtifactState::Found { sha256 },
                        }
                    }
                    state => state,
                })
                .collect();
            (id.clone(), states)
        })
        .collect();
}

/// Puts one service directory's allocations, gathered, in `present`.
fn gathered(present: &mut BTreeMap<Id, BTreeSet<Id>>, service: Option<(Id, Vec<Id>)>) {
    let Some((svc, ids)) = service else { return };
    match present.entry(svc) {
        // Built at once from the sorted IDs rather than one by one.
        Entry::Vacant(e) => {
            e.insert(ids.into_iter().collect());
        }
        Entry::Occupied(mut e) => e.get_mut().extend(ids),
    }
}

/// Notes `id` as present in `ids`; gives it back when it is also to be read.
fn keep(ids: &mut impl Extend<Id>, id: Id, read: bool) -> Option<Id> {
    match read {
        true => {
            ids.extend([id.clone()]);
            Some(id)
        }
        false => {
            ids.extend([id]);
            None
        }
    }
}

fn read_and_parse(source: &dyn Source, item: Item) -> Result<Parsed, Box<Diagnostic>> {
    let Item {
        path,
        kind,
        service,
        id,
    } = item;
    let bytes = source.read(&path).map_err(|e| Box::new(unread(&path, e)))?;
    Ok(match kind {
        FileKind::Config => Parsed::Config(parse(kind, &path, bytes)?),
        FileKind::Control => Parsed::Control(id, parse(kind, &path, bytes)?),
        FileKind::Service => Parsed::Service(id, parse(kind, &path, bytes)?),
        FileKind::Allocation => Parsed::Allocation(
            service.expect("allocations have a service"),
            id,
            parse(kind, &path, bytes)?,
        ),
        FileKind::Evidence => Parsed::Evidence(id, parse(kind, &path, bytes)?),
        FileKind::Trigger => Parsed::Trigger(id, parse(kind, &path, bytes)?),
        FileKind::Finding => Parsed::Finding(id, parse(kind, &path, bytes)?),
    })
}

/// What a file that could not be read gets said of it.
fn unread(path: &str, e: ReadError) -> Diagnostic {
    match e {
        ReadError::TooLarge(size) => Diagnostic::error(
            "file-too-large",
            path,
            format!(
                "file is {} bytes; isms files are at most {} bytes (1 MiB) and this one was not read",
                size, MAX_FILE_BYTES
            ),
        )
        .hint("keep large documents as evidence artifacts under evidence/files/"),
        ReadError::Symlink => Diagnostic::error(
            "symlink",
            path,
            "file is a symbolic link; isms files must be regular files, and links are not followed",
        ),
        ReadError::NotAFile(what) => Diagnostic::error(
            "not-a-file",
            path,
            format!("file is {what}; isms files must be regular files, and this one was not opened"),
        ),
        ReadError::Unmerged => Diagnostic::error(
            "conflict",
            path,
            "file has an unresolved merge conflict: the index holds both sides, and neither is staged to be committed",
        )
        .hint("resolve the conflict, then `git add` the file"),
        ReadError::Other(why) => Diagnostic::error("unreadable", path, format!("could not read the file: {why}")),
        ReadError::LinkedFolder(folder) => Diagnostic::error(
            "symlink",
            path,
            format!("`{folder}` is a symbolic link; isms reads no file through a link"),
        )
        .hint(format!("make {folder}/ a folder of the repository, with its files in it")),
        ReadError::Missing => Diagnostic::error(
            "unreadable",
            path,
            "could not read the file: it is no longer there",
        ),
    }
}
