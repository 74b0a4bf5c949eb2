-- The template studio: templates with their current draft, the read-only versions
-- submitted to Meta, every status and quality change, the workspace's lint
-- settings and team dictionary, and where the studio's webhook reading got to.
--
-- Times are RFC 3339 text in UTC with milliseconds ('2026-11-25T10:00:00.000Z'),
-- the shape SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') writes for webhook deliveries,
-- so that every time in this file sorts correctly as text.

-- One template as the author knows it. `draft` is the current text (the JSON of
-- cadence_core::template::Template), saved as the author types; name, language
-- and category are copied out of it on every save so that the list can filter
-- and sort through indexes. The Meta columns describe the version submitted last.
CREATE TABLE template (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    language          TEXT    NOT NULL,
    category          TEXT    NOT NULL
                      CHECK (category IN ('MARKETING', 'UTILITY', 'AUTHENTICATION')),
    draft             TEXT    NOT NULL CHECK (json_valid(draft)),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    -- Hidden from the list (the user can bring it back); Meta is not told.
    archived_at       TEXT,
    -- Deleted by the user after it had been submitted: kept (hidden for good) so
    -- that its history still explains past campaigns and charts. A template that
    -- was never submitted is deleted outright instead.
    deleted_at        TEXT,
    -- 1 for the examples a new sandbox workspace starts with.
    example           INTEGER NOT NULL DEFAULT 0 CHECK (example IN (0, 1)),
    -- Meta's id of the version submitted last (decimal text: ids exceed 2^53).
    meta_template_id  TEXT    CHECK (meta_template_id <> '' AND meta_template_id NOT GLOB '*[^0-9]*'),
    -- store::templates::TemplateStatus: DRAFT until the first submission, then
    -- Meta's status of the version submitted last.
    status            TEXT    NOT NULL DEFAULT 'DRAFT' CHECK (status IN (
                          'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED',
                          'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'ARCHIVED', 'FLAGGED',
                          'LIMIT_EXCEEDED')),
    status_changed_at TEXT,
    -- Meta's quality score; NULL before the first submission.
    quality           TEXT    CHECK (quality IN ('GREEN', 'YELLOW', 'RED', 'UNKNOWN')),
    -- Meta's rejection reason (INVALID_FORMAT, PROMOTIONAL, …) and its explanation,
    -- while the template is rejected.
    rejected_reason   TEXT,
    rejection_detail  TEXT,
    -- The category Meta gave the template when it re-categorised it.
    meta_category     TEXT    CHECK (meta_category IN ('MARKETING', 'UTILITY', 'AUTHENTICATION'))
) STRICT;

CREATE INDEX template_list ON template (deleted_at, archived_at, updated_at);
CREATE INDEX template_name ON template (name, language);
CREATE UNIQUE INDEX template_meta_id ON template (meta_template_id) WHERE meta_template_id IS NOT NULL;

-- Every version submitted to Meta, exactly as submitted. Never modified: a
-- changed draft becomes a new version when it is submitted again.
CREATE TABLE template_version (
    id               INTEGER PRIMARY KEY,
    template_id      INTEGER NOT NULL REFERENCES template (id) ON DELETE CASCADE,
    -- 1, 2, … per template.
    version          INTEGER NOT NULL CHECK (version >= 1),
    -- The JSON of cadence_core::template::Template as submitted.
    content          TEXT    NOT NULL CHECK (json_valid(content)),
    -- The body of POST /{WABA_ID}/message_templates as sent (what Meta reviewed).
    request          TEXT    NOT NULL CHECK (json_valid(request)),
    submitted_at     TEXT    NOT NULL,
    meta_template_id TEXT    NOT NULL CHECK (meta_template_id <> '' AND meta_template_id NOT GLOB '*[^0-9]*'),
    UNIQUE (template_id, version)
) STRICT;

CREATE TRIGGER template_version_read_only
BEFORE UPDATE ON template_version
BEGIN
    SELECT RAISE(ABORT, 'submitted template versions are read-only');
END;

-- Every status change with its time and what told Cadence about it. The Quality
-- and Reports screens chart these: indexed by template and time, and by time.
CREATE TABLE template_status_change (
    id               INTEGER PRIMARY KEY,
    template_id      INTEGER NOT NULL REFERENCES template (id) ON DELETE CASCADE,
    -- The Meta template the change is about (a template's versions have their own).
    meta_template_id TEXT,
    changed_at       TEXT    NOT NULL,
    from_status      TEXT    NOT NULL CHECK (from_status IN (
                         'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED',
                         'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'ARCHIVED', 'FLAGGED',
                         'LIMIT_EXCEEDED')),
    to_status        TEXT    NOT NULL CHECK (to_status IN (
                         'DRAFT', 'PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED',
                         'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'ARCHIVED', 'FLAGGED',
                         'LIMIT_EXCEEDED')),
    -- Meta's reason (a rejection's INVALID_FORMAT, a pause's NONE) and its words.
    reason           TEXT,
    detail           TEXT,
    source           TEXT    NOT NULL
                     CHECK (source IN ('submission', 'webhook', 'refresh', 'deletion')),
    -- The webhook event that reported it (source 'webhook').
    webhook_event_id INTEGER REFERENCES webhook_event (id)
) STRICT;

CREATE INDEX template_status_change_template ON template_status_change (template_id, changed_at);
CREATE INDEX template_status_change_time ON template_status_change (changed_at);

-- Every quality score change, as above.
CREATE TABLE template_quality_change (
    id               INTEGER PRIMARY KEY,
    template_id      INTEGER NOT NULL REFERENCES template (id) ON DELETE CASCADE,
    meta_template_id TEXT,
    changed_at       TEXT    NOT NULL,
    -- NULL for the first score a template gets.
    from_quality     TEXT    CHECK (from_quality IN ('GREEN', 'YELLOW', 'RED', 'UNKNOWN')),
    to_quality       TEXT    NOT NULL CHECK (to_quality IN ('GREEN', 'YELLOW', 'RED', 'UNKNOWN')),
    source           TEXT    NOT NULL
                     CHECK (source IN ('submission', 'webhook', 'refresh', 'deletion')),
    webhook_event_id INTEGER REFERENCES webhook_event (id)
) STRICT;

CREATE INDEX template_quality_change_template ON template_quality_change (template_id, changed_at);
CREATE INDEX template_quality_change_time ON template_quality_change (changed_at);

-- The workspace's lint settings: the JSON of cadence_core::lint::LintSettings
-- without its team dictionary (which lives in team_dictionary_word). One row
-- (id = 1), written when the user first saves them; defaults until then.
CREATE TABLE lint_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT    NOT NULL CHECK (json_valid(settings)),
    updated_at TEXT    NOT NULL
) STRICT;

-- Words the team taught the spelling rule. One row per word, so that two authors
-- adding words at once both keep theirs.
CREATE TABLE team_dictionary_word (
    word     TEXT PRIMARY KEY CHECK (length(trim(word)) > 0),
    added_at TEXT NOT NULL
) STRICT;

-- Where the studio got to. One row (id = 1).
CREATE TABLE template_studio_state (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last webhook_event the studio applied to the templates: events after
    -- it are applied at the next look, so none is missed or applied twice.
    applied_event_id   INTEGER NOT NULL DEFAULT 0,
    -- When the studio last read the templates from Meta.
    last_refresh_at    TEXT,
    -- When the sandbox examples were added (they are added once, ever).
    examples_seeded_at TEXT
) STRICT;

INSERT INTO template_studio_state (id) VALUES (1);
