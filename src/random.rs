//! The platform CSPRNG (`getrandom`: `crypto.getRandomValues` in browsers and
//! workers, the OS elsewhere). Failures become [`Error::RandomUnavailable`],
//! never a panic.

use crate::error::{Error, Result};

/// Fills `buf` with bytes from the platform CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|_| Error::RandomUnavailable)
}
