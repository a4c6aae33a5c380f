//! The publications ictguard knows how to fetch, and where their files are.
//!
//! URLs are the publishers' own download addresses as of December 2026: OFAC's Sanctions List
//! Service exports (the legacy CSV files; `www.treasury.gov/ofac/downloads/…` redirects there),
//! the International Trade Administration's keyless CSL download, BIS's Denied Persons text
//! file, the UN Security Council's consolidated XML and the European Commission's Financial
//! Sanctions Files XML (version 1.1, with its public download token) and the FCDO's UK Sanctions
//! List XML. A mirror (`--mirror URL`) serves the same file names under `URL/<source id>/`.

/// One file of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFile {
    /// The file's name as the list reader sees it (it tells OFAC's SDN files from non-SDN ones).
    pub name: &'static str,
    /// The publisher's URL for it.
    pub url: &'static str,
}

/// A publication: one or more files read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// A short stable id (`ofac-sdn`), used in the store and on the command line.
    pub id: &'static str,
    /// Its name, as a person would say it.
    pub name: &'static str,
    /// Who publishes it.
    pub publisher: &'static str,
    /// Its files, primary records first.
    pub files: &'static [SourceFile],
    /// Fewer entries than this in a download is not a list but a broken file: refused.
    pub min_entries: usize,
}

/// An OFAC Sanctions List Service export by file name.
macro_rules! ofac {
    ($name:literal) => {
        SourceFile {
            name: $name,
            url: concat!(
                "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/",
                $name
            ),
        }
    };
}

/// Every source, in the order `lists update` fetches them.
pub const SOURCES: &[Source] = &[
    Source {
        id: "ofac-sdn",
        name: "OFAC Specially Designated Nationals and Blocked Persons List",
        publisher: "US Treasury, Office of Foreign Assets Control",
        files: &[
            ofac!("SDN.CSV"),
            ofac!("ALT.CSV"),
            ofac!("ADD.CSV"),
        ],
        min_entries: 1000,
    },
    Source {
        id: "ofac-cons",
        name: "OFAC Consolidated Sanctions List (non-SDN lists)",
        publisher: "US Treasury, Office of Foreign Assets Control",
        files: &[
            ofac!("CONS_PRIM.CSV"),
            ofac!("CONS_ALT.CSV"),
            ofac!("CONS_ADD.CSV"),
        ],
        min_entries: 50,
    },
    Source {
        id: "csl",
        name: "Consolidated Screening List",
        publisher: "US Department of Commerce, International Trade Administration",
        files: &[SourceFile {
            name: "consolidated.csv",
            url: "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        }],
        min_entries: 1000,
    },
    Source {
        id: "bis-dpl",
        name: "Denied Persons List",
        publisher: "US Department of Commerce, Bureau of Industry and Security",
        files: &[SourceFile {
            name: "dpl.txt",
            url: "https://www.bis.doc.gov/dpl/dpl.txt",
        }],
        min_entries: 50,
    },
    Source {
        id: "un-sc",
        name: "UN Security Council Consolidated List",
        publisher: "United Nations Security Council",
        files: &[SourceFile {
            name: "consolidated.xml",
            url: "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        }],
        min_entries: 500,
    },
    Source {
        id: "eu-fsf",
        name: "EU consolidated list of persons, groups and entities subject to financial sanctions",
        publisher: "European Commission (Financial Sanctions Files)",
        files: &[SourceFile {
            name: "eu-fsf.xml",
            // the Commission's public download token, the same for everyone
            url: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
        }],
        min_entries: 1000,
    },
    Source {
        id: "uk",
        name: "UK Sanctions List",
        publisher: "UK Foreign, Commonwealth and Development Office",
        files: &[SourceFile {
            name: "UK-Sanctions-List.xml",
            url: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
        }],
        min_entries: 1000,
    },
];
