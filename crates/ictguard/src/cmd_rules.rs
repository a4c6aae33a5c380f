//! `ictguard rules …`: list, show, status on a date, check a user's pack.

use std::io::Write;

use anyhow::bail;
use ictguard_rules::{Layer, RulePack};

use crate::cli::{Cli, RulesCommand};
use crate::{as_of_or_today, load_pack, Outcome};

pub fn run(cli: &Cli, cmd: &RulesCommand) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match cmd {
        RulesCommand::List { json } => {
            let pack = load_pack(cli)?;
            if *json {
                let v = serde_json::json!({
                    "pack": pack.meta,
                    "orders": pack.orders.iter().map(|o| &o.item).collect::<Vec<_>>(),
                    "apps": pack.apps.iter().map(|o| &o.item).collect::<Vec<_>>(),
                    "entities": pack.entities.iter().map(|o| &o.item).collect::<Vec<_>>(),
                    "cases": pack.cases.iter().map(|o| &o.item).collect::<Vec<_>>(),
                    "country_lists": pack.country_lists.iter().map(|o| &o.item).collect::<Vec<_>>(),
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                ictguard_report::rules::list(&mut out, &pack)?;
            }
        }
        RulesCommand::Show { id, json } => {
            let pack = load_pack(cli)?;
            if pack.kind_of(id).is_none() {
                bail!("no item with id {id:?} in the rule pack (try `ictguard rules list`)");
            }
            ictguard_report::rules::show(&mut out, &pack, id, *json)?;
        }
        RulesCommand::Status { as_of, json } => {
            let pack = load_pack(cli)?;
            let date = as_of_or_today(as_of.as_deref())?;
            let statuses = pack.statuses_on(date);
            if *json {
                let v = serde_json::json!({
                    "as_of": date,
                    "orders": statuses,
                    "warnings": pack.horizon_warning(date).into_iter().collect::<Vec<_>>(),
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                ictguard_report::rules::status(&mut out, &pack, date, &statuses)?;
            }
        }
        RulesCommand::Check { dir, standalone } => {
            let user = match Layer::read_dir(dir) {
                Ok(l) => l,
                Err(e) => {
                    for d in &e.diagnostics {
                        eprintln!("{d}");
                    }
                    bail!("cannot read rule pack at {}", dir.display());
                }
            };
            let n = user.names().len();
            let result = if *standalone {
                RulePack::from_layers(&[user])
            } else {
                RulePack::from_layers(&[Layer::bundled(), user])
            };
            match result {
                Ok(pack) => {
                    writeln!(
                        out,
                        "ok: {n} file(s); {} orders, {} apps, {} entities, {} cases in the {} pack",
                        pack.orders.len(),
                        pack.apps.len(),
                        pack.entities.len(),
                        pack.cases.len(),
                        if *standalone { "standalone" } else { "merged" }
                    )?;
                }
                Err(e) => {
                    for d in &e.diagnostics {
                        writeln!(out, "{d}")?;
                    }
                    writeln!(out, "{} error(s)", e.diagnostics.len())?;
                    return Ok(Outcome::Flagged);
                }
            }
        }
    }
    Ok(Outcome::Clean)
}
