//! A loaded rule pack: parsed files merged into one set of items, validated, indexed by id.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::diagnostic::{Diagnostic, PackErrors, SourceText};
use crate::model::{
    App, Case, CountryList, Criterion, DataRule, Entity, FileItems, Order, PackFile, PackMeta,
};

/// The checks every loaded pack passes (references resolve, dates are possible).
pub(crate) mod validate;

/// Largest pack file we read: packs are hand-written text, so anything bigger is a mistake.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Most files in one pack directory.
pub const MAX_FILES: usize = 1_000;

/// How a user's pack combines with the bundled one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Combine {
    /// The user's items are added; an item with a bundled item's id replaces it.
    #[default]
    Merge,
    /// Only the user's pack is used.
    Replace,
}

/// Where an item was defined, kept with every item so that evidence and diagnostics can name the
/// file and line a reviewer should read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Index into [`RulePack::sources`].
    pub file: usize,
    /// Byte span of the item's table.
    pub span: Range<usize>,
}

/// An item with the place it came from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The item.
    pub item: T,
    /// Where it was defined.
    pub origin: Origin,
}

/// A validated rule pack: every reference resolves and every date is possible, so that status and
/// screening code can trust it without checking again.
#[derive(Debug, Clone, Default)]
pub struct RulePack {
    /// Pack metadata (the last file layer that has it wins).
    pub meta: Option<PackMeta>,
    /// Orders in file order.
    pub orders: Vec<Located<Order>>,
    /// Covered apps.
    pub apps: Vec<Located<App>>,
    /// Entities.
    pub entities: Vec<Located<Entity>>,
    /// Court cases.
    pub cases: Vec<Located<Case>>,
    /// Country lists.
    pub country_lists: Vec<Located<CountryList>>,
    /// Evaluation criteria.
    pub criteria: Vec<Located<Criterion>>,
    /// Data-transfer rules.
    pub data_rules: Vec<Located<DataRule>>,
    /// The texts the items came from, for diagnostics.
    pub sources: Vec<SourceText>,
    index: HashMap<String, (ItemKind, usize)>,
}

/// The kinds of item a pack holds; ids are unique across all kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// An order.
    Order,
    /// An app.
    App,
    /// An entity.
    Entity,
    /// A court case.
    Case,
    /// A country list.
    CountryList,
    /// A criterion.
    Criterion,
    /// A data-transfer rule.
    DataRule,
}

impl ItemKind {
    /// The TOML table name.
    pub fn table(self) -> &'static str {
        match self {
            ItemKind::Order => "order",
            ItemKind::App => "app",
            ItemKind::Entity => "entity",
            ItemKind::Case => "case",
            ItemKind::CountryList => "country_list",
            ItemKind::Criterion => "criterion",
            ItemKind::DataRule => "data_rule",
        }
    }
}

/// One layer of files (the bundled pack, or a user's directory). Packs are loaded as layers so
/// that an organisation can add or correct items without copying the bundled pack: a later layer
/// replaces an earlier one's item of the same id ([`RulePack::from_layers`]).
#[derive(Debug, Clone, Default)]
pub struct Layer {
    files: Vec<LayerFile>,
}

/// A file of a layer.
#[derive(Debug, Clone)]
struct LayerFile {
    name: String,
    /// The TOML text (the source of truth; diagnostics and origins point into it), borrowed from
    /// the binary for a bundled file.
    text: std::borrow::Cow<'static, str>,
    /// For a bundled file: its items compiled to JSON at build time, read instead of the TOML.
    compiled: Option<&'static str>,
}

impl Layer {
    /// A layer from in-memory files (name, text).
    pub fn from_files(files: Vec<(String, String)>) -> Self {
        Layer {
            files: files
                .into_iter()
                .map(|(name, text)| LayerFile {
                    name,
                    text: text.into(),
                    compiled: None,
                })
                .collect(),
        }
    }

    /// A layer of files compiled in: (name, TOML text, the JSON twin of its items).
    pub(crate) fn compiled(files: &[(&str, &'static str, &'static str)]) -> Self {
        Layer {
            files: files
                .iter()
                .map(|(name, text, json)| LayerFile {
                    name: name.to_string(),
                    text: std::borrow::Cow::Borrowed(text),
                    compiled: Some(json),
                })
                .collect(),
        }
    }

    /// File names in this layer, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.files.iter().map(|f| f.name.clone()).collect();
        v.sort();
        v
    }

    /// Every `*.toml` under `dir`, recursively, in name order.
    pub fn read_dir(dir: &Path) -> Result<Self, PackErrors> {
        let mut paths = Vec::new();
        collect_toml(dir, &mut paths)
            .map_err(|e| single(dir.display().to_string(), 0, "", e.to_string()))?;
        if paths.is_empty() {
            return Err(single(
                dir.display().to_string(),
                0,
                "",
                "no .toml files found".into(),
            ));
        }
        if paths.len() > MAX_FILES {
            return Err(single(
                dir.display().to_string(),
                0,
                "",
                format!("more than {MAX_FILES} files"),
            ));
        }
        paths.sort();
        let mut files = Vec::new();
        let mut errors = PackErrors::default();
        for p in paths {
            let name = p.strip_prefix(dir).unwrap_or(&p).display().to_string();
            match read_limited(&p) {
                Ok(text) => files.push(LayerFile {
                    name,
                    text: text.into(),
                    compiled: None,
                }),
                Err(e) => errors.diagnostics.push(Diagnostic {
                    file: name,
                    line: 0,
                    field: String::new(),
                    message: e.to_string(),
                }),
            }
        }
        if errors.diagnostics.is_empty() {
            Ok(Layer { files })
        } else {
            Err(errors)
        }
    }
}

fn single(file: String, line: usize, field: &str, message: String) -> PackErrors {
    PackErrors {
        diagnostics: vec![Diagnostic {
            file,
            line,
            field: field.into(),
            message,
        }],
    }
}

/// Why a directory of pack files could not be listed.
#[derive(Debug, thiserror::Error)]
enum DirError {
    /// The directory (or one under it) could not be read.
    #[error("cannot read directory: {0}")]
    ReadDir(std::io::Error),
    /// An entry's type could not be told.
    #[error("{0}")]
    FileType(std::io::Error),
}

fn collect_toml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), DirError> {
    let entries = std::fs::read_dir(dir).map_err(DirError::ReadDir)?;
    for entry in entries {
        let entry = entry.map_err(DirError::ReadDir)?;
        let path = entry.path();
        let ft = entry.file_type().map_err(DirError::FileType)?;
        if ft.is_dir() {
            if out.len() <= MAX_FILES {
                collect_toml(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Why a pack file could not be read as text.
#[derive(Debug, thiserror::Error)]
enum FileError {
    /// The file system refused.
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// Bigger than a pack file may be (a user's directory is outside input).
    #[error("file is {size} bytes; pack files are limited to {MAX_FILE_BYTES}")]
    TooBig {
        /// Its size in bytes.
        size: u64,
    },
    /// Not UTF-8.
    #[error("not UTF-8 text (byte {valid_up_to})")]
    NotUtf8 {
        /// How many bytes from the start are valid UTF-8.
        valid_up_to: usize,
    },
}

fn read_limited(path: &Path) -> Result<String, FileError> {
    let meta = std::fs::metadata(path).map_err(FileError::Read)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(FileError::TooBig { size: meta.len() });
    }
    let bytes = std::fs::read(path).map_err(FileError::Read)?;
    String::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
        valid_up_to: e.utf8_error().valid_up_to(),
    })
}

impl RulePack {
    /// Build a pack from layers: later layers override earlier ones item by item (same id).
    /// Duplicate ids inside one layer, and every validation problem, are errors.
    pub fn from_layers(layers: &[Layer]) -> Result<RulePack, PackErrors> {
        let mut pack = RulePack::default();
        let mut errors = Vec::new();
        for layer in layers {
            // id → (file, span) of its first definition in this layer (the line is worked out
            // only for a duplicate's message)
            let mut seen_in_layer: HashMap<String, (usize, Range<usize>)> = HashMap::new();
            for LayerFile {
                name,
                text,
                compiled,
            } in &layer.files
            {
                let file = pack.sources.len();
                pack.sources
                    .push(SourceText::new(name.clone(), text.clone()));
                let parsed: FileItems = match compiled {
                    Some(json) => match serde_json::from_str(json) {
                        Ok(p) => p,
                        Err(e) => {
                            // the build compiled it from this very text: a build defect
                            errors.push(Diagnostic {
                                file: name.clone(),
                                line: 0,
                                field: String::new(),
                                message: format!("the compiled form does not load: {e}"),
                            });
                            continue;
                        }
                    },
                    None => match toml::from_str::<PackFile>(text) {
                        Ok(p) => p.into(),
                        Err(e) => {
                            errors.push(parse_diagnostic(&pack.sources[file], &e));
                            continue;
                        }
                    },
                };
                if let Some(meta) = parsed.pack {
                    pack.meta = Some(meta);
                }
                macro_rules! take {
                    ($list:expr, $field:ident, $kind:expr) => {
                        for (span, item) in $list {
                            let id = item.id.clone();
                            let origin = Origin { file, span };
                            if let Some((pf, pspan)) = seen_in_layer.get(&id) {
                                let src = &pack.sources[file];
                                let pline = pack.sources[*pf].field_line(pspan, &[("id", None)]);
                                errors.push(Diagnostic {
                                    file: src.name.clone(),
                                    line: src.field_line(&origin.span, &[("id", None)]),
                                    field: format!("{}[{id}].id", $kind.table()),
                                    message: format!(
                                        "duplicate id {id:?}: already defined at {}:{pline}",
                                        pack.sources[*pf].name
                                    ),
                                });
                                continue;
                            }
                            seen_in_layer.insert(id.clone(), (file, origin.span.clone()));
                            pack.remove_item(&id);
                            pack.$field.push(Located { item, origin });
                        }
                    };
                }
                take!(parsed.order, orders, ItemKind::Order);
                take!(parsed.app, apps, ItemKind::App);
                take!(parsed.entity, entities, ItemKind::Entity);
                take!(parsed.case, cases, ItemKind::Case);
                take!(parsed.country_list, country_lists, ItemKind::CountryList);
                take!(parsed.criterion, criteria, ItemKind::Criterion);
                take!(parsed.data_rule, data_rules, ItemKind::DataRule);
            }
        }
        pack.reindex();
        errors.extend(validate::validate(&pack));
        if errors.is_empty() {
            Ok(pack)
        } else {
            errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            Err(PackErrors {
                diagnostics: errors,
            })
        }
    }

    /// The pack compiled into the binary. It is checked by this crate's tests, so loading it
    /// cannot fail; it is what every front door uses unless told otherwise.
    pub fn bundled() -> RulePack {
        RulePack::from_layers(&[Layer::bundled()])
            .expect("the bundled rule pack is validated by the test suite")
    }

    /// The bundled pack combined with a user's directory (`--rules DIR`): merged over it, or
    /// alone with [`Combine::Replace`]. Fails with every problem of the user's files at once, so
    /// that an author fixes them in one pass.
    pub fn with_user_dir(dir: &Path, combine: Combine) -> Result<RulePack, PackErrors> {
        let user = Layer::read_dir(dir)?;
        match combine {
            Combine::Merge => RulePack::from_layers(&[Layer::bundled(), user]),
            Combine::Replace => RulePack::from_layers(&[user]),
        }
    }

    fn remove_item(&mut self, id: &str) {
        self.orders.retain(|x| x.item.id != id);
        self.apps.retain(|x| x.item.id != id);
        self.entities.retain(|x| x.item.id != id);
        self.cases.retain(|x| x.item.id != id);
        self.country_lists.retain(|x| x.item.id != id);
        self.criteria.retain(|x| x.item.id != id);
        self.data_rules.retain(|x| x.item.id != id);
    }

    fn reindex(&mut self) {
        let mut index = HashMap::new();
        macro_rules! add {
            ($field:ident, $kind:expr) => {
                for (i, x) in self.$field.iter().enumerate() {
                    index.insert(x.item.id.clone(), ($kind, i));
                }
            };
        }
        add!(orders, ItemKind::Order);
        add!(apps, ItemKind::App);
        add!(entities, ItemKind::Entity);
        add!(cases, ItemKind::Case);
        add!(country_lists, ItemKind::CountryList);
        add!(criteria, ItemKind::Criterion);
        add!(data_rules, ItemKind::DataRule);
        self.index = index;
    }

    /// What kind of item has this id.
    pub fn kind_of(&self, id: &str) -> Option<ItemKind> {
        self.index.get(id).map(|(k, _)| *k)
    }

    fn get<'a, T>(&self, list: &'a [Located<T>], kind: ItemKind, id: &str) -> Option<&'a T> {
        match self.index.get(id) {
            Some((k, i)) if *k == kind => list.get(*i).map(|x| &x.item),
            _ => None,
        }
    }

    /// An order by id.
    pub fn order(&self, id: &str) -> Option<&Order> {
        self.get(&self.orders, ItemKind::Order, id)
    }

    /// An app by id.
    pub fn app(&self, id: &str) -> Option<&App> {
        self.get(&self.apps, ItemKind::App, id)
    }

    /// An entity by id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.get(&self.entities, ItemKind::Entity, id)
    }

    /// A court case by id.
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.get(&self.cases, ItemKind::Case, id)
    }

    /// A data-transfer rule by id.
    pub fn data_rule(&self, id: &str) -> Option<&DataRule> {
        self.get(&self.data_rules, ItemKind::DataRule, id)
    }

    /// A country list by id.
    pub fn country_list(&self, id: &str) -> Option<&CountryList> {
        self.get(&self.country_lists, ItemKind::CountryList, id)
    }

    /// Where an item was defined, as `file:line`: what evidence cites so that a person can check
    /// the fact in the pack.
    pub fn origin_of(&self, id: &str) -> Option<String> {
        let (kind, i) = self.index.get(id)?;
        let origin = match kind {
            ItemKind::Order => &self.orders[*i].origin,
            ItemKind::App => &self.apps[*i].origin,
            ItemKind::Entity => &self.entities[*i].origin,
            ItemKind::Case => &self.cases[*i].origin,
            ItemKind::CountryList => &self.country_lists[*i].origin,
            ItemKind::Criterion => &self.criteria[*i].origin,
            ItemKind::DataRule => &self.data_rules[*i].origin,
        };
        let src = &self.sources[origin.file];
        Some(format!("{}:{}", src.name, src.line_of(origin.span.start)))
    }

    /// A citation-like label for an id: an order's citation or a case's caption and docket.
    pub fn cite(&self, id: &str) -> String {
        if let Some(o) = self.order(id) {
            return format!("{} ({})", o.id, o.citation);
        }
        if let Some(c) = self.case(id) {
            return format!("{}, No. {} ({})", c.caption, c.docket, c.court);
        }
        id.to_string()
    }

    /// Orders that cover an app directly.
    pub fn orders_covering_app(&self, app_id: &str) -> impl Iterator<Item = &Order> + '_ {
        let app_id = app_id.to_string();
        self.orders
            .iter()
            .map(|o| &o.item)
            .filter(move |o| o.covers.apps.contains(&app_id))
    }

    /// Orders that cover an entity directly.
    pub fn orders_covering_entity(&self, entity_id: &str) -> impl Iterator<Item = &Order> + '_ {
        let id = entity_id.to_string();
        self.orders
            .iter()
            .map(|o| &o.item)
            .filter(move |o| o.covers.entities.contains(&id))
    }
}

fn parse_diagnostic(src: &SourceText, e: &toml::de::Error) -> Diagnostic {
    let line = e.span().map(|s| src.line_of(s.start)).unwrap_or(0);
    let message = e.message().to_string();
    // The parser's message names the key ("unknown field `x`", "missing field `y`"); lift it out.
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .unwrap_or("")
        .to_string();
    Diagnostic {
        file: src.name.clone(),
        line,
        field,
        message,
    }
}
