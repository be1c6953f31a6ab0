-- Safety numbers a person confirmed in a conversation (SQLite): the digits they compared, which
-- the server checked against the conversation's current devices when it recorded them. The
-- secureness checklist counts a verification only while it still matches those devices.
CREATE TABLE safety_verifications (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    safety_number TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX safety_verifications_user ON safety_verifications (user_id);

-- The kind of device each person last signed in from ("Chrome on Android, phone"): coarse, from
-- the browser's User-Agent, for the secureness checklist. No address, no version, no identifier.
CREATE TABLE sign_in_devices (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    kind TEXT NOT NULL,
    signed_in_at INTEGER NOT NULL
);
