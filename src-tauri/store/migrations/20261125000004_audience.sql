-- The audience: contacts, their consent ledger, the opt-out (suppression) list,
-- saved segments, mapping presets and the record of every import.
--
-- Times are Unix seconds (UTC) so that a million rows sort and compare as
-- integers.

CREATE TABLE contact (
    id                 INTEGER PRIMARY KEY,
    -- E.164, the one identity of a contact: imports match on it.
    phone              TEXT    NOT NULL UNIQUE CHECK (phone GLOB '+[1-9]*'),
    first_name         TEXT,
    last_name          TEXT,
    -- BCP 47 / Meta language code the person reads (ru, en, en_US), when known.
    locale             TEXT,
    -- IANA name (Europe/Moscow). Always set: from the file, else the number's
    -- country when it has one zone, else the workspace default.
    time_zone          TEXT    NOT NULL,
    -- 1 when the zone was not in the file but inferred (country or default).
    time_zone_inferred INTEGER NOT NULL CHECK (time_zone_inferred IN (0, 1)),
    -- ISO 3166-1 alpha-2 of the number's country (RU, US), when the number has one.
    country            TEXT,
    -- Every other mapped column, as a JSON object of strings: usable as template
    -- variables and in segment filters.
    attributes         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    -- Current marketing consent, derived from consent_event (the ledger is the
    -- truth; this column is its latest word, kept so that a million contacts
    -- filter by consent through an index).
    consent            TEXT    NOT NULL DEFAULT 'none'
                       CHECK (consent IN ('granted', 'withdrawn', 'none')),
    -- Comma-separated categories of the current grant (marketing,utility).
    consent_categories TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    -- The last time Cadence sent this contact a message (campaigns fill it).
    last_message_at    INTEGER
) STRICT;

-- The contacts table sorts by one of these indexes and walks it in order
-- (cadence_store::contacts). Each is the sort key, then `id` (the tie-break,
-- so that the index order is exactly the page order), then the three filters
-- people use most (consent, country, time zone): a page walks only the index
-- and never reads a table row to test them, so filter + sort + 100 rows stays
-- within a few index pages even at row 500,000 of a million. The order by
-- phone walks the UNIQUE (phone) index: a second, wider phone index would
-- double the cost of inserting a million contacts (random keys), for the
-- least used order.
CREATE INDEX contact_name ON contact (last_name, first_name, id, consent, country, time_zone);
CREATE INDEX contact_first_name ON contact (first_name);
CREATE INDEX contact_time_zone ON contact (time_zone, id, consent, country);
CREATE INDEX contact_country ON contact (country, id, consent, time_zone);
CREATE INDEX contact_consent ON contact (consent, id, country, time_zone);
CREATE INDEX contact_created ON contact (created_at, id, consent, country, time_zone);
CREATE INDEX contact_last_message ON contact (last_message_at);

-- Tags, one row per (tag, contact): filtering by tag walks the primary key.
CREATE TABLE contact_tag (
    tag        TEXT    NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, contact_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX contact_tag_contact ON contact_tag (contact_id);

-- The consent ledger: every grant and withdrawal, never updated. A contact's
-- current consent is its latest event (by occurred_at, then id). Rows go away
-- only with their contact, when a person asks to be forgotten; the opt-out itself
-- survives in `suppression`.
CREATE TABLE consent_event (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('granted', 'withdrawn')),
    -- When the person granted or withdrew (from the file, a webhook, the UI).
    occurred_at INTEGER NOT NULL,
    -- When Cadence recorded it.
    recorded_at INTEGER NOT NULL,
    -- How: 'import:<file>', 'webhook', 'stop-keyword', 'ui', or the file's source column.
    source      TEXT    NOT NULL,
    -- Comma-separated categories (marketing,utility).
    categories  TEXT    NOT NULL,
    -- Free text or a reference: a form id, a checkbox wording, a message id.
    evidence    TEXT,
    import_id   INTEGER REFERENCES import_run (id)
) STRICT;

CREATE INDEX consent_event_contact ON consent_event (contact_id, occurred_at, id);

CREATE TRIGGER consent_event_append_only
BEFORE UPDATE ON consent_event
BEGIN
    SELECT RAISE(ABORT, 'consent events are append-only');
END;

-- The opt-out list: numbers that must never get marketing, whether or not a
-- contact exists for them (an imported suppression list, or what remains of a
-- forgotten contact who had opted out).
CREATE TABLE suppression (
    phone    TEXT    PRIMARY KEY CHECK (phone GLOB '+[1-9]*'),
    reason   TEXT    NOT NULL,
    source   TEXT    NOT NULL,
    added_at INTEGER NOT NULL
) STRICT;

-- Saved filters. `filter` is the engine's segment filter as JSON.
CREATE TABLE segment (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    filter     TEXT    NOT NULL CHECK (json_valid(filter)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Saved column mappings for the import wizard and `cadence import --mapping`.
CREATE TABLE mapping_preset (
    name       TEXT    PRIMARY KEY,
    mapping    TEXT    NOT NULL CHECK (json_valid(mapping)),
    updated_at INTEGER NOT NULL
) STRICT;

-- One row per import, applied or not, with its report's counts.
CREATE TABLE import_run (
    id                 INTEGER PRIMARY KEY,
    file_name          TEXT    NOT NULL,
    mode               TEXT    NOT NULL CHECK (mode IN ('subscribe', 'opt_out')),
    status             TEXT    NOT NULL
                       CHECK (status IN ('running', 'applied', 'dry_run', 'cancelled', 'failed')),
    -- The options the import ran with (encoding, delimiter, mapping, region) as JSON.
    options            TEXT    NOT NULL CHECK (json_valid(options)),
    started_at         INTEGER NOT NULL,
    finished_at        INTEGER,
    read               INTEGER NOT NULL DEFAULT 0,
    created            INTEGER NOT NULL DEFAULT 0,
    updated            INTEGER NOT NULL DEFAULT 0,
    unchanged          INTEGER NOT NULL DEFAULT 0,
    invalid            INTEGER NOT NULL DEFAULT 0,
    duplicates_in_file INTEGER NOT NULL DEFAULT 0,
    -- What the import found beyond the counts (the file's detected layout, blank
    -- lines passed over, grants not recorded for opted-out numbers) as JSON.
    details            TEXT    CHECK (details IS NULL OR json_valid(details)),
    -- Why a failed import stopped, in words (never a secret: file and SQL errors).
    failure            TEXT
) STRICT;

-- The rejected rows of an import, for its report and the downloadable CSV.
CREATE TABLE import_row_error (
    import_id INTEGER NOT NULL REFERENCES import_run (id) ON DELETE CASCADE,
    -- The line in the file where the record starts (1 = the first line).
    line      INTEGER NOT NULL,
    -- A stable code (invalid_phone, ragged_row, …) and the reason in words.
    code      TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    -- The record as read, truncated to a few hundred characters.
    raw       TEXT    NOT NULL,
    -- The problem as cadence_core::audience::RowProblem JSON, so that the report
    -- can word it in the reader's language (`reason` is the English wording).
    problem   TEXT    CHECK (problem IS NULL OR json_valid(problem)),
    PRIMARY KEY (import_id, line)
) STRICT, WITHOUT ROWID;
