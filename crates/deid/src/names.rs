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
use crate::text::{window_end, window_start, Gap, Word};

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
/// A last word of an organisation only after a distinctive word ("Family Medicine").
const B_ORG_WEAK: u32 = 1 << 15;
/// A word that names a section of a record when it ends a heading ("Hospital Course").
const B_HEADING: u32 = 1 << 16;
/// A clinical specialty: "Department of Psychiatry" is any hospital's.
const B_SPECIALTY: u32 = 1 << 17;
/// Kin called by their relation ("Mom said"): never a name themselves.
const B_KIN: u32 = 1 << 18;
/// A lowercase particle inside a surname ("van der", "de la", "bin").
const B_PARTICLE: u32 = 1 << 19;
/// A word that ends a named scale, test or inventory ("Rating Scale").
const B_INSTRUMENT: u32 = 1 << 20;
/// A street type written out ("Avenue", "Street"), which a street's name ends with.
const B_STREET: u32 = 1 << 21;
/// A finding of a laboratory table ("neg", "trace"): the word before it is a label.
const B_FINDING: u32 = 1 << 22;
/// A noun after a possessive that says a person owns it ("jaylen's place").
const B_HOME: u32 = 1 << 23;
/// A verb that makes an acronym after "at" a hospital ("seen at MGH").
const B_HOSPITAL_VERB: u32 = 1 << 24;
/// A word after which a lowercase street may follow ("on belmont st").
const B_STREET_CUE: u32 = 1 << 25;
/// A holiday or a language, never a place though some towns bear the name ("at Christmas",
/// "in English").
const B_NEVER_PLACE: u32 = 1 << 26;
/// A digit spoken as a word: "zero", "oh", "one" … "nine".
const B_DIGIT_WORD: u32 = 1 << 27;
/// A word before a road's number: "Route 24", "Hwy 9", "I-95".
const B_ROAD: u32 = 1 << 28;
/// A day of the month spoken as an ordinal: "first" … "thirty-first", and the tens before
/// one ("twenty", "thirty").
const B_ORDINAL: u32 = 1 << 29;
/// A month's name in Spanish: "enero" … "diciembre".
const B_MES: u32 = 1 << 30;
/// A social platform or a word for a user name, before a handle typed without its "@".
const B_PLATFORM: u32 = 1 << 31;

/// For each cue word, the bits of the lists that hold it: one hash lookup per word
/// replaces scanning every list.
pub(crate) fn cue_masks() -> WordMap<u32> {
    let mut m = WordMap::<u32>::default();
    let lists: [(&[&'static str], u32); 30] = [
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
        (dict::ORG_WEAK_SUFFIXES, B_ORG_WEAK),
        (HEADING_WORDS, B_HEADING),
        (SPECIALTIES, B_SPECIALTY),
        (KIN, B_KIN),
        (PARTICLES, B_PARTICLE),
        (INSTRUMENTS, B_INSTRUMENT),
        (STREET_WORDS, B_STREET),
        (FINDINGS, B_FINDING),
        (HOMES, B_HOME),
        (HOSPITAL_VERBS, B_HOSPITAL_VERB),
        (STREET_CUES, B_STREET_CUE),
        (NEVER_PLACES, B_NEVER_PLACE),
        (
            &[
                "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine",
            ],
            B_DIGIT_WORD,
        ),
        (ROAD_WORDS, B_ROAD),
        (DAY_ORDINALS, B_ORDINAL),
        (MESES, B_MES),
        (PLATFORMS, B_PLATFORM),
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
    "paralysis",
    "drain",
    "drains",
    "paresis",
    "grade",
    "needle",
    "port",
    "tube",
    "clamp",
    "forceps",
    "retractor",
    "incision",
    "procedure",
    "operation",
    "repair",
    "suture",
    "splint",
    "tear",
    "node",
    "test",
    "score",
    "stage",
    "staging",
    "approach",
    "day",
];

/// Last words of a record's section headings: a line "Brief Hospital Course" is no hospital.
const HEADING_WORDS: &[&str] = &[
    "course",
    "history",
    "summary",
    "plan",
    "plans",
    "assessment",
    "examination",
    "exam",
    "findings",
    "impression",
    "impressions",
    "medications",
    "allergies",
    "diagnosis",
    "diagnoses",
    "procedures",
    "instructions",
    "status",
    "review",
    "results",
    "data",
    "studies",
    "labs",
    "recommendations",
    "complaint",
    "illness",
    "disposition",
    "goals",
    "interventions",
    "problems",
    "signs",
    "observations",
    "response",
    "note",
    "notes",
    "information",
    "formulation",
    "screening",
    "condition",
    "follow-up",
    "followup",
    "necessity",
    "letter",
    "document",
    "evaluation",
    "consultation",
    "consult",
    "report",
    "record",
    "progress",
    "addendum",
];

/// Clinical specialties: "Department of Psychiatry", "Division of Cardiology".
const SPECIALTIES: &[&str] = &[
    "psychiatry",
    "medicine",
    "surgery",
    "pediatrics",
    "neurology",
    "radiology",
    "anesthesia",
    "anesthesiology",
    "cardiology",
    "oncology",
    "obstetrics",
    "gynecology",
    "nursing",
    "pathology",
    "orthopedics",
    "urology",
    "dermatology",
    "psychology",
    "rehabilitation",
    "neurosurgery",
    "nephrology",
    "gastroenterology",
    "endocrinology",
    "pulmonology",
    "rheumatology",
    "hematology",
    "ophthalmology",
    "otolaryngology",
    "geriatrics",
    "emergency",
    "family",
    "internal",
    "behavioral",
    "social",
    "infectious",
    "critical",
    "palliative",
    "physical",
    "occupational",
    "respiratory",
    "child",
    "adolescent",
    "adult",
    "geriatric",
    "cardiovascular",
    "vascular",
    "pulmonary",
    "thoracic",
    "maternal",
    "fetal",
    "neonatal",
    "perinatal",
    "addiction",
    "sleep",
    "pain",
    "transplant",
    "trauma",
    "general",
    "primary",
    "movement",
    "disorders",
    "eating",
    "stroke",
    "heart",
    "failure",
    "comprehensive",
    "counseling",
    "special",
    "education",
    "health",
    "mental",
    "outpatient",
    "inpatient",
    "intensive",
    "partial",
    "hospitalization",
    "treatment",
    "crisis",
    "stabilization",
    "mobile",
    "urgent",
    "care",
    "memory",
    "cancer",
    "infusion",
    "dialysis",
    "wound",
    "diabetes",
    "cardiac",
    "substance",
    "opioid",
    "methadone",
    "student",
    "services",
    "utilization",
    "management",
    "case",
    "disability",
    "financial",
    "billing",
    "records",
    "medical",
    "clinical",
    "research",
    "women's",
    "men's",
    "children's",
    "surgical",
    "ambulatory",
    "imaging",
    "laboratory",
    "pharmacy",
    "nutrition",
    "weight",
    "spine",
    "sports",
    "grief",
    "bereavement",
    "couples",
    "group",
    "groups",
    "skills",
    "dbt",
    "sud",
    "in-home",
    "home-based",
    "play",
    "individual",
    "therapy",
    "recovery",
];

/// Kin words that are also census surnames ("Mom", "Dad"): the relation, not a name.
const KIN: &[&str] = &[
    "mom", "dad", "mum", "mommy", "daddy", "mama", "papa", "grandma", "grandpa", "granny", "nana",
    "grammy", "gramps", "pop", "pops", "sis", "bro",
];

/// Lowercase particles of surnames: "Pieter van der Berg", "Maria de la Cruz".
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "la", "le", "du", "da", "di", "del", "della", "dos", "das",
    "bin", "ibn", "al", "el", "ter", "ten",
];

/// Last words of named instruments: "Columbia Suicide Severity Rating Scale", "Beck
/// Depression Inventory".
const INSTRUMENTS: &[&str] = &[
    "scale",
    "scales",
    "test",
    "figure",
    "inventory",
    "questionnaire",
    "checklist",
    "index",
    "screener",
    "battery",
    "criteria",
    "protocol",
    "method",
    "technique",
    "model",
    "disorder",
    "disorders",
    "therapy",
    "interview",
];

/// Street types written out or shortened, which end a street's name without a number:
/// "on Huntington Avenue", "near davis sq".
const STREET_WORDS: &[&str] = &[
    "street",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "parkway",
    "pkwy",
    "terrace",
    "turnpike",
    "highway",
    "hwy",
    "square",
    "sq",
    "st",
];

/// Holidays and languages (see [`B_NEVER_PLACE`]).
const NEVER_PLACES: &[&str] = &[
    "christmas",
    "thanksgiving",
    "easter",
    "halloween",
    "hanukkah",
    "ramadan",
    "diwali",
    "passover",
    "eid",
    "kwanzaa",
    "english",
    "spanish",
    "french",
    "portuguese",
    "creole",
    "mandarin",
    "cantonese",
    "arabic",
    "russian",
    "vietnamese",
    "korean",
    "somali",
    "hindi",
    "urdu",
    "tagalog",
    "polish",
    "italian",
    "german",
    "japanese",
    "farsi",
    "amharic",
];

/// Words before a street typed in lowercase: "on belmont st", "near davis sq".
const STREET_CUES: &[&str] = &[
    "on", "near", "off", "at", "by", "from", "to", "down", "up", "in", "the",
];

/// Findings of a laboratory table: "Nitrite neg", "Leuk trace".
const FINDINGS: &[&str] = &[
    "neg",
    "pos",
    "trace",
    "nl",
    "wnl",
    "negative",
    "positive",
    "nonreactive",
    "reactive",
];

/// What a possessive name owns: "jaylen's place", "at marcus's house".
const HOMES: &[&str] = &[
    "place",
    "house",
    "apartment",
    "apt",
    "room",
    "car",
    "party",
    "crib",
    "home",
    "family",
    "wedding",
    "funeral",
    "birthday",
    "phone",
    "number",
];

/// Verbs after which "at", "from" or "to" and an unknown acronym name a hospital: "seen at
/// MGH", "transferred from BMC".
const HOSPITAL_VERBS: &[&str] = &[
    "seen",
    "admitted",
    "followed",
    "transferred",
    "treated",
    "hospitalized",
    "hospitalised",
    "discharged",
    "presented",
    "delivered",
    "born",
    "evaluated",
    "referred",
    "sent",
    "taken",
    "brought",
    "transported",
    "readmitted",
    "works",
    "worked",
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
    /// Its span ends after the possessive ("St. Rocco's"), not before it.
    whole: bool,
    /// A nickname given in quotes: it comes back as a name even when short or in capitals.
    nick: bool,
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
        // A hyphenated word is ordinary when every part is, a known term ("Vietnamese-speaking")
        // or a prefix ("Re-eval", "Pre-procedure").
        return b.split('-').all(|p| {
            p.is_empty()
                || d.has(p, F_ENGLISH | F_KEEP | F_REGION)
                || matches!(
                    p,
                    "re" | "pre"
                        | "post"
                        | "non"
                        | "de"
                        | "co"
                        | "anti"
                        | "self"
                        | "ex"
                        | "sub"
                        | "mid"
                        | "multi"
                        | "semi"
                        | "inter"
                        | "intra"
                        | "peri"
                        | "bi"
                        | "tri"
                )
        });
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
    letterheads(c);
    lowercase_organisations(c);
    recurring_organisations(c);
    state_schools(c);
    organisations_of(c);
    name_fields(c);
    places(c);
    people(c);
    vocatives(c);
    nicknames(c);
    dotted_initials(c);
    initial_after_name(c);
    extend_names(c);
    place_prefixes(c);
    spelled_names(c);
    recurring_names(c);
    emit(c, out);
    ages_in_words(c, out);
    numbers_in_context(c, out);
    spoken_numbers(c, out);
    spoken_dates(c, out);
    bare_handles(c, out);
    closing_initials(c, out);
    signed_initials(c, out);
    trailer_initials(c, out);
}

/// Only spaces and tabs are left on the line that `rest` continues.
fn rest_of_line_blank(rest: &str) -> bool {
    let t = rest.trim_start_matches([' ', '\t']);
    t.is_empty() || t.starts_with(['\n', '\r'])
}

/// Letters that could be someone's initials: two to four, on no list of words kept.
fn initials_shaped(c: &Ctx<'_>, k: usize) -> bool {
    let w = &c.words[k];
    (2..=4).contains(&w.base().len())
        && !w.inner
        && w.base().bytes().all(|b| b.is_ascii_alphabetic())
        && (w.all_caps || !w.cap)
        && !c.info[k].ent.is(F_KEEP)
        && c.info[k].label.is_none()
}

/// Initials in the trailers of dictated and logged notes that `numbers_in_context` does not
/// reach: both in lowercase or both in capitals on a line of their own or after its time stamp
/// ("mah/kr", "11:06 hq/smr", "SERVICE  AP/RJT D: 05/30"), the typist's alone ("  /tm"), an
/// author's before a role ("DK/intern"), and an answering service's operators ("Operators: KLS,
/// RT, jw", "op jw").
fn trailer_initials(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    let line_end = |at: usize| rest_of_line_blank(&c.text[at..]);
    // The line before `at` holds nothing, or ends in a column gap, a time or a date.
    // Lines are looked at over 160 bytes at most, so that a text without line breaks costs
    // no more than one with them.
    let line_lead = |at: usize| {
        let from = window_start(c.text, at, 160);
        let line = &c.text[c.text[from..at].rfind('\n').map_or(from, |p| from + p + 1)..at];
        line.trim().is_empty()
            || line.ends_with("  ")
            || line.ends_with('\t')
            || line
                .trim_end()
                .bytes()
                .last()
                .is_some_and(|b| b.is_ascii_digit())
    };
    let mut operators_line = 0;
    for k in 0..n {
        let w = &c.words[k];
        if bytes.get(w.end) == Some(&b'/') && k + 1 < n && c.words[k + 1].start == w.end + 1 {
            let v = &c.words[k + 1];
            let same_case = w.all_caps && v.all_caps || !w.cap && !v.cap;
            let words = c.english(k) && c.english(k + 1);
            let unit = is_unit_word(v.base()) || is_unit_word(w.base());
            let tail_ok = line_end(v.end)
                || c.text[v.end..].starts_with("  ")
                || c.text[v.end..].starts_with(" D:")
                || c.text[v.end..].starts_with(" *");
            if same_case
                && initials_shaped(c, k)
                && initials_shaped(c, k + 1)
                && !words
                && !unit
                && tail_ok
                && (line_lead(w.start)
                    || k > 0
                        && c.words[k - 1].end + 1 == w.start
                        && matches!(c.words[k - 1].base(), "transcribed" | "dictated" | "typed"))
                && !c.shouting
            {
                push_span(out, w.start, w.end, EntityType::Name, 0.65);
                push_span(out, v.start, v.end, EntityType::Name, 0.65);
            } else if w.all_caps
                && (2..=3).contains(&w.base().len())
                && !c.english(k)
                && initials_shaped(c, k)
                && matches!(v.base(), "intern" | "student" | "trainee" | "scribe")
            {
                push_span(out, w.start, w.end, EntityType::Name, 0.65);
            }
            continue;
        }
        // "Transcribed by jp.", "typed by kl": a typist's lowercase initials after the verb.
        if !w.cap
            && (2..=3).contains(&w.base().len())
            && k >= 2
            && c.words[k - 1].base() == "by"
            && matches!(
                c.words[k - 2].base(),
                "transcribed" | "typed" | "dictated" | "entered" | "scribed"
            )
            && !c.english(k)
            && initials_shaped(c, k)
        {
            push_span(out, w.start, w.end, EntityType::Name, 0.65);
            continue;
        }
        // "Supervisor note (EB, 1/30/2092)": initials that sign a dated remark; "client GR
        // (confidential)": a client by initials after the role.
        if w.all_caps
            && (2..=3).contains(&w.base().len())
            && (w.base().len() == 2 || !c.english(k))
            && initials_shaped(c, k)
        {
            // ... a date, not a time or a phone number: "(TA, 0930)", "(POA, 617-555-0104)".
            let dated = w.start >= 1
                && bytes[w.start - 1] == b'('
                && c.text[w.end..].starts_with(", ")
                && {
                    let d = bytes[w.end + 2..]
                        .iter()
                        .take(3)
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    (1..=2).contains(&d) && bytes.get(w.end + 2 + d) == Some(&b'/')
                };
            let role = k > 0
                && c.words[k - 1].end + 1 == w.start
                && matches!(c.words[k - 1].base(), "client" | "pt" | "patient" | "member")
                && !c.words[k - 1].all_caps
                // ... standing alone: "client GR (confidential)", not "client HIV status".
                && {
                    let rest = c.text[w.end..].trim_start_matches(' ');
                    rest.is_empty() || rest.starts_with(['(', ',', '.', ':', ';', ')', '\n'])
                };
            if dated || role {
                push_span(out, w.start, w.end, EntityType::Name, 0.65);
                continue;
            }
        }
        // "-B" alone closing a message: the writer's initial.
        if w.base_len == 1
            && w.start >= 2
            && bytes[w.start - 1] == b'-'
            && matches!(bytes[w.start - 2], b' ' | b'\n')
            && bytes[w.start].is_ascii_uppercase()
            && line_end(w.end)
            && c.info[k].label.is_none()
        {
            push_span(out, w.start, w.end, EntityType::Name, 0.6);
            continue;
        }
        // Initials by each item of a release form: "    SMD  [X] Medication list", "_NTL_".
        if w.all_caps && (2..=4).contains(&w.base().len()) && !c.english(k) && initials_shaped(c, k)
        {
            let after = c.text[w.end..].trim_start_matches(' ');
            let boxed = after.starts_with('[')
                && after.len() + 1 < c.text.len() - w.end
                && c.text[window_start(c.text, w.start, 160)..w.start]
                    .rsplit('\n')
                    .next()
                    .is_some_and(|lead| lead.trim().is_empty());
            let blank =
                w.start >= 1 && bytes[w.start - 1] == b'_' && bytes.get(w.end) == Some(&b'_');
            if boxed || blank {
                push_span(out, w.start, w.end, EntityType::Name, 0.65);
                continue;
            }
        }
        // "  /tm" closing its line.
        if w.start >= 2
            && bytes[w.start - 1] == b'/'
            && matches!(bytes[w.start - 2], b' ' | b'\t')
            && !w.cap
            && (2..=3).contains(&w.base().len())
            && !c.english(k)
            && initials_shaped(c, k)
            && line_end(w.end)
        {
            push_span(out, w.start, w.end, EntityType::Name, 0.65);
            continue;
        }
        // Operators of an answering service.
        if matches!(w.base(), "operators" | "operator" | "op")
            && k + 1 < n
            && c.text[w.end..c.words[k + 1].start].trim().is_empty()
                | (c.text[w.end..c.words[k + 1].start].trim() == ":")
        {
            let line = c.text[w.end..]
                .bytes()
                .take(160)
                .position(|b| b == b'\n')
                .map_or((w.end + 160).min(c.text.len()), |p| w.end + p);
            if w.base() != "op" {
                operators_line = line;
            }
            let next = &c.words[k + 1];
            if w.base() == "op"
                && next.end <= line
                && initials_shaped(c, k + 1)
                && !c.english(k + 1)
            {
                push_span(out, next.start, next.end, EntityType::Name, 0.65);
            }
            continue;
        }
        // The list after "Operators:", up to the line's end.
        if w.start < operators_line
            && k > 0
            && c.words[k - 1].end < operators_line
            && matches!(c.words[k].gap, Gap::CommaSpace | Gap::Space | Gap::Other)
            && initials_shaped(c, k)
            && !c.english(k)
            && (c.words[k - 1].base() == "operators"
                || c.words[k - 1].base() == "operator"
                || w.gap == Gap::CommaSpace)
        {
            push_span(out, w.start, w.end, EntityType::Name, 0.65);
        }
    }
}

/// Initials that sign an entry: "-tw" or "-SV" closing a line, "Rec'd 2/24 by TW",
/// "Collected by: HB", "Opr: KLW".
fn signed_initials(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    for k in 0..n {
        let w = &c.words[k];
        // Most words: neither in capitals nor right after a dash.
        let after_dash = w.start >= 1 && bytes[w.start - 1] == b'-';
        if !w.all_caps && !after_dash {
            continue;
        }
        if !(2..=3).contains(&w.base().len()) || w.inner || c.info[k].label.is_some() {
            continue;
        }
        let initials = w.all_caps || !w.cap;
        if !initials || c.info[k].ent.is(F_KEEP) || w.base().len() == 3 && c.english(k) {
            continue;
        }
        let after = &c.text[w.end..];
        let line_end = rest_of_line_blank(after);
        // "-tw" closing its line, the dash right before the letters.
        let dashed = w.start >= 1
            && bytes[w.start - 1] == b'-'
            && (w.start == 1 || matches!(bytes[w.start - 2], b' ' | b'\t' | b'\n'))
            && line_end;
        // "by TW", "Collected by: HB", "Opr: KLW": capitals after the signer's cue.
        // After "by" only when an entry's verb or its time comes first ("referred by: EAP"
        // names an agency).
        let signer_cue = k > 0
            && matches!(c.text[c.words[k - 1].end..w.start].trim(), "" | ":")
            && match c.words[k - 1].base() {
                "opr" => true,
                "by" => {
                    k > 1 && {
                        let v = &c.words[k - 2];
                        let timed = v.start > 0 && bytes[v.start - 1].is_ascii_digit()
                            || c.text[v.end..c.words[k - 1].start]
                                .bytes()
                                .any(|b| b.is_ascii_digit());
                        timed
                            || matches!(
                                v.lower.as_ref(),
                                "collected"
                                    | "rec'd"
                                    | "received"
                                    | "signed"
                                    | "entered"
                                    | "reviewed"
                                    | "verified"
                                    | "typed"
                                    | "transcribed"
                                    | "drawn"
                                    | "completed"
                                    | "scanned"
                                    | "logged"
                            )
                    }
                }
                _ => false,
            };
        let signed = w.all_caps && !c.english(k) && signer_cue;
        if dashed || signed {
            push_span(out, w.start, w.end, EntityType::Name, 0.65);
        }
    }
}

/// The writer's initials alone on the last line of a note, maybe after a dash or before the
/// date: "MQ", "- AKB", "KO 6/19/2090".
fn closing_initials(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let Some(k) = c.words.len().checked_sub(1) else {
        return;
    };
    let w = &c.words[k];
    if !w.all_caps || !(2..=4).contains(&w.base().len()) || c.shouting {
        return;
    }
    let line_start = c.text[..w.start].rfind('\n').map_or(0, |p| p + 1);
    let lead = c.text[line_start..w.start].trim();
    let tail = c.text[w.end..].trim_end();
    let lead_ok = lead.is_empty() || matches!(lead, "-" | "--" | "\u{2013}" | "\u{2014}");
    let tail_ok = tail
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'/' | b':' | b'-' | b'.'));
    let word = w.base().len() >= 3 && c.english(k);
    let credential = matches!(
        w.base(),
        "ok" | "no" | "ps" | "md" | "do" | "rn" | "np" | "pa" | "lpn" | "cna" | "phd" | "lcsw"
    );
    if line_start > 0
        && lead_ok
        && tail_ok
        && !word
        && !credential
        && !c.info[k].ent.is(F_KEEP)
        && c.info[k].label.is_none()
    {
        push_span(out, w.start, w.end, EntityType::Name, 0.65);
    }
}

const PLATFORMS: &[&str] = &[
    "snap",
    "snapchat",
    "insta",
    "instagram",
    "ig",
    "tiktok",
    "twitter",
    "discord",
    "venmo",
    "cashapp",
    "handle",
    "username",
    "gamertag",
    "telegram",
    "threads",
];

/// A handle typed without its "@" after its platform: "his snap is dre.wavy23", "insta:
/// bri_anna.xo". It holds a period, an underscore or a digit, so that "his snap is funny"
/// stays.
fn bare_handles(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    for k in 0..n {
        if !c.lower_is(k, B_PLATFORM) {
            continue;
        }
        let mut j = k + 1;
        while j < n && j <= k + 2 && matches!(c.words[j].base(), "is" | "name" | "handle" | "was") {
            j += 1;
        }
        let Some(next) = c.words.get(j) else {
            continue;
        };
        let gap = &c.text[c.words[j - 1].end..next.start];
        if !gap.bytes().all(|b| matches!(b, b' ' | b':' | b'=' | b'-')) || gap.len() > 3 {
            continue;
        }
        let len = bytes[next.start..]
            .iter()
            .take(31)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
            .count();
        let token = c.text[next.start..next.start + len].trim_end_matches('.');
        if (3..=30).contains(&token.len())
            && token
                .bytes()
                .any(|b| matches!(b, b'.' | b'_') || b.is_ascii_digit())
        {
            push_span(
                out,
                next.start,
                next.start + token.len(),
                EntityType::Url,
                0.7,
            );
        }
    }
}

const MESES: &[&str] = &[
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// Ordinals that name a day of the month, in their order, with "twenty" and "thirty" that
/// start the compound ones.
const DAY_ORDINALS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "thirtieth",
    "twenty",
    "thirty",
];

/// The day that the ordinal `base` names (1 to 31), compound ones given as one hyphenated
/// word ("twenty-second") or as two words (`tens` the word before: "twenty" "second").
fn day_of(base: &str) -> Option<u32> {
    let (tens, unit) = match base.split_once('-') {
        Some((t, u)) => (t, u),
        None => ("", base),
    };
    let tens = match tens {
        "" => 0,
        "twenty" => 20,
        "thirty" => 30,
        _ => return None,
    };
    let unit = DAY_ORDINALS[..21].iter().position(|o| *o == unit)? as u32 + 1;
    let day = match unit {
        20 => 20,
        21 => 30,
        u => u,
    };
    let day = if tens > 0 && day < 10 {
        tens + day
    } else if tens > 0 {
        return None;
    } else {
        day
    };
    (1..=31).contains(&day).then_some(day)
}

/// Dates spoken in words, as voicemails and messages are transcribed: "june eleventh nineteen
/// ninety nine", "march ninth", "the twenty second?", "the sixteenth.", and a date of birth
/// read digit by digit ("date of birth oh three oh nine eighty four").
fn spoken_dates(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let number_word = |k: usize| {
        c.lower_is(k, B_DIGIT_WORD | B_ORDINAL)
            || matches!(
                c.words[k].base(),
                "ten"
                    | "eleven"
                    | "twelve"
                    | "thirteen"
                    | "fourteen"
                    | "fifteen"
                    | "sixteen"
                    | "seventeen"
                    | "eighteen"
                    | "nineteen"
                    | "forty"
                    | "fifty"
                    | "sixty"
                    | "seventy"
                    | "eighty"
                    | "ninety"
                    | "thousand"
                    | "hundred"
            )
    };
    for k in 0..n {
        let w = &c.words[k];
        // Most words: no ordinal, no hyphenated "twenty-…", and no date-of-birth cue.
        let hyphenated = w.inner && w.lower.as_bytes()[0] == b't';
        let birth = matches!(w.base_len, 3 | 5) && matches!(w.base(), "birth" | "dob");
        if !c.lower_is(k, B_ORDINAL | B_MES) && !hyphenated && !birth {
            continue;
        }
        if c.lower_is(k, B_MES) {
            // "el 3 de abril", "abril 3", "en mayo", "not in mayo": a Spanish month after a
            // day and "de", before a day, or after a preposition.
            let bytes = c.text.as_bytes();
            let before = &c.text[..w.start];
            let day_de = before
                .strip_suffix("de ")
                .map(|b| b.trim_end_matches(' '))
                .filter(|b| b.ends_with(|ch: char| ch.is_ascii_digit()));
            let start = match day_de {
                Some(b) => b.len() - b.bytes().rev().take_while(u8::is_ascii_digit).count(),
                None => w.start,
            };
            let day_after = bytes.get(w.end) == Some(&b' ')
                && bytes.get(w.end + 1).is_some_and(u8::is_ascii_digit);
            let cued = k > 0
                && c.joined(k)
                && matches!(
                    c.words[k - 1].base(),
                    "de" | "en" | "in" | "since" | "until" | "desde" | "hasta" | "of"
                );
            if day_de.is_some() || day_after || cued {
                push_span(out, start, w.end, EntityType::Date, 0.7);
            }
            continue;
        }
        if birth {
            let mut j = k + 1;
            if j < n && c.joined(j) && matches!(c.words[j].base(), "is" | "was") {
                j += 1;
            }
            let first = j;
            while j < n
                && (j == first || c.joined(j) || c.words[j].gap == Gap::CommaSpace)
                && number_word(j)
            {
                j += 1;
            }
            if j - first >= 3 && first < n && c.words[first].gap != Gap::PeriodSpace {
                push_span(
                    out,
                    c.words[first].start,
                    c.words[j - 1].end,
                    EntityType::Date,
                    0.7,
                );
            }
            continue;
        }
        // The ordinal, with "twenty" or "thirty" before it.
        let (start, day) =
            if k > 0 && c.joined(k) && matches!(c.words[k - 1].base(), "twenty" | "thirty") {
                let compound = format!("{}-{}", c.words[k - 1].base(), w.base());
                (k - 1, day_of(&compound))
            } else {
                (k, day_of(w.base()))
            };
        if day.is_none()
            || matches!(w.base(), "twenty" | "thirty")
                && k + 1 < n
                && c.joined(k + 1)
                && c.lower_is(k + 1, B_ORDINAL)
        {
            continue;
        }
        let month_before = start > 0
            && c.joined(start)
            && dict::month_number(c.words[start - 1].base()).is_some()
            && c.words[start - 1].base() != "may"
            || start > 0
                && c.joined(start)
                && c.words[start - 1].base() == "may"
                && (c.words[start - 1].cap
                    || start > 1
                        && matches!(c.words[start - 2].base(), "on" | "by" | "since" | "until"));
        if month_before {
            // A year spoken after it: "nineteen ninety nine", "two thousand eleven".
            let mut end = k + 1;
            if end < n
                && matches!(c.words[end].base(), "nineteen" | "twenty" | "two")
                && (c.joined(end) || c.words[end].gap == Gap::CommaSpace)
            {
                let mut j = end;
                while j < n
                    && j < end + 5
                    && (j == end || c.joined(j))
                    && (number_word(j) || c.words[j].base() == "and")
                {
                    j += 1;
                }
                if j - end >= 2 {
                    end = j;
                }
            }
            push_span(
                out,
                c.words[start - 1].start,
                c.words[end - 1].end,
                EntityType::Date,
                0.75,
            );
            continue;
        }
        // "the sixteenth?", "maybe the twenty eighth.", "the ninth of March": a day alone
        // ends its clause or names its month; "the first time", "the second session" stay.
        let the = start > 0 && c.joined(start) && c.words[start - 1].base() == "the";
        let low = day.is_some_and(|d| d <= 3);
        let after = c.text[w.base_end..].trim_start_matches(['"', '\'', ' ']);
        let ends_clause = after.is_empty() || after.starts_with(['?', '.', '!', ',', ';', ')']);
        // ... but "the Fourth of July" is a holiday.
        let of_month = k + 2 < n
            && c.words[k + 1].base() == "of"
            && dict::month_number(c.words[k + 2].base()).is_some()
            && !(w.base() == "fourth" && c.words[k + 2].base() == "july");
        // "admitted on the twenty-eighth via the ED", "started on the first by": "on the"
        // names a day unless a noun of rank follows ("on the first try").
        let on_the = the
            && start > 1
            && c.words[start - 2].base() == "on"
            && c.joined(start - 1)
            && !(k + 1 < n
                && c.joined(k + 1)
                && (RANK_NOUNS.contains(&c.words[k + 1].base())
                    || matches!(
                        c.words[k + 1].base(),
                        "try"
                            | "attempt"
                            | "page"
                            | "list"
                            | "line"
                            | "one"
                            | "day"
                            | "night"
                            | "week"
                            | "visit"
                            | "session"
                            | "call"
                            | "round"
                            | "dose"
                            | "hand"
                    )));
        if the && !low && ends_clause || the && of_month || on_the {
            let end = if of_month {
                c.words[k + 2].end
            } else {
                w.base_end
            };
            push_span(out, c.words[start].start, end, EntityType::Date, 0.7);
        }
    }
}

/// Digits spoken one by one, as voicemails are transcribed: "my cell is six one seven, five
/// five five, zero one four two" (seven digits or more) is a phone number, with "extension
/// two oh four" after it.
fn spoken_numbers(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let digit = |k: usize| c.lower_is(k, B_DIGIT_WORD);
    let mut k = 0;
    while k < n {
        if !digit(k) {
            k += 1;
            continue;
        }
        let start = k;
        let mut end = k + 1;
        while end < n
            && digit(end)
            && matches!(c.words[end].gap, Gap::Space | Gap::CommaSpace | Gap::Other)
            && c.text[c.words[end - 1].end..c.words[end].start]
                .trim_matches([' ', ',', '-'])
                .is_empty()
        {
            end += 1;
        }
        if end - start >= 7 {
            let mut last = end;
            // "extension two oh four"
            if last + 1 < n
                && matches!(c.words[last].base(), "extension" | "ext" | "x")
                && digit(last + 1)
            {
                last += 1;
                while last < n && digit(last) {
                    last += 1;
                }
            }
            push_span(
                out,
                c.words[start].start,
                c.words[last - 1].end,
                EntityType::Phone,
                0.7,
            );
            k = last;
        } else {
            k = end;
        }
    }
}

/// Words after which a number is a road: "Route 24", "Highway 212", "I-95".
const ROAD_WORDS: &[&str] = &[
    "route",
    "rte",
    "rt",
    "highway",
    "hwy",
    "interstate",
    "i",
    "us",
    "sr",
    "road",
];

/// Nouns after "the 14th" that make it a rank, not a day: "the 14th floor".
const RANK_NOUNS: &[&str] = &[
    "floor",
    "grade",
    "percentile",
    "century",
    "time",
    "times",
    "birthday",
    "anniversary",
    "amendment",
    "street",
    "st",
    "ave",
    "avenue",
    "place",
    "day",
    "week",
    "month",
    "year",
    "visit",
    "session",
    "cycle",
    "round",
    "attempt",
    "dose",
    "edition",
    "ward",
    "precinct",
    "district",
    "pick",
    "inning",
    "period",
    "hour",
    "minute",
    "row",
    "seat",
    "child",
    "baby",
    "pregnancy",
    "decile",
    "quartile",
    "tier",
    "level",
    "step",
    "page",
    "chapter",
    "of",
    "grader",
    "graders",
    "rib",
    "ribs",
    "toe",
    "finger",
    "digit",
    "cranial",
    "nerve",
    "intercostal",
    "ics",
    "degree",
    "percent",
    "generation",
    "trimester",
    "postpartum",
    "line",
    "lumbar",
    "cervical",
];

/// Identifiers told by the words around a number, which the structured scanners do not see:
/// typists' initials ("JT/mk"), roads by number ("Route 24", "I-95"), a day of the month
/// alone ("on the 14th"), and ages of 90 and over given as a bare number ("died at 91",
/// "Grandmother (97)", "her aunt, 94,", "she's 93", "her 90th birthday").
fn numbers_in_context(c: &Ctx<'_>, out: &mut Vec<Span>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    for k in 0..n {
        let w = &c.words[k];
        // Most words: in lowercase or capitalised, after a gap without digits, no road word,
        // not the last. Nothing below can start at them.
        let prev_end = if k == 0 { 0 } else { c.words[k - 1].end };
        let digits_before =
            w.gap == Gap::Other && bytes[prev_end..w.start].iter().any(u8::is_ascii_digit);
        if !w.all_caps && !digits_before && k + 1 != n && !c.lower_is(k, B_ROAD) {
            continue;
        }
        // Typists' initials closing a dictation: "JT/mk", "AR/dmc", "RKS/dl", "GAL:tw"; the
        // author's may be a word ("AN/tlj", "IV/mlq") when the typist's is none.
        if w.all_caps
            && (2..=4).contains(&w.base().len())
            && k + 1 < n
            && c.words[k + 1].start == w.end + 1
            && (bytes[w.end] == b'/' && (!c.english(k) || !c.english(k + 1))
                || bytes[w.end] == b':' && !c.english(k) && !c.english(k + 1))
        {
            let v = &c.words[k + 1];
            let tail = c.text[v.end..].trim_start_matches([' ', '\t']);
            // Closing its line, or set off by a column gap: "PV/jrm      Job #338104".
            let column = c.text[v.end..].starts_with("  ") || c.text[v.end..].starts_with('\t');
            // "CFU/ml" and "MG/dl" are units; "RKS/dl" a typist.
            let unit = is_unit_word(v.base()) && (is_unit_word(w.base()) || w.base() == "cfu");
            let closing_period = tail.strip_prefix('.').is_some_and(rest_of_line_blank);
            let lower_ok = !v.cap
                && (2..=4).contains(&v.base().len())
                && !unit
                && (tail.is_empty()
                    || tail.starts_with(['\n', '\r'])
                    || tail.starts_with("cc")
                    || closing_period && !c.english(k) && !c.english(k + 1)
                    || column);
            if lower_ok {
                push_span(out, w.start, w.end, EntityType::Name, 0.7);
                push_span(out, v.start, v.end, EntityType::Name, 0.7);
            }
        }
        let after = &bytes[w.end..];
        // Roads by number.
        // "County Road 12" and "County Road K"; "Road" alone only after "County".
        let county_road = w.base() == "road" && k > 0 && c.words[k - 1].base() == "county";
        if c.lower_is(k, B_ROAD)
            && (w.base() != "road" || county_road)
            && (w.cap
                || k > 0
                    && (c.lower_is(k - 1, B_LOC_CUE)
                        || matches!(c.words[k - 1].base(), "on" | "off" | "near")))
        {
            let sep = match after {
                [b'-', ..] if matches!(w.base(), "i" | "us" | "sr") => 1,
                [b' ', ..] if !matches!(w.base(), "i" | "us" | "sr") => 1,
                [b'.', b' ', ..] if matches!(w.base(), "rt" | "rte") => 2,
                _ => 0,
            };
            let mut digits = after
                .iter()
                .skip(sep)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if county_road && digits == 0 {
                // Lettered county roads: "County Road K", "County Road JJ".
                let letters = after
                    .iter()
                    .skip(sep)
                    .take_while(|b| b.is_ascii_uppercase())
                    .count();
                if (1..=2).contains(&letters) {
                    digits = letters;
                }
            }
            let end = w.end + sep + digits;
            if sep > 0
                && (1..=3).contains(&digits)
                && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
            {
                push_span(out, w.start, end, EntityType::Location, 0.8);
            }
        }
        // A day of the month alone: "on the 14th", "the 2nd".
        if digits_before && matches!(w.base(), "st" | "nd" | "rd" | "th") && k > 0 {
            let digits = bytes[..w.start]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let num_start = w.start - digits;
            let day: u32 = c.text[num_start..w.start].parse().unwrap_or(0);
            let suffix_fits = match day % 10 {
                _ if (11..=13).contains(&(day % 100)) => w.base() == "th",
                1 => w.base() == "st",
                2 => w.base() == "nd",
                3 => w.base() == "rd",
                _ => w.base() == "th",
            };
            let the = c.words[k - 1].base() == "the" && c.words[k - 1].end + 1 == num_start;
            let rank = k + 1 < n && c.joined(k + 1) && RANK_NOUNS.contains(&c.words[k + 1].base());
            if (1..=2).contains(&digits) && (1..=31).contains(&day) && suffix_fits && the && !rank {
                push_span(out, num_start, w.end, EntityType::Date, 0.7);
            }
        }
        // Numbered streets without a house number ("NW 79th St", "on 5th Avenue") and the floor
        // of an address ("410 Main St, 3rd Floor, Worcester").
        if digits_before && matches!(w.base(), "st" | "nd" | "rd" | "th") && k + 1 < n {
            let digits = bytes[..w.start]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let next = &c.words[k + 1];
            let lower_street = !next.cap
                && matches!(
                    next.base(),
                    "st" | "street" | "ave" | "avenue" | "rd" | "road"
                );
            if (1..=3).contains(&digits) && c.joined(k + 1) && (next.cap || lower_street) {
                let mut start = w.start - digits;
                if k > 0
                    && c.words[k - 1].end + 1 == start
                    && matches!(
                        c.words[k - 1].base(),
                        "n" | "s"
                            | "e"
                            | "w"
                            | "nw"
                            | "ne"
                            | "sw"
                            | "se"
                            | "west"
                            | "east"
                            | "north"
                            | "south"
                    )
                    && c.words[k - 1].cap
                {
                    start = c.words[k - 1].start;
                }
                // After an ordinal, "St" is a street, never a saint.
                let street = c.lower_is(k + 1, B_STREET);
                let floor = matches!(next.base(), "floor" | "fl")
                    && c.text[..w.start - digits].ends_with(", ")
                    && c.text[next.end..].starts_with(", ");
                if street || floor {
                    push_span(out, start, next.end, EntityType::Location, 0.75);
                }
            }
        }
        // Ages of 90 and over as a bare number between word `k - 1` and word `k` (or the
        // end of the text, after the last word).
        if k == 0 {
            continue;
        }
        if digits_before {
            age_after(c, k - 1, w.start, Some(k), out);
            card_tail(c, k - 1, w.start, out);
        }
        if k == n - 1 {
            age_after(c, k, bytes.len(), None, out);
            card_tail(c, k, bytes.len(), out);
        }
    }
}

/// The last four digits of a card or an account in the text between the end of word `p` and
/// `to`: "the card on file ending in 6621", "ends in 7784".
fn card_tail(c: &Ctx<'_>, p: usize, to: usize, out: &mut Vec<Span>) {
    let gap = &c.text.as_bytes()[c.words[p].end..to];
    let four = gap.len() >= 5
        && gap[0] == b' '
        && gap[1..5].iter().all(u8::is_ascii_digit)
        && gap.get(5).is_none_or(|b| !b.is_ascii_alphanumeric());
    let cue = c.words[p].base() == "in"
        && p > 0
        && matches!(c.words[p - 1].base(), "ending" | "ends" | "ended")
        || c.words[p].base() == "ending";
    if !four || !cue {
        return;
    }
    // A card or an account must be named in the clause: "the story ending in 1999" is a year.
    let named = (p.saturating_sub(7)..p).any(|k| {
        matches!(
            c.words[k].base(),
            "card"
                | "account"
                | "acct"
                | "visa"
                | "mastercard"
                | "amex"
                | "debit"
                | "credit"
                | "checking"
                | "savings"
                | "discover"
        )
    });
    if named {
        let start = c.words[p].end + 1;
        push_span(out, start, start + 4, EntityType::Account, 0.7);
    }
}

/// An age of 90 or over as a bare number in the text between the end of word `p` and `to`,
/// where word `next` (if any) starts.
fn age_after(c: &Ctx<'_>, p: usize, to: usize, next: Option<usize>, out: &mut Vec<Span>) {
    let bytes = c.text.as_bytes();
    let named = |k: usize| matches!(c.info[k].label, Some((EntityType::Name, _)));
    let kin = |k: usize| {
        c.lower_is(k, B_RELATION | B_KIN) && !c.lower_is(k, B_FUNCTION)
            // "great-grandmother", "step-father".
            || c.words[k].inner
                && c.words[k].base().rsplit_once('-').is_some_and(|(_, tail)| {
                    c.d.get(tail).cues & (B_RELATION | B_KIN) != 0
                })
    };
    let k = p + 1;
    {
        let from = c.words[p].end;
        let gap = &bytes[from..to];
        let Some(d0) = gap.iter().position(u8::is_ascii_digit) else {
            return;
        };
        let digits = gap[d0..].iter().take_while(|b| b.is_ascii_digit()).count();
        let age: u32 = c.text[from + d0..from + d0 + digits].parse().unwrap_or(0);
        if !(90..=119).contains(&age) {
            return;
        }
        let lead = &gap[..d0];
        let trail = &gap[d0 + digits..];
        let (start, end) = (from + d0, from + d0 + digits);
        let prev = c.words[k - 1].base();
        let prev2 = if k >= 2 { c.words[k - 2].base() } else { "" };
        let next_base = next.map_or("", |j| c.words[j].base());
        let plain_end = trail.is_empty()
            || matches!(trail[0], b',' | b';' | b')')
            || trail[0] == b'.' && trail.get(1).is_none_or(|b| !b.is_ascii_digit())
            || trail[0] == b' ' && trail.len() == 1 && !is_unit_word(next_base);
        let age_here = match lead {
            // "died at 91", "passed away at 92".
            // ... "alive at 95", "living at 91", "lived to 103".
            b" " if prev == "at" => {
                matches!(
                    prev2,
                    "died" | "away" | "death" | "deceased" | "expired" | "alive" | "living"
                ) && (plain_end || trail == b" " && matches!(next_base, "in" | "on"))
            }
            b" " if prev == "to" && matches!(prev2, "lived" | "lives" | "live") => {
                plain_end || trail == b" " && matches!(next_base, "in" | "on")
            }
            // "she's 93", "she was 94.", "Grandma is 96,".
            b" " if matches!(prev, "was" | "is" | "turned" | "turns" | "now" | "been") => {
                k >= 2
                    && (matches!(prev2, "she" | "he" | "who" | "have" | "had")
                        || kin(k - 2)
                        || named(k - 2))
                    && (plain_end
                        || trail == b" "
                            && matches!(next_base, "in" | "on" | "next" | "this" | "when"))
            }
            // "she will be 94 in December", "he'd be 91".
            b" " if prev == "be" => {
                matches!(
                    c.words[k - 2.min(k)].lower.as_ref(),
                    "will" | "she'll" | "he'll" | "i'll" | "would" | "she'd" | "he'd"
                ) && (plain_end
                    || trail == b" " && matches!(next_base, "in" | "on" | "next" | "this"))
            }
            b" " if matches!(
                c.words[k - 1].lower.as_ref(),
                "she's" | "he's" | "shes" | "hes"
            ) =>
            {
                plain_end || trail == b" " && matches!(next_base, "in" | "on" | "next" | "this")
            }
            // "Grandmother (97)".
            b" (" => (kin(k - 1) || named(k - 1)) && trail.first() == Some(&b')'),
            // "her aunt, 94, still drives", "Mrs. Papadakis, 96, was admitted", "Mother
            // alive, 93, in Lagos", "sister Nora living, 97, in a nursing home".
            b", " => {
                (kin(k - 1) || named(k - 1) || matches!(prev, "alive" | "living"))
                    && (matches!(trail.first(), Some(b',' | b')'))
                        // "Edgar Lindahl, 92 M, MRN ...": the age and the sex.
                        || trail == b" " && matches!(next_base, "m" | "f"))
            }
            _ => false,
        };
        // "her 90th birthday".
        let birthday = trail.is_empty()
            && next_base == "th"
            && next.is_some_and(|j| j + 1 < c.words.len() && c.words[j + 1].base() == "birthday");
        if age_here || birthday {
            push_age(out, start, end);
        }
    }
}

/// Units that follow a slash or a number: "CFU/ml", "91 kg".
fn is_unit_word(b: &str) -> bool {
    matches!(
        b,
        "ml" | "dl"
            | "l"
            | "kg"
            | "g"
            | "mg"
            | "mcg"
            | "hr"
            | "hrs"
            | "h"
            | "min"
            | "d"
            | "wk"
            | "mo"
            | "yr"
            | "s"
            | "sec"
            | "hpf"
            | "lpf"
            | "mm"
            | "cm"
            | "m"
            | "ul"
            | "mcl"
            | "lb"
            | "lbs"
            | "bpm"
            | "mmhg"
            | "percent"
            | "units"
            | "meq"
            | "mmol"
            | "ng"
            | "pg"
            | "iu"
            | "in"
            | "ft"
            | "oz"
            | "kcal"
            | "cc"
            | "f"
            | "c"
    )
}

fn push_span(out: &mut Vec<Span>, start: usize, end: usize, kind: EntityType, score: f32) {
    out.push(Span {
        start,
        end,
        kind,
        score,
    });
}

/// Labels of form fields, header lines and signatures whose value is a person: "Patient:",
/// "Emergency contact name:", "Goes by:", "Dictated by:", "cc:".
const NAME_FIELDS: &[&str] = &[
    "name",
    "re",
    "from",
    "patient",
    "pt",
    "client",
    "caller",
    "student",
    "contact",
    "guardian",
    "parent",
    "mother",
    "father",
    "spouse",
    "husband",
    "wife",
    "partner",
    "member",
    "therapist",
    "clinician",
    "provider",
    "physician",
    "attending",
    "pcp",
    "counselor",
    "counsellor",
    "teacher",
    "resident",
    "author",
    "signed",
    "by",
    "attn",
    "cc",
    "first",
    "last",
    "nickname",
    "aka",
    "child",
    "son",
    "daughter",
    "sibling",
    "supervisor",
    "supervisee",
    "trainee",
    "interpreter",
    "informant",
    "psychiatrist",
    "psychologist",
    "nurse",
    "prescriber",
    "youth",
    "minor",
    "adolescent",
    "veteran",
    "individual",
    "participant",
    "texter",
    "sender",
    "recipient",
    "employee",
    "worker",
    "officer",
    "judge",
    "attorney",
    "lawyer",
];

/// People named by a field's label ([`NAME_FIELDS`]) or by a transcript's speaker label.
///
/// A field's value is up to four words that are names, no English words, or initials, also in
/// the "SURNAME, FIRST M" order of charts and in lowercase; it stops at the first other word.
/// A speaker label is a first name that opens its line before a colon ("GRACE: Can I say
/// something?"), though the name is an English word too.
fn name_fields(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let text = c.text;
    let bytes = text.as_bytes();
    // Speaker labels on no list, with whether they open two lines or more: each is looked
    // for in the text once.
    let mut speakers: Vec<(&str, bool)> = Vec::new();
    for i in 1..n {
        // Both kinds of label end in a colon right after the word, or a count before it
        // ("Present (6):").
        let after = &bytes[c.words[i - 1].end..c.words[i].start];
        let counted = after.first() == Some(&b' ')
            && after.get(1) == Some(&b'(')
            && after.iter().position(|&b| b == b':').is_some();
        if after.first() != Some(&b':') && !counted {
            continue;
        }
        let gap = &c.text[c.words[i - 1].end..c.words[i].start];
        // The value may be quoted: 'CALLER: "Will"'.
        let field_gap = gap.split_once(':').is_some_and(|(_, rest)| {
            let rest = rest
                .strip_suffix('"')
                .or_else(|| rest.strip_suffix('\u{201c}'))
                .unwrap_or(rest);
            !rest.is_empty() && rest.bytes().all(|b| b == b' ' || b == b'\t')
        });
        if field_gap {
            let label = c.words[i - 1].base();
            if LIST_FIELDS.contains(&label) {
                name_list(c, i);
                continue;
            }
            // "by" names a person only after a verb of record keeping: "Dictated by:".
            let by_ok = label != "by"
                || i >= 2
                    && matches!(
                        c.words[i - 2].base(),
                        "dictated"
                            | "signed"
                            | "verified"
                            | "entered"
                            | "typed"
                            | "transcribed"
                            | "reviewed"
                            | "completed"
                            | "written"
                            | "prepared"
                            | "goes"
                            | "authored"
                            | "seen"
                    );
            if matches!(
                label,
                "city"
                    | "town"
                    | "county"
                    | "hometown"
                    | "neighborhood"
                    | "neighbourhood"
                    | "village"
            ) {
                // "City: round rock": the value up to the end of the line or a comma.
                let mut k = i;
                while k < n
                    && k < i + 3
                    && (k == i || c.joined(k))
                    && !c.lower_is(k, B_FUNCTION)
                    && !c.info[k].ent.is(F_REGION)
                    && c.info[k].label.is_none()
                {
                    k += 1;
                }
                for j in i..k {
                    c.set(j, EntityType::Location, 0.8);
                }
                continue;
            }
            if NAME_FIELDS.contains(&label) && by_ok {
                let name_label = matches!(label, "name" | "nickname");
                name_field_value(c, i, name_label);
                continue;
            }
        }
        // A speaker label: "GRACE:" or "Grace:" opening its line, or "june:" after a chat's
        // time stamp ("[8:03 PM] june: heyyy"); a month that speaks is a name there.
        let w = &c.words[i - 1];
        if !gap.starts_with(": ") {
            continue;
        }
        let (line_start, stamped) = {
            let before = c.text[..w.start].trim_end_matches([' ', '\t']);
            (
                before.is_empty() || before.ends_with('\n'),
                before.ends_with(']'),
            )
        };
        if (line_start && w.cap || stamped)
            && w.base().len() >= 3
            && c.first_name(i - 1)
            && !c.info[i - 1].ent.is(F_KEEP)
            && !c.lower_is(i - 1, B_FUNCTION | B_RELATION)
        {
            c.set(i - 1, EntityType::Name, 0.75);
        } else if line_start
            && w.cap
            && w.base().len() >= 3
            && !c.english(i - 1)
            && !c.info[i - 1].ent.is(F_KEEP | F_REGION)
            && {
                // "ROZ:", "Tolu:": a word that is no name on the lists speaks when it opens
                // two lines or more of the transcript.
                let raw = &text[w.start..w.end];
                match speakers.iter().find(|(s, _)| *s == raw) {
                    Some(&(_, speaks)) => speaks,
                    None => {
                        let mut lines = text.match_indices(raw).filter(|&(at, _)| {
                            (at == 0 || bytes[at - 1] == b'\n')
                                && text[at + raw.len()..].starts_with(": ")
                        });
                        let speaks = lines.next().is_some() && lines.next().is_some();
                        speakers.push((raw, speaks));
                        speaks
                    }
                }
            }
        {
            c.set(i - 1, EntityType::Name, 0.7);
        } else if w.base_len == 1 && i >= 2 && c.joined(i - 1) {
            // "[CHAT 4:06 PM] jade o:", "Yesenia G:": a first name and an initial.
            let f = &c.words[i - 2];
            let before = c.text[..f.start].trim_end_matches([' ', '\t']);
            if (before.ends_with(']') || before.is_empty() || before.ends_with('\n'))
                && c.first_name(i - 2)
                && f.base().len() >= 3
            {
                c.set(i - 2, EntityType::Name, 0.7);
                c.set(i - 1, EntityType::Name, 0.7);
            }
        }
    }
    chat_senders(c);
}

/// The senders of a meeting's chat: "From jordan.k to Everyone:", "From Amanda Whitfield to
/// Rich D (Direct Message):".
fn chat_senders(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for k in 0..n {
        if !c.words[k].cap || c.words[k].base_len != 4 || c.words[k].base() != "from" {
            continue;
        }
        let Some(to) = (k + 2..n.min(k + 5)).find(|&j| c.words[j].base() == "to") else {
            continue;
        };
        let line_end = c.text[c.words[to].end..]
            .find('\n')
            .map_or(c.text.len(), |e| c.words[to].end + e);
        let rest = &c.text[c.words[to].end..line_end];
        let Some(colon) = rest.find(':') else {
            continue;
        };
        let head = &rest[..colon];
        let everyone = head.trim().eq_ignore_ascii_case("everyone");
        let direct = head.contains("(Direct Message)") || head.contains("(Privately)");
        if !everyone && !direct {
            continue;
        }
        for j in k + 1..to {
            c.set(j, EntityType::Name, 0.75);
        }
        if direct {
            let stop = c.words[to].end + head.find('(').unwrap_or(colon);
            let mut j = to + 1;
            while j < n && c.words[j].end <= stop {
                c.set(j, EntityType::Name, 0.75);
                j += 1;
            }
        }
    }
}

/// Labels of lists of people: "Present (6): Frank, Bill T., Rosa M., J.K., Tasha".
const LIST_FIELDS: &[&str] = &[
    "present",
    "absent",
    "members",
    "attendees",
    "attendance",
    "participants",
    "excused",
    "residents",
];

/// Labels the names of the list that starts at word `i`: items separated by commas, each one
/// to three words that are names, no English words or initials, up to the end of the line.
fn name_list(c: &mut Ctx<'_>, i: usize) {
    let n = c.words.len();
    let mut k = i;
    let mut item = 0;
    while k < n {
        let w = &c.words[k];
        if k > i {
            let gap = &c.text[c.words[k - 1].end..w.start];
            if gap.contains('\n') {
                break;
            }
            match gap {
                // "Rosa M., J.K.": an initial's period may come before the comma.
                ", " | "., " => item = 0,
                " " | ". " | "." if item < 3 => {}
                _ => break,
            }
        }
        let initial = w.cap && w.base().chars().count() == 1;
        // "M.D." and "R.N." after a name are credentials, no initials.
        let credential = initial
            && [
                "M.D", "D.O", "R.N", "N.P", "P.A", "M.A", "M.S", "B.A", "B.S", "J.D",
            ]
            .iter()
            .any(|cr| c.text[w.start..].starts_with(cr));
        let fits = w.cap
            && !credential
            && !c.calendar(k)
            && !c.lower_is(k, B_FUNCTION | B_TITLE | B_RELATION)
            && (initial || c.named(k) || !c.english(k))
            && c.info[k].label.is_none();
        if !fits {
            break;
        }
        c.set(k, EntityType::Name, 0.8);
        item += 1;
        k += 1;
    }
}

/// Labels the value of the name field whose label `label` ends just before word `i`.
/// `name_label`: the label is "name" itself, after which any first word is the name.
fn name_field_value(c: &mut Ctx<'_>, i: usize, name_label: bool) {
    let n = c.words.len();
    let lowercase = !c.words[i].cap;
    let mut k = i;
    let mut commas = 0;
    while k < n && k < i + 4 {
        if k > i {
            // "WASHINGTON, DELORES A": one comma, after the surname alone; "R.S.": initials.
            let comma = c.words[k].gap == Gap::CommaSpace && commas == 0 && k == i + 1;
            let initials = c.words[k].gap == Gap::Period
                && c.words[k].base().len() == 1
                && c.words[k - 1].base().len() == 1;
            if !(c.joined(k) || comma || initials) {
                break;
            }
            commas += usize::from(comma);
        }
        let w = &c.words[k];
        let upper = c.text.as_bytes()[w.start].is_ascii_uppercase();
        let initial = w.cap && w.base().chars().count() == 1 && !matches!(w.base(), "a" | "i")
            // "ABERNETHY-COLE, JUDITH A      MRN": a middle initial closing the field, even "A".
            || upper
                && w.base().len() == 1
                && commas == 1
                && k == i + 2
                && {
                    let rest = &c.text[w.end..];
                    rest.is_empty() || rest.starts_with(['.', '\n', '\t']) || rest.starts_with("  ")
                };
        // An acronym is a unit or a service ("Referred by: EAP"), unless a name.
        let acronym = w.all_caps && w.base().len() <= 4 && !c.named(k);
        // After "Name:" the first word is the name whatever it is ("First name: will").
        let named_field = k == i && name_label && c.named(k);
        // "Identified client: Sky Petrov-Morales": a capitalised word before a surname that is
        // on no other list is its first name, even when an English word.
        let before_surname = k == i
            && w.cap
            && !w.all_caps
            && k + 1 < n
            && c.joined(k + 1)
            && c.words[k + 1].cap
            && c.surname(k + 1)
            && (!c.english(k + 1) || c.words[k + 1].inner)
            && !c.lower_is(k, B_VIRTUE | B_AUX | B_SPEECH);
        // "BROOKS, APRIL DAWN", "PALOMINO, LUCIA M.": after the surname and its comma come a
        // first name and a middle one, whatever words they are, when the surname is a name
        // or the first name after it is.
        let after_comma = commas == 1
            && k > i
            && w.cap
            && (c.named(i) || c.first_name(i + 1) || !c.english(i))
            && (k == i + 1 || c.first_name(i + 1) || c.calendar(i + 1));
        // ... and the surname itself, whatever word, before its comma and a first name.
        let before_comma = k == i
            && w.cap
            && k + 1 < n
            && c.words[k + 1].gap == Gap::CommaSpace
            && c.first_name(k + 1)
            // "FIELD, HUNTER J": an English first name with its initial after it.
            && (!c.english(k + 1)
                || k + 2 < n
                    && c.words[k + 2].gap == Gap::Space
                    && c.words[k + 2].base_len == 1
                    && c.text.as_bytes()[c.words[k + 2].start].is_ascii_uppercase())
            && c.info[k + 1]
                .label
                .is_none_or(|(t, _)| t == EntityType::Name);
        let fits = (w.cap && !acronym
            || named_field
            || initial
            // In lowercase ("Student: lily mcallister") a name that is no English word, or a
            // first name that a surname follows; "Client: see, this is why" is speech.
            || lowercase
                && !c.lower_is(k, B_FUNCTION | B_VIRTUE)
                && (!c.english(k) && c.named(k)
                    || k > i && c.surname(k)
                    || c.first_name(k)
                        && k + 1 < n
                        && c.joined(k + 1)
                        && !c.words[k + 1].cap
                        && c.surname(k + 1)
                        && !c.english(k + 1)))
            && (!c.calendar(k) || after_comma)
            && !c.info[k].ent.is(F_KEEP)
            && (!c.lower_is(k, B_TITLE | B_RELATION | B_ORG_SUFFIX | B_ORG_WEAK | B_FUNCTION)
                || initial && w.base().len() == 1)
            // "counselor: Good morning": an English word is a name here only when it is a
            // first name, or a surname after the first word ("BILL KING").
            && (!c.english(k)
                || c.first_name(k)
                || k > i && c.surname(k)
                || initial
                || after_comma
                || before_comma
                || before_surname)
            && (w.cap || c.named(k) || initial)
            && c.info[k].label.is_none();
        if !fits {
            break;
        }
        k += 1;
    }
    for j in i..k {
        c.set(j, EntityType::Name, 0.85);
    }
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

/// Words after a number that make it no age: "be ninety minutes late".
const NOT_AGE_UNITS: &[&str] = &[
    "minutes", "min", "mins", "seconds", "hours", "days", "percent", "dollars", "pounds", "miles",
    "degrees", "feet", "times", "people", "patients", "sessions", "units",
];

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
        let hundred_next = || i + 1 < n && c.words[i + 1].base().starts_with("hundred");
        let maybe = match b.as_bytes() {
            [b'n', b'i', ..] => b.starts_with("ninet"),
            [b'n', b'o', ..] => b.starts_with("nonagenarian"),
            [b'c', b'e', ..] => b.starts_with("centenarian"),
            [b's', b'u', ..] => b.starts_with("supercentenarian"),
            b"s" => true,
            b"one" | b"a" => hundred_next(),
            [b'o', b'n', b'e', b'-', ..] => b.starts_with("one-hundred"),
            _ => false,
        };
        if !maybe {
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
        // "she was ninety-six", "who is ninety-one", "would have been ninety".
        let copula = i > 1
            && c.joined(i)
            && matches!(c.words[i - 1].base(), "was" | "is" | "been")
            && matches!(c.words[i - 2].base(), "she" | "he" | "who" | "have" | "had")
            // "he's ninety", "shes ninety-one"
            || i > 0
                && c.joined(i)
                && matches!(c.words[i - 1].lower.as_ref(), "he's" | "she's" | "hes" | "shes");
        // "I'll be ninety in August", "she lived to ninety-six" (not "be ninety minutes").
        let becoming = i > 0
            && c.joined(i)
            && (c.words[i - 1].base() == "be"
                || i > 1 && c.words[i - 1].base() == "to" && c.words[i - 2].base() == "lived")
            && !parts
                .get(p)
                .is_some_and(|&(next, _)| NOT_AGE_UNITS.contains(&next));
        let before = copula
            || becoming
            || i > 0 && c.joined(i) && AGE_BEFORE.contains(&c.words[i - 1].base())
            // "going on ninety-four"
            || i > 1
                && c.joined(i)
                && c.words[i - 1].base() == "on"
                && c.words[i - 2].base() == "going";
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
        // The longest prefix of the run that ends in an organisation word; a weak one
        // ("Medicine", "Police") only after a distinctive word.
        // ... or after two words or more that open no sentence ("Heritage Pines Assisted
        // Living"), where capitals name something.
        // "a coworker at Pizza Palace", "transported to Corner Drug": after a word that leads
        // to a place of business, two capitalised words in mid-sentence are enough.
        let business_cue = i > 0
            && c.joined(i)
            && matches!(
                c.words[i - 1].base(),
                "at" | "to" | "through" | "from" | "via"
            );
        let ends_name = |e: usize| {
            c.lower_is(e - 1, B_ORG_SUFFIX)
                || c.lower_is(e - 1, B_ORG_WEAK)
                    && ((i..e - 1).any(|k| distinctive(c, k))
                        || (e - i >= 3 || e - i == 2 && business_cue)
                            && !c.words[i].sentence_start
                            && !c.words[i].all_caps
                            && !generic_weak(c, e - 1))
        };
        // "Tri-Lakes Cold Storage & Distribution, Inc.", "Blue Spruce Psychiatry, PLLC": a
        // legal form after a comma makes the whole run a company's name.
        let legal = legal_form_after(c, run_end);
        let named_end = (i + 2..=run_end)
            .rev()
            .find(|&e| ends_name(e))
            .unwrap_or(run_end);
        let mut end = named_end;
        // "Release of Protected Health Information", "Mental Health Records": a kind of
        // record, no organisation.
        let record_kind = named_end < run_end
            && matches!(
                c.words[named_end].base(),
                "information" | "records" | "record" | "privacy" | "policy"
            );
        // "Kenning County District Court": organisation words after the one that ends it.
        while end < run_end && c.lower_is(end, B_ORG_SUFFIX | B_ORG_WEAK) && !generic_weak(c, end) {
            end += 1;
        }
        // "Department of Psychiatry", "Division of Cardiology": any hospital's.
        let specialty = end - i >= 3
            && matches!(
                c.words[i].base(),
                "department" | "dept" | "division" | "section" | "service" | "school"
            )
            && c.words[i + 1].base() == "of"
            && (i + 2..end).all(|k| c.lower_is(k, B_SPECIALTY | B_CONNECTOR))
            // "School of Medicine" names a university's school only with the university.
            && c.words[i].base() != "school";
        // "the Psychiatry Department", "Emergency Department": a department that names no
        // hospital is generic.
        let end = if legal > 0 { run_end } else { end };
        // ... but "Great Falls Police Department" and "Marrow County Probation Department"
        // name a town's or a county's.
        let generic_unit = end - i >= 2
            && (matches!(
                c.words[end - 1].base(),
                "department" | "dept" | "service" | "unit"
            ) && end - i <= 3
                && (i..end - 1).all(|k| {
                    c.english(k)
                        && !c.info[k].ent.is(F_PLACE)
                        && !matches!(c.words[k].base(), "county" | "city" | "town")
                })
                || (i..end - 1).all(|k| c.lower_is(k, B_SPECIALTY | B_CONNECTOR)));
        // "Mrs. Hall" is a person whose surname is also an organisation word ("Dr. King
        // Elementary School" is still a school, and "Dr. Hospital" no person).
        let courtesy = end - i == 2
            && matches!(
                c.words[i].base(),
                "mr" | "mrs" | "ms" | "miss" | "mx" | "dr"
            )
            && c.surname(i + 1);
        let suffix = (end - i >= 2 && ends_name(named_end) && !record_kind || legal > 0)
            && !courtesy
            && !generic_unit
            && !heading(c, i, run_end);
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
                    | "hospice"
                    | "port"
                    | "diocese"
                    | "archdiocese"
            )
            && c.words[i + 1].base() == "of"
            && !specialty;
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
        // "seen at MGH", "the BWH ED": an acronym that is no word, after a hospital verb and
        // "at", "from" or "to", or before the emergency department.
        let hospital_acronym = (end - i == 1
            || end - i == 2 && matches!(c.words[i + 1].lower.as_ref(), "ed" | "er"))
            && c.words[i].all_caps
            && (2..=5).contains(&c.words[i].base().len())
            && !c.english(i)
            && !c.info[i].ent.is(F_REGION | F_CALENDAR)
            && (i >= 2
                && c.joined(i)
                && matches!(c.words[i - 1].base(), "at" | "from" | "to")
                && c.lower_is(i - 2, B_HOSPITAL_VERB)
                || i + 1 < n
                    && c.joined(i + 1)
                    && matches!(c.words[i + 1].lower.as_ref(), "ed" | "er" | "emergency"));
        // "HVMC", "UPMC": a medical center's acronym names it wherever it stands.
        let center_acronym = end - i == 1
            && c.words[i].all_caps
            && (3..=6).contains(&c.words[i].base().len())
            && c.words[i].base().ends_with("mc")
            && !c.english(i)
            && !c.info[i].ent.is(F_KEEP);
        let hospital_acronym = hospital_acronym || center_acronym;
        let end = if hospital_acronym { i + 1 } else { end };
        // "Compassionate Care Hospice of Greater Boston": a place after "of" belongs to the name,
        // and it sets a weak last word apart.
        let of_place = (i + 1..run_end).any(|o| {
            c.words[o].base() == "of"
                && c.lower_is(o - 1, B_ORG_SUFFIX | B_ORG_WEAK)
                && o + 1 < run_end
                && (o + 1..run_end).all(|k| {
                    c.info[k].ent.is(F_PLACE | F_REGION)
                        || matches!(
                            c.words[k].base(),
                            "greater" | "north" | "south" | "east" | "west" | "central" | "new"
                        )
                })
        });
        let end = if of_place { run_end } else { end };
        // A form's field that holds an organisation: "Insurance: Granite State Mutual",
        // "Employer: Lumen Semiconductor". The whole capitalised run is its value.
        let field = org_field(c, i) && !c.info[i].ent.is(F_REGION) && !c.calendar(i) && {
            let e = run_end;
            e - i >= 2 || !c.english(i) || c.words[i].all_caps
        };
        let end = if field { run_end } else { end };
        // "Castellano & Burke", "Harlow & Finch": names joined by an ampersand are a firm.
        let firm = (2..=5).contains(&(run_end - i))
            && (i + 1..run_end).any(|k| c.words[k].gap == Gap::Ampersand)
            && (i..run_end).any(|k| distinctive(c, k))
            && (i..run_end).all(|k| {
                !c.lower_is(k, B_KIN | B_FUNCTION | B_TITLE)
                    && !c.calendar(k)
                    && !c.info[k].ent.is(F_REGION)
            })
            && !heading(c, i, run_end);
        let end = if firm { run_end.max(end) } else { end };
        // "St. Rocco's", "ST. ANN'S": a saint's name in the possessive is a parish or a school.
        let saint = (end - i <= 2 || !ends_name(end))
            && matches!(c.words[i].base(), "st" | "saint")
            && i + 1 < n
            && c.joined(i + 1)
            && c.words[i + 1].cap
            && c.words[i + 1].base_len < c.words[i + 1].lower.len()
            && !c.lower_is(i + 1, B_ORG_SUFFIX)
            // "St. Patrick's Day", "St. Valentine's Day" are holidays.
            && !(i + 2 < n && c.joined(i + 2) && c.words[i + 2].base() == "day");
        if saint {
            c.set(i, EntityType::Organization, 0.8);
            c.set(i + 1, EntityType::Organization, 0.8);
            c.info[i + 1].whole = true;
            // "St. Monica's Parish", "St. Luke's Anglican": the word after names the same place.
            if i + 2 < n
                && c.joined(i + 2)
                && c.words[i + 2].cap
                && (c.lower_is(i + 2, B_ORG_SUFFIX | B_ORG_WEAK)
                    || matches!(
                        c.words[i + 2].base(),
                        "church" | "anglican" | "episcopal" | "catholic" | "lutheran" | "cathedral"
                    ))
            {
                c.set(i + 2, EntityType::Organization, 0.8);
                i += 3;
                continue;
            }
            i += 2;
            continue;
        }
        if suffix || of_form || cued || hospital_acronym || field || of_place || firm {
            // "The", "At" or "Dear" opening a sentence, or a cue ("Attends Grace Church"),
            // is not part of the name.
            let mut first = i;
            while first + 1 < end
                && c.english(first)
                && (c.lower_is(first, B_FUNCTION | B_ORG_CUE_LAST | B_ORG_CUE_HEAD)
                    || matches!(c.words[first].base(), "dear" | "attn" | "continue"))
            {
                first += 1;
            }
            for k in first..end {
                c.set(k, EntityType::Organization, if cued { 0.8 } else { 0.85 });
            }
            // "Brightwater Logistics, Inc.": the legal form after a comma.
            for k in end..end + legal_form_after(c, end) {
                c.set(k, EntityType::Organization, 0.85);
            }
        }
        i = end.max(i + 1);
    }
}

/// Words that lead a place's name: "East Fairhaven", "North Aldon", "Little Saigon", "Port
/// Alden", and the direction after a street ("Fourth Avenue North").
const PLACE_PREFIXES: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "new",
    "port",
    "fort",
    "ft",
    "mount",
    "mt",
    "lake",
    "little",
    "upper",
    "lower",
    "greater",
    "glen",
    "point",
    "cape",
    "west-end",
];

/// A capitalised prefix before a place or a name the passes found makes one place of both
/// ("North Aldon": not a person called Aldon); a direction after a street joins the street.
fn place_prefixes(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for i in 1..n {
        let label = c.info[i].label;
        let found = matches!(label, Some((EntityType::Location | EntityType::Name, _)));
        if !found || !c.joined(i) || c.words[i - 1].gap == Gap::PeriodSpace && i >= 2 {
            continue;
        }
        let p = &c.words[i - 1];
        if !p.cap
            || p.all_caps
            || c.info[i - 1].label.is_some()
            || c.info[i - 1].safe
            || !PLACE_PREFIXES.contains(&p.base())
            || c.text.as_bytes().get(p.end) == Some(&b'.')
        {
            continue;
        }
        // "Dr. West" or "Mrs. Little Jones": a title before the prefix makes it a surname.
        if i >= 2 && c.lower_is(i - 2, B_TITLE) {
            continue;
        }
        // The name after the prefix becomes part of the place, unless it goes on into more
        // of a person's name ("North Aldon Smith" is no place).
        let person_follows = i + 1 < n
            && c.joined(i + 1)
            && matches!(c.info[i + 1].label, Some((EntityType::Name, _)));
        if person_follows {
            continue;
        }
        c.info[i - 1].label = Some((EntityType::Location, 0.75));
        c.info[i].label = Some((EntityType::Location, 0.75));
    }
    // "Fourth Avenue North", "Lakeshore Boulevard West": the direction closes the street.
    for i in 1..n {
        if matches!(c.info[i - 1].label, Some((EntityType::Location, _)))
            && c.info[i].label.is_none()
            && !c.info[i].safe
            && c.joined(i)
            && c.words[i].cap
            && matches!(c.words[i].base(), "north" | "south" | "east" | "west")
            && c.lower_is(i - 1, B_STREET)
        {
            c.info[i].label = Some((EntityType::Location, 0.75));
        }
    }
}

/// A letterhead: a line of two to six capitalised words, no digits and no colon, right above a
/// street address ("NORTH COUNTRY INTERNAL MEDICINE" over "88 Depot Street"). A person's name
/// over an address (an addressee) is left to the name passes.
fn letterheads(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    let mut i = 0;
    while i < n {
        let w = &c.words[i];
        if !(w.cap && (w.start == 0 || bytes[w.start - 1] == b'\n')) {
            i += 1;
            continue;
        }
        let lim = window_end(c.text, w.start, 120);
        let line_end = c.text[w.start..lim].find('\n').map(|p| w.start + p);
        let Some(line_end) = line_end else {
            i += 1;
            continue;
        };
        let mut e = i;
        while e < n && c.words[e].end <= line_end {
            e += 1;
        }
        let line = &c.text[w.start..line_end];
        let next = &bytes[line_end + 1..];
        let digits = next
            .iter()
            .take(7)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let address_below = (1..=6).contains(&digits)
            && next.get(digits) == Some(&b' ')
            && next.get(digits + 1).is_some_and(u8::is_ascii_uppercase);
        let words_ok = (i..e).all(|k| {
            (c.words[k].cap || c.lower_is(k, B_CONNECTOR))
                && !c.calendar(k)
                && !c.lower_is(k, B_TITLE)
                && (!c.first_name(k) || c.english(k))
                && !c.info[k].safe
                && matches!(
                    c.info[k].label,
                    None | Some((EntityType::Organization | EntityType::Location, _))
                )
        });
        // It opens its block: the text's first line or one after a blank line (a second line
        // names the practice's department or service, "Epilepsy & Clinical Neurophysiology").
        let opens_block = w.start == 0
            || c.text[..w.start - 1]
                .rsplit('\n')
                .next()
                .is_some_and(|above| above.trim().is_empty());
        if address_below
            && opens_block
            && (2..=6).contains(&(e - i))
            && words_ok
            && !line
                .bytes()
                .any(|b| b.is_ascii_digit() || b == b':' || b == b',')
            && !line.contains(" - ")
            && !line.contains("--")
        {
            for k in i..e {
                c.info[k].label = Some((EntityType::Organization, 0.75));
            }
        }
        i = e.max(i + 1);
    }
}

/// A first name called out at the start of a sentence, as a therapist speaks to a client:
/// "Bill, I'm noticing your jaw", "Grace, would you say that to him?". The comma and the
/// pronoun or question after it make even an English word a name.
fn vocatives(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for i in 0..n.saturating_sub(1) {
        let w = &c.words[i];
        // "Will requested one session", "Will will bring it up", "May reported": a modal
        // that opens a sentence is a name when a past tense or a verb of its own follows,
        // which no modal takes ("Will need to", "Will send summary" stay).
        if w.sentence_start
            && w.cap
            && !w.all_caps
            && matches!(w.base(), "will" | "may")
            && c.info[i].label.is_none()
            && c.joined(i + 1)
            && !c.words[i + 1].cap
        {
            let next = c.words[i + 1].lower.as_ref();
            let past = next.len() >= 4 && next.ends_with("ed") && !next.ends_with("eed");
            if past
                || matches!(
                    next,
                    "will"
                        | "has"
                        | "is"
                        | "was"
                        | "said"
                        | "says"
                        | "and"
                        | "would"
                        | "did"
                        | "does"
                        | "can"
                        | "could"
                )
                || c.lower_is(i + 1, B_SPEECH)
            {
                c.set(i, EntityType::Name, 0.75);
                continue;
            }
        }
        if !(w.sentence_start && w.cap && !w.all_caps && c.first_name(i))
            || c.info[i].label.is_some()
            || c.info[i].safe
            || c.calendar(i)
            || c.info[i].ent.is(F_KEEP)
            || c.lower_is(i, B_FUNCTION | B_AGAIN)
            || c.words[i + 1].gap != Gap::CommaSpace
            || matches!(
                w.base(),
                "so" | "well"
                    | "okay"
                    | "ok"
                    | "now"
                    | "yes"
                    | "no"
                    | "right"
                    | "sure"
                    | "look"
                    | "listen"
                    | "see"
                    | "oh"
                    | "hey"
                    | "honestly"
                    | "anyway"
                    | "then"
                    | "also"
                    | "still"
                    | "yeah"
                    | "alright"
                    | "fine"
                    | "great"
                    | "good"
                    | "man"
                    | "sorry"
                    | "please"
                    | "thanks"
                    | "wait"
                    | "honey"
                    | "baby"
                    | "dear"
                    | "sweetie"
                    | "buddy"
                    | "sir"
                    | "ma'am"
                    | "mom"
                    | "dad"
                    | "doc"
                    | "again"
                    | "first"
                    | "last"
                    | "next"
                    | "finally"
                    | "later"
                    | "sometimes"
                    | "usually"
            )
        {
            continue;
        }
        if matches!(
            c.words[i + 1].lower.as_ref(),
            "i" | "i'm"
                | "you"
                | "you're"
                | "when"
                | "would"
                | "could"
                | "can"
                | "what"
                | "how"
                | "do"
                | "did"
                | "let's"
                | "tell"
                | "it's"
                | "we"
                | "are"
                | "is"
                | "have"
        ) {
            c.set(i, EntityType::Name, 0.75);
        }
    }
}

/// A state university by its place's name: "a sophomore at Ohio State", "graduation at
/// Worcester State".
fn state_schools(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for k in 2..n {
        if c.words[k].base() == "state"
            && c.words[k].cap
            && !c.words[k].all_caps
            && c.joined(k)
            && c.words[k - 1].cap
            && (c.info[k - 1].ent.is(F_PLACE | F_REGION)
                || matches!(c.info[k - 1].label, Some((EntityType::Location, _))))
            && c.words[k - 2].base() == "at"
            && c.joined(k - 1)
            && c.info[k].label.is_none()
            && (k + 1 >= n || !c.joined(k + 1) || !c.words[k + 1].cap)
        {
            if !c.info[k - 1].safe {
                c.info[k - 1].label = Some((EntityType::Organization, 0.75));
            }
            c.info[k].label = Some((EntityType::Organization, 0.75));
        }
    }
}

/// An organisation's name goes on over "of" and the capitalised words after it: "First
/// Congregational Church of East Haddon", "Maumee County Court of Common Pleas", "Mercy
/// Hospital of the Valley", and "... Agency on Aging".
fn organisations_of(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let is_org =
        |c: &Ctx<'_>, k: usize| matches!(c.info[k].label, Some((EntityType::Organization, _)));
    let mut i = 0;
    while i + 2 < n {
        if !is_org(c, i) || is_org(c, i + 1) || c.words[i + 1].gap != Gap::Space {
            i += 1;
            continue;
        }
        let of = c.words[i + 1].base();
        if of == "on" && c.words[i + 2].base() == "aging" && c.words[i + 2].cap && c.joined(i + 2) {
            for k in i + 1..=i + 2 {
                c.info[k].label = Some((EntityType::Organization, 0.8));
            }
            i += 3;
            continue;
        }
        if of != "of" {
            i += 1;
            continue;
        }
        let mut p = i + 2;
        if c.words[p].base() == "the" && p + 1 < n && c.joined(p + 1) {
            p += 1;
        }
        let mut e = p;
        while e < n
            && e < p + 4
            && c.joined(e)
            && c.words[e].cap
            && !c.info[e].safe
            && !c.calendar(e)
            && !c.lower_is(e, B_HEADING | B_SPECIALTY | B_FUNCTION)
            && !c.info[e].ent.is(F_KEEP)
            && matches!(
                c.info[e].label,
                None | Some((
                    EntityType::Name | EntityType::Location | EntityType::Organization,
                    _
                ))
            )
        {
            e += 1;
        }
        if e > p {
            for k in i + 1..e {
                c.info[k].label = Some((EntityType::Organization, 0.8));
            }
        }
        i = e.max(i + 1);
    }
}

/// An organisation found once is the same organisation where its words come back: the
/// letterhead's "BLUE SPRUCE CHILD & ADOLESCENT PSYCHIATRY, PLLC" makes the form's later
/// "Blue Spruce Child & Adolescent Psychiatry" one too. Names of two words or more only.
fn recurring_organisations(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let words = c.words;
    let is_org = |info: &Info| matches!(info.label, Some((EntityType::Organization, _)));
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_org(&c.info[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && is_org(&c.info[j]) && (c.joined(j) || words[j].gap == Gap::Ampersand) {
            j += 1;
        }
        // "Dr. Oyelaran" is a person's, whatever the pass before took it for.
        if j - i >= 2 && !c.lower_is(i, B_TITLE) {
            found.push((i, j));
        }
        i = j;
    }
    if found.is_empty() {
        return;
    }
    for k in 0..n {
        if !words[k].cap || c.info[k].label.is_some() || c.info[k].safe {
            continue;
        }
        let first = words[k].base();
        if !found.iter().any(|&(a, _)| words[a].base() == first) {
            continue;
        }
        // "Ketterman Community Hospital" then "Ketterman in Nov": a first word that is no
        // English word or first name stands for the whole name.
        let alone = (k + 1 >= n || !c.joined(k + 1) || !words[k + 1].cap)
            && !c.english(k)
            && !c.first_name(k)
            && !c.calendar(k)
            && !c.lower_is(k, B_TITLE);
        if alone {
            c.set(k, EntityType::Organization, 0.7);
            continue;
        }
        let Some(&(a, b)) = found.iter().find(|&&(a, b)| {
            k + (b - a) <= n
                && (0..b - a).all(|t| {
                    words[k + t].base() == words[a + t].base()
                        && (t == 0 || c.joined(k + t) || words[k + t].gap == Gap::Ampersand)
                        && c.info[k + t].label.is_none()
                        && !c.info[k + t].safe
                })
        }) else {
            continue;
        };
        for t in 0..b - a {
            c.set(k + t, EntityType::Organization, 0.8);
        }
    }
}

/// A weak organisation word that also ends the names of treatments, plans and fields
/// ("Cognitive Processing Therapy", "Wellness Recovery Action Plan", "Cardiovascular Medicine").
fn generic_weak(c: &Ctx<'_>, k: usize) -> bool {
    c.lower_is(k, B_SPECIALTY)
        || matches!(
            c.words[k].base(),
            "therapy"
                | "plan"
                | "medicine"
                | "care"
                | "recovery"
                | "counseling"
                | "wellness"
                | "behavioral"
                | "community"
                | "general"
                | "management"
                | "network"
                | "system"
                | "unit"
                | "line"
                | "lines"
        )
}

/// The number of words of a company's legal form starting at word `k` after a comma:
/// "Inc.", "LLC", "PLLC", "P.C.", "P.A."; 0 when there is none.
fn legal_form_after(c: &Ctx<'_>, k: usize) -> usize {
    let Some(w) = c.words.get(k) else {
        return 0;
    };
    if w.gap != Gap::CommaSpace || !w.cap {
        return 0;
    }
    match w.base() {
        "inc" | "llc" | "ltd" | "pllc" | "llp" | "lp" | "corp" | "pc" | "psc" => 1,
        // "P.C.", "P.A.", "L.L.C.": letters with periods, one word each.
        "p" | "l" => {
            let mut j = k;
            while j + 1 < c.words.len()
                && c.words[j + 1].gap == Gap::Period
                && c.words[j + 1].start == c.words[j].end + 1
                && c.words[j + 1].base().len() == 1
                && c.words[j + 1].cap
            {
                j += 1;
            }
            let letters: String = c.words[k..=j].iter().map(|w| w.base()).collect();
            if matches!(letters.as_str(), "pc" | "pa" | "llc" | "lp" | "pllc") {
                j + 1 - k
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Words after "work at" that name no employer: "work at home", "job at night".
const NOT_EMPLOYERS: &[&str] = &[
    "home",
    "night",
    "nights",
    "noon",
    "work",
    "school",
    "least",
    "times",
    "all",
    "first",
    "last",
    "lunch",
    "dinner",
    "breakfast",
    "weekends",
    "weekend",
    "morning",
    "mornings",
    "evening",
    "evenings",
    "midnight",
    "dawn",
    "risk",
    "ease",
    "peace",
    "war",
    "odds",
    "heart",
    "best",
    "most",
    "this",
    "that",
    "it",
    "which",
    "what",
    "one",
    "two",
    "a",
    "an",
    "my",
    "his",
    "her",
];

/// Employers typed in lowercase after a job cue: "i work at target", "my job at stop and
/// shop", "at work at the cheesecake factory". The name is the first word (after "the"),
/// and the words after it up to an organisation word or "and" and one, three words at most.
fn employers_in_lowercase(c: &mut Ctx<'_>) {
    let n = c.words.len();
    for k in 1..n {
        // "Employer / school: kestrel analytics": a field's value in lowercase.
        if !c.words[k].cap && org_field(c, k) && !c.lower_is(k, B_FUNCTION) {
            let mut e = k;
            while e < n
                && e < k + 3
                && (e == k || c.joined(e))
                && !c.words[e].cap
                && !c.lower_is(e, B_FUNCTION)
            {
                e += 1;
            }
            for j in k..e {
                c.set(j, EntityType::Organization, 0.6);
            }
            continue;
        }
        let at = c.words[k].base();
        if at != "at"
            || !c.joined(k)
            || !matches!(
                c.words[k - 1].base(),
                "work" | "works" | "job" | "working" | "worked" | "employed" | "shift" | "hired"
            )
        {
            continue;
        }
        let mut i = k + 1;
        if i < n && c.joined(i) && c.words[i].base() == "the" {
            i += 1;
        }
        if i >= n || !c.joined(i) || c.words[i].cap || c.info[i].label.is_some() {
            continue;
        }
        let first = c.words[i].base();
        if NOT_EMPLOYERS.contains(&first)
            || c.lower_is(i, B_FUNCTION)
            || c.calendar(i)
            || first.len() < 3
        {
            continue;
        }
        // The name goes on to an organisation word within three words ("cheesecake factory",
        // "stop and shop", "quinsig auto body").
        let mut end = i + 1;
        for j in i + 1..(i + 4).min(n) {
            if !c.joined(j) || c.words[j].cap {
                break;
            }
            if c.lower_is(j, B_ORG_SUFFIX | B_ORG_WEAK) {
                end = j + 1;
            } else if c.words[j].base() != "and" && !c.lower_is(j - 1, B_ORG_SUFFIX) {
                break;
            }
        }
        for j in i..end {
            c.set(j, EntityType::Organization, 0.6);
        }
    }
}

/// Labels of form fields whose value is an organisation.
const ORG_FIELDS: &[&str] = &[
    "insurance",
    "insurer",
    "payer",
    "payor",
    "carrier",
    "employer",
    "school",
    "pharmacy",
    "facility",
    "agency",
    "company",
    "workplace",
    "shelter",
    "church",
    "college",
    "university",
    "hospital",
    "clinic",
];

/// Word `i` opens the value of a field named in [`ORG_FIELDS`]: the label, a colon and
/// spaces before it on its line ("Insurance: ", "Primary insurance:  ").
#[inline]
fn org_field(c: &Ctx<'_>, i: usize) -> bool {
    // A colon's gap is never one of the common forms.
    if i == 0 || c.words[i].gap != Gap::Other {
        return false;
    }
    let gap = &c.text[c.words[i - 1].end..c.words[i].start];
    gap.starts_with(':')
        && gap[1..].bytes().all(|b| b == b' ' || b == b'\t')
        && ORG_FIELDS.contains(&c.words[i - 1].base())
}

/// Word `k` sets a name apart: no ordinary English word, or a name or a place.
fn distinctive(c: &Ctx<'_>, k: usize) -> bool {
    // A surname alone sets nothing apart: most English words are somebody's ("Play").
    !c.lower_is(k, B_FUNCTION | B_CONNECTOR)
        && (!c.english(k) || c.first_name(k) || c.info[k].ent.is(F_PLACE))
}

/// The capitalised run `i..end` is a section heading, no organisation: every word of it is
/// ordinary English, it opens a line (or a sentence, before a colon), and a colon follows it
/// ("PAST MEDICAL HISTORY:", "Past Medical History:") or it ends its line with a heading
/// word ("Brief Hospital Course").
fn heading(c: &Ctx<'_>, i: usize, end: usize) -> bool {
    if !(i..end).all(|k| c.english(k)) {
        return false;
    }
    // A heading may also follow another on its line after a dash or a slash:
    // "OUTPATIENT BEHAVIORAL HEALTH - PROGRESS NOTE", "TRANSFER SUMMARY / CONTINUITY OF CARE".
    let separator = |t: &str| t.starts_with(['-', '/', '\u{2013}', '\u{2014}', '|']);
    let line_start = {
        let before = c.text[..c.words[i].start].trim_end_matches([' ', '\t']);
        before.is_empty()
            || before.ends_with('\n')
            || c.words[i].all_caps && before.ends_with(['-', '/', '\u{2013}', '\u{2014}', '|'])
    };
    let after = c.text[c.words[end - 1].end..].trim_start_matches([' ', '\t']);
    if after.starts_with(':') {
        return line_start || c.words[i].sentence_start;
    }
    let line_end = rest_of_line_blank(after);
    // A letterhead ("MERCY VALLEY HOSPITAL - DEPARTMENT OF PATHOLOGY") stays an
    // organisation: a heading ends with a heading word or is made of services' words only.
    let heading_words = c.lower_is(end - 1, B_HEADING)
        || c.words[i].all_caps
            && (i..end).all(|k| c.lower_is(k, B_SPECIALTY | B_HEADING | B_CONNECTOR));
    line_start && (line_end || c.words[i].all_caps && separator(after)) && heading_words
}

/// Organisations typed in lowercase: "she goes to lincoln high school", "works at ellison
/// technologies". An organisation word ends one to three lowercase words that follow a
/// function word, a cue or the start of a clause; one of them at least must be a name or
/// no English word, so that "the high school" and "a support group" stay.
fn lowercase_organisations(c: &mut Ctx<'_>) {
    let n = c.words.len();
    employers_in_lowercase(c);
    for e in 1..n {
        let suffix = &c.words[e];
        if suffix.cap
            || suffix.base().len() < 3
            // A weak last word only after a strong one: "quinsig auto body".
            || !(c.lower_is(e, B_ORG_SUFFIX)
                || c.lower_is(e, B_ORG_WEAK) && e > 0 && c.lower_is(e - 1, B_ORG_SUFFIX))
            || c.info[e].label.is_some()
        {
            continue;
        }
        if e + 1 < n
            && c.joined(e + 1)
            && !c.words[e + 1].cap
            && (c.lower_is(e + 1, B_ORG_SUFFIX)
                || c.lower_is(e + 1, B_ORG_WEAK) && c.lower_is(e, B_ORG_SUFFIX))
        {
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
            (!c.english(k) || c.info[k].ent.is(F_PLACE) || c.first_name(k))
                && !c.lower_is(k, B_ORG_SUFFIX | B_KIN | B_RELATION | B_TITLE | B_VIRTUE)
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
        // Most words: labelled, or in lowercase with no location cue before them nor a street
        // or place word after them and a street cue before.
        if c.info[i].label.is_some()
            || !c.words[i].cap
                && (i == 0
                    || !c.lower_is(i - 1, B_LOC_CUE)
                        && !(c.lower_is(i - 1, B_STREET_CUE)
                            && (i + 1 < n && c.lower_is(i + 1, B_STREET | B_PLACE_SUFFIX)
                                || i + 2 < n && c.lower_is(i + 2, B_STREET))))
        {
            i += 1;
            continue;
        }
        if c.lower_is(i, B_NEVER_PLACE) {
            i += 1;
            continue;
        }
        if let Some(end) = street_name(c, i).or_else(|| lowercase_place(c, i)) {
            for k in i..end {
                c.set(k, EntityType::Location, 0.8);
            }
            i = end;
            continue;
        }
        if !c.words[i].cap && !c.lower_is(i - 1, B_LOC_CUE) {
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
        // "1190 Harbor Blvd, Garden Oaks, CA 92840": a town before a state's code and a ZIP
        // code, whatever its words.
        let state_soon = (i + 1..n.min(i + 4)).any(|e| {
            c.words[e].gap == Gap::CommaSpace && c.words[e].all_caps && c.words[e].base_len == 2
        });
        if state_soon && c.words[i].cap {
            let end = cap_run(c, i);
            if end - i <= 3
                && town_before_zip(c, end)
                && (i..end).all(|k| c.info[k].label.is_none() && !c.info[k].safe)
            {
                for k in i..end {
                    c.set(k, EntityType::Location, 0.8);
                }
                i = end;
                continue;
            }
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
                // Only the regions that are common first names read as people by default;
                // "Florida" or "Nevada" is a person only when a surname or a verb of speech
                // follows ("Florida Jenkins", "Nevada said").
                let common_name = matches!(
                    c.words[i].base(),
                    "jordan"
                        | "georgia"
                        | "virginia"
                        | "india"
                        | "carolina"
                        | "dakota"
                        | "montana"
                        | "chad"
                        | "kenya"
                        | "asia"
                );
                let person_follows = i + 1 < n
                    && c.joined(i + 1)
                    && (c.words[i + 1].cap && c.surname(i + 1) && !c.english(i + 1)
                        || c.lower_is(i + 1, B_SPEECH | B_AUX));
                if len == 1
                    && !cued
                    && !after_place
                    && c.first_name(i)
                    && (common_name || person_follows)
                {
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
        // "Little Haiti", "Little Italy": a neighbourhood named after a country.
        let little =
            i > 0 && c.joined(i) && c.words[i - 1].cap && c.words[i - 1].base() == "little";
        if region && little {
            for k in i - 1..i + matched {
                c.set(k, EntityType::Location, 0.75);
            }
            i += matched;
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

/// Word `e` is a state's two-letter code after a comma, and a ZIP code follows it:
/// ", CA 92840", ", MN 56301-3391".
fn town_before_zip(c: &Ctx<'_>, e: usize) -> bool {
    let Some(w) = c.words.get(e) else {
        return false;
    };
    if w.gap != Gap::CommaSpace || !w.all_caps {
        return false;
    }
    // The ZIP code's first digit agrees with the state ("ID 40912" is an identifier).
    let Some(zip_first) = dict::state_zip_digit(w.base()) else {
        return false;
    };
    let after = c.text.as_bytes()[w.end..].trim_ascii_start();
    // "lives alone in Kestrel Point, NH; son Declan": after a place's cue, the code may end
    // the clause without a ZIP code.
    let cued = e >= 2 && {
        let mut s = e - 1;
        while s > 0 && c.joined(s) && c.words[s].cap {
            s -= 1;
        }
        s + 1 < e && c.lower_is(s, B_LOC_CUE) && !c.words[s].cap
    };
    if cued
        && c.text
            .as_bytes()
            .get(w.end)
            .is_none_or(|b| matches!(b, b';' | b'.' | b',' | b')' | b'\n'))
    {
        return true;
    }
    after.len() >= 5
        && after[0] == zip_first
        && after[..5].iter().all(u8::is_ascii_digit)
        && after.get(5).is_none_or(|b| !b.is_ascii_alphanumeric())
        && w.end < c.text.len()
        && matches!(c.text.as_bytes()[w.end], b' ' | b'\t')
}

/// A street named without its number that starts at word `i`: one to three capitalised
/// words and a street type ("on Huntington Avenue", "Centre St."), or in lowercase after a
/// cue one or two words that are no English word ("near davis sq", "on belmont street").
/// Returns the end of its words.
fn street_name(c: &Ctx<'_>, i: usize) -> Option<usize> {
    let n = c.words.len();
    let w = &c.words[i];
    if w.cap {
        if c.lower_is(i, B_TITLE | B_FUNCTION | B_STREET) || c.calendar(i) {
            return None;
        }
        let mut j = i + 1;
        while j < n && j <= i + 3 && c.joined(j) && c.words[j].cap {
            if c.lower_is(j, B_STREET) {
                // "Tom Lane" is a person: a surname of a street type after a first name.
                let person =
                    c.surname(j) && j == i + 1 && c.first_name(i) && !c.info[i].ent.is(F_PLACE);
                // "Dr. St. James" or "St. Mary's": "St" leads a name when a capital follows,
                // unless a street's cue comes first ("on Main St. Current partner").
                let saint = c.words[j].base() == "st"
                    && j + 1 < n
                    && c.joined(j + 1)
                    && c.words[j + 1].cap
                    && !(i > 0
                        && c.joined(i)
                        && matches!(c.words[i - 1].base(), "on" | "off" | "near")
                        && c.words[j + 1].gap == Gap::PeriodSpace);
                return (!person && !saint).then_some(j + 1);
            }
            j += 1;
        }
        return None;
    }
    if i == 0 || !c.joined(i) || !c.lower_is(i - 1, B_STREET_CUE) {
        return None;
    }
    let distinct = |k: usize| !c.english(k) || c.info[k].ent.is(F_PLACE);
    for len in 1..=2 {
        let j = i + len;
        if j < n
            && c.joined(j)
            && !c.words[j].cap
            && c.lower_is(j, B_STREET)
            && !matches!(c.words[j].base(), "drive" | "lane")
            && (i..j).all(|k| !c.words[k].cap && !c.lower_is(k, B_FUNCTION))
            && (i..j).any(distinct)
        {
            return Some(j + 1);
        }
    }
    None
}

/// A place typed in lowercase that starts at word `i`: a known town and a place word ("at
/// the natick mall"), or any word and "county" after a location cue ("in story county").
/// Returns the end of its words.
fn lowercase_place(c: &Ctx<'_>, i: usize) -> Option<usize> {
    let n = c.words.len();
    if c.words[i].cap || i + 1 >= n || !c.joined(i + 1) || c.words[i + 1].cap {
        return None;
    }
    let suffix = c.words[i + 1].base();
    let county = matches!(suffix, "county" | "parish" | "township" | "borough")
        && c.lower_is(i - 1, B_LOC_CUE)
        && !c.lower_is(i, B_FUNCTION);
    let town_place = c.lower_is(i + 1, B_PLACE_SUFFIX)
        && c.info[i].ent.is(F_PLACE)
        && !c.english(i)
        && !c.first_name(i);
    (county || town_place).then_some(i + 2)
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
    "ating",
    "amine",
    "azine",
    "plase",
    "kinase",
    "mab",
    "tinib",
];

/// An unknown word of seven letters or more that ends like vocabulary: a suffix from
/// [`TERM_SUFFIXES`] after three letters or more, or a participle ("Diuresed").
///
/// Also a word of eight letters or more made like anatomy and pathology: a medical prefix
/// and an adjective's or a noun's ending ("Bibasilar", "Pericolorectal", "Prevertebral").
fn term_shaped(base: &str) -> bool {
    base.len() >= 7
        && TERM_SUFFIXES
            .iter()
            .any(|s| base.len() >= s.len() + 3 && base.ends_with(s))
        || base.len() >= 7
            && (base.ends_with("ted") || base.ends_with("sed") || base.ends_with("zed"))
        || base.len() >= 8
            && MEDICAL_PREFIXES.iter().any(|p| base.starts_with(p))
            && MEDICAL_ENDINGS.iter().any(|e| base.ends_with(e))
}

/// Prefixes of anatomical and pathological terms (see [`term_shaped`]).
const MEDICAL_PREFIXES: &[&str] = &[
    "peri", "para", "pre", "sub", "supra", "infra", "inter", "intra", "extra", "retro", "trans",
    "bi", "lympho", "ileo", "neuro", "cardio", "gastro", "hepato", "nephro", "osteo", "myo",
    "hyper", "hypo", "endo", "epi", "post", "poly", "hemi", "micro", "macro", "immuno", "histo",
    "pseudo", "muscul", "vaso", "cerebro", "broncho", "pulmo", "uro", "entero", "colo", "dys",
];

/// Endings of anatomical and pathological terms (see [`term_shaped`]).
const MEDICAL_ENDINGS: &[&str] = &[
    "al", "ar", "ic", "ous", "ary", "oid", "ine", "ity", "ia", "um", "us", "is", "ive", "ent",
    "ant", "ing", "ism", "ate",
];

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

/// Staff roles written as initials, which act in notes without being anybody's name: "PT
/// reports", "RN called".
const ROLE_ACRONYMS: &[&str] = &[
    "pt", "ot", "rn", "md", "np", "pa", "cm", "sw", "do", "dr", "er", "ed", "pcp", "lpn", "cna",
    "mft", "ma", "st", "rt", "slp", "aa", "na", "cps", "dss", "dcf", "ems", "pd", "icu", "pacu",
    "or", "iop", "php", "snf", "rehab", "psw", "cpss", "tc", "mhc", "bcba", "rbt", "cc", "hr",
    "va", "us", "uk", "it", "ai", "tv", "ok",
];

/// Word `i`, initials in capitals, stands for a person: it speaks or acts ("JR drove",
/// "MC described"), owns ("JR's mother"), or pairs with other initials by "and" or an arrow
/// ("JR and MC", "MC pursues -> JR withdraws").
fn initials_as_person(c: &Ctx<'_>, i: usize) -> bool {
    let n = c.words.len();
    let w = &c.words[i];
    let possessive = w.base_len < w.lower.len();
    let acts = i + 1 < n && c.joined(i + 1) && !c.words[i + 1].cap && {
        let v = c.words[i + 1].base();
        // Not any verb: "ROI signed", "GDM resolved" and "AG closed" are no people.
        c.lower_is(i + 1, B_SPEECH)
            || matches!(
                v,
                "drove"
                    | "feels"
                    | "felt"
                    | "turned"
                    | "raised"
                    | "came"
                    | "went"
                    | "left"
                    | "pursues"
                    | "withdraws"
                    | "escalates"
                    | "leaves"
                    | "translated"
                    | "wants"
            )
    };
    let paired = |k: usize| {
        let o = &c.words[k];
        o.all_caps && o.base().len() == w.base().len() && !c.english(k)
    };
    let and_pair = i + 2 < n
        && c.words[i + 1].base() == "and"
        && c.joined(i + 1)
        && c.joined(i + 2)
        && paired(i + 2)
        || i >= 2
            && c.words[i - 1].base() == "and"
            && c.joined(i)
            && c.joined(i - 1)
            && paired(i - 2);
    possessive || acts || and_pair
}

/// Word `i` labels a row of a laboratory table: it opens its line and a value follows after
/// two spaces or a tab ("Hematocrit     40.1"), or a finding follows it or the word after it
/// ("Nitrite neg", "Leuk esterase trace").
fn lab_label(c: &Ctx<'_>, i: usize) -> bool {
    let n = c.words.len();
    let finding = |k: usize| k < n && c.lower_is(k, B_FINDING);
    if finding(i + 1) || i + 2 < n && c.joined(i + 1) && finding(i + 2) {
        return true;
    }
    let w = &c.words[i];
    let line_start = {
        let before = c.text[..w.start].trim_end_matches([' ', '\t']);
        before.is_empty() || before.ends_with('\n')
    };
    let after = &c.text.as_bytes()[w.end..];
    let gap = after
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    line_start
        && (gap >= 2 || after.first() == Some(&b'\t'))
        && after
            .get(gap)
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'<' | b'>' | b'-' | b'+'))
}

/// Word `i` is capitalised and names a disease, sign or manoeuvre ("Crohn's disease").
///
/// Also a word of the capitalised name of an instrument or a diagnosis: "Beck Depression
/// Inventory", "Columbia Suicide Severity Rating Scale", "Major Depressive Disorder"; the
/// words up to the last must be ordinary English.
fn eponym(c: &Ctx<'_>, i: usize) -> bool {
    let n = c.words.len();
    if !c.words[i].cap || i + 1 >= n || !c.joined(i + 1) {
        return false;
    }
    if c.lower_is(i + 1, B_EPONYM_HEAD) {
        return true;
    }
    let mut j = i + 1;
    while j < n && j <= i + 5 && c.joined(j) && c.words[j].cap {
        if c.lower_is(j, B_INSTRUMENT) {
            return true;
        }
        if !c.english(j) {
            return false;
        }
        j += 1;
    }
    false
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
        if b.len() == 1
            && w.cap
            && i > 0
            && c.joined(i)
            && (c.lower_is(i - 1, B_RELATION)
                || matches!(
                    c.words[i - 1].base(),
                    "member" | "pt" | "peer" | "resident" | "participant"
                ))
            && c.text[w.end..].starts_with('.')
            && i + 1 < n
            && c.words[i + 1].gap == Gap::Period
            && c.words[i + 1].cap
            && c.words[i + 1].base().len() == 1
        {
            // "client R.M.", "Member K.M.": initials after a role.
            c.set(i, EntityType::Name, 0.75);
            c.set(i + 1, EntityType::Name, 0.75);
            continue;
        }
        if b.len() == 1
            && w.cap
            && i + 1 < n
            && c.words[i + 1].gap == Gap::Period
            && c.words[i + 1].cap
            && c.words[i + 1].base().len() == 1
            && {
                let t = &c.text[c.words[i + 1].end..];
                t.starts_with(".:")
                    || t.starts_with(". ")
                        && i + 2 < n
                        && c.words[i + 2].gap == Gap::PeriodSpace
                        && !c.words[i + 2].cap
                        && c.lower_is(i + 2, B_SPEECH)
            }
        {
            // "J.K.: Elevated craving", "J.K. agreed": initials that speak or act.
            c.set(i, EntityType::Name, 0.7);
            c.set(i + 1, EntityType::Name, 0.7);
            continue;
        }
        if b.len() == 1
            && w.cap
            && !matches!(b, "a" | "i")
            && (c.text[w.end..].starts_with(".:")
                || c.text[w.end..].starts_with(". ")
                    && i + 1 < n
                    && c.words[i + 1].gap == Gap::PeriodSpace
                    && !c.words[i + 1].cap
                    && c.lower_is(i + 1, B_SPEECH))
            && (i == 0 || !c.lower_is(i - 1, B_TITLE))
        {
            // "J.: The hunter is looking", "J. entered the playroom": a child called by an
            // initial, speaking or acting.
            c.set(i, EntityType::Name, 0.7);
            continue;
        }
        if b.len() == 1
            && w.cap
            && !matches!(b, "a" | "i")
            && i > 0
            && c.joined(i)
            && c.lower_is(i - 1, B_RELATION)
            && !c.words[i - 1].cap
            && c.text[w.end..].starts_with(". ")
            && c.words
                .get(i + 1)
                .is_none_or(|nx| !nx.cap || nx.base().len() > 1)
        {
            // "my client K. (the one I presented)": one initial after a relation.
            c.set(i, EntityType::Name, 0.7);
            continue;
        }
        if b.len() < 2 || b.len() < 5 && b.chars().count() < 2 {
            // "Mrs. V", "Dr. P": a capital alone after a title stands for a surname.
            if w.cap
                && b.len() == 1
                && i > 0
                && c.joined(i)
                && c.words[i - 1].cap
                && matches!(
                    c.words[i - 1].base(),
                    "dr" | "mr" | "mrs" | "ms" | "mx" | "miss"
                )
            {
                c.set(i, EntityType::Name, 0.7);
            }
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
        if (c.lower_is(i, B_KIN | B_FUNCTION) || c.lower_is(i, B_RELATION) && english) && !title {
            // "Mom said no", "his Nana": kin called by the relation, though census surnames.
            continue;
        }
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
        if w.all_caps
            && (2..=3).contains(&b.len())
            && !english
            && i > 0
            && c.joined(i)
            && (matches!(c.words[i - 1].base(), "per" | "initials" | "initialed")
                || c.words[i - 1].base() == "by"
                    && i >= 2
                    && matches!(
                        c.words[i - 2].base(),
                        "entered" | "signed" | "typed" | "dictated" | "transcribed" | "reviewed"
                    ))
        {
            // "ENTERED BY TK", "per KM": a person's initials.
            c.set(i, EntityType::Name, 0.7);
            continue;
        }
        if title
            && b.len() == 1
            && !w.cap
            && matches!(c.words[i - 1].base(), "dr" | "mr" | "mrs" | "ms")
            && c.text[w.end..].starts_with([' ', ',', '\n'])
        {
            // "hey dr k sorry to msg": a clinician by an initial, typed in lowercase.
            c.set(i, EntityType::Name, 0.7);
            continue;
        }
        if title || relation {
            // "Ms. June Park", "Mrs. April Dunn": a month after a courtesy title is her name.
            let courtesy_month = title
                && calendar
                && w.cap
                && c.first_name(i)
                && matches!(
                    c.words[i - 1].base(),
                    "dr" | "mr" | "mrs" | "ms" | "mx" | "miss"
                );
            if courtesy_month {
                c.set(i, EntityType::Name, 0.85);
                continue;
            }
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
            // "ms long r u in", "my wife grace might come": a surname after a courtesy title,
            // or a first name after "my wife", though ordinary words too.
            let courtesy = title
                && matches!(
                    c.words[i - 1].base(),
                    "dr" | "mr" | "mrs" | "ms" | "mx" | "miss"
                );
            let owned_relation = relation
                && i >= 2
                && c.joined(i - 1)
                && AGE_OWNERS.contains(&c.words[i - 2].base());
            if !w.cap
                && !calendar
                && (courtesy && c.named(i)
                    || owned_relation
                        && c.first_name(i)
                        && !matches!(
                            b,
                            "will" | "may" | "can" | "might" | "must" | "shall" | "did" | "does"
                        ))
                && !c.lower_is(i, B_FUNCTION)
            {
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
            && !c.shouting
            && b.len() >= 3
            && c.surname(i)
            && i + 1 < n
            && c.words[i + 1].gap == Gap::CommaSpace
            && c.words[i + 1].cap
            && !c.words[i + 1].all_caps
            && c.first_name(i + 1)
            && {
                let before = c.text[..w.start].trim_end_matches([' ', '\t']);
                before.is_empty() || before.ends_with('\n')
            }
        {
            // A roster or a chart line: "RICE, Autumn - gr 7", "KING, Elijah".
            c.set(i, EntityType::Name, 0.8);
            c.set(i + 1, EntityType::Name, 0.8);
            continue;
        }
        if w.all_caps
            && !c.shouting
            && (2..=3).contains(&b.len())
            && !english
            && !c.info[i].ent.is(F_REGION)
            && !ROLE_ACRONYMS.contains(&b)
            && initials_as_person(c, i)
        {
            // "JR drove from work; MC described JR shutting down": initials that act or own.
            c.set(i, EntityType::Name, 0.65);
            continue;
        }
        if w.all_caps
            && (b.len() <= 2
                || b.len() <= 5 && english
                || b.len() <= 4 && c.shouting && !named
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
                // "Mark's father", even opening a sentence, is a person's.
                let possessive = w.base_len < w.lower.len()
                    && (!w.sentence_start
                        || c.first_name(i)
                            && i + 1 < n
                            && c.joined(i + 1)
                            && c.lower_is(i + 1, B_RELATION | B_KIN));
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
                // An ordinary word that is a surname too speaks only in the past or with
                // "says": "Price said", but "Other notes" and "Lunch works" are no people.
                let speech = speech
                    && (!english || c.first_name(i) || {
                        let v = c.words[i + 1].base();
                        v.ends_with("ed")
                            || matches!(v, "said" | "says" | "told" | "tells" | "asks" | "wrote")
                    });
                // In a text written in capitals, a capital says nothing.
                let mid = mid && !c.shouting;
                let possessive = possessive && !c.shouting;
                if speech || next_surname || mid || possessive || aux || verb_after {
                    c.set(i, EntityType::Name, 0.7);
                }
            } else if !english
                && b.len() > 2
                && !term_shaped(b)
                && !inflected(c.d, b)
                && !lab_label(c, i)
            {
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
                && c.lower_is(i + 1, B_RELATION | B_HOME);
            // "lily mcallister": a surname that is no English word after a first name.
            let after_first = i > 0
                && c.joined(i)
                && !c.words[i - 1].cap
                && c.first_name(i - 1)
                && c.surname(i)
                && !c.lower_is(i, B_SPEECH | B_AUX | B_FUNCTION | B_OBJECT)
                && !c.lower_is(i - 1, B_FUNCTION);
            if after_first {
                c.set(i - 1, EntityType::Name, 0.6);
            }
            if speech || surname_then_speech || aux_after || object_cue || owner || after_first {
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
            // Forward: particles and the surname they lead to ("Pieter van der Berg").
            let mut p = i + 1;
            while p < n && p <= i + 2 && c.joined(p) && c.lower_is(p, B_PARTICLE) && !c.words[p].cap
            {
                p += 1;
            }
            if p > i + 1
                && p < n
                && c.joined(p)
                && c.words[p].cap
                && !c.calendar(p)
                && (c.named(p) || !c.english(p))
                && (i + 1..p).all(|k| c.info[k].label.is_none() && !c.info[k].safe)
                && (c.info[p].label.is_none() && !c.info[p].safe
                    || matches!(c.info[p].label, Some((EntityType::Name, _))))
            {
                for k in i + 1..=p {
                    c.set(k, EntityType::Name, 0.8);
                }
                grew = true;
                continue;
            }
            // Forward: surnames and initials after a name.
            let j = i + 1;
            if j < n && c.info[j].label.is_none() && !c.info[j].safe && c.joined(j) {
                let w = &c.words[j];
                // "J." after a name, or a capital alone that ends it ("Jayden P - IEP").
                let initial = w.cap
                    && w.base().chars().count() == 1
                    && (c.text[w.end..].starts_with('.')
                        || c.words[i].cap
                            && !matches!(w.base(), "a" | "i")
                            && c.text[w.end..].starts_with([' ', ',', '\n', ')', '"', ':'])
                            && (j + 1 >= n || !c.joined(j + 1) || !c.words[j + 1].cap));
                // "marcus anthony bell": a lowercase surname, even an English word, after
                // two lowercase names, or after a first name that is no English word
                // ("denise hunter").
                let lower_pair = !c.words[i].cap
                    && !w.cap
                    && c.surname(j)
                    && (!c.english(j)
                        || c.first_name(i)
                            && !c.english(i)
                            && !c.lower_is(j, B_SPEECH | B_AUX | B_FUNCTION | B_OBJECT)
                            // ... when the name ends there: "my mom denise hunter, dob".
                            && c.text[w.end..].starts_with([',', '(', '\n', ')'])
                        || i > 0
                            && !c.lower_is(j, B_SPEECH | B_AUX | B_FUNCTION | B_OBJECT)
                            && c.joined(i)
                            && !c.words[i - 1].cap
                            && matches!(c.info[i - 1].label, Some((EntityType::Name, _))));
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
                    && (!c.lower_is(i - 1, B_RELATION | B_KIN | B_FUNCTION)
                        || initial && c.text[w.end..].starts_with('.'))
                    && (c.first_name(i - 1)
                        || initial
                        // A word on no list before a surname: "Ty Mancuso".
                        || !w.all_caps
                            && w.base().len() >= 2
                            && !c.english(i - 1)
                            && !c.info[i - 1].ent.is(F_PLACE)
                            && c.surname(i)
                            // Abbreviated titles and ranks: "Hon. Evelyn", "Cpl Aaron", "LCpl".
                            && !c.text[w.end..].starts_with('.')
                            && c.text[w.start..w.base_end].chars().skip(1).all(|ch| !ch.is_uppercase())
                            && !matches!(
                                w.base(),
                                "cpl" | "sgt" | "pvt" | "pfc" | "spc" | "lt" | "capt" | "cpt" | "col"
                                    | "gen" | "maj" | "cmdr" | "det" | "ofc" | "hon" | "drs"
                                    | "rev" | "fr" | "sr" | "jr" | "st"
                            ))
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

/// The quote marks that open a nickname.
#[inline]
fn opens_quote(bytes: &[u8], start: usize) -> bool {
    (start >= 1 && bytes[start - 1] == b'"')
        || (start >= 3 && &bytes[start - 3..start] == "\u{201c}".as_bytes())
}

/// The quote marks that close one.
fn closes_quote(text: &str, end: usize) -> bool {
    text[end..].starts_with(['"', '\u{201d}'])
}

/// Nicknames in quotes: after "goes by", "prefers" or "known as" ("goes by \"KK\""), between a
/// name's parts (Robert "Bobby" Lind), or inside the parenthesis that follows a name (Bryson
/// Ferreira (11, "Bug")). Quoted words anywhere else are speech and stay.
fn nicknames(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    // Most texts hold no double quote at all.
    if !c.text.contains('"') && !c.text.contains('\u{201c}') {
        return;
    }
    let is_name = |c: &Ctx<'_>, k: usize| matches!(c.info[k].label, Some((EntityType::Name, _)));
    for k in 0..n {
        let w = &c.words[k];
        if !opens_quote(bytes, w.start) || c.info[k].label.is_some() || c.info[k].safe {
            continue;
        }
        // One or two words up to the closing quote.
        let last = if closes_quote(c.text, w.end) {
            k
        } else if k + 1 < n
            && c.words[k + 1].gap == Gap::Space
            && closes_quote(c.text, c.words[k + 1].end)
        {
            k + 1
        } else {
            continue;
        };
        let quote = w.start - if bytes[w.start - 1] == b'"' { 1 } else { 3 };
        // The 48 bytes before the quote are enough for every cue below.
        let from = window_start(c.text, quote, 48);
        let before = c.text[from..quote].trim_end();
        let cued = [
            "goes by",
            "go by",
            "went by",
            "prefers",
            "preferred",
            "nicknamed",
            "nickname",
            "known as",
            "aka",
            "a.k.a.",
            "calls herself",
            "calls himself",
            "call me",
        ]
        .iter()
        .any(|cue| {
            before.len() >= cue.len()
                && before.as_bytes()[before.len() - cue.len()..]
                    .eq_ignore_ascii_case(cue.as_bytes())
        });
        let between = k > 0
            && last + 1 < n
            && is_name(c, k - 1)
            && (is_name(c, last + 1)
                || c.words[last + 1].cap && c.surname(last + 1) && !c.info[last + 1].safe)
            && c.words[last + 1].start == c.words[last].end + 2;
        // In the parenthesis right after a name: "(11, " or "(" before the quote.
        let in_parens = before.rfind('(').is_some_and(|open| {
            let open = from + open;
            let inside = &c.text[open + 1..quote];
            let name_end = c.text[..open].trim_end_matches(' ').len();
            inside.len() <= 40
                && !inside.contains([')', '\n', '"'])
                && (0..k)
                    .rev()
                    .take(6)
                    .any(|j| c.words[j].end == name_end && is_name(c, j))
        });
        let shaped = (k..=last).all(|j| {
            let q = &c.words[j];
            (q.cap || cued)
                && !c.info[j].ent.is(F_KEEP)
                && !c.calendar(j)
                && !c.info[j].safe
                && c.info[j].label.is_none()
        });
        if shaped && (cued || between || in_parens) {
            for j in k..=last {
                c.set(j, EntityType::Name, 0.75);
                c.info[j].nick = true;
            }
            if between {
                // Trevor "TJ" Banks: the surname after the nickname, though an English word.
                c.set(last + 1, EntityType::Name, 0.8);
            }
        }
    }
}

/// A first name and the initial of its surname: "Hope L. - brought her son", "Sunny K.
/// challenged this", "Ty M. in the hallway". The initial with its period makes even an English
/// word (Hope, Sunny) or a word on no list (Ty) a first name; months stay months unless so
/// followed ("June A.").
fn initial_after_name(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    for j in 1..n {
        let w = &c.words[j];
        if !(w.cap && w.base_len == 1 && w.lower.len() == 1 && bytes.get(w.end) == Some(&b'.'))
            || w.gap != Gap::Space
            || c.info[j].label.is_some()
            || matches!(w.base(), "a" | "i" | "v" | "x")
        {
            continue;
        }
        let i = j - 1;
        let f = &c.words[i];
        let info = &c.info[i];
        let free = info.label.is_none() || matches!(info.label, Some((EntityType::Name, _)));
        let first = info.first
            || c.lower_is(i, B_VIRTUE)
            || !info.eng && !info.ent.is(F_KEEP) && !info.ent.is(F_PLACE) && f.base().len() >= 2;
        // "U.S. J." or "Dr. J.": the word before is no abbreviation.
        if !f.cap
            || f.all_caps
            || !free
            || info.safe
            || !first
            || c.lower_is(i, B_RELATION | B_KIN | B_FUNCTION | B_TITLE)
            || bytes.get(f.end) == Some(&b'.')
            // A dotted pair's second letter ("J.M. K.") is the pair's, not a first name.
            || f.base_len == 1
        {
            continue;
        }
        c.set(i, EntityType::Name, 0.75);
        c.set(j, EntityType::Name, 0.75);
    }
}

/// A person's two initials with their periods, "J.M." or "R.T.", which therapists write for
/// clients they do not name; abbreviations of that shape ("U.S.", "P.M.", "M.D.", "N.Y.")
/// stay.
fn dotted_initials(c: &mut Ctx<'_>) {
    const NOT_INITIALS: &[&str] = &[
        "us", "uk", "eu", "un", "po", "am", "pm", "ba", "bs", "ma", "ms", "md", "rn", "np", "pa",
        "do", "jd", "er", "or", "iv", "pt", "ot", "dc", "aa", "na", "ad", "bc", "pc", "st", "vs",
        "ie", "eg", "rx", "dx", "hx", "tx", "sx", "fx", "cc", "mr", "dr", "oz", "lb", "sr", "jr",
        "ok", "av", "ed", "ps", "nb", "qd", "hs", "ac", "pc", "bm", "gi", "gu", "os", "od", "ou",
        "rd", "rr",
    ];
    let n = c.words.len();
    let bytes = c.text.as_bytes();
    let single = |k: usize| {
        let w = &c.words[k];
        w.cap && w.base_len == 1 && w.lower.len() == 1 && bytes.get(w.end) == Some(&b'.')
    };
    for i in 0..n.saturating_sub(1) {
        if !single(i) || !single(i + 1) || c.words[i + 1].start != c.words[i].end + 1 {
            continue;
        }
        // Part of a longer chain ("U.S.A.", "J.R.R.") is no pair of initials.
        let chained_before = i > 0 && single(i - 1) && c.words[i - 1].end + 1 == c.words[i].start;
        let chained_after =
            i + 2 < n && single(i + 2) && c.words[i + 2].start == c.words[i + 1].end + 1;
        let pair = [
            c.words[i].lower.as_bytes()[0],
            c.words[i + 1].lower.as_bytes()[0],
        ];
        let pair = std::str::from_utf8(&pair).unwrap_or("");
        if chained_before
            || chained_after
            || NOT_INITIALS.contains(&pair)
            || dict::state_zip_digit(pair).is_some()
        {
            continue;
        }
        c.set(i, EntityType::Name, 0.7);
        c.set(i + 1, EntityType::Name, 0.7);
    }
}

/// A name spelled out letter by letter after it, as callers do on voicemail: "Anthony Russo,
/// R U S S O".
fn spelled_names(c: &mut Ctx<'_>) {
    let n = c.words.len();
    let letter = |k: usize| c.words[k].cap && c.words[k].base_len == 1;
    let mut i = 0;
    while i + 3 < n {
        // After a name, or after "spelled" / "that's" as dictation reads it out.
        if !letter(i + 1) {
            i += 1;
            continue;
        }
        let cue = matches!(c.info[i].label, Some((EntityType::Name, _)))
            || matches!(
                c.words[i].lower.as_ref(),
                "spelled" | "spelling" | "that's" | "thats"
            );
        if !cue {
            i += 1;
            continue;
        }
        let mut e = i + 1;
        while e < n && letter(e) && c.words[e].gap == Gap::Space {
            e += 1;
        }
        if e - (i + 1) >= 3 {
            for k in i + 1..e {
                c.set(k, EntityType::Name, 0.7);
            }
        }
        i = e;
    }
}

/// A name found once names the same person wherever its word comes back in the document:
/// "Clients: Sky Marchetti (they/them)" makes the later "Sky began by reading" a name, and a
/// client's "temi" in a greeting the "temi" further down. An ordinary English word comes back
/// as a name only with its capital ("by the grace of god" stays), and an auxiliary opening a
/// sentence ("Will send summary") stays too.
fn recurring_names(c: &mut Ctx<'_>) {
    let words = c.words;
    let mut found: Vec<&str> = words
        .iter()
        .zip(&c.info)
        .filter(|(w, info)| {
            matches!(info.label, Some((EntityType::Name, s)) if s >= 0.7)
                && (w.base().len() >= 3 || info.nick)
        })
        .map(|(w, _)| w.base())
        .collect();
    // Nicknames come back as written, however short ("KK confirmed this").
    let nicks: Vec<&str> = words
        .iter()
        .zip(&c.info)
        .filter(|(_, info)| info.nick)
        .map(|(w, _)| &c.text[w.start..w.base_end])
        .collect();
    if found.is_empty() {
        return;
    }
    found.sort_unstable();
    found.dedup();
    // The first letters of the names found, as a bit mask: most words start with none.
    let firsts = found
        .iter()
        .fold(0u32, |m, f| m | 1 << (f.as_bytes()[0] & 31));
    for (i, w) in words.iter().enumerate() {
        let info = &c.info[i];
        // Most words: labelled, or ordinary words in lowercase, which come back as no name.
        if info.label.is_some()
            || !w.cap && info.eng
            || firsts & 1 << (w.lower.as_bytes()[0] & 31) == 0
        {
            continue;
        }
        // A state or country comes back as itself ("Florida: I believe Florida ...").
        if !nicks.is_empty() && nicks.contains(&&c.text[w.start..w.base_end]) {
            c.set(i, EntityType::Name, 0.7);
            continue;
        }
        if info.safe
            || info.cal
            || info.ent.is(F_REGION)
            || w.base().len() < 3
            || found.binary_search(&w.base()).is_err()
        {
            continue;
        }
        let english = info.eng || info.ent.is(F_KEEP);
        // "Tom Parkinson" leaves "Parkinson's disease" a disease.
        if w.cap && eponym(c, i) {
            continue;
        }
        let again = if !w.cap {
            !english
        } else if w.all_caps && !c.shouting {
            // "EAP", "HTN": short capitals are acronyms more often than names.
            !english && w.base().len() >= 5
        } else {
            !(english
                && w.sentence_start
                && (c.lower_is(i, B_AUX | B_FUNCTION)
                    || matches!(
                        w.base(),
                        "will"
                            | "may"
                            | "can"
                            | "must"
                            | "might"
                            | "mark"
                            | "bill"
                            | "sue"
                            | "hope"
                    )))
        };
        if again {
            c.set(i, EntityType::Name, 0.7);
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
        let end = if c.info[j].whole {
            c.words[j].end
        } else {
            c.words[j].base_end
        };
        out.push(Span {
            start,
            end,
            kind,
            score: min_score,
        });
        i = j + 1;
    }
}
