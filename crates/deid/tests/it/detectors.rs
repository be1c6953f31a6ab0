//! One-line cases per identifier type: what must be found (with its type) and what must stay.

use crate::engine;
use alcove_deid::{CaseKey, Config, Engine, EntityType};

/// Every `(needle, type)` must be covered by a span of that type.
fn check(text: &str, expected: &[(&str, &str)]) {
    let spans = engine().find(text);
    for (needle, kind) in expected {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("bad test: {needle:?} not in text"));
        let end = start + needle.len();
        let hit = spans.iter().find(|s| s.start <= start && end <= s.end);
        match hit {
            Some(s) => assert_eq!(s.kind.as_str(), *kind, "{needle:?} in {text:?}: {spans:?}"),
            None => panic!("{needle:?} ({kind}) not found in {text:?}: {spans:?}"),
        }
    }
}

/// No `needle` may overlap any span.
fn check_none(text: &str, kept: &[&str]) {
    let spans = engine().find(text);
    for needle in kept {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("bad test: {needle:?} not in text"));
        let end = start + needle.len();
        let hit = spans.iter().find(|s| s.start < end && start < s.end);
        assert!(hit.is_none(), "{needle:?} flagged in {text:?}: {hit:?}");
    }
}

fn check_redact(text: &str, expected: &str) {
    assert_eq!(engine().redact(text), expected, "redacting {text:?}");
}

#[test]
fn ssn() {
    check("SSN: 123-45-6789.", &[("123-45-6789", "SSN")]);
    check("ssn 078 05 1121 on file", &[("078 05 1121", "SSN")]);
    check("social security number 219099999", &[("219099999", "SSN")]);
    // Invalid areas are still flagged, as a generic identifier.
    check("number 666-12-3456", &[("666-12-3456", "ID")]);
    check("number 900-12-3456", &[("900-12-3456", "ID")]);
}

#[test]
fn phones() {
    check("call (555) 234-5678 today", &[("(555) 234-5678", "PHONE")]);
    check(
        "cell 555-234-5678 ext. 204",
        &[("555-234-5678 ext. 204", "PHONE")],
    );
    check("555.234.5678 x12", &[("555.234.5678 x12", "PHONE")]);
    check("+1 555 234 5678", &[("+1 555 234 5678", "PHONE")]);
    check(
        "UK office +44 20 7946 0958",
        &[("+44 20 7946 0958", "PHONE")],
    );
    check("Fax: (555) 234-9999", &[("(555) 234-9999", "FAX")]);
    check("fax 555-234-9999", &[("555-234-9999", "FAX")]);
}

#[test]
fn email_url_handles() {
    check(
        "write to anna.lopez88@gmail.com.",
        &[("anna.lopez88@gmail.com", "EMAIL")],
    );
    check(
        "see https://www.facebook.com/anna.88 now",
        &[("https://www.facebook.com/anna.88", "URL")],
    );
    check(
        "blog at www.sunnyblog.net/about.",
        &[("www.sunnyblog.net/about", "URL")],
    );
    check(
        "on instagram.com/jlo_22 lol",
        &[("instagram.com/jlo_22", "URL")],
    );
    check("my insta is @jess_h22", &[("@jess_h22", "URL")]);
    check_none("meet @ 5pm, e.g. tomorrow", &["5pm", "e.g"]);
}

#[test]
fn ip_mac_device() {
    check("login from 192.168.14.201", &[("192.168.14.201", "IP")]);
    check(
        "ipv6 2001:db8:85a3::8a2e:370:7334 seen",
        &[("2001:db8:85a3::8a2e:370:7334", "IP")],
    );
    check("MAC 00:1A:2B:3C:4D:5E", &[("00:1A:2B:3C:4D:5E", "DEVICE")]);
    check("IMEI 490154203237518", &[("490154203237518", "DEVICE")]);
    check(
        "pacemaker serial number PM-448291",
        &[("PM-448291", "DEVICE")],
    );
    check_none("session at 10:30:45 and 999.1.1.1", &["10", "999"]);
}

#[test]
fn accounts_and_checksums() {
    check(
        "card 4111 1111 1111 1111 declined",
        &[("4111 1111 1111 1111", "ACCOUNT")],
    );
    check(
        "IBAN: DE89 3704 0044 0532 0130 00",
        &[("DE89 3704 0044 0532 0130 00", "ACCOUNT")],
    );
    check(
        "IBAN GB82WEST12345698765432",
        &[("GB82WEST12345698765432", "ACCOUNT")],
    );
    check(
        "account number 000123456789",
        &[("000123456789", "ACCOUNT")],
    );
    check("VIN 1HGCM82633A004352", &[("1HGCM82633A004352", "VEHICLE")]);
    check(
        "the car 1HGCM82633A004352 was towed",
        &[("1HGCM82633A004352", "VEHICLE")],
    );
    check("license plate 7KJD392", &[("7KJD392", "VEHICLE")]);
    check("NPI: 1234567893", &[("1234567893", "ID")]);
    check("DEA AB1234563", &[("AB1234563", "LICENSE")]);
    check("driver's license D1234-5678", &[("D1234-5678", "LICENSE")]);
}

#[test]
fn record_numbers_by_context() {
    check("MRN: 00482913", &[("00482913", "MRN")]);
    check("medical record #A-449201", &[("A-449201", "MRN")]);
    check(
        "Insurance member ID: XJH448210931",
        &[("XJH448210931", "HEALTH_PLAN")],
    );
    check("Policy number 88231-442", &[("88231-442", "HEALTH_PLAN")]);
    check("case number 2023-CF-00412", &[("2023-CF-00412", "ID")]);
    check("Student ID: 20418833", &[("20418833", "ID")]);
    check("Voiceprint ID: VP-0029381", &[("VP-0029381", "BIOMETRIC")]);
    check_none(
        "took 20mg at 10am, PHQ-9 of 14, 3rd visit",
        &["20mg", "10am", "14", "3rd"],
    );
}

#[test]
fn dates() {
    check("seen on 03/14/2023", &[("03/14/2023", "DATE")]);
    check("seen on 3/14/23.", &[("3/14/23", "DATE")]);
    check("seen 2023-03-14 again", &[("2023-03-14", "DATE")]);
    check("born March 14, 1987 in", &[("March 14, 1987", "DATE")]);
    check("until March 3rd", &[("March 3rd", "DATE")]);
    check("since the 3rd of March", &[("3rd of March", "DATE")]);
    check("on 14 March 2023", &[("14 March 2023", "DATE")]);
    check("on Mar. 3, 2021", &[("Mar. 3, 2021", "DATE")]);
    check("next visit 3/4 at noon", &[("3/4", "DATE")]);
    check("admitted March 3-5", &[("March 3-5", "DATE")]);
    check(
        "from 3/4/2021-3/9/2021",
        &[("3/4/2021", "DATE"), ("3/9/2021", "DATE")],
    );
    check("the fight started in March", &[("March", "DATE")]);
    check("it was May 2019", &[("May 2019", "DATE")]);
}

#[test]
fn what_stays() {
    check_none("She moved in 2019 and came on Monday.", &["2019", "Monday"]);
    check_none(
        "Last week was hard; see you next Tuesday.",
        &["Last week", "Tuesday"],
    );
    check_none("Rated anxiety 7/10 today.", &["7/10"]);
    check_none("She may come if you will.", &["may", "will"]);
    check_none(
        "She lives in Ohio and grew up in Mexico.",
        &["Ohio", "Mexico"],
    );
    check_none("Client is a 45-year-old teacher.", &["45"]);
    check_none(
        "Hope is important. Grace period ends soon.",
        &["Hope", "Grace"],
    );
    check_none(
        "Continue CBT and sertraline; PTSD symptoms improved.",
        &["CBT", "PTSD"],
    );
}

#[test]
fn ages() {
    check("a 92-year-old widow", &[("92", "AGE")]);
    check("she is 95 years old", &[("95", "AGE")]);
    check("Age: 101", &[("101", "AGE")]);
    check_redact("a 92-year-old widow", "a 90+-year-old widow");
}

#[test]
fn zip_codes() {
    check_redact("Springfield, IL 62704", "[LOCATION], IL 627");
    check_redact("Address: Boise, ID 83702", "Address: [LOCATION], ID 837");
    // The 17 sparse three-digit areas become 000.
    for zip in [
        "03601", "05901", "06390", "10201", "20301", "55601", "69201", "79001", "82101", "82301",
        "83001", "83101", "87801", "87901", "88401", "89001", "89301",
    ] {
        check_redact(&format!("Tacoma, WA {zip}"), "[LOCATION], WA 000");
    }
}

#[test]
fn addresses_and_places() {
    check(
        "lives at 1428 Elm Street, Apt 4",
        &[("1428 Elm Street, Apt 4", "LOCATION")],
    );
    check("lives at 12 oak st now", &[("12 oak st", "LOCATION")]);
    check("P.O. Box 4411", &[("P.O. Box 4411", "LOCATION")]);
    check("She moved to Dayton last year.", &[("Dayton", "LOCATION")]);
    check(
        "grew up in Cedar Rapids, Iowa",
        &[("Cedar Rapids", "LOCATION")],
    );
    check("lives in Cook County", &[("Cook County", "LOCATION")]);
    check(
        "the Glenwood Park neighborhood",
        &[("Glenwood Park", "LOCATION")],
    );
    check("her sister lives in Paris now", &[("Paris", "LOCATION")]);
}

#[test]
fn organisations() {
    check(
        "attends Lincoln Elementary School",
        &[("Lincoln Elementary School", "ORGANIZATION")],
    );
    check(
        "at St. Jude's Hospital for",
        &[("St. Jude's Hospital", "ORGANIZATION")],
    );
    check(
        "the University of Dayton campus",
        &[("University of Dayton", "ORGANIZATION")],
    );
    check(
        "works at Hartwell Logistics now",
        &[("Hartwell Logistics", "ORGANIZATION")],
    );
    check(
        "a job at Caldwell & Sons Construction",
        &[("Caldwell & Sons Construction", "ORGANIZATION")],
    );
    check("She works at Target.", &[("Target", "ORGANIZATION")]);
    check(
        "We meet at Grace Community Church.",
        &[("Grace Community Church", "ORGANIZATION")],
    );
}

#[test]
fn names() {
    check("Client Anna Lopez attended.", &[("Anna Lopez", "NAME")]);
    check("Dr. Okafor called.", &[("Okafor", "NAME")]);
    check("my sister anna keeps yelling", &[("anna", "NAME")]);
    check("her husband, Tom, left.", &[("Tom", "NAME")]);
    check("Oluwaseun said it was fine.", &[("Oluwaseun", "NAME")]);
    check("talked about Priya's funeral", &[("Priya", "NAME")]);
    check(
        "Ms. Smith-Jones and Mr. O'Brien",
        &[("Smith-Jones", "NAME"), ("O'Brien", "NAME")],
    );
    check("Anne-Marie was late.", &[("Anne-Marie", "NAME")]);
    check("met José and Zoë", &[("José", "NAME"), ("Zoë", "NAME")]);
    check("Talked with Grace about it.", &[("Grace", "NAME")]);
    check("Will said he was done.", &[("Will", "NAME")]);
    check("Her daughter Hope starts school.", &[("Hope", "NAME")]);
    check("my friend Rose texted me", &[("Rose", "NAME")]);
    check("Jordan keeps cancelling.", &[("Jordan", "NAME")]);
    check(
        "ok so kenji takahashi said no",
        &[("kenji takahashi", "NAME")],
    );
    check("dont give it to ananya pls", &[("ananya", "NAME")]);
    check("Name: Maria Brown", &[("Maria Brown", "NAME")]);
    check("J. Smith signed.", &[("J", "NAME"), ("Smith", "NAME")]);
}

#[test]
fn allow_and_deny_lists() {
    let e = Engine::new(Config {
        allow: vec!["Lopez".into()],
        deny: vec![
            ("Bluebird House".into(), EntityType::Location),
            ("zed".into(), EntityType::Name),
        ],
        min_score: 0.0,
    });
    assert_eq!(
        e.redact("Dr. Lopez met zed at Bluebird House."),
        "Dr. Lopez met [NAME] at [LOCATION]."
    );
}

#[test]
fn lists_parse_from_text() {
    let c = Config::from_lists(
        "# ours\n  Harbor Light \n\n",
        "location Bluebird House\nNAME\tzed\n# a comment\n",
    )
    .expect("valid lists");
    assert_eq!(c.allow, vec!["Harbor Light".to_string()]);
    assert_eq!(
        c.deny,
        vec![
            ("Bluebird House".to_string(), EntityType::Location),
            ("zed".to_string(), EntityType::Name)
        ]
    );
    for (bad, line) in [("NAME Ann\nPERSON Bob\n", 2), ("\n\nDATE\n", 3)] {
        let err = Config::from_lists("", bad).expect_err(bad);
        assert_eq!(err.kind(), alcove_deid::ErrorKind::InvalidList);
        assert_eq!(err.line(), Some(line));
        assert!(!err.to_string().contains("Bob"), "{err}");
    }
}

#[test]
fn pseudonyms_are_consistent_and_dates_keep_intervals() {
    let key = CaseKey::new(b"case-17");
    let out = engine().pseudonymize(
        "Anna Lopez came on 03/01/2021. Anna said Tom left on 03/11/2021. Tom is gone.",
        &key,
    );
    assert!(!out.contains("Anna") && !out.contains("Tom"), "{out}");
    assert_eq!(out.matches("Person A").count(), 2, "{out}");
    assert_eq!(out.matches("Person B").count(), 2, "{out}");
    let dates: Vec<&str> = out
        .split(|c: char| !(c.is_ascii_digit() || c == '/'))
        .filter(|s| s.matches('/').count() == 2)
        .collect();
    assert_eq!(dates.len(), 2, "{out}");
    // Days since 0000-03-01 (proleptic Gregorian), enough to compare two dates.
    let day = |s: &str| -> i64 {
        let p: Vec<i64> = s.split('/').filter_map(|x| x.parse().ok()).collect();
        let (m, d, y) = (p[0], p[1], p[2]);
        let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
        365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d
    };
    assert_eq!(day(dates[1]) - day(dates[0]), 10, "{out}");
    assert_ne!(dates[0], "03/01/2021");
    assert!(key.date_offset_days() != 0);
}

#[test]
fn medical_vocabulary_is_not_taken_for_names() {
    let text =
        "Pt on Lasix, Coumadin and Metoprolol; started Zosyn and Vancomycin. Neuro: intact. \
                Discussed with Nephrology. Allergies: PCN, Sulfa. Labs: Hgb 10.2, Cr 1.4. \
                F/u with Dr. Okafor; her sister Allegra drove her.";
    check_none(
        text,
        &[
            "Lasix",
            "Coumadin",
            "Metoprolol",
            "Zosyn",
            "Vancomycin",
            "Neuro",
            "Nephrology",
            "Sulfa",
            "Hgb",
            "Cr ",
        ],
    );
    // The people in the same note are still found.
    check(text, &[("Okafor", "NAME"), ("Allegra", "NAME")]);
}

#[test]
fn pronouns_are_no_names_and_a_month_leaves_the_full_stop() {
    check_redact(
        "He lives with his wife Maria. She lost her job in May. You said it in March.",
        "He lives with his wife [NAME]. She lost her job in [DATE]. You said it in [DATE].",
    );
    // An abbreviation keeps its period; a title still marks a surname that is also a pronoun.
    check_redact(
        "Seen on Sept. 4 by Dr. He.",
        "Seen on [DATE] by Dr. [NAME].",
    );
}

#[test]
fn chart_headings_credentials_and_months_are_read_as_a_clinician_would() {
    // A heading in capitals is no organisation; an employer in capitals still is.
    check_none(
        "PAST MEDICAL HISTORY: Diabetes Mellitus Type 2.",
        &["PAST", "MEDICAL", "Mellitus"],
    );
    check(
        "EMPLOYER: MERIDIAN INSURANCE\nworks at GREEN VALLEY MEDICAL CENTER",
        &[
            ("MERIDIAN INSURANCE", "ORGANIZATION"),
            ("GREEN VALLEY MEDICAL CENTER", "ORGANIZATION"),
        ],
    );
    // ", MD" after a surname is a credential, not Maryland; after a town it is the state.
    check("Dr. Rebecca Stone, MD", &[("Rebecca Stone", "NAME")]);
    check(
        "She moved to Springfield, MD in 2019.",
        &[("Springfield", "LOCATION")],
    );
    // A month after a capitalised word does not make that word a surname.
    check_redact("Seen Sept. 4.", "Seen [DATE].");
}

#[test]
fn eponymous_diseases_are_no_people() {
    let text = "Her aunt had Parkinson's disease and Crohn's; history of Tourette syndrome \
                and Kaposi sarcoma. Tom Parkinson came; Parkinson said hi.";
    check_none(
        text,
        &["Parkinson's disease", "Crohn", "Tourette", "Kaposi"],
    );
    check(text, &[("Tom Parkinson", "NAME")]);
    check_redact("Parkinson said hi.", "[NAME] said hi.");
}

#[test]
fn apps_and_games_are_no_people() {
    let text = "She uses Headspace, tried BetterHelp and Talkspace, plays Minecraft. \
                Her son attends Lincoln High School.";
    check_none(text, &["Headspace", "BetterHelp", "Talkspace", "Minecraft"]);
    check(text, &[("Lincoln High School", "ORGANIZATION")]);
}

#[test]
fn hospital_notes_keep_their_clinical_vocabulary() {
    // Sentences of a medical chart with no identifier in them: drugs, shorthand, eponyms,
    // findings and surgical materials are vocabulary, not people or places.
    let text = "HPI: 69 yo M s/p CABG x3 (LIMA-LAD, SVG-OM) with NSTEMI, HFpEF, OSA and \
                paroxysmal AFib. Meds: ASA 81 mg, Toprol XL 50 mg, Nitro SL prn, azithro \
                and ceftriaxone. PE: SpO2 97% RA. No LE edema. Foley in place. Babinski \
                negative. Murphy's sign negative. Hx of Parkinson's and Hashimoto's \
                thyroiditis and more. Independent in ADLs; 86% PMNs. The fundus was \
                retracted cephalad and Calot's triangle dissected. Trocars were placed. \
                Hemostasis was confirmed. Renally dose meds. Closed with 0 Vicryl and 4-0 \
                Monocryl. Dermabond applied. Transferred to PACU. Diuresed with IV Lasix. \
                Coumadin held for supratherapeutic INR. On BiPAP 14/6. Family meeting Thurs. \
                31 y/o G3P1011 at 36w2d. Nitrazine +. Toco ctx q4-5 min.";
    check_none(
        text,
        &[
            "LIMA-LAD",
            "SVG-OM",
            "NSTEMI",
            "HFpEF",
            "OSA",
            "AFib",
            "ASA",
            "Toprol",
            "Nitro",
            "azithro",
            "SpO2",
            "No LE",
            "Foley",
            "Babinski",
            "Murphy",
            "Parkinson",
            "thyroiditis",
            "ADLs",
            "PMNs",
            "fundus",
            "cephalad",
            "Calot",
            "Trocars",
            "Hemostasis",
            "Renally",
            "Vicryl",
            "Monocryl",
            "Dermabond",
            "PACU",
            "Diuresed",
            "supratherapeutic",
            "14/6",
            "Thurs",
            "G3P1011",
            "36w2d",
            "Nitrazine",
            "Toco",
        ],
    );
}

#[test]
fn hospital_notes_still_give_up_their_identifiers() {
    let text = "NAME: JOHNSON, ALBERTA R   UNIT NO: 902-44-18\n\
                Echo 6/2087: EF 45%. Seen with Dr. Xavier Villegas and Tom Parkinson; \
                Parkinson said hi. Police: Det. Sarah Kowalski.\n\
                Katherine O'Donnell, MD PGY-2\nPager 34921\n\
                hey its tam. rafi's mom fell again. Admitted 14-Apr-2078; Cx from 14Apr2078 \
                and 3-JUNE-79. Seen with Dr. Ngozi Adeyemi.";
    check(
        text,
        &[
            ("JOHNSON", "NAME"),
            ("ALBERTA", "NAME"),
            ("902-44-18", "MRN"),
            ("6/2087", "DATE"),
            ("Xavier Villegas", "NAME"),
            ("Tom Parkinson", "NAME"),
            ("Sarah Kowalski", "NAME"),
            ("Katherine O'Donnell", "NAME"),
            ("34921", "ID"),
            ("rafi", "NAME"),
            ("14-Apr-2078", "DATE"),
            ("14Apr2078", "DATE"),
            ("3-JUNE-79", "DATE"),
            ("Ngozi Adeyemi", "NAME"),
        ],
    );
    check_none(text, &["Cx"]);
    // The title is not part of the name, and a pager number is no ZIP code.
    check_none(text, &["Det.", "EF 45%"]);
    check_redact("Pager 34921", "Pager [ID]");
}

#[test]
fn month_and_year_dates_shift_as_month_and_year() {
    let engine = engine();
    let out = engine.pseudonymize("Echo 6/2087 and MRI 11/2019.", &CaseKey::new(b"case"));
    assert!(!out.contains("6/2087") && !out.contains("11/2019"), "{out}");
    assert!(
        out.split(' ').filter(|w| w.contains('/')).all(|w| {
            let w = w.trim_end_matches('.');
            w.split_once('/').is_some_and(|(m, y)| {
                m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)) && y.len() == 4
            })
        }),
        "{out}"
    );
}

#[test]
fn words_in_capitals_count_as_names_when_the_whole_text_shouts() {
    // A note typed in capitals: short unknown words are not acronyms here.
    check(
        "CLIENT REPORTED THAT HER FRIEND KENJI TAKAHASHI CALLED.",
        &[("KENJI", "NAME")],
    );
}

#[test]
fn therapy_notes_keep_their_vocabulary() {
    let text = "Individual psychotherapy, 53 min, CPT 90837. She endorsed anhedonia and low \
                motivation; journaling and grounding helped. Practiced Socratic questioning. \
                Teletherapy via Zoom. Gottman's Four Horsemen for the couples case.";
    check_none(
        text,
        &[
            "90837",
            "anhedonia",
            "journaling",
            "Socratic",
            "Teletherapy",
            "Gottman",
        ],
    );
}

#[test]
fn nationalities_and_peoples_are_no_names() {
    // Ethnicity is no Safe Harbor identifier; a person's name beside it still is.
    let text = "She is Mexican; her husband is Irish and her Indian mother lives with them. \
                A Thai restaurant, Swedish massage, Arab Americans. Maria Costa came.";
    check_none(
        text,
        &[
            "Mexican",
            "Irish",
            "Indian",
            "Thai",
            "Swedish",
            "Arab Americans",
        ],
    );
    check(text, &[("Maria Costa", "NAME")]);
}

#[test]
fn a_phone_number_in_parentheses_leaves_them() {
    check_redact(
        "the CVS on Beacon St (617-555-0188).",
        // A street without its number is still a place (found since the hand-written notes).
        "the CVS on [LOCATION] ([PHONE]).",
    );
}

#[test]
fn lowercase_messages_name_people_after_w_slash_and_titles() {
    let text =
        "mom took my phone after the thing w/ jaylen at school. dont tell mrs. abernathy pls";
    check(text, &[("jaylen", "NAME"), ("abernathy", "NAME")]);
    check_none(text, &["mrs.", "school"]);
}

#[test]
fn chart_ages_with_sex_and_y_o() {
    let text = "91F with CHF. 93M s/p fall. 95 y.o. male. 89M and 88F stay. T 99F, Tmax 101F.";
    check(text, &[("91", "AGE"), ("93", "AGE"), ("95", "AGE")]);
    check_none(text, &["89M", "88F", "99F", "Tmax", "101F"]);
    check_redact("95 y.o. male", "90+ y.o. male");
}

#[test]
fn function_words_of_a_text_in_capitals_are_no_names() {
    let text = "CLIENT STATES SHE IS AT LINCOLN HIGH SCHOOL AND HAS BEEN SO TIRED. \
                HER FRIEND KENJI TAKAHASHI CALLED.";
    check(
        text,
        &[
            ("LINCOLN HIGH SCHOOL", "ORGANIZATION"),
            ("KENJI TAKAHASHI", "NAME"),
        ],
    );
    check_none(text, &["SHE IS AT", "HAS BEEN SO", "CLIENT STATES"]);
}

#[test]
fn organisations_typed_in_lowercase() {
    let text = "she goes to lincoln high school and works at ellison technologies. \
                we tried a support group and the high school counselor.";
    check(
        text,
        &[
            ("lincoln high school", "ORGANIZATION"),
            ("ellison technologies", "ORGANIZATION"),
        ],
    );
    check_none(text, &["support group", "the high school counselor"]);
}

#[test]
fn neurological_exam_grades_and_pagers() {
    let text = "Post-ictal confusion resolved. Strength 5/5 throughout, 4/5 strength in the \
                left leg. Recs: EEG. Yusuf Haddad, MD, pgr 7-2219. Seen 3/5.";
    check(
        text,
        &[("7-2219", "ID"), ("Yusuf Haddad", "NAME"), ("3/5", "DATE")],
    );
    check_none(text, &["Post-ictal", "5/5", "4/5", "Recs"]);
}

#[test]
fn ages_of_ninety_and_over_in_words() {
    check(
        "Mrs. Hall is a ninety-two year old widow; aged ninety, she lives alone.",
        &[("ninety-two", "AGE"), ("ninety", "AGE"), ("Hall", "NAME")],
    );
    check("a ninety-one-year-old man", &[("ninety-one", "AGE")]);
    check(
        "He is one hundred and one years old.",
        &[("one hundred and one", "AGE")],
    );
    check("She turned ninety four in May.", &[("ninety four", "AGE")]);
    check(
        "She is in her nineties; he is in his late 90s.",
        &[("nineties", "AGE"), ("90s", "AGE")],
    );
    check("a frail nonagenarian", &[("nonagenarian", "AGE")]);
    check_redact(
        "a ninety-two-year-old in her 90's",
        "a 90+-year-old in her 90+",
    );
    // Numbers that are no ages, and decades of a century.
    check_none(
        "ninety minutes of therapy for one hundred patients; in the 90s the town grew",
        &["ninety", "one hundred", "90s"],
    );
    check_none("She is eighty-nine years old.", &["eighty-nine"]);
}

#[test]
fn a_state_after_a_city_and_a_comma_stays_though_it_is_a_first_name() {
    check_none(
        "She moved to Atlanta, Georgia, then to Roanoke, Virginia.",
        &["Georgia", "Virginia"],
    );
    check("She moved to Atlanta, Georgia.", &[("Atlanta", "LOCATION")]);
    // Without a place before, the name is still a name.
    check("Her sister Georgia visited.", &[("Georgia", "NAME")]);
    check("Georgia said she moved.", &[("Georgia", "NAME")]);
    // A comma before the first word of a text has no place before it.
    check(", Georgia", &[("Georgia", "NAME")]);
}

#[test]
fn christmas_eve_and_new_years_eve_are_no_women() {
    check_none(
        "Last drink was New Year's Eve; relapsed on Christmas Eve.",
        &["Eve"],
    );
    check(
        "Her daughter Eve visited on Christmas Eve.",
        &[("Eve", "NAME")],
    );
    check("Eve said she was tired.", &[("Eve", "NAME")]);
}

// Rules found with the hand-written clinical corpus (`corpus/clinical`).

#[test]
fn ages_of_ninety_and_over_told_by_context() {
    check("Her grandmother died at 91 last year.", &[("91", "AGE")]);
    check("He passed away at 102.", &[("102", "AGE")]);
    check("Grandmother (97) lives with them.", &[("97", "AGE")]);
    check("Her aunt, 94, still drives.", &[("94", "AGE")]);
    check("Mrs. Papadakis, 96, was admitted.", &[("96", "AGE")]);
    check(
        "She was 94. Her sister who is 96, lives nearby.",
        &[("94", "AGE"), ("96", "AGE")],
    );
    check("hes 94 in january", &[("94", "AGE")]);
    check("They threw her 90th birthday party.", &[("90", "AGE")]);
    check("she is going on ninety-four", &[("ninety-four", "AGE")]);
    check_none(
        "Sat 94% on RA, weight 91.5 kg, 90th percentile; HR was 94; he arrived at 95 mph.",
        &["94", "91.5", "90th", "95"],
    );
    check_none("Her aunt, 54, still drives.", &["54"]);
}

#[test]
fn section_headings_are_no_organisations() {
    check_none(
        "Past Medical History: HTN.\nBrief Hospital Course\nPAST MEDICAL HISTORY: none",
        &[
            "Past Medical History",
            "Brief Hospital Course",
            "PAST MEDICAL HISTORY",
        ],
    );
    check_none(
        "OUTPATIENT BEHAVIORAL HEALTH - PROGRESS NOTE\nCASE MANAGEMENT PROGRESS NOTE\n",
        &["OUTPATIENT", "HEALTH", "MANAGEMENT"],
    );
    // A letterhead stays an organisation.
    check(
        "MERCY VALLEY HOSPITAL - DEPARTMENT OF PATHOLOGY\n",
        &[("MERCY VALLEY HOSPITAL", "ORGANIZATION")],
    );
    check_none(
        "Seen by the Department of Psychiatry and the Psychiatry Department; Internal Medicine \
         follows. Referred to the Heart Failure Clinic.",
        &[
            "Department of Psychiatry",
            "Psychiatry Department",
            "Internal Medicine",
            "Heart Failure Clinic",
        ],
    );
    check(
        "He works for the Department of Veterans Affairs.",
        &[("Department of Veterans Affairs", "ORGANIZATION")],
    );
}

#[test]
fn organisations_by_weak_last_words_fields_and_acronyms() {
    check(
        "He is followed at Brookline Family Medicine; Haverhill Police called.",
        &[
            ("Brookline Family Medicine", "ORGANIZATION"),
            ("Haverhill Police", "ORGANIZATION"),
        ],
    );
    check(
        "Insurance: Granite State Mutual\nEmployer: Lumen Semiconductor\n",
        &[
            ("Granite State Mutual", "ORGANIZATION"),
            ("Lumen Semiconductor", "ORGANIZATION"),
        ],
    );
    check(
        "She was seen at MGH in the ED. He went to the BWH ED last night.",
        &[("MGH", "ORGANIZATION"), ("BWH", "ORGANIZATION")],
    );
    check(
        "Attends Greater Mount Zion Baptist Church weekly.",
        &[("Greater Mount Zion Baptist Church", "ORGANIZATION")],
    );
    check_none(
        "Attends Greater Mount Zion Baptist Church weekly.",
        &["Attends"],
    );
    check(
        "i work at quinsig auto body now",
        &[("quinsig auto body", "ORGANIZATION")],
    );
    check_none(
        "PLAN: Continue Q15 checks. Secondary: HFpEF. transferred to PACU; sent to CT.",
        &["Continue", "HFpEF", "PACU", "CT"],
    );
    check_none(
        "d/c planning to home vs rehab; home hospice; a 7-day supply; her faith community",
        &["home", "rehab", "supply", "community"],
    );
}

#[test]
fn people_in_fields_signatures_and_transcripts() {
    check(
        "PATIENT: WASHINGTON, DELORES A          MRN: 556-21-908",
        &[("WASHINGTON", "NAME"), ("DELORES", "NAME")],
    );
    check(
        "EMERGENCY CONTACT NAME: BILL KING    RELATIONSHIP: FRIEND",
        &[("BILL KING", "NAME")],
    );
    check("First name: will Last name: hunter", &[("will", "NAME")]);
    check(
        "GRACE: Can I say something?\nT: Sure.",
        &[("GRACE", "NAME")],
    );
    check(
        "Dictated by: Sarah Lin, MD\nJT/mk\n",
        &[("Sarah Lin", "NAME"), ("JT", "NAME"), ("mk", "NAME")],
    );
    check(
        "DT: 04/12/87 PV/jrm      Job #338104",
        &[("PV", "NAME"), ("jrm", "NAME")],
    );
    check("STAFF USE: ENTERED BY TK 6/10.", &[("TK", "NAME")]);
    check(
        "Member K.M. offered support; client R.M. reported panic.",
        &[("K", "NAME"), ("R", "NAME")],
    );
    check("my 16yo client K. (the one I presented)", &[("K", "NAME")]);
    check(
        "Mrs. V was upset; Dr. P will call.",
        &[("V", "NAME"), ("P", "NAME")],
    );
    check("Ms. June Park, 4th grade teacher", &[("June Park", "NAME")]);
    check(
        "Pieter van der Berg and Maria de la Cruz attended.",
        &[
            ("Pieter van der Berg", "NAME"),
            ("Maria de la Cruz", "NAME"),
        ],
    );
    check("Subject: Jayden P - IEP meeting", &[("Jayden P", "NAME")]);
    check(
        "Student: lily mcallister (gr 10)",
        &[("lily mcallister", "NAME")],
    );
    check("ms long r u in today", &[("long", "NAME")]);
    check("also my wife grace might come", &[("grace", "NAME")]);
    check("we were at jaylen's place", &[("jaylen", "NAME")]);
    // Field labels and units that are no people.
    check_none(
        "Referred by: EAP\nRE: Fitness-for-Duty Evaluation\nCFU/ml 100\nmg/dl\nAttending: Harriet Lindqvist, M.D.",
        &["EAP", "Fitness", "CFU", "ml", "M.D"],
    );
    check_none(
        "my mom will literally kill me; my sister kayden found my insta",
        &["will", "found"],
    );
}

#[test]
fn words_that_are_no_names() {
    check_none(
        "Mom said no. Dad lives nearby. his Nana calls. Son states father drinks.",
        &["Mom", "Dad", "Nana", "Son"],
    );
    check_none(
        "Dx: F33.1 Major Depressive Disorder. Columbia Suicide Severity Rating Scale done. \
         Beck Depression Inventory 21. Hoehn and Yahr stage 1.5. 19 Fr Blake drain placed.",
        &["Major", "Columbia", "Beck", "Hoehn", "Yahr", "Blake"],
    );
    check_none(
        "Hematocrit     40.1\nNitrite neg, Leuk trace\n",
        &["Hematocrit", "Nitrite", "Leuk"],
    );
    check_none(
        "Other notes for session. Lunch works. Caller denies weapons. 58 yo Vietnamese-speaking man; Re-eval at 1230.",
        &["Other", "Lunch", "Caller", "Vietnamese-speaking", "Re-eval"],
    );
    check_none(
        "BIBASILAR CRACKLES. Pericolorectal tissue; prevertebral soft tissues; Tenecteplase given; Fluvoxamine 150 mg.",
        &["BIBASILAR", "Pericolorectal", "prevertebral", "Tenecteplase", "Fluvoxamine"],
    );
    check_none("Pt is a 25-year-old Montana resident.", &["Montana"]);
    // Surnames that are words still speak in the past tense.
    check("Price said he would call.", &[("Price", "NAME")]);
}

#[test]
fn streets_and_roads_without_a_house_number() {
    check(
        "She lives on Huntington Avenue near davis sq; office on Centre St. today.",
        &[
            ("Huntington Avenue", "LOCATION"),
            ("davis sq", "LOCATION"),
            ("Centre St", "LOCATION"),
        ],
    );
    check(
        "Accident on Route 24 near I-95; towed on route 20; a wreck on i-35; Highway 212.",
        &[
            ("Route 24", "LOCATION"),
            ("I-95", "LOCATION"),
            ("route 20", "LOCATION"),
            ("i-35", "LOCATION"),
            ("Highway 212", "LOCATION"),
        ],
    );
    check(
        "field office on NW 79th St. today; still on 6th st by the laundromat",
        &[("NW 79th St", "LOCATION"), ("6th st", "LOCATION")],
    );
    check(
        "410 Main St, 3rd Floor, Worcester",
        &[("3rd Floor", "LOCATION")],
    );
    // A surname that is a street type after a first name is a person.
    check("Tom Lane came.", &[("Tom Lane", "NAME")]);
    check_none(
        "on the 3rd floor; the route 3 times",
        &["3rd floor", "route"],
    );
}

#[test]
fn a_day_of_the_month_alone_and_scores_that_are_no_dates() {
    check(
        "See you on the 14th, court is the 21st not the 3rd.",
        &[("14th", "DATE"), ("21st", "DATE"), ("3rd", "DATE")],
    );
    check_none(
        "on the 14th floor, the 2nd time, the 5th grade, the 90th percentile",
        &["14th", "2nd", "5th", "90th"],
    );
    check_none(
        "anxious 8/10, ashamed 6/10, dread 7/10 -> 5/10, naming 2/6, intensity 5-8/10, like an 8/10",
        &["8/10", "6/10", "7/10", "5/10", "2/6", "5-8/10"],
    );
    for text in [
        "Labs 4/10: Na 134",
        "Last BM 4/10.",
        "seen 8/10",
        "visit again 1/10",
    ] {
        let date = text.split(' ').find(|w| w.contains('/')).unwrap_or("");
        check(text, &[(date.trim_end_matches([':', '.']), "DATE")]);
    }
    check("held 4/4-4/6 for Cr", &[("4/4", "DATE"), ("4/6", "DATE")]);
}

#[test]
fn billing_codes_and_ranges_are_no_identifiers() {
    check_none(
        "MED MGMT F/U -- 99214 + 90833. 50 min (90834); IOP per diem H0015, T1017 x9; GCS 15 (E4V5M6)",
        &["99214", "90833", "90834", "H0015", "T1017", "E4V5M6"],
    );
    check_none(
        "OEF/OIF veteran, 2004-2010. Shift: 0700-1930.",
        &["2004-2010", "0700-1930"],
    );
    check(
        "She lives in Long Beach, CA 90837",
        &[("90837", "LOCATION")],
    );
}

#[test]
fn places_typed_in_lowercase_or_in_a_field() {
    check(
        "shift at the cleaners on belmont st; top of the garage at the natick mall",
        &[("belmont st", "LOCATION"), ("natick mall", "LOCATION")],
    );
    check("the one in story county", &[("story county", "LOCATION")]);
    check("City: round rock\nState: TX", &[("round rock", "LOCATION")]);
    check_none("City: round rock\nState: TX", &["TX"]);
    check(
        "a shelter in Little Haiti; pho in Little Italy",
        &[("Little Haiti", "LOCATION"), ("Little Italy", "LOCATION")],
    );
}

#[test]
fn chats_and_chart_words_are_no_people() {
    check_none(
        "counselor: Good morning. client: yesss\nSTUDENT: lmaooo ok",
        &["Good", "yesss", "lmaooo"],
    );
    check_none(
        "Both agreed. So Kenny's advice helped. Son Declan flies in.",
        &["Both", "So", "Son"],
    );
    check("Son Declan flies in.", &[("Declan", "NAME")]);
    check_none(
        "Katz ADL 5/6, Lawton IADL 3/8, Zarit Burden Interview 28, Stanley-Brown safety plan",
        &["Katz", "Lawton", "Zarit", "Stanley-Brown"],
    );
    check("advance.  RKS/dl\n", &[("RKS", "NAME"), ("dl", "NAME")]);
    check_none(
        "E. coli 10^5 CFU/ml; glucose 90 mg/dl",
        &["CFU", "ml", "mg", "dl"],
    );
    check("Notify UT.  I. Carter, LPC", &[("I. Carter", "NAME")]);
}

#[test]
fn employers_parishes_and_legal_forms() {
    check(
        "i work at stop and shop sat mornings",
        &[("stop and shop", "ORGANIZATION")],
    );
    check(
        "my job at target cut my hours",
        &[("target", "ORGANIZATION")],
    );
    check(
        "at work at the cheesecake factory til 2",
        &[("cheesecake factory", "ORGANIZATION")],
    );
    check_none("i work at home now; she works at night", &["home", "night"]);
    check(
        "parishioner at St. Columba's. Fr. T visited",
        &[("St. Columba's", "ORGANIZATION")],
    );
    check(
        "Brightwater Logistics, Inc. 2100",
        &[("Inc", "ORGANIZATION")],
    );
    check(
        "Referral: Compassionate Care Hospice of Greater Boston, intake RN",
        &[(
            "Compassionate Care Hospice of Greater Boston",
            "ORGANIZATION",
        )],
    );
}

#[test]
fn the_last_four_digits_of_a_card() {
    check(
        "the card on file ending in 6621 unless; card we have ends in 7784.",
        &[("6621", "ACCOUNT"), ("7784", "ACCOUNT")],
    );
    check_none("the story ending in 1999 was sad", &["1999"]);
}

#[test]
fn speakers_initials_and_ages_in_sessions() {
    check(
        "[8:03 PM] june: heyyy sorry\n[8:04 PM] Theo: ok\n",
        &[("june", "NAME")],
    );
    check(
        "J.: \"The hunter is looking.\" J. entered the playroom.",
        &[("J", "NAME")],
    );
    check(
        "Client: R.S.     DOS: 3/7/2024",
        &[("R", "NAME"), ("S", "NAME")],
    );
    check(
        "everybody says she was ninety-six; the aunt who is ninety-one; she would have been 97 in June.",
        &[("ninety-six", "AGE"), ("ninety-one", "AGE"), ("97", "AGE")],
    );
    check_none(
        "THERAPIST: So last week we ended.\nClient: see, this is why",
        &["So", "see"],
    );
    check_none(
        "propose at Christmas; read aloud in English; Columbus Day weekend; Sergeant Wu arrived",
        &["Christmas", "English", "Columbus", "Sergeant"],
    );
    check_none("VOC: 2/7     SUD: 8/10", &["2/7", "8/10"]);
    check_none(
        "GRIEF COUNSELING - PROGRESS NOTE\nDBT SKILLS GROUP - GROUP NOTE\nChild-Centered Play Therapy",
        &["GRIEF", "SKILLS", "Play Therapy"],
    );
}

#[test]
fn initials_in_capitals_that_act_are_people() {
    check(
        "MC came straight from a shift; JR drove from work. MC described JR shutting down. JR's mother moved in.",
        &[("MC", "NAME"), ("JR", "NAME")],
    );
    check_none(
        "ROI signed for sponsor contact. GDM resolved. AG closed at 0300. PT reports pain; RN called.",
        &["ROI", "GDM", "AG", "PT", "RN"],
    );
}

#[test]
fn group_lists_rosters_voicemails_and_lowercase_fields() {
    check(
        "Present (6): Frank, Bill T., Rosa M., J.K., Young-ji, Tasha. Absent: Clay (sick)",
        &[
            ("Frank", "NAME"),
            ("Bill T", "NAME"),
            ("Rosa M", "NAME"),
            ("J", "NAME"),
            ("Tasha", "NAME"),
            ("Clay", "NAME"),
        ],
    );
    check("Tasha 4\nFRANK: 41 days sober.", &[("FRANK", "NAME")]);
    check(
        "J.K.: Elevated craving 8/10. J.K. agreed to call.",
        &[("J", "NAME"), ("K", "NAME")],
    );
    check(
        "RICE, Autumn - gr 7 - ID 2207719\nKING, Elijah - gr 8",
        &[
            ("RICE", "NAME"),
            ("Autumn", "NAME"),
            ("KING", "NAME"),
            ("Elijah", "NAME"),
        ],
    );
    check(
        "My cell is nine seven eight, five five five, oh one three three, thanks",
        &[(
            "nine seven eight, five five five, oh one three three",
            "PHONE",
        )],
    );
    check_none("I have one two three things to say", &["one two three"]);
    check("Mark's father still lives nearby.", &[("Mark", "NAME")]);
    check(
        "Employer / school: kestrel analytics (data engineer)",
        &[("kestrel analytics", "ORGANIZATION")],
    );
    check(
        "applied to the Berkshire Rental Relief Fund",
        &[("Berkshire Rental Relief Fund", "ORGANIZATION")],
    );
}

/// Every `(phrase, first word's type)`: the first word of `phrase` (where the phrase is in
/// `text`) is covered by a span of that type.
fn check_first_word(text: &str, expected: &[(&str, &str)]) {
    let spans = engine().find(text);
    for (phrase, kind) in expected {
        let start = text
            .find(phrase)
            .unwrap_or_else(|| panic!("bad test: {phrase:?} not in text"));
        let word = phrase.split([' ', '\'']).next().unwrap_or(phrase);
        let end = start + word.len();
        let hit = spans.iter().find(|s| s.start <= start && end <= s.end);
        match hit {
            Some(s) => assert_eq!(s.kind.as_str(), *kind, "{phrase:?} in {text:?}: {spans:?}"),
            None => panic!("{word:?} of {phrase:?} ({kind}) not found in {text:?}: {spans:?}"),
        }
    }
}

#[test]
fn a_name_found_once_is_a_name_where_it_comes_back() {
    let text = "Clients: Rosa Marchetti and Hunter Vail. Rosa began by reading a list. \
                Hunter defensive initially. Hunter's flooding is the barrier.";
    check_first_word(text, &[("Hunter defensive", "NAME"), ("Hunter's", "NAME")]);
    // An English word comes back as a name only with its capital, and an auxiliary opening a
    // sentence stays.
    check_none(
        "Group: Grace Holm and Will Ortiz. Grace shared first. by the grace of god. \
         Will send summary to the team.",
        &["grace of", "Will send"],
    );
    check_first_word(
        "Group: Grace Holm and Will Ortiz. Grace shared first.",
        &[("Grace shared", "NAME")],
    );
    // A lowercase name that is no English word comes back in lowercase.
    check_first_word(
        "my sister temi called. ok temi thanks",
        &[("temi thanks", "NAME")],
    );
    // Short capitals are acronyms more often than names; a disease keeps its eponym.
    let text = "Brother Leon Eap lives nearby. Referred to EAP for counseling.";
    let at = text.find("EAP").expect("in the text");
    assert!(
        !engine()
            .find(text)
            .iter()
            .any(|s| s.start <= at && at < s.end && s.kind == EntityType::Name),
        "EAP taken for a name"
    );
    check_none(
        "Tom Parkinson came. His aunt had Parkinson's disease.",
        &["Parkinson's disease"],
    );
}

#[test]
fn organisations_of_ordinary_words_and_their_second_mention() {
    check(
        "Employer name: Tri-Lakes Cold Storage & Distribution, Inc. Contact: HR",
        &[
            ("Tri-Lakes Cold Storage", "ORGANIZATION"),
            ("Distribution", "ORGANIZATION"),
        ],
    );
    check(
        "STILLWATER BEHAVIORAL HEALTH, P.C.\n2210 Old Mill Road",
        &[("STILLWATER BEHAVIORAL HEALTH", "ORGANIZATION")],
    );
    check(
        "BLUE SPRUCE CHILD & ADOLESCENT PSYCHIATRY, PLLC\nI authorize: Blue Spruce Child & \
         Adolescent Psychiatry to release",
        &[
            ("BLUE SPRUCE CHILD", "ORGANIZATION"),
            ("Blue Spruce Child", "ORGANIZATION"),
        ],
    );
    check(
        "She has lived at Heritage Pines Assisted Living in town since May.",
        &[("Heritage Pines Assisted Living", "ORGANIZATION")],
    );
    check(
        "brought to the ED by Great Falls Police Department after she was found",
        &[("Great Falls Police Department", "ORGANIZATION")],
    );
    check(
        "Kenning County District Court, Courtroom 2",
        &[("Kenning County District Court", "ORGANIZATION")],
    );
    // Treatments and plans end in the same weak words and stay.
    check_none(
        "then Cognitive Processing Therapy via interpreter; attends a Wellness Recovery \
         Action Plan group; the Emergency Department was busy",
        &["Cognitive", "Wellness", "Emergency"],
    );
}

#[test]
fn towns_before_a_state_and_zip_code() {
    check(
        "1190 Harbor Blvd, Garden Oaks, CA 92840   ph 714-555-0172",
        &[("Garden Oaks", "LOCATION")],
    );
    check(
        "Suite 400, St. Cloud, MN 56301-3391 Phone",
        &[("Cloud", "LOCATION"), ("56301-3391", "LOCATION")],
    );
    // The ZIP code's first digit must agree with the state: "ID 40912" is an identifier.
    check_none(
        "Interpreter: Marie Etienne (Haitian Creole, ID 40912)",
        &["Haitian", "Creole"],
    );
}

#[test]
fn dates_times_and_drug_codes_are_no_phone_numbers() {
    check_none(
        "EXAM DATE/TIME: 02-03-2089 14:32 ORDERING; signed 2/3/2089 0510",
        &["14:32", "0510"],
    );
    check(
        "faxed to recipient (303-555-0191) 01/07/2091 14:40 MST",
        &[("303-555-0191", "PHONE"), ("01/07/2091", "DATE")],
    );
    check_none(
        "faxed to recipient (303-555-0191) 01/07/2091 14:40 MST",
        &["14:40", "MST"],
    );
    check_none(
        "NDC for alendronate bottle 0093-5171-44, lot verified; NDC 00093-517-44",
        &["0093-5171-44", "00093-517-44"],
    );
    // "e-mailed to the signers" names no address.
    check_none(
        "Copy e-mailed to signers and faxed to the recipient today.",
        &["signers"],
    );
}

#[test]
fn typists_initials_after_an_author_that_is_a_word() {
    check(
        "Job #: 88410257          IV/mlq  cc: Dr. Castellano",
        &[("IV", "NAME"), ("mlq", "NAME")],
    );
    check(
        "AN/tlj    D: 03/03/2089",
        &[("AN", "NAME"), ("tlj", "NAME")],
    );
    check_none("Result 5 MG/dl; started IV/po fluids", &["MG", "IV"]);
    check_redact(
        "Dear Drs. Ferrante and Oduya,",
        "Dear Drs. [NAME] and [NAME],",
    );
}

#[test]
fn dates_spoken_in_words_and_written_in_spanish() {
    check(
        "His date of birth is june eleventh nineteen ninety nine, he's ninety.",
        &[("june eleventh nineteen ninety nine", "DATE")],
    );
    check_redact("so he's ninety. ok", "so he's 90+. ok");
    check(
        "maybe the twenty eighth? I think the sixteenth. the fifth of May works",
        &[
            ("twenty eighth", "DATE"),
            ("sixteenth", "DATE"),
            ("fifth of May", "DATE"),
        ],
    );
    check(
        "come in march ninth, date of birth oh three oh nine eighty four. ok",
        &[
            ("march ninth", "DATE"),
            ("oh three oh nine eighty four", "DATE"),
        ],
    );
    check_none(
        "the first time, the second session and the third one; On the third.",
        &["first", "second", "third"],
    );
    check(
        "desde el 3 de abril hasta el 20; not in mayo; el martes 4 de abril",
        &[
            ("3 de abril", "DATE"),
            ("mayo", "DATE"),
            ("4 de abril", "DATE"),
        ],
    );
    check_none(
        "Buenas noches Dra. Villarreal, gracias",
        &["Buenas", "gracias"],
    );
    // A month's abbreviation alone after a cue; "OCT" of the retina stays.
    check(
        "in aug the panic attacks came back; last Oct he moved",
        &[("aug", "DATE"), ("Oct", "DATE")],
    );
    check_none("OCT of the retina was normal", &["OCT"]);
}

#[test]
fn scores_in_parentheses_and_round_the_clock_are_no_dates() {
    check_none(
        "a self-harm urge (8/10) after a text; Crisis Center 24/7 at 301-555-0100",
        &["8/10", "24/7"],
    );
    check("Next appt 8/10.", &[("8/10", "DATE")]);
}

#[test]
fn firms_parishes_spelled_names_and_initials() {
    check(
        "my lawyer (from Castellano & Burke) says; her employer (Harlow & Finch Architects)",
        &[
            ("Castellano & Burke", "ORGANIZATION"),
            ("Harlow & Finch Architects", "ORGANIZATION"),
        ],
    );
    check_none("Discussed Diet & Exercise at length", &["Diet", "Exercise"]);
    check(
        "admitted to St. Brendan's Sept 2086 (mixed features)",
        &[("St. Brendan's", "ORGANIZATION")],
    );
    check_first_word(
        "about a patient Anthony Russo R U S S O date of birth",
        &[("R U S S O", "NAME"), ("S O date", "NAME")],
    );
    check(
        "Contact: \"Yesenia G\" +1 956-555-0183",
        &[("Yesenia G", "NAME")],
    );
    check(
        "[3/30/90, 11:52 PM] Yesenia G: hola",
        &[("Yesenia G", "NAME")],
    );
    check(
        "at Acadiana Kids Counseling, 610 Evangeline Thruway, Fri; 2250 Old Mill Rd, Bldg C, \
         Fenwick",
        &[
            ("610 Evangeline Thruway", "LOCATION"),
            ("Bldg C", "LOCATION"),
        ],
    );
}

#[test]
fn handles_without_their_at_and_licences_with_periods() {
    check(
        "His snap is hunt.k_09 and insta: bri_anna.xo; my ig is jess22.",
        &[
            ("hunt.k_09", "URL"),
            ("bri_anna.xo", "URL"),
            ("jess22", "URL"),
        ],
    );
    check_none(
        "his snap is funny and her insta is private",
        &["funny", "private"],
    );
    check(
        "OH license LPC.2408817. Ohio license I.2100598-SUPV 2/12/91",
        &[("LPC.2408817", "LICENSE"), ("I.2100598-SUPV", "LICENSE")],
    );
    check_none("MRN: 12345. Next visit", &["Next"]);
}

#[test]
fn transcripts_chats_and_closing_initials() {
    // A speaker label that is on no list speaks when it opens two lines or more.
    check(
        "COUNSELOR: How are the mornings?\nROZ: The worst.\nCOUNSELOR: Say more.\nROZ: Fine.",
        &[("ROZ", "NAME")],
    );
    check_none(
        "COUNSELOR: ok\nCLIENT: yes\nCOUNSELOR: good",
        &["COUNSELOR", "CLIENT"],
    );
    check(
        "[7:04 PM] From jordan.k to Everyone: cant get my cam on\n\
         [7:20 PM] From Amanda Whitfield to Rich D (Direct Message): ok",
        &[
            ("jordan", "NAME"),
            ("Amanda Whitfield", "NAME"),
            ("Rich D", "NAME"),
        ],
    );
    check_none("From the start to the end: ok", &["start", "end"]);
    check("[CHAT 4:06 PM] jade o: sorry", &[("jade o", "NAME")]);
    check("note text here.\nKO 6/19/2090\n", &[("KO", "NAME")]);
    check("note text.\n- AKB\n", &[("AKB", "NAME")]);
    check_none("note text.\nEND\n", &["END"]);
    // Dotted initials are a person's; abbreviations of that shape stay.
    check(
        "So, J.M. - thirty-four, single dad. With R.T., my guy at the jail",
        &[("J", "NAME"), ("M", "NAME"), ("R", "NAME"), ("T", "NAME")],
    );
    check_none(
        "Born in the U.S. at 3 P.M., seen by M.D. in N.Y. and the U.S.A.",
        &["U.S", "P.M", "M.D", "N.Y"],
    );
    // Names read out letter by letter in dictation.
    check(
        "doctor farah haddad comma that's H A D D A D comma dictating",
        &[("H A D D A D", "NAME")],
    );
}

#[test]
fn ages_becoming_days_after_on_the_and_hyphenated_case_numbers() {
    check_redact(
        "I'll be ninety in the fall. She lived to ninety-six.",
        "I'll be 90+ in the fall. She lived to 90+.",
    );
    check_none("I will be ninety minutes late", &["ninety"]);
    check(
        "admitted on the twenty-eighth via the ED; started on the first by the hospitalist",
        &[("twenty-eighth", "DATE"), ("first", "DATE")],
    );
    check_none("got it on the first try", &["first"]);
    check(
        "County District Court case 89-CR-1142; DVD log # HC-DVD-2090-118]",
        &[("89-CR-1142", "ID"), ("HC-DVD-2090-118", "ID")],
    );
    check_none(
        "buprenorphine/naloxone 16/4 mg daily; attended 3/3 groups",
        &["16/4"],
    );
}

#[test]
fn medicare_beneficiary_identifiers_by_their_places() {
    check(
        "Secondary 4TQ7KD2MN81 on file; card shows 1EG4-TE5-MK72.",
        &[
            ("4TQ7KD2MN81", "HEALTH_PLAN"),
            ("1EG4-TE5-MK72", "HEALTH_PLAN"),
        ],
    );
    // An S, L, O, I, B or Z, or a letter where a digit belongs, makes it something else.
    let text = "code 1SG4-TE5-MK72 and 1EGA-TE5-MK72";
    let spans = engine().find(text);
    assert!(
        spans.iter().all(|s| s.kind != EntityType::HealthPlan),
        "{spans:?}"
    );
}

#[test]
fn tags_are_plates_unless_they_are_asset_tags() {
    check(
        "gray Honda Fit, TN tag 8T4-9KQ; the facility iPad (asset tag HP-IPAD-0417)",
        &[("8T4-9KQ", "VEHICLE"), ("HP-IPAD-0417", "DEVICE")],
    );
    check_none("the tag on his shirt was itchy", &["tag"]);
}

#[test]
fn short_forms_of_hospitals_and_towns_before_a_state() {
    check(
        "Prior admissions: HVMC 4/3/88 for CHF; presented to Ketterman Community Hospital \
         on 2/1, and Ketterman in Nov 2087.",
        &[("HVMC", "ORGANIZATION")],
    );
    check_first_word(
        "presented to Ketterman Community Hospital on 2/1, and Ketterman in Nov 2087.",
        &[("Ketterman in", "ORGANIZATION")],
    );
    check(
        "Lives alone in Kestrel Point, NH; son Declan will stay",
        &[("Kestrel Point", "LOCATION")],
    );
    check(
        "Seen by Jane Stone, MD; then Ana Ruiz, PA.",
        &[("Jane Stone", "NAME"), ("Ana Ruiz", "NAME")],
    );
    // Two capitals before five digits are a ZIP code's state only when they are a state's.
    check_none("3:00-3:50 pm ET 90834-95, POS 02", &["90834"]);
    check_none(
        "after the Fourth of July cookout; smokes 1/2 ppd; attends (11/12 sessions)",
        &["July", "1/2", "11/12"],
    );
    check(
        "drives for Blue Line Taxi; hosting at the Elks Lodge; buried at Holy Cross Cemetery",
        &[
            ("Blue Line Taxi", "ORGANIZATION"),
            ("Elks Lodge", "ORGANIZATION"),
            ("Holy Cross Cemetery", "LOCATION"),
        ],
    );
}

#[test]
fn rural_routes_signed_initials_and_states_that_are_names() {
    check(
        "HC 64 Box 12\nAddr: R.D. 1, Box 77, Stanfordville\nRR 3 Box 219",
        &[
            ("HC 64 Box 12", "LOCATION"),
            ("R.D. 1, Box 77", "LOCATION"),
            ("RR 3 Box 219", "LOCATION"),
        ],
    );
    check(
        "Rec'd 2/24 11:20a by TW. LVM at 740-555-0133 (cell). -tw\nCollected by: HB   Vein\n\
         Opr: KLW   Caller: Mrs. Fuentes",
        &[
            ("TW", "NAME"),
            ("tw", "NAME"),
            ("HB", "NAME"),
            ("KLW", "NAME"),
        ],
    );
    check_none(
        "written by the team; a re-do -ok\nEnclosure: Authorization for Release of Protected \
         Health Information (2 pp.)",
        &["team", "Protected", "Health"],
    );
    check_none(
        "- Florida: I believe Florida participates in PSYPACT during the Florida stay",
        &["Florida"],
    );
    check(
        "Jordan said hi; Nevada said no; Florida Jenkins called",
        &[
            ("Jordan", "NAME"),
            ("Nevada", "NAME"),
            ("Florida Jenkins", "NAME"),
        ],
    );
}

#[test]
fn ages_of_the_living_and_test_names_and_more_trades() {
    check_redact(
        "Mother alive, 93, in Lagos. Her mother is living at 91 with AD. Grandmother lived to \
         103. Aunt alive at 95 in town.",
        "Mother alive, 90+, in [LOCATION]. Her mother is living at 90+ with AD. Grandmother \
         lived to 90+. Aunt alive at 90+ in town.",
    );
    check_none("He was living at 30 in 2080; lived to 89.", &["30", "89"]);
    check_none(
        "Boston Naming Test-2 41/60; Rey Complex Figure copy; Stroop Color-Word T 37",
        &["Boston", "Stroop"],
    );
    check(
        "NORTHFIELD UNIVERSITY HOSPITALS; bus for Three Rivers Regional Transit; at Tideline \
         Coffee Roasters",
        &[
            ("HOSPITALS", "ORGANIZATION"),
            ("Transit", "ORGANIZATION"),
            ("Roasters", "ORGANIZATION"),
        ],
    );
}

#[test]
fn nicknames_in_quotes_and_initials_after_first_names() {
    let text = "Present: Kayla Ferreira (15, goes by \"KK\"); Bryson Ferreira (11, \"Bug\"). KK \
                confirmed this; Bug said nothing. A driver (goes by \u{201c}Moose\u{201d}) backed \
                in; Moose apologized. Robert \"Bobby\" Lind came too.";
    check(
        text,
        &[
            ("KK", "NAME"),
            ("Bug", "NAME"),
            ("Moose", "NAME"),
            ("Bobby", "NAME"),
        ],
    );
    check_first_word(
        text,
        &[
            ("KK confirmed", "NAME"),
            ("Bug said", "NAME"),
            ("Moose apologized", "NAME"),
        ],
    );
    check_none(
        "Mood \"Foggy\" today. She said \"Fine\" and left (rated \"Okay\").",
        &["Foggy", "Fine", "Okay"],
    );
    check(
        "Individual notes: - Hope L. - brought her son. Sunny K. challenged this. Talk w/ \
         Ty M. in hallway. He saw Ty Mancuso.",
        &[
            ("Hope", "NAME"),
            ("L", "NAME"),
            ("Sunny", "NAME"),
            ("K", "NAME"),
            ("Ty", "NAME"),
            ("M", "NAME"),
            ("Mancuso", "NAME"),
        ],
    );
    check_none(
        "Took Vitamin D. Then left. Hepatitis B. Plan B. Axis I. Cpl Aaron Whitfield; Hon. \
         Evelyn Sato.",
        &["Vitamin", "D.", "Hepatitis", "Plan", "Axis", "Cpl", "Hon"],
    );
}

#[test]
fn initials_in_trailers_and_answering_service_logs() {
    check(
        "Dictated 5/16/91  /tm\nK. Reke, M.D. SERVICE  AP/RJT D: 05/30/2088\nMaya Hart, PhD\n\
         mah/kr\nI. Chukwu, LPC   DK/intern\n09/13/2089 11:06 hq/smr *** copy\n\
         Operators: KLS, RT, jw\n#01 18:12 op KLS Caller: self\n#04 op jw hang-up",
        &[
            ("tm", "NAME"),
            ("AP", "NAME"),
            ("RJT", "NAME"),
            ("mah", "NAME"),
            ("kr", "NAME"),
            ("DK", "NAME"),
            ("hq", "NAME"),
            ("smr", "NAME"),
            ("KLS", "NAME"),
            ("RT", "NAME"),
            ("jw", "NAME"),
        ],
    );
    check_first_word(
        "Operators: KLS, RT, jw\n#01 18:12 op KLS Caller: self\n#04 op jw hang-up",
        &[("KLS Caller", "NAME"), ("jw hang", "NAME")],
    );
    check_none(
        "RX/OTC meds: none\nHEENT/Neck: normal\nN/V/D denies\nand/or\nhe/him\nmg/dl\n\
         Glucose 110 mg/dl  stable\nCounselor: Shanice Rice, CADC II, Albany, NY 12203",
        &[
            "RX", "OTC", "HEENT", "and/or", "he/him", "mg/dl", "CADC", "NY",
        ],
    );
}

#[test]
fn organisations_over_of_trades_streets_and_chart_names() {
    check(
        "services from First Congregational Church of East Haddon. Court: Maumee County Court \
         of Common Pleas. Referred to Heartland Prairie Area Agency on Aging. A tech at \
         Greenlake Apothecary; his boss at Trailhead Outfitters; Champlain Valley Psychotherapy.",
        &[
            ("East Haddon", "ORGANIZATION"),
            ("Common Pleas", "ORGANIZATION"),
            ("on Aging", "ORGANIZATION"),
            ("Greenlake Apothecary", "ORGANIZATION"),
            ("Trailhead Outfitters", "ORGANIZATION"),
            ("Champlain Valley Psychotherapy", "ORGANIZATION"),
        ],
    );
    check_none(
        "Department of Psychiatry; the Division of Cardiology of the hospital.",
        &["Psychiatry", "Cardiology"],
    );
    check(
        "410 Hadley Commons, Suite 220; 5402 Leary Ave NW, Suite 210; 2500 Lyndale Ave S, 3rd \
         Floor; 88 North Main Street, Second Floor",
        &[
            ("410 Hadley Commons, Suite 220", "LOCATION"),
            ("5402 Leary Ave NW, Suite 210", "LOCATION"),
            ("2500 Lyndale Ave S, 3rd Floor", "LOCATION"),
            ("88 North Main Street, Second Floor", "LOCATION"),
        ],
    );
    check(
        "member ID NLP 6620 1198 03 (subscriber); MED REC #: 00-71-3395",
        &[("NLP 6620 1198 03", "HEALTH_PLAN"), ("00-71-3395", "MRN")],
    );
    check_redact("MRN 123456 90 yo", "MRN [MRN] 90+ yo");
    check_redact(
        "She notes she will be 94 in December. Quist (great-grandmother, 92, maternal).",
        "She notes she will be 90+ in [DATE]. [NAME] (great-grandmother, 90+, maternal).",
    );
    check_none("the dose will be 100 mg; med mgmt q1-3 mo", &["100", "q1"]);
    check(
        "PATIENT: ABERNETHY-COLE, JUDITH A      MRN: K00918347\nPatient: BROOKS, APRIL DAWN   \
         Sex: F\nRE: PALOMINO, LUCIA M. DOB: 05/08/2051",
        &[
            ("JUDITH A", "NAME"),
            ("APRIL DAWN", "NAME"),
            ("PALOMINO", "NAME"),
            ("LUCIA M", "NAME"),
        ],
    );
    check_none(
        "RE: Referral for evaluation\nRe: Follow Up Visit",
        &["Referral", "Follow"],
    );
}

#[test]
fn chart_fields_state_schools_release_initials_and_lowercase_kin() {
    check(
        "Identified client: Sky Petrov-Morales, 15\nDefense: Tallis County Public Defender\n\
         She is a sophomore at Ohio State; he studies at Westfield State now.",
        &[
            ("Sky", "NAME"),
            ("Petrov-Morales", "NAME"),
            ("Public Defender", "ORGANIZATION"),
            ("State", "ORGANIZATION"),
            ("Westfield State", "ORGANIZATION"),
        ],
    );
    check_none(
        "Client: Reports Smith is fine. She moved to Ohio in May.",
        &["Reports", "Ohio"],
    );
    check(
        "Released (initial each):\n    SMD  [X] Psychiatric evaluation\n    _NTL_ Diagnosis",
        &[("SMD", "NAME"), ("NTL", "NAME")],
    );
    check_none("Checklist:\n    PHQ [x] done\n  [X] none", &["PHQ"]);
    check(
        "my sis hope says block him. my lawyer rich (from the firm) says ok",
        &[("hope", "NAME"), ("rich", "NAME")],
    );
    check_none(
        "my lawyer will call. the attorney general said no. my sis is sick",
        &["will", "general", "is"],
    );
}

#[test]
fn letterheads_vocatives_quoted_fields_and_lots() {
    check(
        "NORTH COUNTRY INTERNAL MEDICINE\n88 Depot Street, Brookfield\n\nLIGHTHOUSE CHILD & \
         FAMILY THERAPY\n77 Genesee Street",
        &[
            ("NORTH COUNTRY INTERNAL MEDICINE", "ORGANIZATION"),
            ("LIGHTHOUSE CHILD", "ORGANIZATION"),
            ("FAMILY THERAPY", "ORGANIZATION"),
        ],
    );
    check_none(
        "COBB HILL NEUROLOGY GROUP\nEpilepsy & Clinical Neurophysiology\n2200 Peachtree Blvd\n\n\
         PROGRESS NOTE\n12 sessions\n\nUniversity Hospital - Division of Rheumatology\n800 \
         Kingsbury Avenue",
        &[
            "Epilepsy",
            "Neurophysiology",
            "PROGRESS",
            "Division",
            "Rheumatology",
        ],
    );
    check(
        "THERAPIST: Let's slow down. Bill, I'm noticing your jaw. CALLER: \"Will\" (first \
         name only). Stem size 4, lot 7H22910A.",
        &[("Bill", "NAME"), ("Will", "NAME"), ("7H22910A", "DEVICE")],
    );
    check_none(
        "Well, you know. So, I think. Okay, you can. Honestly, I was. Parked in lot 12 today; a \
         lot of it.",
        &["Well", "So,", "Okay", "Honestly", "12"],
    );
}

#[test]
fn two_capitalised_words_after_a_business_cue() {
    check(
        "a coworker at Pizza Palace. Transported client to Corner Drug to pick up meds.",
        &[
            ("Pizza Palace", "ORGANIZATION"),
            ("Corner Drug", "ORGANIZATION"),
        ],
    );
    check_none(
        "Pizza Palace was loud. She ate a Pizza. Sent to Physical Therapy.",
        &["Pizza Palace was", "Physical"],
    );
}

#[test]
fn modals_that_open_a_sentence_before_a_verb_of_their_own() {
    check_first_word(
        "She did not know. Will will bring this up. Plan: Will requested one session. May \
         reported that she slept.",
        &[
            ("Will will", "NAME"),
            ("Will requested", "NAME"),
            ("May reported", "NAME"),
        ],
    );
    check_none(
        "Will need to follow up. Will send summary. May need labs. May be seen. Will proceed.",
        &[
            "Will need",
            "Will send",
            "May need",
            "May be",
            "Will proceed",
        ],
    );
}

#[test]
fn muscle_grades_out_of_five_are_no_dates() {
    check_none(
        "RLE: HF 3+/5, KE 4-/5, DF 2/5. Grip 4/5 bilat.",
        &["2/5", "4/5"],
    );
    check(
        "DOS 3/5 and RTC 4/5; seen 2/5",
        &[("3/5", "DATE"), ("4/5", "DATE"), ("2/5", "DATE")],
    );
}

#[test]
fn saints_days_are_holidays() {
    check_none(
        "out for St. Patrick's Day. FOOSH. On St. Valentine's Day she left.",
        &["Patrick", "Valentine"],
    );
    check(
        "services at St. Columba's parish",
        &[("St. Columba's", "ORGANIZATION")],
    );
}

#[test]
fn county_roads_routes_after_off_and_streets_before_a_sentence() {
    check(
        "Duffy's Tap on County Road 12. Lot off County Road K, Merrill. Lives off rt 9 in town. \
         Keystone PT on Mill St. Diet rich in fiber.",
        &[
            ("County Road 12", "LOCATION"),
            ("County Road K", "LOCATION"),
            ("rt 9", "LOCATION"),
            ("Mill St", "LOCATION"),
        ],
    );
    check_none(
        "on the road 2 times. Road 5 closed. Diet rich in fiber.",
        &["road 2", "Road 5", "Diet"],
    );
    check("Dr. St. James saw him", &[("James", "NAME")]);
}

#[test]
fn prefixes_that_lead_a_place() {
    check(
        "Lives in East Fairhaven with wife. Moving to North Aldon soon. Pho in Little Saigon. \
         House on Fourth Avenue North in town.",
        &[
            ("East Fairhaven", "LOCATION"),
            ("North Aldon", "LOCATION"),
            ("Little Saigon", "LOCATION"),
            ("Fourth Avenue North", "LOCATION"),
        ],
    );
    check_none(
        "New Hampshire and New York; North of here",
        &["New Hampshire", "New York", "North"],
    );
    check("Dr. West Smith saw her", &[("West Smith", "NAME")]);
}

#[test]
fn more_chart_names_trailer_initials_saints_parishes_and_code_lists() {
    check(
        "Patient: FIELD, HUNTER J         DOB: 06/19/2050\nTranscribed 04/18/2086 HM/dq.\n\
         88204731 dictated/transcribed rc/lmw\nTranscribed by jp. Supervisor note (EB, \
         1/30/2092). About client GR (confidential). Call me. -Q",
        &[
            ("FIELD", "NAME"),
            ("HUNTER", "NAME"),
            ("HM", "NAME"),
            ("dq", "NAME"),
            ("rc", "NAME"),
            ("lmw", "NAME"),
            ("jp", "NAME"),
            ("EB", "NAME"),
            ("GR", "NAME"),
            ("Q", "NAME"),
        ],
    );
    check_none(
        "Tonometry (TA, 0930): 15. Son (POA, 617-555-0104). Node, FNA/core.\nthe client HIV \
         status. CPT 97161, 97110, 97112.",
        &["TA", "POA", "FNA", "97110", "97112"],
    );
    check(
        "Trevor \"TJ\" Banks, registration. Edgar Lindahl, 92 M, MRN 0994412. Choir at St. \
         Monica's Parish. Narragansett Orthotics and Prosthetics; Allcare Medical Equipment. \
         1011 Travis St, Floor 14; 4410 N Broadway, Chicago",
        &[
            ("Banks", "NAME"),
            ("92", "AGE"),
            ("Parish", "ORGANIZATION"),
            ("Prosthetics", "ORGANIZATION"),
            ("Allcare Medical Equipment", "ORGANIZATION"),
            ("1011 Travis St, Floor 14", "LOCATION"),
            ("4410 N Broadway", "LOCATION"),
        ],
    );
}
