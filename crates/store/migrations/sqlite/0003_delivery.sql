-- The delivery service (SQLite): devices and their MLS key packages, conversations with an
-- ordered message log per conversation, welcomes for added devices, encrypted blobs.
-- Everything here is ciphertext or public key material; no private key is ever stored.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    signature_key BLOB NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER,
    -- The audit-log leaf (DeviceAdded) that registered the key: key transparency.
    log_index INTEGER NOT NULL
);
CREATE INDEX devices_by_user ON devices(user_id);

CREATE TABLE key_packages (
    kp_ref BLOB PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    data BLOB NOT NULL,
    last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
    created_at INTEGER NOT NULL,
    -- Set when handed out; kept for a while so welcomes can be routed by reference.
    claimed_at INTEGER
);
CREATE INDEX key_packages_by_device ON key_packages(device_id, last_resort, claimed_at);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES devices(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members(user_id);

-- A device sees the messages with from_seq < seq <= removed_seq (no upper bound while a member).
CREATE TABLE conversation_devices (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    from_seq INTEGER NOT NULL,
    removed_seq INTEGER,
    acked_seq INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, device_id)
);
CREATE INDEX conversation_devices_by_device ON conversation_devices(device_id);

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    sender_device TEXT NOT NULL REFERENCES devices(id),
    kind TEXT NOT NULL CHECK (kind IN ('application', 'commit')),
    epoch INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE welcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL REFERENCES devices(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX welcomes_by_device ON welcomes(device_id, id);

CREATE TABLE blobs (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    uploader_device TEXT NOT NULL REFERENCES devices(id),
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX blobs_by_conversation ON blobs(conversation_id);
