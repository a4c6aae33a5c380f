//! Single-query latency of the screening engine against the bundled pack plus the OFAC SDN (primary
//! and alternate names) and Consolidated Screening List files in `shared/lists`.
//!
//! `cargo bench -p ictguard-screen --bench latency [-- QUERIES.csv]` prints percentiles and the
//! single-thread rate as one JSON line; `bench/screen.sh` runs it beside the rapidfuzz peer. Queries
//! come from the CSV's `name` column (see `bench/gen_queries.py`), or a built-in mix.

use std::path::PathBuf;
use std::time::Instant;

use ictguard_rules::RulePack;
use ictguard_screen::engine::{Query, ScreenConfig, Screener};
use ictguard_screen::lists::ListSet;

fn main() {
    let lists_dir = std::env::var_os("ICTGUARD_LISTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/lists"
            ))
        });
    let queries_file = std::env::args().skip(1).find(|a| a.ends_with(".csv"));

    let t = Instant::now();
    let mut set = ListSet::new();
    for f in [
        "sdn_2024-05-03.csv",
        "ofac2021_alt.csv",
        "ofac2021_add.csv",
        "csl_2019.csv",
        "ofac2021_dpl.txt",
    ] {
        set.add_file(&lists_dir.join(f)).expect("list loads");
    }
    let loaded = set.finish();
    let entries = loaded.entries.len();
    let screener = Screener::new(RulePack::bundled(), loaded.entries, ScreenConfig::default());
    let build = t.elapsed();

    let names: Vec<String> = match queries_file {
        Some(path) => {
            let mut rdr = csv::Reader::from_path(&path).expect("queries file");
            let col = rdr
                .headers()
                .expect("header")
                .iter()
                .position(|h| h == "name")
                .expect("name column");
            rdr.records()
                .filter_map(|r| r.ok())
                .map(|r| r[col].to_string())
                .filter(|s| !s.is_empty())
                .collect()
        }
        None => [
            "Alipay",
            "支付宝",
            "Tencnet Holdings",
            "Acme Trading LLC",
            "BANCO NACIONAL DE CUBA",
            "John Smith",
            "ByteDance",
            "Golden Star Logistics Co., Ltd.",
        ]
        .iter()
        .cycle()
        .take(20_000)
        .map(|s| s.to_string())
        .collect(),
    };
    let day = chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap();
    let queries: Vec<Query> = names
        .iter()
        .map(|n| Query {
            name: Some(n.clone()),
            ..Query::default()
        })
        .collect();
    // warm up
    for q in queries.iter().take(1000) {
        let _ = screener.screen(q, day);
    }
    let mut lat = Vec::with_capacity(queries.len());
    let all = Instant::now();
    let mut flagged = 0usize;
    for q in &queries {
        let t = Instant::now();
        let r = screener.screen(q, day);
        lat.push(t.elapsed().as_secs_f64());
        if r.map(|r| !r.matches.is_empty()).unwrap_or(false) {
            flagged += 1;
        }
    }
    let total = all.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] * 1e3;
    println!(
        "{{\"tool\":\"ictguard\",\"list_entries\":{entries},\"names\":{},\"build_s\":{:.3},\"queries\":{},\"with_matches\":{flagged},\"single_p50_ms\":{:.4},\"single_p99_ms\":{:.4},\"single_max_ms\":{:.3},\"one_thread_per_s\":{:.0}}}",
        screener.indexed_names(),
        build.as_secs_f64(),
        lat.len(),
        pct(0.50),
        pct(0.99),
        lat[lat.len() - 1] * 1e3,
        lat.len() as f64 / total
    );
}
