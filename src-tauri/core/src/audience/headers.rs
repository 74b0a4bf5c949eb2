//! Column names as Russian and English spreadsheets and CRMs write them, and what
//! each most likely holds; attribute names made from the rest.

use super::mapping::{ColumnMapping, ColumnRule, Target};

/// Lower case, `ё` as `е`, letters and digits only: «Моб. телефон» → «мобтелефон».
fn normalise(header: &str) -> String {
    header
        .to_lowercase()
        .replace('ё', "е")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// What a column name says its column holds, when it says.
pub fn recognise(header: &str) -> Option<Target> {
    let key = normalise(header);
    let is = |names: &[&str]| names.contains(&key.as_str());
    Some(
        if is(&[
            "телефон",
            "тел",
            "номертелефона",
            "номер",
            "мобильный",
            "мобильныйтелефон",
            "мобтелефон",
            "моб",
            "мобтел",
            "сотовый",
            "сотовыйтелефон",
            "контактныйтелефон",
            "телефонмобильный",
            "телефонклиента",
            "номерwhatsapp",
            "ватсап",
            "вотсап",
            "phone",
            "phonenumber",
            "phoneno",
            "mobile",
            "mobilephone",
            "mobilenumber",
            "mobileno",
            "cell",
            "cellphone",
            "cellular",
            "msisdn",
            "tel",
            "telephone",
            "whatsapp",
            "whatsappnumber",
            "number",
            "contactphone",
        ]) {
            Target::Phone
        } else if is(&[
            "имя",
            "имяклиента",
            "firstname",
            "first",
            "givenname",
            "name",
            "forename",
        ]) {
            Target::FirstName
        } else if is(&["фамилия", "lastname", "last", "surname", "familyname"]) {
            Target::LastName
        } else if is(&[
            "язык",
            "локаль",
            "locale",
            "language",
            "lang",
            "languagecode",
        ]) {
            Target::Locale
        } else if is(&[
            "часовойпояс",
            "пояс",
            "таймзона",
            "timezone",
            "tz",
            "zone",
            "utcoffset",
        ]) {
            Target::TimeZone
        } else if is(&["страна", "кодстраны", "country", "countrycode"]) {
            Target::Country
        } else if is(&[
            "датасогласия",
            "согласиеот",
            "датаподписки",
            "времясогласия",
            "датаотписки",
            "optinat",
            "optindate",
            "optedinat",
            "consentdate",
            "consentat",
            "consentedat",
            "subscribedat",
            "subscriptiondate",
            "optoutdate",
            "optedoutat",
            "unsubscribedat",
        ]) {
            Target::ConsentAt
        } else if is(&[
            "источник",
            "источниксогласия",
            "каналподписки",
            "source",
            "consentsource",
            "optinsource",
        ]) {
            Target::ConsentSource
        } else if is(&[
            "категории",
            "категориисогласия",
            "категориирассылок",
            "типрассылки",
            "categories",
            "consentcategories",
            "category",
        ]) {
            Target::ConsentCategories
        } else if is(&[
            "основание",
            "подтверждение",
            "доказательство",
            "evidence",
            "consentevidence",
            "proof",
            "consenttext",
        ]) {
            Target::ConsentEvidence
        } else if is(&[
            "согласие",
            "согласиенарассылку",
            "согласиенарекламу",
            "подписка",
            "подписан",
            "consent",
            "optin",
            "optedin",
            "subscribed",
            "marketingconsent",
        ]) {
            Target::ConsentGiven
        } else if is(&[
            "теги",
            "тег",
            "метки",
            "метка",
            "tags",
            "tag",
            "labels",
            "label",
        ]) {
            Target::Tags
        } else {
            return None;
        },
    )
}

/// Attribute names for common columns that are not contact fields.
fn known_attribute(key: &str) -> Option<&'static str> {
    Some(match key {
        "город" | "city" => "city",
        "email" | "почта" | "электроннаяпочта" | "емейл" | "mail" => {
            "email"
        }
        "компания" | "организация" | "company" | "organization" => "company",
        "датарождения" | "деньрождения" | "birthday" | "dateofbirth" => {
            "birthday"
        }
        "пол" | "gender" | "sex" => "gender",
        "отчество" | "middlename" | "patronymic" => "middle_name",
        "фио" | "fullname" => "full_name",
        "должность" | "position" | "jobtitle" => "position",
        "адрес" | "address" => "address",
        "менеджер" | "manager" => "manager",
        _ => return None,
    })
}

/// Names a contact's fields already use: an attribute may not shadow them.
pub const RESERVED_NAMES: [&str; 9] = [
    "phone",
    "first_name",
    "last_name",
    "locale",
    "time_zone",
    "country",
    "tags",
    "consent",
    "attributes",
];

/// An attribute name for a column: lower-case Latin letters, digits and `_`,
/// starting with a letter (what a named template variable can be called);
/// Cyrillic is transliterated («Город доставки» → `gorod_dostavki`).
pub fn attribute_name(header: &str, position: usize) -> String {
    if let Some(known) = known_attribute(&normalise(header)) {
        return known.to_owned();
    }
    let mut slug = String::with_capacity(header.len());
    for c in header.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            _ => match crate::translit::latin(c) {
                Some(latin) => slug.push_str(latin),
                None => {
                    if !slug.ends_with('_') {
                        slug.push('_');
                    }
                }
            },
        }
    }
    let slug = slug.trim_matches('_');
    let mut name = if slug.is_empty() {
        format!("column_{}", position + 1)
    } else if slug.starts_with(|c: char| c.is_ascii_digit()) {
        format!("column_{slug}")
    } else {
        slug.to_owned()
    };
    name.truncate(64);
    if RESERVED_NAMES.contains(&name.as_str()) {
        name.push_str("_2");
    }
    name
}

/// A mapping for a file's columns: each recognised name to its field (the first
/// column wins a field; a later one with the same meaning becomes an attribute),
/// every other column to an attribute. When no name says "phone", the first
/// column whose sample values are mostly phone numbers is the phone.
pub fn suggest(columns: &[String], sample: &[Vec<String>]) -> ColumnMapping {
    let mut rules: Vec<ColumnRule> = Vec::with_capacity(columns.len());
    let mut taken: Vec<Target> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let target = match recognise(column) {
            Some(target) if target == Target::Tags || !taken.contains(&target) => target,
            _ => {
                let base = attribute_name(column, i);
                let mut name = base.clone();
                let mut n = 1;
                while names.contains(&name) {
                    n += 1;
                    name = format!("{base}_{n}");
                }
                names.push(name.clone());
                Target::Attribute { name }
            }
        };
        taken.push(target.clone());
        rules.push(ColumnRule {
            column: column.clone(),
            target,
        });
    }
    if !taken.contains(&Target::Phone) {
        let phone_column = (0..columns.len()).find(|&i| {
            let values: Vec<&str> = sample
                .iter()
                .filter_map(|row| row.get(i))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            !values.is_empty()
                && values
                    .iter()
                    .filter(|v| crate::csvread::sniff::looks_like_phone(v))
                    .count()
                    * 2
                    > values.len()
        });
        if let Some(i) = phone_column {
            rules[i].target = Target::Phone;
        }
    }
    ColumnMapping { columns: rules }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_and_english_names_are_recognised() {
        let cases = [
            ("Телефон", Target::Phone),
            ("Моб. телефон", Target::Phone),
            ("Mobile", Target::Phone),
            ("Phone number", Target::Phone),
            ("Имя", Target::FirstName),
            ("First name", Target::FirstName),
            ("Фамилия", Target::LastName),
            ("Часовой пояс", Target::TimeZone),
            ("Time zone", Target::TimeZone),
            ("Страна", Target::Country),
            ("Дата согласия", Target::ConsentAt),
            ("Opted in at", Target::ConsentAt),
            ("Источник", Target::ConsentSource),
            ("Категории", Target::ConsentCategories),
            ("Согласие", Target::ConsentGiven),
            ("Теги", Target::Tags),
            ("Язык", Target::Locale),
        ];
        for (header, expected) in cases {
            assert_eq!(recognise(header), Some(expected), "{header:?}");
        }
        assert_eq!(
            recognise("Город"),
            None,
            "a city is an attribute, not a field"
        );
    }

    #[test]
    fn attribute_names_are_template_variable_names() {
        assert_eq!(attribute_name("Город", 0), "city");
        assert_eq!(attribute_name("Город доставки", 0), "gorod_dostavki");
        assert_eq!(
            attribute_name("Loyalty level (2024)", 0),
            "loyalty_level_2024"
        );
        assert_eq!(attribute_name("2024 orders", 0), "column_2024_orders");
        assert_eq!(attribute_name("★", 4), "column_5");
    }

    #[test]
    fn suggestions_cover_every_column() {
        let columns: Vec<String> = ["Телефон", "Имя", "Телефон (2)", "Город", "Любимый цвет"]
            .map(String::from)
            .to_vec();
        let mapping = suggest(&columns, &[]);
        let targets: Vec<Target> = mapping.columns.iter().map(|r| r.target.clone()).collect();
        assert_eq!(
            targets,
            [
                Target::Phone,
                Target::FirstName,
                Target::Attribute {
                    name: "telefon_2".into()
                },
                Target::Attribute {
                    name: "city".into()
                },
                Target::Attribute {
                    name: "lyubimyy_tsvet".into()
                },
            ]
        );
    }

    #[test]
    fn without_names_the_phone_is_found_by_its_values() {
        let columns: Vec<String> = ["#1", "#2"].map(String::from).to_vec();
        let sample = vec![
            vec!["Иван".to_owned(), "8 (912) 345-67-89".to_owned()],
            vec!["Мария".to_owned(), "+79161234567".to_owned()],
        ];
        let mapping = suggest(&columns, &sample);
        assert_eq!(mapping.columns[1].target, Target::Phone);
    }
}
