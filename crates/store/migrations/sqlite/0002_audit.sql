-- The tamper-evident audit log (SQLite): leaves, cached perfect-subtree hashes, signed checkpoints.
CREATE TABLE audit_leaves (
    idx INTEGER PRIMARY KEY,
    data BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    subject_id TEXT,
    actor_id TEXT,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX audit_leaves_by_subject ON audit_leaves(subject_id, idx);
CREATE INDEX audit_leaves_by_actor ON audit_leaves(actor_id, idx);

CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row: the number of leaves. Appends update it first, which serialises them.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);
