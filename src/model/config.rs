//! `isms.toml`: the organisation, its people and teams, and defaults.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Edition, Id, Period};

/// The settings of a compliance repository (`isms.toml`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who this repository is for.
    pub organization: Organization,
    /// Defaults that items inherit.
    #[serde(default)]
    pub defaults: Defaults,
    /// People who own or review items, by key (the key is what `owner` fields name).
    #[serde(default)]
    pub people: BTreeMap<Id, Person>,
    /// Teams that own items, by key.
    #[serde(default)]
    pub teams: BTreeMap<Id, Team>,
    /// How reviews are approved and counted.
    #[serde(default)]
    pub review: ReviewSettings,
    /// Where the repository lives on GitHub.
    #[serde(default)]
    pub github: GithubSettings,
    /// Which catalog edition the controls follow.
    #[serde(default)]
    pub catalog: CatalogSettings,
}

/// Which catalog edition the repository's controls follow.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogSettings {
    /// `"2022"`: ISO/IEC 27001:2022 Annex A (5.1 … 8.34) and the ISO/IEC 27017
    /// CLD controls; `"2013"`: ISO/IEC 27002:2013 and the CLD controls. A
    /// repository that names none is `"2013"`.
    #[serde(default)]
    pub edition: Edition,
}

/// The organisation whose ISMS this is.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Legal or trading name.
    pub name: String,
    /// Whether the organisation provides cloud services, consumes them, or both.
    pub role: OrgRole,
}

/// The organisation's role in cloud computing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrgRole {
    Provider,
    Customer,
    Both,
}

/// Defaults inherited by items that do not set their own.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Review cadence of controls that set none.
    #[serde(default = "Defaults::cadence")]
    pub cadence: Period,
    /// How long before its due date an item counts as due soon.
    #[serde(default = "Defaults::due_soon")]
    pub due_soon: Period,
    /// The branch whose history is the review record.
    #[serde(default = "Defaults::branch")]
    pub branch: String,
}

impl Defaults {
    fn cadence() -> Period {
        Period::Years(1)
    }
    fn due_soon() -> Period {
        Period::Days(14)
    }
    fn branch() -> String {
        "main".into()
    }
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            cadence: Defaults::cadence(),
            due_soon: Defaults::due_soon(),
            branch: Defaults::branch(),
        }
    }
}

/// A person who owns or reviews items.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Email address; also matched against commit authors.
    #[serde(default)]
    pub email: String,
    /// GitHub user name, for review requests and CODEOWNERS.
    #[serde(default)]
    pub github: String,
}

/// A team that owns items.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Keys of the people in the team.
    #[serde(default)]
    pub members: Vec<Id>,
    /// GitHub team slug, `org/team`.
    #[serde(default)]
    pub github: String,
}

/// How reviews are approved and counted.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSettings {
    /// `pull-request`: reviews count when they land through an approved pull
    /// request; `author`: the commit author must be the item's owner.
    #[serde(default)]
    pub approval: Approval,
    /// Whether any landed change to an item's file also counts as its review.
    #[serde(default)]
    pub count_changes: bool,
    /// Whether an applicable control without a justification is an error
    /// (by default a warning, `soa-justification`).
    #[serde(default)]
    pub require_inclusion_justification: bool,
}

/// Who may approve a review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    #[default]
    PullRequest,
    Author,
}

/// Where the repository lives on GitHub.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubSettings {
    /// `owner/name`; by default taken from the origin remote or `GITHUB_REPOSITORY`.
    #[serde(default)]
    pub repository: Option<String>,
}

/// What is wrong with `login` as a GitHub user name (an `@` before it is
/// allowed): `None` when it is one. GitHub's rule: letters, digits and
/// hyphens, not starting with a hyphen, at most 39 characters.
pub fn github_login_problem(login: &str) -> Option<String> {
    let l = login.trim().trim_start_matches('@');
    let fine = !l.is_empty()
        && l.len() <= 39
        && !l.starts_with('-')
        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (!fine).then(|| {
        format!(
            "`{login}` is not a GitHub user name: expected letters, digits and hyphens, \
             at most 39, not starting with a hyphen"
        )
    })
}

/// What is wrong with `email` as the address git records for a commit's
/// author (`name@domain`): `None` when it is one.
pub fn email_problem(email: &str) -> Option<String> {
    let e = email.trim();
    let shaped = e.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    });
    let fine = shaped
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>".contains(c));
    (!fine).then(|| {
        format!(
            "`{email}` is not an email address: expected one like alice@example.com, as git records it for commits"
        )
    })
}

/// What is wrong with `team` as a GitHub team (`org/team-slug`, as
/// CODEOWNERS names teams): `None` when it is one.
pub fn github_team_problem(team: &str) -> Option<String> {
    let t = team.trim().trim_start_matches('@');
    let fine = t.split_once('/').is_some_and(|(org, slug)| {
        github_login_problem(org).is_none()
            && !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    (!fine).then(|| {
        format!("`{team}` is not a GitHub team: expected ORG/TEAM-SLUG, as CODEOWNERS names teams")
    })
}

/// What is wrong with `slug` as a GitHub repository (`owner/name`): `None`
/// when it is one.
pub fn github_repository_problem(slug: &str) -> Option<String> {
    let fine = slug.split_once('/').is_some_and(|(owner, name)| {
        github_login_problem(owner).is_none()
            && !name.is_empty()
            && name.len() <= 100
            && name != "."
            && name != ".."
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    (!fine).then(|| format!("`{slug}` is not a GitHub repository: expected OWNER/NAME"))
}

impl Config {
    /// Whether `key` names a person or a team.
    pub fn has_owner(&self, key: &str) -> bool {
        self.people.contains_key(key) || self.teams.contains_key(key)
    }

    /// The key of the person or team `who` names: its key, or else a
    /// person's GitHub login or email, or a team's GitHub slug, that no
    /// one else has. Case and a leading `@` do not count.
    pub fn owner_key(&self, who: &str) -> Option<String> {
        owner_named(who, |k| self.has_owner(k), &self.owner_aliases()).map(str::to_owned)
    }

    /// The keys of the people whose email is `email`, case aside: one, or
    /// several where they share it (which names none of them as an owner).
    pub fn people_with_email(&self, email: &str) -> Vec<&str> {
        self.people_whose(|p| &p.email, email)
    }

    /// The keys of the people whose GitHub login is `login`, as
    /// [`Config::people_with_email`] finds them by email.
    pub fn people_with_github(&self, login: &str) -> Vec<&str> {
        self.people_whose(|p| &p.github, login)
    }

    fn people_whose(&self, field: fn(&Person) -> &String, value: &str) -> Vec<&str> {
        let alias = owner_alias(value);
        (self.people.iter())
            .filter(|(_, p)| !alias.is_empty() && owner_alias(field(p)) == alias)
            .map(|(key, _)| key.as_str())
            .collect()
    }

    /// Every GitHub login, email and team slug that names one person or
    /// team alone, as [`Config::owner_key`] reads it, with that key.
    pub fn owner_aliases(&self) -> BTreeMap<String, String> {
        let people = (self.people.iter()).flat_map(|(k, p)| [(k, &p.github), (k, &p.email)]);
        let teams = self.teams.iter().map(|(k, t)| (k, &t.github));
        let mut named: BTreeMap<String, Option<&Id>> = BTreeMap::new();
        for (key, name) in people.chain(teams) {
            let name = owner_alias(name);
            if name.is_empty() || name == "todo" {
                continue;
            }
            named
                .entry(name)
                .and_modify(|k| *k = k.filter(|k| *k == key))
                .or_insert(Some(key));
        }
        (named.into_iter())
            .filter_map(|(name, key)| Some((name, key?.to_string())))
            .collect()
    }

    /// What `written` is of the one person or team it names otherwise than
    /// by key, and that key: `("the name", "alice")` for `Alice Ng`, also
    /// its email, GitHub login or team slug. `people_only` leaves teams out.
    /// For a hint where a key is asked for; `None` where it names no one, or
    /// more than one.
    pub fn named_by(&self, written: &str, people_only: bool) -> Option<(&'static str, &str)> {
        let said = owner_alias(written);
        if said.is_empty() || said == "todo" {
            return None;
        }
        let people = self.people.iter().flat_map(|(k, p)| {
            [
                ("the name", &p.name),
                ("the email", &p.email),
                ("the GitHub login", &p.github),
            ]
            .map(|(what, v)| (what, k, v))
        });
        let teams = (self.teams.iter().filter(|_| !people_only)).flat_map(|(k, t)| {
            [("the name", &t.name), ("the GitHub team", &t.github)].map(|(what, v)| (what, k, v))
        });
        let mut found = people
            .chain(teams)
            .filter(|(_, _, v)| owner_alias(v) == said);
        let (what, key, _) = found.next()?;
        found
            .all(|(_, k, _)| k == key)
            .then_some((what, key.as_str()))
    }

    /// The hint where a key was asked for and `written` names a person or
    /// team otherwise: "`Alice Ng` is the name of `alice` in isms.toml:
    /// write the key, `alice`".
    pub fn key_hint(&self, written: &str, people_only: bool) -> Option<String> {
        let (what, key) = self.named_by(written, people_only)?;
        Some(format!(
            "`{}` is {what} of `{key}` in isms.toml: write the key, `{key}`",
            written.trim()
        ))
    }

    /// The name of the person or team `owner`, as written in the settings
    /// (a team's may be empty).
    pub fn name_of(&self, owner: &str) -> Option<&str> {
        self.people
            .get(owner)
            .map(|p| p.name.as_str())
            .or_else(|| self.teams.get(owner).map(|t| t.name.as_str()))
    }

    /// The people who answer for `owner`: the person, or the team's members.
    pub fn people_of(&self, owner: &str) -> Vec<&Person> {
        match self.teams.get(owner) {
            Some(team) => team
                .members
                .iter()
                .filter_map(|m| self.people.get(m.as_str()))
                .collect(),
            None => self.people.get(owner).into_iter().collect(),
        }
    }
}

/// The key `who` names: itself when `is_key` says it is one, else the key
/// that `aliases` ([`Config::owner_aliases`]) give for it. The rule of
/// [`Config::owner_key`], for those who keep only the keys and aliases.
pub fn owner_named<'a>(
    who: &'a str,
    is_key: impl Fn(&str) -> bool,
    aliases: &'a BTreeMap<String, String>,
) -> Option<&'a str> {
    if is_key(who) {
        return Some(who);
    }
    aliases.get(&owner_alias(who)).map(String::as_str)
}

/// A login, email or slug as [`Config::owner_key`] compares it.
pub fn owner_alias(name: &str) -> String {
    name.trim().trim_start_matches('@').to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_or_team_written_by_name_email_or_login_is_found_by_its_key() {
        let config: Config = toml::from_str(
            r#"
            [organization]
            name = "Org"
            role = "provider"
            [people.alice]
            name = "Alice Ng"
            email = "alice@example.com"
            github = "alice-ng"
            [people.bob]
            name = "Bob Okafor"
            email = "shared@example.com"
            [people.carol]
            name = "Carol Diaz"
            email = "shared@example.com"
            [teams.platform]
            name = "Platform engineering"
            members = ["alice"]
            github = "example/platform"
            "#,
        )
        .unwrap();
        for (written, found) in [
            ("Alice Ng", Some(("the name", "alice"))),
            (" alice ng ", Some(("the name", "alice"))),
            ("Alice@Example.com", Some(("the email", "alice"))),
            ("@alice-ng", Some(("the GitHub login", "alice"))),
            ("Platform engineering", Some(("the name", "platform"))),
            ("example/platform", Some(("the GitHub team", "platform"))),
            // Two people share it: it names neither.
            ("shared@example.com", None),
            ("Mallory", None),
            ("", None),
        ] {
            assert_eq!(config.named_by(written, false), found, "{written}");
        }
        assert_eq!(config.named_by("Platform engineering", true), None);
        assert_eq!(
            config.named_by("Bob Okafor", true),
            Some(("the name", "bob"))
        );
    }

    #[test]
    fn an_owner_is_named_by_key_login_email_or_team_slug_when_no_one_else_has_it() {
        let config: Config = toml::from_str(
            r#"
            [organization]
            name = "Acme"
            role = "provider"
            [people.alice]
            name = "Alice"
            email = "Alice@Example.com"
            github = "alice-ng"
            [people.bob]
            name = "Bob"
            email = "shared@example.com"
            github = "TODO"
            [people.carol]
            name = "Carol"
            email = "shared@example.com"
            [teams.platform]
            members = ["alice"]
            github = "acme/platform"
            "#,
        )
        .unwrap();
        let key = |who| config.owner_key(who);
        assert_eq!(key("alice").as_deref(), Some("alice"));
        assert_eq!(key("alice-ng").as_deref(), Some("alice"));
        assert_eq!(key("@Alice-NG").as_deref(), Some("alice"));
        assert_eq!(key("alice@example.com").as_deref(), Some("alice"));
        assert_eq!(key("@acme/platform").as_deref(), Some("platform"));
        // Shared by two people, or a placeholder: no one in particular.
        assert_eq!(key("shared@example.com"), None);
        assert_eq!(key("TODO"), None);
        assert_eq!(key("alic"), None);
        // Keys are exact.
        assert_eq!(key("Alice"), None);
        // Who has an email, however many share it.
        assert_eq!(config.people_with_email(" alice@EXAMPLE.com"), ["alice"]);
        assert_eq!(
            config.people_with_email("shared@example.com"),
            ["bob", "carol"]
        );
        assert!(config.people_with_email("").is_empty());
        assert_eq!(config.people_with_github("@Alice-NG"), ["alice"]);
        assert!(config.people_with_email("nobody@example.com").is_empty());
    }
}
