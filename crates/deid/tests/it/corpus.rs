//! The synthetic corpus floors: a regression in recall or precision fails here.

use crate::engine;
use crate::gen::{generate, Split};
use alcove_deid::eval::{score, Document};

fn run(split: Split, n: usize, seed: u64) -> alcove_deid::eval::Report {
    let docs: Vec<Document> = generate(n, seed, split)
        .into_iter()
        .map(|d| Document {
            predicted: engine().find(&d.text),
            id: d.id,
            text: d.text,
            gold: d.spans,
        })
        .collect();
    score(&docs)
}

#[test]
fn development_split_meets_the_floors() {
    let r = run(Split::Dev, 600, 7);
    println!("{r}");
    assert!(r.overall.recall() >= 0.99, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.99,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn held_out_templates_meet_the_floors() {
    // Templates and values the engine was not tuned on.
    let r = run(Split::Heldout, 300, 11);
    println!("{r}");
    assert!(r.overall.recall() >= 0.99, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.98,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn gold_offsets_are_exact() {
    // The generator's spans must cut the text on character boundaries.
    for d in generate(200, 3, Split::Dev) {
        for s in &d.spans {
            assert!(d.text.is_char_boundary(s.start) && d.text.is_char_boundary(s.end));
            assert!(!d.text[s.start..s.end].trim().is_empty());
        }
    }
}
