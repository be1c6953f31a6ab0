//! Replacement text: redaction labels and consistent pseudonyms.

use crate::dates;
use crate::engine::Engine;
use crate::entity::{EntityType, Span};
use crate::structured::zip3;
use std::collections::HashMap;

/// The secret of one case: it fixes the date offset of every document in the case.
#[derive(Clone)]
pub struct CaseKey {
    seed: u64,
}

impl std::fmt::Debug for CaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaseKey(..)")
    }
}

impl CaseKey {
    /// A key from any bytes, e.g. a random per-case secret kept with the case.
    pub fn new(secret: &[u8]) -> CaseKey {
        // FNV-1a, then a final mix: stable across platforms and versions.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in secret {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        CaseKey { seed: h }
    }

    /// The number of days every date of this case moves: never zero, within a year.
    pub fn date_offset_days(&self) -> i64 {
        let v = (self.seed % 730) as i64 - 365;
        if v == 0 {
            183
        } else {
            v
        }
    }
}

/// Appends the redaction of `span` to `out`, without allocating.
pub(crate) fn push_redaction(out: &mut String, text: &str, span: &Span) {
    let s = &text[span.start..span.end];
    match span.kind {
        EntityType::Age => out.push_str("90+"),
        EntityType::Location if is_zip(s) => out.push_str(&zip3(s)),
        kind => {
            out.push('[');
            out.push_str(kind.as_str());
            out.push(']');
        }
    }
}

fn is_zip(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    (digits == 5 || digits == 9) && s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// Replaces identifiers by surrogates that stay the same across the documents of one case.
///
/// The same person is always "Person A", the same place "Location 1", and
/// every date moves by the case's offset so that intervals survive.
#[derive(Debug)]
pub struct Pseudonymizer {
    key: CaseKey,
    seen: HashMap<(EntityType, String), String>,
    counters: HashMap<EntityType, usize>,
}

impl Pseudonymizer {
    /// A fresh mapping for the case identified by `key`.
    pub fn new(key: CaseKey) -> Pseudonymizer {
        Pseudonymizer {
            key,
            seen: HashMap::new(),
            counters: HashMap::new(),
        }
    }

    /// De-identifies `text`, extending this case's mapping.
    pub fn apply(&mut self, engine: &Engine, text: &str) -> String {
        let spans = engine.find(text);
        self.apply_spans(text, &spans)
    }

    /// De-identifies `text` given spans found earlier (sorted, not overlapping).
    pub fn apply_spans(&mut self, text: &str, spans: &[Span]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for span in spans {
            if span.start < last || span.end > text.len() {
                continue;
            }
            out.push_str(&text[last..span.start]);
            out.push_str(&self.surrogate(&text[span.start..span.end], span));
            last = span.end;
        }
        out.push_str(&text[last..]);
        out
    }

    fn surrogate(&mut self, s: &str, span: &Span) -> String {
        match span.kind {
            EntityType::Age => return "90+".to_string(),
            EntityType::Location if is_zip(s) => return zip3(s),
            EntityType::Date => {
                return dates::shift(s, self.key.date_offset_days())
                    .unwrap_or_else(|| "[DATE]".to_string())
            }
            _ => {}
        }
        let norm: String = s
            .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(v) = self.seen.get(&(span.kind, norm.clone())) {
            return v.clone();
        }
        // "Anna" after "Anna Lopez" (or the reverse) is the same person.
        if span.kind == EntityType::Name {
            for part in norm.split(' ').filter(|p| p.len() > 1) {
                if let Some(v) = self
                    .seen
                    .get(&(EntityType::Name, part.to_string()))
                    .cloned()
                {
                    self.seen.insert((span.kind, norm), v.clone());
                    return v;
                }
            }
        }
        let n = self.counters.entry(span.kind).or_insert(0);
        *n += 1;
        let label = match span.kind {
            EntityType::Name => format!("Person {}", letters(*n)),
            EntityType::Location => format!("Location {n}"),
            EntityType::Organization => format!("Organization {n}"),
            kind => format!("[{kind} {n}]"),
        };
        if span.kind == EntityType::Name {
            for part in norm.split(' ').filter(|p| p.len() > 1) {
                self.seen
                    .entry((EntityType::Name, part.to_string()))
                    .or_insert_with(|| label.clone());
            }
        }
        self.seen.insert((span.kind, norm), label.clone());
        label
    }
}

/// 1 → A, 26 → Z, 27 → AA.
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}
