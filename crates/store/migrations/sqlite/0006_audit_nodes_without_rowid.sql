-- Subtree hashes in a WITHOUT ROWID table: the hash lives in the primary key's B-tree, so a
-- range of nodes is one index scan instead of an index scan plus a table lookup per node, and
-- each node is stored once instead of in the table and again in its primary key index.
CREATE TABLE audit_nodes_clustered (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
INSERT INTO audit_nodes_clustered (level, idx, hash) SELECT level, idx, hash FROM audit_nodes;
DROP TABLE audit_nodes;
ALTER TABLE audit_nodes_clustered RENAME TO audit_nodes;
