//! Patterns searched only at the positions where a match can start.
//!
//! Most structured identifiers begin with a digit at a word boundary (or a
//! `+`, `(` or a capital letter followed by digits), and such positions are
//! rare in prose. Instead of letting each pattern's automaton walk every byte
//! of the text, [`Starts`] lists the candidate positions once per text and
//! [`StartRegex::find_at`] runs an anchored search at each of them, in order,
//! skipping those inside the previous match. Given every position where a
//! match can start, this yields exactly the matches of `Regex::find_iter`
//! (leftmost-first, non-overlapping), because an unanchored search reports the
//! leftmost position at which an anchored search succeeds, with the same match.

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};

/// A compiled pattern for anchored searches at candidate positions.
pub(crate) struct StartRegex(Regex);

/// One match: byte offsets into the text.
#[derive(Clone, Copy)]
pub(crate) struct Found<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Found<'t> {
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
    pub fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
}

impl StartRegex {
    /// Compiles `pattern` with the same syntax and semantics as `regex::Regex::new`;
    /// `\b` means an ASCII word boundary.
    pub fn new(pattern: &str) -> StartRegex {
        let pattern = pattern.replace(r"\b", r"(?-u:\b)");
        // The patterns are constants; a failure here is a programming error caught by every test.
        #[allow(clippy::expect_used)]
        StartRegex(Regex::new(&pattern).expect("built-in pattern compiles"))
    }

    /// The leftmost-first, non-overlapping matches that `find_iter` would give, trying only
    /// `starts` (ascending). `starts` must hold every position where a match can begin.
    pub fn find_at<'r, 't>(
        &'r self,
        text: &'t str,
        starts: impl Iterator<Item = usize> + 'r,
    ) -> impl Iterator<Item = Found<'t>> + 'r
    where
        't: 'r,
    {
        let mut next = 0;
        starts.filter_map(move |s| {
            if s < next || s > text.len() {
                return None;
            }
            let input = Input::new(text).range(s..).anchored(Anchored::Yes);
            let m = self.0.search(&input)?;
            // None of the patterns matches the empty string; guard anyway so the loop advances.
            next = m.end().max(s + 1);
            Some(Found {
                text,
                start: m.start(),
                end: m.end(),
            })
        })
    }
}

/// Candidate start positions of a text, found in one pass over its bytes.
pub(crate) struct Starts {
    /// ASCII letters and digits at an ASCII word boundary (the previous byte is no `[0-9A-Za-z_]`).
    pub word: Vec<usize>,
    /// The digits among `word`.
    pub digit_word: Vec<usize>,
    /// Every ASCII digit, `+` and `(`.
    pub symbol_or_digit: Vec<usize>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Starts {
    pub fn of(bytes: &[u8]) -> Starts {
        // Prose has a word start every six bytes or so; digits are rarer.
        let mut s = Starts {
            word: Vec::with_capacity(bytes.len() / 4 + 1),
            digit_word: Vec::with_capacity(bytes.len() / 32 + 1),
            symbol_or_digit: Vec::with_capacity(bytes.len() / 16 + 1),
        };
        let mut prev_word = false;
        for (i, &b) in bytes.iter().enumerate() {
            let word = is_word_byte(b);
            if b.is_ascii_digit() {
                s.symbol_or_digit.push(i);
                if !prev_word {
                    s.word.push(i);
                    s.digit_word.push(i);
                }
            } else if b.is_ascii_alphabetic() {
                if !prev_word {
                    s.word.push(i);
                }
            } else if b == b'+' || b == b'(' {
                s.symbol_or_digit.push(i);
            }
            prev_word = word;
        }
        s
    }
}
