//! Exchange Online admin API (InvokeCommand): connections, requests,
//! responses, the retry policy and the paging cursor.

pub mod connection;
pub mod cursor;
pub mod request;
pub mod response;
pub mod retry;
