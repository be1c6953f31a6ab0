//! A small tokenizer: words with their byte offsets and the gap before each.

use std::borrow::Cow;

/// One word: letters with inner apostrophes, hyphens and periods of initials.
#[derive(Clone, Debug)]
pub(crate) struct Word<'a> {
    pub start: usize,
    pub end: usize,
    /// Lowercase form with curly apostrophes made straight.
    /// Borrowed from the text when the word is already lowercase ASCII.
    pub lower: Cow<'a, str>,
    /// `lower` without a possessive `'s` or trailing `'`.
    pub base_len: usize,
    /// Byte end of the word without a possessive.
    pub base_end: usize,
    /// First character is uppercase.
    pub cap: bool,
    /// Every letter is uppercase (and there are at least two).
    pub all_caps: bool,
    /// First word of a sentence, line or field.
    pub sentence_start: bool,
    /// Byte offset where the text between the previous word and this one starts.
    pub gap_start: usize,
}

impl Word<'_> {
    pub fn base(&self) -> &str {
        &self.lower[..self.base_len]
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits `text` into words. Digits are not words; they break words.
///
/// `lowered` is `text.to_ascii_lowercase()` (same byte offsets): ASCII words borrow from it.
pub(crate) fn words<'a>(text: &'a str, lowered: &'a str) -> Vec<Word<'a>> {
    let mut out: Vec<Word<'a>> = Vec::with_capacity(text.len() / 5);
    let mut iter = text.char_indices().peekable();
    let mut prev_end = 0usize;
    while let Some((i, c)) = iter.next() {
        if !c.is_alphabetic() {
            continue;
        }
        let start = i;
        let mut end = i + c.len_utf8();
        // Extend over letters, and over an apostrophe or hyphen followed by a letter.
        while let Some(&(j, d)) = iter.peek() {
            if d.is_alphabetic() {
                end = j + d.len_utf8();
                iter.next();
                continue;
            }
            if is_apostrophe(d) || d == '-' {
                let after = j + d.len_utf8();
                let next_is_letter = text[after..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphabetic());
                if next_is_letter {
                    end = after;
                    iter.next();
                    continue;
                }
                if is_apostrophe(d) {
                    // A trailing possessive apostrophe ("Jones'") belongs to the word.
                    end = after;
                    iter.next();
                }
            }
            break;
        }
        let raw = &text[start..end];
        let lower: Cow<'a, str> = if raw.is_ascii() {
            match lowered.get(start..end) {
                Some(l) => Cow::Borrowed(l),
                None => Cow::Owned(raw.to_ascii_lowercase()),
            }
        } else {
            let mut lower = String::with_capacity(raw.len());
            for ch in raw.chars() {
                if ch == '\u{2019}' {
                    lower.push('\'');
                } else {
                    lower.extend(ch.to_lowercase());
                }
            }
            Cow::Owned(lower)
        };
        let mut base_len = lower.len();
        let mut base_end = end;
        if lower.ends_with("'s") && lower.len() > 2 {
            base_len -= 2;
            base_end -= if raw.ends_with("\u{2019}s") { 4 } else { 2 };
        } else if lower.ends_with('\'') {
            base_len -= 1;
            base_end -= if raw.ends_with('\u{2019}') { 3 } else { 1 };
        }
        let cap = raw.chars().next().is_some_and(char::is_uppercase);
        let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
        let all_caps = letters >= 2
            && raw
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
        let gap = &text[prev_end..start];
        let sentence_start = out.is_empty() || {
            let g = gap.trim_end_matches([' ', '\t', '"', '(', '\u{201c}', '*', '-']);
            g.ends_with(['.', '!', '?', ':', ';', '>']) || gap.contains('\n')
        };
        out.push(Word {
            start,
            end,
            lower,
            base_len,
            base_end,
            cap,
            all_caps,
            sentence_start,
            gap_start: prev_end,
        });
        prev_end = end;
    }
    out
}
