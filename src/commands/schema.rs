//! `isms schema [KIND]`: the JSON Schema of each file kind.

use std::process::ExitCode;

use crate::cli::SchemaArgs;
use crate::error::{Error, Result};
use crate::repo::{FileKind, suggestion};

/// One kind's schema is printed exactly as `isms init` writes it to
/// `.isms/schemas/`, so the two can be compared with `diff`; all kinds, as
/// one object by kind, in the same order within each.
pub fn run(args: &SchemaArgs) -> Result<ExitCode> {
    let text = match &args.kind {
        Some(name) => {
            let kind = FileKind::from_name(name).ok_or_else(|| unknown_kind(name))?;
            crate::scaffold::schema_text(kind)
        }
        None => {
            let all = FileKind::ALL
                .iter()
                .map(|k| (k.name(), k.schema()))
                .collect::<std::collections::BTreeMap<_, _>>();
            let mut text = serde_json::to_string_pretty(&all)
                .map_err(|e| Error::new("could not render the schema").caused_by(e))?;
            text.push('\n');
            text
        }
    };
    print!("{text}");
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
