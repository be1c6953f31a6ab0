-- Accounts, passkeys, invitations, sessions and WebAuthn ceremonies (SQLite).
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'supervisor', 'client')),
    display_name TEXT NOT NULL,
    anti_phishing_phrase TEXT NOT NULL,
    webauthn_handle TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_sign_in_at INTEGER
);

CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    credential_id TEXT NOT NULL UNIQUE,
    passkey_json TEXT NOT NULL,
    name TEXT NOT NULL,
    sign_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys(user_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('setup', 'invitation', 'recovery')),
    role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'supervisor', 'client')),
    inviter_id TEXT REFERENCES users(id),
    recovery_user_id TEXT REFERENCES users(id),
    label TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    redeemed_at INTEGER,
    redeemed_by TEXT REFERENCES users(id),
    revoked_at INTEGER
);
CREATE INDEX invitations_by_inviter ON invitations(inviter_id);

CREATE TABLE care_relationships (
    clinician_id TEXT NOT NULL REFERENCES users(id),
    client_id TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (clinician_id, client_id)
);
CREATE INDEX care_by_client ON care_relationships(client_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    reauth_at INTEGER
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state_json TEXT NOT NULL,
    context_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
