//! The token table: access tokens issued (tenant, audience, client, expiry), refresh tokens with
//! their revocation epoch, and pending device codes. State only; the grants are in identity.rs.

use crate::rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Instant;

/// Microsoft Graph per cloud (PROTOCOL.md §4); a token for any of them is a Graph token.
pub const GRAPH_HOSTS: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
];

/// Whether `aud` names Microsoft Graph.
pub fn is_graph_audience(aud: &str) -> bool {
    GRAPH_HOSTS.contains(&aud)
}

pub const EXCHANGE_HOSTS: &[&str] = &[
    "https://outlook.office365.com",
    "https://outlook.office.com",
    "https://outlook.office365.us",
    "https://outlook-dod.office365.us",
    "https://partner.outlook.cn",
    "https://outlook.office365.cn",
];
#[derive(Clone, Debug)]
pub struct Scope {
    pub resource: String,
    pub exchange: bool,
    pub offline: bool,
    pub openid: bool,
    pub text: String,
}

#[derive(Clone, Debug)]
#[allow(dead_code)]
pub struct AccessInfo {
    pub tenant: usize,
    pub aud: String,
    pub client: String,
    pub exp: u64,
    pub delegated: bool,
}

#[derive(Clone, Debug)]
pub struct RtInfo {
    pub client: String,
    pub epoch: u64,
    pub expired: bool,
    pub issued: u64,
}

#[derive(Clone, Debug)]
pub struct DeviceCode {
    pub client: String,
    pub tenant: usize,
    pub scope: Scope,
    pub user_code: String,
    pub expires: Instant,
    pub polls: u32,
    pub last_poll: Option<Instant>,
    pub declined: bool,
    pub redeemed: bool,
}

pub struct IdState {
    pub access: RwLock<HashMap<String, AccessInfo>>,
    pub refresh: Mutex<HashMap<String, RtInfo>>,
    pub epoch: AtomicU64,
    pub devices: Mutex<HashMap<String, DeviceCode>>,
}

pub enum TokenCheck {
    Ok(AccessInfo),
    Unknown,
}

impl IdState {
    pub fn new(app_estate: &crate::estate::Estate) -> IdState {
        let mut refresh = HashMap::new();
        let now = rng::now_unix();
        let e = app_estate;
        refresh.insert(
            e.refresh_token.clone(),
            RtInfo {
                client: e.apps.application_id.clone(),
                epoch: 0,
                expired: false,
                issued: now,
            },
        );
        refresh.insert(
            e.public_refresh_token.clone(),
            RtInfo {
                client: e.apps.public_client_id.clone(),
                epoch: 0,
                expired: false,
                issued: now,
            },
        );
        refresh.insert(
            e.expired_refresh_token.clone(),
            RtInfo {
                client: e.apps.application_id.clone(),
                epoch: 0,
                expired: true,
                issued: now.saturating_sub(91 * 86400),
            },
        );
        IdState {
            access: RwLock::new(HashMap::new()),
            refresh: Mutex::new(refresh),
            epoch: AtomicU64::new(0),
            devices: Mutex::new(HashMap::new()),
        }
    }

    pub fn check_access(&self, token: &str) -> TokenCheck {
        match self
            .access
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
        {
            Some(i) => TokenCheck::Ok(i.clone()),
            None => TokenCheck::Unknown,
        }
    }

    /// Revokes every refresh token issued so far.
    pub fn revoke_all(&self) -> usize {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.refresh.lock().unwrap().len()
    }

    pub fn decline(&self, code: &str) -> bool {
        let mut d = self.devices.lock().unwrap();
        for (k, v) in d.iter_mut() {
            if k == code || v.user_code.eq_ignore_ascii_case(code) {
                v.declined = true;
                return true;
            }
        }
        false
    }
}

/// Whether `aud` names Exchange: a known Exchange host, or the emulator's own URL.
pub fn is_exchange_audience(base_url: &str, aud: &str) -> bool {
    EXCHANGE_HOSTS.contains(&aud) || aud == base_url
}
