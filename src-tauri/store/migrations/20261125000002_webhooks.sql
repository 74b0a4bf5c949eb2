-- Every webhook body Cadence received, exactly as it arrived. Append-only: rows
-- are never updated or deleted, so nothing received is ever lost, not even a
-- body that could not be parsed (it is kept with its parse error).
CREATE TABLE webhook_delivery (
    id          INTEGER PRIMARY KEY,
    -- RFC 3339, UTC.
    received_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- How the body reached Cadence: the webhook receiver, `cadence webhooks
    -- import`, or the in-process sandbox.
    source      TEXT    NOT NULL CHECK (source IN ('receiver', 'import', 'sandbox')),
    -- Hex SHA-256 of the body. Meta retries a delivery with the same body, so
    -- the same delivery twice is stored once and changes nothing.
    body_sha256 TEXT    NOT NULL UNIQUE CHECK (length(body_sha256) = 64),
    body        BLOB    NOT NULL,
    -- 'verified': X-Hub-Signature-256 matched the app secret; 'unchecked': an
    -- import whose user chose to skip the check (the receiver never stores an
    -- unverified body: it answers 401).
    signature   TEXT    NOT NULL CHECK (signature IN ('verified', 'unchecked')),
    -- NULL when the body parsed; the parser's message when it did not.
    parse_error TEXT
) STRICT;

-- The normalized events of each delivery, in the order the body lists them.
CREATE TABLE webhook_event (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_delivery (id),
    ordinal     INTEGER NOT NULL CHECK (ordinal >= 0),
    kind        TEXT    NOT NULL CHECK (kind IN (
                    'message_status', 'inbound_message', 'template_status',
                    'template_quality', 'phone_quality', 'user_preferences', 'unknown',
                    'undecodable')),
    -- The message id (wamid) a status or an inbound message is about.
    wamid       TEXT,
    -- When Meta says it happened (RFC 3339, UTC), where the event carries a time.
    occurred_at TEXT,
    -- The normalized event as JSON (cadence_whatsapp's event types).
    payload     TEXT    NOT NULL CHECK (json_valid(payload)),
    UNIQUE (delivery_id, ordinal)
) STRICT;

-- Statuses and replies are looked up by message id when reconciling sends.
CREATE INDEX webhook_event_wamid ON webhook_event (wamid) WHERE wamid IS NOT NULL;
