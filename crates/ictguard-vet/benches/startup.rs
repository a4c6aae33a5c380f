//! What a process that vets one small APK spends before and during the vetting, phase by phase:
//! loading the bundled rule pack, building the vetter (the screening indexes), and vetting a small
//! corpus APK with a fresh vetter (so that anything built on first use is counted).
//!
//! `cargo bench -p ictguard-vet --bench startup [-- APK]` prints the median of each phase over
//! many repetitions, one JSON line. `bench/vet.sh` measures whole processes against the peers;
//! this splits the in-process part of those figures.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ictguard_rules::RulePack;
use ictguard_vet::{Knowledge, Vetter};

const ROUNDS: usize = 400;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e6
}

fn main() {
    let apk = std::env::args()
        .skip(1)
        .find(|a| a.ends_with(".apk"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus/apk/signing/apksig/golden-aligned-v1v2v3-out.apk"
            ))
        });
    let bytes = std::fs::read(&apk).expect("the APK reads");
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
    let (mut pack_t, mut new_t, mut vet_t) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let pack = RulePack::bundled();
        pack_t.push(t.elapsed());
        let t = Instant::now();
        let vetter = Vetter::new(pack, Knowledge::bundled());
        new_t.push(t.elapsed());
        let t = Instant::now();
        let report = vetter
            .vet("bench.apk", &bytes, as_of)
            .expect("the APK vets");
        vet_t.push(t.elapsed());
        std::hint::black_box(report);
    }
    println!(
        "{{\"apk\":{:?},\"bytes\":{},\"rounds\":{ROUNDS},\"pack_us\":{:.1},\"vetter_new_us\":{:.1},\"vet_us\":{:.1}}}",
        apk.display().to_string(),
        bytes.len(),
        median(pack_t),
        median(new_t),
        median(vet_t)
    );
}
