//! The dated case table (`tests/data/dated_cases.csv`): what the law answered for a party, an app
//! or a device on a date from September 2020 to December 2026, each row with its source. The rows
//! were written from the Federal Register, the statutes, court records and (where marked)
//! reporting, not from this crate's output; a row that fails is a wrong answer or a wrong row,
//! and either is a finding.

use chrono::NaiveDate;
use ictguard_rules::RulePack;
use ictguard_screen::engine::{Query, ScreenConfig, Screener};

#[derive(Debug, serde::Deserialize)]
struct Case {
    date: String,
    field: String,
    value: String,
    kind: String,
    decision: String,
    order: String,
    status: String,
    source: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/dated_cases.csv");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    csv::Reader::from_reader(body.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("the case table parses")
}

/// The outcome of one row as (decision, status of the named order or list), or a reason it
/// could not be checked.
fn outcome(screener: &Screener, c: &Case, day: NaiveDate) -> Result<(String, String), String> {
    let pack = screener.pack();
    if c.field == "order" {
        let st = pack
            .status_of(&c.value, day, None)
            .ok_or(format!("no order {}", c.value))?;
        return Ok((String::new(), st.status.as_str().to_string()));
    }
    let text = |f: &str| (c.field == f).then(|| c.value.clone());
    let q = Query {
        name: text("name"),
        app: text("app"),
        package: text("package"),
        country: text("country"),
        kind: (!c.kind.is_empty()).then(|| c.kind.clone()),
        // a country alone is no query: screen a name nothing matches beside it
        ..Query::default()
    };
    let q = if c.field == "country" {
        Query {
            name: Some("Northwind Traders".into()),
            ..q
        }
    } else {
        q
    };
    let r = screener.screen(&q, day).map_err(|e| e.to_string())?;
    let decision = r.decision.as_str().to_string();
    if c.field == "country" {
        let listed = r.country.iter().any(|f| f.list == c.order);
        let status = match (c.order.as_str(), listed, r.country.is_empty()) {
            ("-", _, true) => "-",
            (_, true, _) => "listed",
            _ => "not listed",
        };
        return Ok((decision, status.to_string()));
    }
    let Some(top) = r.matches.first() else {
        return Ok((decision, "-".into()));
    };
    let status = match c.order.as_str() {
        "-" if top.orders.is_empty() => "-".to_string(),
        "-" => format!(
            "orders {:?}",
            top.orders.iter().map(|o| &o.id).collect::<Vec<_>>()
        ),
        id => top
            .orders
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.status.as_str().to_string())
            .unwrap_or_else(|| format!("{id} not among {}'s orders", top.id)),
    };
    Ok((decision, status))
}

#[test]
fn the_law_on_every_date_of_the_table() {
    let screener = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
    let table = cases();
    assert!(
        table.len() >= 80,
        "at least 80 dated cases, got {}",
        table.len()
    );
    let mut wrong = Vec::new();
    for c in &table {
        assert!(
            !c.source.trim().is_empty(),
            "every row cites its source: {c:?}"
        );
        let day = NaiveDate::parse_from_str(&c.date, "%Y-%m-%d").expect("a date");
        match outcome(&screener, c, day) {
            Ok((decision, status)) if decision == c.decision && status == c.status => {}
            Ok((decision, status)) => wrong.push(format!(
                "{} {} {:?} kind {:?}: got {decision} / {status}, want {} / {} ({})",
                c.date, c.field, c.value, c.kind, c.decision, c.status, c.source
            )),
            Err(e) => wrong.push(format!("{} {} {:?}: {e}", c.date, c.field, c.value)),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases wrong:\n{}",
        wrong.len(),
        table.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_table_spans_september_2020_to_december_2026() {
    let dates: Vec<String> = cases().into_iter().map(|c| c.date).collect();
    assert!(dates.iter().any(|d| d.starts_with("2020-09")));
    assert!(dates.iter().any(|d| d.starts_with("2026-12")));
}

/// After the date the pack's facts were checked, an answer says so, and a match to something an
/// order covers is no longer allowed on the pack's word alone.
#[test]
fn past_the_horizon_a_covered_match_is_reviewed_and_says_why() {
    let screener = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
    let stamp = screener
        .pack()
        .stamp()
        .expect("the bundled pack has a stamp");
    // the version is named for the date the facts were checked
    assert_eq!(
        stamp.version,
        stamp.verified_through.format("%Y.%m.%d").to_string()
    );
    let wechat = Query {
        app: Some("WeChat".into()),
        ..Query::default()
    };
    let on = screener.screen(&wechat, stamp.verified_through).unwrap();
    assert_eq!((on.decision.as_str(), on.warnings.len()), ("allow", 0));
    assert_eq!(on.pack.as_ref(), Some(&stamp));
    let later = stamp.verified_through + chrono::Days::new(30);
    let after = screener.screen(&wechat, later).unwrap();
    assert_eq!(after.decision.as_str(), "review");
    assert_eq!(after.warnings.len(), 1);
    assert!(after.matches[0]
        .reason
        .contains("after the pack's facts were checked"));
    // nothing covered, nothing to doubt: still allow, with the warning
    let nobody = Query {
        name: Some("Northwind Traders".into()),
        ..Query::default()
    };
    let r = screener.screen(&nobody, later).unwrap();
    assert_eq!((r.decision.as_str(), r.warnings.len()), ("allow", 1));
}

/// The optional pack of state device bans (`rules/optional/us-states`): a state's rule binds in
/// that state, needs the state to block, and does not reach another state.
#[test]
fn state_device_bans_bind_in_their_state_only() {
    use ictguard_rules::Layer;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/optional/us-states");
    let states = Layer::read_dir(&dir).expect("the optional pack reads");
    let pack = RulePack::from_layers(&[Layer::bundled(), states]).expect("and merges");
    let screener = Screener::new(pack, Vec::new(), ScreenConfig::default());
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let ask = |app: &str, state: Option<&str>, on: &str| {
        let q = Query {
            app: Some(app.into()),
            kind: Some("state_agency_device".into()),
            state: state.map(String::from),
            ..Query::default()
        };
        screener
            .screen(&q, day(on))
            .unwrap()
            .decision
            .as_str()
            .to_string()
    };
    // Texas directive of 2025-01-31 (DeepSeek, RedNote, Lemon8 and three brokers)
    assert_eq!(ask("DeepSeek", Some("TX"), "2025-01-30"), "allow");
    assert_eq!(ask("DeepSeek", Some("US-TX"), "2025-01-31"), "block");
    assert_eq!(ask("RedNote", Some("tx"), "2025-03-01"), "block");
    assert_eq!(ask("Lemon8", Some("TX"), "2025-03-01"), "block");
    // New York (2025-02-10) and Virginia (2025-02-11) named DeepSeek only
    assert_eq!(ask("DeepSeek", Some("NY"), "2025-02-09"), "allow");
    assert_eq!(ask("DeepSeek", Some("NY"), "2025-02-10"), "block");
    assert_eq!(ask("DeepSeek", Some("VA"), "2025-02-11"), "block");
    assert_eq!(ask("RedNote", Some("VA"), "2025-03-01"), "allow");
    // no state: a review naming the states; another state: none of them applies
    assert_eq!(ask("DeepSeek", None, "2025-03-01"), "review");
    assert_eq!(ask("DeepSeek", Some("CA"), "2025-03-01"), "allow");
    // a state that is no state is refused, not read as "elsewhere"
    for bad in ["Texas", "ZZZ", "T1", "ZZ", "US-ZZ"] {
        let q = Query {
            app: Some("DeepSeek".into()),
            kind: Some("state_agency_device".into()),
            state: Some(bad.into()),
            ..Query::default()
        };
        assert!(screener.screen(&q, day("2025-03-01")).is_err(), "{bad}");
    }
    // a state with no rule loaded says so, one with rules does not; the bundled pack alone has none
    let warned = |screener: &Screener, state: &str| {
        let q = Query {
            package: Some("com.zhiliaoapp.musically".into()),
            kind: Some("state_agency_device".into()),
            state: Some(state.into()),
            ..Query::default()
        };
        let r = screener.screen(&q, day("2025-03-01")).unwrap();
        r.warnings.iter().any(|w| w.contains("no rule of"))
    };
    assert!(!warned(&screener, "TX"));
    assert!(warned(&screener, "CA"));
    let bundled = Screener::new(RulePack::bundled(), Vec::new(), ScreenConfig::default());
    assert!(warned(&bundled, "TX"));
    // not a state-device question at all: the state rules stay out of it
    let payments = Query {
        app: Some("DeepSeek".into()),
        kind: Some("payments".into()),
        ..Query::default()
    };
    assert_eq!(
        screener
            .screen(&payments, day("2025-03-01"))
            .unwrap()
            .decision
            .as_str(),
        "allow"
    );
}

#[derive(Debug, serde::Deserialize)]
struct StateCase {
    date: String,
    state: String,
    field: String,
    value: String,
    decision: String,
    source: String,
}

/// The state table (`tests/data/state_cases.csv`): for every state whose TikTok ban on its own
/// devices was found with a date (35 of them), the day before it took effect and the day it did,
/// and the other apps and makers some instruments named. Screened as a state agency's device in
/// that state, with the optional pack loaded; every failing row is listed.
#[test]
fn every_states_device_ban_from_its_day() {
    use ictguard_rules::Layer;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/optional/us-states");
    let pack = RulePack::from_layers(&[Layer::bundled(), Layer::read_dir(&dir).unwrap()]).unwrap();
    let screener = Screener::new(pack, Vec::new(), ScreenConfig::default());
    let text = include_str!("data/state_cases.csv");
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let rows: Vec<StateCase> = csv::Reader::from_reader(body.join("\n").as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("the state table parses");
    let states: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.decision == "block" && r.value == "com.zhiliaoapp.musically")
        .map(|r| r.state.as_str())
        .collect();
    assert!(states.len() >= 30, "TikTok bans of {} states", states.len());
    let mut wrong = Vec::new();
    for r in &rows {
        let day = NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").unwrap();
        let field = |f: &str| (r.field == f).then(|| r.value.clone());
        let q = Query {
            name: field("name"),
            app: field("app"),
            package: field("package"),
            kind: Some("state_agency_device".into()),
            state: Some(r.state.clone()),
            ..Query::default()
        };
        let got = screener.screen(&q, day).expect("screens");
        if got.decision.as_str() != r.decision {
            wrong.push(format!(
                "{} {} {}={}: expected {}, got {} ({}) [{}]",
                r.date,
                r.state,
                r.field,
                r.value,
                r.decision,
                got.decision.as_str(),
                got.reasons.join("; "),
                r.source
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
