-- How a workspace reaches Meta: the ids and addresses of its WhatsApp Business
-- account. One row (id = 1), written when the user saves Settings → Connection.
-- The access token, app secret and verify token are NOT here: they live in the
-- OS keyring (house rule 9).
CREATE TABLE connection (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    -- Meta's ids are decimal numbers, kept as text (they exceed 2^53).
    waba_id         TEXT    NOT NULL CHECK (waba_id <> '' AND waba_id NOT GLOB '*[^0-9]*'),
    phone_number_id TEXT    NOT NULL CHECK (phone_number_id <> '' AND phone_number_id NOT GLOB '*[^0-9]*'),
    -- The Meta app's id: media header examples are uploaded through it. NULL
    -- until the user enters it (text-only templates do not need it).
    app_id          TEXT             CHECK (app_id <> '' AND app_id NOT GLOB '*[^0-9]*'),
    -- The Graph API version, such as 'v23.0'.
    api_version     TEXT    NOT NULL CHECK (api_version GLOB 'v[0-9]*.[0-9]*'),
    -- Where the webhook receiver listens, such as '127.0.0.1:8787'.
    webhook_listen  TEXT    NOT NULL,
    -- RFC 3339, UTC.
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
