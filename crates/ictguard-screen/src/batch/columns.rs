//! Which query field each input column (CSV) or key (JSON) feeds.

use std::collections::HashMap;
use std::str::FromStr;

use crate::engine::Query;

/// A field of a [`Query`] that an input column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The caller's reference, echoed back.
    Id,
    /// A party's name.
    Name,
    /// An app's name.
    App,
    /// An Android package id.
    Package,
    /// An iOS bundle id.
    Bundle,
    /// The party's country.
    Country,
    /// The transaction kind.
    Kind,
    /// The US state the transaction or device is in.
    State,
    /// The date to decide as of.
    AsOf,
}

impl Field {
    /// Every field, in the order the query has them.
    pub const ALL: [Field; 9] = [
        Field::Id,
        Field::Name,
        Field::App,
        Field::Package,
        Field::Bundle,
        Field::Country,
        Field::Kind,
        Field::State,
        Field::AsOf,
    ];

    /// The field's name, which is also the column or key read when no mapping says otherwise.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::App => "app",
            Field::Package => "package",
            Field::Bundle => "bundle",
            Field::Country => "country",
            Field::Kind => "kind",
            Field::State => "state",
            Field::AsOf => "as_of",
        }
    }

    /// Whether the field names what is screened (a record needs at least one such column).
    pub(crate) fn is_screened(self) -> bool {
        matches!(
            self,
            Field::Name | Field::App | Field::Package | Field::Bundle
        )
    }

    /// Put a value into the query; blank values are no value.
    pub(crate) fn set(self, q: &mut Query, value: String) {
        let value = Some(value).filter(|v| !v.trim().is_empty());
        let slot = match self {
            Field::Id => &mut q.id,
            Field::Name => &mut q.name,
            Field::App => &mut q.app,
            Field::Package => &mut q.package,
            Field::Bundle => &mut q.bundle,
            Field::Country => &mut q.country,
            Field::Kind => &mut q.kind,
            Field::State => &mut q.state,
            Field::AsOf => &mut q.as_of,
        };
        *slot = value;
    }
}

/// The names of every field, for messages.
fn field_names() -> String {
    Field::ALL.map(Field::as_str).join(", ")
}

/// A name that is no [`Field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field {0:?}; fields are {names}", names = field_names())]
pub struct UnknownField(pub String);

impl FromStr for Field {
    type Err = UnknownField;

    /// A field by its exact (lower-case) name, e.g. `as_of`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownField(s.to_string()))
    }
}

/// Columns (CSV) or keys (JSON) to read fields from, where they are not named like the field.
///
/// ```
/// use ictguard_screen::batch::{ColumnMap, Field};
/// let mut columns = ColumnMap::new();
/// columns.map(Field::Name, "counterparty");
/// assert_eq!(columns.column(Field::Name), "counterparty");
/// assert_eq!(columns.column(Field::Id), "id");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    mapped: HashMap<Field, String>,
}

impl ColumnMap {
    /// Every field read from the column of its own name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read `field` from `column` instead; a second mapping of the same field replaces the first.
    pub fn map(&mut self, field: Field, column: impl Into<String>) -> &mut Self {
        self.mapped.insert(field, column.into());
        self
    }

    /// The column `field` is read from.
    pub fn column(&self, field: Field) -> &str {
        self.mapped
            .get(&field)
            .map_or(field.as_str(), String::as_str)
    }

    /// Whether `field` was mapped to a column of another name (which must then exist).
    pub fn is_mapped(&self, field: Field) -> bool {
        self.mapped.contains_key(&field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_by_name() {
        assert_eq!("as_of".parse::<Field>(), Ok(Field::AsOf));
        assert_eq!(
            "company".parse::<Field>().unwrap_err().to_string(),
            "unknown field \"company\"; fields are id, name, app, package, bundle, country, kind, state, as_of"
        );
        for f in Field::ALL {
            assert_eq!(f.as_str().parse::<Field>(), Ok(f));
        }
    }

    #[test]
    fn blank_values_are_none() {
        let mut q = Query::default();
        Field::Name.set(&mut q, "  ".into());
        Field::Country.set(&mut q, "CN".into());
        assert_eq!((q.name, q.country.as_deref()), (None, Some("CN")));
    }
}
