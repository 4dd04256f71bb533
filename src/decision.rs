//! The answer to one request: admitted or refused, with its status, code and
//! the headers an HTTP server should send.

use crate::access::Access;
use crate::error::Error;
use crate::key_id::KeyId;

/// The realm in `WWW-Authenticate` unless the account's limits name another.
pub const DEFAULT_REALM: &str = "apikeys";

/// The quota as of a decision: what the `RateLimit` headers carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaView {
    /// Calls the account may still make in the current window.
    pub remaining: u32,
    /// The daily limit.
    pub limit: u32,
    /// When the window resets, epoch ms.
    pub resets_at: u64,
    /// Seconds from the decision until the reset (rounded up).
    pub reset_seconds: u64,
}

/// The outcome of [`crate::Account::authorize`] or [`crate::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `None` when admitted; else why the request was refused.
    pub error: Option<Error>,
    /// The key ID presented, when it was well-formed.
    pub key_id: Option<KeyId>,
    /// The key's access level, once the secret verified.
    pub access: Option<Access>,
    /// The lease taken by an admitted call; give it back with `release`.
    pub lease_id: Option<String>,
    /// The account's quota after this decision (absent from `verify`).
    pub quota: Option<QuotaView>,
    /// Seconds a refused client should wait (429 only).
    pub retry_after: Option<u64>,
    /// Response headers for the edge to send, in this order.
    pub headers: Vec<(&'static str, String)>,
}

impl Decision {
    /// Whether the request is admitted.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// 200 when admitted, else the error's status (401, 403, 429, 400, 500).
    pub fn status(&self) -> u16 {
        self.error.map_or(200, Error::status)
    }

    /// `"OK"` or the error's code.
    pub fn code(&self) -> &'static str {
        self.error.map_or("OK", Error::code)
    }

    /// The value of a header of this decision, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Builds a decision and its headers.
    pub(crate) fn build(
        error: Option<Error>,
        key_id: Option<KeyId>,
        access: Option<Access>,
        lease_id: Option<String>,
        quota: Option<QuotaView>,
        retry_after: Option<u64>,
        realm: &str,
    ) -> Decision {
        let mut headers = Vec::with_capacity(3);
        if error.map(Error::status) == Some(401) {
            headers.push((
                "WWW-Authenticate",
                format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
            ));
        }
        if let Some(secs) = retry_after {
            headers.push(("Retry-After", secs.to_string()));
        }
        // RateLimit fields (draft-ietf-httpapi-ratelimit-headers) only for a
        // caller whose secret verified: others learn nothing of the account.
        if let (Some(_), Some(q)) = (access, quota) {
            headers.push((
                "RateLimit-Policy",
                format!("\"daily\";q={};w=86400", q.limit),
            ));
            headers.push((
                "RateLimit",
                format!("\"daily\";r={};t={}", q.remaining, q.reset_seconds),
            ));
        }
        Decision {
            error,
            key_id,
            access,
            lease_id,
            quota,
            retry_after,
            headers,
        }
    }
}

/// Whole seconds from `now` to `then`, rounded up, at least 1.
pub(crate) fn seconds_until(then: u64, now: u64) -> u64 {
    then.saturating_sub(now).div_ceil(1000).max(1)
}
