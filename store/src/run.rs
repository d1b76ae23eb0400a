//! One run's results: `results/<task>/<n>/` holds `arf.xml`, `report.html`,
//! `stdout`, `stderr`, `exit_code` and `summary.json`; `summary.json` is
//! written last and marks the run as recorded. The per-rule results come
//! from the ARF's XCCDF TestResult, for runs and imports alike.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The files of a run directory, in the order they are written.
pub const FILES: [&str; 6] = ["arf.xml", "report.html", "stdout", "stderr", "exit_code", "summary.json"];

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The scanner ran to its end (whatever its exit code).
    Finished,
    /// The run was cut off (kill, crash, power loss) and will run again.
    Interrupted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Finished => "finished",
            Status::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "finished" => Some(Status::Finished),
            "interrupted" => Some(Status::Interrupted),
            _ => None,
        }
    }
}

/// One rule's result in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub id: String,
    pub result: String,
    #[serde(default)]
    pub severity: String,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub task: u64,
    pub n: u64,
    pub status: Status,
    /// `daemon`, `cli`, `api` or `import`.
    pub source: String,
    /// The schedule slot this run fulfils (RFC 3339), for scheduled runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<String>,
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub benchmark: String,
    #[serde(default)]
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default)]
    pub counts: BTreeMap<String, u64>,
    #[serde(default)]
    pub rules: Vec<RuleResult>,
    /// Why the scan produced no results, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Summary {
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<Summary, String> {
        serde_json::from_str(text).map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))
    }

    /// Fills the result fields from an ARF (or XCCDF results) document.
    pub fn fill_from(&mut self, arf: &ArfFacts) {
        self.target.clone_from(&arf.target);
        self.benchmark.clone_from(&arf.benchmark);
        self.profile.clone_from(&arf.profile);
        self.score = arf.score;
        self.rules.clone_from(&arf.rules);
        self.counts = count(&self.rules);
    }
}

/// Counts results by kind (`pass`, `fail`, ...), leaving out `notselected`.
pub fn count(rules: &[RuleResult]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for r in rules.iter().filter(|r| r.result != "notselected") {
        *m.entry(r.result.clone()).or_insert(0) += 1;
    }
    m
}

/// What a TestResult says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArfFacts {
    pub target: String,
    pub benchmark: String,
    pub profile: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub score: Option<f64>,
    pub rules: Vec<RuleResult>,
}

/// Reads the (first) XCCDF TestResult of an ARF report collection or an
/// XCCDF results document, with the hardened reader (no DTDs).
pub fn parse_arf(text: &str) -> Result<ArfFacts, String> {
    let root = scapc_xml::parse(text).map_err(|e| e.to_string())?;
    let mut found = None;
    root.walk(&mut |e| {
        if found.is_none() && e.local_name() == "TestResult" {
            found = Some(e.clone());
        }
    });
    let tr = found.ok_or_else(|| {
        format!(
            "no XCCDF TestResult in this `{}` document; import takes ARF (`--results-arf`) or XCCDF results",
            root.local_name()
        )
    })?;
    let mut f = ArfFacts {
        start_time: tr.attr("start-time").map(str::to_owned),
        end_time: tr.attr("end-time").map(str::to_owned),
        ..ArfFacts::default()
    };
    for c in tr.elements() {
        match c.local_name() {
            "benchmark" => f.benchmark = c.attr("id").or(c.attr("href")).unwrap_or("").to_owned(),
            "profile" => f.profile = c.attr("idref").unwrap_or("").to_owned(),
            "target" if f.target.is_empty() => f.target = c.text().trim().to_owned(),
            "score" if f.score.is_none() => f.score = c.text().trim().parse().ok(),
            "rule-result" => {
                let id = c.attr("idref").unwrap_or("").to_owned();
                let result = c.child("result").map(|r| r.text().trim().to_owned()).unwrap_or_default();
                if id.is_empty() || result.is_empty() {
                    return Err(format!("a rule-result has no idref or no result (rule `{id}`)"));
                }
                f.rules.push(RuleResult { id, result, severity: c.attr("severity").unwrap_or("").to_owned() });
            }
            _ => {}
        }
    }
    if f.benchmark.is_empty() {
        if let Some(id) = tr.attr("id") {
            f.benchmark = id.to_owned();
        }
    }
    Ok(f)
}

/// One changed rule between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub rule: String,
    /// The result in run A (`absent` when A did not evaluate the rule).
    pub before: String,
    pub after: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARF: &str = r##"<?xml version="1.0"?>
<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1" xmlns:x="http://checklists.nist.gov/xccdf/1.2">
 <arf:reports><arf:report id="r1"><arf:content>
  <x:TestResult id="xccdf_t_testresult_p" start-time="2026-12-06T10:00:00+00:00" end-time="2026-12-06T10:01:00+00:00">
   <x:benchmark href="#scap" id="xccdf_t_benchmark_b"/>
   <x:profile idref="xccdf_t_profile_p"/>
   <x:target>web1</x:target>
   <x:rule-result idref="xccdf_t_rule_a" severity="high"><x:result>pass</x:result></x:rule-result>
   <x:rule-result idref="xccdf_t_rule_b" severity="low"><x:result>fail</x:result></x:rule-result>
   <x:rule-result idref="xccdf_t_rule_c"><x:result>notselected</x:result></x:rule-result>
   <x:score system="urn:xccdf:scoring:default" maximum="100">50.000000</x:score>
  </x:TestResult>
 </arf:content></arf:report></arf:reports>
</arf:asset-report-collection>"##;

    #[test]
    fn reads_a_test_result() {
        let f = parse_arf(ARF).unwrap();
        assert_eq!(f.target, "web1");
        assert_eq!(f.profile, "xccdf_t_profile_p");
        assert_eq!(f.benchmark, "xccdf_t_benchmark_b");
        assert_eq!(f.score, Some(50.0));
        assert_eq!(f.rules.len(), 3);
        assert_eq!(
            f.rules[1],
            RuleResult { id: "xccdf_t_rule_b".into(), result: "fail".into(), severity: "low".into() }
        );
        let c = count(&f.rules);
        assert_eq!((c.get("pass"), c.get("fail"), c.get("notselected")), (Some(&1), Some(&1), None));
    }

    #[test]
    fn refuses_what_is_no_result() {
        assert!(parse_arf("<Benchmark/>").unwrap_err().contains("no XCCDF TestResult"));
        assert!(parse_arf("<a>").is_err());
        let dtd = format!("<!DOCTYPE x [<!ENTITY e \"e\">]>{}", &ARF[22..]);
        assert!(parse_arf(&dtd).is_err());
    }
}
