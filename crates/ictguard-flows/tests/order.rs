//! Unsorted logs: put in date order by `DateSorter` (in memory or through runs on disk), every
//! transfer is classified exactly as in the same log sorted — the twelve-month windows and the
//! running volumes come out the same — on random logs and random orders.

use chrono::{Days, NaiveDate};
use ictguard_flows::record::Transfer;
use ictguard_flows::{Auditor, DateSorter};
use ictguard_rules::RulePack;
use proptest::prelude::*;

const PARTIES: [(&str, &str); 4] = [
    ("Shenzhen Data Co.", "CN"),
    ("Moscow Analytics", "RU"),
    ("Tehran Cloud", "IR"),
    ("Berlin Hosting GmbH", "DE"),
];

/// A log of transfers on distinct days (one day's transfers have no order to keep) from 2024 to
/// 2027, to a few counterparties, in categories and volumes around the rule's thresholds.
fn log() -> impl Strategy<Value = Vec<Transfer>> {
    prop::collection::btree_set(0u64..1400, 1..60).prop_flat_map(|days| {
        let n = days.len();
        (
            Just(days.into_iter().collect::<Vec<_>>()),
            prop::collection::vec((0usize..4, 1u8..64, 1u64..2_000_000, any::<bool>()), n),
        )
            .prop_map(|(days, rows)| {
                let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
                days.iter()
                    .zip(rows)
                    .enumerate()
                    .map(|(i, (d, (p, cats, n, gov)))| Transfer {
                        line: i as u64 + 2,
                        date: start + Days::new(*d),
                        counterparty: PARTIES[p].0.into(),
                        country: PARTIES[p].1.into(),
                        parent: None,
                        kind: ["data_brokerage", "vendor", "employment", "investment"][p].into(),
                        categories: cats,
                        us_persons: n,
                        government_related: gov && n % 7 == 0,
                        exemption: None,
                    })
                    .collect()
            })
    })
}

/// Each transfer's classification as the audit gives it, by line, for transfers in `order`.
fn audit(order: impl Iterator<Item = Transfer>) -> Vec<(u64, String)> {
    let mut auditor = Auditor::new(RulePack::bundled(), "28-CFR-202", None).unwrap();
    let mut out: Vec<(u64, String)> = order
        .map(|t| {
            let r = auditor.classify(&t).expect("in date order");
            (t.line, serde_json::to_string(&r).unwrap())
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn an_unsorted_log_is_audited_as_the_sorted_one(
        transfers in log(),
        shuffle in any::<prop::sample::Index>(),
        in_memory in 1usize..80,
    ) {
        // the log in a scrambled order: a rotation and a reversal of its halves
        let mut scrambled = transfers.clone();
        let k = shuffle.index(scrambled.len());
        scrambled.rotate_left(k);
        let half = scrambled.len() / 2;
        scrambled[..half].reverse();
        let mut sorter = DateSorter::new(in_memory);
        for t in scrambled {
            sorter.push(t).unwrap();
        }
        let sorted = sorter.finish().unwrap().map(Result::unwrap);
        prop_assert_eq!(audit(sorted), audit(transfers.into_iter()));
    }
}
