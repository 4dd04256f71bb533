//! The answer to one request: admitted or refused, with its status, code and
//! the headers an HTTP server should send (R7's `WWW-Authenticate`, R9's
//! `RateLimit` fields, `Retry-After`).

use crate::access::Access;
use crate::error::Error;
use crate::key_id::KeyId;
pub use crate::quota::QuotaView;

/// The realm in `WWW-Authenticate` unless the account's limits name another.
pub const DEFAULT_REALM: &str = "apikeys";

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

/// A decision being made: start with [`Decision::admit`] or
/// [`Decision::refuse`], add what is known, then [`DecisionBuilder::finish`]
/// writes the headers.
#[must_use]
#[derive(Clone, Debug)]
pub struct DecisionBuilder(Decision);

impl Decision {
    /// An admitted call of `key_id`, with its access.
    pub fn admit(key_id: KeyId, access: Access) -> DecisionBuilder {
        DecisionBuilder(Decision {
            error: None,
            key_id: Some(key_id),
            access: Some(access),
            lease_id: None,
            quota: None,
            retry_after: None,
            headers: Vec::new(),
        })
    }

    /// A call refused for `error`.
    pub fn refuse(error: Error) -> DecisionBuilder {
        DecisionBuilder(Decision {
            error: Some(error),
            key_id: None,
            access: None,
            lease_id: None,
            quota: None,
            retry_after: None,
            headers: Vec::new(),
        })
    }

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
}

impl DecisionBuilder {
    /// The presented key ID (well-formed, whether known or not).
    pub fn key(mut self, key_id: Option<KeyId>) -> Self {
        self.0.key_id = key_id;
        self
    }

    /// The key's access, known once its secret verified.
    pub fn access(mut self, access: Option<Access>) -> Self {
        self.0.access = access;
        self
    }

    /// The lease an admitted call took.
    pub fn lease(mut self, lease_id: String) -> Self {
        self.0.lease_id = Some(lease_id);
        self
    }

    /// The account's quota as of the decision.
    pub fn quota(mut self, quota: QuotaView) -> Self {
        self.0.quota = Some(quota);
        self
    }

    /// Seconds a refused client should wait.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    /// The decision, with its headers for `realm`.
    pub fn finish(self, realm: &str) -> Decision {
        let mut d = self.0;
        if d.status() == 401 {
            d.headers.push((
                "WWW-Authenticate",
                format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
            ));
        }
        if let Some(secs) = d.retry_after {
            d.headers.push(("Retry-After", secs.to_string()));
        }
        // RateLimit fields (draft-ietf-httpapi-ratelimit-headers) only for a
        // caller whose secret verified: others learn nothing of the account.
        if let (Some(_), Some(q)) = (d.access, d.quota) {
            d.headers.push((
                "RateLimit-Policy",
                format!("\"daily\";q={};w=86400", q.limit),
            ));
            d.headers.push((
                "RateLimit",
                format!("\"daily\";r={};t={}", q.remaining, q.reset_seconds),
            ));
        }
        d
    }
}
