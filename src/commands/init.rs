//! `isms init [DIR] [--role …] [--org NAME] [--example]`: scaffold a compliance repository.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{InitArgs, RoleArg};
use crate::error::{Error, Result};
use crate::fsutil::write_new;
use crate::git;
use crate::model::{CatalogControl, Edition, Id, Party, Place, ServiceModel, SoaStatus, Theme};
use crate::output::{self, plural};
use crate::repo::{CONFIG_FILE, FileKind, SCHEMA_DIR, sha256_hex};
use crate::scaffold::templates::{self, example};
use crate::scaffold::{self, SoaDecision, q};

use super::Context;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<ExitCode> {
    let dir = ctx.path(&args.path);
    refuse_non_empty(&dir)?;
    // An existing repository must have SHA-1 object names, which is all
    // isms reads; a new one is made so, whatever git's default.
    if dir.join(".git").exists() {
        match git::run(&dir, &["rev-parse", "--show-object-format"]) {
            Ok(format) if format != "sha1" => {
                return Err(crate::repo::unsupported_format(&dir, &format));
            }
            _ => {}
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    // A repository of its own, even inside another's work tree: said so,
    // since the other does not track its files.
    let mut inside = None;
    if !dir.join(".git").exists() {
        inside = git::run(&dir, &["rev-parse", "--show-toplevel"]).ok();
        git::run(&dir, &["init", "--quiet", "--object-format=sha1"])?;
    }
    let branch =
        git::run(&dir, &["symbolic-ref", "--short", "HEAD"]).unwrap_or_else(|_| "main".into());
    let edition = Edition::parse(&args.edition).expect("clap checks the edition");
    let files = if args.example {
        example_files(&branch, edition)
    } else {
        plain_files(args, &dir, &branch, edition)
    };
    for (path, contents) in &files {
        write_new(&dir.join(path), contents.as_bytes())?;
    }
    // CODEOWNERS from the owners just written.
    let snapshot =
        crate::repo::load(&crate::repo::WorkTree::new(&dir)?, &crate::repo::Scope::All)?.snapshot;
    write_new(
        &dir.join(crate::render::codeowners::PATH),
        crate::render::codeowners::render(&snapshot).as_bytes(),
    )?;
    git::run(&dir, &["add", "--all"])?;
    if args.example {
        example_history(&dir, &branch, ctx.today, edition)?;
    } else {
        git::run(
            &dir,
            &[
                "commit",
                "--quiet",
                "--no-verify",
                "-m",
                "Initialise compliance repository",
            ],
        )
        .map_err(|e| {
            // Without an identity, that is why; else git's own words say.
            let first = match git::author(&dir) {
                None => "set git's user.name and user.email",
                Some(_) => "put right what git says",
            };
            Error::new(format!(
                "created the files in {}, but could not commit them",
                dir.display()
            ))
            .caused_by(e.cause.unwrap_or(e.message))
            .hint(format!(
                "{first}, then run `git{} add --all && git{} commit`",
                super::dash_c(&dir),
                super::dash_c(&dir)
            ))
        })?;
    }
    // Item files of a kind, as the layout places them.
    let count = |of: FileKind| {
        (files.iter())
            .filter(|(p, _)| {
                matches!(crate::model::classify(p), Some(Place::Item { kind, .. }) if kind == of)
            })
            .count()
    };
    let mut what = vec![
        format!(
            "{} ({})",
            plural(count(FileKind::Control), "control"),
            templates::catalog(edition).name
        ),
        plural(count(FileKind::Trigger), "trigger"),
    ];
    if args.example {
        what.push(plural(count(FileKind::Service), "service"));
        what.push(plural(count(FileKind::Allocation), "allocation"));
        what.push(plural(count(FileKind::Evidence), "evidence record"));
        what.push(plural(count(FileKind::Finding), "finding"));
    }
    output::note(&format!(
        "created a compliance repository in {} with {}",
        dir.display(),
        what.join(", ")
    ));
    if let Some(outer) = inside {
        output::note(&format!(
            "it is a git repository of its own, inside the work tree of {outer}, which does not track its files"
        ));
    }
    output::note(&format!("next: isms{} check", super::dash_c(&dir)));
    Ok(ExitCode::SUCCESS)
}

/// `init` never mixes its files with existing ones: anything but `.git` refuses.
fn refuse_non_empty(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(Error::new(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".git")
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    let shown: Vec<&str> = found.iter().take(3).map(String::as_str).collect();
    let more = if found.len() > 3 {
        format!(" and {} more", found.len() - 3)
    } else {
        String::new()
    };
    Err(Error::new(format!(
        "{} is not empty (it has {}{more}); isms init needs an empty directory",
        dir.display(),
        shown.join(", ")
    ))
    .hint("choose a new directory: `isms init NEW-DIR`"))
}

/// `id`, a control of the oldest edition, as the edition it is written in
/// names it: through each crosswalk in turn, to the first control it became.
pub fn in_edition(id: &str, edition: Edition) -> String {
    let mut id = id.to_owned();
    for pair in Edition::names().windows(2) {
        let (Some(from), Some(to)) = (Edition::parse(pair[0]), Edition::parse(pair[1])) else {
            continue;
        };
        if from >= edition {
            break;
        }
        if let Some(first) =
            templates::crosswalk(from, to).and_then(|x| x.targets(&id).first().copied())
        {
            id = first.to_string();
        }
    }
    id
}

/// Replaces each `{{c:ID}}` (a control of the oldest edition) in `text` with
/// that control's ID in `edition`.
fn render_controls(text: &str, edition: Edition) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{c:") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&in_edition(&rest[start + 4..start + len], edition));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Evidence artifacts byte for byte: their records hold their sha256.
const GITATTRIBUTES: &str = "\
# Evidence artifacts are kept byte for byte: their records hold their sha256,
# so git must not convert their line endings (core.autocrlf, text=auto).
/evidence/files/** -text
";

/// Files every repository starts with: (path, contents).
fn common_files(
    config: String,
    org: &str,
    branch: &str,
    edition: Edition,
) -> Vec<(String, String)> {
    let mut files = vec![
        (CONFIG_FILE.to_owned(), config),
        (".gitattributes".to_owned(), GITATTRIBUTES.to_owned()),
        (
            "README.md".to_owned(),
            templates::render(
                templates::README,
                &[
                    ("org", org),
                    ("catalog", &templates::catalog(edition).name),
                    ("branch", branch),
                ],
            ),
        ),
    ];
    for kind in FileKind::ALL {
        files.push((
            format!("{SCHEMA_DIR}/{}.json", kind.name()),
            scaffold::schema_text(kind),
        ));
    }
    files.extend(crate::scaffold::workflows::files(
        branch,
        crate::scaffold::workflows::DEFAULT_ACTION,
    ));
    for (id, text) in templates::TRIGGERS {
        files.push((
            FileKind::Trigger.path(None, id),
            render_controls(text, edition),
        ));
    }
    // Directories git would otherwise not keep.
    for dir in [
        FileKind::Service.dir(),
        FileKind::Allocation.dir(),
        crate::model::ARTIFACT_DIR,
        FileKind::Finding.dir(),
        "reassessments",
    ] {
        files.push((format!("{dir}/.gitkeep"), String::new()));
    }
    files
}

fn plain_files(
    args: &InitArgs,
    dir: &Path,
    branch: &str,
    edition: Edition,
) -> Vec<(String, String)> {
    let org = args
        .org
        .clone()
        .unwrap_or_else(|| "TODO: organisation name".into());
    let role = match args.role {
        RoleArg::Provider => "provider",
        RoleArg::Customer => "customer",
        RoleArg::Both => "both",
    };
    let (name, email) =
        git::author(dir).unwrap_or_else(|| ("TODO: your name".into(), "TODO".into()));
    let config = templates::render(
        templates::CONFIG,
        &[
            ("org", &q(&org)),
            ("role", &q(role)),
            ("branch", &q(branch)),
            ("owner_name", &q(&name)),
            ("owner_email", &q(&email)),
            ("edition", &q(edition.as_str())),
        ],
    );
    let mut files = common_files(config, &org, branch, edition);
    let soa = SoaDecision {
        applicable: true,
        justification: "",
        status: SoaStatus::Planned,
    };
    for c in &templates::catalog(edition).control {
        files.push((
            scaffold::control_path(&c.id),
            scaffold::control(c, "isms-owner", None, &soa),
        ));
    }
    files
}

// ---- the example organisation ----

const EXAMPLE_ORG: &str = "Example Cloud Ltd";

/// The control of the oldest edition that `c` comes from (its first source),
/// so that the example can be described once and written in any edition.
fn legacy_id(c: &CatalogControl, edition: Edition) -> Option<String> {
    if edition == Edition::LEGACY || c.id.as_str().starts_with("CLD.") {
        return Some(c.id.to_string());
    }
    c.maps_to
        .get(&templates::catalog(Edition::LEGACY).control[0].framework)
        .and_then(|ids| ids.first().cloned())
}

/// Who owns what in the example: by 2013 clause, as a small company might
/// split it; controls new in 2022 by theme.
fn example_owner(c: &CatalogControl, edition: Edition) -> &'static str {
    let Some(id) = legacy_id(c, edition) else {
        return match c.theme {
            Some(Theme::Physical | Theme::Technological) => "platform",
            _ => "alice",
        };
    };
    if id.starts_with("CLD.") {
        return "alice";
    }
    match id.split('.').next().unwrap_or("") {
        "9" | "10" => "bob",
        "11" | "12" | "13" | "14" => "platform",
        "16" | "17" => "dave",
        _ => "alice",
    }
}

/// Controls the example reviews every quarter (their allocations inherit it).
const QUARTERLY: [&str; 2] = ["CLD.9.5.1", "12.4.1"];

const NO_PREMISES: &str = "Example Cloud Ltd has no premises that host information processing: data centres are Northwind Cloud's, covered by its certification (evidence northwind-attestation-2026).";

/// Why the example includes a control, by what it is about.
fn example_inclusion(c: &CatalogControl) -> &'static str {
    if c.id.as_str().starts_with("CLD.") {
        return "Example Cloud Ltd provides a multi-tenant SaaS and runs it on an IaaS: ISO/IEC 27017 applies on both sides.";
    }
    match c.theme {
        Some(Theme::People) => {
            "Selected in risk treatment plan RTP-2026: staff and contractors handle tenant data."
        }
        Some(Theme::Physical) => {
            "Selected in risk treatment plan RTP-2026: laptops and media leave the offices."
        }
        _ => {
            "Selected in risk treatment plan RTP-2026: treats risks to tenant data and to the service."
        }
    }
}

fn example_soa(c: &CatalogControl, edition: Edition) -> (SoaDecision<'static>, &'static str) {
    let physical = [
        "11.1.1", "11.1.2", "11.1.3", "11.1.4", "11.1.5", "11.1.6", "11.2.1", "11.2.2", "11.2.3",
    ];
    let legacy = legacy_id(c, edition);
    let no_premises = match &legacy {
        Some(id) => physical.contains(&id.as_str()),
        // New in 2022: a physical control needs premises.
        None => c.theme == Some(Theme::Physical),
    };
    if no_premises {
        let soa = SoaDecision {
            applicable: false,
            justification: NO_PREMISES,
            status: SoaStatus::NotApplicable,
        };
        return (soa, "");
    }
    let in_ed = |id: &str| in_edition(id, edition);
    let id = c.id.as_str();
    let status = if id == in_ed("9.2.5") || id == in_ed("9.2.3") {
        SoaStatus::Partial
    } else if id == in_ed("17.1.3") || id == in_ed("14.2.7") {
        SoaStatus::Planned
    } else {
        SoaStatus::Implemented
    };
    let soa = SoaDecision {
        applicable: true,
        justification: "",
        status,
    };
    (soa, example_inclusion(c))
}

struct ExampleService {
    id: &'static str,
    name: &'static str,
    model: ServiceModel,
    provider: &'static str,
    /// Who "the customer" is for this service.
    customer: &'static str,
    owner: &'static str,
}

const EXAMPLE_SERVICES: [ExampleService; 3] = [
    ExampleService {
        id: "payments-api",
        name: "Payments API",
        model: ServiceModel::Saas,
        provider: EXAMPLE_ORG,
        customer: "Each merchant tenant",
        owner: "bob",
    },
    ExampleService {
        id: "tenant-db",
        name: "Tenant Database",
        model: ServiceModel::Paas,
        provider: EXAMPLE_ORG,
        customer: "Each customer tenant",
        owner: "platform",
    },
    ExampleService {
        id: "northwind-compute",
        name: "Northwind Compute",
        model: ServiceModel::Iaas,
        provider: "Northwind Cloud",
        customer: EXAMPLE_ORG,
        owner: "platform",
    },
];

/// Hand-written duties where the example shows what good allocations say.
fn example_duties(service: &str, control: &str) -> Option<(Party, &'static str, &'static str)> {
    Some(match (service, control) {
        ("payments-api", "CLD.9.5.1") => (
            Party::Provider,
            "Per-tenant VPCs and encryption keys; isolation tested twice a year by an external tester.",
            "",
        ),
        ("payments-api", "CLD.6.3.1") => (
            Party::Shared,
            "Publishes the customer security guide with the split of duties, and keeps it current.",
            "Reads the guide and assigns its own administrators and their duties.",
        ),
        ("payments-api", "CLD.12.4.5") => (
            Party::Shared,
            "Gives each tenant an audit-log API and a status page covering the service.",
            "Watches its own audit log and subscribes to the status page.",
        ),
        ("payments-api", "CLD.8.1.5") => (
            Party::Shared,
            "Exports tenant data on request and deletes it, backups included, within 30 days of contract end.",
            "Requests the export before the contract ends.",
        ),
        ("northwind-compute", "CLD.9.5.2") => (
            Party::Customer,
            "",
            "Builds hardened images from the CIS benchmark; only required ports open; EDR agent baked in.",
        ),
        ("northwind-compute", "CLD.9.5.1") => (
            Party::Provider,
            "Northwind's hypervisor isolates tenants; covered by its ISO/IEC 27017 certificate.",
            "",
        ),
        ("northwind-compute", "CLD.12.1.5") => (
            Party::Shared,
            "Documents its own administrative procedures in its certification scope.",
            "Runbooks for destructive operations (snapshot deletion, network changes) with four-eyes approval.",
        ),
        _ => return None,
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.starts_with("ICT") => f.to_lowercase().chain(c).collect(),
        _ => s.to_owned(),
    }
}

fn example_allocation(svc: &ExampleService, c: &CatalogControl) -> String {
    let sid = Id::parse(svc.id).expect("example IDs are valid");
    let (party, provider, customer) = match example_duties(svc.id, c.id.as_str()) {
        Some((p, a, b)) => (p, a.to_owned(), b.to_owned()),
        None => {
            let party = crate::model::DefaultParty::or_shared(c.default_party.as_ref(), svc.model);
            let topic = lower_first(&c.title);
            let provider = format!(
                "{} is responsible for {topic} across the {} platform.",
                svc.provider, svc.name
            );
            let customer = format!(
                "{} is responsible for {topic} for its own accounts, users and data on {}.",
                svc.customer, svc.name
            );
            match party {
                Party::Provider => (party, provider, String::new()),
                Party::Customer => (party, String::new(), customer),
                _ => (party, provider, customer),
            }
        }
    };
    scaffold::allocation(&sid, &c.id, party, &provider, &customer, "", svc.owner)
}

fn example_files(branch: &str, edition: Edition) -> Vec<(String, String)> {
    let config = templates::render(
        example::CONFIG,
        &[("branch", &q(branch)), ("edition", &q(edition.as_str()))],
    );
    let mut files = common_files(config, EXAMPLE_ORG, branch, edition);
    files.retain(|(p, _)| !p.ends_with(".gitkeep") || p.starts_with("reassessments/"));
    let catalog = &templates::catalog(edition).control;
    let quarterly: Vec<String> = QUARTERLY.iter().map(|id| in_edition(id, edition)).collect();
    for c in catalog {
        let (mut soa, why) = example_soa(c, edition);
        if soa.applicable {
            soa.justification = why;
        }
        let cadence = quarterly
            .iter()
            .any(|q| q == c.id.as_str())
            .then_some("quarterly");
        files.push((
            scaffold::control_path(&c.id),
            scaffold::control(c, example_owner(c, edition), cadence, &soa),
        ));
    }
    for svc in &EXAMPLE_SERVICES {
        for c in catalog
            .iter()
            .filter(|c| c.matrix && example_soa(c, edition).0.applicable)
        {
            let sid = Id::parse(svc.id).expect("example IDs are valid");
            files.push((
                scaffold::allocation_path(&sid, &c.id),
                example_allocation(svc, c),
            ));
        }
    }
    // Artifacts first, so evidence records can carry their real hashes.
    let hashes: Vec<(String, String)> = example::FILES
        .iter()
        .filter_map(|(p, text)| {
            crate::model::artifact_of(p).map(|rel| (rel.to_owned(), sha256_hex(text.as_bytes())))
        })
        .collect();
    for (path, text) in example::FILES {
        let vars: Vec<(String, &str)> = hashes
            .iter()
            .map(|(p, h)| (format!("sha256:{p}"), h.as_str()))
            .collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let text = render_controls(&templates::render(text, &vars), edition);
        files.push((path.to_owned(), text));
    }
    files
}

/// Commits the example with a review history, dated relative to `today`:
/// some reviews current, one needing change, one due soon, some overdue.
fn example_history(
    dir: &Path,
    branch: &str,
    today: chrono::NaiveDate,
    edition: Edition,
) -> Result<()> {
    let people = [
        ("alice", "Alice Ng", "alice@example.com"),
        ("bob", "Bob Okafor", "bob@example.com"),
        ("dave", "Dave Lindqvist", "dave@example.com"),
    ];
    let commit = |who: &str, days_ago: u64, args: &[&str]| -> Result<String> {
        let (_, name, email) = people.iter().find(|p| p.0 == who).expect("example person");
        let date = format!("{}T10:00:00+00:00", today - chrono::Days::new(days_ago));
        let env = [
            ("GIT_AUTHOR_NAME", *name),
            ("GIT_AUTHOR_EMAIL", *email),
            ("GIT_COMMITTER_NAME", *name),
            ("GIT_COMMITTER_EMAIL", *email),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ];
        git::run_with(dir, args, &env)
    };
    let empty = |who: &str, days_ago: u64, message: &str| {
        let message = render_controls(message, edition);
        commit(
            who,
            days_ago,
            &[
                "commit",
                "--quiet",
                "--no-verify",
                "--allow-empty",
                "-m",
                &message,
            ],
        )
    };
    commit(
        "alice",
        300,
        &[
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Initialise compliance repository (example organisation)",
        ],
    )?;
    empty(
        "alice",
        150,
        "review: CLD.9.5.1 on payments-api\n\nReviewed: control:CLD.9.5.1\nReviewed: allocation:payments-api/CLD.9.5.1\nReview-Outcome: effective\nReview-Note: 2026-H1 isolation test passed",
    )?;
    empty(
        "dave",
        80,
        "review: event logging\n\nReviewed: control:{{c:12.4.1}}\nReview-Outcome: effective\nReview-Note: log pipeline alerts tested end to end",
    )?;
    // A pull request merged with a merge commit.
    commit(
        "bob",
        22,
        &["checkout", "--quiet", "-b", "review/isolation"],
    )?;
    empty(
        "bob",
        22,
        "review: isolation on the platform services\n\nReviewed: allocation:tenant-db/CLD.9.5.1\nReviewed: allocation:northwind-compute/CLD.9.5.1\nReview-Outcome: effective\nReview-Note: 2026-H2 isolation test passed (evidence 2026-h2-isolation-test)",
    )?;
    commit("bob", 21, &["checkout", "--quiet", branch])?;
    commit(
        "alice",
        21,
        &[
            "merge",
            "--quiet",
            "--no-ff",
            "--no-verify",
            "review/isolation",
            "-m",
            "Merge pull request #12 from example/review/isolation",
        ],
    )?;
    commit(
        "alice",
        21,
        &["branch", "--quiet", "-d", "review/isolation"],
    )?;
    // A pull request squashed in GitHub's format.
    empty(
        "alice",
        10,
        "Quarterly logging review (#15)\n\n* review: logging on payments-api and northwind-compute\n\nReviewed: allocation:payments-api/{{c:12.4.1}}\nReviewed: allocation:northwind-compute/{{c:12.4.1}}\nReview-Outcome: effective\n\n* review: logging on tenant-db\n\nReviewed: allocation:tenant-db/{{c:12.4.1}}\nReview-Outcome: needs-change\nReview-Note: replica logs are kept 30 days, policy says 12 months",
    )?;
    Ok(())
}
