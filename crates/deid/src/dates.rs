//! Dates in every common written form, and shifting them by a fixed number of days.
//!
//! A year alone, weekday names and relative dates ("last week") are not
//! identifiers under Safe Harbor and are left alone.

use crate::dict::month_number;
use crate::entity::{EntityType, Span};
use crate::starts::{StartRegex, Starts, C_DATE};
use crate::text::{window_end, window_start};

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const ORD: &str = r"[0-9]{1,2}(?:st|nd|rd|th)?";
const RANGE: &str = r"(?: ?(?:-|–|to|through|and) ?";

/// Compiled date patterns.
pub(crate) struct DateScanner {
    iso: StartRegex,
    numeric: StartRegex,
    short: StartRegex,
    written: StartRegex,
}

/// Words before "7/10" that make it a rating, not a date.
const RATING_CUES: &[&str] = &[
    "rated",
    "rates",
    "rating",
    "rate",
    "scored",
    "score",
    "scores",
    "at",
    "a",
    "it",
    "anxiety",
    "pain",
    "mood",
    "depression",
    "stress",
    "sleep",
    "energy",
    "was",
    "is",
    "about",
    "around",
    "as",
    "of",
    "level",
    "craving",
    "cravings",
    "urge",
    "urges",
    "suds",
    "strength",
    "power",
    "motor",
    "grip",
];

/// Words after which "8/10" is a date even though it could be a score.
const DATE_LEADS: &[&str] = &[
    "on",
    "since",
    "from",
    "until",
    "till",
    "til",
    "thru",
    "through",
    "by",
    "before",
    "after",
    "dated",
    "date",
    "dos",
    "seen",
    "visit",
    "appt",
    "appointment",
    "scheduled",
    "starting",
    "effective",
    "last",
    "next",
    "this",
    "due",
    "admitted",
    "discharged",
    "u",
    "fu",
    "followup",
    "rtc",
    "return",
    "returns",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "and",
    "or",
    "to",
    "of",
    "born",
    "dob",
    "called",
    "call",
    "expires",
    "exp",
    "signed",
    "received",
    "sent",
    "faxed",
    "mailed",
    "week",
    "wk",
    "session",
    "sessions",
    "group",
    "intake",
    "eval",
    "evaluation",
    "note",
    "letter",
    "started",
    "stopped",
    "ended",
    "begin",
    "began",
    "starts",
    "ends",
    "held",
    "cancelled",
    "canceled",
    "missed",
    "rescheduled",
    "moved",
    "at",
    "as",
    "in",
    "for",
    "the",
    "was",
    "is",
    "be",
    "are",
    "were",
    "will",
    "again",
    "around",
    "about",
    "approx",
];

/// Words before "14/6" that make it a machine setting or a ratio, not a date.
const SETTING_CUES: &[&str] = &["bipap", "cpap", "vent", "settings", "ratio", "peep"];

/// Words that make a bare month name a date: "in March", "since May".
const MONTH_CUES: &[&str] = &[
    "in",
    "since",
    "until",
    "till",
    "by",
    "early",
    "late",
    "mid",
    "of",
    "last",
    "next",
    "this",
    "during",
    "before",
    "after",
    "from",
    "through",
    "on",
    "around",
    "end",
    "beginning",
];

impl DateScanner {
    pub fn new() -> DateScanner {
        DateScanner {
            iso: StartRegex::new(r"\b[0-9]{4}[\-/.][0-9]{1,2}[\-/.][0-9]{1,2}\b"),
            numeric: StartRegex::new(r"\b[0-9]{1,2}[/\-.][0-9]{1,2}[/\-.](?:[0-9]{4}|[0-9]{2})\b"),
            short: StartRegex::new(r"\b[0-9]{1,2}/[0-9]{1,2}\b"),
            written: StartRegex::new(&format!(
                r"(?i)\b(?:(?:the )?{ORD}{RANGE}{ORD})? (?:of )?{MONTH}\b\.?(?:,? [0-9]{{4}}\b)?|{MONTH}\b\.?(?: (?:the )?{ORD}\b{RANGE}{ORD}\b)?)?(?:,? (?:[0-9]{{4}}\b|'[0-9]{{2}}\b))?)"
            )),
        }
    }

    /// Appends the dates of `text` to `out`.
    pub fn find(&self, text: &str, st: &Starts, out: &mut Vec<Span>) {
        let bytes = text.as_bytes();
        let digit = st.gates.digit;
        let glued = |s: usize, e: usize| {
            (s > 0
                && (bytes[s - 1].is_ascii_digit() || bytes[s - 1] == b'/' || bytes[s - 1] == b'.'))
                || bytes
                    .get(e)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'/')
        };
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let sep = |i: usize| matches!(at(i), b'-' | b'/' | b'.');
        // `\b[0-9]{4}[\-/.]`
        let iso_start = |i: usize| (1..4).all(|k| at(i + k).is_ascii_digit()) && sep(i + 4);
        for m in self.iso.find_at(
            text,
            st.digit_word.iter().copied().filter(|&i| iso_start(i)),
        ) {
            let p: Vec<u32> = nums(m.as_str());
            if p.len() == 3
                && (1..=12).contains(&p[1])
                && (1..=31).contains(&p[2])
                && !glued(m.start(), m.end())
            {
                out.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind: EntityType::Date,
                    score: 0.95,
                });
            }
        }
        // `\b[0-9]{1,2}[/\-.]`
        let numeric_start = |i: usize| sep(i + 1) || at(i + 1).is_ascii_digit() && sep(i + 2);
        for m in self.numeric.find_at(
            text,
            st.digit_word.iter().copied().filter(|&i| numeric_start(i)),
        ) {
            let p = nums(m.as_str());
            // Both separators alike: "3/4/21" and "3-4-21" are dates, "5-8/10" a range of scores.
            let mut seps = m
                .as_str()
                .bytes()
                .filter(|b| matches!(b, b'/' | b'-' | b'.'));
            let same_separators = seps.next() == seps.next();
            if p.len() == 3 && same_separators && valid_md(p[0], p[1]) && !glued(m.start(), m.end())
            {
                out.push(Span {
                    start: m.start(),
                    end: m.end(),
                    kind: EntityType::Date,
                    score: 0.9,
                });
            }
        }
        // `\b[0-9]{1,2}/`
        let short_start =
            |i: usize| at(i + 1) == b'/' || at(i + 1).is_ascii_digit() && at(i + 2) == b'/';
        for m in self.short.find_at(
            text,
            st.digit_word.iter().copied().filter(|&i| short_start(i)),
        ) {
            let p = nums(m.as_str());
            if p.len() != 2 || !valid_md(p[0], p[1]) || glued(m.start(), m.end()) {
                continue;
            }
            // "24/7" is round the clock, and "16/4 mg" a dose.
            let dose = {
                let after = text[m.end()..].trim_start_matches(' ');
                let unit = after
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .next()
                    .unwrap_or("");
                matches!(
                    unit,
                    "mg" | "mcg"
                        | "g"
                        | "ml"
                        | "mL"
                        | "units"
                        | "tabs"
                        | "mmHg"
                        | "ppd"
                        | "sessions"
                        | "groups"
                        | "visits"
                        | "attended"
                        | "present"
                        | "correct"
                )
            };
            if SETTING_CUES.contains(&prev_word(text, m.start()).as_str())
                || p[..] == [24, 7]
                || dose
            {
                continue;
            }
            // Ratings ("anxiety 7/10", "scored 3/5") are not dates. A score out of 10, or out
            // of three to seven, after a word that does not lead to a date ("anxious 8/10",
            // "naming 2/6", "intensity 5-8/10", "dread 7/10 -> 5/10") is one.
            if p[1] == 10 && p[0] <= 10 || (3..=7).contains(&p[1]) && p[0] <= p[1] {
                let before = prev_word(text, m.start());
                let lead = text[..m.start()].trim_end_matches(' ');
                // "5-8/10" is a range of scores, but "4/4-4/6" one of dates.
                let range_or_arrow = lead.ends_with("->")
                    || lead.ends_with('-') && {
                        let before_dash = &lead[..lead.len() - 1];
                        let number = before_dash
                            .rsplit(|c: char| !c.is_ascii_digit() && c != '/')
                            .next()
                            .unwrap_or("");
                        !number.is_empty() && !number.contains('/')
                    };
                // The word must be written in lowercase ("Labs 4/10:", "Last BM 4/10" and
                // "by TK 6/10" head or close entries of a chart), and no colon follow.
                let word_lead = !before.is_empty()
                    && lead.ends_with(|c: char| c.is_lowercase())
                    && lead
                        .chars()
                        .rev()
                        .take_while(|c| c.is_alphabetic())
                        .all(|c| !c.is_uppercase())
                    && !DATE_LEADS.contains(&before.as_str())
                    && !text[m.end()..].starts_with(':');
                // "SUD: 8/10", "VOC: 2/7": a score after its label.
                let label = lead.strip_suffix(':').is_some_and(|l| {
                    let word: String = l
                        .chars()
                        .rev()
                        .take_while(|c| c.is_alphanumeric() || *c == '-')
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<String>()
                        .to_lowercase();
                    RATING_CUES.contains(&word.as_str())
                        || matches!(
                            word.as_str(),
                            "sud" | "voc" | "sud's" | "distress" | "intensity"
                        )
                });
                // "urge (8/10)": a score in parentheses of its own.
                let paren = lead.ends_with('(') && text[m.end()..].starts_with(')');
                if range_or_arrow || word_lead || label || paren {
                    continue;
                }
            }
            // "KE 4-/5, DF 2/5": muscle strength graded out of five, after the muscle's
            // abbreviation, in a line of such grades.
            if p[1] == 5 && p[0] <= 5 {
                let lead = text[..m.start()].trim_end_matches(' ');
                let letters = lead
                    .bytes()
                    .rev()
                    .take_while(u8::is_ascii_uppercase)
                    .count();
                let abbrev = &lead[lead.len() - letters..];
                let date_field = matches!(
                    abbrev,
                    "DOS" | "DOB" | "DOA" | "DOD" | "RTC" | "LMP" | "EDD" | "ADM" | "DC" | "FU"
                );
                let grades_near = || {
                    let from = window_start(text, m.start(), 40);
                    let to = window_end(text, m.end(), 40);
                    let near = |t: &str| t.matches("/5").count();
                    let before_line = text[from..m.start()].rsplit('\n').next().unwrap_or("");
                    let after_line = text[m.end()..to].split('\n').next().unwrap_or("");
                    near(before_line) + near(after_line) >= 1
                };
                if (2..=3).contains(&letters)
                    && (lead.len() == letters
                        || !lead.as_bytes()[lead.len() - letters - 1].is_ascii_alphanumeric())
                    && !date_field
                    && grades_near()
                {
                    continue;
                }
            }
            if p[1] == 10 || p[1] == 5 && p[0] <= 5 {
                let before = prev_word(text, m.start());
                let after = text[m.end()..].trim_start().to_ascii_lowercase();
                let rating_before = RATING_CUES.contains(&before.as_str());
                let rating_after = [
                    "on ",
                    "scale",
                    "for ",
                    "in ",
                    "today",
                    "this week",
                    "strength",
                    "throughout",
                    "bilat",
                ]
                .iter()
                .any(|c| after.starts_with(c));
                if rating_before || rating_after {
                    continue;
                }
            }
            out.push(Span {
                start: m.start(),
                end: m.end(),
                kind: EntityType::Date,
                score: 0.75,
            });
        }
        // Month and year ("6/2087", "11/2019"), and day, month name and year run together
        // as charts write them ("14-Apr-2078", "14Apr2078", "3-JUNE-79").
        for &i in &st.digit_word {
            let end = if short_start(i) {
                month_year_end(bytes, i)
            } else {
                compact_date_end(bytes, i)
            };
            if let Some(end) = end.filter(|&end| !glued(i, end)) {
                out.push(Span {
                    start: i,
                    end,
                    kind: EntityType::Date,
                    score: if bytes[i..end].contains(&b'/') {
                        0.85
                    } else {
                        0.9
                    },
                });
            }
        }
        // A written date starts with a month name, "the " or a day number followed by a
        // space, a dash or an ordinal suffix.
        let mut written_starts: Vec<usize> = st.cued(C_DATE).collect();
        if digit {
            let day_start = |i: usize| {
                let j = if at(i + 1).is_ascii_digit() {
                    i + 2
                } else {
                    i + 1
                };
                matches!(
                    at(j),
                    b' ' | b'-' | 0xe2 | b's' | b'n' | b'r' | b't' | b'S' | b'N' | b'R' | b'T'
                )
            };
            written_starts.extend(st.digit_word.iter().copied().filter(|&i| day_start(i)));
            written_starts.sort_unstable();
        }
        for m in self.written.find_at(text, written_starts.into_iter()) {
            let s = m.as_str();
            let mut start = m.start();
            if s.len() > 4 && s.as_bytes()[..4].eq_ignore_ascii_case(b"the ") {
                start += 4;
            }
            let has_digit = s.bytes().any(|b| b.is_ascii_digit());
            if !has_digit {
                // A month name alone: "in March". "may" alone is a verb, "Jan" a name.
                let word = s.trim_end_matches('.');
                let lower = word.to_ascii_lowercase();
                let full = matches!(
                    lower.as_str(),
                    "january"
                        | "february"
                        | "march"
                        | "april"
                        | "may"
                        | "june"
                        | "july"
                        | "august"
                        | "september"
                        | "october"
                        | "november"
                        | "december"
                );
                let cap = word.starts_with(|c: char| c.is_ascii_uppercase());
                let prev = prev_word(text, m.start());
                let cued = MONTH_CUES.contains(&prev.as_str());
                // "in aug", "last Oct", "since Sept.": an abbreviation alone after a cue
                // ("dec" and "mar" are words, "jan" a name too).
                let short = matches!(
                    lower.as_str(),
                    "feb" | "apr" | "jun" | "jul" | "aug" | "sept" | "oct" | "nov"
                );
                // "the Fourth of July" is a holiday.
                let holiday = lower == "july" && {
                    let before = text[..m.start()].trim_end_matches(' ');
                    before.len() >= 9
                        && before.is_char_boundary(before.len() - 9)
                        && before[before.len() - 9..].eq_ignore_ascii_case("fourth of")
                };
                let ok = (full && ((cap && lower != "may") || cued) && (lower != "may" || cap)
                    || short && cued)
                    && !holiday;
                if !ok {
                    continue;
                }
            } else if !written_valid(s) {
                continue;
            }
            // "in May." ends a sentence: the period after a whole month name is not part
            // of the date ("Sept." keeps its period).
            let mut end = m.end();
            if let Some(body) = s.strip_suffix('.') {
                let last = body
                    .rsplit(|c: char| !c.is_ascii_alphabetic())
                    .next()
                    .unwrap_or("");
                if last.len() > 4
                    || matches!(last.to_ascii_lowercase().as_str(), "may" | "june" | "july")
                {
                    end -= 1;
                }
            }
            out.push(Span {
                start,
                end,
                kind: EntityType::Date,
                score: 0.9,
            });
        }
    }
}

/// The end of a date `M/YYYY` or `MM/YYYY` starting at `i` (a digit at a word start, followed
/// by a slash within two bytes): a month from 1 to 12, a year from 1000 to 2999, and no
/// letter or digit after.
fn month_year_end(bytes: &[u8], i: usize) -> Option<usize> {
    let slash = if bytes.get(i + 1) == Some(&b'/') {
        i + 1
    } else {
        i + 2
    };
    let end = slash + 5;
    let year = bytes.get(slash + 1..end)?;
    if !year.iter().all(u8::is_ascii_digit)
        || bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let p = nums(std::str::from_utf8(&bytes[i..end]).ok()?);
    (p.len() == 2 && (1..=12).contains(&p[0]) && (1000..=2999).contains(&p[1])).then_some(end)
}

/// The end of a date `DD[-]Mon[-]YY(YY)` starting at `i` (a digit at a word start): a day
/// of one or two digits, a month name or abbreviation, a year of two or four digits, with
/// both hyphens or neither, and no letter or digit after.
fn compact_date_end(bytes: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let day_len = digits(i);
    if !(1..=2).contains(&day_len) {
        return None;
    }
    let day: u32 = std::str::from_utf8(&bytes[i..i + day_len])
        .ok()?
        .parse()
        .ok()?;
    let mut j = i + day_len;
    let hyphen = bytes.get(j) == Some(&b'-');
    if hyphen {
        j += 1;
    }
    let letters = bytes[j..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if !(3..=9).contains(&letters) {
        return None;
    }
    month_number(std::str::from_utf8(&bytes[j..j + letters]).ok()?)?;
    j += letters;
    if hyphen {
        if bytes.get(j) != Some(&b'-') {
            return None;
        }
        j += 1;
    }
    let year_len = digits(j);
    let end = j + year_len;
    let after_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
    ((1..=31).contains(&day) && (year_len == 2 || year_len == 4) && after_ok).then_some(end)
}

fn prev_word(text: &str, pos: usize) -> String {
    let t = text[..pos].trim_end_matches([' ', '-']);
    // The word starts after the last character that is not a letter (of any width).
    let start = t
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    t[start..].to_lowercase()
}

fn valid_md(a: u32, b: u32) -> bool {
    ((1..=12).contains(&a) && (1..=31).contains(&b))
        || ((1..=31).contains(&a) && (1..=12).contains(&b))
}

fn written_valid(s: &str) -> bool {
    // Every day number must be a possible day; a lone "may 5" is still taken (recall first).
    let n = nums(s);
    n.iter()
        .all(|&v| (1..=31).contains(&v) || (1000..=2999).contains(&v) || v < 100)
}

fn nums(s: &str) -> Vec<u32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty() && p.len() <= 4)
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn shift_ymd(y: i64, m: u32, d: u32, days: i64) -> (i64, u32, u32) {
    let d = d.min(days_in_month(y, m));
    civil_from_days(days_from_civil(y, m, d) + days)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Shifts the date written in `s` by `days`, keeping its style; `None` when it cannot be read.
pub(crate) fn shift(s: &str, days: i64) -> Option<String> {
    let n = nums(s);
    let month_word = s.split(|c: char| !c.is_alphabetic()).find_map(|w| {
        if w.len() >= 3 {
            month_number(w)
        } else {
            None
        }
    });
    // Placeholder year for dates written without one (a non-leap year).
    const NO_YEAR: i64 = 2001;
    if let Some(m) = month_word {
        let year = n.iter().copied().find(|&v| v >= 1000).map(i64::from);
        let day = n.iter().copied().find(|&v| (1..=31).contains(&v));
        let y = year.unwrap_or(NO_YEAR);
        return Some(match day {
            Some(d) => {
                let (y2, m2, d2) = shift_ymd(y, m, d, days);
                let name = MONTH_NAMES[(m2 - 1) as usize];
                match year {
                    Some(_) => format!("{name} {d2}, {y2}"),
                    None => format!("{name} {d2}"),
                }
            }
            None => {
                let (y2, m2, _) = shift_ymd(y, m, 15, days);
                let name = MONTH_NAMES[(m2 - 1) as usize];
                match year {
                    Some(_) => format!("{name} {y2}"),
                    None => name.to_string(),
                }
            }
        });
    }
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    match *n.as_slice() {
        [a, b, c] if a >= 1000 => {
            let (y, m, d) = shift_ymd(i64::from(a), b, c, days);
            Some(format!("{y:04}{sep}{m:02}{sep}{d:02}"))
        }
        [a, b, c] => {
            let year = if c < 100 {
                2000 + i64::from(c)
            } else {
                i64::from(c)
            };
            let (m, d) = if a > 12 { (b, a) } else { (a, b) };
            let (y, m2, d2) = shift_ymd(year, m, d, days);
            let ys = if c < 100 {
                format!("{:02}", y.rem_euclid(100))
            } else {
                y.to_string()
            };
            Some(if a > 12 {
                format!("{d2}{sep}{m2}{sep}{ys}")
            } else {
                format!("{m2}{sep}{d2}{sep}{ys}")
            })
        }
        [m, y] if y >= 1000 => {
            let (y2, m2, _) = shift_ymd(i64::from(y), m, 15, days);
            Some(format!("{m2}{sep}{y2}"))
        }
        [a, b] => {
            let (y, m2, d2) = shift_ymd(NO_YEAR, a, b, days);
            let _ = y;
            Some(format!("{m2}{sep}{d2}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000i64, -1, 0, 1, 11_000, 19_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            days_from_civil(2021, 3, 1) - days_from_civil(2021, 2, 28),
            1
        );
    }
}
