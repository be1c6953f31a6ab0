//! Output pins: fingerprints of every span the engine finds on fixed inputs.
//!
//! Speed work must not change what the engine finds. These tests hash the
//! spans (offsets, type and score) found on the generated corpora, on
//! transformed copies of them (lowercase, uppercase, curly quotes, emoji and
//! other non-ASCII text) and on deterministic "soup" that mixes words,
//! digits, punctuation and Unicode at random. A change in detection changes a
//! fingerprint; when the change is intended (a quality fix), print the new
//! values with `cargo test -p alcove-deid golden -- --nocapture` and update
//! the constants below in the same commit.

use crate::engine;
use crate::gen::{generate, Rng, Split};
use alcove_deid::Span;

/// FNV-1a over every span of every text, with each text's index.
fn fingerprint<'a>(texts: impl IntoIterator<Item = &'a str>) -> (u64, usize) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |v: u64| {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    let mut count = 0;
    for (i, text) in texts.into_iter().enumerate() {
        let spans: Vec<Span> = engine().find(text);
        for s in &spans {
            assert!(s.start < s.end && s.end <= text.len(), "span out of range");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            mix(i as u64);
            mix(s.start as u64);
            mix(s.end as u64);
            for b in s.kind.as_str().bytes() {
                mix(u64::from(b));
            }
            mix(u64::from(s.score.to_bits()));
        }
        count += spans.len();
    }
    (h, count)
}

fn check(label: &str, texts: &[String], expected: (u64, usize)) {
    let got = fingerprint(texts.iter().map(String::as_str));
    println!("{label}: ({:#018x}, {})", got.0, got.1);
    assert_eq!(
        got, expected,
        "{label}: the spans changed (fingerprint, count); see the module comment"
    );
}

fn corpus(split: Split, n: usize, seed: u64) -> Vec<String> {
    generate(n, seed, split)
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// Copies of `texts` that take the tokenizer off its ASCII fast paths.
fn transformed(texts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let v = match i % 6 {
            0 => t.to_lowercase(),
            1 => t.to_uppercase(),
            2 => t.replace('\'', "\u{2019}").replace('"', "\u{201c}"),
            3 => t.replace(". ", ". \u{1f642} ").replace(", ", ",\u{a0}"),
            4 => t.replace('e', "\u{e9}").replace('I', "\u{130}"),
            _ => t.replace('\n', " ").replace("  ", " "),
        };
        out.push(v);
    }
    out
}

/// Deterministic random text: words, numbers, punctuation and Unicode in any order.
fn soup(n: usize, seed: u64) -> Vec<String> {
    const PIECES: &[&str] = &[
        "Anna",
        "anna",
        "Smith",
        "O'Brien",
        "Mary-Jane",
        "St.",
        "Louis",
        "New",
        "York",
        "Dr",
        "Dr.",
        "Mr.",
        "said",
        "my",
        "sister",
        "works",
        "at",
        "the",
        "School",
        "Hospital",
        "in",
        "from",
        "March",
        "may",
        "May",
        "3rd",
        "of",
        "2021",
        "12/03/2021",
        "3/4",
        "7/10",
        "2021-03-04",
        "555-123-4567",
        "(555) 123-4567",
        "+44 20 7946 0958",
        "ext",
        "123-45-6789",
        "MRN",
        ":",
        "#",
        "00482913",
        "a@b.co",
        "x.com",
        "https://",
        "www.",
        "10.0.0.1",
        "::1",
        "fe80::1",
        "00:1A:2B:3C:4D:5E",
        "1HGCM82633A004352",
        "4111 1111 1111 1111",
        "DE89 3704 0044 0532 0130 00",
        "AB1234563",
        "62704",
        "IL",
        "OH",
        ", ",
        ". ",
        "\n",
        "\n\n",
        " ",
        "  ",
        "-",
        "'",
        "\u{2019}",
        "&",
        "90",
        "years",
        "old",
        "age",
        "95",
        "yo",
        "Apt",
        "4B",
        "123",
        "Main",
        "St",
        "Street",
        "PO",
        "Box",
        "\u{e9}",
        "Jos\u{e9}",
        "Zo\u{eb}",
        "\u{130}stanbul",
        "\u{1f642}",
        "\u{4e2d}\u{6587}",
        "\u{a0}",
        "\u{301}",
        "\u{fffd}",
        "(",
        ")",
        "\"",
        "\u{201c}",
        "\u{201d}",
        "@anna_b",
        "Jordan",
        "Hope",
        "Will",
        "Paris",
        "County",
        "Heights",
        "Inc.",
        "LLC",
        "and",
        "to",
        "-",
        "\u{2013}",
        "through",
        "the 3rd",
        "fax",
        "phone:",
        "acct",
        "plate",
        "ABC 1234",
        "zip",
        "Grace",
        "told",
        "Kenji",
        "is",
    ];
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(200);
            let mut s = String::new();
            for _ in 0..len {
                s.push_str(PIECES[rng.below(PIECES.len())]);
                if rng.chance(0.6) {
                    s.push(' ');
                }
            }
            s
        })
        .collect()
}

#[test]
fn development_corpus_spans_are_pinned() {
    check(
        "dev",
        &corpus(Split::Dev, 600, 7),
        (0x0989_bd86_4469_c253, 6005),
    );
}

#[test]
fn held_out_corpus_spans_are_pinned() {
    check(
        "heldout",
        &corpus(Split::Heldout, 300, 11),
        (0x4d6d_37f7_3a7e_b250, 2410),
    );
}

#[test]
fn large_mixed_corpus_spans_are_pinned() {
    // The benchmark's mix: both splits, several seeds (about 1.5 MB).
    let mut texts = Vec::new();
    for seed in 1..=4 {
        texts.extend(corpus(Split::Dev, 400, seed));
        texts.extend(corpus(Split::Heldout, 400, seed));
    }
    check("large", &texts, (0x990e_6144_1a14_9f3c, 28571));
}

#[test]
fn transformed_corpus_spans_are_pinned() {
    let mut texts = corpus(Split::Dev, 600, 5);
    texts.extend(corpus(Split::Heldout, 300, 5));
    check(
        "transformed",
        &transformed(&texts),
        (0xa689_48a2_1342_7fad, 9310),
    );
}

#[test]
fn random_soup_spans_are_pinned() {
    check("soup", &soup(3000, 17), (0x2a88_c2c8_a10a_8ae8, 77171));
}

#[test]
fn presidio_research_set_spans_are_pinned() {
    let Ok(raw) = std::fs::read_to_string(crate::presidio::PATH) else {
        println!("skipping: {} is absent", crate::presidio::PATH);
        return;
    };
    let items: Vec<serde_json::Value> = match serde_json::from_str(&raw) {
        Ok(v) => v,
        Err(e) => panic!("the Presidio file does not parse: {e}"),
    };
    let texts: Vec<String> = items
        .iter()
        .filter_map(|i| i["full_text"].as_str().map(str::to_string))
        .collect();
    check("presidio", &texts, (0xf4b7_4bcb_f00c_03a9, 4034));
}
