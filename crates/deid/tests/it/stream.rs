//! The streaming driver: JSON lines, plain text, invalid UTF-8, parallel batches, hostile input.

use crate::engine;
use alcove_deid::stream::{process_line, run_jsonl, run_jsonl_parallel, run_text, Mode, Options};
use alcove_deid::{CaseKey, ErrorKind};

fn jsonl(input: &str, options: &Options) -> String {
    let mut out = Vec::new();
    run_jsonl(engine(), input.as_bytes(), &mut out, options).expect("valid input");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn jsonl_spans_are_byte_offsets_into_the_input() {
    let text = "Zoë Nguyen called from 555-234-5678 on 3/14/2023.";
    let line = serde_json::json!({"id": "n1", "text": text}).to_string();
    let out = jsonl(&(line + "\n\n"), &Options::default());
    assert_eq!(out.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON out");
    assert_eq!(v["id"], "n1");
    assert_eq!(v["text"], "[NAME] called from [PHONE] on [DATE].");
    let spans = v["spans"].as_array().expect("spans");
    let got: Vec<(&str, &str)> = spans
        .iter()
        .map(|s| {
            let (a, b) = (
                s["start"].as_u64().unwrap_or(0) as usize,
                s["end"].as_u64().unwrap_or(0) as usize,
            );
            (&text[a..b], s["type"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Zoë Nguyen", "NAME"),
            ("555-234-5678", "PHONE"),
            ("3/14/2023", "DATE")
        ]
    );
    assert!(spans
        .iter()
        .all(|s| s["score"].as_f64().is_some_and(|x| x > 0.0 && x <= 1.0)));
}

#[test]
fn plain_text_streams_paragraphs() {
    let input = "Anna Lopez came in.\n\nShe lives at 12 Elm Street.\n".repeat(3000);
    let mut out = Vec::new();
    run_text(engine(), input.as_bytes(), &mut out, &Options::default()).expect("valid input");
    let out = String::from_utf8(out).expect("UTF-8");
    let expected = "[NAME] came in.\n\nShe lives at [LOCATION].\n".repeat(3000);
    assert!(
        out == expected,
        "output differs: {} bytes, expected {}",
        out.len(),
        expected.len()
    );
}

#[test]
fn pseudonymize_mode_in_text() {
    let options = Options {
        mode: Mode::Pseudonymize(CaseKey::new(b"k")),
        ..Options::default()
    };
    let mut out = Vec::new();
    run_text(
        engine(),
        "Anna Lopez came.\n\nAnna left.\n".as_bytes(),
        &mut out,
        &options,
    )
    .expect("ok");
    assert_eq!(
        String::from_utf8_lossy(&out),
        "Person A came.\n\nPerson A left.\n"
    );
}

#[test]
fn fail_invalid_utf8_is_a_clear_error() {
    let input: &[u8] = b"fine line\nbad \xff\xfe byte\n";
    let err =
        run_text(engine(), input, Vec::new(), &Options::default()).expect_err("invalid UTF-8");
    assert_eq!(err.kind(), ErrorKind::InvalidUtf8);
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("--lossy"));
    let err =
        process_line(engine(), b"{\"text\": \"\xff\"}", &Options::default(), 1).expect_err("bad");
    assert_eq!(err.kind(), ErrorKind::InvalidUtf8);
    let lossy = Options {
        lossy: true,
        ..Options::default()
    };
    let mut out = Vec::new();
    run_text(engine(), input, &mut out, &lossy).expect("lossy works");
    assert!(String::from_utf8_lossy(&out).contains('\u{fffd}'));
}

#[test]
fn fail_bad_json_line() {
    let err = run_jsonl(
        engine(),
        "{\"id\": 1}\n".as_bytes(),
        Vec::new(),
        &Options::default(),
    )
    .expect_err("no text");
    assert_eq!(err.kind(), ErrorKind::InvalidJson);
    assert_eq!(err.line(), Some(1));
}

#[test]
fn parallel_output_equals_serial_output() {
    let docs = crate::gen::generate(300, 5, crate::gen::Split::Dev);
    let input: String = docs
        .iter()
        .map(|d| serde_json::json!({"id": d.id, "text": d.text}).to_string() + "\n")
        .collect();
    let serial = jsonl(&input, &Options::default());
    let mut parallel = Vec::new();
    run_jsonl_parallel(
        engine(),
        input.as_bytes(),
        &mut parallel,
        &Options {
            jobs: 3,
            ..Options::default()
        },
    )
    .expect("ok");
    assert_eq!(serial, String::from_utf8_lossy(&parallel));
}

#[test]
fn pathological_inputs_finish() {
    // Each must simply return; linear-time scanners make them fast.
    let cases = [
        "a".repeat(100_000),
        "1".repeat(100_000),
        "1-".repeat(50_000),
        "A ".repeat(50_000),
        "@".repeat(100_000),
        ":".repeat(100_000),
        "a.".repeat(50_000),
        "Anna ".repeat(20_000),
        "1/".repeat(50_000),
        "é".repeat(50_000),
        "😀".repeat(25_000),
        "x@y.".repeat(25_000),
    ];
    for text in &cases {
        let spans = engine().find(text);
        assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(spans
            .iter()
            .all(|s| text.is_char_boundary(s.start) && text.is_char_boundary(s.end)));
    }
}

#[test]
fn fail_multibyte_character_before_a_written_date_does_not_panic() {
    // Regression: the date scanner sliced inside a multi-byte character just
    // before a month name ("\u{2013}March", "3 \u{2013} March", "\u{1f642}may 5").
    for text in [
        "\u{2013}March",
        "seen \u{2013} March 3rd",
        "3 \u{2013} March",
        "the 3rd \u{2013} March 2021",
        "\u{1f642}may 5",
        "\u{4e2d}in March",
    ] {
        let spans = engine().find(text);
        assert!(spans
            .iter()
            .all(|s| text.is_char_boundary(s.start) && text.is_char_boundary(s.end)));
    }
}
