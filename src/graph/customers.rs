//! The partner's customers: GDAP relationships (paged), deduplicated per
//! customer tenant in order of first appearance, with the roles they grant and
//! each tenant's default domain (docs/PROTOCOL.md "GDAP customers").

use crate::cancel::CancelToken;
use crate::error::{Error, Reason};
use crate::graph::client::GraphClient;
use crate::retry::RetryRecord;
use crate::util::{clean_text, is_guid, lock};
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Role template ids (Entra ID built-in roles).
pub(crate) const EXCHANGE_ADMINISTRATOR: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
pub(crate) const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

const RELATIONSHIPS: &str = "v1.0/tenantRelationships/delegatedAdminRelationships";
/// Tenant lookups in flight at once (one request each; Graph answers them in parallel).
const LOOKUPS_AT_ONCE: usize = 8;
/// A runaway listing (a link loop) ends here.
const MAX_PAGES: u32 = 10_000;

/// One customer tenant, as `Get-ExoDelegatedCustomer` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub(crate) tenant_id: String,
    pub(crate) display_name: String,
    pub(crate) default_domain_name: Option<String>,
    /// The latest `endDateTime` of the relationships that count (active ones, else all).
    pub(crate) relationship_ends_utc: Option<String>,
    pub(crate) has_exchange_admin_role: bool,
    pub(crate) has_global_admin_role: bool,
    pub(crate) active_relationships: u32,
    /// `active` when any relationship is, else the status of the one that ends last.
    pub(crate) status: String,
}

/// The whole answer.
#[derive(Debug, Default, Serialize)]
pub struct Listing {
    pub(crate) customers: Vec<Customer>,
    pub(crate) pages: u32,
    pub(crate) relationships: u32,
    pub(crate) retries: Vec<RetryRecord>,
    pub(crate) warnings: Vec<String>,
}

/// One relationship, as far as it matters here.
pub(crate) struct Relationship {
    tenant_id: String,
    display_name: String,
    status: String,
    end: Option<String>,
    roles: Vec<String>,
}

fn parse_relationship(v: &Value) -> Option<Relationship> {
    let tenant_id = v["customer"]["tenantId"].as_str()?.to_ascii_lowercase();
    Some(Relationship {
        display_name: clean_text(v["customer"]["displayName"].as_str().unwrap_or(""), 256),
        // Shown to the caller when no relationship is active: cleaned like every peer's text.
        status: clean_text(v["status"].as_str().unwrap_or(""), 64),
        end: v["endDateTime"].as_str().map(|s| clean_text(s, 40)),
        roles: v["accessDetails"]["unifiedRoles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["roleDefinitionId"].as_str())
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
        tenant_id,
    })
}

/// Relationships per tenant → customers, in order of first appearance.
pub(crate) fn group(rels: &[Relationship], include_inactive: bool) -> Vec<Customer> {
    let mut order: Vec<&str> = Vec::new();
    for r in rels {
        if (include_inactive || r.status.eq_ignore_ascii_case("active"))
            && !order.contains(&r.tenant_id.as_str())
        {
            order.push(&r.tenant_id);
        }
    }
    order
        .into_iter()
        .map(|t| {
            let mine: Vec<&Relationship> = rels.iter().filter(|r| r.tenant_id == t).collect();
            let active: Vec<&Relationship> = mine
                .iter()
                .copied()
                .filter(|r| r.status.eq_ignore_ascii_case("active"))
                .collect();
            // Roles and the end date come from active relationships; a customer listed
            // only because of -IncludeInactive shows what its last relationship had.
            let counted = if active.is_empty() { &mine } else { &active };
            let last = counted.iter().max_by(|a, b| a.end.cmp(&b.end));
            let has = |role: &str| counted.iter().any(|r| r.roles.iter().any(|x| x == role));
            Customer {
                tenant_id: t.to_string(),
                display_name: mine
                    .iter()
                    .map(|r| r.display_name.as_str())
                    .find(|n| !n.is_empty())
                    .unwrap_or("")
                    .to_string(),
                default_domain_name: None,
                relationship_ends_utc: last.and_then(|r| r.end.clone()),
                has_exchange_admin_role: has(EXCHANGE_ADMINISTRATOR),
                has_global_admin_role: has(GLOBAL_ADMINISTRATOR),
                active_relationships: active.len() as u32,
                status: if active.is_empty() {
                    last.map(|r| r.status.clone()).unwrap_or_default()
                } else {
                    "active".into()
                },
            }
        })
        .collect()
}

/// One page of the relationship listing: its relationships go to `rels` (one without a
/// customer tenant id is skipped with a warning), counted in `listing`. Returns the page's
/// `@odata.nextLink`, unchecked.
pub(crate) fn read_page<'a>(
    page: &'a Value,
    rels: &mut Vec<Relationship>,
    listing: &mut Listing,
) -> Result<Option<&'a str>, Error> {
    listing.pages += 1;
    let values = page["value"].as_array().ok_or_else(|| {
        Error::internal("Microsoft Graph answered the relationship listing without a value array")
    })?;
    for v in values {
        listing.relationships += 1;
        match parse_relationship(v) {
            Some(r) if is_guid(&r.tenant_id) => rels.push(r),
            _ => listing.warnings.push(format!(
                "A GDAP relationship without a customer tenant id was skipped (id {}).",
                clean_text(v["id"].as_str().unwrap_or("?"), 80)
            )),
        }
    }
    Ok(page["@odata.nextLink"].as_str())
}

/// List the customers: every page of relationships, then the tenant lookups.
pub fn list(client: &GraphClient, cancel: &Arc<CancelToken>) -> Result<Listing, Error> {
    let include_inactive = client.options.include_inactive;
    let mut listing = Listing::default();
    let mut rels = Vec::new();
    let query = if include_inactive {
        String::new()
    } else {
        "?$filter=status%20eq%20%27active%27".into()
    };
    let mut url = client.url(&format!("{RELATIONSHIPS}{query}"))?;
    loop {
        let page = client.get_json(&url, cancel, &mut listing.retries)?;
        match read_page(&page, &mut rels, &mut listing)? {
            Some(link) if listing.pages < MAX_PAGES => url = client.check_link(link)?,
            Some(_) => {
                return Err(Error::internal(format!(
                    "Microsoft Graph kept returning page links after {MAX_PAGES} pages"
                )))
            }
            None => break,
        }
    }
    listing.customers = group(&rels, include_inactive);
    lookup_domains(client, cancel, &mut listing)?;
    Ok(listing)
}

/// `findTenantInformationByTenantId` for every customer, a few at once. A tenant
/// Graph does not know keeps no domain (with a warning); any other failure ends
/// the listing (it would hit every lookup alike: 401/403, throttling past the retries).
fn lookup_domains(
    client: &GraphClient,
    cancel: &Arc<CancelToken>,
    listing: &mut Listing,
) -> Result<(), Error> {
    let n = listing.customers.len();
    let ids: Vec<String> = listing
        .customers
        .iter()
        .map(|c| c.tenant_id.clone())
        .collect();
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<Option<Result<Option<String>, Error>>>> = Mutex::new(vec![None; n]);
    let retries: Mutex<Vec<RetryRecord>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..LOOKUPS_AT_ONCE.min(n) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n || cancel.is_cancelled() {
                    break;
                }
                let mut mine = Vec::new();
                let r = lookup_one(client, &ids[i], cancel, &mut mine);
                lock(&retries).extend(mine);
                let failed = matches!(r, Err(ref e) if e.reason != Reason::NotFound);
                lock(&found)[i] = Some(r);
                if failed {
                    // Stop the other lookups soon: the first error is reported.
                    next.store(n, Ordering::Relaxed);
                }
            });
        }
    });
    cancel.check()?;
    listing.retries.extend(std::mem::take(&mut *lock(&retries)));
    let found = std::mem::take(&mut *lock(&found));
    for (c, r) in listing.customers.iter_mut().zip(found) {
        match r {
            Some(Ok(domain)) => c.default_domain_name = domain,
            Some(Err(e)) if e.reason == Reason::NotFound => listing.warnings.push(format!(
                "Microsoft Graph has no tenant information for customer {} ({}); its default domain is unknown.",
                c.tenant_id, c.display_name
            )),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    // A lookup skipped after another failed: that failure was returned above.
    Ok(())
}

fn lookup_one(
    client: &GraphClient,
    tenant_id: &str,
    cancel: &Arc<CancelToken>,
    retries: &mut Vec<RetryRecord>,
) -> Result<Option<String>, Error> {
    // tenant_id is a checked GUID: safe in the path.
    let url = client.url(&format!(
        "v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{tenant_id}')"
    ))?;
    let v = client.get_json(&url, cancel, retries)?;
    Ok(tenant_domain(&v))
}

/// The default domain in a `findTenantInformationByTenantId` answer, if it names one.
pub(crate) fn tenant_domain(answer: &Value) -> Option<String> {
    // Empty once cleaned (only controls) is no domain: "" would reach Connect-ExoDelegated.
    answer["defaultDomainName"]
        .as_str()
        .map(|s| clean_text(s, 253))
        .filter(|s| !s.is_empty())
}

impl Listing {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rel(t: &str, status: &str, end: &str, roles: &[&str]) -> Relationship {
        parse_relationship(&json!({
            "status": status, "endDateTime": end,
            "customer": {"tenantId": t, "displayName": format!("Org {t}")},
            "accessDetails": {"unifiedRoles": roles.iter().map(|r| json!({"roleDefinitionId": r})).collect::<Vec<_>>()}
        }))
        .unwrap()
    }

    #[test]
    fn deduplicated_per_tenant_with_roles_of_active_relationships() {
        let rels = vec![
            rel("a", "active", "2027-01-01T00:00:00Z", &["x"]),
            rel(
                "b",
                "expired",
                "2025-01-01T00:00:00Z",
                &[EXCHANGE_ADMINISTRATOR],
            ),
            rel(
                "a",
                "active",
                "2027-06-01T00:00:00Z",
                &[EXCHANGE_ADMINISTRATOR],
            ),
            rel(
                "a",
                "expired",
                "2028-01-01T00:00:00Z",
                &[GLOBAL_ADMINISTRATOR],
            ),
            rel("c", "approvalPending", "2027-01-01T00:00:00Z", &[]),
        ];
        let c = group(&rels, false);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].tenant_id, "a");
        assert!(c[0].has_exchange_admin_role);
        assert!(!c[0].has_global_admin_role);
        assert_eq!(c[0].active_relationships, 2);
        assert_eq!(
            c[0].relationship_ends_utc.as_deref(),
            Some("2027-06-01T00:00:00Z")
        );
        let all = group(&rels, true);
        assert_eq!(
            all.iter().map(|c| c.tenant_id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(all[1].status, "expired");
        assert!(all[1].has_exchange_admin_role);
        assert_eq!(all[2].status, "approvalPending");
        let hostile = rel(
            "d",
            "\u{1b}]0;x\u{7}expired\u{202e}",
            "2025-01-01T00:00:00Z",
            &[],
        );
        assert_eq!(group(&[hostile], true)[0].status, "]0;x expired");
    }

    #[test]
    fn a_default_domain_of_controls_only_is_none() {
        assert_eq!(
            tenant_domain(&json!({"defaultDomainName": "contoso.onmicrosoft.com"})).as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        for v in [
            json!({"defaultDomainName": "\u{1b}\u{202e}"}),
            json!({"defaultDomainName": ""}),
            json!({}),
        ] {
            assert_eq!(tenant_domain(&v), None, "{v}");
        }
    }
}
