//! JSON Lines input: one object per line, its keys named like the fields (or mapped).

use crate::engine::Query;

use super::columns::{ColumnMap, Field};
use super::error::{RecordError, RecordProblem};

/// The query in one line. Keys that are no field are ignored; `id` may be a number.
pub(crate) fn json_query(text: &str, line: u64, mapping: &ColumnMap) -> Result<Query, RecordError> {
    let fail = |id: Option<String>, problem| RecordError { line, id, problem };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| fail(None, RecordProblem::InvalidJson(e)))?;
    let obj = value
        .as_object()
        .ok_or_else(|| fail(None, RecordProblem::NotAnObject))?;
    let mut q = Query::default();
    for field in Field::ALL {
        let key = mapping.column(field);
        match obj.get(key) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(s)) => field.set(&mut q, s.clone()),
            Some(serde_json::Value::Number(n)) if field == Field::Id => {
                field.set(&mut q, n.to_string())
            }
            Some(other) => {
                return Err(fail(
                    q.id,
                    RecordProblem::NotAString {
                        key: key.to_string(),
                        value: other.clone(),
                    },
                ))
            }
        }
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_mapped_keys_and_bad_values() {
        let mut map = ColumnMap::new();
        map.map(Field::Name, "who");
        let q = json_query(r#"{"id":7,"who":"Tencent","x":1}"#, 1, &map).unwrap();
        assert_eq!(
            (q.id.as_deref(), q.name.as_deref()),
            (Some("7"), Some("Tencent"))
        );
        let e = json_query(r#"{"id":"a","who":3}"#, 4, &map).unwrap_err();
        assert_eq!((e.line, e.id.as_deref()), (4, Some("a")));
        assert_eq!(e.to_string(), "field \"who\" must be a string, got 3");
        let e = json_query("[1]", 5, &map).unwrap_err();
        assert_eq!(e.to_string(), "expected a JSON object");
        let e = json_query("not json", 6, &map).unwrap_err();
        assert!(e.to_string().starts_with("invalid JSON: "), "{e}");
    }
}
