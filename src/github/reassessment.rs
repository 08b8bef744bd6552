//! The reassessment proposal: what a trigger asks the owners of the items
//! it names to look at again, as the record committed under
//! `reassessments/` and a pull request's title, body and reviewers. Pure:
//! it makes text from data; committing and opening it is [`super::proposal`].

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::triggers::{FieldChange, affected};
use crate::error::{Error, Result};
use crate::github::proposal::{self, Proposal};
use crate::model::{Id, ItemKey, Snapshot, Trigger};
use crate::render::markdown::{cell, code_block, inline};
use crate::summary::Summary;

/// The record committed under `reassessments/`.
#[derive(Serialize)]
struct Record<'a> {
    trigger: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    requested: String,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    items: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    changes: &'a [FieldChange],
}

/// The change that fired a trigger, for the record and the pull request.
pub struct Fired<'a> {
    pub from: String,
    pub to: String,
    pub path: &'a str,
    pub changes: &'a [FieldChange],
    pub old_text: Option<&'a str>,
    pub new_text: Option<&'a str>,
}

/// Everything a proposal's text is made from.
pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub summary: &'a Summary,
    pub today: chrono::NaiveDate,
}

/// The proposal that asks to reassess what `trigger` names for `service`.
pub fn reassessment(
    inputs: &Inputs<'_>,
    trigger: &Trigger,
    service: Option<&str>,
    reason: &str,
    fired: Option<&Fired<'_>>,
) -> Result<Proposal> {
    let s = inputs.snapshot;
    let items = affected(trigger, service, |svc, ctl| {
        match (Id::parse(svc), Id::parse(ctl)) {
            (Ok(svc), Ok(ctl)) => s.allocations.contains_key(&(svc, ctl)),
            _ => false,
        }
    });
    let on = service.unwrap_or("all");
    let record = Record {
        trigger: trigger.id.as_str(),
        service,
        requested: inputs.today.to_string(),
        reason,
        from: fired.map(|f| f.from.as_str()),
        to: fired.map(|f| f.to.as_str()),
        items: &items,
        changes: fired.map(|f| f.changes).unwrap_or_default(),
    };
    let content = toml::to_string(&record)
        .map_err(|e| Error::new("could not write the reassessment record").caused_by(e))?;
    let subject = match service {
        Some(svc) => format!("reassess: {} on {svc}", trigger.id),
        None => format!("reassess: {}", trigger.id),
    };
    let owners: Vec<String> = items
        .iter()
        .filter_map(|k| ItemKey::parse(k).ok())
        .filter_map(|k| s.owner_of(&k).map(|o| o.to_string()))
        .collect();
    let config = &s
        .config
        .as_ref()
        .ok_or_else(|| Error::new("isms.toml does not parse"))?
        .value;
    let (users, teams) = proposal::reviewers(config, owners.iter().map(String::as_str));

    let mut body = format!(
        "**{}**: {}\n\n{}\n\n",
        trigger.id,
        inline(&trigger.title),
        inline(reason.trim())
    );
    items_table(&mut body, inputs, &items);
    if let Some(f) = fired {
        let _ = writeln!(
            body,
            "\nThe change, `{}` ({}..{}):\n\n{}",
            f.path,
            &f.from[..10.min(f.from.len())],
            &f.to[..10.min(f.to.len())],
            code_block(
                "diff",
                &crate::render::diff::unified(
                    f.old_text.unwrap_or(""),
                    f.new_text.unwrap_or(""),
                    f.path
                )
            )
        );
    }
    body.push_str(
        "\nApproving and merging this pull request records the reassessment: its commit \
         carries a `Reviewed:` trailer for each item above.\n",
    );
    Ok(Proposal {
        branch: format!("isms/reassess/{}/{on}", trigger.id),
        file: Some((format!("reassessments/{}/{on}.toml", trigger.id), content)),
        message: proposal::message(&subject, reason, &items),
        items,
        title: format!("Reassess {}: {}", on, trigger.title),
        body,
        users,
        teams,
    })
}

/// A Markdown table of items with their owners and current states.
fn items_table(out: &mut String, inputs: &Inputs<'_>, items: &[String]) {
    out.push_str("| Item | Owner | State |\n| --- | --- | --- |\n");
    for item in items {
        let owner = ItemKey::parse(item)
            .ok()
            .and_then(|k| {
                inputs
                    .snapshot
                    .owner_of(&k)
                    .map(|o| inputs.summary.label(o.as_str()))
            })
            .unwrap_or_default();
        let state = inputs
            .summary
            .items
            .iter()
            .find(|i| &i.item == item)
            .map_or("ok".to_owned(), |i| {
                format!("{}: {}", i.state.as_str(), i.detail)
            });
        let _ = writeln!(out, "| `{item}` | {} | {} |", cell(&owner), cell(&state));
    }
}
