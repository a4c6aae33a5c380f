//! Tables as Excel writes them in much of Europe — Windows-1252 (Latin-1) text, semicolons, CRLF
//! line ends — read by `screen`, `flows` and `fleet` with the same answers, on the same lines, as
//! the UTF-8 comma-separated file.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ictguard"))
        .args(args)
        .output()
        .expect("ictguard runs")
}

/// `text` as Latin-1 bytes (every character here is below U+0100).
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// A comma-separated table rewritten with semicolons and CRLF line ends, quoted where a field
/// holds a semicolon, as Excel saves it.
fn excel_dialect(csv_text: &str) -> String {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records() {
        writer.write_record(&record.unwrap()).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn screen_reads_latin1_semicolons_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let plain = "id,name,country,as_of\n\
                 r1,Müller Maschinenbau GmbH,DE,2024-06-01\n\
                 r2,Tencent Hóldings,CN,2024-06-01\n\
                 r3,Café Crème,FR,2024-02-30\n";
    let excel = dir.path().join("excel.csv");
    std::fs::write(&excel, latin1(&excel_dialect(plain))).unwrap();
    let utf8 = dir.path().join("utf8.csv");
    std::fs::write(&utf8, plain).unwrap();
    let screen = |input: &Path, output: &Path| {
        run(&[
            "screen",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--exit-zero",
        ])
    };
    let (from_excel, from_utf8) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let out = screen(&excel, &from_excel);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("windows-1252, ';'-separated"),
        "the dialect is said: {stderr}"
    );
    assert!(stderr.contains("excel.csv:4: invalid date"), "{stderr}");
    screen(&utf8, &from_utf8);
    let (a, b) = (json_lines(&from_excel), json_lines(&from_utf8));
    assert_eq!(a.len(), 3);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x["line"], &x["id"], &x["decision"]),
            (&y["line"], &y["id"], &y["decision"]),
            "{x}\n{y}"
        );
    }
    // decoded, not mojibake: the name is echoed as written
    assert_eq!(a[1]["matches"][0]["id"], "tencent", "{}", a[1]);
    assert_eq!(a[1]["matches"][0]["input"], "Tencent Hóldings");
    assert_eq!(a[2]["line"], 4);
    assert_eq!(a[2]["id"], "r3");

    // named explicitly, the same; a wrong delimiter named explicitly finds no column
    let named = dir.path().join("c.jsonl");
    let out = run(&[
        "screen",
        "--input",
        excel.to_str().unwrap(),
        "--output",
        named.to_str().unwrap(),
        "--encoding",
        "latin1",
        "--delimiter",
        ";",
        "--exit-zero",
    ]);
    // the bad row makes it exit 2, as with the sniffed dialect
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_lines(&named), a);
    let out = run(&[
        "screen",
        "--input",
        excel.to_str().unwrap(),
        "--delimiter",
        ",",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column to screen"));
    let out = run(&[
        "screen",
        "--input",
        excel.to_str().unwrap(),
        "--encoding",
        "klingon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown encoding"));
}

#[test]
fn flows_reads_the_excel_dialect_with_the_same_answers() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data-transfers.csv");
    let plain = std::fs::read_to_string(&example)
        .unwrap()
        .replace("Northwind Cloud LLC", "Nordwind Datenübertragung GmbH");
    let dir = tempfile::tempdir().unwrap();
    let (utf8, excel) = (dir.path().join("t.csv"), dir.path().join("t-excel.csv"));
    std::fs::write(&utf8, &plain).unwrap();
    std::fs::write(&excel, latin1(&excel_dialect(&plain))).unwrap();
    let flows = |input: &Path| run(&["flows", input.to_str().unwrap(), "--json"]);
    let (a, b) = (flows(&excel), flows(&utf8));
    assert_eq!(a.status.code(), b.status.code());
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout),
        "the same report, line for line"
    );
    assert!(String::from_utf8_lossy(&a.stdout).contains("Nordwind Datenübertragung GmbH"));
    // the bad rows are named on the same lines
    let err = String::from_utf8_lossy(&a.stderr);
    assert!(err.contains("line 17") && err.contains("line 18"), "{err}");
}

#[test]
fn fleet_reads_a_semicolon_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("fleet.csv");
    std::fs::write(
        &inventory,
        latin1(
            "device;organization;org_type;state;package\r\n\
             TX-1;Dépt. of Public Safety;state;TX;com.bd.nproject\r\n\
             TX-3;Texas DIR;state;Texas;com.bd.nproject\r\n",
        ),
    )
    .unwrap();
    let out = run(&[
        "fleet",
        inventory.to_str().unwrap(),
        "--as-of",
        "2025-03-01",
        "--json",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let bad = r["bad_rows"][0].as_str().unwrap();
    assert!(bad.starts_with("line 3: state \"Texas\""), "{bad}");
    assert!(
        r.to_string().contains("Dépt. of Public Safety"),
        "decoded: {r}"
    );
}
