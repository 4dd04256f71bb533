//! HTTP Basic credentials (RFC 7617): `Basic base64(user-id ":" password)`,
//! the user-id and password encoded together as UTF-8.

use core::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The most decoded bytes of credentials accepted (1 KiB). A key ID and a
/// secret take 94; anything far larger is refused before it is decoded.
pub const MAX_CREDENTIALS_BYTES: usize = 1024;
/// The longest base64 text that can decode to [`MAX_CREDENTIALS_BYTES`].
pub const MAX_TOKEN_CHARS: usize = MAX_CREDENTIALS_BYTES.div_ceil(3) * 4;

/// Decodes padded and unpadded base64 alike: clients differ.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The two halves of Basic credentials. The password sits in a buffer that is
/// wiped on drop, and `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user-id: for this product, the API Key ID.
    pub user_id: String,
    /// The password: for this product, the API Key Secret.
    pub password: Zeroizing<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user_id", &self.user_id)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// `Basic base64(user_id ":" password)` (RFC 7617 §2, UTF-8 charset).
///
/// A user-id with a colon or a control character is refused with
/// [`Error::InvalidUserId`]; a password with a control character with
/// [`Error::InvalidPassword`]. Colons in the password are fine.
pub fn encode_basic(user_id: &str, password: &str) -> Result<String> {
    if user_id.chars().any(|c| c == ':' || c.is_control()) {
        return Err(Error::InvalidUserId);
    }
    if password.chars().any(char::is_control) {
        return Err(Error::InvalidPassword);
    }
    let mut joined = Zeroizing::new(String::with_capacity(user_id.len() + 1 + password.len()));
    joined.push_str(user_id);
    joined.push(':');
    joined.push_str(password);
    // Into a buffer, then as text: base64's `encode_string` would bring its
    // `expect` and the Debug code it formats with into the `.wasm`.
    let mut token = Zeroizing::new(vec![0u8; joined.len().div_ceil(3) * 4]);
    let n = STANDARD
        .encode_slice(joined.as_bytes(), &mut token)
        .unwrap_or_default();
    let token = core::str::from_utf8(token.get(..n).unwrap_or_default()).unwrap_or_default();
    let mut out = String::with_capacity(6 + token.len());
    out.push_str("Basic ");
    out.push_str(token);
    Ok(out)
}

/// Parses an `Authorization` header value.
///
/// The scheme is case-insensitive and may be followed by any run of spaces or
/// tabs; surrounding white space is ignored. The credentials are split at the
/// first colon, so the password may contain colons.
///
/// Errors: [`Error::MissingCredentials`] for an empty value,
/// [`Error::UnsupportedScheme`] for another scheme, and
/// [`Error::MalformedCredentials`] for bad base64, no colon, invalid UTF-8,
/// control characters, or more than [`MAX_CREDENTIALS_BYTES`].
pub fn parse_basic(header: &str) -> Result<Credentials> {
    let value = header.trim_matches(is_ows);
    if value.is_empty() {
        return Err(Error::MissingCredentials);
    }
    let (scheme, rest) = value
        .find(is_ows)
        .and_then(|i| value.split_at_checked(i))
        .unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(Error::UnsupportedScheme);
    }
    let token = rest.trim_start_matches(is_ows);
    if token.is_empty() {
        return Err(Error::MissingCredentials);
    }
    if token.len() > MAX_TOKEN_CHARS {
        return Err(Error::MalformedCredentials);
    }
    let decoded = Zeroizing::new(
        LENIENT
            .decode(token.as_bytes())
            .map_err(|_| Error::MalformedCredentials)?,
    );
    // The length check above is on the base64 text; this one is exact.
    if decoded.len() > MAX_CREDENTIALS_BYTES {
        return Err(Error::MalformedCredentials);
    }
    let text = core::str::from_utf8(&decoded).map_err(|_| Error::MalformedCredentials)?;
    let (user_id, password) = text.split_once(':').ok_or(Error::MalformedCredentials)?;
    if text.chars().any(char::is_control) {
        return Err(Error::MalformedCredentials);
    }
    Ok(Credentials {
        user_id: user_id.to_owned(),
        password: Zeroizing::new(password.to_owned()),
    })
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}
