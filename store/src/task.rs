//! Tasks: what to scan, with what, and when. One TOML file per task,
//! `tasks/<id>.toml`, is the source of truth.

use crate::schedule::{Repeat, Schedule};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The engine a task's runs use (`scapc eval --engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Native,
    Oscap,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::Oscap => "oscap",
        }
    }
}

/// One task, as stored in `tasks/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: u64,
    pub title: String,
    /// `local`, `dir:/path`, `ssh://user@host[:port]`, ...
    pub target: String,
    /// The source data stream (empty for a task that only holds imported results).
    #[serde(default)]
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tailoring: Option<String>,
    #[serde(default)]
    pub remediate: bool,
    /// RFC 3339.
    pub not_before: String,
    /// `never`, `Nh`, `@daily`, `@weekly`, `@monthly`.
    #[serde(default = "never")]
    pub repeat: String,
    /// IANA time zone for calendar repeats; empty: the system's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timezone: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub engine: Engine,
    /// ssh `-o` options for `ssh://` and `ssh+sudo://` targets
    /// (`IdentityFile=...`, `UserKnownHostsFile=...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_options: Vec<String>,
}

fn never() -> String {
    "never".into()
}

impl Task {
    /// Checks the fields a run depends on; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("the title is empty".into());
        }
        if self.target.trim().is_empty() {
            return Err("the target is empty; use `local`, `dir:/path` or `ssh://user@host`".into());
        }
        self.repeat()?;
        self.not_before()?;
        self.tz()?;
        if self.enabled && self.content.is_empty() {
            return Err("the task has no content (a source data stream) and cannot be enabled".into());
        }
        Ok(())
    }

    pub fn repeat(&self) -> Result<Repeat, String> {
        self.repeat.parse()
    }

    /// Not-before, to the whole second (the index keeps seconds; a finer
    /// time would make a finished slot look earlier than not-before).
    pub fn not_before(&self) -> Result<Timestamp, String> {
        let t = self.not_before.parse::<Timestamp>().map_err(|e| format!("not_before `{}`: {e}", self.not_before))?;
        Timestamp::from_second(t.as_second()).map_err(|e| format!("not_before `{}`: {e}", self.not_before))
    }

    pub fn tz(&self) -> Result<TimeZone, String> {
        if self.timezone.is_empty() {
            Ok(TimeZone::system())
        } else {
            TimeZone::get(&self.timezone).map_err(|e| format!("timezone `{}`: {e}", self.timezone))
        }
    }

    pub fn schedule(&self) -> Result<Schedule, String> {
        Ok(Schedule { not_before: self.not_before()?, repeat: self.repeat()?, tz: self.tz()? })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    pub fn from_toml(text: &str) -> Result<Task, String> {
        let t: Task = toml::from_str(text).map_err(|e| e.to_string())?;
        t.validate()?;
        Ok(t)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_fields() {
        let t = Task {
            id: 7,
            title: "Web servers".into(),
            target: "ssh://scan@web1".into(),
            content: "/usr/share/xml/scap/ssg/content/ssg-debian12-ds.xml".into(),
            profile: Some("xccdf_org.ssgproject.content_profile_standard".into()),
            tailoring: None,
            remediate: false,
            not_before: "2026-12-06T20:00:00Z".into(),
            repeat: "@daily".into(),
            timezone: "Europe/Berlin".into(),
            enabled: true,
            engine: Engine::Oscap,
            ssh_options: vec!["IdentityFile=/etc/scapc/id_ed25519".into()],
        };
        let back = Task::from_toml(&t.to_toml()).unwrap();
        assert_eq!(back, t);
        let bad = t.to_toml().replace("@daily", "@yearly");
        assert!(Task::from_toml(&bad).unwrap_err().contains("@yearly"));
        let unknown = format!("{}colour = \"red\"\n", t.to_toml());
        assert!(Task::from_toml(&unknown).unwrap_err().contains("colour"));
    }
}
