//! De-identification for JavaScript: find, redact and pseudonymize with one
//! shared `alcove_deid::Engine` built on first use. Spans carry UTF-16 offsets
//! (what `String.prototype.slice` takes) as well as UTF-8 byte offsets (the
//! `alcove deid` contract).

use std::sync::{Arc, Mutex, PoisonError};

use alcove_deid::{CaseKey, Config, Engine, Span};
use wasm_bindgen::prelude::*;

use crate::error::Error;

/// The shared engine: built on first use, replaced when the practice's lists change.
static ENGINE: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

fn engine() -> Arc<Engine> {
    let mut slot = ENGINE.lock().unwrap_or_else(PoisonError::into_inner);
    slot.get_or_insert_with(|| Arc::new(Engine::default()))
        .clone()
}

/// Rebuilds the engine with the practice's lists (the text formats of
/// `alcove deid --allow/--deny`: a phrase a line; `TYPE phrase` a line). A bad
/// deny line leaves the current engine in place and names the line.
pub fn configure(allow: &str, deny: &str) -> Result<(), Error> {
    let config = Config::from_lists(allow, deny).map_err(|e| Error {
        code: "invalid_list",
        message: e.to_string(),
    })?;
    let engine = Arc::new(Engine::new(config));
    *ENGINE.lock().unwrap_or_else(PoisonError::into_inner) = Some(engine);
    Ok(())
}

/// Sets the practice's allow and deny lists for every later `deidFind`,
/// `deidRedact` and `deidPseudonymize` (see `alcove deid --allow/--deny`).
#[wasm_bindgen(js_name = deidConfigure)]
pub fn deid_configure(allow: &str, deny: &str) -> Result<(), Error> {
    configure(allow, deny)
}

/// A span with both kinds of offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct JsSpan {
    /// UTF-16 code unit offset of the start.
    pub start: usize,
    /// UTF-16 code unit offset one past the end.
    pub end: usize,
    /// UTF-8 byte offset of the start.
    pub start_byte: usize,
    /// UTF-8 byte offset one past the end.
    pub end_byte: usize,
    /// The contract name of the type (`"NAME"`, `"DATE"`, ...).
    pub kind: &'static str,
    /// Confidence in 0..=1.
    pub score: f32,
}

/// Converts byte offsets (sorted or not, on character boundaries) to UTF-16
/// offsets. Work is linear in the text when offsets come sorted.
pub fn utf16_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let (mut at_byte, mut at_unit) = (0usize, 0usize);
    byte_offsets
        .iter()
        .map(|&b| {
            let mut b = b.min(text.len());
            while !text.is_char_boundary(b) {
                b -= 1;
            }
            if b < at_byte {
                (at_byte, at_unit) = (0, 0);
            }
            at_unit += text[at_byte..b].encode_utf16().count();
            at_byte = b;
            at_unit
        })
        .collect()
}

/// Every identifier in `text`, with UTF-16 and byte offsets.
pub fn find_spans(text: &str) -> Vec<JsSpan> {
    let spans: Vec<Span> = engine().find(text);
    let bytes: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    let units = utf16_offsets(text, &bytes);
    spans
        .iter()
        .zip(units.chunks_exact(2))
        .map(|(s, u)| JsSpan {
            start: u[0],
            end: u[1],
            start_byte: s.start,
            end_byte: s.end,
            kind: s.kind.as_str(),
            score: s.score,
        })
        .collect()
}

/// A score as JavaScript shows it: `0.9`, not `0.8999999761581421` (an `f32` widened).
pub fn score(s: f32) -> f64 {
    (f64::from(s) * 1e4).round() / 1e4
}

/// Builds the engine now (parsing its dictionaries takes a moment), so that
/// the first `deidFind` is not slow.
#[wasm_bindgen(js_name = deidWarmUp)]
pub fn deid_warm_up() {
    engine();
}

/// The spans as a JSON array: `deidFind` hands JavaScript one string to
/// `JSON.parse` instead of building thousands of objects field by field
/// across the boundary (several times faster on long notes).
pub fn spans_json(spans: &[JsSpan]) -> String {
    let mut out = String::with_capacity(2 + spans.len() * 90);
    out.push('[');
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let sc = score(s.score);
        // Type names are the contract's upper-case ASCII words: nothing to escape.
        out.push_str(&format!(
            r#"{{"start":{},"end":{},"startByte":{},"endByte":{},"type":"{}","score":{}}}"#,
            s.start,
            s.end,
            s.start_byte,
            s.end_byte,
            s.kind,
            if sc.is_finite() { sc } else { 0.0 }
        ));
    }
    out.push(']');
    out
}

/// Every identifier in `text`: `[{ start, end, startByte, endByte, type,
/// score }]`, sorted and not overlapping; `start`/`end` are UTF-16 offsets
/// (`text.slice(start, end)`), `startByte`/`endByte` UTF-8 byte offsets.
#[wasm_bindgen(js_name = deidFind, unchecked_return_type = "DeidSpan[]")]
pub fn deid_find(text: &str) -> Result<JsValue, Error> {
    js_sys::JSON::parse(&spans_json(&find_spans(text))).map_err(|_| Error {
        code: "internal",
        message: "internal error (deid spans)".into(),
    })
}

/// `text` with every identifier replaced by its type (`[NAME]`, `[DATE]`, ...).
#[wasm_bindgen(js_name = deidRedact)]
pub fn deid_redact(text: &str) -> String {
    engine().redact(text)
}

/// `text` with consistent surrogates ("Person A") and dates shifted by the
/// offset that `caseKey` (any bytes, a per-case secret) fixes.
#[wasm_bindgen(js_name = deidPseudonymize)]
pub fn deid_pseudonymize(text: &str, case_key: &[u8]) -> String {
    engine().pseudonymize(text, &CaseKey::new(case_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_slice(text: &str, start: usize, end: usize) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[start..end]).expect("valid UTF-16 slice")
    }

    #[test]
    fn practice_lists_change_what_is_found() {
        // Words no other test uses, so the shared engine's change does not disturb them.
        let text = "Zyxoq Wellness referred quillon.";
        configure("Zyxoq Wellness", "NAME quillon").expect("valid lists");
        let found: Vec<(&str, String)> = find_spans(text)
            .iter()
            .map(|s| (s.kind, text[s.start_byte..s.end_byte].to_string()))
            .collect();
        assert_eq!(found, vec![("NAME", "quillon".to_string())]);
        let err = configure("", "CLIENT quillon").expect_err("unknown type");
        assert_eq!(err.code, "invalid_list");
        // The bad list left the configured engine in place.
        assert_eq!(find_spans(text).len(), 1);
        configure("", "").expect("empty lists");
    }

    #[test]
    fn scores_are_rounded_for_javascript() {
        assert_eq!(score(0.9), 0.9);
        assert_eq!(score(1.0), 1.0);
        assert_eq!(score(0.123_456), 0.1235);
    }

    #[test]
    fn utf16_offsets_count_code_units() {
        let text = "a😀é中b";
        // byte offsets: a=0, 😀=1..5, é=5..7, 中=7..10, b=10
        assert_eq!(
            utf16_offsets(text, &[0, 1, 5, 7, 10, 11]),
            vec![0, 1, 3, 4, 5, 6]
        );
        // Unsorted input still converts correctly.
        assert_eq!(utf16_offsets(text, &[10, 1]), vec![5, 1]);
        // Offsets inside a character or past the end are clamped.
        assert_eq!(utf16_offsets(text, &[2, 99]), vec![1, 6]);
    }

    #[test]
    fn spans_after_an_emoji_have_correct_utf16_offsets() {
        let text = "😀🙂 Sarah Johnson called on 03/14/2024 from (555) 123-4567.";
        let spans = find_spans(text);
        let found: Vec<(&str, String)> = spans
            .iter()
            .map(|s| (s.kind, utf16_slice(text, s.start, s.end)))
            .collect();
        assert!(
            found.contains(&("NAME", "Sarah Johnson".to_string())),
            "{found:?}"
        );
        assert!(
            found.contains(&("DATE", "03/14/2024".to_string())),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(k, s)| *k == "PHONE" && s.contains("123-4567")),
            "{found:?}"
        );
        for s in &spans {
            assert_eq!(
                &text[s.start_byte..s.end_byte],
                utf16_slice(text, s.start, s.end)
            );
            // Two 4-byte emoji are 2 UTF-16 units each.
            assert_eq!(s.start_byte - s.start, 4);
        }
        let redacted = deid_redact(text);
        assert!(!redacted.contains("Sarah"), "{redacted}");
        assert!(redacted.contains("[NAME]"), "{redacted}");
        let json: serde_json::Value =
            serde_json::from_str(&spans_json(&spans)).expect("valid JSON");
        let first = &json[0];
        assert_eq!(first["start"], spans[0].start);
        assert_eq!(first["endByte"], spans[0].end_byte);
        assert_eq!(first["type"], spans[0].kind);
        assert_eq!(first["score"], score(spans[0].score));
        assert_eq!(
            json.as_array().map(Vec::len),
            Some(spans.len()),
            "one object per span"
        );
        assert_eq!(spans_json(&[]), "[]");
        let p1 = deid_pseudonymize(text, b"case-1");
        assert!(!p1.contains("Johnson"), "{p1}");
        assert_eq!(p1, deid_pseudonymize(text, b"case-1"));
    }
}
