#!/usr/bin/env python3
"""Seed the fuzz corpora from ../shared/corpus (kept out of git: the seeds are other people's files).

For each APK parser target, a few real inputs: whole APKs (apk_zip, and vet up to 1 MB), manifests (axml),
resources.arsc files (arsc), classes.dex files (dex), and APK Signing Blocks and PKCS#7 signature
files (signatures). Run from fuzz/: python3 seed.py."""
import pathlib, struct, zipfile

shared = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "apk"
out = pathlib.Path(__file__).resolve().parent / "corpus"
apks = sorted(shared.rglob("*.apk"))[::8]  # every 8th, a spread of sources and signing schemes


def put(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def signing_block(data):
    """The APK Signing Block bytes, or None."""
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 20 > len(data):
        return None
    cd = struct.unpack_from("<I", data, eocd + 16)[0]
    if cd < 24 or data[cd - 16:cd] != b"APK Sig Block 42":
        return None
    size = struct.unpack_from("<Q", data, cd - 24)[0]
    start = cd - size - 8
    return data[start:cd] if 0 <= start < cd else None


for i, apk in enumerate(apks):
    data = apk.read_bytes()
    if len(data) > 4 << 20:
        continue
    put("apk_zip", f"{i}.apk", data)
    if len(data) <= 1 << 20:
        put("vet", f"{i}.apk", data)
    block = signing_block(data)
    if block:
        put("signatures", f"{i}.block", block)
    try:
        z = zipfile.ZipFile(apk)
        for info in z.infolist():
            n = info.filename
            if n == "AndroidManifest.xml":
                put("axml", f"{i}.xml", z.read(info))
            elif n == "resources.arsc" and info.file_size < 1 << 20:
                put("arsc", f"{i}.arsc", z.read(info))
            elif n == "classes.dex" and info.file_size < 1 << 20:
                put("dex", f"{i}.dex", z.read(info))
            elif n.upper().startswith("META-INF/") and n.upper().endswith((".RSA", ".DSA", ".EC")):
                put("signatures", f"{i}.p7", z.read(info))
    except Exception:  # broken APKs are in the corpus on purpose
        pass
# the APKs built for the tests (small, signed each way, with endpoints, SDKs, nested code)
built = pathlib.Path(__file__).resolve().parent.parent / "crates/ictguard-apk/tests/built/apk"
for apk in sorted(built.glob("*.apk")):
    put("vet", f"built-{apk.name}", apk.read_bytes())
    put("apk_zip", f"built-{apk.name}", apk.read_bytes())
# the non-APK targets: the head of each shipped list file (every supported format), the rule
# pack's own files, and a few query shapes (fields split on 0xFF as the target splits them)
lists = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "lists"
for f in sorted(lists.glob("*.*")):
    if f.suffix in (".csv", ".txt", ".xml"):
        put("list_file", f.name, f.read_bytes()[:16384])
# a complete small UN document too (the head alone is never well-formed XML)
un_file = lists / "un_consolidated_watchman-testdata.xml"
if un_file.exists():
    un = un_file.read_bytes()
    cut = un.index(b"</INDIVIDUAL>", un.index(b"</INDIVIDUAL>") + 1) + len(b"</INDIVIDUAL>")
    put("list_file", "un-two-listings.xml", un[:cut] + b"</INDIVIDUALS></CONSOLIDATED_LIST>\n")
# and one shaped as the EU's Financial Sanctions Files export (no sample ships in shared/)
put("list_file", "eu-two-entities.xml", b"""<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-11-30T18:00:01+01:00">
<sanctionEntity designationDate="2022-02-28" euReferenceNumber="EU.1.1" logicalId="1">
<regulation entryIntoForceDate="2022-02-25" programme="UKR" numberTitle="2022/336"/>
<subjectType code="person" classificationCode="P"/>
<nameAlias wholeName="Ivan PETROV" strong="true"/><nameAlias wholeName="Vanya" strong="false"/>
<citizenship countryIso2Code="RU"/><address countryIso2Code="00"/>
</sanctionEntity>
<sanctionEntity euReferenceNumber="EU.2.2" logicalId="2"><subjectType code="enterprise"/>
<nameAlias firstName="" lastName="" wholeName="Global Oil Company Ltd" strong="true"/></sanctionEntity>
</export>
""")
# and one shaped as the FCDO's UK Sanctions List
put("list_file", "uk-two-designations.xml", b"""<?xml version="1.0" encoding="utf-8"?>
<Designations><DateGenerated>02/09/2026</DateGenerated>
<Designation><DateDesignated>25/01/2001</DateDesignated><UniqueID>AFG0006</UniqueID>
<Names><Name><Name1>MOHAMMAD</Name1><Name6>AKHUND</Name6><NameType>Primary Name</NameType></Name>
<Name><Name6>Mullah Mohammad</Name6><NameType>Alias</NameType></Name></Names>
<RegimeName>Afghanistan</RegimeName><IndividualEntityShip>Individual</IndividualEntityShip>
<IndividualDetails><Individual><Nationalities><Nationality>Afghanistan</Nationality></Nationalities></Individual></IndividualDetails>
</Designation>
<Designation><DateDesignated>dd/mm/2022</DateDesignated><UniqueID>RUS1</UniqueID>
<Names><Name><Name6>SOME TANKER</Name6><NameType>Primary Name</NameType></Name></Names>
<IndividualEntityShip>Ship</IndividualEntityShip></Designation>
</Designations>
""")
rules = pathlib.Path(__file__).resolve().parent.parent / "rules"
for f in sorted(rules.rglob("*.toml")):
    put("rule_pack", f"{f.parent.name}-{f.name}", f.read_bytes())
for i, q in enumerate([b"Tencent Holdings\xffWeChat\xffcom.tencent.mm\xffpayment\xff2021-01-06",
                       b"\xe8\x85\xbe\xe8\xae\xaf\xff\xffcom.zhiliaoapp.musically\xffapp_store_distribution",
                       b"ByteDance Ltd.\xffCapCut\xff\xffany\xff2025-01-19"]):
    put("screen_query", f"q{i}", q)
# batch tables as people have them: UTF-8 with commas, Latin-1 with semicolons and CRLF (Excel),
# UTF-16 with a byte-order mark and tabs
table = "id,name,country,as_of\nr1,Müller GmbH,DE,2021-03-01\nr2,Tencent Holdings,CN,\n"
put("batch_table", "utf8.csv", table.encode())
put("batch_table", "latin1.csv", table.replace(",", ";").replace("\n", "\r\n").encode("latin-1"))
put("batch_table", "utf16.csv", b"\xff\xfe" + table.replace(",", "\t").encode("utf-16-le"))
# a small workbook laid out as Excel writes one: inline strings and a date cell (serial 45444)
import io
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
book = io.BytesIO()
with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
               '<Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
               '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/></Relationships>')
    z.writestr("xl/styles.xml", f'<styleSheet {ns}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    z.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>as_of</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Tencent</t></is></c>'
               '<c r="B2" s="1"><v>45444</v></c></row></sheetData></worksheet>')
put("workbook", "small.xlsx", book.getvalue())
for d in sorted(out.iterdir()):
    print(f"{d.name}: {len(list(d.iterdir()))} seeds")
