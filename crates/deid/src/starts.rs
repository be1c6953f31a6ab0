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

/// Byte offsets: start, end (exclusive).
pub(crate) type Range = (usize, usize);

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
    pub fn new(text: &'t str, start: usize, end: usize) -> Found<'t> {
        Found { text, start, end }
    }
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

impl StartRegex {
    /// The spans of the whole match and of group `group` of the anchored match `found`
    /// (which this pattern reported). The search covers only the match, which keeps the
    /// bounded backtracker's work proportional to it; look-around still sees the text
    /// beyond, so the match and its groups are the same.
    pub fn captures_at(
        &self,
        text: &str,
        found: Found<'_>,
        group: usize,
    ) -> Option<(Range, Option<Range>)> {
        let input = Input::new(text)
            .range(found.start()..found.end())
            .anchored(Anchored::Yes);
        // Two slots per group up to `group`, on the stack: no allocation per search.
        let mut slots = [None; 8];
        let used = (2 * (group + 1)).min(slots.len());
        self.0.search_slots(&input, &mut slots[..used])?;
        let span = |k: usize| {
            let slot = |j: usize| slots.get(j).copied().flatten();
            Some((slot(2 * k)?.get(), slot(2 * k + 1)?.get()))
        };
        Some((span(0)?, span(group)))
    }
}

/// Candidate start positions of a text, and its gates, found in one pass over its bytes.
pub(crate) struct Starts {
    /// ASCII digits at an ASCII word boundary (the previous byte is no `[0-9A-Za-z_]`).
    pub digit_word: Vec<usize>,
    /// Where a phone number of the `phone` pattern can start: every `(` and `+`, and in
    /// each run of digits, three digits before its end (an area code or an exchange) and a
    /// `1` four digits or one digit before its end (a country code before either).
    pub phone: Vec<usize>,
    /// Every `(` and `+`.
    pub opening: Vec<usize>,
    /// ASCII letters and digits at an ASCII word boundary where some pattern can start,
    /// with the bits `C_*` of those patterns (cue words are compared without ASCII case).
    pub cue: Vec<(usize, u32)>,
    /// Periods between an ASCII letter, digit or hyphen and a top-level domain: a domain
    /// name may hold one.
    pub domain_dots: Vec<usize>,
    /// Which whole-text patterns can match at all.
    pub gates: Gates,
}

/// Cheap facts about a text that tell which patterns cannot match it.
#[derive(Default)]
pub(crate) struct Gates {
    /// An ASCII digit.
    pub digit: bool,
    /// An `@`: e-mail addresses and handles.
    pub at: bool,
    /// Two colons with at most four hex digits between: an IPv6 address may be here.
    pub colon: bool,
    /// A `+` before a digit: an international phone number may start here.
    pub plus: bool,
    /// "://" or "www." (any case): a URL may start here.
    pub url: bool,
}

/// A cue of the number patterns ("MRN", "member id", "licence" …).
pub(crate) const C_ID: u32 = 1;
/// "address", "ship(ped) to", "mail(ed) to".
pub(crate) const C_ADDRESS: u32 = 1 << 1;
/// "age", "aged", "turns" …
pub(crate) const C_AGE: u32 = 1 << 2;
/// "apt", "suite", "unit" …
pub(crate) const C_UNIT: u32 = 1 << 3;
/// "P.O. box", "PO box".
pub(crate) const C_PO_BOX: u32 = 1 << 4;
/// A month name or "the " before a day: a written date may start here.
pub(crate) const C_DATE: u32 = 1 << 5;

/// `[A-Z]{2}[0-9]{2}`: an IBAN.
pub(crate) const C_IBAN: u32 = 1 << 6;
/// 17 capitals (no I, O or Q) and digits: a VIN.
pub(crate) const C_VIN: u32 = 1 << 7;
/// `[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}`: a MAC address.
pub(crate) const C_MAC: u32 = 1 << 8;
/// Letters then digits, or digits then letters: an alphanumeric identifier.
pub(crate) const C_ALNUM: u32 = 1 << 9;

/// The first words of the cued patterns, by first (lowercase) letter: a pattern with cue
/// words can only match where one of its heads starts. Keep in step with the patterns.
const fn cue_heads(first: u8) -> &'static [(&'static [u8], u32)] {
    match first {
        b'a' => &[
            (b"account", C_ID),
            (b"acct", C_ID),
            (b"address", C_ADDRESS),
            (b"age", C_AGE),
            (b"apt", C_UNIT),
            (b"apartment", C_UNIT),
            (b"apr", C_DATE),
            (b"aug", C_DATE),
        ],
        b'b' => &[
            (b"badge", C_ID),
            (b"biometric", C_ID),
            (b"beeper", C_ID),
            (b"bldg", C_UNIT),
            (b"building", C_UNIT),
        ],
        b'c' => &[
            (b"chart", C_ID),
            (b"case", C_ID),
            (b"client", C_ID),
            (b"certificate", C_ID),
        ],
        b'd' => &[
            (b"dl", C_ID),
            (b"device", C_ID),
            (b"dea", C_ID),
            (b"dec", C_DATE),
        ],
        b'e' => &[(b"employee", C_ID)],
        b'f' => &[(b"fingerprint", C_ID), (b"feb", C_DATE)],
        b'g' => &[(b"group", C_ID)],
        b'i' => &[(b"insurance", C_ID), (b"id", C_ID), (b"imei", C_ID)],
        b'j' => &[(b"jan", C_DATE), (b"jun", C_DATE), (b"jul", C_DATE)],
        b'l' => &[(b"lic", C_ID), (b"lot", C_ID)],
        b'm' => &[
            (b"mrn", C_ID),
            (b"mr#", C_ID),
            (b"mr #", C_ID),
            (b"medic", C_ID),
            (b"med rec", C_ID),
            (b"med. rec", C_ID),
            (b"member", C_ID),
            (b"mail", C_ADDRESS),
            (b"mar", C_DATE),
            (b"may", C_DATE),
        ],
        b'n' => &[(b"npi", C_ID), (b"nov", C_DATE)],
        b'o' => &[(b"oct", C_DATE)],
        b'p' => &[
            (b"policy", C_ID),
            (b"plate", C_ID),
            (b"permit", C_ID),
            (b"patient", C_ID),
            (b"pager", C_ID),
            (b"pgr", C_ID),
            (b"po", C_PO_BOX),
            (b"p.", C_PO_BOX),
            (b"p ", C_PO_BOX),
        ],
        b'r' => &[
            (b"record", C_ID),
            (b"rr", C_PO_BOX),
            (b"r.", C_PO_BOX),
            (b"rd", C_PO_BOX),
            (b"rural", C_PO_BOX),
        ],
        b'h' => &[(b"hc", C_PO_BOX)],
        b's' => &[
            (b"subscriber", C_ID),
            (b"serial", C_ID),
            (b"student", C_ID),
            (b"ssn", C_ID),
            (b"social", C_ID),
            (b"ship", C_ADDRESS),
            (b"suite", C_UNIT),
            (b"ste", C_UNIT),
            (b"sep", C_DATE),
        ],
        b't' => &[(b"turn", C_AGE), (b"the ", C_DATE), (b"tag", C_ID)],
        b'u' => &[(b"unit", C_UNIT | C_ID)],
        b'v' => &[(b"vin", C_ID), (b"voiceprint", C_ID)],
        _ => &[],
    }
}

/// The slot of [`CUE_PAIRS`] for a word whose first two bytes are `first` (a letter) and
/// `second`: the low five bits of each, which fold ASCII case.
#[inline]
const fn pair_slot(first: u8, second: u8) -> usize {
    (first & 31) as usize * 32 + (second & 31) as usize
}

/// The bits of the cue heads by the slot of their first two bytes: most words share no
/// slot with any head, and skip the comparisons. Slots may collide ("p." and "pn"); the
/// heads are compared in full after.
const CUE_PAIRS: [u32; 1024] = {
    let mut table = [0u32; 1024];
    let mut first = b'a';
    while first <= b'z' {
        let heads = cue_heads(first);
        let mut k = 0;
        while k < heads.len() {
            let (head, bit) = heads[k];
            table[pair_slot(first, head[1])] |= bit;
            k += 1;
        }
        first += 1;
    }
    table
};

/// The bits `C_*` of the cue heads that start at `i` (a letter).
#[inline]
fn cue_bits(bytes: &[u8], i: usize) -> u32 {
    let rest = &bytes[i..];
    // Every head has two bytes or more, and most words differ from them in the second
    // (`| 0x20` folds ASCII case and keeps the space and the period of "p. o.").
    let second = rest.get(1).map_or(0, |b| b | 0x20);
    if CUE_PAIRS[pair_slot(rest[0], second)] == 0 {
        return 0;
    }
    let mut bits = 0;
    for (head, bit) in cue_heads(rest[0].to_ascii_lowercase()) {
        if head[1] == second
            && rest.len() >= head.len()
            && rest[..head.len()].eq_ignore_ascii_case(head)
        {
            bits |= bit;
        }
    }
    if bits & C_DATE != 0 && !date_head(rest) {
        bits &= !C_DATE;
    }
    if bits & C_PO_BOX != 0 && !po_box_head(rest) {
        bits &= !C_PO_BOX;
    }
    if bits & C_ID != 0 && !digit_soon(rest) {
        bits &= !C_ID;
    }
    bits
}

/// A written date starting here begins with "the " and a day number, or with a whole month
/// name (`jan`, `june`, `sept` …) that is not followed by more letters.
fn date_head(rest: &[u8]) -> bool {
    if rest.len() >= 5 && rest[..4].eq_ignore_ascii_case(b"the ") {
        return rest[4].is_ascii_digit();
    }
    let len = rest
        .iter()
        .take(10)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let mut word = [0u8; 10];
    word[..len].copy_from_slice(&rest[..len]);
    word[..len].make_ascii_lowercase();
    std::str::from_utf8(&word[..len]).is_ok_and(|w| crate::dict::month_number(w).is_some())
}

/// `p\.? ?o\.? ?box` (without ASCII case), or a rural route's head with "box" soon after.
fn po_box_head(rest: &[u8]) -> bool {
    // A rural route or highway contract: "RR 3 Box", "R.D. 1, Box", "HC 64 Box" — its
    // box follows within 16 bytes.
    if !matches!(rest.first(), Some(b'p' | b'P')) {
        return rest
            .windows(4)
            .take(16)
            .any(|w| w.eq_ignore_ascii_case(b"box "));
    }
    let mut j = 1;
    let skip = |j: &mut usize, c: u8| {
        if rest.get(*j) == Some(&c) {
            *j += 1;
        }
    };
    skip(&mut j, b'.');
    skip(&mut j, b' ');
    if !rest.get(j).is_some_and(|c| c.eq_ignore_ascii_case(&b'o')) {
        return false;
    }
    j += 1;
    skip(&mut j, b'.');
    skip(&mut j, b' ');
    rest.len() >= j + 3 && rest[j..j + 3].eq_ignore_ascii_case(b"box")
}

/// A cued number needs a digit in its value. Before that digit come at most 54 bytes that
/// are not separators (a cue phrase of up to 22 letters, "is", and up to 30 bytes of the
/// value), plus any run of spaces, colons and `#`: a digit must come within that budget.
fn digit_soon(rest: &[u8]) -> bool {
    let mut budget = 54usize;
    for &c in rest {
        if c.is_ascii_digit() {
            return true;
        }
        if matches!(c, b' ' | b':' | b'#') {
            continue;
        }
        if budget == 0 {
            return false;
        }
        budget -= 1;
    }
    false
}

/// Byte classes of the scan in [`Starts::of`], one table load per byte.
const DIGIT: u8 = 1;
const UPPER: u8 = 1 << 1;
const LOWER: u8 = 1 << 2;
/// `[0-9A-Fa-f]`.
const HEX: u8 = 1 << 3;
const UNDERSCORE: u8 = 1 << 4;
/// `(`, `+`, `@`, `:` and `.`: the bytes that set a gate or start a pattern.
const MARK: u8 = 1 << 5;
const LETTER: u8 = UPPER | LOWER;
/// `[0-9A-Za-z_]`: the bytes of a word, and of `\b`.
const WORD: u8 = DIGIT | LETTER | UNDERSCORE;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => DIGIT | HEX,
            b'A'..=b'F' => UPPER | HEX,
            b'a'..=b'f' => LOWER | HEX,
            b'G'..=b'Z' => UPPER,
            b'g'..=b'z' => LOWER,
            b'_' => UNDERSCORE,
            b'(' | b'+' | b'@' | b':' | b'.' => MARK,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// Records where in the run of digits `[a, b)` a number of the `phone` pattern can start
/// (see [`Starts::phone`]), in ascending order.
#[inline]
fn phone_starts(phone: &mut Vec<usize>, bytes: &[u8], a: usize, b: usize) {
    if b - a >= 4 && bytes[b - 4] == b'1' {
        phone.push(b - 4);
    }
    if b - a >= 3 {
        phone.push(b - 3);
    }
    if bytes[b - 1] == b'1' {
        phone.push(b - 1);
    }
}

impl Starts {
    /// Every `(` and `+`, and the digits at a word boundary that are a `0`, in ascending
    /// order: where a loosely written phone number can start.
    pub fn loose_phone(&self, bytes: &[u8]) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .digit_word
            .iter()
            .copied()
            .filter(|&i| bytes[i] == b'0')
            .chain(self.opening.iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// The positions in `cue` that may begin a pattern with bit `bit`.
    pub fn cued(&self, bit: u32) -> impl Iterator<Item = usize> + '_ {
        self.cue
            .iter()
            .filter(move |&&(_, bits)| bits & bit != 0)
            .map(|&(i, _)| i)
    }

    pub fn of(bytes: &[u8]) -> Starts {
        use crate::structured::{
            alnum_id_start, iban_start, mac_start, top_level_domain_at, vin_start,
        };
        let mut s = Starts {
            digit_word: Vec::with_capacity(bytes.len() / 32 + 1),
            phone: Vec::with_capacity(bytes.len() / 32 + 1),
            opening: Vec::new(),
            cue: Vec::with_capacity(bytes.len() / 32 + 1),
            domain_dots: Vec::new(),
            gates: Gates::default(),
        };
        let g = &mut s.gates;
        let n = bytes.len();
        let class = |i: usize| CLASS[usize::from(bytes[i])];
        let mut i = 0;
        while i < n {
            let b = bytes[i];
            let c = class(i);
            if c & WORD != 0 {
                // A word start: the loops below walk over the word whole, first its leading
                // run of digits (or of letters), then the rest.
                let start = i;
                let mut bits = 0;
                if c & DIGIT != 0 {
                    s.digit_word.push(i);
                    g.digit = true;
                    while i < n && class(i) & DIGIT != 0 {
                        i += 1;
                    }
                    phone_starts(&mut s.phone, bytes, start, i);
                } else {
                    if c & LETTER != 0 {
                        bits |= cue_bits(bytes, i);
                        // Eight letters at a time: fewer branches to mispredict at word ends.
                        i += 1;
                        loop {
                            let (run, _) = crate::text::ascii_letters8(bytes, i);
                            i += run;
                            if run < 8 {
                                break;
                            }
                        }
                    }
                    while i < n && class(i) & LETTER != 0 {
                        i += 1;
                    }
                }
                let run_end = i;
                while i < n {
                    let d = class(i);
                    if d & WORD == 0 {
                        break;
                    }
                    if d & DIGIT != 0 {
                        let digits = i;
                        while i < n && class(i) & DIGIT != 0 {
                            i += 1;
                        }
                        g.digit = true;
                        phone_starts(&mut s.phone, bytes, digits, i);
                        continue;
                    }
                    i += 1;
                }
                if c & UNDERSCORE == 0 {
                    // Each test first asks what is cheap to know: a MAC address has a
                    // separator after two hex digits, a VIN 17 bytes in its word.
                    if c & HEX != 0
                        && matches!(bytes.get(start + 2), Some(b':' | b'-'))
                        && mac_start(bytes, start)
                    {
                        bits |= C_MAC;
                    }
                    if c & (UPPER | DIGIT) != 0 && i - start >= 17 && vin_start(bytes, start) {
                        bits |= C_VIN;
                    }
                    if c & UPPER != 0 && iban_start(bytes, start) {
                        bits |= C_IBAN;
                    }
                    if alnum_id_start(bytes, start, run_end) {
                        bits |= C_ALNUM;
                    }
                }
                if bits != 0 {
                    s.cue.push((start, bits));
                }
                continue;
            }
            if c & MARK == 0 {
                i += 1;
                continue;
            }
            match b {
                b'(' => {
                    s.phone.push(i);
                    s.opening.push(i);
                }
                b'+' => {
                    s.phone.push(i);
                    s.opening.push(i);
                    g.plus |= bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                }
                b'@' => g.at = true,
                b':' => {
                    // Every IPv6 address has two colons with at most four hex digits between.
                    let hex = bytes[i + 1..]
                        .iter()
                        .take(5)
                        .position(|b| !b.is_ascii_hexdigit());
                    if hex.is_some_and(|k| bytes[i + 1 + k] == b':') {
                        g.colon = true;
                    }
                    if bytes.get(i + 1..i + 3) == Some(b"//") {
                        g.url = true;
                    }
                }
                b'.' => {
                    let before = i.checked_sub(1).and_then(|k| bytes.get(k));
                    if before.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
                        && top_level_domain_at(bytes, i + 1)
                    {
                        s.domain_dots.push(i);
                    }
                    if i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www") {
                        g.url = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        s
    }
}
