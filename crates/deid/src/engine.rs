//! The engine: runs every detector, applies the practice's lists, resolves overlaps.

use crate::dates::DateScanner;
use crate::dict::Dictionaries;
use crate::entity::{EntityType, Span};
use crate::error::{Error, ErrorKind};
use crate::names;
use crate::starts::Starts;
use crate::structured::Scanners;
use crate::surrogate::{push_redaction, CaseKey, Pseudonymizer};
use crate::text;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// What a practice can tune.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Words and phrases never flagged, nor any part of them (compared without ASCII case),
    /// e.g. the practice's own name.
    pub allow: Vec<String>,
    /// Words and phrases always flagged, with the type to give them.
    pub deny: Vec<(String, EntityType)>,
    /// Spans scoring below this are dropped; 0 keeps everything (recall first).
    pub min_score: f32,
}

/// A de-identification engine: build once, reuse for every text. Cheap to share across threads.
pub struct Engine {
    dict: Dictionaries,
    scanners: Scanners,
    dates: DateScanner,
    allow: Option<AhoCorasick>,
    deny: Option<(AhoCorasick, Vec<EntityType>)>,
    min_score: f32,
}

impl Config {
    /// A configuration from a practice's lists, as plain text, one entry a line; blank
    /// lines and lines starting with `#` are skipped.
    ///
    /// - `allow`: a word or phrase never to flag, e.g. the practice's own name.
    /// - `deny`: a type and a phrase always to flag with that type, separated by
    ///   whitespace: `ORGANIZATION Riverside Family Counseling`.
    ///
    /// A deny line with an unknown type or no phrase is an error naming its line
    /// (never its text, which may be an identifier).
    pub fn from_lists(allow: &str, deny: &str) -> Result<Config, Error> {
        fn entries(list: &str) -> impl Iterator<Item = (u64, &str)> {
            list.lines()
                .enumerate()
                .map(|(i, l)| (i as u64 + 1, l.trim()))
                .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        }
        let allow = entries(allow).map(|(_, l)| l.to_string()).collect();
        let mut denied = Vec::new();
        for (line, l) in entries(deny) {
            let (kind, phrase) = l
                .split_once(char::is_whitespace)
                .map_or((l, ""), |(k, p)| (k, p.trim()));
            let Some(kind) = EntityType::from_name(&kind.to_ascii_uppercase()) else {
                return Err(Error::new(
                    ErrorKind::InvalidList,
                    Some(line),
                    "the first word is not one of the types",
                ));
            };
            if phrase.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidList,
                    Some(line),
                    "the phrase after the type is missing",
                ));
            }
            denied.push((phrase.to_string(), kind));
        }
        Ok(Config {
            allow,
            deny: denied,
            min_score: 0.0,
        })
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(Config::default())
    }
}

impl Engine {
    /// Builds the engine: parses the embedded dictionaries and compiles the patterns.
    pub fn new(config: Config) -> Engine {
        let allow_terms: Vec<&str> = config
            .allow
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        let allow = if allow_terms.is_empty() {
            None
        } else {
            phrase_matcher(&allow_terms)
        };
        let deny_terms: Vec<(String, EntityType)> = config
            .deny
            .into_iter()
            .filter(|(t, _)| !t.trim().is_empty())
            .map(|(t, k)| (t.trim().to_string(), k))
            .collect();
        let deny = if deny_terms.is_empty() {
            None
        } else {
            let phrases: Vec<&str> = deny_terms.iter().map(|(t, _)| t.as_str()).collect();
            phrase_matcher(&phrases).map(|ac| (ac, deny_terms.iter().map(|(_, k)| *k).collect()))
        };
        Engine {
            dict: Dictionaries::load(),
            scanners: Scanners::new(),
            dates: DateScanner::new(),
            allow,
            deny,
            min_score: config.min_score,
        }
    }

    /// Every identifier in `text`: sorted, not overlapping, byte offsets (end exclusive).
    pub fn find(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::with_capacity(text.len() / 64 + 4);
        let starts = Starts::of(text.as_bytes());
        self.scanners.find(text, &starts, &mut spans);
        self.dates.find(text, &starts, &mut spans);
        let lowered = text.to_ascii_lowercase();
        let words = text::words(text, &lowered);
        names::find(text, &words, &self.dict, &mut spans);
        if let Some((ac, kinds)) = &self.deny {
            for m in whole_words(ac, text) {
                let kind = kinds
                    .get(m.pattern().as_usize())
                    .copied()
                    .unwrap_or(EntityType::Id);
                spans.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind,
                    score: 1.0,
                });
            }
        }
        if let Some(ac) = &self.allow {
            // A span inside an allowed phrase goes ("Okafor" of "Okafor Wellness"); a
            // denied phrase (score 1) always stays.
            let allowed: Vec<(usize, usize)> = whole_words(ac, text)
                .map(|m| (m.start(), m.end()))
                .collect();
            if !allowed.is_empty() {
                spans.retain(|s| {
                    s.score >= 1.0 || !allowed.iter().any(|&(a, b)| a <= s.start && s.end <= b)
                });
            }
        }
        spans.retain(|s| s.score >= self.min_score && s.start < s.end);
        resolve(spans)
    }

    /// `text` with each identifier replaced by its type: `[NAME]`, `[DATE]` …
    ///
    /// ZIP codes keep their first three digits (`000` for sparse areas) and
    /// ages of 90 and over read `90+`.
    pub fn redact(&self, text: &str) -> String {
        let spans = self.find(text);
        redact_spans(text, &spans)
    }

    /// `text` with consistent surrogates ("Person A") and dates shifted by the case's offset.
    pub fn pseudonymize(&self, text: &str, key: &CaseKey) -> String {
        Pseudonymizer::new(key.clone()).apply(self, text)
    }
}

/// A matcher of a practice's phrases, without ASCII case, longest first.
fn phrase_matcher(phrases: &[&str]) -> Option<AhoCorasick> {
    let build = |kind| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(kind)
            .build(phrases)
    };
    // A DFA is fastest; very long lists fall back to the automaton the library picks.
    build(Some(AhoCorasickKind::DFA))
        .or_else(|_| build(None))
        .ok()
}

/// The matches of `ac` in `text` that are whole words (no letter or digit on either side).
fn whole_words<'a>(
    ac: &'a AhoCorasick,
    text: &'a str,
) -> impl Iterator<Item = aho_corasick::Match> + 'a {
    let bytes = text.as_bytes();
    ac.find_iter(text).filter(move |m| {
        let word_char = |b: u8| b.is_ascii_alphanumeric();
        let left = m.start() == 0 || !word_char(bytes[m.start() - 1]);
        let right = bytes.get(m.end()).is_none_or(|&b| !word_char(b));
        left && right
    })
}

/// Applies the redaction of `spans` (sorted, not overlapping) to `text`.
pub(crate) fn redact_spans(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        if s.start < last || s.end > text.len() {
            continue;
        }
        out.push_str(&text[last..s.start]);
        push_redaction(&mut out, text, s);
        last = s.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Sorts spans and removes overlaps: a span inside another goes (unless it is the
/// same range with a better score); partly overlapping spans are joined.
fn resolve(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => {
                if s.end <= last.end {
                    if s.start == last.start && s.end == last.end && s.score > last.score {
                        *last = s;
                    }
                } else {
                    // Partial overlap: cover both, keep the type of the longer part.
                    if s.end - s.start > last.end - last.start {
                        last.kind = s.kind;
                    }
                    last.end = s.end;
                    last.score = last.score.max(s.score);
                }
            }
            _ => out.push(s),
        }
    }
    out
}
