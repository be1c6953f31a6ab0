//! Proof generation against the RFC's recursive definitions, verification
//! of every generated proof, rejection of mutated ones, and hostile sizes.

use alcove_audit::{
    consistency_proof, consistency_proof_nodes, empty_root, inclusion_proof, inclusion_proof_nodes,
    leaf_hash, root, root_nodes, verify_consistency, verify_inclusion, Frontier, Hash, HashStore,
    MemoryLog, NodeId, NodeMap, TreeError, VerifyError,
};

use crate::support::{mth, path, subproof};

const N: u64 = 130;

fn sample_log(n: u64) -> (MemoryLog, Vec<Hash>) {
    let mut log = MemoryLog::new();
    let mut hashes = Vec::new();
    for i in 0..n {
        let data = i.to_be_bytes();
        hashes.push(leaf_hash(&data));
        assert_eq!(log.push(&data), Ok(i));
    }
    (log, hashes)
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

/// Flips one bit of element `i`.
fn flipped(proof: &[Hash], i: usize) -> Vec<Hash> {
    let mut p = proof.to_vec();
    let mut bytes = p[i].to_bytes();
    bytes[i % 32] ^= 0x40;
    p[i] = Hash::from_bytes(bytes);
    p
}

#[test]
fn roots_match_the_rfc_definition() {
    let (log, hashes) = sample_log(N);
    for size in 0..=N {
        let want = mth(&hashes[..size as usize]);
        assert_eq!(root(log.store(), size), Ok(want), "size {size}");
    }
    assert_eq!(root(log.store(), 0), Ok(empty_root()));
    assert_eq!(log.root(), mth(&hashes));
}

#[test]
fn inclusion_proofs_for_every_index_and_size_verify_and_mutations_fail() {
    let (log, hashes) = sample_log(N);
    let mut checked = 0usize;
    for size in 1..=N {
        let r = mth(&hashes[..size as usize]);
        for index in 0..size {
            let leaf = hashes[index as usize];
            let proof = ok(inclusion_proof(log.store(), index, size), "generate");
            assert_eq!(
                proof,
                path(index as usize, &hashes[..size as usize]),
                "({index}, {size})"
            );
            assert_eq!(
                verify_inclusion(&leaf, index, size, &proof, &r),
                Ok(()),
                "({index}, {size})"
            );

            for i in 0..proof.len() {
                assert_eq!(
                    verify_inclusion(&leaf, index, size, &flipped(&proof, i), &r),
                    Err(VerifyError::RootMismatch)
                );
            }
            if let Some((_, shorter)) = proof.split_last() {
                assert!(matches!(
                    verify_inclusion(&leaf, index, size, shorter, &r),
                    Err(VerifyError::WrongProofLength { .. })
                ));
            }
            let mut longer = proof.clone();
            longer.push(leaf);
            assert!(matches!(
                verify_inclusion(&leaf, index, size, &longer, &r),
                Err(VerifyError::WrongProofLength { .. })
            ));
            let other_leaf = leaf_hash(b"not in the log");
            assert_eq!(
                verify_inclusion(&other_leaf, index, size, &proof, &r),
                Err(VerifyError::RootMismatch)
            );
            if index + 1 < size {
                assert!(verify_inclusion(&leaf, index + 1, size, &proof, &r).is_err());
            }
            // (A wrong size alone is not always detectable here: for some
            // sizes the hash chain is identical. The size is bound to the
            // root by the signed checkpoint instead.)
            checked += 1;
        }
    }
    assert_eq!(checked, (N * (N + 1) / 2) as usize);
}

#[test]
fn consistency_proofs_for_every_pair_verify_and_mutations_fail() {
    let (log, hashes) = sample_log(N);
    let roots: Vec<Hash> = (0..=N as usize).map(|n| mth(&hashes[..n])).collect();
    let mut checked = 0usize;
    for size2 in 1..=N {
        for size1 in 1..=size2 {
            let (r1, r2) = (roots[size1 as usize], roots[size2 as usize]);
            let proof = ok(consistency_proof(log.store(), size1, size2), "generate");
            // The recursive reference is slow; compare all small trees and
            // a sample of the larger ones.
            if size2 <= 64 || size2 % 11 == 0 {
                let want = if size1 == size2 {
                    Vec::new()
                } else {
                    subproof(size1 as usize, &hashes[..size2 as usize], true)
                };
                assert_eq!(proof, want, "({size1}, {size2})");
            }
            assert_eq!(
                verify_consistency(size1, size2, &proof, &r1, &r2),
                Ok(()),
                "({size1}, {size2})"
            );

            for i in 0..proof.len() {
                assert!(verify_consistency(size1, size2, &flipped(&proof, i), &r1, &r2).is_err());
            }
            if let Some((_, shorter)) = proof.split_last() {
                assert!(matches!(
                    verify_consistency(size1, size2, shorter, &r1, &r2),
                    Err(VerifyError::WrongProofLength { .. })
                ));
            }
            let mut longer = proof.clone();
            longer.push(r1);
            assert!(matches!(
                verify_consistency(size1, size2, &longer, &r1, &r2),
                Err(VerifyError::WrongProofLength { .. })
            ));
            let bad = leaf_hash(b"forged root");
            assert!(verify_consistency(size1, size2, &proof, &bad, &r2).is_err());
            assert!(verify_consistency(size1, size2, &proof, &r1, &bad).is_err());
            if size1 != size2 {
                assert!(verify_consistency(size1, size2, &proof, &r2, &r1).is_err());
                assert!(verify_consistency(size1 + 1, size2, &proof, &r1, &r2).is_err());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, (N * (N + 1) / 2) as usize);
}

#[test]
fn prefetched_nodes_are_exactly_what_generation_reads() {
    let (log, _) = sample_log(N);
    let fetch = |ids: Vec<NodeId>| -> NodeMap {
        ids.into_iter()
            .map(|id| (id, ok(log.store().node(id).ok_or(id), "node")))
            .collect()
    };
    for (index, size) in [(0, 1), (5, 7), (64, 129), (129, 130), (127, 128)] {
        let map = fetch(ok(inclusion_proof_nodes(index, size), "nodes"));
        assert!(map.len() <= 2 * 64);
        assert_eq!(
            inclusion_proof(&map, index, size),
            inclusion_proof(log.store(), index, size)
        );
    }
    for (size1, size2) in [(1, 2), (3, 7), (64, 130), (100, 101), (5, 5)] {
        let map = fetch(ok(consistency_proof_nodes(size1, size2), "nodes"));
        assert_eq!(
            consistency_proof(&map, size1, size2),
            consistency_proof(log.store(), size1, size2)
        );
    }
    let map = fetch(root_nodes(130));
    assert_eq!(map.len(), 2); // 128 + 2
    assert_eq!(root(&map, 130), Ok(log.root()));

    // A node the database failed to return is an error, not a wrong proof.
    let mut map = fetch(ok(inclusion_proof_nodes(3, 100), "nodes"));
    let Some(&gone) = map.keys().next() else {
        panic!("no nodes")
    };
    map.remove(&gone);
    assert_eq!(
        inclusion_proof(&map, 3, 100),
        Err(TreeError::MissingNode(gone))
    );
}

#[test]
fn nodes_per_proof_stay_logarithmic_at_a_million() {
    let size = 1_000_000u64;
    for index in [0, 1, 499_999, 999_999, 524_288] {
        let n = ok(inclusion_proof_nodes(index, size), "nodes").len();
        assert!(n <= 40, "index {index}: {n} nodes");
    }
    let n = ok(consistency_proof_nodes(333_333, size), "nodes").len();
    assert!(n <= 60, "{n} nodes");
}

#[test]
fn frontier_resumes_from_stored_nodes() {
    let (full, _) = sample_log(N);
    for size in [0, 1, 2, 63, 64, 65, 100] {
        let (log, _) = sample_log(size);
        let mut resumed = ok(Frontier::from_store(log.store(), size), "resume");
        assert_eq!(resumed.root(), log.root());
        for i in size..N {
            ok(resumed.append(leaf_hash(&i.to_be_bytes())), "append");
        }
        assert_eq!(resumed.root(), full.root(), "resumed at {size}");
        assert_eq!(resumed, *full.frontier());
    }
    let (short, _) = sample_log(3);
    assert!(matches!(
        Frontier::from_store(short.store(), 4),
        Err(TreeError::MissingNode(_))
    ));
}

#[test]
fn hostile_sizes_are_rejected_without_panicking() {
    let h = leaf_hash(b"x");
    let many = vec![h; 200];
    // Index not below size, including the u64 edges.
    for (index, size) in [(0, 0), (1, 1), (u64::MAX, u64::MAX), (u64::MAX, 1), (5, 3)] {
        assert_eq!(
            verify_inclusion(&h, index, size, &[], &h),
            Err(VerifyError::IndexOutOfRange { index, size })
        );
    }
    // Largest trees: right length is walked, wrong lengths refused.
    for (index, size) in [
        (u64::MAX - 1, u64::MAX),
        (0, u64::MAX),
        (1 << 63, u64::MAX),
        (0, 1 << 63),
    ] {
        let Err(VerifyError::WrongProofLength {
            expected,
            actual: 200,
        }) = verify_inclusion(&h, index, size, &many, &h)
        else {
            panic!("a 200-hash proof was not refused for its length");
        };
        assert!(expected <= 64);
        // The right length walks the whole path and then compares roots.
        assert_eq!(
            verify_inclusion(&h, index, size, &many[..expected], &h),
            Err(VerifyError::RootMismatch)
        );
        for len in [0usize, 1, 63, 64, 65] {
            if len != expected {
                assert!(matches!(
                    verify_inclusion(&h, index, size, &many[..len], &h),
                    Err(VerifyError::WrongProofLength { .. })
                ));
            }
        }
    }
    for (size1, size2) in [
        (1, u64::MAX),
        (u64::MAX - 1, u64::MAX),
        (1 << 63, u64::MAX),
        (3, 1 << 63),
    ] {
        let Err(VerifyError::WrongProofLength { expected, .. }) =
            verify_consistency(size1, size2, &many, &h, &h)
        else {
            panic!("a 200-hash proof was not refused for its length");
        };
        assert!(expected <= 128);
        assert!(matches!(
            verify_consistency(size1, size2, &many[..expected], &h, &h),
            Err(VerifyError::FirstRootMismatch | VerifyError::SecondRootMismatch)
        ));
        for len in [0usize, 1, 64, 65, 127, 128] {
            if len != expected {
                assert!(verify_consistency(size1, size2, &many[..len], &h, &h).is_err());
            }
        }
    }
    assert_eq!(verify_consistency(u64::MAX, u64::MAX, &[], &h, &h), Ok(()));
    assert_eq!(
        verify_consistency(u64::MAX, u64::MAX, &[h], &h, &h),
        Err(VerifyError::WrongProofLength {
            expected: 0,
            actual: 1
        })
    );
    assert_eq!(
        verify_consistency(u64::MAX, 0, &[], &h, &h),
        Err(VerifyError::SizesOutOfOrder {
            size1: u64::MAX,
            size2: 0
        })
    );
    assert_eq!(
        verify_consistency(0, 5, &[], &empty_root(), &h),
        Err(VerifyError::EmptyFirstTree)
    );
    assert_eq!(
        verify_consistency(0, 0, &[], &empty_root(), &empty_root()),
        Ok(())
    );
    assert_eq!(
        verify_consistency(0, 0, &[], &h, &h),
        Err(VerifyError::FirstRootMismatch)
    );
}
