//! A generator of realistic contacts: Russian-speaking countries first, then
//! Europe, the Gulf and the US, each with its own number plan, time zones,
//! cities, names (Russian surnames take their feminine form), locale and
//! attributes; consent ledgers with grants, withdrawals and opt-outs; tags.
//!
//! Deterministic under a seed (the same seed and `now` give the same contacts)
//! and quick (generating a million takes seconds; inserting them, with SQLite
//! keeping eight indexes, about a minute), for tests, the example audience of
//! sandbox workspaces and `cadence bench contacts`. Every number is unique by
//! construction (a permutation of a per-country counter), so no set of numbers
//! already drawn needs to be kept.

use std::collections::BTreeMap;

use cadence_sandbox::rng::SeededRng;
use cadence_store::contacts::{ConsentKind, NewConsent, NewContact};

use crate::{Result, Workspace};

/// What to generate besides the contacts themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorOptions {
    pub seed: u64,
    /// The moment the audience is generated: contacts were created during the
    /// two years before it.
    pub now: i64,
    /// Give most contacts a `last_message_at` in the last 90 days (benchmarks
    /// exercise that filter). The example audience has none: nothing was sent.
    pub message_history: bool,
    /// Added to every contact's tags (the example audience's `example`).
    pub extra_tags: Vec<String>,
    /// The `source` of the generated opt-out entries.
    pub suppression_source: String,
}

struct Zone {
    name: &'static str,
    weight: u32,
    cities: &'static [&'static str],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    Russian,
    Kazakh,
    Uzbek,
    Armenian,
    German,
    English,
    Gulf,
}

struct Region {
    country: &'static str,
    weight: u32,
    calling_code: &'static str,
    /// Mobile prefixes after the calling code.
    prefixes: &'static [&'static str],
    /// Digits after the prefix.
    subscriber_digits: u32,
    zones: &'static [Zone],
    names: Names,
    locale: &'static str,
}

const REGIONS: &[Region] = &[
    Region {
        country: "RU",
        weight: 62,
        calling_code: "7",
        prefixes: &[
            "901", "903", "905", "909", "912", "915", "916", "921", "925", "926", "950", "952",
            "960", "977", "985", "999",
        ],
        subscriber_digits: 7,
        zones: &[
            Zone {
                name: "Europe/Moscow",
                weight: 45,
                cities: &["Москва", "Тула", "Ярославль", "Казань", "Нижний Новгород"],
            },
            Zone {
                name: "Asia/Yekaterinburg",
                weight: 12,
                cities: &["Екатеринбург", "Челябинск", "Пермь", "Тюмень"],
            },
            Zone {
                name: "Asia/Novosibirsk",
                weight: 9,
                cities: &["Новосибирск"],
            },
            Zone {
                name: "Europe/Samara",
                weight: 6,
                cities: &["Самара", "Ижевск"],
            },
            Zone {
                name: "Asia/Krasnoyarsk",
                weight: 6,
                cities: &["Красноярск"],
            },
            Zone {
                name: "Asia/Vladivostok",
                weight: 5,
                cities: &["Владивосток", "Хабаровск"],
            },
            Zone {
                name: "Europe/Kaliningrad",
                weight: 4,
                cities: &["Калининград"],
            },
            Zone {
                name: "Asia/Omsk",
                weight: 4,
                cities: &["Омск"],
            },
            Zone {
                name: "Asia/Irkutsk",
                weight: 4,
                cities: &["Иркутск"],
            },
            Zone {
                name: "Europe/Volgograd",
                weight: 5,
                cities: &["Волгоград"],
            },
        ],
        names: Names::Russian,
        locale: "ru",
    },
    Region {
        country: "KZ",
        weight: 6,
        calling_code: "7",
        prefixes: &["701", "705", "707", "747", "777"],
        subscriber_digits: 7,
        zones: &[Zone {
            name: "Asia/Almaty",
            weight: 1,
            cities: &["Алматы", "Астана", "Шымкент"],
        }],
        names: Names::Kazakh,
        locale: "ru",
    },
    Region {
        country: "UZ",
        weight: 3,
        calling_code: "998",
        prefixes: &["90", "91", "93", "94", "97"],
        subscriber_digits: 7,
        zones: &[Zone {
            name: "Asia/Tashkent",
            weight: 1,
            cities: &["Ташкент", "Самарканд"],
        }],
        names: Names::Uzbek,
        locale: "ru",
    },
    Region {
        country: "AM",
        weight: 2,
        calling_code: "374",
        prefixes: &["77", "91", "93", "94", "98", "99"],
        subscriber_digits: 6,
        zones: &[Zone {
            name: "Asia/Yerevan",
            weight: 1,
            cities: &["Ереван"],
        }],
        names: Names::Armenian,
        locale: "ru",
    },
    Region {
        country: "DE",
        weight: 7,
        calling_code: "49",
        prefixes: &["151", "152", "157", "160", "170", "171", "176"],
        subscriber_digits: 7,
        zones: &[Zone {
            name: "Europe/Berlin",
            weight: 1,
            cities: &["Berlin", "München", "Hamburg", "Köln"],
        }],
        names: Names::German,
        locale: "de",
    },
    Region {
        country: "GB",
        weight: 7,
        calling_code: "44",
        prefixes: &["7400", "7500", "7700", "7800", "7900"],
        subscriber_digits: 6,
        zones: &[Zone {
            name: "Europe/London",
            weight: 1,
            cities: &["London", "Manchester", "Leeds", "Bristol"],
        }],
        names: Names::English,
        locale: "en",
    },
    Region {
        country: "AE",
        weight: 5,
        calling_code: "971",
        prefixes: &["50", "52", "54", "55", "56", "58"],
        subscriber_digits: 7,
        zones: &[Zone {
            name: "Asia/Dubai",
            weight: 1,
            cities: &["Dubai", "Abu Dhabi", "Sharjah"],
        }],
        names: Names::Gulf,
        locale: "en",
    },
    Region {
        country: "US",
        weight: 8,
        calling_code: "1",
        prefixes: &["212", "310", "312", "415", "646", "718", "917"],
        subscriber_digits: 7,
        zones: &[
            Zone {
                name: "America/New_York",
                weight: 5,
                cities: &["New York", "Boston"],
            },
            Zone {
                name: "America/Chicago",
                weight: 2,
                cities: &["Chicago"],
            },
            Zone {
                name: "America/Los_Angeles",
                weight: 3,
                cities: &["Los Angeles", "San Francisco"],
            },
        ],
        names: Names::English,
        locale: "en",
    },
];

const RU_MEN: &[&str] = &[
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Иван",
    "Денис",
    "Евгений",
    "Владимир",
    "Павел",
    "Олег",
    "Тимофей",
    "Константин",
];
const RU_WOMEN: &[&str] = &[
    "Анастасия",
    "Мария",
    "Анна",
    "Виктория",
    "Екатерина",
    "Наталья",
    "Марина",
    "Полина",
    "Дарья",
    "Алиса",
    "Ксения",
    "Елена",
    "Ольга",
    "Татьяна",
    "Юлия",
    "Софья",
    "Ирина",
    "Светлана",
];
/// Masculine forms; see [`feminine`].
const RU_SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Белов",
    "Медведев",
    "Жуков",
    "Комаров",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Вишневский",
    "Покровский",
    "Шевченко",
    "Бондаренко",
];
const KZ_MEN: &[&str] = &[
    "Нурлан",
    "Ерлан",
    "Арман",
    "Данияр",
    "Ержан",
    "Азамат",
    "Тимур",
];
const KZ_WOMEN: &[&str] = &[
    "Айгерим",
    "Асель",
    "Дана",
    "Жанна",
    "Алия",
    "Мадина",
    "Камила",
];
const KZ_SURNAMES: &[&str] = &[
    "Ахметов",
    "Нурпеисов",
    "Жумабаев",
    "Касымов",
    "Искаков",
    "Абенов",
    "Сейткалиев",
    "Омаров",
];
const UZ_MEN: &[&str] = &["Шахзод", "Рустам", "Азиз", "Бахтиёр", "Фаррух"];
const UZ_WOMEN: &[&str] = &["Дилноза", "Малика", "Нилуфар", "Гулноза", "Шахноза"];
const UZ_SURNAMES: &[&str] = &[
    "Каримов",
    "Юсупов",
    "Рахимов",
    "Алиев",
    "Хасанов",
    "Турсунов",
];
const AM_MEN: &[&str] = &["Арам", "Давид", "Нарек", "Тигран", "Армен"];
const AM_WOMEN: &[&str] = &["Ани", "Мариам", "Лилит", "Анаит", "Нарине"];
const AM_SURNAMES: &[&str] = &["Саргсян", "Петросян", "Овсепян", "Акопян", "Григорян"];
const DE_FIRST: &[&str] = &[
    "Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Emma", "Mia", "Hannah", "Lena", "Sophie",
    "Marie",
];
const DE_SURNAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schäfer",
];
const EN_FIRST: &[&str] = &[
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "James",
    "Liam",
    "Noah",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Charlotte",
    "Sophia",
];
const EN_SURNAMES: &[&str] = &[
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Johnson",
    "Miller", "Garcia", "Davis", "O'Brien",
];
const GULF_FIRST: &[&str] = &[
    "Ahmed", "Mohammed", "Omar", "Khalid", "Yousef", "Fatima", "Aisha", "Mariam", "Noor", "Layla",
    "Priya", "Rahul",
];
const GULF_SURNAMES: &[&str] = &[
    "Al Mansouri",
    "Al Hashimi",
    "Al Nuaimi",
    "Al Suwaidi",
    "Khan",
    "Sharma",
    "Haddad",
];

const LEVELS_RU: &[&str] = &["базовый", "серебряный", "золотой", "платиновый"];
const LEVELS_EN: &[&str] = &["basic", "silver", "gold", "platinum"];
const PRODUCTS_RU: &[&str] = &[
    "зимняя куртка",
    "кроссовки",
    "рюкзак",
    "термос",
    "плед",
    "садовое кресло",
    "кофемашина",
    "наушники",
];
const PRODUCTS_EN: &[&str] = &[
    "winter jacket",
    "running shoes",
    "backpack",
    "thermos",
    "throw blanket",
    "garden chair",
    "coffee machine",
    "headphones",
];
const PRODUCTS_DE: &[&str] = &[
    "Winterjacke",
    "Laufschuhe",
    "Rucksack",
    "Thermoskanne",
    "Wolldecke",
    "Gartenstuhl",
    "Kaffeemaschine",
    "Kopfhörer",
];

/// Tags and the share of contacts carrying each.
const TAGS: &[(&str, f64)] = &[
    ("newsletter", 0.45),
    ("loyalty", 0.25),
    ("winter-sale", 0.15),
    ("inactive", 0.10),
    ("vip", 0.05),
    ("b2b", 0.03),
];

const DAY: i64 = 86_400;

/// Odd and not a multiple of 5: coprime with every power of ten, so
/// `n ↦ n · MIX mod 10^d` is a permutation of the d-digit numbers.
const MIX: u64 = 2_654_435_761;

/// Generates contacts in batches; see the module comment.
pub struct ContactGenerator {
    options: GeneratorOptions,
    rng: SeededRng,
    /// How many numbers each region has handed out.
    issued: Vec<u64>,
}

fn pick<'a>(rng: &mut SeededRng, items: &[&'a str]) -> &'a str {
    items[rng.index(items.len())]
}

fn weighted<T>(rng: &mut SeededRng, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = rng.between(0, u64::from(total.max(1)) - 1) as u32;
    for (i, item) in items.iter().enumerate() {
        let w = weight(item);
        if roll < w {
            return i;
        }
        roll -= w;
    }
    items.len() - 1
}

/// The feminine form of a Russian (or Kazakh, Uzbek) surname.
fn feminine(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ский") {
        format!("{stem}ская")
    } else if ["ов", "ев", "ёв", "ин"]
        .iter()
        .any(|end| surname.ends_with(end))
    {
        format!("{surname}а")
    } else {
        surname.to_owned()
    }
}

impl ContactGenerator {
    pub fn new(options: GeneratorOptions) -> ContactGenerator {
        ContactGenerator {
            rng: SeededRng::new(options.seed),
            issued: vec![0; REGIONS.len()],
            options,
        }
    }

    /// The next `count` contacts.
    pub fn batch(&mut self, count: usize) -> Vec<NewContact> {
        (0..count).map(|_| self.contact()).collect()
    }

    fn phone(&mut self, region_index: usize) -> String {
        let region = &REGIONS[region_index];
        let n = self.issued[region_index];
        self.issued[region_index] += 1;
        let prefix = region.prefixes[(n % region.prefixes.len() as u64) as usize];
        let space = 10u64.pow(region.subscriber_digits);
        let scrambled = (n / region.prefixes.len() as u64).wrapping_mul(MIX) % space;
        // NANP subscriber numbers cannot start with 0 or 1: use the top 80%.
        let subscriber = if region.calling_code == "1" {
            space / 5 + scrambled % (space - space / 5)
        } else {
            scrambled
        };
        format!(
            "+{}{prefix}{subscriber:0width$}",
            region.calling_code,
            width = region.subscriber_digits as usize
        )
    }

    fn names(&mut self, names: Names) -> (String, String) {
        let woman = self.rng.chance(0.55);
        let rng = &mut self.rng;
        let gendered = |rng: &mut SeededRng, men: &[&str], women: &[&str], surnames: &[&str]| {
            let first = if woman {
                pick(rng, women)
            } else {
                pick(rng, men)
            };
            let last = pick(rng, surnames);
            let last = if woman {
                feminine(last)
            } else {
                last.to_owned()
            };
            (first.to_owned(), last)
        };
        match names {
            Names::Russian => gendered(rng, RU_MEN, RU_WOMEN, RU_SURNAMES),
            Names::Kazakh => gendered(rng, KZ_MEN, KZ_WOMEN, KZ_SURNAMES),
            Names::Uzbek => gendered(rng, UZ_MEN, UZ_WOMEN, UZ_SURNAMES),
            Names::Armenian => gendered(rng, AM_MEN, AM_WOMEN, AM_SURNAMES),
            Names::German => (
                pick(rng, DE_FIRST).to_owned(),
                pick(rng, DE_SURNAMES).to_owned(),
            ),
            Names::English => (
                pick(rng, EN_FIRST).to_owned(),
                pick(rng, EN_SURNAMES).to_owned(),
            ),
            Names::Gulf => (
                pick(rng, GULF_FIRST).to_owned(),
                pick(rng, GULF_SURNAMES).to_owned(),
            ),
        }
    }

    fn contact(&mut self) -> NewContact {
        let region_index = weighted(&mut self.rng, REGIONS, |r| r.weight);
        let region = &REGIONS[region_index];
        let zone = &region.zones[weighted(&mut self.rng, region.zones, |z| z.weight)];
        let phone = self.phone(region_index);
        let (first, last) = self.names(region.names);
        let now = self.options.now;
        let rng = &mut self.rng;
        let created_at = now - rng.between(0, (730 * DAY) as u64) as i64;

        let russian = region.locale == "ru";
        let mut attributes = BTreeMap::new();
        attributes.insert("city".to_owned(), pick(rng, zone.cities).to_owned());
        let level = rng.index(LEVELS_EN.len());
        attributes.insert(
            "loyalty_level".to_owned(),
            if russian {
                LEVELS_RU[level]
            } else {
                LEVELS_EN[level]
            }
            .to_owned(),
        );
        if rng.chance(0.8) {
            let products = match region.locale {
                "ru" => PRODUCTS_RU,
                "de" => PRODUCTS_DE,
                _ => PRODUCTS_EN,
            };
            attributes.insert("last_product".to_owned(), pick(rng, products).to_owned());
        }
        attributes.insert("orders".to_owned(), rng.between(1, 25).to_string());

        let mut tags: Vec<String> = TAGS
            .iter()
            .filter(|(_, share)| rng.chance(*share))
            .map(|(tag, _)| (*tag).to_owned())
            .collect();
        tags.extend(self.options.extra_tags.iter().cloned());

        // 74% granted, 6% granted then withdrawn, 20% never asked.
        let roll = rng.next_f64();
        let mut consent = Vec::new();
        let mut suppression = None;
        if roll < 0.80 {
            let granted_at = (created_at + rng.between(0, 3_600) as i64).min(now);
            let (source, evidence) = match rng.index(4) {
                0 => (
                    "website-form",
                    if russian {
                        "галочка «Получать предложения в WhatsApp» (форма signup-2)"
                    } else {
                        "checkbox “Send me offers on WhatsApp” (form signup-2)"
                    },
                ),
                1 => ("checkout", "order confirmation page, WhatsApp opt-in"),
                2 => ("store-signup", "paper form at the till"),
                _ => ("import:crm-export.csv", "CRM field whatsapp_opt_in = yes"),
            };
            let categories: &[&str] = match rng.index(20) {
                0 => &["utility"],
                1..=4 => &["marketing", "utility"],
                _ => &["marketing"],
            };
            consent.push(NewConsent {
                kind: ConsentKind::Granted,
                occurred_at: granted_at,
                source: source.to_owned(),
                categories: categories.iter().map(|c| (*c).to_owned()).collect(),
                evidence: Some(evidence.to_owned()),
            });
            if roll >= 0.74 {
                let withdrawn_at = granted_at + rng.between(DAY as u64, 200 * DAY as u64) as i64;
                consent.push(NewConsent {
                    kind: ConsentKind::Withdrawn,
                    occurred_at: withdrawn_at.min(now),
                    source: if rng.chance(0.5) {
                        "stop-keyword"
                    } else {
                        "webhook"
                    }
                    .to_owned(),
                    categories: vec!["marketing".to_owned()],
                    evidence: Some(
                        if russian {
                            "ответ «Стоп»"
                        } else {
                            "replied STOP"
                        }
                        .to_owned(),
                    ),
                });
                if rng.chance(0.6) {
                    suppression = Some((
                        "withdrew consent".to_owned(),
                        self.options.suppression_source.clone(),
                    ));
                }
            }
        } else if rng.chance(0.03) {
            suppression = Some((
                "on a do-not-contact list".to_owned(),
                self.options.suppression_source.clone(),
            ));
        }

        let last_message_at = (self.options.message_history && rng.chance(0.55))
            .then(|| now - rng.between(0, (90 * DAY) as u64) as i64)
            .filter(|at| *at > created_at);

        NewContact {
            phone,
            first_name: (!rng.chance(0.03)).then_some(first),
            last_name: (!rng.chance(0.08)).then_some(last),
            locale: (!rng.chance(0.1)).then(|| region.locale.to_owned()),
            time_zone: zone.name.to_owned(),
            time_zone_inferred: rng.chance(0.3),
            country: Some(region.country.to_owned()),
            attributes,
            tags,
            consent,
            suppression,
            created_at,
            last_message_at,
        }
    }
}

/// Contacts generated at a time when filling a workspace (all go into one
/// transaction): memory stays flat whatever the count.
const FILL_BATCH: usize = 20_000;

impl Workspace {
    /// Adds `count` generated contacts (numbers already present are skipped)
    /// in one transaction; `progress` hears the number added so far after
    /// each batch.
    pub async fn add_generated_contacts(
        &self,
        count: usize,
        options: GeneratorOptions,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let now = options.now;
        let mut generator = ContactGenerator::new(options);
        let mut bulk = self.store().begin_bulk_insert().await?;
        let mut added = 0;
        let mut left = count;
        while left > 0 {
            let batch = generator.batch(left.min(FILL_BATCH));
            left -= batch.len();
            added += bulk.insert(&batch, None, now).await?.inserted;
            progress(added);
        }
        bulk.commit().await?;
        super::counts::contacts_changed();
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn options(seed: u64) -> GeneratorOptions {
        GeneratorOptions {
            seed,
            now: 1_764_000_000,
            message_history: true,
            extra_tags: vec![],
            suppression_source: "opt-out list".into(),
        }
    }

    #[test]
    fn numbers_are_unique_and_international() {
        let contacts = ContactGenerator::new(options(1)).batch(50_000);
        let phones: HashSet<&str> = contacts.iter().map(|c| c.phone.as_str()).collect();
        assert_eq!(
            phones.len(),
            contacts.len(),
            "every generated number is unique"
        );
        for contact in &contacts {
            assert!(
                cadence_store::contacts::check_e164(&contact.phone).is_ok(),
                "{} must be E.164",
                contact.phone
            );
        }
    }

    #[test]
    fn nothing_happens_after_now() {
        let options = options(3);
        let now = options.now;
        for contact in ContactGenerator::new(options).batch(20_000) {
            assert!(contact.created_at <= now, "created in the past");
            for event in &contact.consent {
                assert!(
                    event.occurred_at <= now && event.occurred_at >= contact.created_at,
                    "consent is given between signing up and now: {event:?}"
                );
            }
            assert!(
                contact
                    .last_message_at
                    .is_none_or(|at| at <= now && at > contact.created_at),
                "messages go to existing contacts, in the past"
            );
        }
    }

    #[test]
    fn one_seed_gives_one_audience() {
        let a = ContactGenerator::new(options(7)).batch(300);
        let b = ContactGenerator::new(options(7)).batch(300);
        let c = ContactGenerator::new(options(8)).batch(300);
        assert_eq!(a, b, "the same seed and time replay the same contacts");
        assert_ne!(a, c, "another seed gives other contacts");
    }

    #[test]
    fn russian_surnames_agree_with_the_person() {
        assert_eq!(feminine("Иванов"), "Иванова");
        assert_eq!(feminine("Соловьёв"), "Соловьёва");
        assert_eq!(feminine("Вишневский"), "Вишневская");
        assert_eq!(
            feminine("Шевченко"),
            "Шевченко",
            "Ukrainian -ко does not change"
        );
    }
}
