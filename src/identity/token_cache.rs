//! The process-wide token cache.
//!
//! - Keyed by authority, tenant, client id, scope and a credential
//!   fingerprint (a keyed hash with a per-process random key, never the
//!   secret itself). Connections made from the same credential for the same
//!   tenant share one entry, and with it one access token and one rotation
//!   chain of refresh tokens.
//! - An access token is reused while more than `margin` remains, where
//!   `margin = min(5 min, lifetime / 2)`: a normal one-hour token is renewed
//!   5 minutes before expiry (MSAL's rule); a short-lived one (e.g. 60 s) is
//!   still reused for the first half of its life.
//! - `refresh_in` is respected: once it passes, the next caller refreshes
//!   proactively while the others keep using the still-valid token; if that
//!   refresh fails transiently the old token is used until its margin.
//! - Single flight per key: one thread requests, the others wait on the
//!   entry's condition variable (cancellably) and share the result or the
//!   error. The global map's lock is held only to find or insert an entry,
//!   never across network I/O.
//! - Rotation: each redemption may return a new refresh token; the newest is
//!   kept (marked rotated) and the previous one dropped, which zeroizes it.
//! - An entry lives while a connection uses it; the last one to go (free or
//!   disconnect) removes it, which zeroizes every secret it held.
//! - Across tenants: every redemption at any customer rotates the partner's
//!   refresh token, and each entry (one per tenant) keeps its own newest. The
//!   newest of them all is kept per credential (authority, client, fingerprint)
//!   while any connection of that credential is open, for the export after a
//!   run over many tenants.

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult};
use crate::identity::grant::{self, Grant, TokenEndpoint, TokenResponse};
use crate::retry::RetryRecord;
use crate::secret::Secret;
use crate::util::lock;
use once_cell::sync::Lazy;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Longest margin before expiry at which a token stops being reused.
pub(crate) const MAX_MARGIN: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    authority: String,
    tenant: String,
    client: String,
    scope: String,
    fingerprint: [u64; 2],
}

static CACHE: Lazy<Mutex<HashMap<CacheKey, Arc<Entry>>>> = Lazy::new(|| Mutex::new(HashMap::new()));
static FINGERPRINT_KEYS: Lazy<(RandomState, RandomState)> =
    Lazy::new(|| (RandomState::new(), RandomState::new()));

fn fingerprint(parts: &[&str]) -> [u64; 2] {
    let (a, b) = &*FINGERPRINT_KEYS;
    [a.hash_one(parts), b.hash_one(parts)]
}

/// A credential that can (re)acquire tokens.
pub(crate) enum Credential {
    /// Partner refresh token; `client_secret` for confidential applications.
    RefreshToken {
        refresh_token: Secret,
        client_secret: Option<Secret>,
    },
    /// App-only client credentials.
    AppSecret { client_secret: Secret },
}

impl Credential {
    fn fingerprint(&self) -> [u64; 2] {
        match self {
            Credential::RefreshToken {
                refresh_token,
                client_secret,
            } => fingerprint(&[
                "rt",
                refresh_token.expose(),
                client_secret.as_ref().map_or("", |s| s.expose()),
            ]),
            Credential::AppSecret { client_secret } => {
                fingerprint(&["app", client_secret.expose()])
            }
        }
    }
}

/// An access token handed to a caller.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub(crate) token: Arc<Secret>,
    pub(crate) expires_utc: SystemTime,
}

struct CachedAccess {
    at: AccessToken,
    expires_at: Instant,
    refresh_at: Option<Instant>,
    margin: Duration,
}

impl CachedAccess {
    fn new(resp_token: Secret, expires_in: Duration, refresh_in: Option<Duration>) -> CachedAccess {
        let now = Instant::now();
        CachedAccess {
            at: AccessToken {
                token: Arc::new(resp_token),
                expires_utc: SystemTime::now() + expires_in,
            },
            expires_at: now + expires_in,
            refresh_at: refresh_in.filter(|r| *r < expires_in).map(|r| now + r),
            margin: MAX_MARGIN.min(expires_in / 2),
        }
    }

    /// May still be handed out.
    fn usable(&self, now: Instant) -> bool {
        now + self.margin < self.expires_at
    }

    /// Usable and not yet due for a proactive refresh.
    fn fresh(&self, now: Instant) -> bool {
        self.usable(now) && self.refresh_at.map_or(true, |r| now < r)
    }
}

struct Slot {
    refresh_token: Option<Secret>,
    rotated: bool,
    client_secret: Option<Secret>,
    app_only: bool,
    access: Option<CachedAccess>,
    user: Option<String>,
    refreshing: bool,
    generation: u64,
    last_error: Option<(u64, Error)>,
}

struct Entry {
    state: Mutex<Slot>,
    cv: Condvar,
}

/// A credential across tenants: the cache key without the tenant and scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CredentialKey {
    authority: String,
    client: String,
    fingerprint: [u64; 2],
}

/// The newest refresh token of a credential, and how many connections use it.
struct Newest {
    serial: u64,
    token: Secret,
    users: usize,
}

static NEWEST: Lazy<Mutex<HashMap<CredentialKey, Newest>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));
/// Orders refresh tokens by when this process received them.
static TOKEN_SERIAL: AtomicU64 = AtomicU64::new(0);

/// Records `token` as the credential's newest (it was received just now).
/// Lock order: an entry's state, then NEWEST; never the other way.
fn note_newest(key: &CredentialKey, token: &Secret) {
    let serial = TOKEN_SERIAL.fetch_add(1, Ordering::Relaxed) + 1;
    if let Some(n) = lock(&NEWEST).get_mut(key) {
        if serial > n.serial {
            n.serial = serial;
            n.token = token.clone();
        }
    }
}

/// Resets `refreshing` if the flight's thread unwinds.
struct FlightGuard<'a> {
    entry: &'a Entry,
    armed: bool,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut slot = lock(&self.entry.state);
            slot.refreshing = false;
            slot.generation += 1;
            self.entry.cv.notify_all();
        }
    }
}

/// A connection's view of its cache entry.
pub(crate) struct TokenSource {
    endpoint: TokenEndpoint,
    key: CacheKey,
    entry: Arc<Entry>,
    /// Set for refresh-token credentials (registered in NEWEST).
    credential: Option<CredentialKey>,
}

impl TokenSource {
    /// Find or create the entry for this credential. Nothing is requested yet.
    pub(crate) fn new(endpoint: TokenEndpoint, credential: Credential) -> TokenSource {
        Self::with_initial(endpoint, credential, None)
    }

    /// As `new`, seeding the entry with a token already obtained (device code).
    pub(crate) fn with_initial(
        endpoint: TokenEndpoint,
        credential: Credential,
        initial: Option<TokenResponse>,
    ) -> TokenSource {
        let key = CacheKey {
            authority: endpoint.authority.as_str().to_ascii_lowercase(),
            tenant: endpoint.tenant.to_ascii_lowercase(),
            client: endpoint.client_id.to_ascii_lowercase(),
            scope: endpoint.scope.clone(),
            fingerprint: credential.fingerprint(),
        };
        let credential_key = match &credential {
            Credential::RefreshToken { refresh_token, .. } => {
                let ck = CredentialKey {
                    authority: key.authority.clone(),
                    client: key.client.clone(),
                    fingerprint: key.fingerprint,
                };
                let mut newest = lock(&NEWEST);
                let n = newest.entry(ck.clone()).or_insert_with(|| Newest {
                    serial: TOKEN_SERIAL.fetch_add(1, Ordering::Relaxed) + 1,
                    token: refresh_token.clone(),
                    users: 0,
                });
                n.users += 1;
                Some(ck)
            }
            Credential::AppSecret { .. } => None,
        };
        let mut map = lock(&CACHE);
        let entry = map
            .entry(key.clone())
            .or_insert_with(|| {
                let (refresh_token, client_secret, app_only) = match credential {
                    Credential::RefreshToken {
                        refresh_token,
                        client_secret,
                    } => (Some(refresh_token), client_secret, false),
                    Credential::AppSecret { client_secret } => (None, Some(client_secret), true),
                };
                Arc::new(Entry {
                    state: Mutex::new(Slot {
                        refresh_token,
                        rotated: false,
                        client_secret,
                        app_only,
                        access: None,
                        user: None,
                        refreshing: false,
                        generation: 0,
                        last_error: None,
                    }),
                    cv: Condvar::new(),
                })
            })
            .clone();
        drop(map);
        if let Some(resp) = initial {
            let mut slot = lock(&entry.state);
            store(&mut slot, resp, credential_key.as_ref());
            // A token the caller has never seen: it must be stored.
            slot.rotated = slot.refresh_token.is_some();
        }
        TokenSource {
            endpoint,
            key,
            entry,
            credential: credential_key,
        }
    }

    /// An access token for this connection: cached, or requested once for
    /// all threads waiting on this key. `stale` is a token the service just
    /// refused (401): it is dropped from the cache first, so a new one is
    /// requested (unless another thread already replaced it).
    pub(crate) fn get(
        &self,
        cancel: &Arc<CancelToken>,
        retries: &mut Vec<RetryRecord>,
        stale: Option<&Arc<Secret>>,
    ) -> Result<AccessToken, Error> {
        let e = &*self.entry;
        let mut slot = lock(&e.state);
        if let Some(stale) = stale {
            if slot
                .access
                .as_ref()
                .map_or(false, |a| Arc::ptr_eq(&a.at.token, stale))
            {
                slot.access = None;
            }
        }
        let mut waiting_on: Option<u64> = None;
        let fallback;
        loop {
            let now = Instant::now();
            if let Some(a) = &slot.access {
                if a.fresh(now) || (a.usable(now) && slot.refreshing) {
                    return Ok(a.at.clone());
                }
            }
            if let Some(g) = waiting_on {
                if slot.generation != g {
                    if let Some((eg, err)) = &slot.last_error {
                        if *eg == slot.generation {
                            return Err(err.clone());
                        }
                    }
                    waiting_on = None;
                }
            }
            if !slot.refreshing {
                fallback = slot
                    .access
                    .as_ref()
                    .filter(|a| a.usable(now))
                    .map(|a| a.at.clone());
                slot.refreshing = true;
                break;
            }
            if waiting_on.is_none() {
                waiting_on = Some(slot.generation);
            }
            cancel.check()?;
            slot = match e.cv.wait_timeout(slot, Duration::from_millis(20)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        // This thread is the flight for the key.
        let refresh_token = slot.refresh_token.clone();
        let client_secret = slot.client_secret.clone();
        let app_only = slot.app_only;
        drop(slot);
        let mut guard = FlightGuard {
            entry: e,
            armed: true,
        };
        let g = match (&refresh_token, &client_secret, app_only) {
            (_, Some(secret), true) => Grant::ClientCredentials {
                client_secret: secret,
            },
            (Some(rt), secret, false) => Grant::RefreshToken {
                refresh_token: rt,
                client_secret: secret.as_ref(),
            },
            _ => {
                drop(guard);
                return Err(Error::internal("token cache entry without a credential"));
            }
        };
        let result = grant::redeem(&self.endpoint, &g, cancel, retries);
        drop(g);
        drop(refresh_token);
        drop(client_secret);
        let mut slot = lock(&e.state);
        guard.armed = false;
        slot.refreshing = false;
        slot.generation += 1;
        let out = match result {
            Ok(resp) => {
                store(&mut slot, resp, self.credential.as_ref());
                slot.last_error = None;
                match &slot.access {
                    Some(a) => Ok(a.at.clone()),
                    None => Err(Error::internal("token cache lost a fresh token")),
                }
            }
            Err(err) => {
                // A cancel belongs to this caller only; waiters try themselves.
                slot.last_error = if err.code == ExoResult::Cancelled {
                    None
                } else {
                    Some((slot.generation, err.clone()))
                };
                match fallback {
                    Some(fb) if err.code.is_transient() => Ok(fb),
                    _ => Err(err),
                }
            }
        };
        e.cv.notify_all();
        out
    }

    /// The newest refresh token and whether it differs from the one given
    /// at connect (rotated). `None` for app-only credentials.
    pub(crate) fn refresh_token(&self) -> Option<(Secret, bool)> {
        let slot = lock(&self.entry.state);
        slot.refresh_token
            .as_ref()
            .map(|rt| (rt.clone(), slot.rotated))
    }

    /// The newest refresh token of this connection's credential across all
    /// open connections (every tenant): the one to store after a run over many
    /// tenants. `None` for app-only credentials.
    pub(crate) fn newest_refresh_token(&self) -> Option<Secret> {
        let own = self.refresh_token().map(|(t, _)| t);
        let key = self.credential.as_ref()?;
        lock(&NEWEST).get(key).map(|n| n.token.clone()).or(own)
    }

    pub(crate) fn rotated(&self) -> bool {
        lock(&self.entry.state).rotated
    }

    /// Expiry of the cached access token, if any.
    pub(crate) fn expires_utc(&self) -> Option<SystemTime> {
        lock(&self.entry.state)
            .access
            .as_ref()
            .map(|a| a.at.expires_utc)
    }

    /// The signed-in user (delegated tokens), from the token's claims.
    pub(crate) fn user(&self) -> Option<String> {
        lock(&self.entry.state).user.clone()
    }
}

fn store(slot: &mut Slot, resp: TokenResponse, credential: Option<&CredentialKey>) {
    if let Some(claims) = grant::jwt_claims(resp.access_token.expose()) {
        if let Some(u) = grant::token_user(&claims) {
            slot.user = Some(u);
        }
    }
    slot.access = Some(CachedAccess::new(
        resp.access_token,
        resp.expires_in,
        resp.refresh_in,
    ));
    if let Some(new_rt) = resp.refresh_token {
        let changed = slot
            .refresh_token
            .as_ref()
            .map_or(true, |old| old.expose() != new_rt.expose());
        if changed {
            if let Some(key) = credential {
                note_newest(key, &new_rt);
            }
            // The previous token is dropped here, which zeroizes it.
            slot.refresh_token = Some(new_rt);
            slot.rotated = true;
        }
    }
}

impl Drop for TokenSource {
    fn drop(&mut self) {
        if let Some(key) = &self.credential {
            let mut newest = lock(&NEWEST);
            if let Some(n) = newest.get_mut(key) {
                n.users -= 1;
                if n.users == 0 {
                    // Dropping the last copy zeroizes the token.
                    newest.remove(key);
                }
            }
        }
        let mut map = lock(&CACHE);
        // Entries are cloned only under this lock, so the count is stable here:
        // 2 = the map's and ours.
        if Arc::strong_count(&self.entry) <= 2 {
            if let Some(e) = map.get(&self.key) {
                if Arc::ptr_eq(e, &self.entry) {
                    map.remove(&self.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_rule() {
        let long = CachedAccess::new(Secret::from("a"), Duration::from_secs(3600), None);
        assert_eq!(long.margin, Duration::from_secs(300));
        let short = CachedAccess::new(
            Secret::from("a"),
            Duration::from_secs(60),
            Some(Duration::from_secs(30)),
        );
        assert_eq!(short.margin, Duration::from_secs(30));
        let now = Instant::now();
        assert!(short.fresh(now));
        assert!(!short.usable(now + Duration::from_secs(31)));
        let half = CachedAccess::new(
            Secret::from("a"),
            Duration::from_secs(3600),
            Some(Duration::from_secs(1800)),
        );
        assert!(!half.fresh(now + Duration::from_secs(1801)));
        assert!(half.usable(now + Duration::from_secs(1801)));
    }

    fn endpoint(tenant: &str) -> TokenEndpoint {
        let o = crate::options::ConnectionOptions::from_json(&format!(
            r#"{{"tenantId":"{tenant}","applicationId":"00000000-0000-0000-0000-00000000abcd","credential":"RefreshToken","authorityHost":"http://127.0.0.1:9","exchangeHost":"http://127.0.0.1:9"}}"#
        ))
        .unwrap();
        TokenEndpoint::from_options(&o, o.scope())
    }

    fn partner(token: &str) -> Credential {
        Credential::RefreshToken {
            refresh_token: Secret::from(token),
            client_secret: None,
        }
    }

    /// Simulates a redemption at `src`'s tenant that returns `new_rt`.
    fn rotate(src: &TokenSource, new_rt: &str) {
        let mut slot = lock(&src.entry.state);
        let resp = TokenResponse {
            access_token: Secret::from("at"),
            expires_in: Duration::from_secs(3600),
            refresh_in: None,
            refresh_token: Some(Secret::from(new_rt)),
        };
        store(&mut slot, resp, src.credential.as_ref());
    }

    #[test]
    fn newest_refresh_token_across_tenants() {
        let original = "rt-newest-test-original";
        let a = TokenSource::new(endpoint("a.example"), partner(original));
        let b = TokenSource::new(endpoint("b.example"), partner(original));
        assert_eq!(a.newest_refresh_token().unwrap().expose(), original);
        rotate(&b, "rt-from-b");
        assert_eq!(a.newest_refresh_token().unwrap().expose(), "rt-from-b");
        assert_eq!(a.refresh_token().unwrap().0.expose(), original);
        rotate(&a, "rt-from-a");
        assert_eq!(b.newest_refresh_token().unwrap().expose(), "rt-from-a");
        // The newest outlives the connection that received it while another is open.
        drop(a);
        assert_eq!(b.newest_refresh_token().unwrap().expose(), "rt-from-a");
        // Another credential (a different refresh token) is another chain.
        let other = TokenSource::new(endpoint("a.example"), partner("rt-newest-test-other"));
        assert_eq!(
            other.newest_refresh_token().unwrap().expose(),
            "rt-newest-test-other"
        );
        let key = b.credential.clone().unwrap();
        drop(b);
        assert!(
            !lock(&NEWEST).contains_key(&key),
            "the last connection takes the token with it"
        );
        drop(other);
    }

    #[test]
    fn fingerprints_differ_by_secret_and_kind() {
        let a = Credential::RefreshToken {
            refresh_token: Secret::from("x"),
            client_secret: None,
        }
        .fingerprint();
        let b = Credential::RefreshToken {
            refresh_token: Secret::from("y"),
            client_secret: None,
        }
        .fingerprint();
        let c = Credential::AppSecret {
            client_secret: Secret::from("x"),
        }
        .fingerprint();
        let a2 = Credential::RefreshToken {
            refresh_token: Secret::from("x"),
            client_secret: None,
        }
        .fingerprint();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, a2);
    }
}
