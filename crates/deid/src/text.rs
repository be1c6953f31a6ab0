//! A small tokenizer: words with their byte offsets and the gap before each.

use std::borrow::Cow;

/// The start of a window of about `n` bytes that ends at `at`: `at - n`, moved forward to a
/// character boundary.
pub(crate) fn window_start(text: &str, at: usize, n: usize) -> usize {
    let mut from = at.saturating_sub(n);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    from
}

/// The end of a window of about `n` bytes that starts at `at`: `at + n` (at most the text's
/// end), moved back to a character boundary.
pub(crate) fn window_end(text: &str, at: usize, n: usize) -> usize {
    let mut to = (at + n).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    to
}

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

/// Byte classes of the tokenizer, one table load per byte.
const LOWER: u8 = 1;
const UPPER: u8 = 1 << 1;
/// A byte of a character outside ASCII.
const HIGH: u8 = 1 << 2;
/// `'` and `-`, which may join two parts of a word.
const JOIN: u8 = 1 << 3;
const LETTER: u8 = LOWER | UPPER;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'\'' | b'-' => JOIN,
            0x80.. => HIGH,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// The number of ASCII letters that the eight bytes at `i` start with, and how many of them
/// are capitals; `(0, 0)` when fewer than eight bytes are left.
#[inline]
pub(crate) fn ascii_letters8(bytes: &[u8], i: usize) -> (usize, usize) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x80 * ONES;
    let Some(chunk) = bytes.get(i..i + 8) else {
        return (0, 0);
    };
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    let x = u64::from_le_bytes(word);
    // Each byte folded to lowercase and below 0x80, so that adding to it carries into no
    // other byte; bit 7 of each byte of a sum then tells a comparison.
    let folded = (x | (0x20 * ONES)) & !HIGH_BITS;
    let at_least_a = folded + (0x80 - 0x61) * ONES;
    let above_z = folded + (0x80 - 0x7b) * ONES;
    let letter = at_least_a & !above_z & !x & HIGH_BITS;
    let not_letter = !letter & HIGH_BITS;
    let run = (not_letter.trailing_zeros() / 8) as usize;
    // Capitals are letters without bit 5 (shifted here to bit 7), counted below the first
    // byte that is no letter (all bits when every byte is one).
    let capital = letter & !(x << 2);
    let in_run = (not_letter & not_letter.wrapping_neg()).wrapping_sub(1);
    (run, (capital & in_run).count_ones() as usize)
}

/// Splits `text` into words. Digits are not words; they break words.
///
/// `lowered` is `text.to_ascii_lowercase()` (same byte offsets): ASCII words borrow from it.
pub(crate) fn words<'a>(text: &'a str, lowered: &'a str) -> Vec<Word<'a>> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let class = |i: usize| CLASS[usize::from(bytes[i])];
    let mut out: Vec<Word<'a>> = Vec::with_capacity(n / 5);
    let mut prev_end = 0usize;
    let mut i = 0;
    while i < n {
        let c = class(i);
        if c & (LETTER | HIGH) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        let cap;
        let mut end;
        if c & HIGH == 0 {
            cap = c & UPPER != 0;
            end = i + 1;
        } else {
            let (ch, len) = char_at(text, i);
            if !ch.is_alphabetic() {
                i += len;
                continue;
            }
            cap = ch.is_uppercase();
            ascii = false;
            end = i + len;
        }
        let mut letters = 1usize;
        let mut upper = usize::from(cap);
        let mut inner = false;
        // Extend over letters, and over an apostrophe or hyphen followed by a letter.
        loop {
            // ASCII letters, the common case, eight at a time, then one at a time.
            loop {
                let (run, capitals) = ascii_letters8(bytes, end);
                letters += run;
                upper += capitals;
                end += run;
                if run < 8 {
                    break;
                }
            }
            while end < n {
                let k = class(end);
                if k & LETTER == 0 {
                    break;
                }
                letters += 1;
                upper += usize::from(k & UPPER != 0);
                end += 1;
            }
            if end >= n || class(end) & (HIGH | JOIN) == 0 {
                break;
            }
            let (d, dl) = char_at(text, end);
            if is_letter(d) {
                letters += 1;
                upper += usize::from(d.is_uppercase());
                ascii = false;
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
            // The base ends at the possessive's apostrophe, straight or curly (three bytes).
            let apostrophe = raw.rfind(is_apostrophe).map_or(end, |k| start + k);
            if lower.ends_with("'s") && lower.len() > 2 {
                base_len -= 2;
                base_end = apostrophe;
            } else if lower.ends_with('\'') {
                base_len -= 1;
                base_end = apostrophe;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_letters_at_a_time_agree_with_one_at_a_time() {
        // Every byte value at every place of the eight, next to letters of both cases.
        let mut checked = 0;
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', b'Z', b'm'] {
                    let mut bytes = [fill; 9];
                    bytes[at] = b;
                    let (run, capitals) = ascii_letters8(&bytes, 0);
                    let expect = bytes[..8]
                        .iter()
                        .take_while(|c| c.is_ascii_alphabetic())
                        .count();
                    let expect_capitals = bytes[..expect]
                        .iter()
                        .filter(|c| c.is_ascii_uppercase())
                        .count();
                    assert_eq!((run, capitals), (expect, expect_capitals), "{bytes:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 256 * 8 * 3);
        // Fewer than eight bytes left: the caller goes on one at a time.
        assert_eq!(ascii_letters8(b"abcdefg", 0), (0, 0));
        assert_eq!(ascii_letters8(b"xxABCDEFGH", 2), (8, 8));
    }

    #[test]
    fn words_keep_their_case_marks_and_inner_joins() {
        let text = "Dr. O\u{2019}Brien-Smith met JOSÉ and the McALLISTERS' dog; ÉLODIE said hi.";
        let lowered = text.to_ascii_lowercase();
        let words = words(text, &lowered);
        let got: Vec<(&str, bool, bool, bool)> = words
            .iter()
            .map(|w| (w.base(), w.cap, w.all_caps, w.inner))
            .collect();
        assert_eq!(
            got,
            [
                ("dr", true, false, false),
                ("o'brien-smith", true, false, true),
                ("met", false, false, false),
                ("josé", true, true, false),
                ("and", false, false, false),
                ("the", false, false, false),
                ("mcallisters", true, false, true),
                ("dog", false, false, false),
                ("élodie", true, true, false),
                ("said", false, false, false),
                ("hi", false, false, false),
            ]
        );
        assert!(words[0].sentence_start && words[1].sentence_start);
        assert!(!words[2].sentence_start && words[8].sentence_start);
    }

    #[test]
    fn a_possessive_in_capitals_after_a_curly_apostrophe_ends_on_a_character() {
        // Found by the fuzz target: "QI\u{2019}S" once ended its base inside the apostrophe.
        for text in ["QI\u{2019}S", "Ann\u{2019}s", "ANN'S", "Jones\u{2019}"] {
            let lowered = text.to_ascii_lowercase();
            let words = words(text, &lowered);
            let w = &words[0];
            assert!(text.is_char_boundary(w.base_end), "{text}");
            assert!(!text[..w.base_end].contains(['\'', '\u{2019}']), "{text}");
        }
    }
}
