//! `isms init [DIR] [--role …] [--org NAME] [--example]`: scaffold a compliance repository.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{InitArgs, RoleArg};
use crate::error::{Error, Result};
use crate::fsutil::write_new;
use crate::git;
use crate::model::{CatalogControl, Id, Party, ServiceModel, SoaStatus};
use crate::output::{self, plural};
use crate::repo::{CONFIG_FILE, FileKind, SCHEMA_DIR, sha256_hex};
use crate::scaffold::{self, SoaDecision, q};
use crate::templates::{self, example};

use super::Context;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<ExitCode> {
    let dir = if ctx.dir == Path::new(".") {
        args.path.clone()
    } else {
        ctx.dir.join(&args.path)
    };
    refuse_non_empty(&dir)?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    if !dir.join(".git").exists() {
        git::run(&dir, &["init", "--quiet"])?;
    }
    let branch =
        git::run(&dir, &["symbolic-ref", "--short", "HEAD"]).unwrap_or_else(|_| "main".into());
    let files = if args.example {
        example_files(&branch)
    } else {
        plain_files(args, &dir, &branch)
    };
    for (path, contents) in &files {
        write_new(&dir.join(path), contents.as_bytes())?;
    }
    // CODEOWNERS from the owners just written.
    let snapshot =
        crate::repo::load(&crate::repo::WorkTree::new(&dir)?, &crate::repo::Scope::All)?.snapshot;
    write_new(
        &dir.join(crate::codeowners::PATH),
        crate::codeowners::render(&snapshot).as_bytes(),
    )?;
    git::run(&dir, &["add", "--all"])?;
    if args.example {
        example_history(&dir, &branch, ctx.today)?;
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
            Error::new(format!(
                "created the files in {}, but could not commit them",
                dir.display()
            ))
            .caused_by(e.cause.unwrap_or(e.message))
            .hint("set git's user.name and user.email, then run `git add --all && git commit`")
        })?;
    }
    let count = |prefix: &str| {
        files
            .iter()
            .filter(|(p, _)| p.starts_with(prefix) && p.ends_with(".toml"))
            .count()
    };
    let mut what = vec![
        plural(count("controls/"), "control"),
        plural(count("triggers/"), "trigger"),
    ];
    if args.example {
        what.push(plural(count("services/"), "service"));
        what.push(plural(count("responsibilities/"), "allocation"));
        what.push(format!("{} evidence records", count("evidence/")));
        what.push(plural(count("findings/"), "finding"));
    }
    output::note(&format!(
        "created a compliance repository in {} with {}\nnext: isms -C {} check",
        dir.display(),
        what.join(", "),
        dir.display()
    ));
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

/// Files every repository starts with: (path, contents).
fn common_files(config: String, org: &str, branch: &str) -> Vec<(String, String)> {
    let mut files = vec![
        (CONFIG_FILE.to_owned(), config),
        (
            "README.md".to_owned(),
            templates::render(templates::README, &[("org", org)]),
        ),
    ];
    for kind in FileKind::ALL {
        files.push((
            format!("{SCHEMA_DIR}/{}.json", kind.name()),
            super::schema::pretty(kind),
        ));
    }
    files.extend(crate::workflows::files(
        branch,
        crate::workflows::DEFAULT_ACTION,
    ));
    for (id, text) in templates::TRIGGERS {
        files.push((format!("triggers/{id}.toml"), text.to_owned()));
    }
    // Directories git would otherwise not keep.
    for dir in [
        "services",
        "responsibilities",
        "evidence/files",
        "findings",
        "reassessments",
    ] {
        files.push((format!("{dir}/.gitkeep"), String::new()));
    }
    files
}

fn plain_files(args: &InitArgs, dir: &Path, branch: &str) -> Vec<(String, String)> {
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
        ],
    );
    let mut files = common_files(config, &org, branch);
    let soa = SoaDecision {
        applicable: true,
        justification: "",
        status: SoaStatus::Planned,
    };
    for c in templates::catalog().control {
        files.push((
            scaffold::control_path(&c.id),
            scaffold::control(&c, "isms-owner", None, &soa),
        ));
    }
    files
}

// ---- the example organisation ----

const EXAMPLE_ORG: &str = "Example Cloud Ltd";

/// Who owns what in the example: by clause, as a small company might split it.
fn example_owner(id: &str) -> &'static str {
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

fn example_soa(id: &str) -> SoaDecision<'static> {
    let physical = [
        "11.1.1", "11.1.2", "11.1.3", "11.1.4", "11.1.5", "11.1.6", "11.2.1", "11.2.2", "11.2.3",
    ];
    if physical.contains(&id) {
        return SoaDecision {
            applicable: false,
            justification: NO_PREMISES,
            status: SoaStatus::NotApplicable,
        };
    }
    let status = match id {
        "9.2.5" | "9.2.3" => SoaStatus::Partial,
        "17.1.3" | "14.2.7" => SoaStatus::Planned,
        _ => SoaStatus::Implemented,
    };
    SoaDecision {
        applicable: true,
        justification: "",
        status,
    }
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
            let party = c
                .default_party
                .as_ref()
                .map_or(Party::Shared, |d| d.for_model(svc.model));
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
    scaffold::allocation(&sid, &c.id, party, &provider, &customer, svc.owner)
}

fn example_files(branch: &str) -> Vec<(String, String)> {
    let config = templates::render(example::CONFIG, &[("branch", &q(branch))]);
    let mut files = common_files(config, EXAMPLE_ORG, branch);
    files.retain(|(p, _)| !p.ends_with(".gitkeep") || p.starts_with("reassessments/"));
    let catalog = templates::catalog().control;
    for c in &catalog {
        let soa = example_soa(c.id.as_str());
        let cadence = QUARTERLY.contains(&c.id.as_str()).then_some("quarterly");
        files.push((
            scaffold::control_path(&c.id),
            scaffold::control(c, example_owner(c.id.as_str()), cadence, &soa),
        ));
    }
    for svc in &EXAMPLE_SERVICES {
        for c in catalog
            .iter()
            .filter(|c| c.matrix && example_soa(c.id.as_str()).applicable)
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
            p.strip_prefix("evidence/")
                .filter(|p| p.starts_with("files/"))
                .map(|rel| (rel.to_owned(), sha256_hex(text.as_bytes())))
        })
        .collect();
    for (path, text) in example::FILES {
        let vars: Vec<(String, &str)> = hashes
            .iter()
            .map(|(p, h)| (format!("sha256:{p}"), h.as_str()))
            .collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        files.push((path.to_owned(), templates::render(text, &vars)));
    }
    files
}

/// Commits the example with a review history, dated relative to `today`:
/// some reviews current, one needing change, one due soon, some overdue.
fn example_history(dir: &Path, branch: &str, today: chrono::NaiveDate) -> Result<()> {
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
        commit(
            who,
            days_ago,
            &[
                "commit",
                "--quiet",
                "--no-verify",
                "--allow-empty",
                "-m",
                message,
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
        "review: event logging\n\nReviewed: control:12.4.1\nReview-Outcome: effective\nReview-Note: log pipeline alerts tested end to end",
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
        "Quarterly logging review (#15)\n\n* review: logging on payments-api and northwind-compute\n\nReviewed: allocation:payments-api/12.4.1\nReviewed: allocation:northwind-compute/12.4.1\nReview-Outcome: effective\n\n* review: logging on tenant-db\n\nReviewed: allocation:tenant-db/12.4.1\nReview-Outcome: needs-change\nReview-Note: replica logs are kept 30 days, policy says 12 months",
    )?;
    Ok(())
}
