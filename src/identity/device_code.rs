//! Device code sign-in (RFC 8628, docs/PROTOCOL.md §1): start returns what
//! to show the user; waiting polls at `interval`, adds 5 s on `slow_down`,
//! stops on `authorization_declined`, `bad_verification_code`,
//! `expired_token`, local expiry or cancellation, and on success yields the
//! tokens (the ABI makes a connection of them).

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult, Reason};
use crate::identity::grant::{self, Grant, TokenEndpoint, TokenResponse};
use crate::options::ConnectionOptions;
use crate::secret::Secret;
use crate::util::{clean_text, form_append, json_seconds, lock};
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroize;

#[derive(Deserialize)]
struct RawDeviceCode {
    device_code: String,
    user_code: String,
    verification_uri: Option<String>,
    #[serde(default)]
    verification_url: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    interval: Option<Value>,
    #[serde(default)]
    message: Option<String>,
}

/// The device code endpoint's answer, checked and bounded.
pub struct DeviceCodeAnswer {
    pub device_code: Secret,
    /// `{"userCode","verificationUri","message","expiresIn","interval"}`.
    pub message_json: String,
    pub interval: Duration,
    pub expires_in: Duration,
}

/// Read the device code endpoint's answer; `interval` and `expires_in` are
/// clamped to what a sign-in can reasonably take.
pub fn parse_device_code(body: &[u8]) -> Result<DeviceCodeAnswer, Error> {
    let raw = serde_json::from_slice::<RawDeviceCode>(body).map_err(|_| {
        Error::internal("the device code endpoint answered with an unreadable body")
    })?;
    let interval = Duration::from_secs(
        json_seconds(&raw.interval)
            .unwrap_or(5)
            .clamp(1, MAX_INTERVAL.as_secs()),
    );
    let expires_in =
        Duration::from_secs(json_seconds(&raw.expires_in).unwrap_or(900).clamp(1, 3600));
    // Everything here is shown in the terminal as the sign-in prompt: cleaned like error
    // messages, so the endpoint cannot send escape sequences or bidi tricks to it.
    let uri = clean_text(
        &raw.verification_uri
            .or(raw.verification_url)
            .unwrap_or_default(),
        512,
    );
    let user_code = clean_text(&raw.user_code, 64);
    let message = match raw.message {
        Some(m) => clean_text(&m, 1000),
        None => format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    };
    let message_json = serde_json::json!({
        "userCode": user_code,
        "verificationUri": uri,
        "message": message,
        "expiresIn": expires_in.as_secs(),
        "interval": interval.as_secs(),
    })
    .to_string();
    Ok(DeviceCodeAnswer {
        device_code: Secret::new(raw.device_code),
        message_json,
        interval,
        expires_in,
    })
}

struct State {
    interval: Duration,
    next_poll: Instant,
    finished: bool,
}

/// A device code sign-in in progress. `wait` is called by one thread at a
/// time; `cancel` from any thread.
pub struct DeviceFlow {
    endpoint: TokenEndpoint,
    device_code: Secret,
    message_json: String,
    expires_at: Instant,
    state: Mutex<State>,
    cancel: Arc<CancelToken>,
}

/// Bounds on what the service may ask for.
const MAX_INTERVAL: Duration = Duration::from_secs(60);

impl DeviceFlow {
    /// `POST {authority}/{tenant}/oauth2/v2.0/devicecode` with the Exchange
    /// scope plus `offline_access` (so a refresh token comes back).
    pub fn start(options: &ConnectionOptions) -> Result<DeviceFlow, Error> {
        let scope = format!("{} offline_access", options.scope());
        let endpoint = TokenEndpoint::from_options(options, scope.clone());
        let mut form = String::new();
        form_append(&mut form, "client_id", &options.application_id);
        form_append(&mut form, "scope", &scope);
        let cancel = Arc::new(CancelToken::new());
        let mut resp = grant::post_form(
            &endpoint,
            "oauth2/v2.0/devicecode",
            &Secret::new(form),
            &cancel,
            &mut Vec::new(),
            &[],
        )?;
        let parsed = parse_device_code(&resp.body);
        resp.body.zeroize();
        let answer = parsed?;
        let (interval, expires_in, message_json) =
            (answer.interval, answer.expires_in, answer.message_json);
        let now = Instant::now();
        Ok(DeviceFlow {
            endpoint,
            device_code: answer.device_code,
            message_json,
            expires_at: now + expires_in,
            state: Mutex::new(State {
                interval,
                next_poll: now + interval,
                finished: false,
            }),
            cancel,
        })
    }

    /// `{"userCode","verificationUri","message","expiresIn","interval"}`.
    pub fn message_json(&self) -> &str {
        &self.message_json
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Poll until signed in (`Ok(Some(tokens))`), `timeout` passes
    /// (`Ok(None)`: still pending), or a final error. `timeout` zero polls
    /// at most once, if a poll is due.
    pub fn wait(&self, timeout: Duration) -> Result<Option<TokenResponse>, Error> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.state);
        if st.finished {
            return Err(Error::new(
                ExoResult::InvalidHandle,
                Reason::InvalidHandle,
                "this device code sign-in has already finished; start a new one",
            ));
        }
        loop {
            self.cancel.check()?;
            let now = Instant::now();
            if now >= self.expires_at {
                st.finished = true;
                return Err(Error::new(
                    ExoResult::AuthFailed,
                    Reason::DeviceCodeExpired,
                    "The device code expired before the sign-in finished: start a new device code sign-in.",
                ));
            }
            if st.next_poll > now {
                if st.next_poll > deadline {
                    if deadline > now {
                        self.cancel.sleep(deadline - now)?;
                    }
                    return Ok(None);
                }
                self.cancel.sleep(st.next_poll - now)?;
                continue;
            }
            let result = grant::redeem(
                &self.endpoint,
                &Grant::DeviceCode {
                    device_code: &self.device_code,
                },
                &self.cancel,
                &mut Vec::new(),
            );
            match result {
                Ok(resp) => {
                    st.finished = true;
                    return Ok(Some(resp));
                }
                Err(e) if e.reason == Reason::SlowDown => {
                    st.interval = (st.interval + Duration::from_secs(5)).min(MAX_INTERVAL);
                    st.next_poll = Instant::now() + st.interval;
                }
                Err(e) if e.code == ExoResult::Pending => {
                    st.next_poll = Instant::now() + st.interval;
                }
                Err(e) if e.code == ExoResult::Cancelled => return Err(e),
                Err(e) if e.code.is_transient() => {
                    // Already retried by the token endpoint rules: report, but the flow stays usable.
                    st.next_poll = Instant::now() + st.interval;
                    return Err(e);
                }
                Err(e) => {
                    st.finished = true;
                    return Err(e);
                }
            }
        }
    }

    /// Current polling interval (grows on slow_down).
    pub fn interval(&self) -> Duration {
        lock(&self.state).interval
    }
}
