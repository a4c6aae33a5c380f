//! Android binary XML (AXML): `AndroidManifest.xml` and compiled `res/*.xml` files.
//!
//! The format is a sequence of chunks (`ResChunk_header`: type, header size, size): a string pool,
//! an optional resource map (the attribute resource ids, which is how Android itself finds
//! `android:` attributes, whatever their names say), then namespace, element and text nodes.
//! The parser follows Android's `ResXMLParser` where malformed files are concerned: the header sizes
//! written in each chunk are trusted to find the data, a file size in the header that disagrees with
//! the real size is ignored, unknown chunks are skipped, and anything that would read out of bounds
//! is an error. Depth and node counts are limited.

use serde::Serialize;

use crate::le::{u16_at, u32_at};
use crate::limits::{Allowance, Limits};
use crate::strings::{StringPool, StringPoolError};

/// The Android namespace.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 512;
/// Most nodes in one document.
pub const MAX_NODES: usize = 1_000_000;

const RES_STRING_POOL: u16 = 0x0001;
const RES_XML: u16 = 0x0003;
const RES_XML_START_NAMESPACE: u16 = 0x0100;
const RES_XML_END_NAMESPACE: u16 = 0x0101;
const RES_XML_START_ELEMENT: u16 = 0x0102;
const RES_XML_END_ELEMENT: u16 = 0x0103;
const RES_XML_CDATA: u16 = 0x0104;
const RES_XML_RESOURCE_MAP: u16 = 0x0180;

/// Why a binary XML document could not be read. Offsets are from the start of the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxmlError {
    /// Shorter than a chunk header.
    #[error("binary XML: file too short")]
    TooShort,
    /// The first chunk is not an XML chunk, and no string pool follows it.
    #[error("binary XML: not a binary XML document (chunk type 0x{kind:04x})")]
    NotXml {
        /// The first chunk's type.
        kind: u16,
    },
    /// The document header's size is below 8 bytes or past the end.
    #[error("binary XML: bad XML header size {header}")]
    HeaderSize {
        /// The declared header size.
        header: usize,
    },
    /// A chunk whose header and total sizes contradict each other.
    #[error("binary XML: bad chunk at offset {offset} (header {header}, size {size})")]
    BadChunk {
        /// Where the chunk starts.
        offset: usize,
        /// Its declared header size.
        header: usize,
        /// Its declared total size.
        size: usize,
    },
    /// A chunk that runs past the end of the document.
    #[error("binary XML: chunk at offset {offset} runs past the end")]
    ChunkPastEnd {
        /// Where the chunk starts.
        offset: usize,
    },
    /// More chunks than [`MAX_NODES`] (a crafted document can hold millions).
    #[error("binary XML: too many nodes")]
    TooManyNodes,
    /// A string pool that does not read.
    // its message shown after the prefix, not as a `source()`: `{:#}` chains stay as they were
    #[error("binary XML: {0}")]
    StringPool(StringPoolError),
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("binary XML: elements nested too deeply")]
    TooDeep,
    /// A start-element chunk too short for its namespace and name.
    #[error("binary XML: truncated element")]
    TruncatedElement,
    /// An attribute record smaller than the 20 bytes one needs.
    #[error("binary XML: attribute size {size} is too small")]
    AttributeSize {
        /// The declared attribute size.
        size: usize,
    },
    /// An attribute that runs past its element's chunk.
    #[error("binary XML: attribute {index} runs past its element")]
    AttributePastElement {
        /// Its index in the element.
        index: usize,
    },
    /// Reading the document's strings cost more than its budget (see [`parse_with`]).
    #[error("binary XML: analysis stopped: the document's strings cost more than the {budget}-byte budget for a {size}-byte document")]
    StringBudget {
        /// The budget, in bytes.
        budget: u64,
        /// The document's size, in bytes.
        size: usize,
    },
    /// No element at all.
    #[error("binary XML: no elements")]
    NoElements,
}

/// A typed attribute value (`Res_value`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// No value.
    Null,
    /// A resource reference `@0x7f…`.
    Reference(u32),
    /// A theme attribute reference `?0x…`.
    Attribute(u32),
    /// A string.
    String(String),
    /// A float.
    Float(f32),
    /// A decimal integer.
    Int(i32),
    /// A hexadecimal integer.
    Hex(u32),
    /// A boolean.
    Bool(bool),
    /// A colour (ARGB).
    Color(u32),
    /// A dimension or fraction, or any other type: (type, data).
    Other(u8, u32),
}

impl Value {
    /// The value as Android would coerce it to an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i64::from(*i)),
            Value::Hex(h) | Value::Color(h) => Some(i64::from(*h as i32)),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as text, the way `aapt` prints a string attribute.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Hex(h) => Some(format!("0x{h:08x}")),
            Value::Bool(b) => Some(b.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    fn display(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Reference(r) => format!("@0x{r:08x}"),
            Value::Attribute(r) => format!("?0x{r:08x}"),
            Value::Color(c) => format!("#{c:08x}"),
            Value::Other(t, d) => format!("(type 0x{t:02x})0x{d:x}"),
            v => v.as_text().unwrap_or_default(),
        }
    }
}

/// One attribute of an element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribute {
    /// Namespace URI, if any.
    pub namespace: Option<String>,
    /// Name as the string pool gives it.
    pub name: String,
    /// The attribute's resource id from the resource map (how Android identifies `android:` attributes).
    pub resource_id: Option<u32>,
    /// The typed value.
    pub value: Value,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data.
    Text(String),
}

/// An element with its attributes and children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// Namespace URI, if any.
    pub namespace: Option<String>,
    /// Tag name.
    pub name: String,
    /// Attributes in order.
    pub attributes: Vec<Attribute>,
    /// Children in order.
    pub children: Vec<Node>,
    /// Source line recorded by the compiler.
    pub line: u32,
}

impl Element {
    /// True when any attribute of this element or below is a resource reference.
    pub fn has_references(&self) -> bool {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if e.attributes
                .iter()
                .any(|a| matches!(a.value, Value::Reference(_)))
            {
                return true;
            }
            stack.extend(e.elements());
        }
        false
    }

    /// Replace every resource reference in the attribute values of this element and those below
    /// it with the value `resolve` gives (a reference it cannot resolve, such as a style, stays).
    pub fn resolve_references(&mut self, resolve: &dyn Fn(u32) -> Option<Value>) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            for a in &mut e.attributes {
                if let Value::Reference(id) = a.value {
                    if let Some(v) = resolve(id) {
                        a.value = v;
                    }
                }
            }
            stack.extend(e.children.iter_mut().filter_map(|n| match n {
                Node::Element(e) => Some(e),
                Node::Text(_) => None,
            }));
        }
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// An attribute by Android resource id, falling back to its `android:` name (resource ids are
    /// what Android uses; names can be stripped or faked by obfuscators).
    pub fn android_attr(&self, resource_id: u32, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|a| a.resource_id == Some(resource_id))
            .or_else(|| {
                self.attributes.iter().find(|a| {
                    a.resource_id.is_none()
                        && a.name == name
                        && a.namespace.as_deref() == Some(ANDROID_NS)
                })
            })
            .map(|a| &a.value)
    }

    /// An attribute without namespace by name (e.g. the manifest's `package`).
    pub fn plain_attr(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| &a.value)
    }
}

/// A parsed document, owned (its strings are decoded once), so that it outlives the bytes and can
/// be resolved against a resource table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The root element.
    pub root: Element,
    /// Namespace declarations (prefix, URI) in order of appearance.
    pub namespaces: Vec<(String, String)>,
}

/// Parse a binary XML document, with the default [`Limits`] (see [`parse_with`] for what they
/// bound).
pub fn parse(data: &[u8]) -> Result<Document, AxmlError> {
    parse_with(data, &Limits::default())
}

/// Parse a binary XML document. The strings its nodes read, from however many string pools it
/// has, may cost twice the document's size plus [`Limits::string_work_floor`] bytes: a document
/// whose attributes all name one long string stops there, with an error.
pub fn parse_with(data: &[u8], limits: &Limits) -> Result<Document, AxmlError> {
    let Some(kind) = u16_at(data, 0) else {
        return Err(AxmlError::TooShort);
    };
    let header = usize::from(u16_at(data, 2).unwrap_or(0));
    // Android reads on whatever the first chunk's type says (malware sets it to 0 to break
    // analysers), as long as the next chunk is a string pool; so do we.
    if kind != RES_XML
        && u16_at(data, usize::from(u16_at(data, 2).unwrap_or(0))) != Some(RES_STRING_POOL)
    {
        return Err(AxmlError::NotXml { kind });
    }
    if header < 8 || header > data.len() {
        return Err(AxmlError::HeaderSize { header });
    }
    let work = std::sync::Arc::new(Allowance::new(
        limits
            .string_work_floor
            .saturating_add(2 * data.len() as u64),
    ));
    let mut strings = StringPool::default();
    let mut resource_map: Vec<u32> = Vec::new();
    let mut namespaces: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    let mut pos = header;
    while pos + 8 <= data.len() {
        let ctype = u16_at(data, pos).unwrap_or(0);
        let chead = usize::from(u16_at(data, pos + 2).unwrap_or(0));
        let csize = u32_at(data, pos + 4).unwrap_or(0) as usize;
        if csize < 8 || chead < 8 || chead > csize {
            return Err(AxmlError::BadChunk {
                offset: pos,
                header: chead,
                size: csize,
            });
        }
        let end = pos.checked_add(csize).filter(|e| *e <= data.len());
        let Some(end) = end else {
            return Err(AxmlError::ChunkPastEnd { offset: pos });
        };
        let chunk = &data[pos..end];
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(AxmlError::TooManyNodes);
        }
        match ctype {
            RES_STRING_POOL => {
                strings = StringPool::parse_sharing(chunk.into(), work.clone())
                    .map_err(AxmlError::StringPool)?
            }
            RES_XML_RESOURCE_MAP => {
                resource_map = chunk[chead..]
                    .chunks_exact(4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
            }
            RES_XML_START_NAMESPACE => {
                let prefix = u32_at(chunk, chead)
                    .and_then(|i| pool_str(&strings, i))
                    .unwrap_or_default();
                let uri = u32_at(chunk, chead + 4)
                    .and_then(|i| pool_str(&strings, i))
                    .unwrap_or_default();
                namespaces.push((prefix, uri));
            }
            RES_XML_END_NAMESPACE => {}
            RES_XML_START_ELEMENT => {
                if stack.len() >= MAX_DEPTH {
                    return Err(AxmlError::TooDeep);
                }
                let ext = chead;
                let ns = u32_at(chunk, ext).ok_or(AxmlError::TruncatedElement)?;
                let name = u32_at(chunk, ext + 4).ok_or(AxmlError::TruncatedElement)?;
                let attr_start = usize::from(u16_at(chunk, ext + 8).unwrap_or(20));
                let attr_size = usize::from(u16_at(chunk, ext + 10).unwrap_or(20));
                let attr_count = usize::from(u16_at(chunk, ext + 12).unwrap_or(0));
                if attr_count > 0 && attr_size < 20 {
                    return Err(AxmlError::AttributeSize { size: attr_size });
                }
                let mut attributes = Vec::with_capacity(attr_count.min(256));
                for i in 0..attr_count {
                    let a = ext + attr_start + i * attr_size;
                    let (Some(ans), Some(aname), Some(raw), Some(dtype), Some(d)) = (
                        u32_at(chunk, a),
                        u32_at(chunk, a + 4),
                        u32_at(chunk, a + 8),
                        chunk.get(a + 15).copied(),
                        u32_at(chunk, a + 16),
                    ) else {
                        return Err(AxmlError::AttributePastElement { index: i });
                    };
                    let value = typed_value(dtype, d, raw, &strings);
                    attributes.push(Attribute {
                        namespace: pool_str(&strings, ans),
                        name: pool_str(&strings, aname).unwrap_or_default(),
                        resource_id: resource_map
                            .get(aname as usize)
                            .copied()
                            .filter(|id| *id != 0),
                        value,
                    });
                }
                stack.push(Element {
                    namespace: pool_str(&strings, ns),
                    name: pool_str(&strings, name).unwrap_or_default(),
                    attributes,
                    children: Vec::new(),
                    line: u32_at(chunk, 8).unwrap_or(0),
                });
            }
            RES_XML_END_ELEMENT => {
                if let Some(done) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(done)),
                        None => {
                            if root.is_none() {
                                root = Some(done);
                            }
                        }
                    }
                }
            }
            RES_XML_CDATA => {
                if let (Some(text), Some(parent)) = (
                    u32_at(chunk, chead).and_then(|i| pool_str(&strings, i)),
                    stack.last_mut(),
                ) {
                    parent.children.push(Node::Text(text));
                }
            }
            _ => {} // unknown chunks are skipped, as Android skips them
        }
        pos = end;
    }
    if work.exhausted() {
        return Err(AxmlError::StringBudget {
            budget: limits
                .string_work_floor
                .saturating_add(2 * data.len() as u64),
            size: data.len(),
        });
    }
    // unclosed elements: close them, as a lenient reader would
    while let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(done)),
            None => {
                root.get_or_insert(done);
            }
        }
    }
    match root {
        Some(root) => Ok(Document { root, namespaces }),
        None => Err(AxmlError::NoElements),
    }
}

fn pool_str(strings: &StringPool, i: u32) -> Option<String> {
    if i == u32::MAX {
        None
    } else {
        strings.get(i as usize)
    }
}

pub(crate) fn typed_value(dtype: u8, data: u32, raw: u32, strings: &StringPool) -> Value {
    match dtype {
        0x00 => match strings.get(raw as usize) {
            Some(s) if raw != u32::MAX => Value::String(s),
            _ => Value::Null,
        },
        0x01 => Value::Reference(data),
        0x02 => Value::Attribute(data),
        0x03 => match strings.get(data as usize) {
            Some(s) => Value::String(s),
            None => Value::Null,
        },
        0x04 => Value::Float(f32::from_bits(data)),
        0x10 => Value::Int(data as i32),
        0x11 => Value::Hex(data),
        0x12 => Value::Bool(data != 0),
        0x1c..=0x1f => Value::Color(data),
        t => Value::Other(t, data),
    }
}

impl Document {
    /// The document as text XML, with namespace prefixes as declared.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        self.write(&self.root, 0, true, &mut out);
        out
    }

    fn prefix(&self, uri: &Option<String>) -> String {
        match uri {
            None => String::new(),
            Some(u) => match self.namespaces.iter().find(|(_, nu)| nu == u) {
                Some((p, _)) if !p.is_empty() => format!("{p}:"),
                _ if u == ANDROID_NS => "android:".into(),
                _ => String::new(),
            },
        }
    }

    fn write(&self, e: &Element, depth: usize, root: bool, out: &mut String) {
        let indent = "  ".repeat(depth);
        out.push_str(&format!("{indent}<{}{}", self.prefix(&e.namespace), e.name));
        if root {
            for (p, u) in &self.namespaces {
                out.push_str(&format!(" xmlns:{p}=\"{}\"", escape(u)));
            }
        }
        for a in &e.attributes {
            let name = if a.name.is_empty() {
                a.resource_id
                    .map(|id| format!("attr_0x{id:08x}"))
                    .unwrap_or_else(|| "unnamed".into())
            } else {
                a.name.clone()
            };
            out.push_str(&format!(
                " {}{}=\"{}\"",
                self.prefix(&a.namespace),
                name,
                escape(&a.value.display())
            ));
        }
        if e.children.is_empty() {
            out.push_str(" />\n");
            return;
        }
        out.push_str(">\n");
        for c in &e.children {
            match c {
                Node::Element(child) => self.write(child, depth + 1, false, out),
                Node::Text(t) => out.push_str(&format!("{indent}  {}\n", escape(t))),
            }
        }
        out.push_str(&format!(
            "{indent}</{}{}>\n",
            self.prefix(&e.namespace),
            e.name
        ));
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {
                out.push_str(&format!("&#x{:x};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
