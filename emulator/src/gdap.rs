//! The partner's GDAP relationships as Microsoft Graph lists them (PROTOCOL.md §4), made once from
//! the estate, and the customer list a correct client derives from them (active only, one entry
//! per tenant) for the startup line. Pure data; the Graph endpoints are in graph.rs.

use crate::estate::{Estate, SpecialKind};
use crate::rng;
use serde_json::{json, Value};

pub const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const HELPDESK_ADMIN: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

const DAY: u64 = 86_400;
/// 2027-01-01T00:00:00Z: fixed dates keep the startup line a function of the seed alone.
const BASE: u64 = 1_798_761_600;

pub struct Relationship {
    pub id: String,
    pub tenant: usize,
    pub display_name: String,
    pub status: &'static str,
    pub roles: Vec<&'static str>,
    pub duration_days: u64,
    pub auto_extend: &'static str,
    pub created: u64,
    pub end: u64,
}

impl Relationship {
    pub fn to_json(&self, e: &Estate) -> Value {
        let t = &e.tenants[self.tenant];
        let activated = if self.status == "approvalPending" {
            Value::Null
        } else {
            json!(rng::iso_z(self.created + 3600))
        };
        json!({
            "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
            "id": self.id,
            "displayName": self.display_name,
            "duration": format!("P{}D", self.duration_days),
            "status": self.status,
            "autoExtendDuration": self.auto_extend,
            "createdDateTime": rng::iso_z(self.created),
            "lastModifiedDateTime": rng::iso_z(self.created + 3600),
            "activatedDateTime": activated,
            "endDateTime": rng::iso_z(self.end),
            "customer": {"tenantId": t.id, "displayName": t.org_name},
            "accessDetails": {
                "unifiedRoles": self.roles.iter().map(|r| json!({"roleDefinitionId": r})).collect::<Vec<_>>()
            },
        })
    }
}

/// Every relationship, in listing order. Customers and special tenants have an active one (the
/// special tenants then fail at the token endpoint, consentMissing with AADSTS65001); besides:
/// customer 0 has a second active one (and an expired one); customer 1 lacks the Exchange
/// Administrator role; customer 2 has Global Administrator instead; the unrelated tenant has
/// only an expired and a pending one.
pub fn relationships(e: &Estate, seed: u64) -> Vec<Relationship> {
    let mut out = Vec::new();
    let mut add = |tenant: usize, n: u64, status: &'static str, roles: Vec<&'static str>| {
        let hv = rng::h(&[seed, 0x6dA9, tenant as u64, n]);
        let duration_days = [730u64, 365, 180][(hv % 3) as usize];
        let created = if status == "expired" {
            BASE - 3 * 365 * DAY + (hv >> 8) % (30 * DAY)
        } else {
            BASE - 200 * DAY + (hv >> 8) % (100 * DAY)
        };
        let end = created + duration_days * DAY;
        let end = if status == "expired" {
            end.min(BASE - 400 * DAY)
        } else {
            end.max(BASE + 30 * DAY)
        };
        let rel_guid = rng::guid(hv, rng::h(&[hv, 1]));
        out.push(Relationship {
            id: format!("{}-{}", rel_guid, e.tenants[tenant].id),
            tenant,
            display_name: format!(
                "MSP_{}_{}",
                e.tenants[tenant]
                    .org_name
                    .split_whitespace()
                    .next()
                    .unwrap_or("Customer"),
                n + 1
            ),
            status,
            roles,
            duration_days,
            auto_extend: if hv % 2 == 0 { "P180D" } else { "PT0S" },
            created,
            end,
        });
    };
    let customers: Vec<usize> = e.customers().collect();
    for (k, &t) in customers.iter().enumerate() {
        let roles = match k {
            1 => vec![GLOBAL_READER, USER_ADMIN],
            2 => vec![GLOBAL_ADMIN],
            _ => vec![EXCHANGE_ADMIN, GLOBAL_READER, HELPDESK_ADMIN],
        };
        add(t, 0, "active", roles);
        if k == 0 {
            add(t, 1, "active", vec![USER_ADMIN]);
            add(t, 2, "expired", vec![EXCHANGE_ADMIN]);
        }
    }
    for sk in SpecialKind::ALL {
        add(
            e.special(sk),
            0,
            "active",
            vec![EXCHANGE_ADMIN, GLOBAL_READER],
        );
    }
    let u = e.unrelated();
    add(u, 0, "expired", vec![EXCHANGE_ADMIN]);
    add(u, 1, "approvalPending", vec![EXCHANGE_ADMIN]);
    out
}

/// What a client should make of the active relationships: one entry per tenant, in order of
/// first appearance, with the latest end date and whether any active relationship grants the
/// Exchange Administrator / Global Administrator role.
pub fn expected_customers(e: &Estate, rels: &[Relationship]) -> Value {
    let mut order: Vec<usize> = Vec::new();
    for r in rels.iter().filter(|r| r.status == "active") {
        if !order.contains(&r.tenant) {
            order.push(r.tenant);
        }
    }
    let list: Vec<Value> = order
        .iter()
        .map(|&t| {
            let active: Vec<&Relationship> = rels
                .iter()
                .filter(|r| r.tenant == t && r.status == "active")
                .collect();
            let has = |role: &str| active.iter().any(|r| r.roles.contains(&role));
            let tn = &e.tenants[t];
            json!({
                "tenantId": tn.id,
                "displayName": tn.org_name,
                "defaultDomainName": tn.domain,
                "relationshipEndsUtc": rng::iso_z(active.iter().map(|r| r.end).max().unwrap_or(0)),
                "hasExchangeAdminRole": has(EXCHANGE_ADMIN),
                "hasGlobalAdminRole": has(GLOBAL_ADMIN),
                "activeRelationships": active.len(),
            })
        })
        .collect();
    Value::Array(list)
}
