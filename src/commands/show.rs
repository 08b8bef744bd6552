//! `isms show ITEM`: one item as its owner asks of it: its file, owner and
//! states, how often it was reviewed, and the items about it, each in its
//! own state. What `stale --all`, `log` and the reports say of it, in one
//! place.

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::cli::{Format, ShowArgs};
use crate::error::{Error, Result};
use crate::model::ItemKey;
use crate::render::item::{Card, card};

use super::Context;

#[derive(Serialize)]
struct ShowJson<'a> {
    version: u32,
    #[serde(flatten)]
    card: &'a Card<'a>,
    /// What was read, when it was not the working tree as `HEAD` has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

pub fn run(ctx: &Context, args: &ShowArgs) -> Result<ExitCode> {
    let (repo, snapshot, source) = crate::reading::open(&ctx.dir, ctx.as_of, args.rev.as_deref())?;
    let named = ctx.item_arg(&repo.root, &args.item);
    let key = ItemKey::resolve(&named, &snapshot).map_err(|why| {
        // A folder holds many items: the commands that take one say so.
        match ctx.dir_arg(&repo.root, &args.item) {
            Some(dir) => {
                let log = match dir.as_str() {
                    "" => "`isms log` the whole record".to_owned(),
                    dir => format!("`isms log {dir}/` the reviews of those under it"),
                };
                Error::new(format!(
                    "`{}` is a folder; isms show shows one item",
                    args.item
                ))
                .hint(format!(
                    "`isms stale --all` lists every item's state, and {log}"
                ))
            }
            None => super::no_item(why, &named, &snapshot),
        }
    })?;
    let branch = crate::reading::record_branch(&snapshot)?;
    let record = super::record(&repo.git_dir, &branch)?;
    let assessment = crate::check::review::assess(&snapshot, &record, ctx.today);
    let wanted = key.to_string();
    let keys = crate::model::with_sources(&wanted, &snapshot.migrations);
    let mut reviews: Vec<_> = (record.reviews.iter())
        .filter(|r| keys.contains(&*r.item) && r.landed.date_naive() <= ctx.today)
        .collect();
    // A commit that names an item twice is one review of it, as `log` says.
    reviews.dedup_by(|a, b| a.commit == b.commit && a.item == b.item);
    let reviews = reviews.len();
    let as_of = ctx.today.to_string();
    let card = card(&snapshot, &key, &assessment, reviews, &as_of);
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    let _ = match ctx.format {
        Format::Json => serde_json::to_writer_pretty(
            &mut out,
            &ShowJson {
                version: 1,
                card: &card,
                source: source.as_deref(),
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out)),
        _ => {
            if let Some(source) = &source {
                crate::output::note(source);
            }
            let config = snapshot.config.as_ref().map(|c| &c.value);
            let label = |owner: &str| crate::reading::owner_label(config, owner);
            let style = crate::output::state_style;
            crate::render::item::human(&mut out, &card, &label, &style, &branch)
        }
    };
    drop(out);
    // What is read is the record branch; a review on this branch is not, yet.
    if ctx.format != Format::Json && args.rev.is_none() {
        let item = [wanted.as_str()];
        if let Some(note) = super::unlanded_note(&repo, &branch, item) {
            crate::output::note(&note);
        }
    }
    Ok(ExitCode::SUCCESS)
}
