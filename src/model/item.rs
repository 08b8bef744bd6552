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

    /// Resolves what a user typed: a full key, or a bare ID (`SERVICE/CONTROL`
    /// for an allocation) that names exactly one item in `s`.
    pub fn resolve(input: &str, s: &Snapshot) -> Result<ItemKey, String> {
        if input.contains(':') {
            let key = ItemKey::parse(input)?;
            return if key.exists_in(s) {
                Ok(key)
            } else {
                Err(format!(
                    "{key} does not exist{}",
                    crate::check::edition_note(&key, s)
                ))
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
        found.retain(|k| k.exists_in(s));
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                let note = Id::parse(input)
                    .map(|id| crate::check::edition_note(&ItemKey::Control(id), s))
                    .unwrap_or_default();
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

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ItemKey::Control(id) => write!(f, "control:{id}"),
            ItemKey::Service(id) => write!(f, "service:{id}"),
            ItemKey::Allocation(s, c) => write!(f, "allocation:{s}/{c}"),
            ItemKey::Evidence(id) => write!(f, "evidence:{id}"),
            ItemKey::Finding(id) => write!(f, "finding:{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
