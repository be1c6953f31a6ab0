//! Fuzzes the whole engine on any bytes: finding, redacting, pseudonymizing and the
//! JSON-lines driver never panic, and the spans keep their contract (sorted, not
//! overlapping, inside the text, on character boundaries).
#![no_main]

use alcove_deid::stream::{process_line, Mode, Options};
use alcove_deid::{CaseKey, Engine};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fuzz_target!(|data: &[u8]| {
    let options = Options {
        mode: Mode::Pseudonymize(CaseKey::new(b"fuzz")),
        lossy: true,
        jobs: 1,
    };
    let _ = process_line(engine(), data, &options, 1);
    let text = String::from_utf8_lossy(data);
    let spans = engine().find(&text);
    let mut last = 0;
    for s in &spans {
        assert!(s.start >= last && s.start < s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        last = s.end;
    }
    let _ = engine().redact(&text);
    let _ = engine().pseudonymize(&text, &CaseKey::new(b"fuzz"));
});
