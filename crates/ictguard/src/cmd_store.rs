//! `ictguard keys` and `ictguard audit`: the store from the command line.

use std::io::Write;

use anyhow::{bail, Context as _};
use ictguard_store::{ChainCheck, Role};

use crate::cli::{AuditCommand, KeysCommand};
use crate::Outcome;

/// Open a database that must already exist: a mistyped SQLite path is an error, not a new
/// empty database (which would read as "no records" or "no snapshots").
pub fn open_existing(database: &str) -> anyhow::Result<Box<dyn ictguard_store::Store>> {
    if !ictguard_store::is_postgres_url(database) {
        let path = database.strip_prefix("sqlite://").unwrap_or(database);
        anyhow::ensure!(
            std::path::Path::new(path).is_file(),
            "no database at {path} (a path to an existing SQLite file, or a postgres:// URL)"
        );
    }
    Ok(ictguard_store::open(database)?)
}

pub fn keys(cmd: &KeysCommand) -> anyhow::Result<Outcome> {
    match cmd {
        KeysCommand::Create {
            role,
            label,
            database,
        } => {
            let role = Role::parse(role)
                .with_context(|| format!("--role {role:?}: expected screen or admin"))?;
            let (id, key) = ictguard_store::open(database)?.create_key(role, label)?;
            println!("{key}");
            eprintln!(
                "ictguard: created {} key {id}; it is shown once: keep it now",
                role.as_str()
            );
            Ok(Outcome::Clean)
        }
        KeysCommand::List { database, json } => {
            for k in open_existing(database)?.list_keys()? {
                if *json {
                    println!("{}", serde_json::to_string(&k)?);
                } else {
                    println!(
                        "{}  {:<6}  made {}  {}  {}",
                        k.id,
                        k.role.as_str(),
                        k.created,
                        k.revoked
                            .as_deref()
                            .map_or("active".to_string(), |r| format!("revoked {r}")),
                        k.label
                    );
                }
            }
            Ok(Outcome::Clean)
        }
        KeysCommand::Revoke { id, database } => {
            if !ictguard_store::open(database)?.revoke_key(id)? {
                bail!("no active key {id:?}");
            }
            eprintln!("ictguard: revoked key {id}");
            Ok(Outcome::Clean)
        }
    }
}

pub fn audit(cmd: &AuditCommand) -> anyhow::Result<Outcome> {
    match cmd {
        AuditCommand::Verify { database } => match open_existing(database)?.verify()? {
            ChainCheck::Intact { records } => {
                println!("intact: {records} records, every hash linked to the one before");
                Ok(Outcome::Clean)
            }
            ChainCheck::Broken { seq, why } => {
                println!("BROKEN at record {seq}: {why}");
                Ok(Outcome::Error)
            }
        },
        AuditCommand::Export { database, format } => {
            let mut store = open_existing(database)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut csv = (format == "csv").then(|| csv::Writer::from_writer(Vec::new()));
            if format != "csv" && format != "jsonl" {
                bail!("--format {format:?}: expected jsonl or csv");
            }
            if let Some(w) = csv.as_mut() {
                w.write_record([
                    "seq",
                    "at",
                    "kind",
                    "subject",
                    "decision",
                    "actor",
                    "prev_hash",
                    "hash",
                    "body",
                ])?;
            }
            let mut after = 0;
            loop {
                let page = store.query(&ictguard_store::AuditQuery {
                    after: Some(after),
                    limit: Some(1000),
                    ..Default::default()
                })?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for r in &page {
                    match csv.as_mut() {
                        Some(w) => w.write_record([
                            r.seq.to_string(),
                            r.at.clone(),
                            r.kind.clone(),
                            r.subject.clone(),
                            r.decision.clone(),
                            r.actor.clone(),
                            r.prev_hash.clone(),
                            r.hash.clone(),
                            r.body.to_string(),
                        ])?,
                        None => writeln!(out, "{}", serde_json::to_string(r)?)?,
                    }
                }
            }
            if let Some(w) = csv {
                out.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
            }
            out.flush()?;
            Ok(Outcome::Clean)
        }
    }
}
