//! Error messages reach reports and the CLI as they are: these pin the words of a few, so that a
//! change to the error types cannot change what users read.

use ictguard_apk::{arsc, axml, dex, strings, zip};

#[test]
fn binary_xml_errors_read_as_before() {
    assert_eq!(
        axml::parse(b"").unwrap_err().to_string(),
        "binary XML: file too short"
    );
    // an XML chunk header and nothing after it
    let empty = [0x03, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00];
    assert_eq!(
        axml::parse(&empty).unwrap_err().to_string(),
        "binary XML: no elements"
    );
    let not_xml = [0x07, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00];
    assert_eq!(
        axml::parse(&not_xml).unwrap_err(),
        axml::AxmlError::NotXml { kind: 7 }
    );
    assert_eq!(
        axml::AxmlError::NotXml { kind: 7 }.to_string(),
        "binary XML: not a binary XML document (chunk type 0x0007)"
    );
}

#[test]
fn resource_table_errors_read_as_before() {
    assert_eq!(
        arsc::ResourceTable::parse(&b""[..])
            .unwrap_err()
            .to_string(),
        "resources.arsc: truncated chunk header"
    );
    let pool = [0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00];
    assert_eq!(
        arsc::ResourceTable::parse(&pool[..])
            .unwrap_err()
            .to_string(),
        "resources.arsc: not a resource table (chunk type 0x0001)"
    );
}

#[test]
fn dex_errors_read_as_before_with_and_without_the_prefix() {
    let e = dex::Dex::parse(b"not a dex").unwrap_err();
    assert_eq!(e.to_string(), "DEX: not a DEX file (bad magic)");
    assert_eq!(e.0.to_string(), "not a DEX file (bad magic)");
    let e = dex::Dex::parse(b"dex\n099\0").unwrap_err();
    assert_eq!(e.0, dex::DexProblem::UnsupportedVersion { version: 99 });
    assert_eq!(e.to_string(), "DEX: unsupported DEX version 099");
}

#[test]
fn container_and_pool_errors_read_as_before() {
    assert_eq!(
        zip::Zip::parse(b"not an archive").unwrap_err().to_string(),
        "not a ZIP archive: no end of central directory record"
    );
    assert_eq!(
        strings::StringPool::parse(&b"\x01\x00"[..])
            .unwrap_err()
            .to_string(),
        "truncated string pool"
    );
}
