-- Informed consent (SQLite): published consent documents (immutable, identified by the SHA-256
-- of their text), clients' signed acceptances, the protections their shared-device answers set,
-- and the clinician's "discussed in session" marks on the secureness checklist.
CREATE TABLE consent_documents (
    hash TEXT PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    questions_json TEXT NOT NULL,
    text TEXT NOT NULL,
    published_by TEXT REFERENCES users(id),
    published_at INTEGER NOT NULL
);

-- Versions are immutable: the database itself refuses to change or remove one.
CREATE TRIGGER consent_documents_immutable_update BEFORE UPDATE ON consent_documents
BEGIN
    SELECT RAISE(ABORT, 'consent documents are immutable');
END;
CREATE TRIGGER consent_documents_immutable_delete BEFORE DELETE ON consent_documents
BEGIN
    SELECT RAISE(ABORT, 'consent documents are immutable');
END;

CREATE TABLE consent_records (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    document_hash TEXT NOT NULL REFERENCES consent_documents(hash),
    answers_json TEXT NOT NULL,
    others_use_device INTEGER NOT NULL CHECK (others_use_device IN (0, 1)),
    device_is_mine INTEGER NOT NULL CHECK (device_is_mine IN (0, 1)),
    statement_hash TEXT NOT NULL,
    challenge TEXT NOT NULL,
    nonce TEXT NOT NULL,
    passkey_id TEXT NOT NULL REFERENCES passkeys(id),
    assertion_json TEXT NOT NULL,
    accepted_at INTEGER NOT NULL
);
CREATE INDEX consent_records_by_user ON consent_records(user_id, accepted_at);

CREATE TABLE client_protections (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    others_use_device INTEGER NOT NULL CHECK (others_use_device IN (0, 1)),
    device_is_mine INTEGER NOT NULL CHECK (device_is_mine IN (0, 1)),
    idle_timeout_secs INTEGER NOT NULL,
    discreet_mode INTEGER NOT NULL CHECK (discreet_mode IN (0, 1)),
    local_history INTEGER NOT NULL CHECK (local_history IN (0, 1)),
    updated_at INTEGER NOT NULL
);

CREATE TABLE checklist_discussions (
    client_id TEXT NOT NULL REFERENCES users(id),
    item TEXT NOT NULL,
    clinician_id TEXT NOT NULL REFERENCES users(id),
    discussed_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, item)
);
