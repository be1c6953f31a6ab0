//! Names, places and organisations: dictionaries plus context cues over words.
//!
//! Philter's principle drives the fallback: a capitalised word that is not an
//! ordinary English word, a known safe term, a state or a country is suspect
//! and flagged as a name. Dictionary names that are also English words (Hope,
//! Will, Grace, Rose, Jordan, Paris) need context: a title, a relation cue
//! ("my sister Grace"), a speech cue ("Will said"), a neighbouring name, or a
//! capital in the middle of a sentence.

use crate::dict::{
    self, Dictionaries, Entry, WordMap, F_CALENDAR, F_ENGLISH, F_FIRST, F_KEEP, F_LAST,
    F_NAME_WORD, F_PLACE, F_REGION,
};
use crate::entity::{EntityType, Span};
use crate::text::{Gap, Word};

const B_CONNECTOR: u32 = 1;
const B_AUX: u32 = 1 << 1;
const B_OBJECT: u32 = 1 << 2;
const B_SPEECH: u32 = 1 << 3;
const B_ORG_SUFFIX: u32 = 1 << 4;
const B_PLACE_SUFFIX: u32 = 1 << 5;
const B_TITLE: u32 = 1 << 6;
const B_RELATION: u32 = 1 << 7;
const B_LOC_CUE: u32 = 1 << 8;
const B_ORG_CUE_LAST: u32 = 1 << 9;
const B_AGAIN: u32 = 1 << 10;
const B_VIRTUE: u32 = 1 << 11;
const B_EPONYM_HEAD: u32 = 1 << 12;
const B_FUNCTION: u32 = 1 << 13;
/// The first word of an organisation cue of two words or more ("works" of "works at").
const B_ORG_CUE_HEAD: u32 = 1 << 14;

/// For each cue word, the bits of the lists that hold it: one hash lookup per word
/// replaces scanning every list.
pub(crate) fn cue_masks() -> WordMap<u32> {
    let mut m = WordMap::<u32>::default();
    let lists: [(&[&'static str], u32); 13] = [
        (CONNECTORS, B_CONNECTOR),
        (AUXILIARIES, B_AUX),
        (OBJECT_CUES, B_OBJECT),
        (STRONG_SPEECH, B_SPEECH),
        (dict::ORG_SUFFIXES, B_ORG_SUFFIX),
        (dict::PLACE_SUFFIXES, B_PLACE_SUFFIX),
        (dict::TITLES, B_TITLE),
        (dict::RELATION_CUES, B_RELATION),
        (dict::LOCATION_CUES, B_LOC_CUE),
        (&["again", "here", "back", "too"], B_AGAIN),
        (VIRTUES, B_VIRTUE),
        (EPONYM_HEADS, B_EPONYM_HEAD),
        (FUNCTION_WORDS, B_FUNCTION),
    ];
    for (list, bit) in lists {
        for w in list {
            *m.entry(w).or_default() |= bit;
        }
    }
    for phrase in dict::ORG_CUES {
        let last = phrase.rsplit(' ').next().unwrap_or(phrase);
        *m.entry(last).or_default() |= B_ORG_CUE_LAST;
        if let Some((head, _)) = phrase.split_once(' ') {
            *m.entry(head).or_default() |= B_ORG_CUE_HEAD;
        }
    }
    m
}

/// Speech and action verbs strong enough to make an ambiguous word a name.
const STRONG_SPEECH: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "asked",
    "asks",
    "reported",
    "reports",
    "stated",
    "states",
    "texted",
    "texts",
    "called",
    "calls",
    "yelled",
    "yells",
    "screamed",
    "cried",
    "cries",
    "explained",
    "explains",
    "shared",
    "shares",
    "admitted",
    "admits",
    "denied",
    "denies",
    "endorsed",
    "endorses",
    "mentioned",
    "replied",
    "wrote",
    "writes",
    "thinks",
    "wants",
    "wanted",
    "moved",
    "died",
    "lives",
    "lived",
    "works",
    "worked",
    "attends",
    "visited",
    "visits",
    "presented",
    "presents",
    "arrived",
    "agreed",
    "agrees",
    "disclosed",
    "discloses",
    "described",
    "describes",
    "noted",
    "notes",
    "expressed",
    "expresses",
    "identified",
    "identifies",
    "yelled",
    "hugged",
    "slapped",
    "punched",
    "threatened",
    "shouted",
    "whispered",
    "laughed",
    "smiled",
];

/// Nouns that make the capitalised word before them an eponym, not a person:
/// "Alzheimer's disease", "Tourette syndrome", "Bell's palsy", "Kaposi sarcoma".
/// Only nouns that rarely follow a person's name in a sentence.
const EPONYM_HEADS: &[&str] = &[
    "disease",
    "diseases",
    "syndrome",
    "palsy",
    "sarcoma",
    "lymphoma",
    "maneuver",
    "manoeuvre",
    "catheter",
    "reflex",
    "thyroiditis",
    "encephalopathy",
    "dementia",
    "chorea",
    "ataxia",
    "ulcer",
    "phenomenon",
    "triad",
    "fracture",
    "criteria",
    "questionnaire",
    "inventory",
    "sign",
    "signs",
    "triangle",
    "pouch",
    "fundoplication",
    "classification",
    "lesion",
    "lesions",
];

/// Names that are also abstract nouns: only a strong cue makes them a person.
const VIRTUES: &[&str] = &[
    "hope", "faith", "grace", "joy", "charity", "mercy", "patience", "trinity", "destiny", "will",
    "may", "chance", "love", "liberty", "harmony", "justice", "honor", "glory", "genesis", "can",
    "does", "did", "autumn", "winter", "spring", "dawn", "chase", "page", "price",
];

/// Words after which an unknown lowercase word is probably a person ("dont tell ananya").
const OBJECT_CUES: &[&str] = &[
    "to", "with", "and", "tell", "told", "call", "called", "text", "texted", "ask", "asked", "see",
    "saw", "met", "love", "miss", "hate", "like", "by", "for", "dating", "married", "bf", "gf",
];

/// Small words that join the parts of an organisation name.
const CONNECTORS: &[&str] = &["of", "the", "and", "for", "de", "la", "del"];

/// Auxiliaries after which an ambiguous name opening a sentence is a person ("Grace has been").
const AUXILIARIES: &[&str] = &[
    "has", "had", "is", "was", "does", "did", "says", "said", "and",
];

/// What the passes know and decide about one word.
#[derive(Clone, Copy, Default)]
struct Info {
    /// The type given to the word, with its score.
    label: Option<(EntityType, f32)>,
    /// Part of a state or country: never flagged.
    safe: bool,
    /// What the dictionaries know about its base form (one lookup).
    ent: Entry,
    /// A month or weekday name.
    cal: bool,
    /// An ordinary English word (or a known safe term).
    eng: bool,
    /// A first name.
    first: bool,
    /// A surname.
    last: bool,
}

struct Ctx<'a> {
    text: &'a str,
    words: &'a [Word<'a>],
    d: &'a Dictionaries,
    info: Vec<Info>,
    /// Most words are in capitals: capitals say nothing about acronyms here.
    shouting: bool,
}

impl Ctx<'_> {
    /// Word `i` follows word `i - 1` with only a space (or an abbreviation's period).
    fn joined(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        match self.words[i].gap {
            Gap::Space => true,
            // "J. Smith", "Dr. Smith", "Mrs. Smith".
            Gap::PeriodSpace => {
                self.words[i - 1].base().len() <= 2 || self.lower_is(i - 1, B_TITLE)
            }
            _ => false,
        }
    }

    fn english(&self, i: usize) -> bool {
        self.info[i].eng
    }

    fn first_name(&self, i: usize) -> bool {
        self.info[i].first
    }

    fn surname(&self, i: usize) -> bool {
        self.info[i].last
    }

    fn named(&self, i: usize) -> bool {
        self.first_name(i) || self.surname(i)
    }

    fn lower_is(&self, i: usize, bit: u32) -> bool {
        self.info[i].ent.cues & bit != 0
    }

    fn calendar(&self, i: usize) -> bool {
        self.info[i].cal
    }

    /// Labels word `i` unless it has a label or is safe; says whether it did.
    fn set(&mut self, i: usize, kind: EntityType, score: f32) -> bool {
        let free = self.info[i].label.is_none() && !self.info[i].safe;
        if free {
            self.info[i].label = Some((kind, score));
        }
        free
    }
}

/// Finds names, places and organisations among `words` of `text`.
pub(crate) fn find(text: &str, words: &[Word<'_>], d: &Dictionaries, out: &mut Vec<Span>) {
    let caps = words.iter().filter(|w| w.all_caps).count();
    let info = d
        .get_all(words.len(), |i| words[i].base())
        .zip(words)
        .map(|(ent, w)| Info {
            ent,
            cal: ent.is(F_CALENDAR),
            eng: english(w, ent, d),
            first: first_name(w, ent, d),
            last: surname(w, ent, d),
            ..Info::default()
        })
        .collect();
    let mut c = Ctx {
        text,
        words,
        d,
        shouting: caps * 2 > words.len(),
        info,
    };
    if c.shouting {
        // In a text written in capitals, function words read as if in lowercase: "SHE IS
        // AT LINCOLN HIGH SCHOOL" holds an organisation of three words, not of six, and
        // "HAS", "IN" and "SO" (census surnames all) start no name.
        let recased: Vec<Word<'_>> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut w = w.clone();
                w.cap = !c.lower_is(i, B_FUNCTION);
                w
            })
            .collect();
        let mut c = Ctx {
            text,
            words: &recased,
            d,
            shouting: true,
            info: c.info,
        };
        label(&mut c, out);
    } else {
        label(&mut c, out);
    }
}

/// An ordinary English word (or a known safe term), given its entry `e`.
#[inline]
fn english(w: &Word<'_>, e: Entry, d: &Dictionaries) -> bool {
    if w.cap && !w.all_caps && e.is(F_NAME_WORD) {
        return false;
    }
    e.is(F_ENGLISH | F_KEEP) || w.inner && english_compound(w.base(), d)
}

/// A contraction or hyphenated word made of English words.
fn english_compound(b: &str, d: &Dictionaries) -> bool {
    if let Some(pos) = b.find('\'') {
        // Contractions: didn't, I'm, we've, they'll.
        let (stem, tail) = b.split_at(pos);
        if matches!(tail, "'t" | "'m" | "'re" | "'ve" | "'ll" | "'d") {
            return stem.len() <= 1 || d.has(stem, F_ENGLISH) || stem.ends_with('n');
        }
    }
    if b.contains('-') {
        // A hyphenated word is ordinary when every part is.
        return b.split('-').all(|p| p.is_empty() || d.has(p, F_ENGLISH));
    }
    false
}

/// A first name, given its entry `e`.
#[inline]
fn first_name(w: &Word<'_>, e: Entry, d: &Dictionaries) -> bool {
    e.is(F_FIRST) || w.inner && compound_first_name(w.base(), d)
}

/// A hyphenated or apostrophe name with a first name in it.
fn compound_first_name(b: &str, d: &Dictionaries) -> bool {
    b.contains(['-', '\'']) && b.split(['-', '\'']).any(|p| d.has(p, F_FIRST))
}

/// A surname, given its entry `e`.
#[inline]
fn surname(w: &Word<'_>, e: Entry, d: &Dictionaries) -> bool {
    e.is(F_LAST) || w.inner && compound_surname(w.base(), d)
}

/// A hyphenated surname, or one with an apostrophe (O'Brien).
fn compound_surname(b: &str, d: &Dictionaries) -> bool {
    if b.contains('\'') {
        // O'Brien is OBRIEN in the census.
        let joined: String = b.chars().filter(|&c| c != '\'').collect();
        if d.has(&joined, F_LAST) {
            return true;
        }
    }
    b.contains('-') && b.split('-').any(|p| d.has(p, F_LAST | F_FIRST))
}

/// Words that never belong to the name of a person or an organisation: they bound the
/// runs of a text written all in capitals, and of organisations typed in lowercase.
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "nor",
    "so",
    "yet",
    "if",
    "then",
    "than",
    "that",
    "this",
    "these",
    "those",
    "there",
    "here",
    "at",
    "in",
    "on",
    "to",
    "from",
    "for",
    "by",
    "with",
    "without",
    "into",
    "onto",
    "about",
    "after",
    "before",
    "since",
    "until",
    "during",
    "over",
    "under",
    "between",
    "through",
    "per",
    "via",
    "as",
    "is",
    "am",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "having",
    "do",
    "does",
    "did",
    "done",
    "would",
    "shall",
    "should",
    "could",
    "might",
    "must",
    "not",
    "no",
    "yes",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "hers",
    "it",
    "its",
    "they",
    "them",
    "their",
    "who",
    "whom",
    "whose",
    "which",
    "what",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "some",
    "each",
    "every",
    "both",
    "also",
    "very",
    "just",
    "only",
    "still",
    "again",
    "now",
    "today",
    "yesterday",
    "tomorrow",
    "said",
    "says",
    "told",
    "reports",
    "reported",
    "states",
    "stated",
    "dont",
    "cant",
    "wont",
    "im",
    "ive",
    "didnt",
    "doesnt",
    "isnt",
    "wasnt",
    "pt",
    "client",
    "patient",
];

/// Runs the passes in order and appends their spans.
fn label(c: &mut Ctx<'_>, out: &mut Vec<Span>) {
    organisations(c);
    lowercase_organisations(c);
    places(c);
    people(c);
    extend_names(c);
    emit(c, out);
    ages_in_words(c, out);
}

/// Number words of one to nineteen and the tens, as they follow "one hundred and".
const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
];

/// One to nine, which may follow a ten ("ninety-two").
const UNITS: &[&str] = NUMBER_WORDS.split_at(9).0;

/// Words that make a number after them an age: "aged ninety-one".
const AGE_BEFORE: &[&str] = &["age", "aged", "turned", "turning", "turns", "reached"];

/// Words that make a number before them an age: "ninety-two years old", "ninety yo".
const AGE_AFTER: &[&str] = &["year", "years", "yr", "yrs", "yo", "y"];

/// Words that say a decade of life is meant ("in her nineties"), not of a century.
const AGE_OWNERS: &[&str] = &["his", "her", "their", "my", "your", "our"];

/// Ages of 90 and over written in words, which Safe Harbor treats like the digits:
/// "ninety-two years old", "a one hundred and one-year-old", "aged ninety", "in her
/// nineties" or "in his late 90s", "nonagenarian".
fn ages_in_words(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    for (i, w) in c.words.iter().enumerate() {
        let b = w.base();
        // Every form below starts with one of these: most words stop here.
        if !matches!(
            b.as_bytes(),
            [b'n', b'i' | b'o', ..]
                | [b'o', b'n', ..]
                | [b'c', b'e', ..]
                | [b's', b'u', ..]
                | b"a"
                | b"s"
        ) {
            continue;
        }
        if matches!(
            b,
            "nonagenarian" | "nonagenarians" | "centenarian" | "centenarians" | "supercentenarian"
        ) || b == "nineties" && owned_decade(c, i)
        {
            push_age(out, w.start, w.base_end);
            continue;
        }
        if b == "s" {
            // "in his late 90s": digits are no words, so the decade is read off the text.
            let digits = if bytes[..w.start].ends_with(b"90'") {
                3
            } else if bytes[..w.start].ends_with(b"90") {
                2
            } else {
                continue;
            };
            let start = w.start - digits;
            if i > 0
                && bytes.get(start.wrapping_sub(1)) == Some(&b' ')
                && c.words[i - 1].end + 1 == start
                && owned_decade(c, i)
            {
                push_age(out, start, w.end);
            }
            continue;
        }
        let number = b.starts_with("ninety")
            || b.starts_with("one-hundred")
            || matches!(b, "one" | "a")
                && i + 1 < n
                && c.joined(i + 1)
                && c.words[i + 1].base().starts_with("hundred");
        if !number {
            continue;
        }
        // The number's parts: words, and the pieces of hyphenated words ("ninety-two-year-old"),
        // with the byte where each piece ends.
        let mut parts: Vec<(&str, usize)> = Vec::new();
        let mut k = i;
        while k < n && parts.len() < 8 && (k == i || c.joined(k)) {
            let word = &c.words[k];
            let mut at = word.start;
            for piece in word.base().split('-') {
                at += piece.len();
                parts.push((piece, at));
                at += 1;
            }
            k += 1;
        }
        let part = |p: usize| parts.get(p).map_or("", |&(piece, _)| piece);
        let mut p = 0;
        if part(0) == "ninety" {
            p = 1;
            if UNITS.contains(&part(1)) {
                p = 2;
            }
        } else if matches!(part(0), "one" | "a") && part(1) == "hundred" {
            p = 2;
            let and = usize::from(part(2) == "and");
            if NUMBER_WORDS.contains(&part(2 + and)) {
                p = 3 + and;
                if part(p - 1).ends_with("ty") && UNITS.contains(&part(p)) {
                    p += 1;
                }
            }
        }
        if p == 0 {
            continue;
        }
        let before = i > 0 && c.joined(i) && AGE_BEFORE.contains(&c.words[i - 1].base());
        if before || AGE_AFTER.contains(&part(p)) {
            push_age(out, w.start, parts[p - 1].1);
        }
    }
}

/// The decade at word `i` follows a possessive, itself or with "early", "mid" or "late"
/// between: "her nineties", "his late 90s".
fn owned_decade(c: &Ctx<'_>, i: usize) -> bool {
    let owner = |k: usize| AGE_OWNERS.contains(&c.words[k].base());
    i >= 1 && owner(i - 1)
        || i >= 2 && matches!(c.words[i - 1].base(), "early" | "mid" | "late") && owner(i - 2)
}

fn push_age(out: &mut Vec<Span>, start: usize, end: usize) {
    out.push(Span {
        start,
        end,
        kind: EntityType::Age,
        score: 0.85,
    });
}

/// The end (exclusive) of the capitalised run starting at `i`.
fn cap_run(c: &Ctx<'_>, i: usize) -> usize {
    let mut j = i + 1;
    while j < c.words.len() && (c.joined(j) || c.words[j].gap == Gap::Ampersand && c.words[j].cap) {
        let w = &c.words[j];
        if w.cap {
            j += 1;
            continue;
        }
        // A connector may sit inside a run when a capital follows it.
        if c.lower_is(j, B_CONNECTOR)
            && j + 1 < c.words.len()
            && c.joined(j + 1)
            && c.words[j + 1].cap
        {
            j += 2;
            continue;
        }
        break;
    }
    // Also let "&" join: "Johnson & Johnson".
    j
}

fn preceded_by(c: &Ctx<'_>, i: usize, phrases: &[&str], bit: u32) -> bool {
    if i == 0 || c.info[i - 1].ent.cues & bit == 0 {
        return false;
    }
    if !matches!(c.words[i].gap, Gap::Space | Gap::CommaSpace) {
        return false;
    }
    if bit != B_ORG_CUE_LAST {
        // Single-word lists: the mask bit already says the word is on the list.
        return true;
    }
    let one = c.words[i - 1].base();
    if i < 2 || !c.lower_is(i - 2, B_ORG_CUE_HEAD) {
        // No phrase of two words starts at word `i - 2`: only a phrase of one word can match.
        return phrases.contains(&one);
    }
    // A phrase matches when its last word is `one` and its word before (if any) is word `i - 2`.
    phrases.iter().any(|p| {
        let Some(head) = p.strip_suffix(one) else {
            return false;
        };
        if head.is_empty() {
            return true;
        }
        let Some(prev) = head.strip_suffix(' ') else {
            return false;
        };
        i >= 2 && c.joined(i - 1) && c.words[i - 2].base() == prev
    })
}

fn organisations(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let mut i = 0;
    while i < n {
        if !c.words[i].cap || c.lower_is(i, B_CONNECTOR) && !c.words[i].sentence_start {
            i += 1;
            continue;
        }
        let run_end = cap_run(c, i);
        // The longest prefix of the run that ends in an organisation word.
        let end = (i + 2..=run_end)
            .rev()
            .find(|&e| c.lower_is(e - 1, B_ORG_SUFFIX))
            .unwrap_or(run_end);
        // A heading in capitals ("PAST MEDICAL HISTORY:") is no organisation: it opens a
        // line, a colon follows it, and every word of it is ordinary English.
        let heading = (i..run_end).all(|k| c.words[k].all_caps && c.english(k))
            && {
                let before = c.text[..c.words[i].start].trim_end_matches([' ', '\t']);
                before.is_empty() || before.ends_with('\n')
            }
            && c.text[c.words[run_end - 1].end..]
                .trim_start_matches(' ')
                .starts_with(':');
        // "Mrs. Hall" is a person whose surname is also an organisation word ("Dr. King
        // Elementary School" is still a school, and "Dr. Hospital" no person).
        let courtesy = end - i == 2
            && matches!(
                c.words[i].base(),
                "mr" | "mrs" | "ms" | "miss" | "mx" | "dr"
            )
            && c.surname(i + 1);
        let suffix = c.lower_is(end - 1, B_ORG_SUFFIX) && end - i >= 2 && !heading && !courtesy;
        let of_form = end - i >= 3
            && matches!(
                c.words[i].base(),
                "university"
                    | "college"
                    | "bank"
                    | "church"
                    | "department"
                    | "institute"
                    | "school"
                    | "academy"
                    | "hospital"
            )
            && c.words[i + 1].base() == "of";
        let is_place = if end - i == 1 {
            c.info[i].ent.is(F_PLACE | F_REGION)
        } else if usize::from(c.info[i].ent.place_run) >= end - i {
            let span_text: String = c.words[i..end]
                .iter()
                .map(|w| w.base())
                .collect::<Vec<_>>()
                .join(" ");
            c.d.has(&span_text, F_PLACE | F_REGION)
        } else {
            false
        };
        // "transferred to PACU": a unit's acronym is no organisation.
        let unit_acronym = end - i == 1 && c.words[i].all_caps && c.english(i);
        let cued = preceded_by(c, i, dict::ORG_CUES, B_ORG_CUE_LAST)
            && !is_place
            && !unit_acronym
            && !c.calendar(i)
            && !c.lower_is(i, B_TITLE)
            && (!c.first_name(i) || end - i != 1);
        if suffix || of_form || cued {
            // "The" opening a sentence is not part of the name.
            let first = if c.words[i].base() == "the" { i + 1 } else { i };
            for k in first..end {
                c.set(k, EntityType::Organization, if cued { 0.8 } else { 0.85 });
            }
        }
        i = end.max(i + 1);
    }
}

/// Organisations typed in lowercase: "she goes to lincoln high school", "works at ellison
/// technologies". An organisation word ends one to three lowercase words that follow a
/// function word, a cue or the start of a clause; one of them at least must be a name or
/// no English word, so that "the high school" and "a support group" stay.
fn lowercase_organisations(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for e in 1..n {
        let suffix = &c.words[e];
        if suffix.cap
            || suffix.base().len() < 3
            || !c.lower_is(e, B_ORG_SUFFIX)
            || c.info[e].label.is_some()
        {
            continue;
        }
        if e + 1 < n && c.joined(e + 1) && !c.words[e + 1].cap && c.lower_is(e + 1, B_ORG_SUFFIX) {
            // The name goes on: "lincoln high school".
            continue;
        }
        let mut s = e;
        while s > 0 && e - s < 3 && c.joined(s) {
            let k = s - 1;
            let w = &c.words[k];
            if w.cap
                || c.lower_is(k, B_FUNCTION)
                || c.lower_is(k, B_ORG_CUE_LAST | B_CONNECTOR | B_SPEECH | B_AUX)
                || c.info[k].label.is_some()
            {
                break;
            }
            s = k;
        }
        let distinctive = (s..e).any(|k| {
            (!c.english(k) || c.named(k))
                && !c.lower_is(k, B_ORG_SUFFIX)
                && !c.calendar(k)
                && !c.info[k].ent.is(F_KEEP)
        });
        if s < e && distinctive {
            for k in s..=e {
                c.set(k, EntityType::Organization, 0.6);
            }
        }
    }
}

fn places(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let max = c.d.max_place_words;
    let mut key = String::new();
    let mut i = 0;
    while i < n {
        // Most words: labelled, or in lowercase with no location cue before them.
        if c.info[i].label.is_some() || !c.words[i].cap && (i == 0 || !c.lower_is(i - 1, B_LOC_CUE))
        {
            i += 1;
            continue;
        }
        let cued = preceded_by(c, i, dict::LOCATION_CUES, B_LOC_CUE);
        let titled = i > 0 && c.joined(i) && c.lower_is(i - 1, B_TITLE) && c.words[i - 1].cap;
        if titled
            || !c.words[i].cap && !cued
            || c.words[i].all_caps && c.words[i].base().len() <= 2
            || c.words[i].all_caps && c.words[i].base().len() == 3 && !cued
        {
            i += 1;
            continue;
        }
        let mut matched = 0;
        let mut region = false;
        for len in (1..=max.min(n - i)).rev() {
            if len >= 2 && usize::from(c.info[i].ent.place_run) < len {
                continue;
            }
            if (1..len).any(|k| !c.joined(i + k) || c.info[i + k].label.is_some()) {
                continue;
            }
            // GeoNames spells "St. Louis" with the period.
            let dotted = |k: usize| {
                matches!(c.words[k].base(), "st" | "ft" | "mt")
                    && (k + 1 < n && matches!(c.words[k + 1].gap, Gap::Period | Gap::PeriodSpace)
                        || k + 1 == n && c.text[c.words[k].end..].starts_with('.'))
            };
            let e = if len == 1 && !dotted(i) {
                // The word alone, as looked up already.
                c.info[i].ent
            } else {
                key.clear();
                for k in i..i + len {
                    if k > i {
                        key.push(' ');
                    }
                    key.push_str(c.words[k].base());
                    if dotted(k) {
                        key.push('.');
                    }
                }
                c.d.get(&key)
            };
            if e.is(F_REGION) {
                // "Jordan", "Georgia": a region that is also a first name is a person unless
                // cued, or unless it follows a place and a comma ("Atlanta, Georgia").
                let after_place = i > 0
                    && c.words[i].gap == Gap::CommaSpace
                    && matches!(c.info[i - 1].label, Some((EntityType::Location, _)));
                if len == 1 && !cued && !after_place && c.first_name(i) {
                    continue;
                }
                matched = len;
                region = true;
                break;
            }
            if e.is(F_PLACE) {
                matched = len;
                break;
            }
        }
        if matched == 0 {
            // "Cook County", "Maple Heights", "the Riverside neighborhood".
            if c.words[i].cap && !c.lower_is(i, B_TITLE) && !c.calendar(i) {
                let end = cap_run(c, i);
                if end - i >= 2 && c.lower_is(end - 1, B_PLACE_SUFFIX) {
                    for k in i..end {
                        c.set(k, EntityType::Location, 0.8);
                    }
                    i = end;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        if region {
            for k in i..i + matched {
                c.info[k].safe = true;
            }
            i += matched;
            continue;
        }
        let cap = c.words[i].cap;
        let english = matched == 1 && (c.english(i) || c.calendar(i));
        let followed_by_region = {
            let j = i + matched;
            j < n && c.words[j].gap == Gap::CommaSpace && {
                let b = c.words[j].base();
                // "Stone, MD" is a doctor before it is a town in Maryland.
                let credential = c.named(i + matched - 1) && matches!(b, "md" | "do" | "pa");
                !credential && (c.info[j].ent.is(F_REGION) || (c.words[j].all_caps && b.len() == 2))
            }
        };
        if matched == 1 && eponym(c, i) {
            i += 1;
            continue;
        }
        let person_like = matched == 1 && c.named(i) && !cued && !followed_by_region;
        let accept = if person_like {
            false
        } else if cap {
            !english || cued || followed_by_region || matched >= 2
        } else {
            // Lowercase place names only after a location cue and when they are no English word.
            cued && !english && !c.first_name(i)
        };
        while accept
            && i + matched < n
            && c.joined(i + matched)
            && c.words[i + matched].cap
            && c.lower_is(i + matched, B_PLACE_SUFFIX)
        {
            matched += 1;
        }
        // A kept word that is also a place is the place only after a cue ("in Glasgow").
        if accept && !(matched == 1 && c.info[i].ent.is(F_KEEP) && !cued) {
            for k in i..i + matched {
                c.set(k, EntityType::Location, if english { 0.7 } else { 0.85 });
            }
            i += matched;
            continue;
        }
        if c.words[i].cap && !c.lower_is(i, B_TITLE) && !c.calendar(i) {
            let end = cap_run(c, i);
            if end - i >= 2 && c.lower_is(end - 1, B_PLACE_SUFFIX) {
                for k in i..end {
                    c.set(k, EntityType::Location, 0.75);
                }
                i = end;
                continue;
            }
        }
        i += matched;
    }
}

/// The word touches an ASCII digit on either side.
fn attached_to_digit(bytes: &[u8], start: usize, end: usize) -> bool {
    start
        .checked_sub(1)
        .is_some_and(|k| bytes[k].is_ascii_digit())
        || bytes.get(end).is_some_and(u8::is_ascii_digit)
}

/// Endings of medical and derived English words that no name in the dictionaries'
/// languages has: a word with one, though unknown, is vocabulary, not a person.
const TERM_SUFFIXES: &[&str] = &[
    "itis",
    "osis",
    "emia",
    "aemia",
    "ectomy",
    "otomy",
    "ostomy",
    "plasty",
    "pathy",
    "algia",
    "ology",
    "ologist",
    "ogram",
    "ography",
    "oscopy",
    "iasis",
    "uria",
    "plegia",
    "paresis",
    "megaly",
    "penia",
    "cytosis",
    "mycin",
    "cillin",
    "floxacin",
    "azole",
    "olol",
    "pril",
    "sartan",
    "statin",
    "dipine",
    "tidine",
    "setron",
    "azepam",
    "azolam",
    "triptan",
    "parin",
    "xaban",
    "gliptin",
    "gliflozin",
    "glutide",
    "oxetine",
    "apine",
    "idone",
    "thiazide",
    "tion",
    "sion",
    "ment",
    "ness",
    "ically",
    "ated",
    "ized",
    "ised",
    "izing",
    "ising",
];

/// An unknown word of seven letters or more that ends like vocabulary: a suffix from
/// [`TERM_SUFFIXES`] after three letters or more, or a participle ("Diuresed").
fn term_shaped(base: &str) -> bool {
    base.len() >= 7
        && TERM_SUFFIXES
            .iter()
            .any(|s| base.len() >= s.len() + 3 && base.ends_with(s))
        || base.len() >= 7
            && (base.ends_with("ted") || base.ends_with("sed") || base.ends_with("zed"))
}

/// An unknown word that is an ordinary word with a plural or adverb ending: "Trocars",
/// "Renally". Only asked of words on no name list.
fn inflected(d: &Dictionaries, base: &str) -> bool {
    let stem = |suffix: &str| {
        base.len() >= suffix.len() + 4
            && base
                .strip_suffix(suffix)
                .is_some_and(|s| d.has(s, F_ENGLISH | F_KEEP))
    };
    stem("s") || stem("es") || stem("ly")
}

/// Word `i` is capitalised and names a disease, sign or manoeuvre ("Crohn's disease").
fn eponym(c: &Ctx<'_>, i: usize) -> bool {
    c.words[i].cap && i + 1 < c.words.len() && c.joined(i + 1) && c.lower_is(i + 1, B_EPONYM_HEAD)
}

fn people(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for i in 0..n {
        let w = &c.words[i];
        let info = &c.info[i];
        // Most words: labelled, or ordinary lowercase words that are no first name (nothing
        // below flags those).
        if info.label.is_some() || info.safe || !w.cap && info.eng && !info.first {
            continue;
        }
        let b = w.base();
        if b.len() < 2 || b.len() < 5 && b.chars().count() < 2 {
            continue;
        }
        let english = c.english(i);
        if eponym(c, i) {
            continue;
        }
        if b == "eve"
            && i > 0
            && c.joined(i)
            && matches!(c.words[i - 1].base(), "christmas" | "year")
        {
            // "Christmas Eve", "New Year's Eve": a day, not a woman.
            continue;
        }
        let keep = c.info[i].ent.is(F_KEEP);
        let named = c.named(i);
        let calendar = c.calendar(i);
        let title = i > 0
            && c.joined(i)
            && c.lower_is(i - 1, B_TITLE)
            && (c.words[i - 1].cap
                || matches!(c.words[i - 1].base(), "dr" | "mr" | "mrs" | "ms" | "mx"));
        let relation = preceded_by(c, i, dict::RELATION_CUES, B_RELATION)
            && !c.words[i].sentence_start
            && c.words[i - 1].base_len == c.words[i - 1].lower.len();
        let next_verbish = i + 1 >= n
            || !c.joined(i + 1)
            || c.lower_is(i + 1, B_SPEECH)
            || c.lower_is(i + 1, B_AUX)
            || c.lower_is(i + 1, B_AGAIN)
            || {
                let nb = c.words[i + 1].base();
                (nb.ends_with('s') && !nb.ends_with("ss")) || nb.ends_with("ed")
            };
        let speech = i + 1 < n && c.joined(i + 1) && c.lower_is(i + 1, B_SPEECH);
        // A kept eponym that is also a surname is the person when it speaks:
        // "Parkinson said". Not an English word ("Client stated"), nor a pronoun ("He said").
        let eponym_speaks =
            keep && w.cap && b.len() >= 5 && c.surname(i) && !c.info[i].ent.is(F_ENGLISH) && speech;
        if keep && !title && !eponym_speaks {
            continue;
        }
        if title || relation {
            if w.cap && !calendar && (!english || named || title) {
                c.set(i, EntityType::Name, 0.9);
                continue;
            }
            if !w.cap && !english && !calendar {
                c.set(i, EntityType::Name, 0.75);
                continue;
            }
            if !w.cap && c.first_name(i) && (speech || next_verbish) {
                c.set(i, EntityType::Name, 0.6);
                continue;
            }
        }
        if calendar || c.info[i].ent.is(F_REGION) && !c.first_name(i) {
            continue;
        }
        if c.lower_is(i, B_TITLE)
            && w.cap
            && i + 1 < n
            && matches!(c.words[i + 1].gap, Gap::Space | Gap::PeriodSpace)
            && c.words[i + 1].cap
        {
            // The title itself: "Det. Sarah Kowalski", "Coach Carter".
            continue;
        }
        if w.all_caps
            && (b.len() <= 2
                || b.len() <= 5 && english
                || b.len() <= 6 && !named && !c.shouting
                || b.contains('-') && b.split('-').all(|p| p.len() <= 4))
        {
            // Acronyms: PTSD, CBT, ER, NSTEMI, LIMA-LAD. Longer words in capitals may be
            // names or towns of an address ("NORSBORG").
            continue;
        }
        if !w.all_caps && b.len() >= 3 && {
            let t = c.text.as_bytes();
            t[w.start].is_ascii_uppercase() && t[w.start + 1].is_ascii_uppercase()
        } {
            // Capitals then lowercase letters are shorthand, not names: AFib, HFpEF, ADLs.
            continue;
        }
        if attached_to_digit(c.text.as_bytes(), w.start, w.end) {
            // Part of a code or measure: SpO2, T4, 3rdFloor.
            continue;
        }
        let after_initial = i > 0
            && c.words[i].gap == Gap::PeriodSpace
            && c.words[i - 1].cap
            && c.words[i - 1].base().chars().count() == 1;
        if w.cap && after_initial && (named || !english) {
            c.set(i, EntityType::Name, 0.8);
            continue;
        }
        if w.cap {
            if named && !english {
                c.set(i, EntityType::Name, 0.9);
            } else if named {
                let next_surname = i + 1 < n
                    && c.joined(i + 1)
                    && c.words[i + 1].cap
                    && (w.all_caps || !c.words[i + 1].all_caps)
                    && c.named(i + 1)
                    && !c.english(i + 1)
                    && !c.calendar(i + 1);
                let mid = !w.sentence_start && c.first_name(i);
                let possessive = w.base_len < w.lower.len() && !w.sentence_start;
                let aux = w.sentence_start
                    && c.first_name(i)
                    && i + 1 < n
                    && c.joined(i + 1)
                    && c.lower_is(i + 1, B_AUX)
                    && !c.lower_is(i, B_VIRTUE);
                let verb_after = w.sentence_start
                    && c.first_name(i)
                    && !c.lower_is(i, B_VIRTUE)
                    && i + 1 < n
                    && c.joined(i + 1)
                    && !c.words[i + 1].cap
                    && {
                        let nb = c.words[i + 1].base();
                        (nb.ends_with('s') && !nb.ends_with("ss") && nb.len() > 3)
                            || nb.ends_with("ed")
                    };
                if speech || next_surname || mid || possessive || aux || verb_after {
                    c.set(i, EntityType::Name, 0.7);
                }
            } else if !english && b.len() > 2 && !term_shaped(b) && !inflected(c.d, b) {
                // Two letters on no name list are shorthand: Cx, Dx, Tx.
                c.set(i, EntityType::Name, 0.6);
            }
        } else if c.first_name(i) && !english && b.len() >= 3 {
            c.set(i, EntityType::Name, 0.6);
        } else if !english && b.len() >= 3 && !term_shaped(b) && !inflected(c.d, b) {
            // "ok so kenji takahashi said": unknown lowercase words before a speech verb.
            let then_speech = |k: usize| k < n && c.joined(k) && c.lower_is(k, B_SPEECH);
            let surname_then_speech =
                i + 1 < n && c.joined(i + 1) && c.surname(i + 1) && then_speech(i + 2);
            let aux_after = i + 1 < n && c.joined(i + 1) && c.lower_is(i + 1, B_AUX);
            // Lowercase names in messages are short; long words are vocabulary the
            // dictionaries lack ("with fever and hypoxia").
            let object_cue = i > 0
                && b.len() <= 10
                && (c.joined(i) && c.lower_is(i - 1, B_OBJECT)
                    // "w/ jaylen"
                    || c.words[i - 1].lower == "w"
                        && &c.text[c.words[i - 1].end..c.words[i].start] == "/ ");
            // "rafi's mom": a possessive before a relation.
            let owner = w.base_len < w.lower.len()
                && i + 1 < n
                && c.joined(i + 1)
                && c.lower_is(i + 1, B_RELATION);
            if speech || surname_then_speech || aux_after || object_cue || owner {
                c.set(i, EntityType::Name, 0.55);
                if surname_then_speech {
                    c.set(i + 1, EntityType::Name, 0.55);
                }
            }
        }
    }
}

fn extend_names(c: &mut Ctx<'_>) {
    let n = c.words.len();
    // A second pass reaches the words before names found in the first; when the first
    // found none, it would find none either.
    for _ in 0..2 {
        let mut grew = false;
        for i in 0..n {
            if !matches!(c.info[i].label, Some((EntityType::Name, _))) {
                continue;
            }
            // Forward: surnames and initials after a name.
            let j = i + 1;
            if j < n && c.info[j].label.is_none() && !c.info[j].safe && c.joined(j) {
                let w = &c.words[j];
                let initial =
                    w.cap && w.base().chars().count() == 1 && c.text[w.end..].starts_with('.');
                let lower_pair = !c.words[i].cap && !w.cap && c.surname(j) && !c.english(j);
                // A kept word that is a surname too follows a first name: "Tom Parkinson".
                let kept_surname = c.words[i].cap
                    && c.first_name(i)
                    && c.surname(j)
                    && !c.info[j].ent.is(F_ENGLISH)
                    && w.base().len() >= 5;
                if (w.cap
                    && !c.calendar(j)
                    && (!c.info[j].ent.is(F_KEEP) || kept_surname)
                    && (c.named(j) || !c.english(j)))
                    || initial
                    || lower_pair
                {
                    grew |= c.set(j, EntityType::Name, 0.8);
                }
            }
            // Backward: a first name or initial before a flagged surname.
            if i > 0 && c.info[i - 1].label.is_none() && !c.info[i - 1].safe && c.joined(i) {
                let w = &c.words[i - 1];
                let initial = w.cap && w.base().chars().count() == 1;
                let lower_first = !w.cap
                    && !c.words[i].cap
                    && w.base().len() >= 3
                    && !c.english(i - 1)
                    && !c.info[i - 1].ent.is(F_KEEP);
                if lower_first {
                    grew |= c.set(i - 1, EntityType::Name, 0.6);
                } else if w.cap
                    && !c.calendar(i - 1)
                    && !c.info[i - 1].ent.is(F_KEEP)
                    && (c.first_name(i - 1) || initial)
                {
                    grew |= c.set(i - 1, EntityType::Name, 0.8);
                }
            }
        }
        if !grew {
            break;
        }
    }
}

fn emit(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let mut i = 0;
    let n = c.words.len();
    while i < n {
        let Some((kind, score)) = c.info[i].label else {
            i += 1;
            continue;
        };
        let start = c.words[i].start;
        let mut j = i;
        let mut min_score = score;
        while j + 1 < n
            && (c.joined(j + 1)
                || kind == EntityType::Organization && c.words[j + 1].gap == Gap::Ampersand)
            && (kind != EntityType::Name || c.words[j].base_len == c.words[j].lower.len())
        {
            match c.info[j + 1].label {
                Some((k, s)) if k == kind => {
                    min_score = min_score.max(s);
                    j += 1;
                }
                _ => break,
            }
        }
        let end = c.words[j].base_end;
        out.push(Span {
            start,
            end,
            kind,
            score: min_score,
        });
        i = j + 1;
    }
}
