//! Errors in a rule pack, each pointing at a file, a line and a field.

use std::fmt;

/// One problem found in a rule pack, located by file, line and field, because pack authors fix
/// text files and need to know where to look.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, as given to the loader (relative to the pack directory).
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// The field path, e.g. `order[EO-13971].event[2].by`.
    pub field: String,
    /// What is wrong, in words a pack author can act on.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

/// Everything wrong with a pack; loading fails when this is non-empty.
#[derive(Debug, Clone, Default, thiserror::Error)]
pub struct PackErrors {
    /// The problems, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        writeln!(
            f,
            "rule pack has {n} error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

/// Maps byte offsets of one file to lines, and finds the line of a field inside an item.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// File name as reported in diagnostics.
    pub name: String,
    /// The full text (borrowed for the bundled pack, which is compiled into the binary).
    pub text: std::borrow::Cow<'static, str>,
    /// Byte offset of each line's start, computed on the first lookup: loading the bundled pack
    /// never needs it unless something is reported.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceText {
    /// Index a file's text.
    pub fn new(name: impl Into<String>, text: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        SourceText {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let line_starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        match line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Offset where the item starting at `start` ends: the next top-level table header, or the end.
    fn item_end(&self, start: usize) -> usize {
        let mut offset = start;
        for (n, line) in self.text[start..].split_inclusive('\n').enumerate() {
            let t = line.trim();
            if n > 0 && t.starts_with('[') {
                let name = t.trim_start_matches('[').trim_end_matches(']');
                if !name.contains('.') {
                    return offset;
                }
            }
            offset += line.len();
        }
        offset
    }

    /// Line of `field` inside the item spanning `span`.
    ///
    /// `path` is a list of steps: a sub-table array name with the index of the entry
    /// (`("event", Some(2))`), then the key (`("by", None)`). Lines are found by reading the TOML text
    /// (`[[order.event]]` headers, `key =` lines) rather than by re-parsing with spans for every
    /// field: the serde model stays plain, and a miss falls back to the nearest known line.
    pub fn field_line(
        &self,
        span: &std::ops::Range<usize>,
        path: &[(&str, Option<usize>)],
    ) -> usize {
        // The parser's span of an array-of-tables entry covers its header only: the item runs to the
        // next top-level header.
        let mut start = span.start.min(self.text.len());
        let end = self.item_end(start).max(span.end.min(self.text.len()));
        for (name, index) in path {
            let region = &self.text[start..end];
            let found = match index {
                Some(i) => nth_table_header(region, name, *i),
                None => key_line(region, name),
            };
            match found {
                Some(off) => start += off,
                None => break,
            }
        }
        self.line_of(start)
    }
}

/// Offset of the `i`-th `[[....name]]` header in `region`.
fn nth_table_header(region: &str, name: &str, i: usize) -> Option<usize> {
    let suffix = format!(".{name}]]");
    let mut count = 0;
    let mut offset = 0;
    for line in region.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("[[") && t.ends_with(&suffix) {
            if count == i {
                return Some(offset);
            }
            count += 1;
        }
        offset += line.len();
    }
    None
}

/// Offset of the first line that assigns `key` in `region` (before any nested table header).
fn key_line(region: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for (n, line) in region.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if n > 0 && t.starts_with('[') {
            return None;
        }
        if let Some(rest) = t.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with('.') {
                return Some(offset);
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_nested_fields() {
        let text = "[[order]]\nid = \"A\"\ntitle = \"t\"\n\n[[order.event]]\nby = \"x\"\n\n[[order.event]]\nnote = \"n\"\nby = \"y\"\n";
        let src = SourceText::new("f.toml", text);
        let span = 0..text.len();
        assert_eq!(src.field_line(&span, &[("title", None)]), 3);
        assert_eq!(
            src.field_line(&span, &[("event", Some(1)), ("by", None)]),
            10
        );
        assert_eq!(
            src.field_line(&span, &[("event", Some(0)), ("by", None)]),
            6
        );
        // a key that is not there falls back to the item's (or sub-table's) line
        assert_eq!(
            src.field_line(&span, &[("event", Some(1)), ("until", None)]),
            8
        );
        assert_eq!(src.line_of(0), 1);
    }
}
