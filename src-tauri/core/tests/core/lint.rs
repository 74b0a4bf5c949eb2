//! The linter through the crate's public API, against the corpus in
//! `tests/lint_corpus/`: each file holds a template in the core model's JSON shape,
//! what it is about, and the exact set of rules it must break (with the default
//! settings and no speller). Adding a file adds a case.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cadence_core::Language;
use cadence_core::lint::{self, Finding, LintContext, LintSettings, Severity};
use cadence_core::template::Template;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Why the template breaks (or keeps) the rules it does.
    about: String,
    template: Template,
    expected: BTreeSet<String>,
}

fn corpus() -> Vec<(PathBuf, Case)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("the corpus folder {} must exist: {e}", folder.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
            let case: Case = serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!(
                    "{} must be a corpus case (about, template, expected): {e}",
                    path.display()
                )
            });
            (path, case)
        })
        .collect()
}

fn lint_in(template: &Template, language: Language) -> Vec<Finding> {
    let settings = LintSettings::default();
    lint::lint(
        template,
        &LintContext {
            settings: &settings,
            language,
            speller: None,
        },
    )
}

#[test]
fn the_corpus_breaks_exactly_the_expected_rules() {
    let cases = corpus();
    assert!(
        cases.len() >= 40,
        "the corpus holds at least 40 templates, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for (path, case) in &cases {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        for language in Language::ALL {
            let findings = lint_in(&case.template, language);
            let found: BTreeSet<String> = findings.iter().map(|f| f.rule.clone()).collect();
            if found != case.expected {
                failures.push(format!(
                    "{name:?} ({}), messages in {language}: expected {:?}, found {:?}\n{findings:#?}",
                    case.about, case.expected, found
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "each corpus template must break exactly the rules its file lists:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_corpus_exercises_most_rules_and_names_only_known_ones() {
    let cases = corpus();
    let expected: BTreeSet<&str> = cases
        .iter()
        .flat_map(|(_, case)| case.expected.iter().map(String::as_str))
        .collect();
    for rule in &expected {
        assert!(
            lint::rule(rule).is_some(),
            "{rule}: a corpus file may only expect rules from the catalogue"
        );
    }
    let untested: Vec<&str> = lint::rules()
        .iter()
        .map(|rule| rule.id)
        .filter(|id| !expected.contains(id))
        .collect();
    assert!(
        untested.len() <= 5,
        "the corpus should cover nearly every rule (the unit tests cover all); not covered: {untested:?}"
    );
}

#[test]
fn findings_are_sorted_and_their_severity_matches_the_catalogue() {
    for (path, case) in corpus() {
        let findings = lint_in(&case.template, Language::Ru);
        for pair in findings.windows(2) {
            assert!(
                (pair[0].severity, &pair[0].field, pair[0].span.start)
                    <= (pair[1].severity, &pair[1].field, pair[1].span.start),
                "{}: errors first, then by field and position",
                path.display()
            );
        }
        for finding in &findings {
            let info = lint::rule(&finding.rule).expect("every finding's rule is catalogued");
            assert_eq!(
                finding.severity,
                info.severity,
                "{}: {} keeps its catalogue severity",
                path.display(),
                finding.rule
            );
        }
    }
}

#[test]
fn a_template_without_errors_can_be_rendered_from_its_examples() {
    for (path, case) in corpus() {
        let blocking = lint_in(&case.template, Language::En)
            .into_iter()
            .any(|f| f.severity == Severity::Error);
        if blocking {
            continue;
        }
        let rendered = case.template.render(&case.template.example_values());
        assert!(
            rendered.as_ref().is_ok_and(|r| !r.body.contains("{{")),
            "{}: a template the linter lets through has an example for every variable, so the preview fills them all: {rendered:?}",
            path.display()
        );
    }
}

#[test]
fn the_catalogue_tells_metas_rules_from_the_channels() {
    let rules = lint::rules();
    let meta: Vec<&str> = rules
        .iter()
        .filter(|r| r.meta_rejects)
        .map(|r| r.id)
        .collect();
    for id in [
        "body-variable-at-start",
        "body-too-long",
        "buttons-too-many",
        "example-missing",
    ] {
        assert!(meta.contains(&id), "{id} is one of Meta's review rules");
    }
    for id in [
        "emoji-count",
        "opt-out-missing",
        "negative-context",
        "spelling",
    ] {
        assert!(
            !meta.contains(&id),
            "{id} is the channel's rule: Meta's review does not check it"
        );
    }
    assert!(
        rules
            .iter()
            .all(|r| !r.summary(Language::En).is_empty() && !r.summary(Language::Ru).is_empty()),
        "the app documents every rule in both languages"
    );
}
