//! The XML list publications, read whole: the UN Security Council Consolidated List
//! (`CONSOLIDATED_LIST`), the EU's consolidated financial sanctions file (`export`) and the UK
//! Sanctions List (`Designations`).
//!
//! A document is read within a byte budget and parsed by `roxmltree` with a node budget; DTDs
//! (and so entity declarations and their expansion) are refused. The first line of an XML file
//! does not say which publication it is, so the root element decides.

use std::io::Read;

use super::xml::Document;
use super::{eu, uk, un, ListError, ListFormat};

/// Largest XML document accepted (the EU file is about 26 MB in 2026).
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 128 << 20;
/// Most XML nodes accepted (the EU file has a few million).
const MAX_NODES: u32 = 20_000_000;

/// Read a whole XML list document; its format and what it held.
pub(crate) fn read(file: &str, mut input: impl Read) -> Result<(ListFormat, Document), ListError> {
    let fatal = |line: u64, message: String| ListError::Fatal {
        file: file.into(),
        line,
        message,
    };
    let mut bytes = Vec::new();
    input
        .by_ref()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ListError::Io {
            file: file.into(),
            source,
        })?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(fatal(1, format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| fatal(1, format!("not UTF-8: {e}")))?;
    let text = text.trim_start_matches('\u{feff}');
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| fatal(e.pos().row as u64, e.to_string()))?;
    match doc.root_element().tag_name().name() {
        "CONSOLIDATED_LIST" => Ok((ListFormat::UnXml, un::listings(file, &doc))),
        "export" => Ok((ListFormat::EuXml, eu::entities(file, &doc))),
        "Designations" => Ok((ListFormat::UkXml, uk::designations(file, &doc))),
        other => Err(fatal(
            1,
            format!("root element {other:?}: none of the UN's CONSOLIDATED_LIST, the EU's export or the UK's Designations"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_and_foreign_documents_are_errors() {
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CONSOLIDATED_LIST/>"#;
        assert!(read("x.xml", dtd.as_bytes()).is_err());
        let other = read("x.xml", &b"<?xml version=\"1.0\"?><OTHER/>"[..]);
        assert!(other.err().unwrap().to_string().contains("none of"));
        assert!(read("x.xml", &b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST>"[..]).is_err());
        assert!(read("x.xml", &b"\xff\xfe<"[..]).is_err());
    }
}
