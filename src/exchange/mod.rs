//! Exchange Online admin API (InvokeCommand): connections, requests,
//! responses, what is retried, the paging cursor, batches and the request window.

pub(crate) mod batch;
pub(crate) mod connection;
pub(crate) mod cursor;
pub(crate) mod failure;
pub(crate) mod fanout;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod window;
