-- The workspace this database belongs to. One database per workspace, so this
-- table holds exactly one row (id = 1).
CREATE TABLE workspace (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    -- cadence_core::WorkspaceMode
    mode        TEXT    NOT NULL CHECK (mode IN ('sandbox', 'live')),
    -- cadence_core::Language chosen in Settings; NULL follows the OS locale.
    ui_language TEXT             CHECK (ui_language IN ('en', 'ru')),
    -- RFC 3339, UTC.
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
