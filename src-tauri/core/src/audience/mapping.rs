//! Which column of a file feeds which field of a contact: the mapping the import
//! wizard edits, saved as a preset by name and read from JSON files.
//!
//! A mapping names columns by their header text, so a preset fits the next
//! month's export even when its columns moved. Columns it does not name are not
//! imported.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::headers::RESERVED_NAMES;
use crate::Language;

/// What a column feeds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Required, exactly one.
    Phone,
    FirstName,
    LastName,
    /// The language the person reads (`ru`, `en_US`).
    Locale,
    /// An IANA name or a UTC offset.
    TimeZone,
    /// The country for numbers written without a country code (two letters).
    Country,
    /// When the person opted in (in an opt-out import: when they opted out).
    ConsentAt,
    /// How they opted in (a form, a shop); the file name when absent.
    ConsentSource,
    /// Which categories they agreed to (`marketing`, `utility`).
    ConsentCategories,
    /// A reference for the grant (a form id, the checkbox's words).
    ConsentEvidence,
    /// A yes/no column: did they opt in.
    ConsentGiven,
    /// Tags, several in a cell split on `,` `;` `|`; several columns allowed.
    Tags,
    /// Any other value, stored under `name` and usable as a template variable.
    Attribute {
        name: String,
    },
    /// Not imported.
    Ignore,
}

impl Target {
    /// Fields a contact has one of: at most one column each.
    fn is_single(&self) -> bool {
        !matches!(
            self,
            Target::Tags | Target::Ignore | Target::Attribute { .. }
        )
    }

    /// The field's name as the JSON shorthand writes it.
    pub fn key(&self) -> String {
        match self {
            Target::Phone => "phone".into(),
            Target::FirstName => "first_name".into(),
            Target::LastName => "last_name".into(),
            Target::Locale => "locale".into(),
            Target::TimeZone => "time_zone".into(),
            Target::Country => "country".into(),
            Target::ConsentAt => "consent_at".into(),
            Target::ConsentSource => "consent_source".into(),
            Target::ConsentCategories => "consent_categories".into(),
            Target::ConsentEvidence => "consent_evidence".into(),
            Target::ConsentGiven => "consent_given".into(),
            Target::Tags => "tags".into(),
            Target::Attribute { name } => format!("attribute:{name}"),
            Target::Ignore => "ignore".into(),
        }
    }

    fn from_key(key: &str) -> Option<Target> {
        Some(match key.trim() {
            "phone" => Target::Phone,
            "first_name" => Target::FirstName,
            "last_name" => Target::LastName,
            "locale" => Target::Locale,
            "time_zone" => Target::TimeZone,
            "country" => Target::Country,
            "consent_at" => Target::ConsentAt,
            "consent_source" => Target::ConsentSource,
            "consent_categories" => Target::ConsentCategories,
            "consent_evidence" => Target::ConsentEvidence,
            "consent_given" => Target::ConsentGiven,
            "tags" => Target::Tags,
            "ignore" => Target::Ignore,
            other => Target::Attribute {
                name: other.strip_prefix("attribute:")?.trim().to_owned(),
            },
        })
    }
}

/// One column and what it feeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ColumnRule {
    /// The column's name as the file's header gives it (`#3` in a file without
    /// a header).
    pub column: String,
    pub target: Target,
}

/// The columns of a file and what each feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ColumnMapping {
    pub columns: Vec<ColumnRule>,
}

/// Why a mapping cannot be used on a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MappingProblem {
    /// No column feeds the phone.
    NoPhone { columns: Vec<String> },
    /// The mapping names a column the file does not have.
    MissingColumn {
        column: String,
        columns: Vec<String>,
    },
    /// Two columns feed a field a contact has one of.
    SameTarget {
        target: String,
        columns: Vec<String>,
    },
    /// One column is named twice.
    SameColumn { column: String },
    /// An attribute name that is not a template variable name, or is a field's.
    BadAttributeName { name: String },
    /// Two columns feed the same attribute.
    SameAttribute { name: String },
    /// The JSON is neither shape a mapping file may take.
    NotAMapping { detail: String },
}

impl MappingProblem {
    pub fn message(&self, language: Language) -> String {
        use Language::{En, Ru};
        match (self, language) {
            (MappingProblem::NoPhone { columns }, En) => format!(
                "no column is mapped to the phone: choose the one holding the numbers (the file's columns: {})",
                columns.join(", ")
            ),
            (MappingProblem::NoPhone { columns }, Ru) => format!(
                "ни один столбец не выбран как телефон: укажите столбец с номерами (столбцы файла: {})",
                columns.join(", ")
            ),
            (MappingProblem::MissingColumn { column, columns }, En) => format!(
                "the mapping uses the column {column:?}, which this file does not have (its columns: {})",
                columns.join(", ")
            ),
            (MappingProblem::MissingColumn { column, columns }, Ru) => format!(
                "в сопоставлении есть столбец «{column}», которого нет в файле (столбцы файла: {})",
                columns.join(", ")
            ),
            (MappingProblem::SameTarget { target, columns }, En) => format!(
                "the columns {} all feed {target}: a contact has one, choose one column",
                columns.join(", ")
            ),
            (MappingProblem::SameTarget { target, columns }, Ru) => format!(
                "столбцы {} все заполняют поле {target}: оно у контакта одно, выберите один столбец",
                columns.join(", ")
            ),
            (MappingProblem::SameColumn { column }, En) => {
                format!("the column {column:?} is mapped twice")
            }
            (MappingProblem::SameColumn { column }, Ru) => {
                format!("столбец «{column}» сопоставлен дважды")
            }
            (MappingProblem::BadAttributeName { name }, En) => format!(
                "{name:?} cannot name an attribute: use lower-case Latin letters, digits and _, starting with a letter, and not a contact field's name"
            ),
            (MappingProblem::BadAttributeName { name }, Ru) => format!(
                "«{name}» не подходит как имя атрибута: используйте строчные латинские буквы, цифры и _, начиная с буквы, и не имя поля контакта"
            ),
            (MappingProblem::SameAttribute { name }, En) => {
                format!("two columns feed the attribute {name:?}")
            }
            (MappingProblem::SameAttribute { name }, Ru) => {
                format!("два столбца заполняют атрибут «{name}»")
            }
            (MappingProblem::NotAMapping { detail }, En) => {
                format!("this is not a column mapping: {detail}")
            }
            (MappingProblem::NotAMapping { detail }, Ru) => {
                format!("это не сопоставление столбцов: {detail}")
            }
        }
    }
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Language::En))
    }
}

/// Where each field comes from, by column position, for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedMapping {
    pub phone: usize,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub locale: Option<usize>,
    pub time_zone: Option<usize>,
    pub country: Option<usize>,
    pub consent_at: Option<usize>,
    pub consent_source: Option<usize>,
    pub consent_categories: Option<usize>,
    pub consent_evidence: Option<usize>,
    pub consent_given: Option<usize>,
    pub tags: Vec<usize>,
    /// Sorted by name.
    pub attributes: Vec<(String, usize)>,
}

/// Whether `name` can be an attribute: `[a-z][a-z0-9_]*`, at most 64, not a field.
pub fn valid_attribute_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED_NAMES.contains(&name)
}

impl ColumnMapping {
    /// Places this mapping on a file with `columns`.
    pub fn resolve(&self, columns: &[String]) -> Result<ResolvedMapping, MappingProblem> {
        let mut resolved = ResolvedMapping::default();
        let mut phone = None;
        let mut used: Vec<usize> = Vec::new();
        let mut singles: Vec<(Target, String)> = Vec::new();
        for rule in &self.columns {
            if rule.target == Target::Ignore {
                continue;
            }
            let index = columns
                .iter()
                .position(|c| c == &rule.column)
                .ok_or_else(|| MappingProblem::MissingColumn {
                    column: rule.column.clone(),
                    columns: columns.to_vec(),
                })?;
            if used.contains(&index) {
                return Err(MappingProblem::SameColumn {
                    column: rule.column.clone(),
                });
            }
            used.push(index);
            if rule.target.is_single() {
                if let Some((_, first)) = singles.iter().find(|(t, _)| *t == rule.target) {
                    return Err(MappingProblem::SameTarget {
                        target: rule.target.key(),
                        columns: vec![first.clone(), rule.column.clone()],
                    });
                }
                singles.push((rule.target.clone(), rule.column.clone()));
            }
            let slot = match &rule.target {
                Target::Phone => {
                    phone = Some(index);
                    continue;
                }
                Target::FirstName => &mut resolved.first_name,
                Target::LastName => &mut resolved.last_name,
                Target::Locale => &mut resolved.locale,
                Target::TimeZone => &mut resolved.time_zone,
                Target::Country => &mut resolved.country,
                Target::ConsentAt => &mut resolved.consent_at,
                Target::ConsentSource => &mut resolved.consent_source,
                Target::ConsentCategories => &mut resolved.consent_categories,
                Target::ConsentEvidence => &mut resolved.consent_evidence,
                Target::ConsentGiven => &mut resolved.consent_given,
                Target::Tags => {
                    resolved.tags.push(index);
                    continue;
                }
                Target::Attribute { name } => {
                    if !valid_attribute_name(name) {
                        return Err(MappingProblem::BadAttributeName { name: name.clone() });
                    }
                    if resolved.attributes.iter().any(|(n, _)| n == name) {
                        return Err(MappingProblem::SameAttribute { name: name.clone() });
                    }
                    resolved.attributes.push((name.clone(), index));
                    continue;
                }
                Target::Ignore => continue,
            };
            *slot = Some(index);
        }
        resolved.phone = phone.ok_or_else(|| MappingProblem::NoPhone {
            columns: columns.to_vec(),
        })?;
        resolved.attributes.sort();
        Ok(resolved)
    }

    /// Reads a mapping file: either this type's own JSON (`{"columns": [{"column":
    /// "Телефон", "target": {"kind": "phone"}}]}`) or the shorthand
    /// `{"Телефон": "phone", "Город": "attribute:city", "Заметки": "ignore"}`.
    pub fn from_json(text: &str) -> Result<ColumnMapping, MappingProblem> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| MappingProblem::NotAMapping {
                detail: e.to_string(),
            })?;
        if value.get("columns").is_some_and(|c| c.is_array()) {
            return serde_json::from_value(value).map_err(|e| MappingProblem::NotAMapping {
                detail: e.to_string(),
            });
        }
        let object = value
            .as_object()
            .ok_or_else(|| MappingProblem::NotAMapping {
                detail: "expected a JSON object".into(),
            })?;
        let mut columns = Vec::with_capacity(object.len());
        for (column, target) in object {
            let key = target.as_str().ok_or_else(|| MappingProblem::NotAMapping {
                detail: format!("the value for {column:?} must be a field name such as \"phone\""),
            })?;
            let target = Target::from_key(key).ok_or_else(|| MappingProblem::NotAMapping {
                detail: format!(
                    "{key:?} is not a field: use phone, first_name, last_name, locale, time_zone, country, consent_at, consent_source, consent_categories, consent_evidence, consent_given, tags, ignore or attribute:<name>"
                ),
            })?;
            columns.push(ColumnRule {
                column: column.clone(),
                target,
            });
        }
        Ok(ColumnMapping { columns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn rule(column: &str, target: Target) -> ColumnRule {
        ColumnRule {
            column: column.into(),
            target,
        }
    }

    #[test]
    fn a_mapping_resolves_by_column_name_wherever_the_column_is() {
        let mapping = ColumnMapping {
            columns: vec![
                rule("Телефон", Target::Phone),
                rule(
                    "Город",
                    Target::Attribute {
                        name: "city".into(),
                    },
                ),
                rule("Теги", Target::Tags),
            ],
        };
        let resolved = mapping
            .resolve(&columns(&["Город", "Лишний", "Теги", "Телефон"]))
            .expect("every named column exists");
        assert_eq!(resolved.phone, 3);
        assert_eq!(resolved.attributes, [("city".to_owned(), 0)]);
        assert_eq!(resolved.tags, [2]);
    }

    #[test]
    fn unusable_mappings_say_why() {
        let file = columns(&["Телефон", "Имя", "Mobile"]);
        let cases = [
            (
                vec![rule("Имя", Target::FirstName)],
                MappingProblem::NoPhone {
                    columns: file.clone(),
                },
            ),
            (
                vec![rule("Phone", Target::Phone)],
                MappingProblem::MissingColumn {
                    column: "Phone".into(),
                    columns: file.clone(),
                },
            ),
            (
                vec![
                    rule("Телефон", Target::Phone),
                    rule("Mobile", Target::Phone),
                ],
                MappingProblem::SameTarget {
                    target: "phone".into(),
                    columns: vec!["Телефон".into(), "Mobile".into()],
                },
            ),
            (
                vec![
                    rule("Телефон", Target::Phone),
                    rule("Телефон", Target::Tags),
                ],
                MappingProblem::SameColumn {
                    column: "Телефон".into(),
                },
            ),
            (
                vec![
                    rule("Телефон", Target::Phone),
                    rule(
                        "Имя",
                        Target::Attribute {
                            name: "Имя".into()
                        },
                    ),
                ],
                MappingProblem::BadAttributeName {
                    name: "Имя".into()
                },
            ),
            (
                vec![
                    rule("Телефон", Target::Phone),
                    rule(
                        "Имя",
                        Target::Attribute {
                            name: "first_name".into(),
                        },
                    ),
                ],
                MappingProblem::BadAttributeName {
                    name: "first_name".into(),
                },
            ),
        ];
        for (rules, expected) in cases {
            assert_eq!(
                ColumnMapping { columns: rules }.resolve(&file),
                Err(expected.clone()),
                "{expected}"
            );
        }
    }

    #[test]
    fn both_json_shapes_read() {
        let full = r#"{"columns":[{"column":"Телефон","target":{"kind":"phone"}},{"column":"Город","target":{"kind":"attribute","name":"city"}}]}"#;
        let short = r#"{"Телефон": "phone", "Город": "attribute:city"}"#;
        let file = columns(&["Город", "Телефон"]);
        let a = ColumnMapping::from_json(full).expect("the full shape");
        let b = ColumnMapping::from_json(short).expect("the shorthand");
        assert_eq!(
            a.resolve(&file),
            b.resolve(&file),
            "both shapes say the same (only the order of the rules may differ)"
        );
        assert!(matches!(
            ColumnMapping::from_json(r#"{"Телефон": "telephone"}"#),
            Err(MappingProblem::NotAMapping { .. })
        ));
        assert!(matches!(
            ColumnMapping::from_json("[1,2]"),
            Err(MappingProblem::NotAMapping { .. })
        ));
    }
}
