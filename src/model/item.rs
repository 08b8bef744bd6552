//! Item keys: what can be reviewed (`control:CLD.9.5.1`, `allocation:payments-api/CLD.9.5.1`, …).

use std::fmt;

use super::{Id, Snapshot};

/// How each kind of item key is written, for hints.
pub const KEY_FORMS: &str =
    "control:ID, service:ID, allocation:SERVICE/CONTROL, evidence:ID or finding:ID";

/// A reviewable item.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKey {
    Control(Id),
    Service(Id),
    Allocation(Id, Id),
    Evidence(Id),
    Finding(Id),
}

const KINDS: &str = "control, service, allocation, evidence or finding";

impl ItemKey {
    /// Parses a full key, `kind:ID` (`allocation:SERVICE/CONTROL`).
    pub fn parse(s: &str) -> Result<ItemKey, String> {
        if s.trim().contains([',', ' ', ';']) {
            return Err(format!(
                "`{s}` names more than one item: a key is one KIND:ID \
                 (in a commit message, one `Reviewed:` line for each)"
            ));
        }
        let (kind, rest) = s.split_once(':').ok_or_else(|| {
            format!("`{s}` is not an item key: expected KIND:ID with KIND one of {KINDS}")
        })?;
        let id = |v: &str| Id::parse(v).map_err(|e| format!("`{s}`: {e}"));
        Ok(match kind {
            "control" => ItemKey::Control(id(rest)?),
            "service" => ItemKey::Service(id(rest)?),
            "evidence" => ItemKey::Evidence(id(rest)?),
            "finding" => ItemKey::Finding(id(rest)?),
            "allocation" => {
                let (svc, ctl) = rest.split_once('/').ok_or_else(|| {
                    format!("`{s}`: an allocation key is allocation:SERVICE/CONTROL")
                })?;
                ItemKey::Allocation(id(svc)?, id(ctl)?)
            }
            _ => {
                return Err(format!(
                    "`{s}`: unknown item kind `{kind}`; expected {KINDS}"
                ));
            }
        })
    }

    /// The kind, as a key writes it: `control`, `service`, `allocation`,
    /// `evidence` or `finding`.
    pub fn kind(&self) -> &'static str {
        match self {
            ItemKey::Control(_) => "control",
            ItemKey::Service(_) => "service",
            ItemKey::Allocation(..) => "allocation",
            ItemKey::Evidence(_) => "evidence",
            ItemKey::Finding(_) => "finding",
        }
    }

    /// The path of the item's file in the repository.
    pub fn path(&self) -> String {
        use super::layout::FileKind;
        match self {
            ItemKey::Control(id) => FileKind::Control.path(None, id.as_str()),
            ItemKey::Service(id) => FileKind::Service.path(None, id.as_str()),
            ItemKey::Allocation(svc, ctl) => {
                FileKind::Allocation.path(Some(svc.as_str()), ctl.as_str())
            }
            ItemKey::Evidence(id) => FileKind::Evidence.path(None, id.as_str()),
            ItemKey::Finding(id) => FileKind::Finding.path(None, id.as_str()),
        }
    }

    /// Whether the item has a file in `s`.
    pub fn exists_in(&self, s: &Snapshot) -> bool {
        match self {
            ItemKey::Control(id) => s.present.controls.contains(id),
            ItemKey::Service(id) => s.present.services.contains(id),
            ItemKey::Allocation(svc, ctl) => s.present.has_allocation(svc.as_str(), ctl.as_str()),
            ItemKey::Evidence(id) => s.present.evidence.contains(id),
            ItemKey::Finding(id) => s.findings.contains_key(id),
        }
    }

    /// For a key that names no item of `s`: its mapping when it is a
    /// control of the other edition, else "; did you mean `…`?" when it is
    /// a likely typo of a key of its kind; else nothing.
    pub fn unknown_note(&self, s: &Snapshot) -> String {
        // An allocation whose control is there is missing for its service.
        let control_is_there =
            matches!(self, ItemKey::Allocation(_, ctl) if s.present.controls.contains(ctl));
        let note = crate::check::edition_note(self, s);
        if !note.is_empty() && !control_is_there {
            return note;
        }
        if let Some(note) = made_into(std::slice::from_ref(self), s) {
            return note;
        }
        if let Some(note) = self.why_no_allocation(s) {
            return note;
        }
        self.near(s)
            .map(|k| format!("; {}", crate::diagnostic::meant(k)))
            .unwrap_or_default()
    }

    /// Why `s` has no allocation of this key's control to its service,
    /// where both are there: the control is outside the matrix, the service
    /// out of scope, or the matrix lacks it.
    fn why_no_allocation(&self, s: &Snapshot) -> Option<String> {
        let ItemKey::Allocation(svc, ctl) = self else {
            return None;
        };
        let control = &s.controls.get(ctl)?.value;
        let service = &s.services.get(svc)?.value;
        Some(if !control.matrix {
            format!(
                "; {ctl} is not a matrix control (`matrix = false`): no service has an allocation for it"
            )
        } else if !control.is_applicable() {
            format!(
                "; {ctl} is not applicable in the Statement of Applicability: no service has an allocation for it"
            )
        } else if !service.in_scope {
            format!("; {svc} is out of scope (`in_scope = false`): it needs no allocation")
        } else {
            format!(
                "; the responsibility matrix lacks it: `isms new allocation {svc} {ctl}` makes it"
            )
        })
    }

    /// The key of `s` of this one's kind that this one is a likely typo
    /// of. IDs are compared, not keys, whose common `kind:` would make any
    /// two look alike; an allocation's service and control one at a time,
    /// the other being right.
    fn near(&self, s: &Snapshot) -> Option<ItemKey> {
        let near = |id: &Id, among: &mut dyn Iterator<Item = &Id>| {
            let among: Vec<&str> = among.map(Id::as_str).collect();
            crate::diagnostic::did_you_mean_id(id.as_str(), &among).and_then(|m| Id::parse(m).ok())
        };
        let p = &s.present;
        Some(match self {
            ItemKey::Control(id) => ItemKey::Control(near(id, &mut p.controls.iter())?),
            ItemKey::Service(id) => ItemKey::Service(near(id, &mut p.services.iter())?),
            ItemKey::Evidence(id) => ItemKey::Evidence(near(id, &mut p.evidence.iter())?),
            ItemKey::Finding(id) => ItemKey::Finding(near(id, &mut s.findings.keys())?),
            ItemKey::Allocation(svc, ctl) => match p.allocations.get(svc) {
                Some(ctls) => ItemKey::Allocation(svc.clone(), near(ctl, &mut ctls.iter())?),
                None => {
                    let mut with = (p.allocations.iter())
                        .filter(|(_, ctls)| ctls.contains(ctl))
                        .map(|(svc, _)| svc);
                    ItemKey::Allocation(near(svc, &mut with)?, ctl.clone())
                }
            },
        })
    }

    /// The key as a bare ID: `SERVICE/CONTROL` for an allocation.
    fn bare(&self) -> String {
        match self {
            ItemKey::Control(id)
            | ItemKey::Service(id)
            | ItemKey::Evidence(id)
            | ItemKey::Finding(id) => id.to_string(),
            ItemKey::Allocation(svc, ctl) => format!("{svc}/{ctl}"),
        }
    }

    /// The item whose file is at `path` in the repository
    /// (`responsibilities/payments-api/8.15.toml`); `None` for a path where
    /// no reviewable item lives.
    pub fn of_path(path: &str) -> Option<ItemKey> {
        use super::layout::{FileKind, Place, classify};
        let Place::Item {
            kind,
            service,
            stem,
        } = classify(path)?
        else {
            return None;
        };
        let id = Id::parse(stem).ok()?;
        Some(match kind {
            FileKind::Control => ItemKey::Control(id),
            FileKind::Service => ItemKey::Service(id),
            FileKind::Allocation => ItemKey::Allocation(Id::parse(service?).ok()?, id),
            FileKind::Evidence => ItemKey::Evidence(id),
            FileKind::Finding => ItemKey::Finding(id),
            FileKind::Trigger | FileKind::Config => return None,
        })
    }

    /// An item named by its file: [`ItemKey::of_path`], or why `path` names
    /// none; `None` when `path` is no `.toml` file's.
    pub fn of_named_file(path: &str) -> Option<Result<ItemKey, String>> {
        path.ends_with(".toml").then(|| {
            ItemKey::of_path(path).ok_or_else(|| {
                format!("`{path}` is not the file of a control, service, allocation, evidence or finding")
            })
        })
    }

    /// Every item of `s` whose file is under the repository folder `dir`
    /// (`responsibilities/payments-api`, `controls`), in key order; why none
    /// is, when none is.
    pub fn under(dir: &str, s: &Snapshot) -> Result<Vec<ItemKey>, String> {
        let dir = dir.trim_end_matches('/');
        if dir.is_empty() {
            return Err(
                "`.` is the whole repository: name a folder of items, such as \
                        `controls/` or `responsibilities/SERVICE/`"
                    .to_owned(),
            );
        }
        let p = &s.present;
        let allocations = (p.allocations.iter()).flat_map(|(svc, ctls)| {
            ctls.iter()
                .map(|c| ItemKey::Allocation(svc.clone(), c.clone()))
        });
        let mut keys: Vec<ItemKey> = (p.controls.iter().cloned().map(ItemKey::Control))
            .chain(p.services.iter().cloned().map(ItemKey::Service))
            .chain(p.evidence.iter().cloned().map(ItemKey::Evidence))
            .chain(s.findings.keys().cloned().map(ItemKey::Finding))
            .chain(allocations)
            .filter(|k| super::layout::is_within(&k.path(), dir))
            .collect();
        keys.sort();
        if keys.is_empty() {
            return Err(format!("no item's file is under `{dir}/`"));
        }
        Ok(keys)
    }

    /// Resolves what a user typed: a full key, an item's file, or a bare ID
    /// (`SERVICE/CONTROL` for an allocation) that names exactly one item in
    /// `s`.
    pub fn resolve(input: &str, s: &Snapshot) -> Result<ItemKey, String> {
        // An artifact's file is no item; the record that lists it is, when
        // the records were read.
        if let Some(artifact) = super::layout::artifact_of(input) {
            let listed: Vec<&Id> = (s.evidence.iter())
                .filter(|(_, d)| d.value.artifacts.iter().any(|a| a.path == artifact))
                .map(|(id, _)| id)
                .collect();
            return Err(match listed.as_slice() {
                [id] => format!(
                    "`{input}` is an evidence artifact, not an item; {}",
                    crate::diagnostic::meant(ItemKey::Evidence((*id).clone()))
                ),
                _ => format!(
                    "`{input}` is an evidence artifact, not an item: name the record that lists it, evidence:ID"
                ),
            });
        }
        let named = ItemKey::of_named_file(input);
        if named.is_some() || input.contains(':') {
            let key = named.unwrap_or_else(|| ItemKey::parse(input))?;
            return if key.exists_in(s) {
                Ok(key)
            } else {
                Err(format!("{key} does not exist{}", key.unknown_note(s)))
            };
        }
        let mut found = Vec::new();
        if let Some((svc, ctl)) = input.split_once('/') {
            if let (Ok(svc), Ok(ctl)) = (Id::parse(svc), Id::parse(ctl)) {
                found.push(ItemKey::Allocation(svc, ctl));
            }
        } else if let Ok(id) = Id::parse(input) {
            found.extend([
                ItemKey::Control(id.clone()),
                ItemKey::Service(id.clone()),
                ItemKey::Evidence(id.clone()),
                ItemKey::Finding(id),
            ]);
        }
        let named = found.clone();
        found.retain(|k| k.exists_in(s));
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                let note = Id::parse(input)
                    .map(|id| crate::check::edition_note(&ItemKey::Control(id), s))
                    .unwrap_or_default();
                let note = match note.is_empty() {
                    false => note,
                    true => made_into(&named, s)
                        .or_else(|| match named.as_slice() {
                            [key] => key.why_no_allocation(s),
                            _ => None,
                        })
                        .or_else(|| {
                            near_bare(input, s)
                                .map(|id| format!("; {}", crate::diagnostic::meant(id)))
                        })
                        .unwrap_or_default(),
                };
                Err(format!("no item is called `{input}`{note}"))
            }
            _ => Err(format!(
                "`{input}` is ambiguous: it could be {}",
                found
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }
}

/// "; it is now `service:payments`": what a rename or migration made of
/// the items `keys` name, which `s` no longer has.
fn made_into(keys: &[ItemKey], s: &Snapshot) -> Option<String> {
    let mut now: Vec<String> = Vec::new();
    for key in keys {
        for next in successors_in(&key.to_string(), s) {
            if !now.contains(&next) {
                now.push(next);
            }
        }
    }
    let quoted: Vec<String> = now.iter().map(|k| format!("`{k}`")).collect();
    (!quoted.is_empty()).then(|| format!("; it is now {}", quoted.join(" and ")))
}

/// The items of `s` that migrations or renames made of the item `key`,
/// through every step, in reading order: where its history goes on.
pub fn successors_in(key: &str, s: &Snapshot) -> Vec<String> {
    let mut now: Vec<String> = (crate::model::with_successors(key, &s.migrations).into_iter())
        .filter(|next| *next != key && ItemKey::parse(next).is_ok_and(|k| k.exists_in(s)))
        .map(str::to_owned)
        .collect();
    now.sort_by(|a, b| crate::model::natural_cmp(a, b));
    now
}

/// The bare ID of `s` that `input`, a bare ID naming nothing, is a likely
/// typo of: for `SERVICE/CONTROL`, an allocation's; else the closest ID of
/// any kind.
fn near_bare(input: &str, s: &Snapshot) -> Option<String> {
    if let Some((svc, ctl)) = input.split_once('/') {
        let key = ItemKey::Allocation(Id::parse(svc).ok()?, Id::parse(ctl).ok()?);
        return key.near(s).map(|k| k.bare());
    }
    let p = &s.present;
    let ids: Vec<&str> = (p.controls.iter())
        .chain(&p.services)
        .chain(&p.evidence)
        .chain(s.findings.keys())
        .map(Id::as_str)
        .collect();
    crate::diagnostic::completion(input, &ids)
        .or_else(|| crate::diagnostic::did_you_mean_id(input, &ids))
        .map(str::to_owned)
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            ItemKey::Allocation(s, c) => write!(f, "{kind}:{s}/{c}"),
            ItemKey::Control(id)
            | ItemKey::Service(id)
            | ItemKey::Evidence(id)
            | ItemKey::Finding(id) => write!(f, "{kind}:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_names_the_file_that_is_it() {
        for path in [
            "controls/CLD.9.5.1.toml",
            "services/payments-api.toml",
            "responsibilities/payments-api/5.15.toml",
            "evidence/2026-q3-scan.toml",
            "findings/2026-003.toml",
        ] {
            let key = ItemKey::of_path(path).unwrap();
            assert_eq!(key.path(), path, "{key}");
        }
    }

    #[test]
    fn keys_round_trip_and_reject_bad_input() {
        for k in [
            "control:CLD.9.5.1",
            "allocation:payments-api/CLD.9.5.1",
            "finding:2026-003",
        ] {
            assert_eq!(ItemKey::parse(k).unwrap().to_string(), k);
        }
        assert!(
            ItemKey::parse("policy:x")
                .unwrap_err()
                .contains("unknown item kind `policy`")
        );
        assert!(
            ItemKey::parse("allocation:x")
                .unwrap_err()
                .contains("allocation:SERVICE/CONTROL")
        );
        assert_eq!(
            ItemKey::parse("control:5.1, control:5.2").unwrap_err(),
            "`control:5.1, control:5.2` names more than one item: a key is one KIND:ID (in a commit message, one `Reviewed:` line for each)"
        );
        assert!(
            ItemKey::parse("control:../x")
                .unwrap_err()
                .contains("invalid ID")
        );
    }

    #[test]
    fn a_key_that_names_nothing_is_named_with_the_key_of_its_kind_a_typo_away() {
        let id = |s: &str| Id::parse(s).unwrap();
        let mut s = Snapshot {
            config: Some(crate::testing::doc(
                super::super::FileKind::Config,
                "isms.toml",
                "[organization]\nname = \"E\"\nrole = \"both\"\n[catalog]\nedition = \"2022\"\n",
            )),
            ..Snapshot::default()
        };
        for c in ["5.9", "5.1", "CLD.9.5.2", "8.15"] {
            s.present.controls.insert(id(c));
        }
        s.present.services.insert(id("payments-api"));
        s.present.insert_allocation(id("payments-api"), id("8.15"));
        let note = |k: &str| ItemKey::parse(k).unwrap().unknown_note(&s);
        assert_eq!(note("control:5.99"), "; did you mean `control:5.9`?");
        assert_eq!(
            note("allocation:payment-api/8.15"),
            "; did you mean `allocation:payments-api/8.15`?"
        );
        // Alike only by a shared prefix, or too short to tell: nothing.
        assert_eq!(note("control:CLD.0.0.0"), "");
        assert_eq!(note("control:9.9"), "");
        // Only keys of its own kind are offered.
        assert_eq!(note("service:8.155"), "");
        assert_eq!(note("control:8.155"), "; did you mean `control:8.15`?");
        // A control of the other edition: its mapping, for a control or an
        // allocation of it; not for an allocation whose control is there.
        assert_eq!(
            note("control:9.2.1"),
            "; 9.2.1 is ISO/IEC 27002:2013; in 2022 it is 5.16"
        );
        assert_eq!(
            note("allocation:payments-api/9.2.1"),
            "; 9.2.1 is ISO/IEC 27002:2013; in 2022 it is 5.16"
        );
        s.present.controls.insert(id("12.4.1"));
        s.present.insert_allocation(id("tenant-db"), id("12.4.1"));
        let note = |k: &str| ItemKey::parse(k).unwrap().unknown_note(&s);
        assert_eq!(
            note("allocation:tenant-d/12.4.1"),
            "; did you mean `allocation:tenant-db/12.4.1`?"
        );
        assert_eq!(
            ItemKey::resolve("payments-ap", &s).unwrap_err(),
            "no item is called `payments-ap`; did you mean `payments-api`?"
        );
        // A name typed short, up to a word's end, when one item begins so.
        assert_eq!(
            ItemKey::resolve("payments", &s).unwrap_err(),
            "no item is called `payments`; did you mean `payments-api`?"
        );
        assert_eq!(
            ItemKey::resolve("payment", &s).unwrap_err(),
            "no item is called `payment`"
        );
        s.present.services.insert(id("payments-db"));
        assert_eq!(
            ItemKey::resolve("payments", &s).unwrap_err(),
            "no item is called `payments`",
            "two begin so"
        );
        assert_eq!(
            ItemKey::resolve("payments-api/8.1", &s).unwrap_err(),
            "no item is called `payments-api/8.1`"
        );
        assert_eq!(
            ItemKey::resolve("payments-api/8.155", &s).unwrap_err(),
            "no item is called `payments-api/8.155`; did you mean `payments-api/8.15`?"
        );
    }

    #[test]
    fn an_item_is_named_by_its_file_as_by_its_key() {
        let id = |s: &str| Id::parse(s).unwrap();
        let mut s = Snapshot::default();
        s.present.controls.insert(id("8.15"));
        s.present.services.insert(id("payments-api"));
        s.present.insert_allocation(id("payments-api"), id("8.15"));
        let resolve = |input: &str| ItemKey::resolve(input, &s).map(|k| k.to_string());
        assert_eq!(resolve("controls/8.15.toml").unwrap(), "control:8.15");
        assert_eq!(
            resolve("services/payments-api.toml").unwrap(),
            "service:payments-api"
        );
        assert_eq!(
            resolve("responsibilities/payments-api/8.15.toml").unwrap(),
            "allocation:payments-api/8.15"
        );
        assert_eq!(
            ItemKey::of_path("findings/F-1.toml")
                .map(|k| k.to_string())
                .as_deref(),
            Some("finding:F-1")
        );
        // A file that is not there is named with what it may mean.
        assert_eq!(
            resolve("controls/8.155.toml").unwrap_err(),
            "control:8.155 does not exist; did you mean `control:8.15`?"
        );
        // Files that hold no reviewable item.
        for path in [
            "triggers/region-added.toml",
            "isms.toml",
            "controls/x/8.15.toml",
            "notes.toml",
        ] {
            assert_eq!(
                resolve(path).unwrap_err(),
                format!(
                    "`{path}` is not the file of a control, service, allocation, evidence or finding"
                ),
            );
        }
        // An artifact's file is no item: the record that lists it is named,
        // once the records are read.
        let artifact = "evidence/files/q3-scan.csv";
        assert_eq!(
            resolve(artifact).unwrap_err(),
            format!(
                "`{artifact}` is an evidence artifact, not an item: name the record that lists it, evidence:ID"
            )
        );
        let mut s = Snapshot::default();
        s.evidence.insert(
            id("q3-scan"),
            crate::testing::doc(
                super::super::FileKind::Evidence,
                "evidence/q3-scan.toml",
                "id = \"q3-scan\"\ntitle = \"T\"\nkind = \"k\"\ncollected = 2026-09-30\ncollected_by = \"dave\"\ncontrols = []\n\n[[artifacts]]\npath = \"files/q3-scan.csv\"\nsha256 = \"aa\"\n",
            ),
        );
        s.present.evidence.insert(id("q3-scan"));
        assert_eq!(
            ItemKey::resolve(artifact, &s).unwrap_err(),
            format!(
                "`{artifact}` is an evidence artifact, not an item; did you mean `evidence:q3-scan`?"
            )
        );
    }

    #[test]
    fn a_missing_allocation_of_a_control_and_service_that_exist_says_why_there_is_none() {
        use super::super::FileKind;
        use crate::testing::doc;
        let id = |s: &str| Id::parse(s).unwrap();
        let mut s = Snapshot::default();
        let control = |cid: &str, matrix: bool, applicable: bool| {
            let status = if applicable {
                "implemented"
            } else {
                "not-applicable"
            };
            doc(
                FileKind::Control,
                &format!("controls/{cid}.toml"),
                &format!(
                    "id = \"{cid}\"\ntitle = \"T\"\nframework = \"F\"\nowner = \"alice\"\nmatrix = {matrix}\n\
                     [soa]\napplicable = {applicable}\njustification = \"J\"\nstatus = \"{status}\"\n"
                ),
            )
        };
        for (cid, matrix, applicable) in [
            ("8.15", true, true),
            ("5.3", false, true),
            ("7.1", true, false),
        ] {
            s.present.controls.insert(id(cid));
            s.controls.insert(id(cid), control(cid, matrix, applicable));
        }
        for (sid, in_scope) in [("payments-api", true), ("legacy", false)] {
            s.present.services.insert(id(sid));
            let text = format!(
                "id = \"{sid}\"\nname = \"S\"\nrole = \"provider\"\nmodel = \"saas\"\n\
                 provider = \"Us\"\nowner = \"alice\"\nin_scope = {in_scope}\n"
            );
            s.services.insert(
                id(sid),
                doc(FileKind::Service, &format!("services/{sid}.toml"), &text),
            );
        }
        let resolve = |input: &str| ItemKey::resolve(input, &s).unwrap_err();
        assert_eq!(
            resolve("payments-api/5.3"),
            "no item is called `payments-api/5.3`; 5.3 is not a matrix control (`matrix = false`): \
             no service has an allocation for it"
        );
        assert_eq!(
            resolve("allocation:payments-api/7.1"),
            "allocation:payments-api/7.1 does not exist; 7.1 is not applicable in the Statement of \
             Applicability: no service has an allocation for it"
        );
        assert_eq!(
            resolve("legacy/8.15"),
            "no item is called `legacy/8.15`; legacy is out of scope (`in_scope = false`): it needs no allocation"
        );
        assert_eq!(
            resolve("payments-api/8.15"),
            "no item is called `payments-api/8.15`; the responsibility matrix lacks it: \
             `isms new allocation payments-api 8.15` makes it"
        );
        // A control or service that is not there is not explained so.
        assert_eq!(
            resolve("payments-api/9.9"),
            "no item is called `payments-api/9.9`"
        );
    }
}
