//! CSV input: a header names the columns; each row becomes a query through the column plan.

use crate::engine::Query;

use super::columns::{ColumnMap, Field};
use super::error::{OpenError, RecordError, RecordProblem};

/// Which CSV column feeds which query field, decided once from the header.
#[derive(Debug)]
pub(crate) struct CsvPlan {
    columns: Vec<(usize, Field)>,
    /// Fields in the header; a row with another count is refused.
    width: usize,
    /// Header names no field reads, in header order.
    pub unused: Vec<String>,
}

impl CsvPlan {
    /// Plan from the header. A mapped column must exist; unmapped fields are read from the column
    /// of their own name (any case) when there is one.
    pub fn new(headers: &csv::StringRecord, mapping: &ColumnMap) -> Result<Self, OpenError> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let header = || headers.iter().map(str::to_string).collect::<Vec<_>>();
        let mut columns = Vec::new();
        for field in Field::ALL {
            let column = mapping.column(field);
            let col = match find(column) {
                Some(i) => Some(i),
                None if mapping.is_mapped(field) => {
                    return Err(OpenError::UnknownColumn {
                        field,
                        column: column.to_string(),
                        header: header(),
                    })
                }
                None => None,
            };
            if let Some(i) = col {
                columns.push((i, field));
            }
        }
        if !columns.iter().any(|(_, f)| f.is_screened()) {
            return Err(OpenError::NothingToScreen { header: header() });
        }
        let unused = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !columns.iter().any(|(c, _)| c == i))
            .map(|(_, h)| h.to_string())
            .collect();
        Ok(CsvPlan {
            columns,
            width: headers.len(),
            unused,
        })
    }

    /// The query in one row.
    pub fn query(&self, record: &csv::StringRecord, line: u64) -> Result<Query, RecordError> {
        if record.len() != self.width {
            return Err(RecordError {
                line,
                id: None,
                problem: RecordProblem::FieldCount {
                    found: record.len(),
                    header: self.width,
                },
            });
        }
        let mut q = Query::default();
        for (i, field) in &self.columns {
            if let Some(v) = record.get(*i) {
                field.set(&mut q, v.to_string());
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(names.to_vec())
    }

    #[test]
    fn mapped_unmapped_and_unused_columns() {
        let mut map = ColumnMap::new();
        map.map(Field::Name, "counterparty");
        let plan = CsvPlan::new(&header(&["ID", "Counterparty", "amount"]), &map).unwrap();
        assert_eq!(plan.unused, vec!["amount"]);
        let q = plan
            .query(&csv::StringRecord::from(vec!["7", "Tencent", "10"]), 2)
            .unwrap();
        assert_eq!(
            (q.id.as_deref(), q.name.as_deref()),
            (Some("7"), Some("Tencent"))
        );
        let e = plan
            .query(&csv::StringRecord::from(vec!["7"]), 3)
            .unwrap_err();
        assert_eq!(
            (e.line, e.to_string().as_str()),
            (3, "row has 1 fields, the header has 3")
        );
    }

    #[test]
    fn a_missing_mapped_column_or_nothing_to_screen_is_refused() {
        let mut map = ColumnMap::new();
        map.map(Field::Name, "company");
        let e = CsvPlan::new(&header(&["id", "name"]), &map).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no column \"company\" in the header (id, name)"
        );
        let e = CsvPlan::new(&header(&["id", "amount"]), &ColumnMap::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no column to screen: the header (id, amount) has none of name, app, package, bundle"
        );
    }
}
