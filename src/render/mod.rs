//! Renderers: a snapshot and its review state in, a document out. The report
//! (markdown, csv, html), the dashboard site, one item's card, a diff in
//! words, OSCAL, SARIF, CODEOWNERS and the summary of a GitHub Actions job.
//! They take data and return text or bytes; they never read git, files or
//! GitHub, and never decide what is stale (that is [`crate::check`]).

pub mod codeowners;
pub mod diff;
pub mod item;
pub mod job_summary;
pub mod markdown;
pub mod oscal;
pub mod report;
pub mod sarif;
pub mod site;

/// A line break between HTML elements, as the pages are laid out.
const NL: &str = "\n";
