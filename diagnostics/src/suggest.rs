//! "Did you mean": the names closest to one that is not there (a profile,
//! a product, a rule), and the one message every command gives for it.

/// The candidates closest to `want`, best first (at most five): those
/// within an edit distance that grows with the length of `want`, compared
/// with the whole candidate and with each part of it that follows a `_`,
/// `:` or `.` (so `stadnard` finds `xccdf_org.example_profile_standard`
/// and a short rule id finds the full one), and those that contain `want`.
pub fn closest<'a>(want: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let limit = want.chars().count().max(3) / 3 + 1;
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .filter_map(|c| {
            let d = if !want.is_empty() && c.contains(want) {
                0
            } else {
                let tails = c.match_indices(['_', ':', '.']).map(|(i, _)| &c[i + 1..]);
                std::iter::once(*c).chain(tails).map(|t| strsim::levenshtein(want, t)).min().unwrap_or(usize::MAX)
            };
            (d <= limit).then_some((d, *c))
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().map(|(_, c)| c).take(5).collect()
}

/// The message for a `kind` named `want` that `place` does not have:
/// `no profile `x` in FILE`, then the closest names ("did you mean"), else
/// every name when there are few (`all_label` introduces them), else how
/// many there are and `more` (where to see them all). `extra` names are
/// always valid besides the candidates (`(all)` for a profile).
pub fn unknown(kind: &str, want: &str, place: &str, candidates: &[&str], extra: &[&str], more: &str) -> String {
    let mut msg = format!("no {kind} `{want}` in {place}");
    let close = closest(want, candidates);
    if !close.is_empty() {
        msg.push_str("\n  did you mean:");
        for c in close {
            msg.push_str(&format!("\n    {c}"));
        }
    } else if candidates.len() <= 30 {
        let mut sorted = candidates.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        msg.push_str(&format!("\n  the {kind}s are:"));
        for c in sorted.iter().chain(extra) {
            msg.push_str(&format!("\n    {c}"));
        }
    } else {
        msg.push_str(&format!("\n  ({} {kind}s; {more})", candidates.len()));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_suffixes_are_found() {
        let c = ["debian12", "rhel9", "ubuntu2204"];
        assert_eq!(closest("debain12", &c), ["debian12"]);
        assert_eq!(closest("rhel", &c), ["rhel9"]);
        assert!(closest("windows", &c).is_empty());
        let p = ["xccdf_org.example_profile_standard", "xccdf_org.example_profile_cis"];
        assert_eq!(closest("stadnard", &p), ["xccdf_org.example_profile_standard"]);
        let r = ["xccdf_org.example_rule_sshd_disable_root_login", "xccdf_org.example_rule_package_telnet_removed"];
        assert_eq!(closest("sshd_disable_rot_login", &r), [r[0]]);
    }

    #[test]
    fn the_message_suggests_or_lists() {
        let c = ["debian12", "rhel9"];
        let m = unknown("product", "debain12", "products/", &c, &[], "");
        assert!(m.starts_with("no product `debain12` in products/\n  did you mean:\n    debian12"), "{m}");
        let m = unknown("profile", "zzzzzzzz", "ds.xml", &c, &["(all)"], "");
        assert!(m.contains("the profiles are:\n    debian12\n    rhel9\n    (all)"), "{m}");
        let many: Vec<String> = (0..40).map(|i| format!("p{i:02}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let m = unknown("rule", "zzzzzzzz", "ds.xml", &many, &[], "`scapc ds info` lists them");
        assert!(m.ends_with("(40 rules; `scapc ds info` lists them)"), "{m}");
    }
}
