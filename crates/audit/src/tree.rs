//! Stored perfect subtrees, appending, and root/proof generation from them.
//!
//! The log persists the hash of every *complete perfect subtree*: node
//! `(level, index)` covers leaves `[index·2^level, (index+1)·2^level)`, and
//! level 0 holds the leaf hashes. Appending a leaf creates one level-0 node
//! and then one node per level while the new node is a right child, so each
//! append writes two rows on average. Any range of leaves that is a node of
//! some RFC 9162 tree splits into at most 64 such stored subtrees, so a root,
//! an inclusion proof or a consistency proof needs O(log n) reads.
//!
//! The database layer implements [`HashStore`] directly, or asks
//! [`root_nodes`], [`inclusion_proof_nodes`] or [`consistency_proof_nodes`]
//! which nodes it will need, fetches them in one query into a [`NodeMap`],
//! and passes that map.

use std::collections::HashMap;

use crate::hash::{empty_root, node_hash, Hash};

/// The address of a complete perfect subtree: `level` 0 is a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree; it covers `2^level` leaves. At most 63.
    pub level: u8,
    /// Position among the subtrees of this level, counted from the left.
    pub index: u64,
}

impl NodeId {
    /// A node by level and index.
    pub const fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// The leaf node for leaf `index`.
    pub const fn leaf(index: u64) -> Self {
        NodeId { level: 0, index }
    }

    /// The first leaf this subtree covers (saturates for out-of-range ids).
    pub fn first_leaf(&self) -> u64 {
        self.index
            .checked_shl(u32::from(self.level))
            .unwrap_or(u64::MAX)
    }
}

/// Read access to the stored perfect-subtree hashes of a log.
///
/// Synchronous on purpose: an asynchronous database layer fetches the ids
/// listed by the `*_nodes` functions first and hands over a [`NodeMap`].
pub trait HashStore {
    /// The stored hash of a complete perfect subtree, or `None` when absent.
    fn node(&self, id: NodeId) -> Option<Hash>;
}

impl<S: HashStore + ?Sized> HashStore for &S {
    fn node(&self, id: NodeId) -> Option<Hash> {
        (**self).node(id)
    }
}

/// Prefetched nodes, keyed by id: what a database query returns.
pub type NodeMap = HashMap<NodeId, Hash>;

impl HashStore for NodeMap {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.get(&id).copied()
    }
}

/// Why a root or proof could not be produced from the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// The leaf index is not below the tree size.
    #[error("leaf {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf.
        index: u64,
        /// The requested tree size.
        size: u64,
    },
    /// A consistency proof was requested from a larger to a smaller tree.
    #[error("tree size {size1} is larger than tree size {size2}")]
    SizesOutOfOrder {
        /// The older tree size.
        size1: u64,
        /// The newer tree size.
        size2: u64,
    },
    /// The store lacks a node the computation needs (the size is beyond
    /// what is stored, or the store is damaged).
    #[error("stored node at level {} index {} is missing", .0.level, .0.index)]
    MissingNode(NodeId),
}

/// Largest power of two strictly below `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Calls `f` with the perfect subtrees that cover `[start, end)`, left to
/// right, each as large as alignment allows.
fn for_each_subtree(mut start: u64, end: u64, mut f: impl FnMut(NodeId)) {
    while start < end {
        let remaining = end - start;
        let fit = 63 - remaining.leading_zeros();
        let align = if start == 0 {
            63
        } else {
            start.trailing_zeros()
        };
        let level = fit.min(align);
        // `level` ≤ 63, and start + 2^level ≤ end, so neither overflows.
        f(NodeId::new(level as u8, start >> level));
        start += 1u64 << level;
    }
}

/// The perfect subtrees covering leaves `[start, end)`, left to right.
pub fn range_nodes(start: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    for_each_subtree(start, end, |id| out.push(id));
    out
}

/// The nodes that appending leaves `[start, end)` completes, as one inclusive index range per
/// level, lowest level first: `(level, first_index, last_index)`. A node at `level` with
/// `index` completes with leaf `(index + 1) · 2^level − 1`.
///
/// A verifier that reads the log in pages uses this to fetch just the stored nodes each page
/// of leaves should produce, instead of holding every node in memory.
pub fn nodes_completed_by(start: u64, end: u64) -> Vec<(u8, u64, u64)> {
    let mut out = Vec::new();
    if start >= end {
        return out;
    }
    for level in 0u32..64 {
        // Counts of level-`level` nodes complete after `start` and after `end` leaves.
        let before = start >> level;
        let after = end >> level;
        if after > before {
            out.push((level as u8, before, after - 1));
        }
        if after == 0 {
            break;
        }
    }
    out
}

/// Hash of the tree node covering leaves `[start, end)`: the right fold of
/// its perfect subtrees. Equals the RFC 9162 MTH for every node of a tree.
fn range_hash<S: HashStore + ?Sized>(store: &S, start: u64, end: u64) -> Result<Hash, TreeError> {
    let mut parts: Vec<Hash> = Vec::with_capacity(8);
    let mut missing = None;
    for_each_subtree(start, end, |id| {
        if missing.is_some() {
            return;
        }
        match store.node(id) {
            Some(h) => parts.push(h),
            None => missing = Some(id),
        }
    });
    if let Some(id) = missing {
        return Err(TreeError::MissingNode(id));
    }
    let mut iter = parts.iter().rev();
    let Some(last) = iter.next() else {
        return Ok(empty_root());
    };
    Ok(iter.fold(*last, |acc, left| node_hash(left, &acc)))
}

/// Walks the ranges whose hashes form the inclusion proof of leaf `index`
/// in a tree of `size` (RFC 9162 §2.1.3.1), root to leaf: the reverse of
/// proof order.
fn walk_inclusion(index: u64, size: u64, mut f: impl FnMut(u64, u64)) -> Result<(), TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            f(lo + k, hi);
            hi = lo + k;
        } else {
            f(lo, lo + k);
            lo += k;
        }
    }
    Ok(())
}

/// Walks the ranges whose hashes form the consistency proof from `size1` to
/// `size2` (RFC 9162 §2.1.4.1), root first: the reverse of proof order.
/// Nothing when the sizes are equal or `size1` is 0.
fn walk_consistency(size1: u64, size2: u64, mut f: impl FnMut(u64, u64)) -> Result<(), TreeError> {
    if size1 > size2 {
        return Err(TreeError::SizesOutOfOrder { size1, size2 });
    }
    if size1 == 0 || size1 == size2 {
        return Ok(());
    }
    let (mut lo, mut hi) = (0u64, size2);
    // False once the path has left the subtree that `size1` fills exactly
    // from the left, i.e. once the old root is no longer a node here.
    let mut whole = true;
    loop {
        let m = size1 - lo;
        if m == hi - lo {
            if !whole {
                f(lo, hi);
            }
            return Ok(());
        }
        let k = split_point(hi - lo);
        if m <= k {
            f(lo + k, hi);
            hi = lo + k;
        } else {
            f(lo, lo + k);
            lo += k;
            whole = false;
        }
    }
}

fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    let mut out = Vec::with_capacity(64);
    walk_inclusion(index, size, |a, b| out.push((a, b)))?;
    out.reverse();
    Ok(out)
}

fn consistency_ranges(size1: u64, size2: u64) -> Result<Vec<(u64, u64)>, TreeError> {
    let mut out = Vec::with_capacity(64);
    walk_consistency(size1, size2, |a, b| out.push((a, b)))?;
    out.reverse();
    Ok(out)
}

/// Length of a correct inclusion proof, or `None` when `index >= size`.
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> Option<usize> {
    let mut n = 0usize;
    walk_inclusion(index, size, |_, _| n += 1).ok()?;
    Some(n)
}

/// Length of a correct consistency proof, or `None` when `size1 > size2`.
pub(crate) fn consistency_proof_len(size1: u64, size2: u64) -> Option<usize> {
    let mut n = 0usize;
    walk_consistency(size1, size2, |_, _| n += 1).ok()?;
    Some(n)
}

fn nodes_of(ranges: &[(u64, u64)]) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &(a, b) in ranges {
        for_each_subtree(a, b, |id| out.push(id));
    }
    out
}

fn hashes_of<S: HashStore + ?Sized>(
    store: &S,
    ranges: &[(u64, u64)],
) -> Result<Vec<Hash>, TreeError> {
    ranges
        .iter()
        .map(|&(a, b)| range_hash(store, a, b))
        .collect()
}

/// The stored nodes [`root`] reads for a tree of `size` leaves.
pub fn root_nodes(size: u64) -> Vec<NodeId> {
    range_nodes(0, size)
}

/// The stored nodes [`inclusion_proof`] reads.
pub fn inclusion_proof_nodes(index: u64, size: u64) -> Result<Vec<NodeId>, TreeError> {
    Ok(nodes_of(&inclusion_ranges(index, size)?))
}

/// The stored nodes [`consistency_proof`] reads.
pub fn consistency_proof_nodes(size1: u64, size2: u64) -> Result<Vec<NodeId>, TreeError> {
    Ok(nodes_of(&consistency_ranges(size1, size2)?))
}

/// The root of the first `size` leaves (the empty-tree root for 0).
pub fn root<S: HashStore + ?Sized>(store: &S, size: u64) -> Result<Hash, TreeError> {
    range_hash(store, 0, size)
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `size`.
pub fn inclusion_proof<S: HashStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError> {
    hashes_of(store, &inclusion_ranges(index, size)?)
}

/// The consistency proof from the tree of `size1` to the tree of `size2`.
/// Empty when `size1` is 0 or equals `size2`.
pub fn consistency_proof<S: HashStore + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, TreeError> {
    hashes_of(store, &consistency_ranges(size1, size2)?)
}

/// The right edge of the tree: the roots of the perfect subtrees that make
/// up the current tree, largest first, one per set bit of the size.
///
/// It appends leaves without reading the store and yields the nodes to
/// persist. Resume it after a restart with [`Frontier::from_store`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// Subtree roots, largest (leftmost) first.
    peaks: Vec<Hash>,
}

/// The log is full: it already holds `u64::MAX` leaves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the log cannot grow beyond 2^64 - 1 leaves")]
pub struct LogFull;

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nodes [`Frontier::from_store`] reads for a tree of `size`.
    pub fn nodes(size: u64) -> Vec<NodeId> {
        range_nodes(0, size)
    }

    /// Loads the frontier of the tree of `size` leaves from stored nodes.
    pub fn from_store<S: HashStore + ?Sized>(store: &S, size: u64) -> Result<Self, TreeError> {
        let peaks = Self::nodes(size)
            .into_iter()
            .map(|id| store.node(id).ok_or(TreeError::MissingNode(id)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Frontier { size, peaks })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        match iter.next() {
            None => empty_root(),
            Some(last) => iter.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    /// Appends a leaf by its hash; returns the new nodes to persist: the
    /// leaf itself first, then each completed parent, bottom up.
    pub fn append(&mut self, leaf: Hash) -> Result<Vec<(NodeId, Hash)>, LogFull> {
        let mut out = Vec::with_capacity(2);
        self.append_with(leaf, |id, h| out.push((id, h)))?;
        Ok(out)
    }

    /// Like [`Frontier::append`], handing each new node to `persist`
    /// instead of allocating a vector.
    pub fn append_with(
        &mut self,
        leaf: Hash,
        mut persist: impl FnMut(NodeId, Hash),
    ) -> Result<(), LogFull> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(LogFull)?;
        let mut level = 0u8;
        let mut node_index = index;
        let mut hash = leaf;
        persist(NodeId::new(level, node_index), hash);
        // A right child (odd index) completes its parent with the peak on
        // its left, which is the last peak.
        while node_index & 1 == 1 {
            let Some(left) = self.peaks.pop() else {
                // Unreachable while `peaks` matches `size`'s set bits.
                break;
            };
            hash = node_hash(&left, &hash);
            level += 1;
            node_index >>= 1;
            persist(NodeId::new(level, node_index), hash);
        }
        self.peaks.push(hash);
        self.size = new_size;
        Ok(())
    }
}

/// An in-memory [`HashStore`]: one vector of hashes per level. Used by tests,
/// benchmarks and clients that mirror a small log.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    levels: Vec<Vec<Hash>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores a node. Nodes of a level must arrive in index order (as
    /// [`Frontier::append`] produces them); others are ignored and reported
    /// as `false`. Rewriting an existing node replaces it (tests use this to
    /// simulate tampering).
    pub fn insert(&mut self, id: NodeId, hash: Hash) -> bool {
        let level = usize::from(id.level);
        while self.levels.len() <= level {
            self.levels.push(Vec::new());
        }
        let Some(row) = self.levels.get_mut(level) else {
            return false;
        };
        let Ok(index) = usize::try_from(id.index) else {
            return false;
        };
        if index < row.len() {
            row[index] = hash;
            true
        } else if index == row.len() {
            row.push(hash);
            true
        } else {
            false
        }
    }

    /// Number of stored leaves.
    pub fn leaves(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }
}

impl HashStore for MemoryStore {
    fn node(&self, id: NodeId) -> Option<Hash> {
        let row = self.levels.get(usize::from(id.level))?;
        row.get(usize::try_from(id.index).ok()?).copied()
    }
}

/// A whole log in memory: a [`MemoryStore`] kept up to date by a
/// [`Frontier`].
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    store: MemoryStore,
    frontier: Frontier,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends leaf data; returns its index.
    pub fn push(&mut self, data: &[u8]) -> Result<u64, LogFull> {
        self.push_hash(crate::hash::leaf_hash(data))
    }

    /// Appends a leaf by its hash; returns its index.
    pub fn push_hash(&mut self, leaf: Hash) -> Result<u64, LogFull> {
        let index = self.frontier.size();
        let store = &mut self.store;
        self.frontier.append_with(leaf, |id, h| {
            store.insert(id, h);
        })?;
        Ok(index)
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The stored nodes.
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// The stored nodes, mutably (for tamper tests).
    pub fn store_mut(&mut self) -> &mut MemoryStore {
        &mut self.store
    }

    /// The frontier.
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_below() {
        for (n, k) in [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (u64::MAX, 1 << 63),
        ] {
            assert_eq!(split_point(n), k, "n = {n}");
        }
    }

    #[test]
    fn completed_nodes_match_what_appending_produces() {
        for (start, end) in [(0u64, 1u64), (0, 7), (3, 4), (5, 13), (8, 16), (1000, 5000)] {
            let mut frontier = Frontier::new();
            let mut produced: Vec<(u8, u64)> = Vec::new();
            for i in 0..end {
                let Ok(nodes) = frontier.append(crate::hash::leaf_hash(&i.to_be_bytes())) else {
                    panic!("append refused");
                };
                if i >= start {
                    produced.extend(nodes.iter().map(|(id, _)| (id.level, id.index)));
                }
            }
            let mut listed: Vec<(u8, u64)> = nodes_completed_by(start, end)
                .into_iter()
                .flat_map(|(level, first, last)| (first..=last).map(move |i| (level, i)))
                .collect();
            produced.sort_unstable();
            listed.sort_unstable();
            assert_eq!(listed, produced, "[{start}, {end})");
        }
        assert!(nodes_completed_by(5, 5).is_empty());
        assert_eq!(nodes_completed_by(u64::MAX - 1, u64::MAX).len(), 1);
    }

    #[test]
    fn ranges_split_into_aligned_subtrees() {
        let check = |a: u64, b: u64, want: &[(u8, u64)]| {
            let got: Vec<(u8, u64)> = range_nodes(a, b)
                .iter()
                .map(|n| (n.level, n.index))
                .collect();
            assert_eq!(got, want, "[{a}, {b})");
        };
        check(0, 0, &[]);
        check(0, 1, &[(0, 0)]);
        check(0, 7, &[(2, 0), (1, 2), (0, 6)]);
        check(4, 7, &[(1, 2), (0, 6)]);
        check(3, 9, &[(0, 3), (2, 1), (0, 8)]);
        assert_eq!(range_nodes(0, u64::MAX).len(), 64);
        assert_eq!(range_nodes(1, u64::MAX).len(), 126);
    }

    #[test]
    fn append_writes_two_nodes_per_leaf_on_average() {
        let mut f = Frontier::new();
        let mut written = 0usize;
        for i in 0..1024u64 {
            written += f
                .append(crate::hash::leaf_hash(&i.to_be_bytes()))
                .map(|v| v.len())
                .unwrap_or(0);
        }
        assert_eq!(written, 2047);
    }

    #[test]
    fn hostile_sizes_do_not_panic() {
        assert_eq!(
            inclusion_proof_nodes(u64::MAX, u64::MAX),
            Err(TreeError::IndexOutOfRange {
                index: u64::MAX,
                size: u64::MAX
            })
        );
        assert_eq!(
            inclusion_proof_nodes(u64::MAX - 1, u64::MAX).map(|v| v.len()),
            Ok(63)
        );
        assert_eq!(
            consistency_proof_nodes(u64::MAX - 1, u64::MAX).map(|v| v.is_empty()),
            Ok(false)
        );
        assert_eq!(
            consistency_proof_nodes(2, 1),
            Err(TreeError::SizesOutOfOrder { size1: 2, size2: 1 })
        );
        let empty = MemoryStore::new();
        assert_eq!(
            root(&empty, u64::MAX).map(|_| ()),
            Err(TreeError::MissingNode(NodeId::new(63, 0)))
        );
        assert!(inclusion_proof(&empty, 0, u64::MAX).is_err());
    }
}
