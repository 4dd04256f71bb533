//! Access levels and HTTP methods: a read-only key may only use safe methods.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What a key may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Every method: the same permissions as an admin user.
    #[default]
    Full,
    /// Retrieval only: GET, HEAD and OPTIONS.
    ReadOnly,
}

impl Access {
    /// `"full"` or `"read-only"`, as in JSON and JS.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Full => "full",
            Access::ReadOnly => "read-only",
        }
    }

    /// Whether this access level allows `method` (already checked by
    /// [`check_method`]). Read-only keys get GET, HEAD and OPTIONS only, in
    /// any letter case; every other method, known or not, is refused.
    pub fn allows(self, method: &str) -> bool {
        match self {
            Access::Full => true,
            Access::ReadOnly => is_safe_method(method),
        }
    }
}

/// The longest method accepted.
pub const MAX_METHOD_LEN: usize = 32;

/// Checks that `method` is an HTTP token (RFC 9110 §5.6.2) of at most
/// [`MAX_METHOD_LEN`] characters; refuses it with [`Error::InvalidMethod`].
pub fn check_method(method: &str) -> Result<&str> {
    let ok = !method.is_empty()
        && method.len() <= MAX_METHOD_LEN
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(method)
    } else {
        Err(Error::InvalidMethod)
    }
}

/// GET, HEAD and OPTIONS, the methods that retrieve without changing records.
pub fn is_safe_method(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}
