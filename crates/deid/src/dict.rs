//! Embedded dictionaries: census names, SCOWL English and OpenMedSpel medical words, GeoNames places,
//! and the hand-written keep-list and cue words (see `data/README.md`).

use std::collections::HashMap;

/// Cue words and the bits of the lists that hold them, collected before the table is built.
pub(crate) type WordMap<V> = HashMap<&'static str, V>;

static FIRST_NAMES: &str = include_str!("../data/first_names.txt");
static SURNAMES: &str = include_str!("../data/surnames.txt");
static ENGLISH: &str = include_str!("../data/english.txt");
static MEDICAL: &str = include_str!("../data/medical.txt");
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

/// The word is a month or weekday name (or the plural of a long one: "mondays").
pub(crate) const F_CALENDAR: u16 = 1 << 7;

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
/// built once per [`crate::Engine`]: each token costs one lookup.
pub(crate) struct Dictionaries {
    table: WordTable,
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
        let lists: [(&'static str, u16); 8] = [
            (FIRST_NAMES, F_FIRST),
            (SURNAMES, F_LAST),
            (ENGLISH, F_ENGLISH),
            // Medical words are ordinary words of the notes the engine reads.
            (MEDICAL, F_ENGLISH),
            (PLACES, F_PLACE),
            (REGIONS, F_REGION),
            (KEEP, F_KEEP),
            (NAME_WORDS, F_NAME_WORD),
        ];
        let cues = crate::names::cue_masks();
        let keys: usize = lists
            .iter()
            .map(|(data, _)| data.lines().count())
            .sum::<usize>()
            + cues.len()
            + MONTHS.len()
            + WEEKDAYS.len()
            + CALENDAR_PLURALS.len()
            + WEEKDAY_ABBREVIATIONS.len();
        // Multi-word places also register their first word.
        let mut table = WordTable::with_capacity(keys + PLACES.len() / 8);
        let mut max_place_words = 1;
        for (data, flag) in lists {
            for w in lines(data) {
                table.entry(w).flags |= flag;
                if flag & (F_PLACE | F_REGION) != 0 {
                    let count = w.split(' ').count();
                    max_place_words = max_place_words.max(count);
                    if count >= 2 {
                        // Registered under the first word without a period ("st." of "st. louis").
                        let head = w.split(' ').next().unwrap_or(w);
                        let head = head.strip_suffix('.').unwrap_or(head);
                        let e = table.entry(head);
                        e.place_run = e.place_run.max(count.min(255) as u8);
                    }
                }
            }
        }
        for &(month, _) in MONTHS {
            table.entry(month).flags |= F_CALENDAR;
        }
        for w in WEEKDAYS {
            table.entry(w).flags |= F_CALENDAR;
        }
        for w in CALENDAR_PLURALS.iter().chain(&WEEKDAY_ABBREVIATIONS) {
            table.entry(w).flags |= F_CALENDAR;
        }
        for (w, cues) in cues {
            table.entry(w).cues |= cues;
        }
        Dictionaries {
            table,
            max_place_words: max_place_words.min(5),
        }
    }

    /// What the lists know about `word` (lowercase); empty when it is on none.
    pub fn get(&self, word: &str) -> Entry {
        self.table.get(word.as_bytes())
    }

    /// What the lists know about each of the `n` words `key(0)`, `key(1)` … (lowercase), in
    /// order. Faster than one [`Dictionaries::get`] after another: the table's memory for
    /// later words is read early, so that its cache misses overlap.
    pub fn get_all<'s, 'w, F>(
        &'s self,
        n: usize,
        key: F,
    ) -> impl Iterator<Item = Entry> + use<'s, 'w, F>
    where
        F: Fn(usize) -> &'w str,
    {
        const AHEAD: usize = 8;
        // The hashes of words `i .. i + AHEAD`, word `k` at `k % AHEAD`.
        let mut ring = [0u64; AHEAD];
        for (k, h) in ring.iter_mut().enumerate().take(n) {
            *h = hash(key(k).as_bytes());
            self.table.touch(*h);
        }
        (0..n).map(move |i| {
            let h = ring[i % AHEAD];
            if i + AHEAD < n {
                let later = hash(key(i + AHEAD).as_bytes());
                ring[i % AHEAD] = later;
                self.table.touch(later);
            }
            if i + AHEAD / 2 < n {
                self.table.touch_entry(ring[(i + AHEAD / 2) % AHEAD]);
            }
            self.table.get_hashed(key(i).as_bytes(), h)
        })
    }

    /// `word` (lowercase) is on one of the lists `flags`.
    pub fn has(&self, word: &str, flags: u16) -> bool {
        self.get(word).is(flags)
    }
}

/// A hash table from the embedded words to their entries, on the engine's hottest path:
/// every text word costs one lookup. Open addressing with linear probing over 64-bit slots
/// that hold a check half of the hash next to the entry's index, so a probe rarely leaves
/// the slot array; entries keep the first 16 bytes of their key inline, so a hit reads one
/// entry and calls no `memcmp`.
struct WordTable {
    /// `check << 32 | (index + 1)`; 0 marks an empty slot.
    slots: Vec<u64>,
    /// `64 - log2(slots.len())`: a hash's top bits choose its first slot.
    shift: u32,
    entries: Vec<Keyed>,
    /// Every key whole, for keys longer than 16 bytes and for rehashing.
    keys: Vec<&'static [u8]>,
}

struct Keyed {
    /// The key's first 16 bytes, zero-padded.
    head: [u8; 16],
    len: u32,
    entry: Entry,
}

const K: u64 = 0x517c_c1b7_2722_0a95;

/// The FxHash mixing step over 8-byte words, seeded with the length.
#[inline]
fn hash(w: &[u8]) -> u64 {
    let mut h = (w.len() as u64).wrapping_mul(K);
    let mut chunks = w.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    let n = rest.len();
    // Every byte of the remainder, packed without a loop (overlapping loads).
    let tail = match n {
        0 => return h,
        1..=3 => u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16,
        _ => u64::from(load_u32(rest, 0)) | u64::from(load_u32(rest, n - 4)) << 32,
    };
    (h.rotate_left(5) ^ tail).wrapping_mul(K)
}

/// `key` (of at most 16 bytes) equals the first `key.len()` bytes of `head`, compared by
/// overlapping 8- or 4-byte loads.
#[inline]
fn head_is(head: &[u8; 16], key: &[u8]) -> bool {
    let n = key.len();
    match n {
        0 => true,
        // The first, middle and last byte: every byte of a key of three or fewer.
        1..=3 => head[0] == key[0] && head[n / 2] == key[n / 2] && head[n - 1] == key[n - 1],
        4..=7 => {
            load_u32(head, 0) == load_u32(key, 0) && load_u32(head, n - 4) == load_u32(key, n - 4)
        }
        8..=16 => {
            load_u64(head, 0) == load_u64(key, 0) && load_u64(head, n - 8) == load_u64(key, n - 8)
        }
        _ => false,
    }
}

/// The four bytes of `s` at `i`, little-endian.
#[inline]
fn load_u32(s: &[u8], i: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&s[i..i + 4]);
    u32::from_le_bytes(x)
}

/// The eight bytes of `s` at `i`, little-endian.
#[inline]
fn load_u64(s: &[u8], i: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(x)
}

impl WordTable {
    fn with_capacity(keys: usize) -> WordTable {
        let slots = (keys.max(8) * 4 / 3 + 1).next_power_of_two();
        WordTable {
            slots: vec![0; slots],
            shift: 64 - slots.trailing_zeros(),
            entries: Vec::with_capacity(keys),
            keys: Vec::with_capacity(keys),
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    #[inline(always)]
    fn find(&self, key: &[u8], h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let check = h & 0xffff_ffff_0000_0000;
        let mut i = (h >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return i;
            }
            if s & 0xffff_ffff_0000_0000 == check {
                let n = (s & 0xffff_ffff) as usize - 1;
                let k = &self.entries[n];
                if k.len as usize == key.len()
                    && if key.len() <= 16 {
                        head_is(&k.head, key)
                    } else {
                        self.keys[n] == key
                    }
                {
                    return i;
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: &[u8]) -> Entry {
        self.get_hashed(key, hash(key))
    }

    #[inline(always)]
    fn get_hashed(&self, key: &[u8], h: u64) -> Entry {
        let s = self.slots[self.find(key, h)];
        match (s & 0xffff_ffff) as usize {
            0 => Entry::default(),
            n => self.entries[n - 1].entry,
        }
    }

    /// Reads the first slot of hash `h`, so that a lookup soon after finds it in the cache.
    #[inline]
    fn touch(&self, h: u64) {
        std::hint::black_box(self.slots[(h >> self.shift) as usize]);
    }

    /// Reads the entry that the first slot of hash `h` names, if any (see [`WordTable::touch`]).
    #[inline]
    fn touch_entry(&self, h: u64) {
        let s = self.slots[(h >> self.shift) as usize];
        if let Some(k) = self
            .entries
            .get(((s & 0xffff_ffff) as usize).wrapping_sub(1))
        {
            std::hint::black_box(k.len);
        }
    }

    /// The entry of `key`, inserted empty when it is new.
    fn entry(&mut self, key: &'static str) -> &mut Entry {
        if (self.entries.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let key = key.as_bytes();
        let h = hash(key);
        let i = self.find(key, h);
        if self.slots[i] == 0 {
            let mut head = [0u8; 16];
            let n = key.len().min(16);
            head[..n].copy_from_slice(&key[..n]);
            self.entries.push(Keyed {
                head,
                len: key.len() as u32,
                entry: Entry::default(),
            });
            self.keys.push(key);
            self.slots[i] = (h & 0xffff_ffff_0000_0000) | self.entries.len() as u64;
        }
        let n = (self.slots[i] & 0xffff_ffff) as usize - 1;
        &mut self.entries[n].entry
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots = vec![0; size];
        self.shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for (n, key) in self.keys.iter().enumerate() {
            let h = hash(key);
            let mut i = (h >> self.shift) as usize;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (h & 0xffff_ffff_0000_0000) | (n as u64 + 1);
        }
    }
}

/// The postal codes of the states, DC and the territories, in lowercase, with the first
/// digit of their ZIP codes.
pub(crate) const STATE_CODES: &[(&str, u8)] = &[
    ("ct", b'0'),
    ("ma", b'0'),
    ("me", b'0'),
    ("nh", b'0'),
    ("nj", b'0'),
    ("pr", b'0'),
    ("ri", b'0'),
    ("vt", b'0'),
    ("vi", b'0'),
    ("de", b'1'),
    ("ny", b'1'),
    ("pa", b'1'),
    ("dc", b'2'),
    ("md", b'2'),
    ("nc", b'2'),
    ("sc", b'2'),
    ("va", b'2'),
    ("wv", b'2'),
    ("al", b'3'),
    ("fl", b'3'),
    ("ga", b'3'),
    ("ms", b'3'),
    ("tn", b'3'),
    ("in", b'4'),
    ("ky", b'4'),
    ("mi", b'4'),
    ("oh", b'4'),
    ("ia", b'5'),
    ("mn", b'5'),
    ("mt", b'5'),
    ("nd", b'5'),
    ("sd", b'5'),
    ("wi", b'5'),
    ("il", b'6'),
    ("ks", b'6'),
    ("mo", b'6'),
    ("ne", b'6'),
    ("ar", b'7'),
    ("la", b'7'),
    ("ok", b'7'),
    ("tx", b'7'),
    ("az", b'8'),
    ("co", b'8'),
    ("id", b'8'),
    ("nm", b'8'),
    ("nv", b'8'),
    ("ut", b'8'),
    ("wy", b'8'),
    ("ak", b'9'),
    ("ca", b'9'),
    ("hi", b'9'),
    ("or", b'9'),
    ("wa", b'9'),
    ("gu", b'9'),
    ("as", b'9'),
    ("mp", b'9'),
];

/// The first digit of the ZIP codes of the state whose postal code is `code` (lowercase,
/// "ca"), or `None` when it is no state's code.
pub(crate) fn state_zip_digit(code: &str) -> Option<u8> {
    STATE_CODES
        .iter()
        .find(|(s, _)| *s == code)
        .map(|&(_, d)| d)
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
    "sergeant",
    "sgt",
    "lieutenant",
    "lt",
    "captain",
    "capt",
    "corporal",
    "cpl",
    "trooper",
    "deputy",
    "colonel",
    "sheriff",
    "agent",
    "mme",
    "mlle",
    "fr",
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
    "drs",
    "honorable",
    "hon",
    "abuela",
    "abuelo",
];

/// Words after which the next capitalised (or unknown lowercase) word is a person.
pub(crate) const RELATION_CUES: &[&str] = &[
    "sister",
    "brother",
    "sis",
    "bro",
    "sponsor",
    "sponser",
    "lawyer",
    "attorney",
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
    "girl",
    "guy",
    "boy",
    "lady",
    "dude",
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
    "followed at",
    "followed by",
    "seen at",
    "evaluated at",
    "transferred from",
    "started at",
    "starts at",
    "got into",
    "accepted to",
    "accepted at",
    "delivered at",
    "resident at",
    "lives at",
    "placed at",
    "stay at",
    "stayed at",
];

/// Final words that end an organisation's name only after a distinctive word (no ordinary
/// English word): "Brookline Family Medicine", "Haverhill Police", but not "Internal
/// Medicine" or "Primary Care".
pub(crate) const ORG_WEAK_SUFFIXES: &[&str] = &[
    "medicine",
    "general",
    "scientific",
    "residences",
    "police",
    "defender",
    "defenders",
    "rehab",
    "rehabilitation",
    "pediatrics",
    "psychiatry",
    "care",
    "living",
    "union",
    "community",
    "recovery",
    "counseling",
    "wellness",
    "behavioral",
    "therapy",
    "dynamics",
    "international",
    "outreach",
    "mission",
    "orthopedics",
    "dermatology",
    "cardiology",
    "oncology",
    "neurology",
    "network",
    "alliance",
    "coalition",
    "collaborative",
    "trust",
    "capital",
    "financial",
    "properties",
    "holdings",
    "wireless",
    "airlines",
    "express",
    "hospice",
    "pd",
    "fd",
    "unit",
    "system",
    "schools",
    "court",
    "works",
    "home",
    "nursing",
    "advantage",
    "plan",
    "line",
    "management",
    "supply",
    "supplies",
    "design",
    "memorial",
    "nurses",
    "lines",
    "body",
    "connection",
    "benefits",
    "regional",
    "aid",
    "dialysis",
    "imaging",
    "geriatrics",
    "pathology",
    "guidance",
    "housing",
    "drug",
    "glass",
    "campus",
    "php",
    "iop",
    "rx",
    "crisis",
    "probation",
    "facility",
    "corrections",
    "residential",
    "airborne",
    "marines",
    "gi",
    "ortho",
    "orthopaedics",
    "packing",
    "rescue",
    "nephrology",
    "endocrinology",
    "gastroenterology",
    "rheumatology",
    "urology",
    "pulmonology",
    "delivery",
    "processing",
    "diagnostics",
    "answering",
    "engineering",
    "audiology",
    "psychotherapy",
    "league",
    "mediation",
    "pulmonary",
    "palace",
    "orthotics",
    "prosthetics",
    "biomedical",
    "equipment",
    "parish",
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
    "roofing",
    "deli",
    "tavern",
    "barbershop",
    "laundromat",
    "cleaners",
    "towing",
    "catering",
    "childcare",
    "supermarket",
    "hardware",
    "lumber",
    "furniture",
    "freight",
    "movers",
    "painting",
    "masonry",
    "flooring",
    "mutual",
    "shield",
    "ambulance",
    "ems",
    "patrol",
    "project",
    "depot",
    "baptist",
    "methodist",
    "lutheran",
    "presbyterian",
    "episcopal",
    "pentecostal",
    "tabernacle",
    "cathedral",
    "prep",
    "semiconductor",
    "pavilion",
    "seafood",
    "dentistry",
    "laboratory",
    "laboratories",
    "plastics",
    "biotech",
    "saloon",
    "architects",
    "studio",
    "lab",
    "pharm",
    "lube",
    "tire",
    "pantry",
    "grocery",
    "spa",
    "fabricators",
    "taxi",
    "lodge",
    "hospitals",
    "clinics",
    "packers",
    "poultry",
    "mart",
    "roasters",
    "transit",
    "apothecary",
    "outfitters",
    "freightways",
    "café",
    "cafe",
    "bridal",
    "battalion",
    "regiment",
    "brigade",
    "squadron",
    "collective",
    "district",
    "interpreting",
    "analytics",
    "millwork",
    "hvac",
    "fund",
    "fulfillment",
];

/// Words that precede or follow a capitalised place: "the Riverside neighborhood".
pub(crate) const PLACE_SUFFIXES: &[&str] = &[
    "county",
    "cemetery",
    "pond",
    "flats",
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

/// The days of the week.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Plurals of the long month and weekday names ("mondays"), which name days too.
/// Short weekday names in notes ("family meeting Thurs"): no names, no dates.
const WEEKDAY_ABBREVIATIONS: [&str; 11] = [
    "mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun",
];

const CALENDAR_PLURALS: [&str; 14] = [
    "januarys",
    "februarys",
    "augusts",
    "septembers",
    "octobers",
    "novembers",
    "decembers",
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
];

/// Month number for a (case-insensitive) month name or abbreviation.
pub(crate) fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    MONTHS
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(w))
        .map(|&(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_table_finds_exactly_its_keys() {
        // Starts small so that it grows; keys of every length up to 40 bytes.
        let mut t = WordTable::with_capacity(4);
        let words: Vec<&'static str> = (0..3000u16)
            .map(|i| {
                &*Box::leak(format!("w{i}{}", "x".repeat(usize::from(i) % 37)).into_boxed_str())
            })
            .collect();
        for (i, w) in words.iter().enumerate() {
            t.entry(w).flags = i as u16 + 1;
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.get(w.as_bytes()).flags, i as u16 + 1, "{w}");
            let shorter = &w[..w.len() - 1];
            let expected = words
                .iter()
                .position(|o| *o == shorter)
                .map_or(0, |k| k as u16 + 1);
            assert_eq!(t.get(shorter.as_bytes()).flags, expected, "{shorter}");
            let mut other = w.as_bytes().to_vec();
            *other.last_mut().unwrap_or(&mut 0) = b'#';
            assert_eq!(t.get(&other).flags, 0);
        }
        assert_eq!(t.get(b"").flags, 0);
    }
}
