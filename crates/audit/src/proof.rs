//! Verification of inclusion and consistency proofs (RFC 9162 §2.1.3.2, §2.1.4.2).
//!
//! Every function takes the claimed sizes, indices and hashes as received
//! from an untrusted server and returns a precise [`VerifyError`]; all
//! arithmetic is on `u64` with explicit bounds checks, so no size, index or
//! proof length can make them panic or loop for long.

use crate::hash::{empty_root, node_hash, Hash, HashDecodeError};
use crate::tree::{consistency_proof_len, inclusion_proof_len};

/// Which input of a wire-form verification held a malformed hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashField {
    /// The leaf hash.
    Leaf,
    /// The (only, or newer) root.
    Root,
    /// The older root of a consistency proof.
    FirstRoot,
    /// Element `n` of the proof.
    Proof(usize),
}

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The leaf index is not below the tree size.
    #[error("leaf {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The older tree is claimed to be larger than the newer one.
    #[error("tree size {size1} is larger than tree size {size2}")]
    SizesOutOfOrder {
        /// The claimed older size.
        size1: u64,
        /// The claimed newer size.
        size2: u64,
    },
    /// A consistency proof from the empty tree proves nothing and is refused.
    #[error("a consistency proof from the empty tree is meaningless")]
    EmptyFirstTree,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("proof has {actual} hashes, expected {expected}")]
    WrongProofLength {
        /// The number a correct proof has.
        expected: usize,
        /// The number received.
        actual: usize,
    },
    /// The inclusion proof leads to a different root.
    #[error("the proof does not lead to the claimed root")]
    RootMismatch,
    /// The consistency proof does not reproduce the older root.
    #[error("the proof does not reproduce the older root")]
    FirstRootMismatch,
    /// The consistency proof does not reproduce the newer root.
    #[error("the proof does not reproduce the newer root")]
    SecondRootMismatch,
    /// A hash in wire form was not 32 bytes.
    #[error("malformed hash in {field:?}: {error}")]
    MalformedHash {
        /// Which input.
        field: HashField,
        /// What was wrong with it.
        error: HashDecodeError,
    },
}

/// Recomputes the root that an inclusion proof leads to.
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    let expected =
        inclusion_proof_len(index, size).ok_or(VerifyError::IndexOutOfRange { index, size })?;
    if proof.len() != expected {
        return Err(VerifyError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let too_long = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    // RFC 9162 §2.1.3.2 with fn = index and sn = size - 1 (size ≥ 1 here).
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(too_long);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(too_long);
    }
    Ok(r)
}

/// Verifies that `leaf` is leaf `index` of the tree of `size` with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    if root_from_inclusion_proof(leaf, index, size, proof)? == *root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

/// Verifies that the tree of `size1` with `root1` is a prefix of the tree of
/// `size2` with `root2`.
///
/// Equal sizes need an empty proof and equal roots (the empty-tree root when
/// both are 0). A proof from size 0 to a larger size is refused
/// ([`VerifyError::EmptyFirstTree`]): it proves nothing.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), VerifyError> {
    if size1 > size2 {
        return Err(VerifyError::SizesOutOfOrder { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        if size1 == 0 && *root1 != empty_root() {
            return Err(VerifyError::FirstRootMismatch);
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(VerifyError::SecondRootMismatch)
        };
    }
    if size1 == 0 {
        return Err(VerifyError::EmptyFirstTree);
    }
    let expected =
        consistency_proof_len(size1, size2).ok_or(VerifyError::SizesOutOfOrder { size1, size2 })?;
    if proof.len() != expected {
        return Err(VerifyError::WrongProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let too_long = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };

    // RFC 9162 §2.1.4.2. When size1 is a power of two the old root is itself
    // a node of the new tree and the proof omits it.
    let (seed, rest) = if size1.is_power_of_two() {
        (*root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => return Err(too_long),
        }
    };
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (seed, seed);
    for c in rest {
        if snode == 0 {
            return Err(too_long);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(too_long);
    }
    if fr != *root1 {
        return Err(VerifyError::FirstRootMismatch);
    }
    if sr != *root2 {
        return Err(VerifyError::SecondRootMismatch);
    }
    Ok(())
}

fn decode(field: HashField, bytes: &[u8]) -> Result<Hash, VerifyError> {
    Hash::from_slice(bytes).map_err(|error| VerifyError::MalformedHash { field, error })
}

/// Decodes proof elements received as raw bytes.
pub fn decode_proof<B: AsRef<[u8]>>(proof: &[B]) -> Result<Vec<Hash>, VerifyError> {
    proof
        .iter()
        .enumerate()
        .map(|(i, p)| decode(HashField::Proof(i), p.as_ref()))
        .collect()
}

/// [`verify_inclusion`] on hashes in wire form (raw bytes of any length,
/// as decoded from JSON); a hash that is not 32 bytes is rejected.
pub fn verify_inclusion_bytes<B: AsRef<[u8]>>(
    leaf: &[u8],
    index: u64,
    size: u64,
    proof: &[B],
    root: &[u8],
) -> Result<(), VerifyError> {
    let leaf = decode(HashField::Leaf, leaf)?;
    let root = decode(HashField::Root, root)?;
    verify_inclusion(&leaf, index, size, &decode_proof(proof)?, &root)
}

/// [`verify_consistency`] on hashes in wire form.
///
/// As in RFC 9162, for equal non-zero sizes the roots are compared as opaque
/// byte strings and need not be 32 bytes; everywhere else a hash that is not
/// 32 bytes is rejected.
pub fn verify_consistency_bytes<B: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    proof: &[B],
    root1: &[u8],
    root2: &[u8],
) -> Result<(), VerifyError> {
    if size1 == size2 && size1 != 0 {
        if !proof.is_empty() {
            return Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        return if root1 == root2 {
            Ok(())
        } else {
            Err(VerifyError::SecondRootMismatch)
        };
    }
    let root1 = decode(HashField::FirstRoot, root1)?;
    let root2 = decode(HashField::Root, root2)?;
    verify_consistency(size1, size2, &decode_proof(proof)?, &root1, &root2)
}
