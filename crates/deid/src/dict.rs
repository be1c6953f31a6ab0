//! Embedded dictionaries: census names, SCOWL English words, GeoNames places,
//! and the hand-written keep-list and cue words (see `data/README.md`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast non-cryptographic hasher for short dictionary keys (the FxHash mixing step).
/// The keys are the crate's own embedded words, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hash maps keyed by dictionary words.
pub(crate) type WordMap<V> = HashMap<&'static str, V, BuildHasherDefault<FxHasher>>;

static FIRST_NAMES: &str = include_str!("../data/first_names.txt");
static SURNAMES: &str = include_str!("../data/surnames.txt");
static ENGLISH: &str = include_str!("../data/english.txt");
static PLACES: &str = include_str!("../data/places.txt");
static REGIONS: &str = include_str!("../data/regions.txt");
static KEEP: &str = include_str!("../data/keep.txt");
static NAME_WORDS: &str = include_str!("../data/name_words.txt");

/// The word is a census first name.
pub(crate) const F_FIRST: u16 = 1;
/// The word is a census surname.
pub(crate) const F_LAST: u16 = 1 << 1;
/// The word is an ordinary English word.
pub(crate) const F_ENGLISH: u16 = 1 << 2;
/// The word (or phrase) is a place name.
pub(crate) const F_PLACE: u16 = 1 << 3;
/// The word (or phrase) is a state or country: it stays in the text.
pub(crate) const F_REGION: u16 = 1 << 4;
/// The word is on the keep-list.
pub(crate) const F_KEEP: u16 = 1 << 5;
/// The word is a first name that is also a rare English word.
pub(crate) const F_NAME_WORD: u16 = 1 << 6;

/// Everything the dictionaries know about one lowercase word or phrase.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Entry {
    /// The lists that hold it (bits `F_*`).
    pub flags: u16,
    /// Most words of a place or region name that starts with this word (0: none of two or more).
    pub place_run: u8,
    /// Cue words: the bits of the cue lists that hold it (see `names`).
    pub cues: u32,
}

impl Entry {
    /// The word is on one of the lists `flags`.
    pub fn is(self, flags: u16) -> bool {
        self.flags & flags != 0
    }
}

/// One merged table from lowercase word (or multi-word place) to its [`Entry`],
/// built once per [`crate::Engine`]: each token costs one hash lookup.
pub(crate) struct Dictionaries {
    map: WordMap<Entry>,
    /// Longest place or region name in words.
    pub max_place_words: usize,
}

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Dictionaries {
    pub fn load() -> Dictionaries {
        let mut map = WordMap::<Entry>::default();
        map.reserve(200_000);
        let lists: [(&'static str, u16); 7] = [
            (FIRST_NAMES, F_FIRST),
            (SURNAMES, F_LAST),
            (ENGLISH, F_ENGLISH),
            (PLACES, F_PLACE),
            (REGIONS, F_REGION),
            (KEEP, F_KEEP),
            (NAME_WORDS, F_NAME_WORD),
        ];
        let mut max_place_words = 1;
        for (data, flag) in lists {
            for w in lines(data) {
                map.entry(w).or_default().flags |= flag;
                if flag & (F_PLACE | F_REGION) != 0 {
                    let count = w.split(' ').count();
                    max_place_words = max_place_words.max(count);
                    if count >= 2 {
                        // Registered under the first word without a period ("st." of "st. louis").
                        let head = w.split(' ').next().unwrap_or(w);
                        let head = head.strip_suffix('.').unwrap_or(head);
                        let e = map.entry(head).or_default();
                        e.place_run = e.place_run.max(count.min(255) as u8);
                    }
                }
            }
        }
        for (w, cues) in crate::names::cue_masks() {
            map.entry(w).or_default().cues |= cues;
        }
        Dictionaries {
            map,
            max_place_words: max_place_words.min(5),
        }
    }

    /// What the lists know about `word` (lowercase); empty when it is on none.
    pub fn get(&self, word: &str) -> Entry {
        self.map.get(word).copied().unwrap_or_default()
    }

    /// `word` (lowercase) is on one of the lists `flags`.
    pub fn has(&self, word: &str, flags: u16) -> bool {
        self.get(word).is(flags)
    }
}

/// Courtesy and professional titles that precede a name.
pub(crate) const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "rev",
    "reverend",
    "pastor",
    "father",
    "sister",
    "brother",
    "rabbi",
    "imam",
    "officer",
    "det",
    "detective",
    "judge",
    "coach",
    "nurse",
    "aunt",
    "auntie",
    "uncle",
    "grandma",
    "grandpa",
    "nana",
    "papa",
];

/// Words after which the next capitalised (or unknown lowercase) word is a person.
pub(crate) const RELATION_CUES: &[&str] = &[
    "sister",
    "brother",
    "mother",
    "mom",
    "mum",
    "mommy",
    "dad",
    "daddy",
    "father",
    "husband",
    "wife",
    "son",
    "daughter",
    "partner",
    "spouse",
    "fiance",
    "fiancee",
    "boyfriend",
    "girlfriend",
    "bf",
    "gf",
    "friend",
    "bestie",
    "bff",
    "cousin",
    "aunt",
    "auntie",
    "uncle",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "granny",
    "nana",
    "niece",
    "nephew",
    "roommate",
    "coworker",
    "co-worker",
    "colleague",
    "boss",
    "manager",
    "supervisor",
    "teacher",
    "counselor",
    "therapist",
    "psychiatrist",
    "doctor",
    "pediatrician",
    "stepmom",
    "stepdad",
    "stepfather",
    "stepmother",
    "stepson",
    "stepdaughter",
    "stepbrother",
    "stepsister",
    "ex",
    "ex-husband",
    "ex-wife",
    "ex-boyfriend",
    "ex-girlfriend",
    "neighbor",
    "neighbour",
    "classmate",
    "child",
    "kid",
    "baby",
    "toddler",
    "sibling",
    "stepsibling",
    "client",
    "patient",
    "named",
    "called",
    "nicknamed",
    "guardian",
    "caseworker",
    "worker",
    "sponsor",
    "pastor",
    "priest",
    "principal",
    "landlord",
    "its",
    "it's",
    "im",
    "i'm",
];

/// Words after which a capitalised run is a place.
pub(crate) const LOCATION_CUES: &[&str] = &[
    "in", "from", "to", "near", "at", "outside", "around", "toward", "towards", "into", "visiting",
    "visit", "moved", "lives", "lived", "born", "raised", "grew", "via",
];

/// Words after which a capitalised run is an organisation.
pub(crate) const ORG_CUES: &[&str] = &[
    "works at",
    "worked at",
    "working at",
    "job at",
    "employed by",
    "employed at",
    "attends",
    "attended",
    "attending",
    "enrolled at",
    "enrolled in",
    "student at",
    "goes to",
    "went to",
    "admitted to",
    "discharged from",
    "hospitalized at",
    "treated at",
    "referred by",
    "referred from",
    "referred to",
    "transferred to",
    "intern at",
    "internship at",
    "volunteers at",
    "volunteer at",
    "shift at",
    "manager at",
    "nurse at",
    "teacher at",
    "teaches at",
    "fired from",
    "laid off from",
    "hired at",
    "hired by",
    "interview at",
    "member of",
    "pastor at",
    "services at",
];

/// Final words that make a capitalised run an organisation.
pub(crate) const ORG_SUFFIXES: &[&str] = &[
    "school",
    "elementary",
    "middle",
    "high",
    "academy",
    "university",
    "college",
    "institute",
    "hospital",
    "clinic",
    "center",
    "centre",
    "medical",
    "health",
    "healthcare",
    "church",
    "synagogue",
    "temple",
    "mosque",
    "ministries",
    "inc",
    "inc.",
    "llc",
    "llp",
    "ltd",
    "corp",
    "corp.",
    "corporation",
    "company",
    "co",
    "co.",
    "group",
    "associates",
    "partners",
    "services",
    "bank",
    "pharmacy",
    "foundation",
    "agency",
    "department",
    "dept",
    "restaurant",
    "cafe",
    "diner",
    "grill",
    "bakery",
    "market",
    "store",
    "shop",
    "salon",
    "gym",
    "fitness",
    "systems",
    "solutions",
    "technologies",
    "labs",
    "consulting",
    "industries",
    "enterprises",
    "motors",
    "logistics",
    "insurance",
    "realty",
    "daycare",
    "preschool",
    "montessori",
    "seminary",
    "ymca",
    "ywca",
    "shelter",
    "house",
    "program",
    "hall",
    "library",
    "warehouse",
    "factory",
    "plant",
    "firm",
    "practice",
    "construction",
    "landscaping",
    "dental",
    "plumbing",
    "electric",
    "auto",
    "repair",
    "cleaning",
    "transport",
    "trucking",
    "farms",
    "foods",
    "manufacturing",
    "publishing",
    "media",
    "studios",
    "design",
    "marketing",
    "staffing",
    "hotel",
    "inn",
    "resort",
    "casino",
    "club",
    "theater",
    "theatre",
    "museum",
    "zoo",
    "nursery",
    "kitchen",
    "pizza",
    "pub",
    "brewery",
    "motel",
    "bureau",
    "council",
    "commission",
    "authority",
    "office",
    "ministry",
    "fellowship",
    "chapel",
];

/// Words that precede or follow a capitalised place: "the Riverside neighborhood".
pub(crate) const PLACE_SUFFIXES: &[&str] = &[
    "county",
    "city",
    "town",
    "township",
    "village",
    "borough",
    "parish",
    "heights",
    "park",
    "hills",
    "springs",
    "falls",
    "beach",
    "valley",
    "lake",
    "river",
    "creek",
    "harbor",
    "harbour",
    "neighborhood",
    "neighbourhood",
    "district",
    "estates",
    "gardens",
    "apartments",
    "apts",
    "projects",
    "mall",
    "airport",
    "station",
    "area",
    "side",
    "village",
    "manor",
    "commons",
    "court",
    "trailer",
];

/// Month names and their abbreviations, with their month number.
pub(crate) const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Month number for a (case-insensitive) month name or abbreviation.
pub(crate) fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    MONTHS
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(w))
        .map(|&(_, n)| n)
}
