//! The rule pack that ships inside the binary: the files of `bundled/`, a generated copy of
//! `rules/` at the workspace root (see `tests/bundled.rs`, which makes it and checks that it is
//! current).
//!
//! A new file under `rules/` is added in two steps: regenerate `bundled/`
//! (`ICTGUARD_REGENERATE=1 cargo test -p ictguard-rules --test bundled`), then list it below (a
//! test fails until it is). In that order, because the crate does not compile while a listed
//! file is missing.

use crate::pack::Layer;

macro_rules! bundle {
    ($($path:literal),* $(,)?) => {
        /// Every bundled file, by its path relative to `rules/`: its TOML text, and the JSON twin of
        /// its items made from it by `tests/bundled.rs` (what the loader reads).
        pub(crate) const FILES: &[(&str, &str, &str)] = &[
            $((
                $path,
                include_str!(concat!("../bundled/", $path)),
                include_str!(concat!("../bundled/", $path, ".json")),
            )),*
        ];
    };
}

bundle!(
    "pack.toml",
    "apps.toml",
    "entities.toml",
    "courts.toml",
    "countries.toml",
    "orders/2019-federal-procurement.toml",
    "orders/2020-tiktok.toml",
    "orders/2020-wechat.toml",
    "orders/2021-eo13971.toml",
    "orders/2021-eo14034.toml",
    "orders/2021-fcc-covered-list.toml",
    "orders/2023-government-devices.toml",
    "orders/2024-kaspersky.toml",
    "orders/2024-pafaca.toml",
    "orders/2025-connected-vehicles.toml",
    "orders/2025-dsp.toml",
);

impl Layer {
    /// The pack compiled into the binary, as a layer.
    pub fn bundled() -> Self {
        Layer::compiled(FILES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_bundled_is_compiled_in() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/bundled");
        let on_disk =
            crate::pack::Layer::read_dir(std::path::Path::new(root)).expect("bundled/ readable");
        let bundled = Layer::bundled();
        assert_eq!(
            on_disk.names(),
            bundled.names(),
            "add new bundled/ files to bundled.rs"
        );
    }

    #[test]
    fn the_compiled_files_load_as_the_toml_does() {
        // the same pack, origins included, from the JSON twins and from the TOML texts
        let toml = Layer::from_files(
            FILES
                .iter()
                .map(|(n, t, _)| (n.to_string(), t.to_string()))
                .collect(),
        );
        let from_toml = crate::RulePack::from_layers(&[toml]).expect("the TOML loads");
        let compiled = crate::RulePack::from_layers(&[Layer::bundled()]).expect("the twins load");
        assert!(!compiled.orders.is_empty() && !compiled.apps.is_empty());
        // every field but the id index (a HashMap, whose order differs), which both rebuild alike
        let fields = |p: &crate::RulePack| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                p.meta,
                p.orders,
                p.apps,
                p.entities,
                p.cases,
                p.country_lists,
                p.criteria,
                p.data_rules,
                p.sources
            )
        };
        assert_eq!(fields(&compiled), fields(&from_toml));
    }
}
