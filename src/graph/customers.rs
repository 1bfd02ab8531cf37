//! The partner's customers: GDAP relationships (paged), tallied per customer
//! tenant in order of first appearance as the pages arrive, with the roles they
//! grant and each tenant's default domain (docs/PROTOCOL.md "GDAP customers").
//! A hostile or broken Graph is bounded: relationships per listing, warnings per
//! kind, text per field, and no secret the client holds reaches any of it.

use crate::cancel::CancelToken;
use crate::error::{Error, Reason};
use crate::graph::client::GraphClient;
use crate::retry::RetryRecord;
use crate::util::{is_guid, lock, quote_redacted};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
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
/// Relationships one listing reads at most, over all its pages: far above any real
/// partner (334 full pages of 300), low enough that a server that never stops
/// listing cannot exhaust memory (docs/PROTOCOL.md §6).
pub(crate) const MAX_RELATIONSHIPS: u32 = 100_000;
/// Warnings of one kind given one by one; the rest are counted in one more warning.
pub(crate) const MAX_WARNINGS_PER_KIND: u32 = 10;
/// Longest text kept per field (characters), as Entra ID allows them.
const MAX_DISPLAY_NAME: usize = 256;
const MAX_STATUS: usize = 64;
const MAX_DATE: usize = 40;
const MAX_DOMAIN: usize = 253;
const MAX_ID_IN_WARNING: usize = 80;

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
    /// Relationships skipped (no customer tenant id) and customers without tenant
    /// information: each warned of up to `MAX_WARNINGS_PER_KIND` times, then counted.
    #[serde(skip)]
    pub(crate) skipped: u32,
    #[serde(skip)]
    pub(crate) unknown_tenants: u32,
}

impl Listing {
    /// A relationship without a customer tenant id; `id` is built only when it is shown.
    fn skip(&mut self, id: impl FnOnce() -> String) {
        self.skipped += 1;
        if self.skipped <= MAX_WARNINGS_PER_KIND {
            self.warnings.push(format!(
                "A GDAP relationship without a customer tenant id was skipped (id {}).",
                id()
            ));
        }
    }

    /// A customer Graph has no tenant information for (display name already cleaned).
    fn unknown_tenant(&mut self, tenant_id: &str, display_name: &str) {
        self.unknown_tenants += 1;
        if self.unknown_tenants <= MAX_WARNINGS_PER_KIND {
            self.warnings.push(format!(
                "Microsoft Graph has no tenant information for customer {tenant_id} ({display_name}); its default domain is unknown."
            ));
        }
    }

    /// One more warning per kind that was cut short, saying how many were not shown, after
    /// the ones shown of its kind (skipped relationships come first: pages precede lookups).
    pub(crate) fn finish_warnings(&mut self) {
        let more = |n: u32| n.saturating_sub(MAX_WARNINGS_PER_KIND);
        if more(self.skipped) > 0 {
            self.warnings.insert(
                MAX_WARNINGS_PER_KIND as usize,
                format!(
                    "... and {} more GDAP relationships without a customer tenant id were skipped ({} in all).",
                    more(self.skipped),
                    self.skipped
                ),
            );
        }
        if more(self.unknown_tenants) > 0 {
            self.warnings.push(format!(
                "... and {} more customers have no tenant information in Microsoft Graph; their default domains are unknown ({} in all).",
                more(self.unknown_tenants),
                self.unknown_tenants
            ));
        }
    }
}

/// One relationship, as far as it matters here: its text cleaned, redacted of `secrets` and
/// cut short (`util::quote_redacted`).
pub(crate) struct Relationship {
    tenant_id: String,
    display_name: String,
    status: String,
    end: Option<String>,
    exchange_admin: bool,
    global_admin: bool,
}

fn parse_relationship(v: &Value, secrets: &[&str]) -> Option<Relationship> {
    let tenant_id = v["customer"]["tenantId"]
        .as_str()
        .filter(|t| is_guid(t))?
        .to_ascii_lowercase();
    let roles = v["accessDetails"]["unifiedRoles"].as_array();
    let grants = |role: &str| {
        roles.is_some_and(|a| {
            a.iter()
                .filter_map(|r| r["roleDefinitionId"].as_str())
                .any(|r| r.eq_ignore_ascii_case(role))
        })
    };
    Some(Relationship {
        display_name: quote_redacted(
            v["customer"]["displayName"].as_str().unwrap_or(""),
            MAX_DISPLAY_NAME,
            secrets,
        ),
        // Shown to the caller when no relationship is active: cleaned like every peer's text.
        status: quote_redacted(v["status"].as_str().unwrap_or(""), MAX_STATUS, secrets),
        end: v["endDateTime"]
            .as_str()
            .map(|s| quote_redacted(s, MAX_DATE, secrets)),
        exchange_admin: grants(EXCHANGE_ADMINISTRATOR),
        global_admin: grants(GLOBAL_ADMINISTRATOR),
        tenant_id,
    })
}

/// What some relationships of one tenant add up to.
#[derive(Default)]
struct Side {
    count: u32,
    /// `endDateTime` and `status` of the relationship that ends last (the later one on a tie).
    end: Option<String>,
    status: String,
    exchange_admin: bool,
    global_admin: bool,
}

impl Side {
    fn add(&mut self, r: &Relationship) {
        self.count += 1;
        if r.end >= self.end {
            self.end.clone_from(&r.end);
            self.status.clone_from(&r.status);
        }
        self.exchange_admin |= r.exchange_admin;
        self.global_admin |= r.global_admin;
    }
}

/// One customer tenant's relationships, tallied as they arrive.
struct Tally {
    tenant_id: String,
    /// The first non-empty display name of any of its relationships.
    display_name: String,
    /// Position of its first relationship, and of its first active one.
    first: u32,
    first_active: Option<u32>,
    all: Side,
    active: Side,
}

/// The customer tenants seen so far, each once: memory grows with the tenants, not with
/// the relationships, and every relationship is one hash lookup.
#[derive(Default)]
pub(crate) struct Tenants {
    index: HashMap<String, usize>,
    tallies: Vec<Tally>,
    seen: u32,
}

impl Tenants {
    pub(crate) fn add(&mut self, r: Relationship) {
        let at = self.seen;
        self.seen += 1;
        let i = match self.index.get(&r.tenant_id) {
            Some(&i) => i,
            None => {
                self.index.insert(r.tenant_id.clone(), self.tallies.len());
                self.tallies.push(Tally {
                    tenant_id: r.tenant_id.clone(),
                    display_name: String::new(),
                    first: at,
                    first_active: None,
                    all: Side::default(),
                    active: Side::default(),
                });
                self.tallies.len() - 1
            }
        };
        let t = &mut self.tallies[i];
        if t.display_name.is_empty() {
            t.display_name.clone_from(&r.display_name);
        }
        if r.status.eq_ignore_ascii_case("active") {
            t.first_active.get_or_insert(at);
            t.active.add(&r);
        }
        t.all.add(&r);
    }

    /// Relationships tallied (every one with a customer tenant id).
    pub(crate) fn relationships(&self) -> u32 {
        self.seen
    }

    /// The customers, in order of their first relationship that counts (an active one, or
    /// any with `include_inactive`). Roles and the end date come from active relationships;
    /// a customer listed only because of `include_inactive` shows what its last one had.
    pub(crate) fn customers(&self, include_inactive: bool) -> Vec<Customer> {
        let mut listed: Vec<(u32, &Tally)> = self
            .tallies
            .iter()
            .filter_map(|t| {
                if include_inactive {
                    Some((t.first, t))
                } else {
                    t.first_active.map(|a| (a, t))
                }
            })
            .collect();
        listed.sort_by_key(|(at, _)| *at);
        listed
            .into_iter()
            .map(|(_, t)| {
                let counted = if t.active.count > 0 {
                    &t.active
                } else {
                    &t.all
                };
                Customer {
                    tenant_id: t.tenant_id.clone(),
                    display_name: t.display_name.clone(),
                    default_domain_name: None,
                    relationship_ends_utc: counted.end.clone(),
                    has_exchange_admin_role: counted.exchange_admin,
                    has_global_admin_role: counted.global_admin,
                    active_relationships: t.active.count,
                    status: if t.active.count > 0 {
                        "active".into()
                    } else {
                        counted.status.clone()
                    },
                }
            })
            .collect()
    }
}

/// One page of the relationship listing: its relationships go to `tenants` (one without a
/// customer tenant id is skipped with a warning), counted in `listing`; text is redacted of
/// `secrets`. A page that would take the listing past `MAX_RELATIONSHIPS` ends it. Returns
/// the page's `@odata.nextLink`, unchecked.
pub(crate) fn read_page<'a>(
    page: &'a Value,
    tenants: &mut Tenants,
    listing: &mut Listing,
    secrets: &[&str],
) -> Result<Option<&'a str>, Error> {
    listing.pages += 1;
    let values = page["value"].as_array().ok_or_else(|| {
        Error::internal("Microsoft Graph answered the relationship listing without a value array")
    })?;
    if listing.relationships as usize + values.len() > MAX_RELATIONSHIPS as usize {
        return Err(too_many_relationships(listing));
    }
    for v in values {
        listing.relationships += 1;
        match parse_relationship(v, secrets) {
            Some(r) => tenants.add(r),
            None => listing.skip(|| {
                quote_redacted(v["id"].as_str().unwrap_or("?"), MAX_ID_IN_WARNING, secrets)
            }),
        }
    }
    Ok(page["@odata.nextLink"].as_str())
}

fn too_many_relationships(listing: &Listing) -> Error {
    Error::malformed_response(format!(
        "Microsoft Graph listed more than {MAX_RELATIONSHIPS} GDAP relationships (page {} would \
         take the listing past {} relationships read so far): the listing was stopped so that a \
         service that never stops listing cannot exhaust memory, and no customer is returned.",
        listing.pages, listing.relationships
    ))
    .with_action(
        "Without -IncludeInactive only active relationships are listed: leave it out. Should the \
         partner really have more than 100,000 GDAP relationships, report it (the bound is in \
         docs/PROTOCOL.md); otherwise the Graph host answered wrongly: retry later, and check \
         -GraphHost.",
    )
}

/// A Graph that keeps sending page links (empty pages, say) ends the listing like one that
/// sends too many relationships: a service answer we refuse, not a fault of ours.
fn too_many_pages() -> Error {
    Error::malformed_response(format!(
        "Microsoft Graph kept returning page links after {MAX_PAGES} pages of GDAP relationships: \
         the listing was stopped so that a service that never stops listing cannot run forever, \
         and no customer is returned."
    ))
    .with_action(
        "The Graph host answered wrongly: retry later, and check -GraphHost. Should the partner \
         really need more pages, report it (the bound is in docs/PROTOCOL.md).",
    )
}

/// List the customers: every page of relationships, then the tenant lookups.
pub fn list(client: &GraphClient, cancel: &Arc<CancelToken>) -> Result<Listing, Error> {
    let include_inactive = client.options.include_inactive;
    let mut listing = Listing::default();
    let mut tenants = Tenants::default();
    let query = if include_inactive {
        String::new()
    } else {
        "?$filter=status%20eq%20%27active%27".into()
    };
    let mut url = client.url(&format!("{RELATIONSHIPS}{query}"))?;
    loop {
        let page = client.get_json(&url, cancel, &mut listing.retries)?;
        let held = client.secrets();
        let secrets: Vec<&str> = held.iter().map(|s| s.expose()).collect();
        match read_page(&page, &mut tenants, &mut listing, &secrets)? {
            Some(link) if listing.pages < MAX_PAGES => url = client.check_link(link)?,
            Some(_) => return Err(too_many_pages()),
            None => break,
        }
    }
    listing.customers = tenants.customers(include_inactive);
    drop(tenants);
    lookup_domains(client, cancel, &mut listing)?;
    listing.finish_warnings();
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
    let mut unknown = Vec::new();
    for (i, (c, r)) in listing.customers.iter_mut().zip(found).enumerate() {
        match r {
            Some(Ok(domain)) => c.default_domain_name = domain,
            Some(Err(e)) if e.reason == Reason::NotFound => unknown.push(i),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    for i in unknown {
        let c = &listing.customers[i];
        let (id, name) = (c.tenant_id.clone(), c.display_name.clone());
        listing.unknown_tenant(&id, &name);
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
    let held = client.secrets();
    let secrets: Vec<&str> = held.iter().map(|s| s.expose()).collect();
    Ok(tenant_domain(&v, &secrets))
}

/// The default domain in a `findTenantInformationByTenantId` answer, if it names one
/// (redacted of `secrets`, cleaned, at most 253 characters as DNS allows).
pub(crate) fn tenant_domain(answer: &Value, secrets: &[&str]) -> Option<String> {
    // Empty once cleaned (only controls) is no domain: "" would reach Connect-ExoDelegated.
    answer["defaultDomainName"]
        .as_str()
        .map(|s| quote_redacted(s, MAX_DOMAIN, secrets))
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

    /// A GUID tenant id for `n`.
    fn tid(n: u32) -> String {
        format!("{n:08x}-0000-4000-8000-000000000000")
    }

    fn rel_json(t: &str, status: &str, end: &str, roles: &[&str]) -> Value {
        json!({
            "id": format!("r-{t}"), "status": status, "endDateTime": end,
            "customer": {"tenantId": t, "displayName": format!("Org {t}")},
            "accessDetails": {"unifiedRoles": roles.iter().map(|r| json!({"roleDefinitionId": r})).collect::<Vec<_>>()}
        })
    }

    fn rel(t: &str, status: &str, end: &str, roles: &[&str]) -> Relationship {
        parse_relationship(&rel_json(t, status, end, roles), &[]).unwrap()
    }

    fn tally(rels: Vec<Relationship>) -> Tenants {
        let mut t = Tenants::default();
        rels.into_iter().for_each(|r| t.add(r));
        t
    }

    #[test]
    fn deduplicated_per_tenant_with_roles_of_active_relationships() {
        let (a, b, c) = (tid(0xa), tid(0xb), tid(0xc));
        let t = tally(vec![
            rel(&a, "active", "2027-01-01T00:00:00Z", &["x"]),
            rel(
                &b,
                "expired",
                "2025-01-01T00:00:00Z",
                &[EXCHANGE_ADMINISTRATOR],
            ),
            rel(
                &a,
                "active",
                "2027-06-01T00:00:00Z",
                &[EXCHANGE_ADMINISTRATOR],
            ),
            rel(
                &a,
                "expired",
                "2028-01-01T00:00:00Z",
                &[GLOBAL_ADMINISTRATOR],
            ),
            rel(&c, "approvalPending", "2027-01-01T00:00:00Z", &[]),
        ]);
        let cs = t.customers(false);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].tenant_id, a);
        assert!(cs[0].has_exchange_admin_role);
        assert!(!cs[0].has_global_admin_role);
        assert_eq!(cs[0].active_relationships, 2);
        assert_eq!(
            cs[0].relationship_ends_utc.as_deref(),
            Some("2027-06-01T00:00:00Z")
        );
        let all = t.customers(true);
        assert_eq!(
            all.iter().map(|c| c.tenant_id.as_str()).collect::<Vec<_>>(),
            [a.as_str(), b.as_str(), c.as_str()]
        );
        assert_eq!(all[1].status, "expired");
        assert!(all[1].has_exchange_admin_role);
        assert_eq!(all[2].status, "approvalPending");
        let hostile = rel(
            &tid(0xd),
            "\u{1b}]0;x\u{7}expired\u{202e}",
            "2025-01-01T00:00:00Z",
            &[],
        );
        assert_eq!(
            tally(vec![hostile]).customers(true)[0].status,
            "]0;x expired"
        );
    }

    /// The grouping the tally replaced (quadratic in the relationships), as the reference.
    fn reference(rels: &[Value], include_inactive: bool) -> Vec<Value> {
        let rs: Vec<Relationship> = rels
            .iter()
            .filter_map(|v| parse_relationship(v, &[]))
            .collect();
        let active = |r: &&Relationship| r.status.eq_ignore_ascii_case("active");
        let mut order: Vec<&str> = Vec::new();
        for r in &rs {
            if (include_inactive || active(&r)) && !order.contains(&r.tenant_id.as_str()) {
                order.push(&r.tenant_id);
            }
        }
        order
            .into_iter()
            .map(|t| {
                let mine: Vec<&Relationship> = rs.iter().filter(|r| r.tenant_id == t).collect();
                let act: Vec<&Relationship> = mine.iter().copied().filter(active).collect();
                let counted = if act.is_empty() { &mine } else { &act };
                let last = counted.iter().max_by(|a, b| a.end.cmp(&b.end)).unwrap();
                json!({
                    "tenantId": t,
                    "displayName": mine.iter().map(|r| r.display_name.as_str()).find(|n| !n.is_empty()).unwrap_or(""),
                    "defaultDomainName": null,
                    "relationshipEndsUtc": last.end,
                    "hasExchangeAdminRole": counted.iter().any(|r| r.exchange_admin),
                    "hasGlobalAdminRole": counted.iter().any(|r| r.global_admin),
                    "activeRelationships": act.len(),
                    "status": if act.is_empty() { last.status.clone() } else { "active".into() },
                })
            })
            .collect()
    }

    #[test]
    fn the_tally_gives_what_grouping_every_relationship_gave() {
        // A small deterministic generator: ties on end dates, missing ones, names, statuses.
        let mut x = 0x2545_f491_u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..20 {
            let rels: Vec<Value> = (0..200)
                .map(|_| {
                    let t = tid(next(15) as u32);
                    let status =
                        ["active", "Active", "expired", "approvalPending", ""][next(5) as usize];
                    let mut v = rel_json(
                        &t,
                        status,
                        &format!("2027-0{}-01T00:00:00Z", 1 + next(3)),
                        &[[EXCHANGE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, "x"][next(3) as usize]],
                    );
                    if next(4) == 0 {
                        v["endDateTime"] = Value::Null;
                    }
                    if next(3) == 0 {
                        v["customer"]["displayName"] = json!("");
                    }
                    v
                })
                .collect();
            let mut tenants = Tenants::default();
            let mut listing = Listing::default();
            read_page(&json!({"value": rels}), &mut tenants, &mut listing, &[]).unwrap();
            for inactive in [false, true] {
                let got = serde_json::to_value(tenants.customers(inactive)).unwrap();
                assert_eq!(
                    got,
                    json!(reference(&rels, inactive)),
                    "round {round}, {inactive}"
                );
            }
        }
    }

    #[test]
    fn a_listing_ends_with_an_error_past_the_relationship_bound() {
        // 1,000 relationships a page: the 100th page reaches the bound, the 101st passes it.
        let page = json!({
            "value": (0..1000).map(|i| rel_json(&tid(i % 7), "active", "2027-01-01T00:00:00Z", &[])).collect::<Vec<_>>(),
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/next",
        });
        let (mut tenants, mut listing) = (Tenants::default(), Listing::default());
        for _ in 0..100 {
            assert!(read_page(&page, &mut tenants, &mut listing, &[])
                .unwrap()
                .is_some());
        }
        assert_eq!(listing.relationships, MAX_RELATIONSHIPS);
        let e = read_page(&page, &mut tenants, &mut listing, &[])
            .err()
            .unwrap();
        assert_eq!(e.reason, Reason::MalformedResponse);
        assert!(
            e.message.contains("more than 100000 GDAP relationships"),
            "{}",
            e.message
        );
        assert!(e.message.contains("page 101"), "{}", e.message);
        assert!(e.recommended_action.unwrap().contains("-IncludeInactive"));
        // Nothing of the refused page was kept; memory grew with the 7 tenants only.
        assert_eq!(listing.relationships, MAX_RELATIONSHIPS);
        assert_eq!(tenants.customers(false).len(), 7);
    }

    #[test]
    fn warnings_past_ten_of_a_kind_are_counted_in_one() {
        let skipped: Vec<Value> = (0..25).map(|i| json!({"id": format!("r-{i}")})).collect();
        let (mut tenants, mut listing) = (Tenants::default(), Listing::default());
        read_page(&json!({"value": skipped}), &mut tenants, &mut listing, &[]).unwrap();
        for i in 0..12 {
            listing.unknown_tenant(&tid(i), "Org");
        }
        listing.finish_warnings();
        assert_eq!((listing.skipped, listing.unknown_tenants), (25, 12));
        let w = &listing.warnings;
        assert_eq!(w.len(), 10 + 1 + 10 + 1, "{w:#?}");
        // The first ten of each kind, each followed by one that counts the rest.
        assert!(w[9].contains("(id r-9)"), "{}", w[9]);
        assert_eq!(
            w[10],
            "... and 15 more GDAP relationships without a customer tenant id were skipped (25 in all)."
        );
        assert!(w[11].contains(&tid(0)), "{}", w[11]);
        assert!(w[20].contains(&tid(9)), "{}", w[20]);
        assert!(
            w[21].starts_with("... and 2 more customers have no tenant information"),
            "{}",
            w[21]
        );
        // Up to the bound, no summary.
        let mut few = Listing::default();
        few.unknown_tenant(&tid(1), "Org");
        few.finish_warnings();
        assert_eq!(few.warnings.len(), 1);
    }

    #[test]
    fn no_secret_reaches_a_warning_or_a_customer() {
        let token = "eyJ0eXAiOiJKV1Qi.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLXRva2Vu";
        let refresh = "0.AXcA-refresh/token+with=specials";
        let secrets = [token, refresh];
        // Echoed raw, form-encoded, JSON-escaped, after "Bearer", and split by a bidi
        // control or an escape sequence a cleaning would drop.
        let (half1, half2) = token.split_at(20);
        let hostile = [
            token.to_string(),
            format!("Authorization: Bearer {token}"),
            "0.AXcA-refresh%2Ftoken%2Bwith%3Dspecials".to_string(),
            r"0.AXcA-refresh\/token+with=specials".to_string(),
            format!("{half1}\u{202e}{half2}"),
            format!("{half1}\u{2066}{half2}\u{200f}"),
            format!("x {refresh} y"),
        ];
        let tenant = tid(42);
        let mut values: Vec<Value> = Vec::new();
        for h in &hostile {
            values.push(json!({"id": h, "customer": {"displayName": h}}));
            values.push(json!({
                "id": "r", "status": h, "endDateTime": h,
                "customer": {"tenantId": tenant, "displayName": h},
            }));
        }
        let (mut tenants, mut listing) = (Tenants::default(), Listing::default());
        read_page(
            &json!({"value": values}),
            &mut tenants,
            &mut listing,
            &secrets,
        )
        .unwrap();
        listing.customers = tenants.customers(true);
        for h in &hostile {
            let name = listing.customers[0].display_name.clone();
            listing.unknown_tenant(&tenant, &name);
            listing.customers[0].default_domain_name = tenant_domain(
                &json!({"defaultDomainName": format!("{h}.example")}),
                &secrets,
            );
            let json = listing.to_json();
            for s in secrets {
                assert!(!json.contains(s), "{s} in {json}");
            }
        }
        assert_eq!(listing.skipped, hostile.len() as u32);
        assert!(
            listing.warnings[0].contains("<redacted>"),
            "{}",
            listing.warnings[0]
        );
        assert!(listing.customers[0].display_name.contains("<redacted>"));
        assert!(listing.customers[0].status.contains("<redacted>"));
        // Text without a secret is kept as it was.
        assert_eq!(
            tenant_domain(&json!({"defaultDomainName": "contoso.com"}), &secrets).as_deref(),
            Some("contoso.com")
        );
    }

    #[test]
    fn text_kept_per_customer_is_bounded() {
        let long = "n".repeat(100_000);
        let mut v = rel_json(&tid(1), "active", &long, &[]);
        v["customer"]["displayName"] = json!(long);
        v["status"] = json!(format!("active{long}"));
        // Thousands of roles (in any case) are two flags, not a list.
        v["accessDetails"]["unifiedRoles"] = json!((0..5000)
            .map(|i| json!({"roleDefinitionId": if i == 4999 { GLOBAL_ADMINISTRATOR.to_uppercase() } else { format!("role-{i}") }}))
            .collect::<Vec<_>>());
        let r = parse_relationship(&v, &[]).unwrap();
        assert_eq!(r.display_name.chars().count(), MAX_DISPLAY_NAME + 1);
        assert_eq!(r.status.chars().count(), MAX_STATUS + 1);
        assert_eq!(r.end.as_ref().unwrap().chars().count(), MAX_DATE + 1);
        assert!(r.global_admin && !r.exchange_admin);
        let domain = tenant_domain(&json!({"defaultDomainName": long}), &[]).unwrap();
        assert_eq!(domain.chars().count(), MAX_DOMAIN + 1);
        let mut listing = Listing::default();
        read_page(
            &json!({"value": [{"id": long}]}),
            &mut Tenants::default(),
            &mut listing,
            &[],
        )
        .unwrap();
        assert!(listing.warnings[0].len() < 200, "{}", listing.warnings[0]);
    }

    #[test]
    fn a_default_domain_of_controls_only_is_none() {
        assert_eq!(
            tenant_domain(
                &json!({"defaultDomainName": "contoso.onmicrosoft.com"}),
                &[]
            )
            .as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        for v in [
            json!({"defaultDomainName": "\u{1b}\u{202e}"}),
            json!({"defaultDomainName": ""}),
            json!({}),
        ] {
            assert_eq!(tenant_domain(&v, &[]), None, "{v}");
        }
    }

    #[test]
    fn endless_page_links_end_with_a_service_error_that_says_what_to_do() {
        let e = too_many_pages();
        assert_eq!(e.reason, Reason::MalformedResponse);
        assert!(e.message.contains(&MAX_PAGES.to_string()), "{}", e.message);
        assert!(e.recommended_action.unwrap().contains("-GraphHost"));
    }
}
