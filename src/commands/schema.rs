//! `isms schema [KIND]`: the JSON Schema of each file kind.

use std::process::ExitCode;

use crate::cli::SchemaArgs;
use crate::error::{Error, Result};
use crate::repo::{FileKind, suggestion};

pub fn run(args: &SchemaArgs) -> Result<ExitCode> {
    let value = match &args.kind {
        Some(name) => {
            let kind = FileKind::from_name(name).ok_or_else(|| unknown_kind(name))?;
            serde_json::to_value(kind.schema())
        }
        None => serde_json::to_value(
            FileKind::ALL
                .iter()
                .map(|k| (k.name(), k.schema()))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
    .map_err(|e| Error::new("could not render the schema").caused_by(e))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::new("could not render the schema").caused_by(e))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn unknown_kind(name: &str) -> Error {
    let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.name()).collect();
    let e = Error::new(format!("unknown file kind `{name}`"));
    match suggestion(name, &names) {
        Some(h) => e.hint(h),
        None => e.hint(format!("kinds: {}", names.join(", "))),
    }
}
