//! A connection: checked options, a credential, and where its tokens come
//! from. `Send + Sync`: one connection serves many threads at once.

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult, Reason};
use crate::exchange::window::Window;
use crate::identity::grant::{self, TokenEndpoint, TokenResponse};
use crate::identity::token_cache::{AccessToken, Credential, TokenSource};
use crate::options::{default_anchor, ConnectionOptions, CredentialKind};
use crate::retry::RetryRecord;
use crate::secret::Secret;
use crate::util::format_utc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

/// Secrets passed to connect. Any may be absent.
#[derive(Default)]
pub struct Secrets {
    pub refresh_token: Option<Secret>,
    pub client_secret: Option<Secret>,
    pub access_token: Option<Secret>,
}

enum Tokens {
    Cached(TokenSource),
    /// A ready access token: never refreshed.
    Static {
        token: Arc<Secret>,
        expires_utc: Option<SystemTime>,
        user: Option<String>,
    },
}

/// An open connection to one customer tenant.
/// Connections alive in the process.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Counts a connection while it lives. When the last one goes, the HTTP clients' idle
/// connections go too, so nothing of theirs (bearer headers in pooled buffers) outlives
/// the last Disconnect and free.
struct Live;

impl Live {
    fn new() -> Live {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Live
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if LIVE.fetch_sub(1, Ordering::SeqCst) == 1 {
            crate::http::close_idle_connections();
        }
    }
}

pub struct Connection {
    pub(crate) options: ConnectionOptions,
    credential: CredentialKind,
    tokens: RwLock<Option<Arc<Tokens>>>,
    disconnected: AtomicBool,
    /// The tenant GUID from the first access token's `tid` claim (routing only).
    tenant_guid: OnceLock<String>,
    /// Shared by every cursor and batch of this connection.
    pub window: Window,
    _live: Live,
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

fn access_token_expired() -> Error {
    Error::new(
        ExoResult::AuthFailed,
        Reason::AccessTokenExpired,
        "The access token has expired, and a ready access token cannot be refreshed: get a new one, \
         or connect with a refresh token or client secret.",
    )
}

impl Connection {
    /// Check the options against the secrets given, then acquire the first
    /// token so that bad credentials fail here, not on the first command.
    pub fn connect(options: ConnectionOptions, secrets: Secrets) -> Result<Arc<Connection>, Error> {
        let Secrets {
            refresh_token,
            client_secret,
            access_token,
        } = secrets;
        let kind =
            match options.credential {
                Some(k) => k,
                None if access_token.is_some() => CredentialKind::AccessToken,
                None if refresh_token.is_some() => CredentialKind::RefreshToken,
                None if client_secret.is_some() => CredentialKind::AppSecret,
                None => return Err(Error::invalid_argument(
                    "no credential given: pass a refresh token, a client secret or an access token",
                )),
            };
        let extra = |what: &str| {
            Error::invalid_argument(format!("credential {} does not take {what}", kind.name()))
        };
        let tokens = match kind {
            CredentialKind::RefreshToken => {
                let rt = refresh_token.ok_or_else(|| {
                    Error::invalid_argument("credential RefreshToken needs a refresh token")
                })?;
                if access_token.is_some() {
                    return Err(extra("an access token"));
                }
                let ep = TokenEndpoint::from_options(&options, options.scope());
                Tokens::Cached(TokenSource::new(
                    ep,
                    Credential::RefreshToken {
                        refresh_token: rt,
                        client_secret,
                    },
                ))
            }
            CredentialKind::AppSecret => {
                let cs = client_secret.ok_or_else(|| {
                    Error::invalid_argument("credential AppSecret needs a client secret")
                })?;
                if refresh_token.is_some() {
                    return Err(extra("a refresh token"));
                }
                if access_token.is_some() {
                    return Err(extra("an access token"));
                }
                let ep = TokenEndpoint::from_options(&options, options.scope());
                Tokens::Cached(TokenSource::new(
                    ep,
                    Credential::AppSecret { client_secret: cs },
                ))
            }
            CredentialKind::AccessToken => {
                let at = access_token.ok_or_else(|| {
                    Error::invalid_argument("credential AccessToken needs an access token")
                })?;
                if refresh_token.is_some() {
                    return Err(extra("a refresh token"));
                }
                if client_secret.is_some() {
                    return Err(extra("a client secret"));
                }
                let claims = grant::jwt_claims(at.expose());
                let expires_utc = claims.as_ref().and_then(grant::token_expiry);
                let user = claims.as_ref().and_then(grant::token_user);
                Tokens::Static {
                    token: Arc::new(at),
                    expires_utc,
                    user,
                }
            }
            CredentialKind::DeviceCode => {
                return Err(Error::invalid_argument(
                    "credential DeviceCode is started with exo_device_code_start, not connect",
                ))
            }
        };
        let conn = Arc::new(Connection {
            credential: kind,
            tokens: RwLock::new(Some(Arc::new(tokens))),
            disconnected: AtomicBool::new(false),
            _live: Live::new(),
            tenant_guid: OnceLock::new(),
            window: Window::new(options.throttle_limit),
            options,
        });
        let cancel = Arc::new(CancelToken::new());
        conn.access_token(&cancel, &mut Vec::new(), None)?;
        Ok(conn)
    }

    /// A connection from a finished device code sign-in.
    pub fn from_device_code(options: ConnectionOptions, resp: TokenResponse) -> Arc<Connection> {
        let tenant_guid = OnceLock::new();
        if let Some(tid) = grant::jwt_claims(resp.access_token.expose())
            .as_ref()
            .and_then(grant::token_tenant)
        {
            let _ = tenant_guid.set(tid);
        }
        let ep = TokenEndpoint::from_options(&options, options.scope());
        let tokens = match resp.refresh_token.as_ref().map(|rt| rt.clone()) {
            Some(rt) => Tokens::Cached(TokenSource::with_initial(
                ep,
                Credential::RefreshToken {
                    refresh_token: rt,
                    client_secret: None,
                },
                Some(resp),
            )),
            None => {
                let claims = grant::jwt_claims(resp.access_token.expose());
                let user = claims.as_ref().and_then(grant::token_user);
                Tokens::Static {
                    expires_utc: Some(SystemTime::now() + resp.expires_in),
                    token: Arc::new(resp.access_token),
                    user,
                }
            }
        };
        let conn = Connection {
            credential: CredentialKind::DeviceCode,
            tokens: RwLock::new(Some(Arc::new(tokens))),
            disconnected: AtomicBool::new(false),
            _live: Live::new(),
            tenant_guid,
            window: Window::new(options.throttle_limit),
            options,
        };
        Arc::new(conn)
    }

    /// The tenant for URLs and the anchor: its GUID once a token said it, else
    /// the tenant as the caller gave it (docs/PROTOCOL.md §5 "Routing").
    pub(crate) fn routing_tenant(&self) -> &str {
        self.tenant_guid
            .get()
            .map(String::as_str)
            .unwrap_or(&self.options.tenant_id)
    }

    /// `X-AnchorMailbox`: the caller's choice, else the tenant's system mailbox.
    pub(crate) fn anchor_mailbox(&self) -> String {
        match &self.options.anchor_mailbox {
            Some(a) => a.clone(),
            None => default_anchor(self.routing_tenant()),
        }
    }

    /// Read `tid` from the token's payload (no signature check: it only routes;
    /// Exchange checks the token itself). Not a JWT, or no GUID there: nothing learnt.
    fn learn_tenant(&self, at: &AccessToken) {
        if self.tenant_guid.get().is_some() {
            return;
        }
        if let Some(tid) = grant::jwt_claims(at.token.expose())
            .as_ref()
            .and_then(grant::token_tenant)
        {
            let _ = self.tenant_guid.set(tid);
        }
    }

    pub(crate) fn is_connected(&self) -> bool {
        !self.disconnected.load(Ordering::SeqCst)
    }

    /// Close: later calls fail with `InvalidHandle`; tokens are released
    /// (zeroized once no other connection shares the cache entry). Cursors in
    /// flight finish their current request and then fail likewise.
    pub fn disconnect(&self) {
        self.disconnected.store(true, Ordering::SeqCst);
        let taken = write(&self.tokens).take();
        drop(taken);
    }

    /// `InvalidHandle` once disconnected.
    pub(crate) fn check_connected(&self) -> Result<(), Error> {
        self.tokens().map(|_| ())
    }

    fn tokens(&self) -> Result<Arc<Tokens>, Error> {
        if !self.is_connected() {
            return Err(Error::invalid_handle("connection"));
        }
        read(&self.tokens)
            .clone()
            .ok_or_else(|| Error::invalid_handle("connection"))
    }

    /// Can a refused token be replaced?
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self.tokens().as_deref(), Ok(Tokens::Cached(_)))
    }

    /// A token for the next request; see `TokenSource::get` for `stale`.
    pub(crate) fn access_token(
        &self,
        cancel: &Arc<CancelToken>,
        retries: &mut Vec<RetryRecord>,
        stale: Option<&Arc<Secret>>,
    ) -> Result<AccessToken, Error> {
        let tokens = self.tokens()?;
        let at = match &*tokens {
            Tokens::Cached(src) => src.get(cancel, retries, stale),
            Tokens::Static {
                token, expires_utc, ..
            } => {
                if let Some(exp) = expires_utc {
                    if SystemTime::now() >= *exp {
                        return Err(access_token_expired());
                    }
                }
                if stale.map_or(false, |s| Arc::ptr_eq(s, token)) {
                    return Err(access_token_expired());
                }
                Ok(AccessToken {
                    token: token.clone(),
                    expires_utc: expires_utc
                        .unwrap_or_else(|| SystemTime::now() + Duration::from_secs(3600)),
                })
            }
        }?;
        self.learn_tenant(&at);
        Ok(at)
    }

    /// The error for a 401 that cannot be helped by a refresh.
    pub(crate) fn unauthorized_error(&self) -> Error {
        match self.credential {
            CredentialKind::AccessToken => Error::new(
                ExoResult::Unauthorized,
                Reason::AccessTokenExpired,
                "Exchange refused the access token (expired, revoked, or issued for another \
                 resource or tenant), and a ready access token cannot be refreshed: get a new one, \
                 or connect with a refresh token.",
            ),
            _ => Error::new(
                ExoResult::Unauthorized,
                Reason::Unauthorized,
                "Exchange refused the access token even after a refresh: check that the application has \
                 Exchange.ManageAsApp / Exchange.Manage consented and the account has an Exchange role in \
                 this tenant.",
            ),
        }
    }

    /// The newest refresh token and whether it was rotated since connect.
    pub fn refresh_token(&self) -> Result<(Secret, bool), Error> {
        let tokens = self.tokens()?;
        match &*tokens {
            Tokens::Cached(src) => src.refresh_token(),
            Tokens::Static { .. } => None,
        }
        .ok_or_else(|| {
            Error::new(
                ExoResult::InvalidArgument,
                Reason::NoRefreshToken,
                format!(
                    "a {} connection has no refresh token",
                    self.credential.name()
                ),
            )
        })
    }

    /// The newest refresh token of this connection's credential across every
    /// open connection of the process (all tenants): rotation happens wherever a
    /// token is redeemed, and this is the one to store after a run.
    pub fn newest_refresh_token(&self) -> Result<Secret, Error> {
        let tokens = self.tokens()?;
        match &*tokens {
            Tokens::Cached(src) => src.newest_refresh_token(),
            Tokens::Static { .. } => None,
        }
        .ok_or_else(|| {
            Error::new(
                ExoResult::InvalidArgument,
                Reason::NoRefreshToken,
                format!(
                    "a {} connection has no refresh token",
                    self.credential.name()
                ),
            )
        })
    }

    /// `{"tenantId","environment","authorityHost","exchangeHost","applicationId","credential","user",
    /// "tokenExpiresUtc","refreshTokenRotated","tenantGuid","anchorMailbox","pageSize","connected"}`;
    /// never a secret.
    pub fn info_json(&self) -> Result<String, Error> {
        let tokens = self.tokens()?;
        let (user, expires, rotated) = match &*tokens {
            Tokens::Cached(src) => (src.user(), src.expires_utc(), src.rotated()),
            Tokens::Static {
                user, expires_utc, ..
            } => (user.clone(), *expires_utc, false),
        };
        let o = &self.options;
        let v = serde_json::json!({
            "tenantId": o.tenant_id,
            "environment": o.environment.name(),
            "authorityHost": o.authority.as_str(),
            "exchangeHost": o.exchange.as_str(),
            "applicationId": o.application_id,
            "credential": self.credential.name(),
            "user": user,
            "tokenExpiresUtc": expires.map(format_utc),
            "refreshTokenRotated": rotated,
            "tenantGuid": self.tenant_guid.get(),
            "anchorMailbox": self.anchor_mailbox(),
            "pageSize": o.page_size,
            "throttleLimit": o.throttle_limit,
            "connected": self.is_connected(),
        });
        Ok(v.to_string())
    }
}
