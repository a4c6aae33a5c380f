//! Workbooks as input: the first sheet of an .xlsx file screened, audited (`flows`) and assessed
//! (`fleet`) as its CSV export would be, errors named by the row Excel shows, dates read from
//! date cells; and a workbook that inflates past its budget refused before it is parsed.

use std::io::Write;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ictguard"))
        .args(args)
        .output()
        .expect("ictguard runs")
}

/// A cell: text, or a date (an Excel serial day shown with a date format).
enum Cell<'a> {
    Text(&'a str),
    Date(u32),
}

/// An .xlsx file with one sheet of `rows`, written part by part as Excel lays it out.
fn xlsx(path: &Path, rows: &[Vec<Cell>], compression: zip::CompressionMethod) {
    let mut sheet = String::from(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            match cell {
                Cell::Text(t) => sheet.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{t}</t></is></c>"#
                )),
                Cell::Date(serial) => {
                    sheet.push_str(&format!(r#"<c r="{at}" s="1"><v>{serial}</v></c>"#))
                }
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_string()),
        ("xl/styles.xml", r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(compression);
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

use Cell::{Date, Text};

#[test]
fn screen_reads_the_first_sheet_with_rows_as_lines_and_dates_as_dates() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("parties.xlsx");
    xlsx(
        &book,
        &[
            vec![Text("id"), Text("name"), Text("country"), Text("as_of")],
            // 45444 is 2024-06-01 in Excel's day count
            vec![
                Text("r1"),
                Text("Tencent Hóldings"),
                Text("CN"),
                Date(45444),
            ],
            vec![Text("r2"), Text("Acme"), Text("US"), Text("2024-02-30")],
        ],
        zip::CompressionMethod::Deflated,
    );
    let output = dir.path().join("out.jsonl");
    let out = run(&[
        "screen",
        "--input",
        book.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("parties.xlsx:3: invalid date"), "{stderr}");
    let rows: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["line"].as_u64(), &rows[0]["id"]),
        (Some(2), &Value::from("r1"))
    );
    assert_eq!(
        rows[0]["as_of"], "2024-06-01",
        "the date cell read as a date"
    );
    assert_eq!(rows[0]["matches"][0]["input"], "Tencent Hóldings");
    assert_eq!(
        (rows[1]["line"].as_u64(), &rows[1]["id"]),
        (Some(3), &Value::from("r2"))
    );
}

#[test]
fn fleet_and_flows_read_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.xlsx");
    xlsx(
        &fleet,
        &[
            vec![
                Text("device"),
                Text("organization"),
                Text("org_type"),
                Text("state"),
                Text("package"),
            ],
            vec![
                Text("TX-1"),
                Text("Texas DPS"),
                Text("state"),
                Text("TX"),
                Text("com.bd.nproject"),
            ],
            vec![
                Text("TX-3"),
                Text("Texas DIR"),
                Text("state"),
                Text("Texas"),
                Text("com.bd.nproject"),
            ],
        ],
        zip::CompressionMethod::Stored,
    );
    let out = run(&[
        "fleet",
        fleet.to_str().unwrap(),
        "--as-of",
        "2025-03-01",
        "--json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        r["bad_rows"][0]
            .as_str()
            .unwrap()
            .starts_with("line 3: state \"Texas\""),
        "{r}"
    );

    let flows = dir.path().join("transfers.xlsx");
    xlsx(
        &flows,
        &[
            vec![
                Text("date"),
                Text("counterparty"),
                Text("counterparty_country"),
                Text("kind"),
                Text("categories"),
                Text("us_persons"),
            ],
            vec![
                Date(45809), // 2025-06-01
                Text("Shenzhen Data Co."),
                Text("CN"),
                Text("data_brokerage"),
                Text("precise_geolocation"),
                Text("5000"),
            ],
        ],
        zip::CompressionMethod::Deflated,
    );
    let out = run(&["flows", flows.to_str().unwrap(), "--json"]);
    let first: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap())
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(first["date"], "2025-06-01", "{first}");
    assert_eq!(first["classification"], "prohibited", "{first}");
}

#[test]
fn a_workbook_that_inflates_past_its_budget_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.xlsx");
    // a sheet part of 300 MiB of blanks: a few hundred KiB deflated
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let blanks = vec![b' '; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&blanks).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 64 << 20);
    let out = run(&["screen", "--input", bomb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("MiB unpacked"), "{stderr}");
}
