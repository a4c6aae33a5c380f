//! The rule pack that ships inside the binary (the files under `rules/` at the workspace root).

use crate::pack::Layer;

macro_rules! bundle {
    ($($path:literal),* $(,)?) => {
        /// Every bundled file, by its path relative to `rules/`.
        pub(crate) const FILES: &[(&str, &str)] = &[
            $(($path, include_str!(concat!("../../../rules/", $path)))),*
        ];
    };
}

bundle!(
    "pack.toml",
    "apps.toml",
    "entities.toml",
    "courts.toml",
    "countries.toml",
    "orders/2020-tiktok.toml",
    "orders/2020-wechat.toml",
    "orders/2021-eo13971.toml",
    "orders/2021-eo14034.toml",
    "orders/2024-pafaca.toml",
    "orders/2025-dsp.toml",
);

/// The bundled files as a loader layer.
pub(crate) fn layer() -> Layer {
    Layer::from_files(
        FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_rules_is_bundled() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules");
        let on_disk =
            crate::pack::Layer::read_dir(std::path::Path::new(root)).expect("rules/ readable");
        let bundled = layer();
        assert_eq!(
            on_disk.names(),
            bundled.names(),
            "add new rules/ files to bundled.rs"
        );
    }
}
