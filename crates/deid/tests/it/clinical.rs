//! The hand-written clinical corpus (`corpus/clinical/*.txt`, inline gold): floors that a
//! regression in hospital, behavioural-health, therapy or informal text fails.

use crate::engine;
use alcove_deid::eval::{read_inline, score, Document, Report};

fn run(files: &[&str]) -> Report {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/clinical");
    let mut docs: Vec<Document> = Vec::new();
    for f in files {
        let path = format!("{dir}/{f}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        docs.extend(read_inline(&text).unwrap_or_else(|e| panic!("{path}: {e}")));
    }
    for d in &mut docs {
        d.predicted = engine().find(&d.text);
    }
    score(&docs)
}

#[test]
fn first_batch_meets_the_floors() {
    let r = run(&[
        "hospital.txt",
        "behavioral.txt",
        "therapy.txt",
        "informal.txt",
    ]);
    println!("{r}");
    assert_eq!(r.documents, 64);
    assert!(r.overall.recall() >= 0.96, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.955,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn second_batch_meets_the_floors() {
    // Written after the first batch's rules, and scored before any rule was changed for it.
    let r = run(&["second-clinical.txt", "second-informal.txt"]);
    println!("{r}");
    assert_eq!(r.documents, 28);
    assert!(r.overall.recall() >= 0.935, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.90,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn third_batch_meets_the_floors() {
    // Written after the second batch's rules, and scored before any rule was changed for it.
    let r = run(&["third-clinical.txt", "third-therapy.txt"]);
    println!("{r}");
    assert_eq!(r.documents, 28);
    assert!(r.overall.recall() >= 0.96, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.935,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn fourth_batch_meets_the_floors() {
    // Written after the third batch's rules, and scored before any rule was changed for it.
    let r = run(&["fourth-clinical.txt", "fourth-therapy.txt"]);
    println!("{r}");
    assert_eq!(r.documents, 24);
    assert!(r.overall.recall() >= 0.935, "recall {}", r.overall.recall());
    assert!(
        r.overall.precision() >= 0.93,
        "precision {}",
        r.overall.precision()
    );
}

#[test]
fn every_gold_span_cuts_the_text_on_characters() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/clinical");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).expect("the corpus folder is there") {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("readable");
        for d in read_inline(&text).expect("well-formed inline gold") {
            assert!(
                !d.gold.is_empty() || d.text.len() > 200,
                "{}: empty document",
                d.id
            );
            for g in &d.gold {
                assert!(d.text.is_char_boundary(g.start) && d.text.is_char_boundary(g.end));
                assert!(
                    !d.text[g.start..g.end].trim().is_empty(),
                    "{}: blank span",
                    d.id
                );
            }
        }
    }
    assert!(files >= 10, "{files} batch files");
}
