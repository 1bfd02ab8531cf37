//! The paging cursor: one page per `next`, retries per the policy, the
//! nextLink origin check, and cancellation from another thread.

use crate::cancel::CancelToken;
use crate::error::{Error, ExoResult, Reason};
use crate::exchange::connection::Connection;
use crate::exchange::failure::Failure;
use crate::exchange::request::{self, HeaderInput, InvokeRequest};
use crate::exchange::response::{self, SuccessPage};
use crate::exchange::window::Outcome;
use crate::http::{self, HttpFailure, HttpRequest, X_EXCEPTION_TYPE};
use crate::retry::{RetryPolicy, RetryRecord};
use crate::secret::Secret;
use crate::util::new_guid;
use reqwest::header::AUTHORIZATION;
use reqwest::Url;
use std::sync::Arc;

/// One page for the caller.
#[derive(Debug)]
pub struct Page {
    /// The records: a JSON array, verbatim from the service.
    pub value_json: String,
    pub warnings: Vec<String>,
    pub retries: Vec<RetryRecord>,
    /// client-request-id of the request that produced this page.
    pub request_id: String,
    /// 1-based page number (0 when the cursor had nothing left).
    pub page: u32,
    pub more: bool,
}

impl Page {
    /// `{"value":[…],"warnings":[…],"retries":[…],"requestId":"…","page":1,"more":true}`.
    /// `more` stays the last member: the interop reads only the end of the text to fetch ahead.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(self.value_json.len() + 256);
        s.push_str(PAGE_START);
        s.push_str(&self.value_json);
        s.push_str(&self.json_end());
        s
    }

    /// `to_json`, for handing on as a C string (`abi::strings::c_string`), without copying the
    /// records: when `value_json`'s block has room for the rest of the page (it is the
    /// response body's, `http::PAGE_SLACK`), the page is built in it, and blanks fill the
    /// block up to its last byte, which the NUL takes; a C string is freed as a block of
    /// exactly its length, so a block with room left over would be copied into a new one.
    /// Otherwise the page is written into a block of exactly that size. JSON allows
    /// whitespace after the page, and the caller's check of `"more"` skips it.
    pub fn into_json(self) -> String {
        let end = self.json_end();
        let exact = PAGE_START.len() + self.value_json.len() + end.len() + 1;
        let room = self.value_json.capacity().checked_sub(exact);
        if matches!(room, Some(blanks) if blanks <= MAX_PAGE_BLANKS) {
            let mut s = self.value_json;
            s.insert_str(0, PAGE_START);
            s.push_str(&end);
            let blanks = s.capacity() - s.len() - 1;
            s.extend(std::iter::repeat(' ').take(blanks));
            return s;
        }
        let mut s = String::with_capacity(exact);
        s.push_str(PAGE_START);
        s.push_str(&self.value_json);
        s.push_str(&end);
        s
    }

    /// Everything after the records: `,"warnings":[…],…,"more":true}`.
    fn json_end(&self) -> String {
        let mut s = String::with_capacity(128);
        s.push_str(",\"warnings\":");
        s.push_str(&serde_json::to_string(&self.warnings).unwrap_or_else(|_| "[]".into()));
        s.push_str(",\"retries\":");
        s.push_str(&serde_json::to_string(&self.retries).unwrap_or_else(|_| "[]".into()));
        s.push_str(",\"requestId\":");
        s.push_str(&serde_json::to_string(&self.request_id).unwrap_or_else(|_| "\"\"".into()));
        s.push_str(&format!(",\"page\":{},\"more\":{}}}", self.page, self.more));
        s
    }
}

const PAGE_START: &str = "{\"value\":";
/// Most blanks `Page::into_json` leaves after a page (the spare room of a response body's
/// block, a few KB); a block with more room left over is not handed on as it is.
const MAX_PAGE_BLANKS: usize = 16 << 10;

enum State {
    First(Url),
    Next(Url),
    /// A later `next` returns this error (refused nextLink, expired link).
    Failed(Error),
    Done,
}

/// A running command. Used by one thread at a time; `cancel_token()` may be
/// cancelled from any thread.
pub struct Cursor {
    conn: Arc<Connection>,
    cmdlet: String,
    is_read: bool,
    body: Vec<u8>,
    anchor_mailbox: String,
    page_size: u32,
    state: State,
    page: u32,
    /// Records delivered so far (for errors that end the enumeration midway).
    records: u64,
    cancel: Arc<CancelToken>,
}

impl Cursor {
    /// Start a command on `conn`: checks only; the first `next_page` sends it.
    pub fn new(conn: Arc<Connection>, req: InvokeRequest) -> Result<Cursor, Error> {
        Self::with_cancel(conn, req, Arc::new(CancelToken::new()))
    }

    /// As `new`, cancelled through `cancel` (shared by the cursors of a fan-out).
    pub(crate) fn with_cancel(
        conn: Arc<Connection>,
        req: InvokeRequest,
        cancel: Arc<CancelToken>,
    ) -> Result<Cursor, Error> {
        conn.check_connected()?;
        // The tenant GUID (from the token) when known: like CIPP against the real service.
        let url = request::invoke_url(&conn.options.exchange, conn.routing_tenant(), &req.select)?;
        Ok(Cursor {
            cmdlet: req.cmdlet.clone(),
            is_read: req.is_read(),
            body: req.body(),
            anchor_mailbox: req
                .anchor_mailbox
                .clone()
                .unwrap_or_else(|| conn.anchor_mailbox()),
            page_size: req.page_size.unwrap_or(conn.options.page_size),
            state: State::First(url),
            page: 0,
            records: 0,
            cancel,
            conn,
        })
    }

    /// Shared with threads that may cancel this cursor.
    pub fn cancel_token(&self) -> Arc<CancelToken> {
        self.cancel.clone()
    }

    /// The next page. After the last page, an empty page with `more: false`.
    /// Errors leave the cursor where it was (the same page can be asked for
    /// again), except a refused or expired page link, which stays failed.
    pub fn next_page(&mut self) -> Result<Page, Error> {
        self.cancel.check()?;
        let (url, page_link) = match &self.state {
            State::Done => {
                return Ok(Page {
                    value_json: "[]".into(),
                    warnings: vec![],
                    retries: vec![],
                    request_id: String::new(),
                    page: self.page,
                    more: false,
                })
            }
            State::Failed(e) => return Err(e.clone()),
            State::First(u) => (u.clone(), false),
            State::Next(u) => (u.clone(), true),
        };
        let (page, request_id, retries) = match self.fetch(&url, page_link) {
            Ok(r) => r,
            Err(mut e) => {
                if e.code == ExoResult::PageExpired {
                    self.state = State::Failed(e.clone());
                }
                if e.reason == Reason::MalformedResponse {
                    // The page cannot be read and asking again would bring the same answer:
                    // say where the enumeration stands, and end it there.
                    e.message = format!(
                        "{}: page {} was refused: {}. {}; the rest of the enumeration was not read.",
                        self.cmdlet,
                        self.page + 1,
                        e.message,
                        self.delivered()
                    );
                    if let Some(id) = &e.request_id {
                        e.message.push_str(&format!(" [client-request-id {id}]"));
                    }
                    self.state = State::Failed(e.clone());
                }
                return Err(e);
            }
        };
        self.page += 1;
        let SuccessPage {
            value_json,
            records,
            next_link,
            warnings,
        } = page;
        self.records += records as u64;
        self.state = match next_link {
            None => State::Done,
            Some(link) => match self.check_link(&link) {
                Ok(u) => State::Next(u),
                Err(e) => State::Failed(e),
            },
        };
        Ok(Page {
            value_json,
            warnings,
            retries,
            request_id,
            page: self.page,
            more: !matches!(self.state, State::Done),
        })
    }

    /// "2 pages with 2000 records were delivered before it".
    fn delivered(&self) -> String {
        match self.page {
            0 => "No records were delivered before it".to_string(),
            1 => format!(
                "1 page with {} record(s) was delivered before it",
                self.records
            ),
            n => format!(
                "{n} pages with {} record(s) were delivered before it",
                self.records
            ),
        }
    }

    /// A nextLink must stay on the connection's Exchange origin: the bearer
    /// token is never sent anywhere else.
    fn check_link(&self, link: &str) -> Result<Url, Error> {
        check_next_link(&self.conn.options.exchange, link)
    }

    fn fetch(
        &self,
        url: &Url,
        page_link: bool,
    ) -> Result<(SuccessPage, String, Vec<RetryRecord>), Error> {
        let o = &self.conn.options;
        let policy = RetryPolicy::new(o.max_retries, o.max_retry_wait);
        let mut retries: Vec<RetryRecord> = Vec::new();
        // Retries that spend the page's budget (`maxRetries`), and all retries of this page
        // (those plus the one after a token refresh): `RetryRecord.attempt`.
        let mut retry_no = 0u32;
        let mut attempt = 0u32;
        let mut refreshed = false;
        let mut stale: Option<Arc<Secret>> = None;
        loop {
            self.cancel.check()?;
            let at = match self
                .conn
                .access_token(&self.cancel, &mut retries, stale.as_ref())
            {
                Ok(at) => at,
                // The identity platform was busy (throttled, unavailable, unreachable): nothing
                // reached Exchange, so waiting and asking again is safe for reads and writes
                // alike, within the page's own retry budget. Refusals (bad secret, MFA, consent)
                // are final.
                Err(e) if e.code.is_transient() && retry_no < policy.max_retries => {
                    retry_no += 1;
                    attempt += 1;
                    let wait = policy.wait(retry_no, None);
                    retries.push(RetryRecord {
                        reason: "TokenEndpointUnavailable".into(),
                        attempt,
                        wait_ms: wait.as_millis() as u64,
                        request_id: String::new(),
                    });
                    self.cancel.sleep(wait)?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            stale = None;
            let request_id = new_guid();
            let headers = request::headers(&HeaderInput {
                token: at.token.expose(),
                cmdlet: &self.cmdlet,
                anchor_mailbox: &self.anchor_mailbox,
                client_application: &o.client_application,
                page_size: self.page_size,
                request_id: &request_id,
            });
            let req = HttpRequest {
                method: reqwest::Method::POST,
                url: url.clone(),
                headers,
                sensitive: vec![AUTHORIZATION],
                content_type: "application/json",
                body: self.body.clone(),
                max_body: http::MAX_PAGE_BODY_BYTES,
                pooled: true,
                connect_timeout: o.connect_timeout,
                timeout: o.read_timeout,
            };
            let permit = self.conn.window.acquire(&self.cancel)?;
            let answer = http::execute(req, &self.cancel);
            permit.finish(window_outcome(&answer, page_link));
            let (failure, mut error, retry_after) = match answer {
                Ok(resp) if (200..300).contains(&resp.status) => {
                    let max = response::max_records(self.page_size);
                    return match response::parse_success_owned(resp.body, max, &[at.token.expose()])
                    {
                        Ok(p) => Ok((p, request_id, retries)),
                        Err(mut e) => {
                            e.request_id = Some(request_id);
                            e.retries = retries.len() as u32;
                            Err(e)
                        }
                    };
                }
                // A 401 with an error body and no token challenge is a role denial
                // (docs/PROTOCOL.md §5): a new token would not help, so none is redeemed.
                Ok(resp) if resp.status == 401 && !response::token_refused(&resp) => {
                    let se = response::parse_error(
                        resp.status,
                        &resp.body,
                        resp.header(&X_EXCEPTION_TYPE),
                        &[at.token.expose()],
                    );
                    (
                        Failure::Permanent,
                        se.into_error(&self.cmdlet, page_link),
                        None,
                    )
                }
                Ok(resp) if resp.status == 401 => {
                    if !refreshed && self.conn.can_refresh() {
                        refreshed = true;
                        attempt += 1;
                        retries.push(RetryRecord {
                            reason: "Unauthorized".into(),
                            attempt,
                            wait_ms: 0,
                            request_id,
                        });
                        stale = Some(at.token.clone());
                        continue;
                    }
                    let mut e = self.conn.unauthorized_error();
                    e.http_status = Some(401);
                    (Failure::Permanent, e, None)
                }
                Ok(resp) => {
                    let se = response::parse_error(
                        resp.status,
                        &resp.body,
                        resp.header(&X_EXCEPTION_TYPE),
                        &[at.token.expose()],
                    );
                    let f = se.failure(page_link);
                    (
                        f,
                        se.into_error(&self.cmdlet, page_link),
                        resp.retry_after(),
                    )
                }
                Err(HttpFailure::Cancelled) => return Err(Error::cancelled()),
                Err(hf) => {
                    let f = Failure::from_http(&hf);
                    let mut e = hf.to_error("Exchange Online");
                    e.message = format!("{}: {}", self.cmdlet, e.message);
                    (f, e, None)
                }
            };
            if failure.retry_again(self.is_read, retry_no, &policy) {
                retry_no += 1;
                attempt += 1;
                let wait = policy.wait(retry_no, retry_after);
                retries.push(RetryRecord {
                    reason: failure.reason().into(),
                    attempt,
                    wait_ms: wait.as_millis() as u64,
                    request_id,
                });
                self.cancel.sleep(wait)?;
                continue;
            }
            failure.finish_error(&mut error, self.is_read, retry_no);
            error.request_id = Some(request_id.clone());
            error.retries = retries.len() as u32;
            if error.message.find("request id").is_none() {
                error
                    .message
                    .push_str(&format!(" [client-request-id {request_id}]"));
            }
            return Err(error);
        }
    }
}

/// What an exchange says about load, for the connection's request window.
pub fn window_outcome(
    answer: &Result<http::HttpResponse, HttpFailure>,
    page_link: bool,
) -> Outcome {
    match answer {
        Ok(r) if r.status == 429 => Outcome::Refused,
        Ok(r) if r.status < 400 || r.status == 401 => Outcome::Answered,
        Ok(r) => {
            let se = response::parse_error(r.status, &r.body, r.header(&X_EXCEPTION_TYPE), &[]);
            if se.failure(page_link).is_load_refusal() {
                Outcome::Refused
            } else {
                Outcome::Answered
            }
        }
        Err(_) => Outcome::Unknown,
    }
}

/// The nextLink rule, on its own for testing: same scheme, host and port as
/// the Exchange endpoint, else `InsecureEndpoint`.
pub fn check_next_link(exchange: &crate::endpoint::BaseUrl, link: &str) -> Result<Url, Error> {
    crate::endpoint::check_page_link(exchange, link, "Exchange")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::BaseUrl;

    #[test]
    fn next_link_must_stay_on_origin() {
        let b = BaseUrl::parse("https://outlook.office365.com", "x").unwrap();
        assert!(check_next_link(
            &b,
            "https://outlook.office365.com/adminapi/beta/t/InvokeCommand?$skiptoken=a"
        )
        .is_ok());
        for bad in [
            "https://evil.example/adminapi/beta/t/InvokeCommand?$skiptoken=a",
            "http://outlook.office365.com/adminapi",
            "https://outlook.office365.com:8443/adminapi",
            "https://outlook.office365.com.evil.example/x",
        ] {
            assert_eq!(
                check_next_link(&b, bad).unwrap_err().code,
                ExoResult::InsecureEndpoint,
                "{bad}"
            );
        }
        assert_eq!(
            check_next_link(&b, "not a url").unwrap_err().code,
            ExoResult::Internal
        );
    }

    #[test]
    fn page_json_shape() {
        let p = Page {
            value_json: r#"[{"a":1}]"#.into(),
            warnings: vec!["w\"".into()],
            retries: vec![RetryRecord {
                reason: "Throttled".into(),
                attempt: 1,
                wait_ms: 10,
                request_id: "r".into(),
            }],
            request_id: "rid".into(),
            page: 2,
            more: true,
        };
        let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(v["value"][0]["a"], 1);
        assert_eq!(v["warnings"][0], "w\"");
        assert_eq!(v["retries"][0]["waitMs"], 10);
        assert_eq!(v["retries"][0]["requestId"], "r");
        assert_eq!(v["page"], 2);
        assert_eq!(v["more"], true);
        // The interop reads only the end of the text to decide whether to fetch ahead.
        assert!(p.to_json().ends_with(",\"more\":true}"));
    }

    fn page_of(value_json: String) -> Page {
        Page {
            value_json,
            warnings: vec!["w".into()],
            retries: vec![],
            request_id: "rid".into(),
            page: 3,
            more: true,
        }
    }

    #[test]
    fn into_json_is_to_json_without_a_copy() {
        let records = r#"[{"Name":"a"},{"Name":"b"}]"#;
        // With room in the block (a response body's): built in place, blanks up to the NUL.
        let mut roomy = String::with_capacity(records.len() + 1024);
        roomy.push_str(records);
        let block = roomy.as_ptr();
        let want = page_of(records.into()).to_json();
        let json = page_of(roomy).into_json();
        assert_eq!(json.as_ptr(), block);
        assert_eq!(json.capacity(), json.len() + 1);
        assert_eq!(json.trim_end(), want);
        assert!(json[want.len()..].bytes().all(|b| b == b' '));
        // Without room, or with too much: a block of exactly the page and its NUL.
        for value in [records.to_string(), {
            let mut s = String::with_capacity(MAX_PAGE_BLANKS * 2);
            s.push_str(records);
            s
        }] {
            let json = page_of(value).into_json();
            assert_eq!(json, want);
            assert_eq!(json.capacity(), json.len() + 1);
        }
        // A C string made of it keeps the block (the ABI hands pages on as C strings).
        let json = page_of(records.into()).into_json();
        let block = json.as_ptr();
        let c = std::ffi::CString::new(json).unwrap();
        assert_eq!(c.as_ptr() as *const u8, block);
        assert_eq!(c.to_str().unwrap(), want);
    }
}
