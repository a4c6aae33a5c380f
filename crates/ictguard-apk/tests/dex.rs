//! The DEX reader on the corpus's DEX files and multidex APKs.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ictguard_apk::dex::{java_name, Dex};

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/apk")
        .join(rel)
}

fn classes(path: &str) -> BTreeSet<String> {
    let bytes = std::fs::read(corpus(path)).unwrap();
    Dex::parse(&bytes)
        .unwrap()
        .class_descriptors()
        .map(|c| java_name(&c))
        .collect()
}

#[test]
fn every_corpus_dex_parses_with_its_version() {
    let mut seen = 0;
    let mut stack = vec![corpus("")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "dex") {
                let bytes = std::fs::read(&p).unwrap();
                let dex = Dex::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                assert_eq!(
                    format!("{:03}", dex.version),
                    String::from_utf8_lossy(&bytes[4..7])
                );
                assert!(
                    dex.strings().count() == dex.string_count(),
                    "{}: every string decodes",
                    p.display()
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 20, "{seen} DEX files");
}

#[test]
fn the_same_library_compiled_by_dx_and_d8_defines_the_same_classes() {
    for v in ["038", "039"] {
        let dx = classes(&format!("tests/okhttp.dx.{v}.dex"));
        let d8 = classes(&format!("tests/okhttp.d8.{v}.dex"));
        assert!(dx.len() > 100, "{}", dx.len());
        // d8 adds the classes it synthesises for desugared lambdas, and nothing else
        assert!(dx.is_subset(&d8), "version {v}");
        assert!(
            d8.difference(&dx).all(|c| c.contains("-$$Lambda$")),
            "version {v}"
        );
        assert!(dx.contains("okhttp3.OkHttpClient"));
    }
}

#[test]
fn multidex_archives_list_and_read_every_classes_file() {
    let bytes = std::fs::read(corpus("tests/multidex/multidex.apk")).unwrap();
    let zip = ictguard_apk::Zip::parse(&bytes).unwrap();
    let inventory = ictguard_apk::inventory::Inventory::of(&zip);
    assert!(inventory.dex.len() >= 2, "{:?}", inventory.dex);
    assert_eq!(inventory.dex[0], "classes.dex");
    assert_eq!(inventory.dex[1], "classes2.dex");
    for name in &inventory.dex {
        let data = zip.read_by_name(name).unwrap().unwrap();
        assert!(
            Dex::parse(&data).unwrap().class_descriptors().count() > 0,
            "{name}"
        );
    }
}
