//! Streaming driver for `alcove deid`: plain text or JSON lines over `BufRead`/`Write`.
//!
//! Plain text is processed paragraph by paragraph (at most about 64 KiB at a
//! time), so a huge input never sits in memory whole. JSON lines are
//! `{"id": "...", "text": "..."}` in and `{"id", "text", "spans"}` out, with
//! span offsets in bytes of the input text.

use crate::engine::{redact_spans, Engine};
use crate::entity::Span;
use crate::error::{Error, ErrorKind};
use crate::surrogate::{CaseKey, Pseudonymizer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{BufRead, Write};

/// How identifiers are replaced.
#[derive(Clone, Debug)]
pub enum Mode {
    /// `[NAME]`, `[DATE]` …
    Redact,
    /// Consistent surrogates and shifted dates for the given case.
    Pseudonymize(CaseKey),
}

/// Options of one run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Replacement mode.
    pub mode: Mode,
    /// Replace invalid UTF-8 by U+FFFD instead of failing.
    pub lossy: bool,
    /// Worker threads for [`run_jsonl_parallel`]; 0 or 1 means one.
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::Redact,
            lossy: false,
            jobs: 1,
        }
    }
}

/// Paragraphs are flushed once the buffer holds this many bytes.
const CHUNK: usize = 64 * 1024;

fn decode<'a>(bytes: &'a [u8], lossy: bool, line: u64) -> Result<Cow<'a, str>, Error> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) if lossy => Ok(String::from_utf8_lossy(bytes)),
        Err(e) => Err(Error::new(
            ErrorKind::InvalidUtf8,
            Some(line),
            format!(
                "invalid byte sequence at byte {} of the line",
                e.valid_up_to()
            ),
        )),
    }
}

/// De-identifies plain text from `input` to `output`, streaming.
pub fn run_text<R: BufRead, W: Write>(
    engine: &Engine,
    mut input: R,
    mut output: W,
    options: &Options,
) -> Result<(), Error> {
    let mut pseudo = match &options.mode {
        Mode::Pseudonymize(key) => Some(Pseudonymizer::new(key.clone())),
        Mode::Redact => None,
    };
    let mut buf = String::new();
    let mut line = Vec::new();
    let mut line_no = 0u64;
    let mut flush = |buf: &mut String, output: &mut W| -> Result<(), Error> {
        if buf.is_empty() {
            return Ok(());
        }
        let out = match pseudo.as_mut() {
            Some(p) => p.apply(engine, buf),
            None => engine.redact(buf),
        };
        output.write_all(out.as_bytes()).map_err(Error::io)?;
        buf.clear();
        Ok(())
    };
    loop {
        line.clear();
        let n = input.read_until(b'\n', &mut line).map_err(Error::io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = decode(&line, options.lossy, line_no)?;
        let blank = text.trim().is_empty();
        buf.push_str(&text);
        if blank || buf.len() >= CHUNK {
            flush(&mut buf, &mut output)?;
        }
    }
    flush(&mut buf, &mut output)?;
    output.flush().map_err(Error::io)
}

#[derive(Deserialize)]
struct InRecord {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize)]
struct OutRecord<'a> {
    id: &'a serde_json::Value,
    text: String,
    spans: &'a [Span],
}

/// Processes one JSON line; returns the output line without its newline.
pub fn process_line(
    engine: &Engine,
    line: &[u8],
    options: &Options,
    line_no: u64,
) -> Result<String, Error> {
    let text = decode(line, options.lossy, line_no)?;
    let record: InRecord = serde_json::from_str(&text).map_err(|e| {
        Error::new(
            ErrorKind::InvalidJson,
            Some(line_no),
            format!("column {}", e.column()),
        )
    })?;
    let spans = engine.find(&record.text);
    let out_text = match &options.mode {
        Mode::Redact => redact_spans(&record.text, &spans),
        Mode::Pseudonymize(key) => {
            Pseudonymizer::new(key.clone()).apply_spans(&record.text, &spans)
        }
    };
    let out = OutRecord {
        id: &record.id,
        text: out_text,
        spans: &spans,
    };
    serde_json::to_string(&out)
        .map_err(|e| Error::new(ErrorKind::InvalidJson, Some(line_no), e.to_string()))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// De-identifies JSON lines on the calling thread.
pub fn run_jsonl<R: BufRead, W: Write>(
    engine: &Engine,
    mut input: R,
    mut output: W,
    options: &Options,
) -> Result<(), Error> {
    let mut line = Vec::new();
    let mut line_no = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(Error::io)? == 0 {
            break;
        }
        line_no += 1;
        if is_blank(&line) {
            continue;
        }
        let out = process_line(engine, &line, options, line_no)?;
        output.write_all(out.as_bytes()).map_err(Error::io)?;
        output.write_all(b"\n").map_err(Error::io)?;
    }
    output.flush().map_err(Error::io)
}

/// De-identifies JSON lines with `options.jobs` worker threads, keeping the input order.
pub fn run_jsonl_parallel<R: BufRead, W: Write>(
    engine: &Engine,
    mut input: R,
    mut output: W,
    options: &Options,
) -> Result<(), Error> {
    let jobs = options.jobs.max(1);
    if jobs == 1 {
        return run_jsonl(engine, input, output, options);
    }
    const BATCH_BYTES: usize = 4 * 1024 * 1024;
    let mut line_no = 0u64;
    loop {
        let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut bytes = 0;
        while bytes < BATCH_BYTES {
            let mut line = Vec::new();
            if input.read_until(b'\n', &mut line).map_err(Error::io)? == 0 {
                break;
            }
            line_no += 1;
            if is_blank(&line) {
                continue;
            }
            bytes += line.len();
            batch.push((line_no, line));
        }
        if batch.is_empty() {
            break;
        }
        let per = batch.len().div_ceil(jobs);
        let results: Vec<Result<String, Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .chunks(per)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|(n, l)| process_line(engine, l, options, *n))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| match h.join() {
                    Ok(v) => v,
                    Err(_) => vec![Err(Error::new(
                        ErrorKind::Io,
                        None,
                        "a worker thread failed",
                    ))],
                })
                .collect()
        });
        for r in results {
            let out = r?;
            output.write_all(out.as_bytes()).map_err(Error::io)?;
            output.write_all(b"\n").map_err(Error::io)?;
        }
    }
    output.flush().map_err(Error::io)
}
