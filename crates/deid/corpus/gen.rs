//! Generator of the fully synthetic development corpus: therapy notes, client
//! messages, supervision write-ups and intake forms with exact gold spans.
//!
//! Every document is built from templates whose slots are filled with
//! invented surrogate values, so each identifier's offsets are known by
//! construction. One template in five (and one value in five) is held out of
//! development: `Split::Dev` never uses them and `Split::Heldout` uses only
//! them, so a score on the held-out split shows whether the engine generalises.
//! Nothing here is real: names, places and numbers are made up or checksummed.

#![allow(dead_code)]
// `is_multiple_of` is newer than the workspace's minimum Rust version.
#![allow(clippy::manual_is_multiple_of)]

use alcove_deid::{EntityType, Span};

/// Which templates and values to draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// Development templates and values.
    Dev,
    /// The held-out fifth.
    Heldout,
}

/// One generated document.
#[derive(Clone, Debug)]
pub struct Doc {
    /// "dev-17", "heldout-3".
    pub id: String,
    /// Document text.
    pub text: String,
    /// Gold identifiers.
    pub spans: Vec<Span>,
}

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Anna",
    "Maria",
    "Jessica",
    "Tyler",
    "Brandon",
    "DeShawn",
    "Aaliyah",
    "Mateo",
    "Sofia",
    "Priya",
    "Arjun",
    "Mei",
    "Oluwaseun",
    "Chidi",
    "Fatima",
    "Omar",
    "Siobhan",
    "Aoife",
    "Rohan",
    "Keisha",
    "Jamal",
    "Ximena",
    "José",
    "Zoë",
    "Björn",
    "Hope",
    "Will",
    "Grace",
    "Rose",
    "Jordan",
    "Faith",
    "Hunter",
    "Mason",
    "Dakota",
    "Eli",
    "Noor",
    "Yusuf",
    "Thanh",
    "Kenji",
    "Ananya",
    "Bogdan",
    "Katarzyna",
    "Ingrid",
    "Liam",
    "Emma",
    "Olivia",
    "Noah",
    "Chloe",
    "Madison",
    "Brianna",
    "Kayden",
    "Jaxon",
    "Marisol",
    "Esperanza",
    "Tomasz",
    "Declan",
    "Niamh",
    "Tariq",
    "Layla",
    "Amara",
    "Kwame",
    "Anne-Marie",
    "Jean-Luc",
    "Paris",
    "Summer",
    "Destiny",
    "Trevor",
    "Caleb",
    "Luz",
    "Imani",
];

const LAST: &[&str] = &[
    "Lopez",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Adeyemi",
    "Patel",
    "Kowalski",
    "O'Brien",
    "McAllister",
    "Smith-Jones",
    "Yamamoto",
    "Kim",
    "Chen",
    "Haddad",
    "Rahman",
    "Delacroix",
    "Fitzgerald",
    "Brown",
    "Whitfield",
    "Novak",
    "Ivanova",
    "Schultz",
    "Oyelaran",
    "Castellanos",
    "Brennan",
    "Dubois",
    "Kaczmarek",
    "Thompson",
    "Reyes",
    "Abernathy",
    "Villanueva",
    "Moreau",
    "Lindqvist",
    "Oduya",
    "Baptiste",
    "Harrington",
    "Pham",
    "Tran",
    "Ferreira",
    "Rossi",
    "Grayson",
    "Mwangi",
    "Takahashi",
    "Goldberg",
    "Sandoval",
    "Hollis",
    "Winslow",
    "Quintero",
    "Ashford",
    "Kessler",
];

const CITIES: &[&str] = &[
    "Springfield",
    "Dayton",
    "Fresno",
    "Tacoma",
    "Boise",
    "Eugene",
    "Flagstaff",
    "Bangor",
    "Duluth",
    "Racine",
    "Muncie",
    "Kalamazoo",
    "Scranton",
    "Pueblo",
    "Yuma",
    "Provo",
    "Ogden",
    "Lowell",
    "Worcester",
    "Hartford",
    "Cedar Rapids",
    "Sioux Falls",
    "Fort Collins",
    "Ann Arbor",
    "Santa Rosa",
    "Grand Junction",
    "Elk Grove",
    "New Haven",
    "Bakersfield",
    "Chattanooga",
    "Asheville",
    "Savannah",
    "Lubbock",
    "Bozeman",
    "Missoula",
];

const STATES: &[(&str, &str)] = &[
    ("Ohio", "OH"),
    ("Texas", "TX"),
    ("California", "CA"),
    ("Oregon", "OR"),
    ("Michigan", "MI"),
    ("Georgia", "GA"),
    ("Montana", "MT"),
    ("Iowa", "IA"),
    ("Maine", "ME"),
    ("Arizona", "AZ"),
];

const STREET_NAMES: &[&str] = &[
    "Maple",
    "Oak",
    "Elm",
    "Cedar",
    "Birchwood",
    "Lakeview",
    "Hawthorne",
    "Kingsley",
    "Pinecrest",
    "Willow",
    "Main",
    "Washington",
    "Linden",
    "Sycamore",
    "Juniper",
    "Ridgecrest",
    "Old Mill",
    "Harbor View",
    "Aspen",
    "Foxglove",
];

const STREET_TYPES: &[&str] = &[
    "St", "Street", "Ave", "Avenue", "Road", "Rd", "Dr", "Drive", "Lane", "Ct", "Blvd", "Way",
];

const NEIGHBORHOODS: &[&str] = &[
    "Eastgate",
    "Southport",
    "Millbrook",
    "Riverside Heights",
    "Fairmount",
    "Glenwood Park",
    "Northcrest",
    "Old Town",
    "Brookside",
    "Cherry Hill",
];

const SCHOOLS: &[&str] = &[
    "Lincoln Elementary School",
    "Roosevelt High School",
    "Westbrook Middle School",
    "Ridgeview Academy",
    "Hawthorne Elementary",
    "Central Valley High School",
    "University of Dayton",
    "Pinecrest Community College",
    "St. Brigid's School",
    "Oakmont Preparatory Academy",
];

const EMPLOYERS: &[&str] = &[
    "Hartwell Logistics",
    "Bluewater Dental Group",
    "Summit Pharmacy",
    "Northside Family Services",
    "Greenleaf Landscaping LLC",
    "Meridian Insurance",
    "Caldwell & Sons Construction",
    "Brightpath Consulting",
    "Redstone Diner",
    "Harbor Freight Warehouse",
    "Tri-County Bank",
    "Ellison Technologies",
];

const HOSPITALS: &[&str] = &[
    "St. Jude's Hospital",
    "Mercy General Hospital",
    "Riverbend Behavioral Health Clinic",
    "Valley Medical Center",
    "Lakeside Psychiatric Hospital",
    "Good Shepherd Clinic",
];

const CHURCHES: &[&str] = &[
    "Grace Community Church",
    "First Baptist Church",
    "St. Anne's Church",
    "Beth Shalom Synagogue",
    "New Hope Fellowship Church",
    "Masjid Al-Noor Mosque",
];

const RELATIONS: &[&str] = &[
    "sister",
    "brother",
    "mother",
    "mom",
    "dad",
    "father",
    "husband",
    "wife",
    "son",
    "daughter",
    "partner",
    "boyfriend",
    "girlfriend",
    "friend",
    "cousin",
    "aunt",
    "uncle",
    "grandmother",
    "roommate",
    "coworker",
    "boss",
    "ex-husband",
    "stepdad",
    "best friend",
    "niece",
];

const MONTHS: &[&str] = &[
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

const SHORT_MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec",
];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const EMOJI: &[&str] = &["😢", "🙏", "😅", "❤️", "😡", "👍", "😔", "🤷‍♀️"];

/// Progress notes (clinician voice).
const NOTES: &[&str] = &[
    "Client {F} {L} attended a 50-minute individual session on {DATE}.",
    "{F} reported increased anxiety since {DATE} and rated it 7/10.",
    "Pt is a {AGEY}-year-old {STATE_NAME} resident who lives with her {REL} {F} in {CITY}.",
    "Client stated that {F} \"never listens\" and that the arguments started in {MONTH}.",
    "{TITLE} {L} was present for the first half of the session.",
    "Client's {REL}, {F}, called the office at {PHONE} to reschedule.",
    "Discussed coping skills; client practiced box breathing and reported relief.",
    "PHQ-9 score 14 (moderate); GAD-7 score 11. Continue CBT weekly on {WEEKDAY}s.",
    "Client disclosed that her {REL} {F} hit her on {DATE_WR}; safety plan reviewed.",
    "Client reports sleeping 4-5 hours per night and denies SI/HI.",
    "Next appointment scheduled for {DATE_NUM} at 3pm.",
    "{F} {L} (DOB {DATE_NUM}, MRN {MRN}) was seen for a medication check.",
    "Client works at {EMPLOYER} and reports conflict with a supervisor named {F}.",
    "She was hospitalized at {HOSPITAL} from {DATE_RANGE} after an overdose.",
    "Client's son attends {SCHOOL}; the school counselor, {TITLE} {L}, requested a release.",
    "Mother, {F} {L}, is a {AGE90}-year-old widow who still lives alone.",
    "Client lives at {STREET}, {CITY}, {STATE_ABBR} {ZIP}.",
    "Collateral contact with {F} at {PHONE} on {DATE_NUM}; client consented.",
    "Plan: continue sertraline 50mg; follow up with Dr. {L} in two weeks.",
    "Client was tearful when talking about {F}'s funeral in {MONTH}.",
    "Client moved from {CITY} to {CITY} in 2019 and has not worked since.",
    "Insurance: Medicaid member ID {PLAN}; prior authorization expires {DATE_NUM}.",
    "Referred by {TITLE} {F} {L} at {HOSPITAL}.",
    "Client attends {CHURCH} and finds the community supportive.",
    "Client denies alcohol use; last drink was New Year's Eve.",
    "Grandmother {F} died at age {AGE90} last spring.",
    "Client reported that {F} {L} threatened to take the kids to {CITY}.",
    "Session held via Zoom; client was at her home in the {NEIGH} neighborhood.",
    "Court case number {CASEID} was discussed; client's attorney is {F} {L}.",
    "Fax records to {TITLE} {L} at {FAX}.",
    "Client's email on file is {EMAIL}.",
    "The client's husband {F} drives a gray sedan, license plate {PLATE}.",
    "Client was born on {DATE_WR} in {CITY}, {STATE_NAME}.",
    "Client's probation officer, {F} {L}, can be reached at {PHONE}.",
    "Client described a panic attack at the {CITY} mall on {WEEKDAY}.",
    "She will start a new job at {EMPLOYER} on {DATE_WR}.",
];

/// Client messages (informal, lowercase names, typos, emoji).
const MESSAGES: &[&str] = &[
    "hi its {f} again, can we move thursday to {DATE_NUM}? {EMOJI}",
    "my {REL} {f} keeps yelling at me and i dont know what to do",
    "sorry i missed group, {f} was sick all night {EMOJI}",
    "can u call me at {PHONE}? my other phone broke",
    "me and {F} broke up last week. i cant stop crying {EMOJI}",
    "ok so {f} {l} said i cant see the kids till {MONTH} 😡",
    "my new email is {EMAIL} btw",
    "thx for today. {F} says hi lol",
    "i'm at my aunts place in {CITY} this weekend, can we do zoom?",
    "he posted it on {URL} and everyone saw it",
    "my sister {f} found my insta {HANDLE} and sent it to mom",
    "therapy on {DATE_WR} still ok?? {EMOJI}",
    "i got fired from {EMPLOYER} today. {F} told the manager everything",
    "u know my bf {f}? he moved to {CITY} without telling me",
    "will be late, bus from {NEIGH} is slow today",
    "idk if i can afford it, my card ending {CARD4} got declined",
    "can you send the form to {EMAIL}? thank u",
    "grace period for the bill ends friday so i'm stressing",
    "i hope {F} calls back, it's been 3 days",
    "new number is {PHONE} dont give it to {f} pls",
    "my daughter {f} starts at {SCHOOL} on {DATE_WR}",
    "i'm so tired, worked a double at {EMPLOYER} {EMOJI}",
    "mom's bday is {DATE_NUM}, she turns {AGE90} can u believe",
    "i was at {STREET} when it happened",
];

/// Supervision write-ups (clinician to supervisor).
const SUPERVISION: &[&str] = &[
    "I'd like to consult about my client {F} {L}, a {AGEY}-year-old from {CITY}.",
    "{F} has been seeing me since {DATE_WR}; we meet weekly on {WEEKDAY}s.",
    "Her {REL}, {F}, is a nurse at {HOSPITAL} and often calls me directly.",
    "The school ({SCHOOL}) reported that {F} has missed twelve days since {MONTH}.",
    "I'm wondering whether to contact CPS about what {F} disclosed on {DATE_NUM}.",
    "My concern is countertransference: {F} reminds me of my own mother.",
    "The family moved here from {CITY}, {STATE_NAME} after the fire on {DATE_WR}.",
    "Dr. {L} at {HOSPITAL} prescribed Lexapro in {MONTH_YEAR}.",
    "{F} {L}'s father, {F} {L}, was deported in {YEAR}.",
    "Could we talk about termination? {F} keeps cancelling.",
    "Relevant history: inpatient stay at {HOSPITAL} ({DATE_NUM} to {DATE_NUM}).",
    "She says {F} {L} from {CHURCH} is the only person she trusts.",
    "The client's employer, {EMPLOYER}, requested a fitness-for-duty letter.",
    "I have reviewed the release signed on {DATE_ISO} by {F} {L}.",
    "Hope remains the core theme; the client says hope is all she has left.",
    "Will the supervisor be available on {WEEKDAY}? I'd like to go over {F}'s case.",
    "{PARIS} was mentioned as the city where the client's {REL} lives now.",
    "{F} said her {REL} {F} is in {CITY} for rehab at {HOSPITAL}.",
    "The client, now {AGE90} years old, asked about end-of-life planning.",
    "{TITLE} {F} {L} ({EMAIL}) asked to join the family session.",
];

/// Intake form lines.
const INTAKE: &[&str] = &[
    "Name: {F} {L}",
    "Date of birth: {DATE_NUM}",
    "Address: {STREET}, {CITY}, {STATE_ABBR} {ZIP}",
    "Phone: {PHONE}",
    "Cell: {PHONE}",
    "Fax: {FAX}",
    "Email: {EMAIL}",
    "SSN: {SSN}",
    "MRN: {MRN}",
    "Insurance member ID: {PLAN}",
    "Policy number: {PLAN}",
    "Emergency contact: {F} {L} ({REL}), {PHONE}",
    "Employer: {EMPLOYER}",
    "School: {SCHOOL}",
    "Primary care: Dr. {L}, {HOSPITAL}, fax {FAX}",
    "Driver's license: {DL}",
    "Vehicle: VIN {VIN}, plate {PLATE}",
    "Bank account: {ACCT}",
    "Card on file: {CARD}",
    "IBAN: {IBAN}",
    "Device: IMEI {IMEI}; MAC {MAC}",
    "Login IP: {IP}",
    "Last login from {IP6}",
    "Website: {URL}",
    "Student ID: {STUDENTID}",
    "Pacemaker serial number {SERIAL}",
    "Voiceprint ID: {BIO}",
    "Referring provider NPI: {NPI}",
    "Prescriber DEA: {DEA}",
    "Intake date: {DATE_WR}",
    "Age: {AGE90}",
    "Preferred language: Spanish",
    "Religion: Catholic",
    "Presenting problem: panic attacks, insomnia",
    "Diagnosis: F41.1 Generalized anxiety disorder",
    "Marital status: separated from {F} since {DATE_WR}",
];

struct Builder {
    text: String,
    spans: Vec<Span>,
    lower: bool,
}

impl Builder {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }
    fn ident(&mut self, s: &str, kind: EntityType) {
        let start = self.text.len();
        if self.lower {
            self.text.push_str(&s.to_lowercase());
        } else {
            self.text.push_str(s);
        }
        self.spans.push(Span {
            start,
            end: self.text.len(),
            kind,
            score: 1.0,
        });
    }
}

fn held(i: usize) -> bool {
    i % 5 == 4
}

/// Items of `all` that belong to `split`.
fn part<'a>(all: &[&'a str], split: Split) -> Vec<&'a str> {
    all.iter()
        .enumerate()
        .filter(|(i, _)| held(*i) == (split == Split::Heldout))
        .map(|(_, s)| *s)
        .collect()
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn luhn_complete(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut s = prefix.to_string();
    s.push_str(&digits(rng, len - prefix.len() - 1));
    for check in 0..10u8 {
        let candidate = format!("{s}{check}");
        let d: Vec<u32> = candidate.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &x)| {
                if i % 2 == 1 {
                    let v = x * 2;
                    if v > 9 {
                        v - 9
                    } else {
                        v
                    }
                } else {
                    x
                }
            })
            .sum();
        if sum % 10 == 0 {
            return candidate;
        }
    }
    s
}

fn vin(rng: &mut Rng) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut v: Vec<u8> = (0..17).map(|_| CHARS[rng.below(CHARS.len())]).collect();
    let val = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            _ => 9,
        }
    };
    let sum: u32 = v.iter().enumerate().map(|(i, &c)| val(c) * W[i]).sum();
    let r = sum % 11;
    v[8] = if r == 10 { b'X' } else { b'0' + r as u8 };
    String::from_utf8_lossy(&v).into_owned()
}

fn iban(rng: &mut Rng) -> String {
    let bban = digits(rng, 18);
    let rearranged = format!("{bban}131400"); // "DE" -> 13 14, check "00"
    let mut rem = 0u64;
    for b in rearranged.bytes() {
        rem = (rem * 10 + u64::from(b - b'0')) % 97;
    }
    let check = 98 - rem;
    let raw = format!("DE{check:02}{bban}");
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn dea(rng: &mut Rng) -> String {
    let d: Vec<u32> = (0..6).map(|_| rng.range(0, 9)).collect();
    let check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10;
    let letters = ["AB", "BK", "FM", "MR"];
    format!(
        "{}{}{}",
        letters[rng.below(4)],
        d.iter().map(u32::to_string).collect::<String>(),
        check
    )
}

fn ssn(rng: &mut Rng) -> String {
    let area = loop {
        let a = rng.range(1, 899);
        if a != 666 {
            break a;
        }
    };
    format!(
        "{area:03}-{:02}-{:04}",
        rng.range(1, 99),
        rng.range(1, 9999)
    )
}

fn phone(rng: &mut Rng) -> String {
    let a = rng.range(201, 989);
    let b = rng.range(200, 999);
    let c = rng.range(0, 9999);
    match rng.below(7) {
        0 => format!("({a}) {b}-{c:04}"),
        1 => format!("{a}-{b}-{c:04}"),
        2 => format!("{a}.{b}.{c:04}"),
        3 => format!("+1 {a} {b} {c:04}"),
        4 => format!("{a}-{b}-{c:04} ext. {}", rng.range(10, 999)),
        5 => format!("+44 20 {} {c:04}", rng.range(1000, 9999)),
        _ => format!("({a}){b}-{c:04}"),
    }
}

fn date(rng: &mut Rng, style: usize) -> String {
    let y = rng.range(1950, 2025);
    let m = rng.range(1, 12) as usize;
    let d = rng.range(1, 28);
    let ord = |d: u32| match d {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    };
    match style {
        0 => format!("{m:02}/{d:02}/{y}"),
        1 => format!("{m}/{d}/{:02}", y % 100),
        2 => format!("{y}-{m:02}-{d:02}"),
        3 => format!("{} {d}, {y}", MONTHS[m - 1]),
        4 => format!("{} {d}{}", MONTHS[m - 1], ord(d)),
        5 => format!("the {d}{} of {}", ord(d), MONTHS[m - 1]),
        6 => format!("{d} {} {y}", MONTHS[m - 1]),
        7 => format!("{} {d}", SHORT_MONTHS[m - 1]),
        8 => format!("{m}/{d}"),
        9 => format!("{} {y}", MONTHS[m - 1]),
        10 => format!("{}. {d}, {y}", SHORT_MONTHS[m - 1]),
        _ => format!("{m}-{d}-{y}"),
    }
}

struct Values<'a> {
    first: Vec<&'a str>,
    last: Vec<&'a str>,
    cities: Vec<&'a str>,
    streets: Vec<&'a str>,
    neigh: Vec<&'a str>,
    schools: Vec<&'a str>,
    employers: Vec<&'a str>,
    hospitals: Vec<&'a str>,
    churches: Vec<&'a str>,
}

fn fill(b: &mut Builder, slot: &str, rng: &mut Rng, v: &Values<'_>, last_first: &mut String) {
    use EntityType as T;
    match slot {
        "F" => {
            let f = rng.pick(&v.first);
            *last_first = f.to_string();
            b.ident(f, T::Name)
        }
        "f" => {
            let f = rng.pick(&v.first).to_lowercase();
            b.ident(&f, T::Name)
        }
        "L" => b.ident(rng.pick(&v.last), T::Name),
        "l" => {
            let l = rng.pick(&v.last).to_lowercase();
            b.ident(&l, T::Name)
        }
        "TITLE" => b.push(rng.pick(&["Dr.", "Mr.", "Mrs.", "Ms.", "Dr"])),
        "REL" => b.push(rng.pick(RELATIONS)),
        "CITY" => b.ident(rng.pick(&v.cities), T::Location),
        "NEIGH" => b.ident(rng.pick(&v.neigh), T::Location),
        "STATE_NAME" => b.push(STATES[rng.below(STATES.len())].0),
        "STATE_ABBR" => b.push(STATES[rng.below(STATES.len())].1),
        "ZIP" => {
            let z = digits(rng, 5);
            b.ident(&z, T::Location)
        }
        "STREET" => {
            let s = format!(
                "{} {} {}{}",
                rng.range(1, 9999),
                rng.pick(&v.streets),
                rng.pick(STREET_TYPES),
                if rng.chance(0.3) {
                    format!(", Apt {}", rng.range(1, 40))
                } else {
                    String::new()
                }
            );
            b.ident(&s, T::Location)
        }
        "SCHOOL" => b.ident(rng.pick(&v.schools), T::Organization),
        "EMPLOYER" => b.ident(rng.pick(&v.employers), T::Organization),
        "HOSPITAL" => b.ident(rng.pick(&v.hospitals), T::Organization),
        "CHURCH" => b.ident(rng.pick(&v.churches), T::Organization),
        "DATE" => {
            let s = rng.below(12);
            let d = date(rng, s);
            if let Some(rest) = d.strip_prefix("the ") {
                b.push("the ");
                b.ident(rest, T::Date)
            } else {
                b.ident(&d, T::Date)
            }
        }
        "MONTH_YEAR" => {
            let d = format!("{} {}", rng.pick(MONTHS), rng.range(1990, 2024));
            b.ident(&d, T::Date)
        }
        "DATE_NUM" => {
            let s = [0, 1, 8, 11][rng.below(4)];
            b.ident(&date(rng, s), T::Date)
        }
        "DATE_WR" => {
            let s = [3, 4, 5, 6, 7, 9, 10][rng.below(7)];
            let d = date(rng, s);
            // "the 3rd of March": the article is not part of the date.
            if let Some(rest) = d.strip_prefix("the ") {
                b.push("the ");
                b.ident(rest, T::Date)
            } else {
                b.ident(&d, T::Date)
            }
        }
        "DATE_ISO" => b.ident(&date(rng, 2), T::Date),
        "DATE_RANGE" => {
            let m = rng.pick(MONTHS);
            let d = rng.range(1, 20);
            b.ident(&format!("{m} {d}-{}", d + rng.range(1, 8)), T::Date)
        }
        "MONTH" => b.ident(rng.pick(MONTHS), T::Date),
        "WEEKDAY" => b.push(rng.pick(WEEKDAYS)),
        "YEAR" => b.push(&rng.range(1990, 2024).to_string()),
        "AGEY" => b.push(&rng.range(14, 79).to_string()),
        "AGE90" => b.ident(&rng.range(90, 104).to_string(), T::Age),
        "PHONE" => b.ident(&phone(rng), T::Phone),
        "FAX" => {
            let p = phone(rng);
            b.ident(&p, T::Fax)
        }
        "EMAIL" => {
            let f = rng.pick(&[
                "anna",
                "jlopez",
                "mike.t",
                "sunny_days",
                "k.okafor",
                "dnguyen",
            ]);
            let d = rng.pick(&[
                "gmail.com",
                "yahoo.com",
                "outlook.com",
                "icloud.com",
                "proton.me",
            ]);
            b.ident(&format!("{f}{}@{d}", rng.range(1, 99)), T::Email)
        }
        "URL" => {
            let u = match rng.below(4) {
                0 => format!(
                    "https://www.facebook.com/{}.{}",
                    rng.pick(&["anna", "ty", "bree"]),
                    rng.range(10, 999)
                ),
                1 => format!(
                    "instagram.com/{}_{}",
                    rng.pick(&["jlo", "mateo", "zzz"]),
                    rng.range(1, 99)
                ),
                2 => format!("www.{}blog.net/about", rng.pick(&["sunny", "dark", "mama"])),
                _ => format!(
                    "http://tiktok.com/@{}{}",
                    rng.pick(&["kay", "dee", "moe"]),
                    rng.range(1, 999)
                ),
            };
            b.ident(&u, T::Url)
        }
        "HANDLE" => b.ident(
            &format!(
                "@{}_{}",
                rng.pick(&["jess", "ty", "anna", "bigmike"]),
                rng.range(1, 99)
            ),
            T::Url,
        ),
        "SSN" => b.ident(&ssn(rng), T::Ssn),
        "MRN" => {
            let m = match rng.below(3) {
                0 => digits(rng, 8),
                1 => format!("A-{}", digits(rng, 6)),
                _ => format!("MR{}", digits(rng, 7)),
            };
            b.ident(&m, T::Mrn)
        }
        "PLAN" => {
            let p = match rng.below(3) {
                0 => format!("XJH{}", digits(rng, 9)),
                1 => format!("{}-{}", digits(rng, 5), digits(rng, 3)),
                _ => format!("W{}", digits(rng, 8)),
            };
            b.ident(&p, T::HealthPlan)
        }
        "ACCT" => b.ident(&digits(rng, 12), T::Account),
        "CARD" => {
            let c = luhn_complete(rng, "4", 16);
            let spaced = format!("{} {} {} {}", &c[..4], &c[4..8], &c[8..12], &c[12..]);
            b.ident(&spaced, T::Account)
        }
        "IBAN" => b.ident(&iban(rng), T::Account),
        "DL" => b.ident(
            &format!("D{}-{}", digits(rng, 4), digits(rng, 4)),
            T::License,
        ),
        "DEA" => b.ident(&dea(rng), T::License),
        "PLATE" => {
            let p = format!(
                "{}{}{}",
                rng.range(1, 9),
                rng.pick(&["KJD", "ABX", "TRW", "LMN"]),
                digits(rng, 3)
            );
            b.ident(&p, T::Vehicle)
        }
        "VIN" => b.ident(&vin(rng), T::Vehicle),
        "IMEI" => b.ident(&luhn_complete(rng, "35", 15), T::Device),
        "MAC" => {
            let m: Vec<String> = (0..6).map(|_| format!("{:02X}", rng.below(256))).collect();
            b.ident(&m.join(":"), T::Device)
        }
        "SERIAL" => b.ident(&format!("PM-{}", digits(rng, 6)), T::Device),
        "IP" => b.ident(
            &format!(
                "{}.{}.{}.{}",
                rng.range(11, 223),
                rng.range(0, 255),
                rng.range(0, 255),
                rng.range(1, 254)
            ),
            T::Ip,
        ),
        "IP6" => b.ident(
            &format!(
                "2001:db8:{:x}::{:x}",
                rng.range(1, 65535),
                rng.range(1, 65535)
            ),
            T::Ip,
        ),
        "BIO" => b.ident(&format!("VP-{}", digits(rng, 7)), T::Biometric),
        "NPI" => b.ident(&luhn_npi(rng), T::Id),
        "CASEID" => b.ident(
            &format!("{}-CF-{}", rng.range(2015, 2024), digits(rng, 5)),
            T::Id,
        ),
        "STUDENTID" => b.ident(&digits(rng, 8), T::Id),
        "EMOJI" => b.push(rng.pick(EMOJI)),
        // The last four digits of a card still point at its account.
        "CARD4" => b.ident(&digits(rng, 4), T::Account),
        "PARIS" => b.ident("Paris", T::Location),
        _ => b.push(slot),
    }
}

fn luhn_npi(rng: &mut Rng) -> String {
    loop {
        let base = format!("1{}", digits(rng, 8));
        for check in 0..10 {
            let cand = format!("80840{base}{check}");
            let d: Vec<u32> = cand.bytes().map(|b| u32::from(b - b'0')).collect();
            let sum: u32 = d
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &x)| {
                    if i % 2 == 1 {
                        let v = x * 2;
                        if v > 9 {
                            v - 9
                        } else {
                            v
                        }
                    } else {
                        x
                    }
                })
                .sum();
            if sum % 10 == 0 {
                return format!("{base}{check}");
            }
        }
    }
}

fn render(template: &str, b: &mut Builder, rng: &mut Rng, v: &Values<'_>) {
    let mut rest = template;
    let mut last_first = String::new();
    while let Some(open) = rest.find('{') {
        b.push(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        fill(b, &rest[open + 1..open + close], rng, v, &mut last_first);
        rest = &rest[open + close + 1..];
    }
    b.push(rest);
}

/// Generates `n` documents of `split` from `seed`.
pub fn generate(n: usize, seed: u64, split: Split) -> Vec<Doc> {
    let mut rng = Rng::new(seed);
    let v = Values {
        first: part(FIRST, split),
        last: part(LAST, split),
        cities: part(CITIES, split),
        streets: part(STREET_NAMES, split),
        neigh: part(NEIGHBORHOODS, split),
        schools: part(SCHOOLS, split),
        employers: part(EMPLOYERS, split),
        hospitals: part(HOSPITALS, split),
        churches: part(CHURCHES, split),
    };
    let kinds: [(&str, Vec<&str>); 4] = [
        ("note", part(NOTES, split)),
        ("message", part(MESSAGES, split)),
        ("supervision", part(SUPERVISION, split)),
        ("intake", part(INTAKE, split)),
    ];
    let prefix = if split == Split::Dev {
        "dev"
    } else {
        "heldout"
    };
    (0..n)
        .map(|i| {
            let (kind, templates) = &kinds[i % kinds.len()];
            let mut b = Builder {
                text: String::new(),
                spans: Vec::new(),
                lower: false,
            };
            let count = match *kind {
                "intake" => 8 + rng.below(8),
                "message" => 1 + rng.below(3),
                _ => 4 + rng.below(6),
            };
            if *kind == "note" {
                b.push("PROGRESS NOTE\n");
            }
            for k in 0..count {
                let t = templates[rng.below(templates.len())];
                render(t, &mut b, &mut rng, &v);
                b.push(match *kind {
                    "intake" => "\n",
                    "message" if k + 1 < count => " ",
                    "message" => "",
                    _ => {
                        if rng.chance(0.2) {
                            "\n\n"
                        } else {
                            " "
                        }
                    }
                });
            }
            Doc {
                id: format!("{prefix}-{kind}-{i}"),
                text: b.text,
                spans: b.spans,
            }
        })
        .collect()
}

/// One document as a gold JSON line.
pub fn to_json_line(doc: &Doc) -> String {
    let spans: Vec<String> = doc
        .spans
        .iter()
        .map(|s| {
            format!(
                "{{\"start\":{},\"end\":{},\"type\":\"{}\"}}",
                s.start, s.end, s.kind
            )
        })
        .collect();
    let text = serde_json::to_string(&doc.text).unwrap_or_default();
    format!(
        "{{\"id\":\"{}\",\"text\":{},\"spans\":[{}]}}",
        doc.id,
        text,
        spans.join(",")
    )
}
