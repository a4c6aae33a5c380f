//! Ownership through chains: who owns an entity, directly or indirectly, and by how much in aggregate.
//!
//! Aggregation follows the usual "50 percent rule" arithmetic: along one chain the shares multiply,
//! and the shares reached through different chains add up.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::pack::RulePack;

/// Chains longer than this are not followed (packs are hand-written; real chains are short).
pub const MAX_DEPTH: usize = 12;

/// One chain from an owned entity up to an owner.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnershipChain {
    /// Entity ids from the owned entity to the owner, inclusive.
    pub chain: Vec<String>,
    /// Product of the shares along the chain, in percent.
    pub percent: f64,
}

/// How much `owner` holds of `owned`, summed over every chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ownership {
    /// The owner entity id.
    pub owner: String,
    /// The owned entity id.
    pub owned: String,
    /// Aggregate share in percent (capped at 100).
    pub percent: f64,
    /// The chains that make it up.
    pub chains: Vec<OwnershipChain>,
}

impl RulePack {
    /// Every direct and indirect owner of `owned`, with aggregate shares, largest first.
    pub fn owners_of(&self, owned: &str) -> Vec<Ownership> {
        let mut by_owner: BTreeMap<String, Vec<OwnershipChain>> = BTreeMap::new();
        let mut path = vec![owned.to_string()];
        self.walk_up(owned, 100.0, &mut path, &mut by_owner);
        let mut out: Vec<Ownership> = by_owner
            .into_iter()
            .map(|(owner, chains)| Ownership {
                percent: chains.iter().map(|c| c.percent).sum::<f64>().min(100.0),
                owner,
                owned: owned.to_string(),
                chains,
            })
            .collect();
        out.sort_by(|a, b| {
            b.percent
                .total_cmp(&a.percent)
                .then_with(|| a.owner.cmp(&b.owner))
        });
        out
    }

    /// How much `owner` holds of `owned`, if anything.
    pub fn ownership(&self, owned: &str, owner: &str) -> Option<Ownership> {
        self.owners_of(owned).into_iter().find(|o| o.owner == owner)
    }

    fn walk_up(
        &self,
        id: &str,
        share: f64,
        path: &mut Vec<String>,
        out: &mut BTreeMap<String, Vec<OwnershipChain>>,
    ) {
        if path.len() > MAX_DEPTH {
            return;
        }
        let Some(entity) = self.entity(id) else {
            return;
        };
        for parent in &entity.parents {
            if path.contains(&parent.id) {
                continue; // a cycle: stop this chain
            }
            let through = share * parent.percent / 100.0;
            path.push(parent.id.clone());
            out.entry(parent.id.clone())
                .or_default()
                .push(OwnershipChain {
                    chain: path.clone(),
                    percent: through,
                });
            self.walk_up(&parent.id, through, path, out);
            path.pop();
        }
    }
}
