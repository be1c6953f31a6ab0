-- The tamper-evident audit log (PostgreSQL): leaves, cached perfect-subtree hashes, signed checkpoints.
CREATE TABLE audit_leaves (
    idx BIGINT PRIMARY KEY,
    data BYTEA NOT NULL,
    leaf_hash BYTEA NOT NULL,
    subject_id TEXT,
    actor_id TEXT,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_leaves_by_subject ON audit_leaves(subject_id, idx);
CREATE INDEX audit_leaves_by_actor ON audit_leaves(actor_id, idx);

CREATE TABLE audit_nodes (
    level BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row: the number of leaves. Appends update it first, which serialises them.
CREATE TABLE audit_head (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);
