//! Exchange Online admin API (InvokeCommand): connections, requests,
//! responses, what is retried and the paging cursor.

pub(crate) mod connection;
pub(crate) mod cursor;
pub(crate) mod failure;
pub(crate) mod request;
pub(crate) mod response;
