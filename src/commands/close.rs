//! `isms close FINDING [--on DATE] [--corrective-action TEXT] [--accepted]`:
//! a finding's corrective action is done, or its risk accepted, on a day.
//! Its file's `status` and `closed` are set with a TOML editor, and its
//! corrective action when one is given; nothing else changes and nothing is
//! committed.

use std::process::ExitCode;

use chrono::NaiveDate;

use crate::check::placeholders;
use crate::cli::CloseArgs;
use crate::error::{Error, Result};
use crate::model::{Finding, FindingStatus, Id, ItemKey, Snapshot};
use crate::output;
use crate::repo::Repo;

use super::Context;

pub fn run(ctx: &Context, args: &CloseArgs) -> Result<ExitCode> {
    let repo = Repo::discover(&ctx.dir)?;
    // Held from the read to the write, as `new` holds it.
    let writer = repo.writer(&mut output::waiting_for)?;
    let snapshot = crate::reading::complete_snapshot(&repo.root)?;
    let id = finding(&ctx.item_arg(&repo.root, &args.finding), &snapshot)?;
    let doc = &snapshot.findings[&id];
    let (file, f) = (&doc.path, &doc.value);
    let status = match args.accepted {
        true => FindingStatus::Accepted,
        false => FindingStatus::Closed,
    };
    let on = args.on.unwrap_or(ctx.today);
    refuse(f, file, status, on, args, ctx)?;
    let path = repo.root.join(file);
    let text = crate::fsutil::read_text(&path, crate::repo::MAX_FILE_BYTES)?;
    let edited = closed(&text, status, on, args.corrective_action.as_deref())
        .ok_or_else(|| Error::new(format!("{file}: its `status` could not be edited")))?;
    let what = match status {
        FindingStatus::Accepted => "accepted",
        _ => "closed",
    };
    if args.dry_run {
        print!("{}", crate::render::diff::unified(&text, &edited, file));
        output::note(&format!(
            "would mark finding:{id} {what} on {on}; nothing was written"
        ));
        return Ok(ExitCode::SUCCESS);
    }
    writer.refresh(&path, edited.as_bytes())?;
    output::note(&format!("finding:{id} {what} on {on} in {file}"));
    output::note("next: review the change with `isms diff --uncommitted`, then commit it");
    Ok(ExitCode::SUCCESS)
}

/// The finding `input` names: its ID, key or file.
fn finding(input: &str, s: &Snapshot) -> Result<Id> {
    // A bare ID is a finding's first: `close` closes nothing else.
    if let Ok(id) = Id::parse(input)
        && s.findings.contains_key(&id)
    {
        return Ok(id);
    }
    match ItemKey::resolve(input, s) {
        Ok(ItemKey::Finding(id)) => Ok(id),
        Ok(other) => Err(Error::new(format!(
            "`{input}` is {other}, not a finding: only a finding is closed"
        ))),
        Err(why) => Err(super::no_item(why, input, s)),
    }
}

/// Why finding `f` cannot be marked `status` on day `on` as `args` asks,
/// if it cannot.
fn refuse(
    f: &Finding,
    file: &str,
    status: FindingStatus,
    on: NaiveDate,
    args: &CloseArgs,
    ctx: &Context,
) -> Result<()> {
    if let FindingStatus::Closed | FindingStatus::Accepted = f.status {
        let since = f.closed.map(|d| format!(" on {d}")).unwrap_or_default();
        return Err(Error::new(format!(
            "finding:{} is already {}{since}; nothing was written",
            f.id,
            f.status.as_str()
        ))
        .hint(format!("to change its date or status, edit {file}")));
    }
    // The day as the user gave it, or as it was taken.
    let day = match args.on {
        Some(_) => format!("--on {on}"),
        None => format!("today ({on})"),
    };
    if on < f.raised.0 {
        return Err(Error::new(format!(
            "{day} is before finding:{} was raised ({}); nothing was written",
            f.id, f.raised
        )));
    }
    if on > ctx.today {
        return Err(Error::new(format!(
            "{day} is after today ({}): a finding is closed once its corrective action is done; nothing was written",
            ctx.today
        )));
    }
    let action = f.corrective_action.trim();
    if args.corrective_action.is_none() && (action.is_empty() || placeholders::holds(action)) {
        let said = match action.is_empty() {
            true => " has no corrective action",
            false => "'s corrective action is still a TODO",
        };
        let what = match status {
            FindingStatus::Accepted => "why its risk is accepted",
            _ => "what was done",
        };
        return Err(
            Error::new(format!("finding:{}{said}; nothing was written", f.id)).hint(format!(
                "say {what}: `isms close {} --corrective-action TEXT`",
                f.id
            )),
        );
    }
    Ok(())
}

/// `text`, a finding's file, with `status` and `closed = on`, and the
/// corrective action `action` when one is given; every other line as it
/// was. `closed` goes after `status` when the file has none. `None` when
/// the file is not TOML with a string `status`.
fn closed(
    text: &str,
    status: FindingStatus,
    on: NaiveDate,
    action: Option<&str>,
) -> Option<String> {
    let mut doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let item = doc.get_mut("status")?.as_value_mut()?;
    item.as_str()?;
    super::set_string(item, status.as_str());
    let date: toml_edit::Datetime = on.to_string().parse().ok()?;
    if super::set_or_add(doc.as_table_mut(), "closed", date.into()) {
        // Beside `status`, not at the end: where a reader looks.
        let order: Vec<String> = doc.iter().map(|(k, _)| k.to_owned()).collect();
        let rank = |k: &str| {
            let at = order.iter().position(|o| o == k).unwrap_or(usize::MAX);
            match k {
                "closed" => (order.iter().position(|o| o == "status"), 1),
                _ => (Some(at), 0),
            }
        };
        doc.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    }
    if let Some(action) = action {
        super::set_or_add(
            doc.as_table_mut(),
            "corrective_action",
            super::text_value(action),
        );
    }
    Some(crate::span::in_the_form_of(text, doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = "#:schema ../.isms/schemas/finding.json\n\
id = \"2026-003\"\n\
raised = 2026-10-12\n\
status = \"open\"              # open | in-progress | closed | accepted\n\
description = \"No Q3 review.\"\n\
corrective_action = \"Run the review.\"\n";

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn closing_sets_the_status_and_puts_the_date_beside_it() {
        let out = closed(OPEN, FindingStatus::Closed, day("2026-12-07"), None).unwrap();
        assert_eq!(
            out,
            "#:schema ../.isms/schemas/finding.json\n\
id = \"2026-003\"\n\
raised = 2026-10-12\n\
status = \"closed\"              # open | in-progress | closed | accepted\n\
closed = 2026-12-07\n\
description = \"No Q3 review.\"\n\
corrective_action = \"Run the review.\"\n"
        );
        let f: Finding = toml::from_str(&format!(
            "title = \"t\"\nkind = \"observation\"\nowner = \"a\"\n{}",
            &out[out.find("id").unwrap()..]
        ))
        .unwrap();
        assert_eq!(f.status, FindingStatus::Closed);
        assert_eq!(f.closed.map(|d| d.0), Some(day("2026-12-07")));
    }

    #[test]
    fn an_existing_date_and_action_are_replaced_in_place_line_endings_kept() {
        let text = "id = \"x\"\r\nstatus = \"in-progress\"\r\nclosed = 2026-01-01 # typo\r\ncorrective_action = \"TODO\"\r\nnote = 1\r\n";
        let out = closed(
            text,
            FindingStatus::Accepted,
            day("2026-12-01"),
            Some("Risk accepted by the board.\nReview in a year."),
        )
        .unwrap();
        assert_eq!(
            out,
            "id = \"x\"\r\nstatus = \"accepted\"\r\nclosed = 2026-12-01 # typo\r\ncorrective_action = \"\"\"\r\nRisk accepted by the board.\r\nReview in a year.\"\"\"\r\nnote = 1\r\n"
        );
    }

    #[test]
    fn a_file_without_a_string_status_is_not_edited() {
        assert_eq!(
            closed(
                "id = \"x\"\n",
                FindingStatus::Closed,
                day("2026-12-01"),
                None
            ),
            None
        );
        assert_eq!(
            closed(
                "status = 1\n",
                FindingStatus::Closed,
                day("2026-12-01"),
                None
            ),
            None
        );
    }
}
