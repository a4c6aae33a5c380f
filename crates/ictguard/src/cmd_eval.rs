//! `ictguard eval`: precision and recall of name matching on a labelled query set.
//!
//! Each line of the set is `{"query": "...", "field": "name", "expect": ["alipay"], "tag": "..."}`.
//! `expect` lists the ids any of which is a correct answer; an empty list marks a hard negative that
//! must match nothing. The prediction is the best-scoring match at or above the review threshold.
//! Precision = correct predictions / predictions; recall = correct predictions / queries that
//! expect a match.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{bail, Context};
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Query, Screener};
use serde::Deserialize;

use crate::cli::{EvalArgs, PairSplit};
use crate::Outcome;

/// The bundled evaluation set.
const BUNDLED: &str = include_str!("../../../eval/screening.jsonl");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    query: String,
    #[serde(default = "default_field")]
    field: String,
    expect: Vec<String>,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    note: String,
}

fn default_field() -> String {
    "name".into()
}

/// Counts for one slice of the set.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Correct predictions.
    pub tp: u32,
    /// Predictions that were wrong (a negative matched, or the wrong id).
    pub fp: u32,
    /// Positives with no correct prediction.
    pub fn_: u32,
    /// Queries.
    pub n: u32,
}

impl Tally {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

pub fn run(pack: RulePack, args: &EvalArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.pairs {
        return run_pairs(path, args);
    }
    let text = match &args.file {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => BUNDLED.to_string(),
    };
    let config = crate::cmd_screen::config_from(&args.thresholds)?;
    let screener = Screener::new(pack, Vec::new(), config);
    let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).expect("valid date");
    let mut total = Tally::default();
    let mut by_tag: BTreeMap<String, Tally> = BTreeMap::new();
    let mut out = std::io::stdout().lock();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let item: Labelled =
            serde_json::from_str(line).with_context(|| format!("eval set line {}", i + 1))?;
        let mut q = Query::default();
        match item.field.as_str() {
            "name" => q.name = Some(item.query.clone()),
            "app" => q.app = Some(item.query.clone()),
            "package" => q.package = Some(item.query.clone()),
            "bundle" => q.bundle = Some(item.query.clone()),
            other => bail!("eval set line {}: unknown field {other:?}", i + 1),
        }
        let predicted = match screener.screen(&q, day) {
            Ok(mut r) => {
                // best score first; among equals the engine's own order (exact full name first)
                r.matches.sort_by(|a, b| b.score.total_cmp(&a.score));
                r.matches.into_iter().next().map(|m| (m.id, m.score))
            }
            Err(_) => None,
        };
        let tag = if item.tag.is_empty() {
            "untagged".to_string()
        } else {
            item.tag.clone()
        };
        let t = by_tag.entry(tag).or_default();
        t.n += 1;
        total.n += 1;
        let verdict = match (&predicted, item.expect.is_empty()) {
            (Some((id, _)), false) if item.expect.contains(id) => "tp",
            (Some(_), false) => "wrong",
            (None, false) => "miss",
            (Some(_), true) => "fp",
            (None, true) => "tn",
        };
        for t in [&mut *t, &mut total] {
            match verdict {
                "tp" => t.tp += 1,
                "wrong" => {
                    t.fp += 1;
                    t.fn_ += 1;
                }
                "miss" => t.fn_ += 1,
                "fp" => t.fp += 1,
                _ => {}
            }
        }
        if args.verbose && !matches!(verdict, "tp" | "tn") {
            let got = predicted
                .map(|(id, s)| format!("{id} ({s:.3})"))
                .unwrap_or_else(|| "nothing".into());
            writeln!(
                out,
                "{verdict:<5} line {:>3}: {:?} ({}) expected {:?}, got {got}  {}",
                i + 1,
                item.query,
                item.field,
                item.expect,
                item.note
            )?;
        }
    }
    // precision and recall are undefined for a slice of hard negatives: it shows its false positives
    let row = |tag: &str, t: &Tally| {
        let fmt = |v: f64, defined: bool| {
            if defined {
                format!("{v:.3}")
            } else {
                "-".into()
            }
        };
        let has_positives = t.tp + t.fn_ > 0;
        format!(
            "{tag:<22} {:>5} {:>6} {:>10} {:>8}",
            t.n,
            t.fp,
            fmt(t.precision(), has_positives),
            fmt(t.recall(), has_positives)
        )
    };
    writeln!(
        out,
        "{:<22} {:>5} {:>6} {:>10} {:>8}",
        "slice", "n", "fp", "precision", "recall"
    )?;
    for (tag, t) in &by_tag {
        writeln!(out, "{}", row(tag, t))?;
    }
    writeln!(out, "{}", row("ALL", &total))?;
    if let Some(min) = args.min {
        if total.precision() < min || total.recall() < min {
            writeln!(out, "below the floor of {min}")?;
            return Ok(Outcome::Flagged);
        }
    }
    Ok(Outcome::Clean)
}

/// `eval --pairs`: precision, recall and F1 per category of a labelled pair set, at the review
/// threshold. The row "linkable" leaves out `other_name` pairs (aliases that share no spelling with
/// the listed name, which no name matcher can link); `--min` applies to its F1.
fn run_pairs(path: &std::path::Path, args: &EvalArgs) -> anyhow::Result<Outcome> {
    use ictguard_screen::pairs::{predict, LabelledPair};
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let p: LabelledPair = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", path.display(), i + 1))?;
        let wanted = match args.split {
            PairSplit::All => true,
            PairSplit::Dev => p.split == "dev",
            PairSplit::Test => p.split == "test",
        };
        if wanted {
            pairs.push(p);
        }
    }
    let config = crate::cmd_screen::config_from(&args.thresholds)?;
    let scores = predict(&pairs, config.review_threshold);
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut all, mut linkable) = (Tally::default(), Tally::default());
    let mut out = std::io::stdout().lock();
    for (p, score) in pairs.iter().zip(&scores) {
        let t = by_category.entry(p.category.clone()).or_default();
        let tallies: Vec<&mut Tally> = if p.category == "other_name" {
            vec![t, &mut all]
        } else {
            vec![t, &mut all, &mut linkable]
        };
        for t in tallies {
            t.n += 1;
            match (score.is_some(), p.label) {
                (true, true) => t.tp += 1,
                (true, false) => t.fp += 1,
                (false, true) => t.fn_ += 1,
                (false, false) => {}
            }
        }
        if args.verbose && score.is_some() != p.label {
            writeln!(
                out,
                "{:<4} {:<16} {:?} / {:?} {}",
                if p.label { "miss" } else { "fp" },
                p.category,
                p.query,
                p.candidate,
                score.map(|s| format!("({s:.3})")).unwrap_or_default()
            )?;
        }
    }
    let f1 = |t: &Tally| {
        let (p, r) = (t.precision(), t.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    };
    let row = |name: &str, t: &Tally| {
        if t.tp + t.fn_ == 0 {
            format!(
                "{name:<22} {:>5} {:>6} {:>10} {:>8} {:>6}",
                t.n, t.fp, "-", "-", "-"
            )
        } else {
            format!(
                "{name:<22} {:>5} {:>6} {:>10.3} {:>8.3} {:>6.3}",
                t.n,
                t.fp,
                t.precision(),
                t.recall(),
                f1(t)
            )
        }
    };
    writeln!(
        out,
        "{:<22} {:>5} {:>6} {:>10} {:>8} {:>6}",
        "category", "n", "fp", "precision", "recall", "F1"
    )?;
    for (c, t) in &by_category {
        writeln!(out, "{}", row(c, t))?;
    }
    writeln!(out, "{}", row("ALL", &all))?;
    writeln!(out, "{}", row("linkable (not other_name)", &linkable))?;
    if let Some(min) = args.min {
        if f1(&linkable) < min {
            writeln!(out, "F1 below the floor of {min}")?;
            return Ok(Outcome::Flagged);
        }
    }
    Ok(Outcome::Clean)
}
