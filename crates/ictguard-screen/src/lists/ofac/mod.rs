//! OFAC's legacy CSV files: a primary file (one record per party), and alternate-name and address
//! files that refer to primary records by entity number. The same three formats carry the SDN list
//! and the consolidated non-SDN list; a file whose name contains "cons" is the non-SDN one.
//!
//! None of the files has a header, so each is recognised by its field count and the shape of its
//! first fields.

mod address;
mod alternate;
mod primary;

pub(crate) use address::Address;
pub(crate) use alternate::Alternate;
pub(crate) use primary::Primary;

/// The list a file belongs to, from its name: `OFAC-CONS` for the consolidated non-SDN files,
/// `OFAC-SDN` otherwise.
fn family(file: &str) -> &'static str {
    // case-insensitive "cons" without allocating per row
    if file
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"cons"))
    {
        "OFAC-CONS"
    } else {
        "OFAC-SDN"
    }
}

/// OFAC writes `-0-` (often with a trailing space) for an empty field.
fn field(s: &str) -> &str {
    let t = s.trim();
    if t == "-0-" {
        ""
    } else {
        t
    }
}

/// Names quoted after "a.k.a." in OFAC remarks: `a.k.a. 'BNC'`. These are OFAC's weak aliases
/// (the delimited files carry weak AKAs in the remarks, strong ones in the alternate-name file).
fn remark_aliases(remarks: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = remarks;
    while let Some(i) = rest.find("a.k.a. '") {
        rest = &rest[i + 8..];
        if let Some(end) = rest.find('\'') {
            let name = rest[..end].trim();
            if !name.is_empty() {
                out.push(name.to_string());
            }
            rest = &rest[end..];
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_fields_and_family() {
        assert_eq!(
            remark_aliases("a.k.a. 'BNC'; a.k.a. 'X Y'."),
            vec!["BNC", "X Y"]
        );
        assert!(remark_aliases("a.k.a. 'unterminated").is_empty());
        assert_eq!(field("-0- "), "");
        assert_eq!(field(" CUBA "), "CUBA");
        assert_eq!(family("sdn.csv"), "OFAC-SDN");
        assert_eq!(family("CONS_PRIM.CSV"), "OFAC-CONS");
    }
}
