//! A small tokenizer: words with their byte offsets and the gap before each.

use std::borrow::Cow;

/// The text between a word and the one before it, in the forms the passes ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gap {
    /// `" "`
    Space,
    /// `". "`
    PeriodSpace,
    /// `", "`
    CommaSpace,
    /// `" & "`
    Ampersand,
    /// Anything else starting with `.`.
    Period,
    /// Anything else (and the start of the text).
    Other,
}

impl Gap {
    fn of(gap: &str) -> Gap {
        match gap.as_bytes() {
            b" " => Gap::Space,
            b". " => Gap::PeriodSpace,
            b", " => Gap::CommaSpace,
            b" & " => Gap::Ampersand,
            [b'.', ..] => Gap::Period,
            _ => Gap::Other,
        }
    }
}

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
    /// The word holds an apostrophe or a hyphen.
    pub inner: bool,
    /// The form of the text between the previous word and this one.
    pub gap: Gap,
}

impl Word<'_> {
    pub fn base(&self) -> &str {
        &self.lower[..self.base_len]
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// The character at byte `i` of `text` (a char boundary) and its length; ASCII costs no decoding.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (char::from(b), 1);
    }
    let c = text[i..].chars().next().unwrap_or('\u{fffd}');
    (c, c.len_utf8())
}

#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

/// Splits `text` into words. Digits are not words; they break words.
///
/// `lowered` is `text.to_ascii_lowercase()` (same byte offsets): ASCII words borrow from it.
pub(crate) fn words<'a>(text: &'a str, lowered: &'a str) -> Vec<Word<'a>> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut out: Vec<Word<'a>> = Vec::with_capacity(n / 5);
    let mut prev_end = 0usize;
    let mut i = 0;
    while i < n {
        if !bytes[i].is_ascii_alphabetic() && bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        let (c, len) = char_at(text, i);
        if !is_letter(c) {
            i += len;
            continue;
        }
        let start = i;
        let mut end = i + len;
        let mut ascii = c.is_ascii();
        let mut letters = 1usize;
        let mut upper = usize::from(c.is_uppercase());
        let mut inner = false;
        // Extend over letters, and over an apostrophe or hyphen followed by a letter.
        while end < n {
            // ASCII letters, the common case, without decoding.
            let b = bytes[end];
            if b.is_ascii_lowercase() {
                letters += 1;
                end += 1;
                continue;
            }
            if b.is_ascii_uppercase() {
                letters += 1;
                upper += 1;
                end += 1;
                continue;
            }
            let (d, dl) = char_at(text, end);
            if is_letter(d) {
                letters += 1;
                upper += usize::from(d.is_uppercase());
                ascii &= d.is_ascii();
                end += dl;
                continue;
            }
            if is_apostrophe(d) || d == '-' {
                let after = end + dl;
                let next_is_letter = after < n && is_letter(char_at(text, after).0);
                if next_is_letter || is_apostrophe(d) {
                    // A trailing possessive apostrophe ("Jones'") belongs to the word.
                    ascii &= d.is_ascii();
                    inner = true;
                    end = after;
                    if next_is_letter {
                        continue;
                    }
                }
            }
            break;
        }
        let raw = &text[start..end];
        let lower: Cow<'a, str> = if ascii {
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
        if inner {
            if lower.ends_with("'s") && lower.len() > 2 {
                base_len -= 2;
                base_end -= if raw.ends_with("\u{2019}s") { 4 } else { 2 };
            } else if lower.ends_with('\'') {
                base_len -= 1;
                base_end -= if raw.ends_with('\u{2019}') { 3 } else { 1 };
            }
        }
        let cap = c.is_uppercase();
        let all_caps = letters >= 2 && upper == letters;
        let gap = &text[prev_end..start];
        let sentence_start = out.is_empty()
            || gap != " " && {
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
            inner,
            gap: Gap::of(gap),
        });
        prev_end = end;
        i = end;
    }
    out
}
