//! Every SP 800-126r3 requirement for source content that NIST marks as
//! checkable (SCHEMATRON or APPLICATION), plus scapc's own checks from the
//! XCCDF 1.2 and OVAL 5.11 Schematron, each with its severity and whether
//! scapc checks it. `docs/requirements.md` is generated from this table.

use scapc_diagnostics::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Checked,
    /// Checked, with the interpretation given.
    CheckedAs(&'static str),
    NotChecked(&'static str),
}

pub struct Req {
    pub id: &'static str,
    pub severity: Severity,
    /// SP 800-126r3 section, or the Schematron it comes from.
    pub source: &'static str,
    /// What the requirement asks, in plain words.
    pub summary: &'static str,
    pub status: Status,
}

use Severity::{Error as E, Note as N, Warning as W};
use Status::*;

const RESULTS_ONLY: &str = "applies to result content (ARF, TestResult), not to source content";

pub static REQUIREMENTS: &[Req] = &[
    Req { id: "SRC-2-1", severity: E, source: "3.2.2", summary: "A Benchmark carries xml:lang.", status: Checked },
    Req { id: "SRC-3-2", severity: W, source: "3.2.2", summary: "The Benchmark's version carries a @time timestamp.", status: Checked },
    Req { id: "SRC-3-3", severity: E, source: "3.2.2", summary: "Benchmark @id plus version identify one Benchmark in the collection.", status: Checked },
    Req { id: "SRC-4-1", severity: W, source: "3.2.2", summary: "Benchmark @style is SCAP_1.3 (SCAP_1.2 for a 1.2 collection).", status: Checked },
    Req { id: "SRC-5-1", severity: E, source: "3.2.2", summary: "Every status is `draft` or `accepted`.", status: Checked },
    Req { id: "SRC-5-2", severity: E, source: "3.2.2", summary: "Every status carries the @date of its last change.", status: Checked },
    Req { id: "SRC-8-1", severity: E, source: "3.2.2", summary: "The Benchmark metadata names a dc:creator, dc:publisher, dc:contributor and dc:source, each non-empty.", status: Checked },
    Req { id: "SRC-8-2", severity: E, source: "3.2.2", summary: "The Benchmark has a metadata element.", status: Checked },
    Req { id: "SRC-9-1", severity: E, source: "3.2.1", summary: "Benchmark, Profile, Value, Group and Rule each have a title.", status: Checked },
    Req { id: "SRC-9-2", severity: E, source: "3.2.1", summary: "Where an item has several titles, each carries xml:lang.", status: Checked },
    Req { id: "SRC-9-3", severity: E, source: "3.2.1", summary: "Where an item has several titles, one is en-US.", status: Checked },
    Req { id: "SRC-10-1", severity: E, source: "3.2.1", summary: "Benchmark, Profile, Value, Group and Rule each have a description.", status: Checked },
    Req { id: "SRC-15-1", severity: E, source: "3.5", summary: "Every xccdf:platform CPE name and cpe-lang:fact-ref matches, equal or as a superset, a CPE item of a dictionary in the same data stream.", status: CheckedAs("CPE 2.2 URIs and CPE 2.3 formatted strings are compared attribute by attribute; a platform that names a CPE-AL platform (`#id`) is checked through its fact-refs") },
    Req { id: "SRC-25-1", severity: E, source: "3.2.4.2", summary: "XCCDF content holds no inline check-content.", status: Checked },
    Req { id: "SRC-30-1", severity: E, source: "5.1", summary: "A CONFIGURATION data stream whose benchmark uses platforms references a CPE dictionary and an OVAL component with an inventory definition.", status: Checked },
    Req { id: "SRC-31-1", severity: W, source: "3.2.4.2", summary: "Every check-content-ref @href resolves, directly or through the catalog, to a component-ref of the data stream.", status: Checked },
    Req { id: "SRC-33-1", severity: E, source: "5.2", summary: "A VULNERABILITY data stream whose benchmark uses platforms references a CPE dictionary and an OVAL component with an inventory definition.", status: Checked },
    Req { id: "SRC-38-1", severity: E, source: "3.2.5", summary: "An XCCDF Value of type number is exported only to OVAL variables of datatype int or float.", status: Checked },
    Req { id: "SRC-38-2", severity: E, source: "3.2.5", summary: "An XCCDF Value of type boolean is exported only to OVAL variables of datatype boolean.", status: Checked },
    Req { id: "SRC-38-3", severity: E, source: "3.2.5", summary: "An XCCDF Value of type string is exported only to OVAL variables of a string-like datatype.", status: Checked },
    Req { id: "SRC-72-1", severity: E, source: "3.5", summary: "A CPE dictionary item's check uses the OVAL system and names a definition present in the referenced component.", status: Checked },
    Req { id: "SRC-74-1", severity: W, source: "3.7", summary: "Every CCE is in the official CCE list.", status: NotChecked("needs NIST's CCE feed; scapc never uses the network and does not ship the feed (the format and check digit are checked by A-17-1)") },
    Req { id: "SRC-118-1", severity: E, source: "3.2.4.2", summary: "A Rule's check uses the OVAL or OCIL checking system.", status: Checked },
    Req { id: "SRC-118-2", severity: E, source: "3.2.4.2", summary: "A CPE dictionary check uses the OVAL or OCIL checking system.", status: Checked },
    Req { id: "SRC-118-3", severity: E, source: "3.2.4.2", summary: "A cpe-lang:check-fact-ref uses the OVAL or OCIL checking system.", status: Checked },
    Req { id: "SRC-131-1", severity: E, source: "4.5", summary: "XCCDF results are given in a TestResult.", status: NotChecked(RESULTS_ONLY) },
    Req { id: "SRC-169-1", severity: E, source: "3.2.4.3", summary: "A multi-check security_patches_up_to_date rule references an OVAL component with patch definitions.", status: Checked },
    Req { id: "SRC-169-2", severity: E, source: "3.2.4.3", summary: "A security_patches_up_to_date rule checks with OVAL only.", status: Checked },
    Req { id: "SRC-171-1", severity: E, source: "3.2.4.3", summary: "A multi-check security_patches_up_to_date rule's check-content-ref has no @name.", status: Checked },
    Req { id: "SRC-175-1", severity: E, source: "3.2.4.2", summary: "Every check has at least one check-content-ref.", status: Checked },
    Req { id: "SRC-207-1", severity: W, source: "3.3", summary: "A compliance OVAL definition references a CCE.", status: Checked },
    Req { id: "SRC-208-1", severity: E, source: "3.3", summary: "A compliance OVAL definition extends only compliance or inventory definitions.", status: Checked },
    Req { id: "SRC-209-1", severity: W, source: "3.3", summary: "An inventory OVAL definition references a well-formed CPE name.", status: Checked },
    Req { id: "SRC-210-1", severity: E, source: "3.3", summary: "An inventory OVAL definition extends only inventory definitions.", status: Checked },
    Req { id: "SRC-211-1", severity: W, source: "3.3", summary: "A patch OVAL definition may reference a CVE.", status: NotChecked("relaxed to MAY in SCAP Schematron 1.1: there is nothing to enforce") },
    Req { id: "SRC-213-1", severity: E, source: "3.3", summary: "A patch OVAL definition extends only patch or inventory definitions.", status: Checked },
    Req { id: "SRC-214-1", severity: W, source: "3.3", summary: "A vulnerability OVAL definition references a CVE.", status: Checked },
    Req { id: "SRC-215-1", severity: E, source: "3.3", summary: "A vulnerability OVAL definition extends only inventory or vulnerability definitions.", status: Checked },
    Req { id: "SRC-216-1", severity: E, source: "4.1", summary: "OVAL content declares an approved core schema version (5.3 to 5.11.2).", status: Checked },
    Req { id: "SRC-216-2", severity: E, source: "4.1", summary: "OVAL platform schema versions are approved for SCAP 1.3 (5.11.1 or 5.11.2 with platform 1.0 to 1.2).", status: Checked },
    Req { id: "SRC-236-1", severity: W, source: "5.1", summary: "A CONFIGURATION data stream has a checklist that is an XCCDF Benchmark.", status: Checked },
    Req { id: "SRC-236-2", severity: E, source: "5.1", summary: "In a CONFIGURATION data stream, a Rule whose checks name local content references an OVAL compliance or patch definition or an OCIL questionnaire.", status: Checked },
    Req { id: "SRC-242-1", severity: W, source: "5.2", summary: "A VULNERABILITY data stream has a checklist that is an XCCDF Benchmark.", status: Checked },
    Req { id: "SRC-242-2", severity: E, source: "5.2", summary: "In a VULNERABILITY data stream, every Rule references an OVAL vulnerability or patch definition or an OCIL questionnaire.", status: Checked },
    Req { id: "SRC-248-1", severity: W, source: "5.3", summary: "An INVENTORY data stream has a checklist that is an XCCDF Benchmark.", status: Checked },
    Req { id: "SRC-248-2", severity: E, source: "5.3", summary: "In an INVENTORY data stream, every Rule references an OVAL inventory definition or an OCIL questionnaire.", status: Checked },
    Req { id: "SRC-251-1", severity: W, source: "3.2.4.1", summary: "A Rule has an ident that is a CVE, CCE or CPE.", status: Checked },
    Req { id: "SRC-251-2", severity: E, source: "3.2.4.1", summary: "A Rule's CVE, CCE or CPE ident matches the identifiers in the OVAL definitions it references.", status: CheckedAs("reported when the referenced OVAL definition carries identifiers of the same system and none of them is the rule's; a definition that carries none of that system is not a contradiction (SSG's definitions carry no CCEs)") },
    Req { id: "SRC-257-1", severity: E, source: "3.2.4.1", summary: "CVE, CCE and CPE idents come before other idents.", status: Checked },
    Req { id: "SRC-262-1", severity: W, source: "5.1", summary: "A CONFIGURATION benchmark has at least one rule checked by an OVAL compliance definition or an OCIL questionnaire.", status: Checked },
    Req { id: "SRC-263-1", severity: E, source: "5.1", summary: "Every OVAL and OCIL component the XCCDF benchmark references is in the source data stream.", status: CheckedAs("an OVAL or OCIL check-content-ref whose href resolves to no component of the data stream (the SRC-31-1 warning) is this error, since such a rule can only ever be notchecked; NIST lists the same statement as SRC-263 for CONFIGURATION (5.1) and SRC-266 for VULNERABILITY (5.2), so a VULNERABILITY data stream reports SRC-266-1 and every other SRC-263-1") },
    Req { id: "SRC-265-1", severity: E, source: "5.2", summary: "A VULNERABILITY benchmark has at least one rule checked by an OVAL vulnerability definition or an OCIL questionnaire.", status: Checked },
    Req { id: "SRC-266-1", severity: E, source: "5.2", summary: "Every OVAL and OCIL component the XCCDF benchmark of a VULNERABILITY data stream references is in the source data stream.", status: CheckedAs("as SRC-263-1, for VULNERABILITY data streams") },
    Req { id: "SRC-276-1", severity: E, source: "3.2.5", summary: "Values use no source, complex-value, complex-default or complex-choice.", status: Checked },
    Req { id: "SRC-282-1", severity: E, source: "3.11", summary: "A signature signs one data stream only.", status: Checked },
    Req { id: "SRC-284-1", severity: E, source: "3.11", summary: "A signature carries a Manifest in an Object.", status: Checked },
    Req { id: "SRC-284-2", severity: E, source: "3.11", summary: "The Manifest references every local component the signed data stream uses.", status: Checked },
    Req { id: "SRC-285-1", severity: E, source: "3.11", summary: "A signature carries SignatureProperties with a tmsad:signature-info.", status: Checked },
    Req { id: "SRC-286-1", severity: E, source: "3.11", summary: "The first signature reference is `#` + the signed data stream's id.", status: Checked },
    Req { id: "SRC-287-1", severity: E, source: "3.11", summary: "The second signature reference is `#` + the SignatureProperties' Id.", status: Checked },
    Req { id: "SRC-288-1", severity: E, source: "3.11", summary: "The third signature reference is `#` + the Manifest's Id.", status: Checked },
    Req { id: "SRC-290-1", severity: W, source: "3.11", summary: "A signature carries KeyInfo.", status: Checked },
    Req { id: "SRC-314-1", severity: E, source: "4.8", summary: "In a signed result, the second reference is to the SignatureProperties.", status: NotChecked(RESULTS_ONLY) },
    Req { id: "SRC-324-1", severity: E, source: "5.1", summary: "A data stream's @use-case is CONFIGURATION, VULNERABILITY, INVENTORY or OTHER.", status: Checked },
    Req { id: "SRC-329-1", severity: E, source: "3.1.2", summary: "The collection validates against the source data stream schema.", status: CheckedAs("the XSD layer; findings on the collection outside its components carry this ID") },
    Req { id: "SRC-330-1", severity: E, source: "3.1.2", summary: "The collection validates against the Schematron of its @schematron-version.", status: CheckedAs("the requirement layer is scapc's native version of that Schematron (1.2 and 1.3)") },
    Req { id: "SRC-330-2", severity: E, source: "3.1.2", summary: "SCAP 1.3 content declares schematron-version 1.3.", status: CheckedAs("a collection whose data streams say scap-version 1.3 must declare schematron-version 1.3") },
    Req { id: "SRC-330-3", severity: E, source: "3.1.2", summary: "Each component validates against its own Schematron.", status: CheckedAs("the XCCDF 1.2 and OVAL 5.11 Schematron rules listed below (XCCDF-*, OVAL-*) are checked natively; the per-test-type OVAL platform rules are covered by the schemas") },
    Req { id: "SRC-331-1", severity: E, source: "3.2.4.1", summary: "A Rule with a CCE ident references only compliance OVAL definitions.", status: Checked },
    Req { id: "SRC-331-2", severity: E, source: "3.2.4.1", summary: "A Rule with a CVE ident references only vulnerability OVAL definitions.", status: Checked },
    Req { id: "SRC-331-3", severity: E, source: "3.2.4.1", summary: "A Rule with a CPE ident references only inventory OVAL definitions.", status: Checked },
    Req { id: "SRC-333-1", severity: E, source: "3.1.2", summary: "A data stream references each component at most once.", status: Checked },
    Req { id: "SRC-334-1", severity: E, source: "3.1.2", summary: "Every component validates against its component schema.", status: CheckedAs("the XSD layer validates each component against its own schema; findings carry A-10-1 as in SCAPVal") },
    Req { id: "SRC-339-1", severity: E, source: "3.2.1", summary: "XCCDF content uses no XInclude.", status: Checked },
    Req { id: "SRC-341-1", severity: W, source: "3.2.2", summary: "The Benchmark version carries @update.", status: Checked },
    Req { id: "SRC-343-1", severity: E, source: "3.2.3", summary: "Profiles use no set-complex-value.", status: Checked },
    Req { id: "SRC-345-1", severity: W, source: "3.2.4.2", summary: "An OVAL check's check-content-ref points at an OVAL component.", status: Checked },
    Req { id: "SRC-346-1", severity: E, source: "3.2.4.2", summary: "An OVAL check-content-ref @name names a definition in that component.", status: Checked },
    Req { id: "SRC-348-1", severity: E, source: "3.2.4.2", summary: "An OCIL check's check-content-ref points at an OCIL component.", status: Checked },
    Req { id: "SRC-349-1", severity: E, source: "3.2.4.2", summary: "An OCIL check-content-ref @name names a questionnaire in that component.", status: Checked },
    Req { id: "SRC-377-1", severity: E, source: "3.2.4.3", summary: "A single-check security_patches_up_to_date rule references exactly one patch definition.", status: Checked },
    Req { id: "SRC-379-1", severity: E, source: "3.2.4.3", summary: "A single-check security_patches_up_to_date rule's check-content-ref has a @name.", status: Checked },
    Req { id: "A-10-1", severity: E, source: "SCAPVal", summary: "The document (or component) validates against its XML schema.", status: Checked },
    Req { id: "A-15-1", severity: W, source: "SCAPVal", summary: "Every OVAL definition is used by a rule, a CPE item or another definition.", status: Checked },
    Req { id: "A-16-1", severity: W, source: "SCAPVal", summary: "A CCE ident or reference is not empty.", status: Checked },
    Req { id: "A-17-1", severity: E, source: "SCAPVal", summary: "A CCE has the form CCE-<digits>-<check digit> and its check digit is right (Luhn).", status: Checked },
    Req { id: "A-18-1", severity: E, source: "SCAPVal", summary: "A SCAP 1.1 check-system-content holds the content its @content-type says.", status: Checked },
    Req { id: "A-21-1", severity: N, source: "SCAPVal", summary: "The OVAL test type is one the SCAP Validation Program tests.", status: NotChecked("needs NIST's list of validated test types, which is not published with the requirements") },
    Req { id: "A-22-1", severity: N, source: "SCAPVal", summary: "A custom XPath function the Schematron needs is available.", status: NotChecked("SCAPVal-internal: scapc's checks are native and need no XPath extension functions") },
    Req { id: "A-23-1", severity: W, source: "SCAPVal", summary: "Elements are in namespaces governed by SCAP specifications.", status: Checked },
    Req { id: "A-25-1", severity: E, source: "SCAPVal", summary: "Profile ids are unique in the collection.", status: Checked },
    Req { id: "A-26-1", severity: W, source: "SCAPVal", summary: "A Rule states @selected, @weight, @role and @severity explicitly.", status: Checked },
    Req { id: "A-27-1", severity: E, source: "SCAPVal", summary: "A cpe-lang:check-fact-ref's @href resolves to a component and its @id-ref names a definition there.", status: Checked },
    // scapc's checks from the XCCDF 1.2 and OVAL 5.11 Schematron.
    Req { id: "XCCDF-1", severity: E, source: "XCCDF 1.2 Schematron", summary: "Every idref in a Benchmark (select, refine-rule, refine-value, set-value, check-export, sub, requires, conflicts, extends, platform `#id`) names an item of the right kind that exists.", status: Checked },
    Req { id: "XCCDF-2", severity: E, source: "XCCDF 1.2 Schematron", summary: "Item ids (Rule, Group, Value, Profile) are unique in a Benchmark.", status: Checked },
    Req { id: "XCCDF-3", severity: E, source: "XCCDF 1.2 Schematron", summary: "A Value has at most one value, default, choices, lower-bound, upper-bound and match per selector.", status: Checked },
    Req { id: "XCCDF-4", severity: E, source: "XCCDF 1.2 Schematron", summary: "A Value's values agree with its @type (number, boolean) and lie within its bounds.", status: Checked },
    Req { id: "XCCDF-5", severity: E, source: "XCCDF 1.2 Schematron", summary: "A refine-value @selector names a selector that the Value has.", status: Checked },
    Req { id: "XCCDF-6", severity: E, source: "XCCDF 1.2 Schematron", summary: "extends chains of Profiles, Groups, Rules and Values have no cycle.", status: Checked },
    Req { id: "XCCDF-7", severity: W, source: "XCCDF 1.2 Schematron", summary: "A Rule with several checks has one without a @selector (the default).", status: Checked },
    Req { id: "XCCDF-8", severity: E, source: "XCCDF 1.2 Schematron", summary: "A platform @idref is a CPE name (`cpe:/` or `cpe:2.3:`) or `#` + a CPE-AL platform id.", status: Checked },
    Req { id: "OVAL-1", severity: E, source: "OVAL 5.11 Schematron", summary: "A test's object and states are of the test's own type (`x_test` uses `x_object` and `x_state` of the same namespace).", status: Checked },
    Req { id: "OVAL-2", severity: E, source: "OVAL 5.11 Schematron", summary: "extend_definition chains have no cycle.", status: Checked },
    Req { id: "OVAL-3", severity: E, source: "OVAL 5.11 Schematron", summary: "Every reference (definition_ref, test_ref, object_ref, state_ref, var_ref, filter, set object_reference) names an item that exists.", status: Checked },
    Req { id: "OVAL-4", severity: W, source: "OVAL 5.11 Schematron", summary: "An entity that takes its value from a variable has the variable's datatype.", status: Checked },
];

pub fn find(id: &str) -> Option<&'static Req> {
    REQUIREMENTS.iter().find(|r| r.id == id)
}

/// docs/requirements.md.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Requirements checked by `scapc validate`\n\n\
         <!-- Generated from validator/src/reqs/catalog.rs by `cargo test -p scapc-validator`; do not edit. -->\n\n\
         Every SP 800-126r3 requirement for source content that NIST's SCAPVal list marks as\n\
         checkable (SCHEMATRON or APPLICATION), and scapc's own checks from the XCCDF 1.2 and\n\
         OVAL 5.11 Schematron. Severity: `error` for SHALL/MUST, `warning` for SHOULD,\n\
         `note` for informational. Ignore one with `--ignore ID`.\n\n\
         | ID | severity | from | requirement | checked |\n|---|---|---|---|---|\n",
    );
    let mut checked = 0;
    for r in REQUIREMENTS {
        let status = match r.status {
            Status::Checked => {
                checked += 1;
                "yes".to_owned()
            }
            Status::CheckedAs(how) => {
                checked += 1;
                format!("yes: {how}")
            }
            Status::NotChecked(why) => format!("**no**: {why}"),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.id,
            r.severity.as_str(),
            r.source,
            r.summary.replace('|', "\\|"),
            status
        ));
    }
    s.push_str(&format!("\n{checked} of {} checked.\n", REQUIREMENTS.len()));
    s.push_str(
        "\n## Other codes\n\n\
         | code | meaning |\n|---|---|\n\
         | `io` | the file cannot be read (exit code 2) |\n\
         | `xml` | not well-formed XML, not UTF-8, empty, or refused: a document type declaration with declarations or an external subset, or elements nested deeper than 10,000 levels |\n\
         | `unknown-document` | well-formed XML whose root element is no SCAP document type |\n\
         | `data-stream` | a data stream the shared reader refuses, as `ds split`, `ds info`, `verify` and `eval` do: duplicate component ids, a component-ref or catalog uri that points at nothing, a component with no or several elements, no data stream |\n\
         | `schemas-not-found` | the XSD layer has no schema directory (`--schemas`, `$SCAPC_SCHEMAS`, `/usr/share/openscap/schemas`) |\n\
         | `schema-unavailable` | a schema file exists but libxml2 cannot load it |\n\n\
         Schema findings inside a data stream component, and in standalone documents, carry A-10-1;\n\
         on the data stream collection itself, SRC-329-1. A data stream's components are validated\n\
         against the schemas the data stream schema imports (SCAP 1.3: OVAL 5.11.3; SCAP 1.2: OVAL\n\
         5.11.1); a standalone OVAL document against the version it declares.\n",
    );
    s
}
