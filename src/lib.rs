//! `isms`: an organisation's ISO/IEC 27017 cloud security controls, shared
//! responsibility matrix and evidence, kept in git.
//!
//! Data flows one way: repository ([`repo`]) → model ([`model`]) → rules
//! ([`check`]) → [`output`]. The binary is a thin layer over [`run`].

mod cache;
pub mod check;
pub mod cli;
mod commands;
pub mod diagnostic;
pub mod error;
mod fsutil;
mod git;
pub mod github;
pub mod history;
pub mod migrate;
pub mod model;
pub mod output;
pub mod reading;
pub mod render;
pub mod repo;
pub mod scaffold;
pub mod span;
pub mod summary;
#[cfg(test)]
mod testing;

use std::ffi::OsString;
use std::process::ExitCode;

/// Runs `isms` with `args` (including the program name) and returns its exit
/// status: 0 all good, 1 problems found, 2 could not run.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::parse_args(args.into_iter().map(Into::into).collect()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // A bug must still end as a one-line error with exit 2, not a panic dump.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // A reader that stopped reading (`isms schema | head -1`) is not
        // an error: end quietly, as ripgrep does.
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!(
            "error: internal error in isms: {msg}\n  hint: please report this with the command you ran"
        );
    }));
    // The `-C DIR` the user typed goes into the commands a hint suggests.
    let dash_c = cli
        .dir
        .as_deref()
        .map(commands::dash_c)
        .filter(|d| !d.is_empty());
    output::set_dash_c(dash_c.as_deref().unwrap_or_default());
    match std::panic::catch_unwind(|| commands::dispatch(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(mut e)) => {
            if dash_c.is_some() {
                for hint in &mut e.hints {
                    *hint = output::with_dash_c(hint);
                }
            }
            output::error(&e);
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
