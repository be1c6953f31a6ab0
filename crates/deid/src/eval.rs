//! Token-level evaluation: recall, precision and F2, overall and per type.
//!
//! A token is a run of letters and digits. A token is an identifier in the
//! gold (or the prediction) when any gold (predicted) span overlaps it.
//! Overall scores ignore the type; per-type recall counts gold tokens of that
//! type found as anything, per-type precision counts predicted tokens of that
//! type that are gold tokens of any type.

use crate::engine::Engine;
use crate::entity::{EntityType, Span};
use crate::error::{Error, ErrorKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

/// One document with its gold and predicted spans.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document's id, shown with its misses.
    pub id: String,
    /// The text the offsets refer to.
    pub text: String,
    /// The true identifiers.
    pub gold: Vec<Span>,
    /// What the engine found.
    pub predicted: Vec<Span>,
}

/// True/false positive and false negative counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Identifier tokens found.
    pub tp: u64,
    /// Ordinary tokens flagged.
    pub fp: u64,
    /// Identifier tokens missed.
    pub fn_: u64,
}

impl Counts {
    /// tp / (tp + fn); 1 when there is nothing to find.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// tp / (tp + fp); 1 when nothing was flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// F-beta with beta = 2: recall weighs four times precision.
    pub fn f2(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            5.0 * p * r / (4.0 * p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// A gold token the engine did not flag.
#[derive(Clone, Debug)]
pub struct Miss {
    /// Document id.
    pub id: String,
    /// Gold type of the token.
    pub kind: EntityType,
    /// The token and a little context.
    pub context: String,
}

/// The scores of one evaluation.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Type-agnostic counts.
    pub overall: Counts,
    /// Per type: `tp`/`fn_` by gold type, `fp` by predicted type.
    pub per_type: BTreeMap<EntityType, Counts>,
    /// Per type: predicted tokens of the type that are gold (for precision).
    pub per_type_pred_tp: BTreeMap<EntityType, u64>,
    /// The first misses, in document order.
    pub misses: Vec<Miss>,
    /// The first ordinary tokens flagged, in document order (`kind` is the predicted type).
    pub false_alarms: Vec<Miss>,
    /// Documents scored.
    pub documents: usize,
}

impl Report {
    /// Precision of the predictions of one type.
    pub fn precision_of(&self, kind: EntityType) -> f64 {
        let tp = self.per_type_pred_tp.get(&kind).copied().unwrap_or(0);
        let fp = self.per_type.get(&kind).map_or(0, |c| c.fp);
        ratio(tp, tp + fp)
    }
}

/// How many misses a report keeps.
pub const MAX_MISSES: usize = 40;

fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn covering(spans: &[Span], s: usize, e: usize) -> Option<EntityType> {
    spans
        .iter()
        .find(|sp| sp.start < e && s < sp.end)
        .map(|sp| sp.kind)
}

/// The token `s..e` marked `[[…]]` with up to 30 bytes either side, on one line.
fn context(text: &str, s: usize, e: usize) -> String {
    let from = crate::text::window_start(text, s, 30);
    let to = crate::text::window_end(text, e, 30);
    format!("{}[[{}]]{}", &text[from..s], &text[s..e], &text[e..to]).replace('\n', " ")
}

/// Scores documents.
pub fn score(docs: &[Document]) -> Report {
    let mut r = Report {
        documents: docs.len(),
        ..Report::default()
    };
    for doc in docs {
        for (s, e) in tokens(&doc.text) {
            let g = covering(&doc.gold, s, e);
            let p = covering(&doc.predicted, s, e);
            match (g, p) {
                (Some(gk), Some(pk)) => {
                    r.overall.tp += 1;
                    r.per_type.entry(gk).or_default().tp += 1;
                    *r.per_type_pred_tp.entry(pk).or_default() += 1;
                }
                (Some(gk), None) => {
                    r.overall.fn_ += 1;
                    r.per_type.entry(gk).or_default().fn_ += 1;
                    if r.misses.len() < MAX_MISSES {
                        r.misses.push(Miss {
                            id: doc.id.clone(),
                            kind: gk,
                            context: context(&doc.text, s, e),
                        });
                    }
                }
                (None, Some(pk)) => {
                    r.overall.fp += 1;
                    r.per_type.entry(pk).or_default().fp += 1;
                    if r.false_alarms.len() < MAX_MISSES {
                        r.false_alarms.push(Miss {
                            id: doc.id.clone(),
                            kind: pk,
                            context: context(&doc.text, s, e),
                        });
                    }
                }
                (None, None) => {}
            }
        }
    }
    r
}

#[derive(Deserialize)]
struct GoldSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct GoldRecord {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    spans: Vec<GoldSpan>,
}

/// Reads gold JSON lines (`{"id", "text", "spans"}`), runs `engine` on each text and scores it.
pub fn evaluate<R: BufRead>(engine: &Engine, gold: R) -> Result<Report, Error> {
    let docs = read_gold(gold)?
        .into_iter()
        .map(|mut d| {
            d.predicted = engine.find(&d.text);
            d
        })
        .collect::<Vec<_>>();
    Ok(score(&docs))
}

/// Reads gold JSON lines into documents with no predictions yet.
pub fn read_gold<R: BufRead>(gold: R) -> Result<Vec<Document>, Error> {
    let mut docs = Vec::new();
    for (i, line) in gold.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                Error::new(ErrorKind::InvalidUtf8, Some(line_no), "")
            } else {
                Error::io(e)
            }
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: GoldRecord = serde_json::from_str(&line).map_err(|e| {
            Error::new(
                ErrorKind::InvalidJson,
                Some(line_no),
                format!("column {}", e.column()),
            )
        })?;
        let mut gold = Vec::new();
        for s in rec.spans {
            let kind = EntityType::from_name(&s.kind).ok_or_else(|| {
                Error::new(ErrorKind::InvalidJson, Some(line_no), "unknown span type")
            })?;
            if s.start < s.end && s.end <= rec.text.len() {
                gold.push(Span {
                    start: s.start,
                    end: s.end,
                    kind,
                    score: 1.0,
                });
            }
        }
        let id = match rec.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        docs.push(Document {
            id,
            text: rec.text,
            gold,
            predicted: Vec::new(),
        });
    }
    Ok(docs)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.overall;
        writeln!(f, "documents: {}", self.documents)?;
        writeln!(
            f,
            "overall   recall {:.4}  precision {:.4}  F2 {:.4}  (tp {} fn {} fp {})",
            o.recall(),
            o.precision(),
            o.f2(),
            o.tp,
            o.fn_,
            o.fp
        )?;
        writeln!(
            f,
            "{:<13} {:>8} {:>8} {:>9} {:>9}",
            "type", "gold", "recall", "predicted", "precision"
        )?;
        for (kind, c) in &self.per_type {
            let pred_tp = self.per_type_pred_tp.get(kind).copied().unwrap_or(0);
            writeln!(
                f,
                "{:<13} {:>8} {:>8.4} {:>9} {:>9.4}",
                kind.as_str(),
                c.tp + c.fn_,
                c.recall(),
                pred_tp + c.fp,
                self.precision_of(*kind)
            )?;
        }
        for (title, list) in [
            ("first misses", &self.misses),
            ("first false alarms", &self.false_alarms),
        ] {
            if !list.is_empty() {
                writeln!(f, "{title}:")?;
                for m in list {
                    writeln!(f, "  {} {}: {}", m.id, m.kind, m.context)?;
                }
            }
        }
        Ok(())
    }
}

/// Reads documents written with inline gold, the form of the hand-written corpus:
///
/// ```text
/// ### note-1: a discharge summary
/// Seen by Dr. {{NAME Okafor}} on {{DATE 3/14/2093}}.
/// ```
///
/// A line starting with `### ` opens a document and names it (the id is what comes before the
/// first colon); the document is every line after it up to the next such line, without trailing
/// blank lines. `{{TYPE text}}` marks `text` as an identifier of `TYPE` and is replaced by `text`.
/// Lines before the first header are a preamble and ignored.
pub fn read_inline(source: &str) -> Result<Vec<Document>, Error> {
    let mut docs: Vec<Document> = Vec::new();
    let mut current: Option<(String, String, Vec<Span>)> = None;
    let finish = |docs: &mut Vec<Document>, doc: Option<(String, String, Vec<Span>)>| {
        if let Some((id, mut text, gold)) = doc {
            let end = text
                .trim_end()
                .len()
                .max(gold.iter().map(|g| g.end).max().unwrap_or(0));
            text.truncate(end);
            docs.push(Document {
                id,
                text,
                gold,
                predicted: Vec::new(),
            });
        }
    };
    for (index, line) in source.split_inclusive('\n').enumerate() {
        let line_no = index as u64 + 1;
        if let Some(header) = line.strip_prefix("### ") {
            finish(&mut docs, current.take());
            let id = header.split(':').next().unwrap_or("").trim().to_string();
            current = Some((id, String::new(), Vec::new()));
            continue;
        }
        let Some((_, text, gold)) = current.as_mut() else {
            continue;
        };
        let bad = |what: &str| Error::new(ErrorKind::InvalidJson, Some(line_no), what.to_string());
        let mut rest = line;
        while let Some(open) = rest.find("{{") {
            text.push_str(&rest[..open]);
            let inner = &rest[open + 2..];
            let close = inner.find("}}").ok_or_else(|| bad("an unclosed {{"))?;
            let (name, value) = inner[..close]
                .split_once(' ')
                .ok_or_else(|| bad("a span without text"))?;
            let kind = EntityType::from_name(name).ok_or_else(|| bad("an unknown span type"))?;
            if value.is_empty() || value.contains("{{") {
                return Err(bad("an empty or nested span"));
            }
            let start = text.len();
            text.push_str(value);
            gold.push(Span {
                start,
                end: text.len(),
                kind,
                score: 1.0,
            });
            rest = &inner[close + 2..];
        }
        if rest.contains("}}") {
            return Err(bad("a }} without its {{"));
        }
        text.push_str(rest);
    }
    finish(&mut docs, current);
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_gold_is_cut_out_of_the_text() {
        let docs = read_inline(
            "preamble\n### a-1: first\nSeen by Dr. {{NAME Okafor}} on {{DATE 3/14}}.\n\n### a-2\nnone\n",
        )
        .expect("well-formed");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, "a-1");
        assert_eq!(docs[0].text, "Seen by Dr. Okafor on 3/14.");
        let cut: Vec<_> = docs[0]
            .gold
            .iter()
            .map(|g| (&docs[0].text[g.start..g.end], g.kind))
            .collect();
        assert_eq!(
            cut,
            [("Okafor", EntityType::Name), ("3/14", EntityType::Date)]
        );
        assert_eq!(
            (docs[1].id.as_str(), docs[1].text.as_str()),
            ("a-2", "none")
        );
    }

    #[test]
    fn fail_malformed_inline_gold() {
        for bad in [
            "### x\n{{NAME Anna\n",
            "### x\n{{PERSON Anna}}\n",
            "### x\n{{NAME}}\n",
            "### x\nAnna}}\n",
        ] {
            assert!(read_inline(bad).is_err(), "{bad:?}");
        }
    }
}
