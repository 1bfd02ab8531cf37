//! Microsoft Graph, for GDAP customer discovery: the partner's delegated admin
//! relationships, deduplicated per customer tenant, with each tenant's default
//! domain. Same rank as `exchange`: both build on `identity` and the foundation.

pub(crate) mod client;
pub(crate) mod customers;
pub(crate) mod options;
