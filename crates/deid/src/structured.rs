//! Structured identifiers: e-mail, URLs and handles, IP and MAC addresses,
//! phone and fax numbers, SSNs, card/IBAN/account numbers, VINs, IMEIs, NPI
//! and DEA numbers, ZIP codes, street addresses, ages over 89, and numbers
//! typed by their context words (MRN, member id, licence, plate …).
//!
//! Every pattern is a linear-time `regex` with ASCII word boundaries, so the
//! lazy DFA handles any haystack; checksums and ranges are verified in code.

use crate::entity::{EntityType, Span};
use crate::starts::{
    Found, StartRegex, Starts, C_ADDRESS, C_AGE, C_ALNUM, C_IBAN, C_ID, C_MAC, C_PO_BOX, C_UNIT,
    C_VIN,
};
use regex::Regex;

/// The compiled patterns, built once per engine.
pub(crate) struct Scanners {
    email: Regex,
    url: Regex,
    domain: StartRegex,
    handle: Regex,
    ipv4: StartRegex,
    ipv6: Regex,
    mac: StartRegex,
    ssn: StartRegex,
    phone: StartRegex,
    intl_phone: StartRegex,
    digits: StartRegex,
    alnum_id: StartRegex,
    iban: StartRegex,
    vin: StartRegex,
    address_cue: StartRegex,
    unit: StartRegex,
    loose_phone: StartRegex,
    cued_id: StartRegex,
    /// The cue of `cued_id` without its value.
    cued_id_cue: StartRegex,
    street: StartRegex,
    street_lower: StartRegex,
    po_box: StartRegex,
    age: StartRegex,
    age_prefix: StartRegex,
}

fn re(pattern: &str) -> Regex {
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    // The patterns are constants; a failure here is a programming error caught by every test.
    #[allow(clippy::expect_used)]
    Regex::new(&pattern).expect("built-in pattern compiles")
}

/// The cue of a number named by the words before it ("MRN:", "member id #"), and the
/// separators after them.
const CUED_ID_CUE: &str = r"(?i)\b(?:mrn|medical record(?: number| no\.?| #)?|med\.? rec\.?(?: number| no\.?| #)?|chart(?: number| no\.?| #)|record (?:number|no\.?|#)|member(?: id| number| no\.?| #)?|policy(?: number| no\.?| #)?|group(?: number| no\.?| #)|subscriber(?: id| number)?|medicaid(?: id| number| #)?|medicare(?: id| number| #)?|insurance(?: id| number| #)|account(?: number| no\.?| #)?|acct\.?(?: number| no\.?| #)?|licen[cs]e(?: number| no\.?| #| plate)?|lic\.?|plate(?: number| #)?|tag(?: number| #)?|dl|permit(?: number| #)?|certificate(?: number| no\.?| #)?|vin|serial(?: number| no\.?| #)?|lot(?: number| no\.?| #)?|imei|device id|case(?: number| no\.?| #| id)|student(?: id| number| #)|employee(?: id| number| #)|badge(?: number| #)?|client id|patient id|id(?: number| no\.?| #)?|ssn|social security(?: number| no\.?| #)?|fingerprint(?: id)?|biometric(?: id)?|voiceprint|npi|dea|unit (?:number|no\.?|#)|mr ?#|pager|pgr|beeper)(?: is|:|#| ?-)?[ :#]*";

/// The number after [`CUED_ID_CUE`] (group 1).
const CUED_ID_VALUE: &str = r"((?:[A-Za-z0-9][A-Za-z0-9\-]{1,24}(?:\.[A-Za-z0-9][A-Za-z0-9\-]*){0,3}|[A-Za-z]\.[0-9][A-Za-z0-9\-]{3,24})(?: [A-Z0-9]{2,5}[0-9][A-Z0-9]{0,4}(?: [A-Z0-9]{2,5}[0-9][A-Z0-9]{0,4})?(?: [0-9]{2,4})?)?)";

/// The street types of the lowercase pattern `street_lower`.
const LOWER_STREET_TYPES: &str = "st|ave|rd|blvd|ln|dr|street|avenue|road|drive|lane";

const STREET_TYPES: &str = "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|circle|cir|highway|hwy|parkway|pkwy|square|sq|trail|trl|crescent|alley|loop|pike|plaza|thruway|turnpike|tpke|freeway|commons|crossing|landing|broadway";

impl Scanners {
    pub fn new() -> Scanners {
        Scanners {
            email: re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
            url: re(r#"(?i:https?://|www\.)[^\s<>"'()\[\]{}]+"#),
            domain: StartRegex::new(
                r"\b[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\.(?i:com|org|net|edu|gov|io|co|us|uk|ca|info|biz|me|ly|app|dev|health|tv|ai|gl)\b(?:/[^\s<>\x22']*)?",
            ),
            handle: re(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"),
            ipv4: StartRegex::new(r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b"),
            ipv6: re(r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]{2,38}"),
            mac: StartRegex::new(r"\b[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}\b"),
            ssn: StartRegex::new(r"\b[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}\b"),
            phone: StartRegex::new(
                r"(?:\+?1[ .\-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .\-])[0-9]{3}[ .\-][0-9]{4}\b(?: ?(?i:x|ext\.?|extension) ?[0-9]{1,6}\b)?",
            ),
            intl_phone: StartRegex::new(r"\+[0-9]{1,3}(?:[ .\-]?\(?[0-9]{1,5}\)?){2,6}\b"),
            digits: StartRegex::new(r"\b[0-9](?:[0-9]|[ \-][0-9]{3,}){4,}\b"),
            alnum_id: StartRegex::new(
                r"\b(?:[A-Za-z]{1,5}[\-#]?[0-9][A-Za-z0-9\-]{2,}|[0-9]{2,}[A-Za-z][A-Za-z0-9\-]*)\b",
            ),
            iban: StartRegex::new(
                r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
            ),
            vin: StartRegex::new(r"\b[A-HJ-NPR-Z0-9]{17}\b"),
            address_cue: StartRegex::new(
                r"(?i)\b(?:address(?:es)?|ship(?:ped)? to|mail(?:ed)? to)(?: is| to| with| as| of| at)?:? +([^\n?!;]{4,120}?)(?:[?!;\n]|\. |\.$| for | by | since | until | on |$)",
            ),
            unit: StartRegex::new(
                r"(?i)\b(?:(?:apt|apartment|suite|ste|unit)\.? ?#?[0-9][0-9A-Za-z\-]*|bldg\.? (?:[0-9]{1,4}|(?-i:[A-Z]))|(?-i:Building (?:[0-9]{1,4}|[A-Z])))\b",
            ),
            loose_phone: StartRegex::new(r"(?:\+|\(|\b0)[0-9][0-9()\- .]{6,20}[0-9]\b"),
            cued_id: StartRegex::new(&format!("{CUED_ID_CUE}{CUED_ID_VALUE}")),
            cued_id_cue: StartRegex::new(CUED_ID_CUE),
            street: StartRegex::new(&format!(
                r"\b[0-9]{{1,6}}[A-Za-z]?(?: (?:[A-Z][A-Za-z'\.\-]*|[0-9]{{1,3}}(?:st|nd|rd|th))){{1,5}} (?i:{STREET_TYPES})\b\.?(?: (?:N|S|E|W|NE|NW|SE|SW)\b\.?)?(?:,? (?i:apt|apartment|unit|suite|ste|#)\.? ?#?[A-Za-z0-9\-]+)?(?:,? (?:[0-9]{{1,2}}(?:st|nd|rd|th)|(?i:first|second|third|fourth|fifth|sixth|ground)) (?i:floor|fl)\b\.?|,? (?i:floor|fl)\.? [0-9]{{1,3}}\b)?"
            )),
            street_lower: StartRegex::new(&format!(
                r"\b[0-9]{{1,6}} [a-z]+(?: [a-z]+)? (?:{LOWER_STREET_TYPES})\b"
            )),
            // Post office boxes, and rural routes and highway contracts with their box
            // ("RR 3 Box 219", "R.D. 1, Box 77", "HC 64 Box 12").
            po_box: StartRegex::new(
                r"(?i)\b(?:p\.? ?o\.? ?box [0-9]+|(?:rr|r\.r\.|rd|r\.d\.|hc|rural route) ?[0-9]{1,4},? box [0-9]{1,5})\b",
            ),
            age: StartRegex::new(
                r"(?i)\b(?:9[0-9]|1[0-9]{2})(?:(?: ?- ?| )?(?:(?:years?|yrs?|y/o|yo)(?:[ \-]old)?\b|y\.o\.)|(?-i:[FM])\b)",
            ),
            age_prefix: StartRegex::new(
                r"(?i)\b(?:age|aged|ages|turns|turned|turning|age of)[ :]+(?:9[0-9]|1[0-9]{2})\b",
            ),
        }
    }

    /// Appends every structured identifier of `text` to `out`.
    pub fn find(&self, text: &str, st: &Starts, out: &mut Vec<Span>) {
        let bytes = text.as_bytes();
        let push = |out: &mut Vec<Span>, start: usize, end: usize, kind, score| {
            out.push(Span {
                start,
                end,
                kind,
                score,
            });
        };
        let g = &st.gates;
        if g.at {
            for m in self.email.find_iter(text) {
                push(out, m.start(), m.end(), EntityType::Email, 0.99);
            }
            for m in self.handle.find_iter(text) {
                let before = bytes.get(m.start().wrapping_sub(1)).copied();
                if m.start() > 0
                    && before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
                {
                    continue;
                }
                let end = trim_punct(text, m.start(), m.end());
                push(out, m.start(), end, EntityType::Url, 0.85);
            }
        }
        for m in gated(&self.url, g.url, text) {
            let end = trim_punct(text, m.start(), m.end());
            push(out, m.start(), end, EntityType::Url, 0.95);
        }
        for m in self
            .domain
            .find_at(text, domain_starts(bytes, &st.domain_dots).into_iter())
        {
            let end = trim_punct(text, m.start(), m.end());
            push(out, m.start(), end, EntityType::Url, 0.8);
        }
        for m in self.ipv4.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| ipv4_start(bytes, i)),
        ) {
            if m.as_str()
                .split('.')
                .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255))
            {
                push(out, m.start(), m.end(), EntityType::Ip, 0.95);
            }
        }
        if g.colon {
            for m in self.ipv6.find_iter(text) {
                let s = m.as_str().trim_end_matches(':');
                if s.matches(':').count() >= 2 && s.parse::<std::net::Ipv6Addr>().is_ok() {
                    push(out, m.start(), m.start() + s.len(), EntityType::Ip, 0.95);
                }
            }
        }
        for m in self.mac.find_at(text, st.cued(C_MAC)) {
            push(out, m.start(), m.end(), EntityType::Device, 0.95);
        }
        for m in self.ssn.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| ssn_start(bytes, i)),
        ) {
            if !digit_boundary(bytes, m.start(), m.end()) {
                continue;
            }
            let d: Vec<u8> = m.as_str().bytes().filter(u8::is_ascii_digit).collect();
            let cue = cue_type(text, m.start());
            if ssn_valid(&d) {
                push(out, m.start(), m.end(), EntityType::Ssn, 0.95);
            } else {
                push(out, m.start(), m.end(), cue.unwrap_or(EntityType::Id), 0.6);
            }
        }
        for m in self.phone.find_at(
            text,
            st.phone.iter().copied().filter(|&i| phone_start(bytes, i)),
        ) {
            if !digit_boundary(bytes, m.start(), m.end()) {
                continue;
            }
            let kind = phone_kind(text, m.start());
            push(out, m.start(), m.end(), kind, 0.9);
        }
        for m in self.intl_phone.find_at(
            text,
            st.opening
                .iter()
                .copied()
                .filter(|&i| g.plus && bytes[i] == b'+'),
        ) {
            let n = m.as_str().bytes().filter(u8::is_ascii_digit).count();
            if (8..=15).contains(&n) {
                push(out, m.start(), m.end(), phone_kind(text, m.start()), 0.85);
            }
        }
        for m in self.digits.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| digits_start(bytes, i)),
        ) {
            self.classify_digits(text, m.start(), m.end(), out);
        }
        for m in self.iban.find_at(text, st.cued(C_IBAN)) {
            if iban_valid(m.as_str()) {
                push(out, m.start(), m.end(), EntityType::Account, 0.95);
            }
        }
        for m in self.address_cue.find_at(text, st.cued(C_ADDRESS)) {
            // "e-mailed to the signers" names no address.
            if text[..m.start()].ends_with("e-") || text[..m.start()].ends_with("E-") {
                continue;
            }
            let Some((_, Some((vstart, vend)))) = self.address_cue.captures_at(text, m, 1) else {
                continue;
            };
            {
                let v = Found::new(text, vstart, vend);
                // An address holds a digit or at least two capitalised words.
                let mut val = v.as_str();
                // States and ZIP codes keep their own handling: stop before ", OH" or a ZIP.
                let vb = val.as_bytes();
                for k in 0..vb.len() {
                    let state = vb[k] == b','
                        && vb.get(k + 1) == Some(&b' ')
                        && vb.get(k + 2).is_some_and(u8::is_ascii_uppercase)
                        && vb.get(k + 3).is_some_and(u8::is_ascii_uppercase)
                        && vb.get(k + 4).is_none_or(|b| !b.is_ascii_alphabetic());
                    let zip = k + 5 <= vb.len()
                        && vb[k..k + 5].iter().all(u8::is_ascii_digit)
                        && (k == 0 || vb[k - 1] == b' ')
                        && vb.get(k + 5).is_none_or(|b| !b.is_ascii_alphanumeric());
                    if state || zip {
                        val = val[..k].trim_end_matches([' ', ',']);
                        break;
                    }
                }
                let caps_words = val
                    .split(' ')
                    .filter(|w| w.starts_with(char::is_uppercase))
                    .count();
                if val.bytes().any(|b| b.is_ascii_digit()) || caps_words >= 2 {
                    let end = trim_punct(text, v.start(), v.start() + val.len());
                    if end > v.start() {
                        push(out, v.start(), end, EntityType::Location, 0.7);
                    }
                }
            }
        }
        for m in self.unit.find_at(text, st.cued(C_UNIT)) {
            push(out, m.start(), m.end(), EntityType::Location, 0.8);
        }
        for m in self.loose_phone.find_at(
            text,
            st.loose_phone(bytes)
                .into_iter()
                .filter(|&i| loose_phone_start(bytes, i)),
        ) {
            let mut s = m.as_str();
            // "(303-555-0191) 01/07/2091", "02-03-2089 14:32": a last group that goes on as a
            // date or a time is not the number's.
            if matches!(bytes.get(m.end()), Some(b'/' | b':')) {
                s = s
                    .rfind(' ')
                    .map_or("", |k| s[..k].trim_end_matches([' ', '-', '.']));
            }
            let end = m.start() + s.len();
            let n = s.bytes().filter(u8::is_ascii_digit).count();
            let groups = s
                .split([' ', '-', '.', '(', ')'])
                .filter(|g| !g.is_empty())
                .count();
            if (9..=15).contains(&n)
                && groups >= 2
                && !ndc_shaped(s)
                && digit_boundary(bytes, m.start(), end)
            {
                // "(617-555-0188)": an opening parenthesis without its closing one is
                // punctuation around the number, not part of it.
                let start = if s.starts_with('(') && !s.contains(')') {
                    m.start() + 1
                } else {
                    m.start()
                };
                push(out, start, end, phone_kind(text, start), 0.7);
            }
        }
        // Medicare beneficiary identifiers: their letters and digits have fixed places.
        for &i in &st.digit_word {
            if let Some(end) = mbi_end(bytes, i) {
                push(out, i, end, EntityType::HealthPlan, 0.9);
            }
        }
        for m in self.vin.find_at(text, st.cued(C_VIN)) {
            if vin_valid(m.as_str().as_bytes()) {
                push(out, m.start(), m.end(), EntityType::Vehicle, 0.95);
            }
        }
        for m in self.alnum_id.find_at(text, st.cued(C_ALNUM)) {
            self.classify_alnum(text, m.start(), m.end(), out);
        }
        for m in self.cued_id.find_at(text, st.cued(C_ID)) {
            // `cued` wants a digit in the value, which ends the match: matches without
            // a digit skip the value's search.
            if !m.as_str().bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some(vstart) = self.cued_value_start(text, m) {
                cued(text, m.start(), vstart, m.end(), out);
            }
        }
        for m in self.street.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| street_start(bytes, i, false)),
        ) {
            // "St." keeps its period; "Street." ends a sentence.
            let s = m.as_str();
            let full_word_then_period = s.ends_with('.')
                && s[..s.len() - 1]
                    .rsplit(' ')
                    .next()
                    .is_some_and(|w| w.len() > 4);
            let end = if full_word_then_period {
                m.end() - 1
            } else {
                m.end()
            };
            push(out, m.start(), end, EntityType::Location, 0.9);
        }
        for m in self.street_lower.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| street_start(bytes, i, true)),
        ) {
            push(out, m.start(), m.end(), EntityType::Location, 0.7);
        }
        for m in self.po_box.find_at(text, st.cued(C_PO_BOX)) {
            push(out, m.start(), m.end(), EntityType::Location, 0.9);
        }
        for m in self.age.find_at(
            text,
            st.digit_word
                .iter()
                .copied()
                .filter(|&i| age_start(bytes, i)),
        ) {
            // "91F" is a woman of 91, but "T 99F" a temperature.
            if m.as_str().ends_with('F') {
                let prior = before(text, m.start(), 16);
                let word = prior.trim_end().rsplit(' ').next().unwrap_or("");
                if matches!(
                    word,
                    "t" | "temp" | "tmax" | "tm" | "fever" | "of" | "to" | "temperature"
                ) {
                    continue;
                }
            }
            let end = m.start() + m.as_str().bytes().take_while(u8::is_ascii_digit).count();
            push(out, m.start(), end, EntityType::Age, 0.9);
        }
        for m in self.age_prefix.find_at(text, st.cued(C_AGE)) {
            let s = m.as_str();
            let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
            push(out, m.end() - digits, m.end(), EntityType::Age, 0.9);
        }
    }

    /// Where the value (group 1) of the `cued_id` match `m` starts; it ends with the match.
    ///
    /// The whole pattern tries the parses of its cue first, in the order the cue's pattern
    /// alone prefers them, and takes the first after which a value can start. So when a
    /// value can start where the cue's preferred parse ends, the value starts there; this
    /// costs one search of the cue, where a capture search backtracks over the whole
    /// pattern, which it still does for the rare other cases.
    fn cued_value_start(&self, text: &str, m: Found<'_>) -> Option<usize> {
        let b = text.as_bytes();
        if let Some(cue) = self
            .cued_id_cue
            .find_at(text, std::iter::once(m.start()))
            .next()
        {
            let v = cue.end();
            // `[A-Za-z0-9][A-Za-z0-9\-]`: the shortest value.
            if v + 2 <= m.end()
                && b[v].is_ascii_alphanumeric()
                && (b[v + 1].is_ascii_alphanumeric() || b[v + 1] == b'-')
            {
                return Some(v);
            }
        }
        let (_, value) = self.cued_id.captures_at(text, m, 1)?;
        value.map(|(start, _)| start)
    }

    fn classify_digits(&self, text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
        let bytes = text.as_bytes();
        if !digit_boundary(bytes, start, end) {
            return;
        }
        // Money and measurements are not identifiers, nor a date's year and the time after
        // it ("2/3/2089 0510").
        if start > 0 && matches!(bytes[start - 1], b'$' | b'.' | b',' | b'/') {
            return;
        }
        // Billing and drug codes name a service or a product, not a person: "CPT 90837",
        // "DRG 291", "NDC 0093-5171-44".
        let prior = before(text, start, 8);
        let prior = prior.trim_end_matches([' ', ':', '#']);
        if prior.ends_with("cpt")
            || prior.ends_with("hcpcs")
            || prior.ends_with("drg")
            || prior.ends_with("ndc")
            || billing_code_list(text, start)
        {
            return;
        }
        let token_end = end
            + bytes[end..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || **b == b'-')
                .count();
        if ndc_shaped(&text[start..token_end]) {
            return;
        }
        let d: Vec<u8> = text[start..end]
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let n = d.len();
        if time_or_year_range(&text[start..end]) {
            return;
        }
        let cue = cue_type(text, start);
        // Psychiatric and visit billing codes ("90837", "99214") name a service; only a cue or
        // a ZIP code's place makes one of them an identifier.
        if cue.is_none() && n == 5 && text[start..end].len() == 5 {
            let v = d.iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
            if ((90785..=90899).contains(&v) || (99201..=99499).contains(&v))
                && !zip_context(text, start)
            {
                return;
            }
        }
        let (kind, score) = if let Some(kind) = cue {
            (kind, 0.9)
        } else if n == 15 && luhn(&d) {
            (EntityType::Device, 0.85)
        } else if (13..=19).contains(&n) && luhn(&d) {
            (EntityType::Account, 0.9)
        } else if n == 10 && npi_valid(&d) {
            (EntityType::Id, 0.8)
        } else if n == 10 && (2..=9).contains(&d[0]) && (2..=9).contains(&d[3]) {
            (EntityType::Phone, 0.7)
        } else if n == 9
            && text.as_bytes().get(start + 5) == Some(&b'-')
            && zip_context(text, start)
        {
            // "MN 56301-3391": a ZIP+4 code, not a social security number.
            (EntityType::Location, 0.9)
        } else if n == 9 && ssn_valid_digits(&d) {
            (EntityType::Ssn, 0.6)
        } else if n == 5 || n == 9 && text[start..end].contains('-') {
            if zip_context(text, start) {
                (EntityType::Location, 0.9)
            } else {
                (EntityType::Id, 0.4)
            }
        } else {
            (EntityType::Id, 0.5)
        };
        out.push(Span {
            start,
            end,
            kind,
            score,
        });
    }

    fn classify_alnum(&self, text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
        let s = &text[start..end];
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
        let upper = s.to_ascii_uppercase();
        // Ordinals, doses and units: 3rd, 20mg, 10am, 5pm, 2nd.
        if digits < 4 && letters <= 3 && !s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        {
            return;
        }
        if is_unit(s) || gravida_para(upper.as_bytes()) || billing_or_scale_code(upper.as_bytes()) {
            return;
        }
        let cue = cue_type(text, start);
        // "89-CR-1142", "2089-DC-00317", "HC-DVD-2090-118": the groups before the letters
        // that start the match belong to the number.
        let start = id_groups_before(text.as_bytes(), start);
        let (kind, score) = if upper.len() == 17 && vin_valid(upper.as_bytes()) {
            (EntityType::Vehicle, 0.95)
        } else if upper.len() == 9 && dea_valid(upper.as_bytes()) {
            (EntityType::License, 0.9)
        } else if iban_valid(&upper) {
            (EntityType::Account, 0.95)
        } else if let Some(kind) = cue {
            (kind, 0.9)
        } else if digits >= 3 {
            (EntityType::Id, 0.6)
        } else {
            return;
        };
        out.push(Span {
            start,
            end,
            kind,
            score,
        });
    }
}

/// A number in a comma-separated list of five-digit codes after "CPT": "CPT 97161, 97110,
/// 97112" (only the first follows the cue itself).
fn billing_code_list(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    let mut i = start;
    // Walk back over ", 12345" items, at most 12 of them.
    for _ in 0..12 {
        if i < 2 || &b[i - 2..i] != b", " {
            return false;
        }
        let end = i - 2;
        let digits = b[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits != 5 {
            return false;
        }
        i = end - digits;
        // Bytes, not characters: the eight before may cut one.
        let mut lead = &b[i.saturating_sub(8)..i];
        while let [rest @ .., b' ' | b':' | b'#'] = lead {
            lead = rest;
        }
        let ends = |w: &[u8]| {
            lead.len() >= w.len() && lead[lead.len() - w.len()..].eq_ignore_ascii_case(w)
        };
        if ends(b"cpt") || ends(b"hcpcs") || ends(b"codes") {
            return true;
        }
    }
    false
}

/// "0093-5171-44": ten digits in a national drug code's groups of 4-4-2, 5-3-2 or 5-4-1,
/// separated by hyphens or spaces.
fn ndc_shaped(s: &str) -> bool {
    let mut sizes = [0usize; 3];
    let mut groups = 0;
    for g in s.split([' ', '-', '.', '(', ')']).filter(|g| !g.is_empty()) {
        if groups == 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        sizes[groups] = g.len();
        groups += 1;
    }
    groups == 3 && matches!(sizes, [4, 4, 2] | [5, 3, 2] | [5, 4, 1])
}

/// The start of an identifier whose match begins at `start`, taking in up to two groups of
/// one to five letters or digits joined to it by hyphens, when the first opens a word.
fn id_groups_before(b: &[u8], start: usize) -> usize {
    let mut s = start;
    for _ in 0..2 {
        if s < 2 || b[s - 1] != b'-' {
            break;
        }
        let k = b[..s - 1]
            .iter()
            .rev()
            .take(6)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let first = s - 1 - k;
        let opens_word =
            first == 0 || matches!(b[first - 1], b' ' | b'\t' | b'\n' | b'#' | b':' | b'(');
        if k == 0 || k > 5 || !opens_word {
            break;
        }
        s = first;
    }
    s
}

/// The end of a Medicare beneficiary identifier starting at `i`: eleven places, digit 1-9,
/// letter, letter or digit, digit, letter, letter or digit, digit, letter, letter, digit,
/// digit, with hyphens allowed after the fourth and seventh ("1EG4-TE5-MK72"); the letters
/// leave out S, L, O, I, B and Z. `None` for anything else.
pub(crate) fn mbi_end(b: &[u8], i: usize) -> Option<usize> {
    // Most digit words fail here: a letter must follow the first digit.
    if !b.get(i + 1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let letter =
        |c: u8| c.is_ascii_uppercase() && !matches!(c, b'S' | b'L' | b'O' | b'I' | b'B' | b'Z');
    let either = |c: u8| c.is_ascii_digit() || letter(c);
    let mut at = i;
    for place in 0..11 {
        if (place == 4 || place == 7) && b.get(at) == Some(&b'-') {
            at += 1;
        }
        let c = *b.get(at)?;
        let ok = match place {
            0 => (b'1'..=b'9').contains(&c),
            1 | 4 | 7 | 8 => letter(c),
            2 | 5 => either(c),
            _ => c.is_ascii_digit(),
        };
        if !ok {
            return None;
        }
        at += 1;
    }
    let boundary = (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        && b.get(at)
            .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'-');
    boundary.then_some(at)
}

/// "2004-2010" or "0700-1930": a span of years or a shift, no identifier.
fn time_or_year_range(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || b[4] != b'-' {
        return false;
    }
    let num = |x: &[u8]| {
        x.iter().try_fold(0u32, |a, &c| {
            c.is_ascii_digit().then(|| a * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(a), Some(z)) = (num(&b[..4]), num(&b[5..])) else {
        return false;
    };
    let year = |v: u32| (1900..=2100).contains(&v);
    let time = |v: u32| v / 100 < 24 && v % 100 < 60;
    year(a) && year(z) && a <= z || time(a) && time(z)
}

/// A behavioural-health billing code ("H0015", "T1017", "G0444", "S9480") or a Glasgow
/// coma score written out ("E4V5M6"): no identifier.
fn billing_or_scale_code(s: &[u8]) -> bool {
    let hcpcs = s.len() == 5
        && matches!(s[0], b'H' | b'T' | b'G' | b'S' | b'J')
        && s[1..].iter().all(u8::is_ascii_digit);
    let gcs = s.len() == 6
        && s[0] == b'E'
        && s[2] == b'V'
        && s[4] == b'M'
        && [s[1], s[3], s[5]].iter().all(u8::is_ascii_digit);
    hcpcs || gcs
}

/// An obstetric history in capitals, `G[0-9]{1,2}P[0-9]{1,4}`: "G3P1011" is no identifier.
fn gravida_para(s: &[u8]) -> bool {
    let digits = |from: usize| {
        s.iter()
            .skip(from)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let g = digits(1);
    let p = digits(2 + g);
    s.first() == Some(&b'G')
        && (1..=2).contains(&g)
        && s.get(1 + g) == Some(&b'P')
        && (1..=4).contains(&p)
        && s.len() == 2 + g + p
}

/// Where a domain can start: the label starts (an ASCII letter or digit after a byte that is
/// no word byte) in each run of `[A-Za-z0-9.-]` that holds one of `dots` (see
/// [`Starts::domain_dots`]). The domain pattern's matches all start at one of these, in
/// ascending order.
fn domain_starts(b: &[u8], dots: &[usize]) -> Vec<usize> {
    let in_run = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    let mut out = Vec::new();
    let mut done = 0;
    for &dot in dots {
        if dot < done {
            continue;
        }
        let mut start = dot;
        while start > done && in_run(b[start - 1]) {
            start -= 1;
        }
        let mut end = dot + 1;
        while end < b.len() && in_run(b[end]) {
            end += 1;
        }
        for k in start..end {
            let boundary = k == 0 || !(b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_');
            if b[k].is_ascii_alphanumeric() && boundary {
                out.push(k);
            }
        }
        done = end;
    }
    out
}

/// One of the domain pattern's top-level domains starts at `i` and ends at an ASCII word boundary.
pub(crate) fn top_level_domain_at(b: &[u8], i: usize) -> bool {
    const TLDS: [&[u8]; 20] = [
        b"com", b"org", b"net", b"edu", b"gov", b"io", b"co", b"us", b"uk", b"ca", b"info", b"biz",
        b"me", b"ly", b"app", b"dev", b"health", b"tv", b"ai", b"gl",
    ];
    let rest = &b[i.min(b.len())..];
    let len = rest
        .iter()
        .take(7)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (2..=6).contains(&len) && TLDS.iter().any(|t| t.eq_ignore_ascii_case(&rest[..len]))
}

fn byte_at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn digit_at(b: &[u8], i: usize) -> bool {
    byte_at(b, i).is_ascii_digit()
}

// Where each anchored pattern can start: necessary conditions read off its regex.

/// `\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]`
fn ipv4_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    for k in 0..4 {
        let digits = b[j.min(b.len())..]
            .iter()
            .take(4)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=3).contains(&digits) {
            return false;
        }
        j += digits;
        if k < 3 {
            if byte_at(b, j) != b'.' {
                return false;
            }
            j += 1;
        }
    }
    true
}

/// `\b[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}`
pub(crate) fn mac_start(b: &[u8], i: usize) -> bool {
    (0..6).all(|k| {
        let j = i + 3 * k;
        byte_at(b, j).is_ascii_hexdigit()
            && byte_at(b, j + 1).is_ascii_hexdigit()
            && (k == 5 || matches!(byte_at(b, j + 2), b':' | b'-'))
    })
}

/// `\b[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}`
fn ssn_start(b: &[u8], i: usize) -> bool {
    let sep = |j: usize| matches!(byte_at(b, j), b'-' | b' ');
    let digits = |j: usize, n: usize| (j..j + n).all(|k| digit_at(b, k));
    digits(i, 3) && sep(i + 3) && digits(i + 4, 2) && sep(i + 6) && digits(i + 7, 4)
}

/// `(?:\+?1[ .\-]?)?(?:\([0-9]{3}\)|[0-9]{3}[ .\-])`
fn phone_start(b: &[u8], i: usize) -> bool {
    let sep = |j: usize| matches!(byte_at(b, j), b' ' | b'.' | b'-');
    // Most digits start none of the forms below: each begins with `(`, `+` or `1`, or
    // has a separator three bytes on.
    if !matches!(b[i], b'(' | b'+' | b'1') && !sep(i + 3) {
        return false;
    }
    let digits = |j: usize, n: usize| (j..j + n).all(|k| digit_at(b, k));
    // The exchange and line: `[0-9]{3}[ .\-][0-9]{4}`.
    let rest = |j: usize| digits(j, 3) && sep(j + 3) && digits(j + 4, 4);
    let area = |j: usize| {
        byte_at(b, j) == b'('
            && digits(j + 1, 3)
            && byte_at(b, j + 4) == b')'
            && (rest(j + 5) || byte_at(b, j + 5) == b' ' && rest(j + 6))
            || digits(j, 3) && sep(j + 3) && rest(j + 4)
    };
    let after_one = |j: usize| area(j) || sep(j) && area(j + 1);
    area(i)
        || b[i] == b'1' && after_one(i + 1)
        || b[i] == b'+' && byte_at(b, i + 1) == b'1' && after_one(i + 2)
}

/// `\b[0-9](?:[0-9]|[ \-][0-9]{3,}){4,}`: the four repetitions, each at its shortest.
fn digits_start(b: &[u8], i: usize) -> bool {
    let mut j = i + 1;
    for _ in 0..4 {
        if digit_at(b, j) {
            j += 1;
        } else if matches!(byte_at(b, j), b' ' | b'-') && (1..4).all(|k| digit_at(b, j + k)) {
            j += 4;
        } else {
            return false;
        }
    }
    true
}

/// `\b[0-9]{1,6}[A-Za-z]? [A-Z0-9]` (`lower`: `\b[0-9]{1,6} [a-z]`).
fn street_start(b: &[u8], i: usize, lower: bool) -> bool {
    let digits = b[i..]
        .iter()
        .take(7)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits > 6 {
        return false;
    }
    let mut j = i + digits;
    if lower {
        // `[0-9]{1,6} [a-z]+(?: [a-z]+)? (?:st|ave|…)\b`: a street type as second or third word.
        return byte_at(b, j) == b' '
            && byte_at(b, j + 1).is_ascii_lowercase()
            && street_type_soon(&b[j + 1..], 2, true);
    }
    if byte_at(b, j).is_ascii_alphabetic() {
        j += 1;
    }
    byte_at(b, j) == b' '
        && {
            let c = byte_at(b, j + 1);
            c.is_ascii_uppercase() || c.is_ascii_digit()
        }
        && street_type_soon(&b[j + 1..], 5, false)
}

/// A street type of `street` (`lower`: of `street_lower`) is one of the `words`
/// space-separated words after the first of `rest`.
fn street_type_soon(rest: &[u8], words: usize, lower: bool) -> bool {
    let n = rest.len();
    // Past the first word, then word by word: the letters each starts with.
    let mut i = rest.iter().position(|&c| c == b' ').unwrap_or(n);
    for _ in 0..words {
        if i >= n {
            return false;
        }
        i += 1;
        let start = i;
        while i < n && rest[i].is_ascii_alphabetic() {
            i += 1;
        }
        let len = i - start;
        if (2..=9).contains(&len) {
            let mut buf = [0u8; 9];
            buf[..len].copy_from_slice(&rest[start..i]);
            if !lower {
                buf.make_ascii_lowercase();
            }
            if is_street_type(&buf[..len], lower) {
                return true;
            }
        }
        while i < n && rest[i] != b' ' {
            i += 1;
        }
    }
    false
}

/// One of `STREET_TYPES` (`lower`: of `LOWER_STREET_TYPES`), given in lowercase.
fn is_street_type(w: &[u8], lower: bool) -> bool {
    match w {
        b"st" | b"ave" | b"rd" | b"blvd" | b"ln" | b"dr" | b"street" | b"avenue" | b"road"
        | b"drive" | b"lane" => true,
        b"boulevard" | b"court" | b"ct" | b"way" | b"place" | b"pl" | b"terrace" | b"ter"
        | b"circle" | b"cir" | b"highway" | b"hwy" | b"parkway" | b"pkwy" | b"square" | b"sq"
        | b"trail" | b"trl" | b"crescent" | b"alley" | b"loop" | b"pike" | b"plaza"
        | b"thruway" | b"turnpike" | b"tpke" | b"freeway" | b"commons" | b"crossing"
        | b"landing" | b"broadway" => !lower,
        _ => false,
    }
}

/// `\b(?:9[0-9]|1[0-9]{2})[ \-yY]`
fn age_start(b: &[u8], i: usize) -> bool {
    let next = |j: usize| matches!(byte_at(b, j), b' ' | b'-' | b'y' | b'Y' | b'F' | b'M');
    b[i] == b'9' && digit_at(b, i + 1) && next(i + 2)
        || b[i] == b'1' && digit_at(b, i + 1) && digit_at(b, i + 2) && next(i + 3)
}

/// `(?:\+|\(|\b0)[0-9]`
fn loose_phone_start(b: &[u8], i: usize) -> bool {
    let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    (matches!(b[i], b'+' | b'(') || b[i] == b'0' && boundary) && digit_at(b, i + 1)
}

/// `\b[A-Z]{2}[0-9]{2}`
pub(crate) fn iban_start(b: &[u8], i: usize) -> bool {
    byte_at(b, i).is_ascii_uppercase()
        && byte_at(b, i + 1).is_ascii_uppercase()
        && digit_at(b, i + 2)
        && digit_at(b, i + 3)
}

/// `\b[A-HJ-NPR-Z0-9]{17}`
pub(crate) fn vin_start(b: &[u8], i: usize) -> bool {
    b.len() >= i + 17
        && b[i..i + 17].iter().all(|&c| {
            c.is_ascii_digit() || c.is_ascii_uppercase() && !matches!(c, b'I' | b'O' | b'Q')
        })
}

/// `\b(?:[A-Za-z]{1,5}[\-#]?[0-9]|[0-9]{2,}[A-Za-z])` at the word start `i`, whose leading
/// run of letters (or of digits) ends at `run_end`.
pub(crate) fn alnum_id_start(b: &[u8], i: usize, run_end: usize) -> bool {
    let run = run_end - i;
    if digit_at(b, i) {
        return run >= 2 && byte_at(b, run_end).is_ascii_alphabetic();
    }
    (1..=5).contains(&run)
        && (digit_at(b, run_end)
            || matches!(byte_at(b, run_end), b'-' | b'#') && digit_at(b, run_end + 1))
}

/// The matches of `re` in `text`, or none when `on` says it cannot match.
fn gated<'r, 't>(
    re: &'r Regex,
    on: bool,
    text: &'t str,
) -> impl Iterator<Item = regex::Match<'t>> + use<'r, 't> {
    on.then(|| re.find_iter(text)).into_iter().flatten()
}

fn is_unit(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let tail = lower.trim_start_matches(|c: char| c.is_ascii_digit());
    let head = &lower[..lower.len() - tail.len()];
    !head.is_empty()
        && matches!(
            tail,
            "mg" | "mcg"
                | "ml"
                | "kg"
                | "lb"
                | "lbs"
                | "am"
                | "pm"
                | "st"
                | "nd"
                | "rd"
                | "th"
                | "s"
                | "min"
                | "mins"
                | "hr"
                | "hrs"
                | "k"
                | "x"
                | "yo"
                | "mph"
                | "cm"
                | "mm"
                | "ft"
                | "in"
                | "oz"
                | "g"
                | "h"
                | "m"
                | "d"
                | "mo"
                | "yr"
                | "yrs"
                | "wk"
                | "wks"
        )
}

fn trim_punct(text: &str, start: usize, end: usize) -> usize {
    let s = &text[start..end];
    start
        + s.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"'])
            .len()
}

/// The match is not glued to more digits on either side.
fn digit_boundary(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start > 0 && bytes[start - 1].is_ascii_digit();
    let after = bytes.get(end).is_some_and(u8::is_ascii_digit);
    !before && !after
}

/// The lowercase text of up to 32 bytes before a position, on the stack.
struct Before {
    buf: [u8; 32],
    len: usize,
}

impl std::ops::Deref for Before {
    type Target = str;
    fn deref(&self) -> &str {
        // Lowercasing ASCII keeps the UTF-8 of a slice cut on char boundaries.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The lowercase text of up to `n` (at most 32) bytes before `pos`, on char boundaries.
fn before(text: &str, pos: usize, n: usize) -> Before {
    let from = crate::text::window_start(text, pos, n.min(32));
    let src = &text.as_bytes()[from..pos];
    let mut out = Before {
        buf: [0; 32],
        len: src.len(),
    };
    out.buf[..src.len()].copy_from_slice(src);
    out.buf[..src.len()].make_ascii_lowercase();
    out
}

/// `needle` occurs in `hay` (both short: no searcher to build).
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn phone_kind(text: &str, start: usize) -> EntityType {
    let b = before(text, start, 16);
    let b = b.as_bytes();
    if holds(b, b"fax") || holds(b, b"(f)") || b.ends_with(b"f: ") {
        EntityType::Fax
    } else {
        EntityType::Phone
    }
}

/// The type that the words just before `start` give a number, if any: the
/// nearest cue word in the last clause wins.
fn cue_type(text: &str, start: usize) -> Option<EntityType> {
    // Bytes, not chars: a character cut at the window's start is no ASCII letter either.
    let window = &text.as_bytes()[start.saturating_sub(28)..start];
    // Only the last clause counts.
    let clause = match window
        .iter()
        .rposition(|b| matches!(b, b'.' | b';' | b'\n' | b','))
    {
        Some(k) => &window[k + 1..],
        None => window,
    };
    let mut buf = [0u8; 16];
    for word in clause.rsplit(|c: &u8| !c.is_ascii_alphabetic()) {
        if word.is_empty() || word.len() > buf.len() {
            continue;
        }
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word);
        lower.make_ascii_lowercase();
        let kind = match &*lower {
            b"social" | b"security" | b"ssn" => EntityType::Ssn,
            b"mrn" | b"mr" | b"medical" | b"rec" | b"chart" | b"record" | b"unit" => {
                EntityType::Mrn
            }
            b"member" | b"policy" | b"subscriber" | b"medicaid" | b"medicare" | b"insurance"
            | b"group" | b"beneficiary" => EntityType::HealthPlan,
            b"account" | b"acct" | b"card" | b"iban" | b"routing" => EntityType::Account,
            // "asset tag" names a device, any other tag a car's plate.
            b"tag"
                if clause
                    .windows(9)
                    .any(|w| w.eq_ignore_ascii_case(b"asset tag")) =>
            {
                EntityType::Device
            }
            b"plate" | b"vin" | b"vehicle" | b"tag" => EntityType::Vehicle,
            b"license" | b"licence" | b"lic" | b"permit" | b"certificate" | b"dea" | b"dl" => {
                EntityType::License
            }
            b"imei" | b"serial" | b"device" | b"mac" | b"lot" => EntityType::Device,
            b"fingerprint" | b"biometric" | b"voiceprint" | b"retina" => EntityType::Biometric,
            b"fax" => EntityType::Fax,
            b"phone" | b"cell" | b"tel" | b"mobile" => EntityType::Phone,
            _ => continue,
        };
        return Some(kind);
    }
    None
}

fn zip_context(text: &str, start: usize) -> bool {
    let b = before(text, start, 24);
    let t = b.trim_end_matches([' ', ',']);
    if t.ends_with("zip")
        || t.ends_with("zip code")
        || t.ends_with("zipcode")
        || t.ends_with("postal code")
    {
        return true;
    }
    // "Springfield, IL 62704": two capital letters just before.
    let raw = &text[..start];
    let r = raw.trim_end_matches([' ', ',']).as_bytes();
    let n = r.len();
    if n >= 2
        && r[n - 1].is_ascii_uppercase()
        && r[n - 2].is_ascii_uppercase()
        && (n == 2 || !r[n - 3].is_ascii_alphabetic())
    {
        // A state's code, not any two capitals ("3:00 pm ET 90834-95" is a billing code).
        let code = [r[n - 2].to_ascii_lowercase(), r[n - 1].to_ascii_lowercase()];
        return std::str::from_utf8(&code).is_ok_and(|c| crate::dict::state_zip_digit(c).is_some());
    }
    // A state name just before ("Ohio 43004") is checked by the engine's region list; a
    // comma-separated city before it is enough here.
    // A billing or room code is no ZIP code: "53 min, CPT 90837".
    let word_before = b
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    if matches!(
        word_before,
        "cpt" | "icd" | "code" | "room" | "rm" | "pager" | "ext" | "bed"
    ) {
        return false;
    }
    // A signature's ", MD" is no address ("Kate O'Donnell, MD\nPager 34921").
    let credential = b.rsplit_once(", ").is_some_and(|(_, after)| {
        let word = after.split(|c: char| !c.is_ascii_alphabetic()).next();
        word.is_some_and(|w| CREDENTIALS.contains(&w))
    });
    raw.trim_end().ends_with(|c: char| c.is_alphabetic()) && b.contains(", ") && !credential
}

/// Letters after a clinician's name, lowercase.
const CREDENTIALS: &[&str] = &[
    "md", "do", "phd", "psyd", "rn", "np", "pa", "lcsw", "licsw", "lmsw", "msw", "lmft", "lpc",
    "lmhc", "dds", "pharmd", "mph", "pgy",
];

/// Handles a cue word followed by an identifier ("MRN: 00482913", "plate ABC 1234").
fn cued(text: &str, start: usize, vstart: usize, end: usize, out: &mut Vec<Span>) {
    let value = &text[vstart..end];
    if !value.bytes().any(|b| b.is_ascii_digit()) || value.len() < 3 {
        return;
    }
    let lower = text[start..vstart].to_ascii_lowercase();
    let kind = cue_type(text, vstart).unwrap_or(EntityType::Id);
    let generic = [
        "npi",
        "case",
        "student",
        "employee",
        "badge",
        "client id",
        "patient id",
        "id",
    ];
    let kind = if generic.iter().any(|g| lower.starts_with(g)) && kind != EntityType::Mrn {
        EntityType::Id
    } else {
        kind
    };
    let vend = trim_punct(text, vstart, end);
    if vend > vstart {
        out.push(Span {
            start: vstart,
            end: vend,
            kind,
            score: 0.9,
        });
    }
}

/// Luhn checksum over decimal digits (0..=9 values).
// `is_multiple_of` is newer than the workspace's minimum Rust version.
#[allow(clippy::manual_is_multiple_of)]
pub(crate) fn luhn(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !d.is_empty() && sum % 10 == 0
}

/// SSN rules on ASCII digits: area not 000, 666 or 9xx; group not 00; serial not 0000.
pub(crate) fn ssn_valid(ascii: &[u8]) -> bool {
    let d: Vec<u8> = ascii.iter().map(|b| b.wrapping_sub(b'0')).collect();
    ssn_valid_digits(&d)
}

fn ssn_valid_digits(d: &[u8]) -> bool {
    if d.len() != 9 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let area = &d[..3];
    let group = &d[3..5];
    let serial = &d[5..];
    area != [0, 0, 0]
        && area != [6, 6, 6]
        && area[0] != 9
        && group != [0, 0]
        && serial != [0, 0, 0, 0]
}

/// NPI: Luhn over the ten digits prefixed by 80840.
pub(crate) fn npi_valid(d: &[u8]) -> bool {
    if d.len() != 10 || !(d[0] == 1 || d[0] == 2) {
        return false;
    }
    let mut all = vec![8, 0, 8, 4, 0];
    all.extend_from_slice(d);
    luhn(&all)
}

/// DEA number: two letters, seven digits, check digit on the weighted sums.
pub(crate) fn dea_valid(s: &[u8]) -> bool {
    if s.len() != 9 || !s[0].is_ascii_alphabetic() || !s[1].is_ascii_alphanumeric() {
        return false;
    }
    if !s[2..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = s[2..].iter().map(|b| u32::from(b - b'0')).collect();
    let sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5]);
    sum % 10 == d[6]
}

/// VIN check digit (position 9) per the North American standard.
pub(crate) fn vin_valid(s: &[u8]) -> bool {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    if s.len() != 17 || !s.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0;
    for (i, &c) in s.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => return false,
        };
        sum += v * WEIGHTS[i];
    }
    let check = sum % 11;
    let expected = if check == 10 {
        b'X'
    } else {
        b'0' + check as u8
    };
    s[8] == expected
}

/// IBAN: country letters, two check digits, mod-97 of the rearranged number is 1.
pub(crate) fn iban_valid(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&compact.len())
        || !compact[..2].iter().all(u8::is_ascii_uppercase)
        || !compact[2..4].iter().all(u8::is_ascii_digit)
        || !compact.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in compact[4..].iter().chain(&compact[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The three digits a ZIP code keeps: `000` for the 17 sparsely populated areas.
pub(crate) fn zip3(zip: &str) -> String {
    const SMALL: [&str; 17] = [
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
        "879", "884", "890", "893",
    ];
    let head: String = zip.chars().filter(char::is_ascii_digit).take(3).collect();
    if head.len() < 3 || SMALL.contains(&head.as_str()) {
        "000".to_string()
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn checksums() {
        assert!(luhn(&digits("4111111111111111")));
        assert!(!luhn(&digits("4111111111111112")));
        assert!(luhn(&digits("490154203237518"))); // an IMEI
        assert!(npi_valid(&digits("1234567893")));
        assert!(!npi_valid(&digits("1234567890")));
        assert!(dea_valid(b"AB1234563"));
        assert!(!dea_valid(b"AB1234564"));
        assert!(vin_valid(b"1HGCM82633A004352"));
        assert!(!vin_valid(b"1HGCM82643A004352"));
        assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("GB82WEST12345698765433"));
    }

    #[test]
    fn ssn_rules() {
        for (s, ok) in [
            ("123456789", true),
            ("000456789", false),
            ("666456789", false),
            ("900456789", false),
            ("123006789", false),
            ("123450000", false),
        ] {
            assert_eq!(ssn_valid(s.as_bytes()), ok, "{s}");
        }
    }

    #[test]
    fn street_type_lists_agree_with_the_patterns() {
        for t in STREET_TYPES.split('|') {
            assert!(is_street_type(t.as_bytes(), false), "{t}");
        }
        for t in LOWER_STREET_TYPES.split('|') {
            assert!(is_street_type(t.as_bytes(), true), "{t}");
        }
        assert!(!is_street_type(b"court", true));
        assert!(!is_street_type(b"stop", false));
    }

    #[test]
    fn the_cue_search_finds_the_captured_value() {
        // The fast path of `cued_value_start` must agree with the capture search it
        // replaces, over every form of cue, separator and value.
        let scanners = Scanners::new();
        let cues = [
            "MRN",
            "mrn",
            "Medical record number",
            "medical record no.",
            "Chart #",
            "record no",
            "Member ID",
            "member",
            "member #",
            "Policy number",
            "group number",
            "Subscriber ID",
            "Medicaid #",
            "medicare id",
            "insurance number",
            "Account no.",
            "acct.",
            "Acct #",
            "License plate",
            "licence no",
            "Plate #",
            "DL",
            "permit number",
            "Certificate no.",
            "VIN",
            "serial #",
            "IMEI",
            "device id",
            "case id",
            "Student ID",
            "employee number",
            "Badge #",
            "client id",
            "patient id",
            "ID",
            "id number",
            "SSN",
            "social security no.",
            "fingerprint id",
            "biometric id",
            "voiceprint",
            "NPI",
            "DEA",
            "unit no.",
            "MR#",
            "mr #",
            "Pager",
            "pgr",
            "beeper",
        ];
        let separators = [
            " ", ": ", " is ", "#", " - ", "-", ":  # ", " is: ", "", "  ",
        ];
        let values = [
            "12345678",
            "A1234567",
            "XK-4421-09",
            "77 ABC12",
            "ab12",
            "is 445566",
            "0042 7Q1",
            "no 12-34",
            "id 9981",
        ];
        let mut checked = 0;
        for cue in cues {
            for sep in separators {
                for value in values {
                    let text = format!("Noted: {cue}{sep}{value}, per chart.");
                    let starts = Starts::of(text.as_bytes());
                    for m in scanners.cued_id.find_at(&text, starts.cued(C_ID)) {
                        let captured = scanners
                            .cued_id
                            .captures_at(&text, m, 1)
                            .and_then(|(_, g)| g)
                            .map(|(start, _)| start);
                        assert_eq!(scanners.cued_value_start(&text, m), captured, "{text:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 3000, "only {checked} matches checked");
    }

    #[test]
    fn phone_candidates_hold_every_phone_start() {
        // Random groups of digits between separators, parentheses, `+` and letters: every
        // position where a phone pattern can start must be among the candidates listed.
        let lengths = [1, 2, 3, 3, 4, 4];
        let digits = b"01123456789";
        let separators: [&[u8]; 14] = [
            b" ", b"-", b".", b" ", b"-", b".", b"(", b")", b"+", b"x", b"", b"  ", b"_", b"1 ",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |below: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        };
        let (mut phones, mut loose_phones) = (0, 0);
        for _ in 0..3000 {
            let mut text = Vec::new();
            for _ in 0..2 + next(8) {
                text.extend_from_slice(separators[next(separators.len())]);
                for _ in 0..lengths[next(lengths.len())] {
                    text.push(digits[next(digits.len())]);
                }
            }
            let st = Starts::of(&text);
            let loose = st.loose_phone(&text);
            let shown = String::from_utf8_lossy(&text);
            for i in 0..text.len() {
                if (text[i].is_ascii_digit() || matches!(text[i], b'(' | b'+'))
                    && phone_start(&text, i)
                {
                    assert!(st.phone.contains(&i), "{shown:?} at {i}");
                    phones += 1;
                }
                if loose_phone_start(&text, i) {
                    assert!(loose.contains(&i), "{shown:?} at {i}");
                    loose_phones += 1;
                }
            }
            assert!(st.phone.windows(2).all(|w| w[0] < w[1]), "{shown:?}");
            assert!(loose.windows(2).all(|w| w[0] < w[1]), "{shown:?}");
        }
        assert!(
            phones > 150 && loose_phones > 300,
            "{phones} {loose_phones}"
        );
    }

    #[test]
    fn street_types_are_looked_for_word_by_word() {
        // (text after the number, words to look at, lowercase pattern, found)
        for (rest, words, lower, found) in [
            ("Elm St", 5, false, true),
            ("Elm", 5, false, false),
            ("Old Mill  Road", 5, false, true),
            ("Old Mill Road", 1, false, false),
            ("Old Mill Road", 2, false, true),
            ("a b c d e f Street", 5, false, false),
            ("oak court", 2, true, false),
            ("oak ave", 2, true, true),
            ("Oak Boulevard,", 5, false, true),
            ("Oak Boulevards", 5, false, false),
            ("Oak St.", 5, false, true),
            ("Oak 5t", 5, false, false),
            ("", 5, false, false),
        ] {
            assert_eq!(
                street_type_soon(rest.as_bytes(), words, lower),
                found,
                "{rest:?} {words} {lower}"
            );
        }
    }

    #[test]
    fn zip_three_digits() {
        assert_eq!(zip3("62704"), "627");
        assert_eq!(zip3("83001-1234"), "000");
        assert_eq!(zip3("03601"), "000");
        assert_eq!(zip3("12"), "000");
    }
}
