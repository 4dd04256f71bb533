//! The one error type of the crate: a small `Copy + Eq` enum with a stable code
//! per failure, so callers (and tests) can branch on it.

use core::fmt;

/// Every failure the library reports. [`Error::code`] is the stable,
/// SCREAMING_SNAKE_CASE text that JS callers see as `err.code` and that
/// decisions carry; [`fmt::Display`] is a message for humans that never
/// contains a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// No `Authorization` header, or an empty one.
    MissingCredentials,
    /// The header's scheme is not `Basic`.
    UnsupportedScheme,
    /// Bad base64, no colon, not UTF-8, control characters, a bad key ID or
    /// secret format, a bad checksum, or credentials over the size cap.
    MalformedCredentials,
    /// A well-formed key ID that the account does not have (deleted keys too).
    UnknownKey,
    /// The secret does not match the stored hash (a secret replaced by a reset too).
    InvalidSecret,
    /// A read-only key asked for a method that is not GET, HEAD or OPTIONS.
    ReadOnlyKey,
    /// The account has used its daily calls for the current UTC window.
    DailyLimitExceeded,
    /// The application already holds its maximum of live leases.
    ConcurrencyLimitExceeded,
    /// The HTTP method is not a valid token (RFC 9110 §9.1).
    InvalidMethod,
    /// `now` is not a whole, non-negative epoch time in milliseconds that a JS `Date` can hold.
    InvalidTime,
    /// A management operation by an actor who is not an admin.
    NotAdmin,
    /// The account already has its maximum number of applications.
    ApplicationLimitReached,
    /// The application name is blank, too long or has control characters.
    InvalidName,
    /// The description is too long or has control characters.
    InvalidDescription,
    /// A state record (`fromJSON`) or a key record that is not valid.
    InvalidState,
    /// Limits or options that are out of range.
    InvalidLimits,
    /// A user-id for Basic credentials that contains a colon or a control character.
    InvalidUserId,
    /// A password for Basic credentials that contains a control character.
    InvalidPassword,
    /// An argument of the wrong type or with unknown fields (JS callers).
    InvalidInput,
    /// A string that is not an argon2 PHC hash this library accepts.
    MalformedHash,
    /// Hash parameters outside the accepted range.
    InvalidProfile,
    /// The platform's random number generator failed.
    RandomUnavailable,
    /// An edge worker verified the secret against a key record that has
    /// changed since (reset, access change): refresh it and decide again.
    StaleKeyRecord,
}

impl Error {
    /// The stable code, as JS callers see it in `err.code` and `decision.code`.
    pub const fn code(self) -> &'static str {
        match self {
            Error::MissingCredentials => "MISSING_CREDENTIALS",
            Error::UnsupportedScheme => "UNSUPPORTED_SCHEME",
            Error::MalformedCredentials => "MALFORMED_CREDENTIALS",
            Error::UnknownKey => "UNKNOWN_KEY",
            Error::InvalidSecret => "INVALID_SECRET",
            Error::ReadOnlyKey => "READ_ONLY_KEY",
            Error::DailyLimitExceeded => "DAILY_LIMIT_EXCEEDED",
            Error::ConcurrencyLimitExceeded => "CONCURRENCY_LIMIT_EXCEEDED",
            Error::InvalidMethod => "INVALID_METHOD",
            Error::InvalidTime => "INVALID_TIME",
            Error::NotAdmin => "NOT_ADMIN",
            Error::ApplicationLimitReached => "APPLICATION_LIMIT_REACHED",
            Error::InvalidName => "INVALID_NAME",
            Error::InvalidDescription => "INVALID_DESCRIPTION",
            Error::InvalidState => "INVALID_STATE",
            Error::InvalidLimits => "INVALID_LIMITS",
            Error::InvalidUserId => "INVALID_USER_ID",
            Error::InvalidPassword => "INVALID_PASSWORD",
            Error::InvalidInput => "INVALID_INPUT",
            Error::MalformedHash => "MALFORMED_HASH",
            Error::InvalidProfile => "INVALID_PROFILE",
            Error::RandomUnavailable => "RANDOM_UNAVAILABLE",
            Error::StaleKeyRecord => "STALE_KEY_RECORD",
        }
    }

    /// The HTTP status a server should answer with when a request fails this way.
    pub const fn status(self) -> u16 {
        match self {
            Error::MissingCredentials
            | Error::UnsupportedScheme
            | Error::MalformedCredentials
            | Error::UnknownKey
            | Error::InvalidSecret => 401,
            Error::ReadOnlyKey | Error::NotAdmin => 403,
            Error::DailyLimitExceeded | Error::ConcurrencyLimitExceeded => 429,
            Error::InvalidMethod
            | Error::InvalidName
            | Error::InvalidDescription
            | Error::InvalidUserId
            | Error::InvalidPassword
            | Error::InvalidInput => 400,
            Error::ApplicationLimitReached | Error::StaleKeyRecord => 409,
            Error::InvalidTime
            | Error::InvalidState
            | Error::InvalidLimits
            | Error::MalformedHash
            | Error::InvalidProfile
            | Error::RandomUnavailable => 500,
        }
    }

    /// Every variant, for tests and documentation tables.
    pub const ALL: [Error; 23] = [
        Error::MissingCredentials,
        Error::UnsupportedScheme,
        Error::MalformedCredentials,
        Error::UnknownKey,
        Error::InvalidSecret,
        Error::ReadOnlyKey,
        Error::DailyLimitExceeded,
        Error::ConcurrencyLimitExceeded,
        Error::InvalidMethod,
        Error::InvalidTime,
        Error::NotAdmin,
        Error::ApplicationLimitReached,
        Error::InvalidName,
        Error::InvalidDescription,
        Error::InvalidState,
        Error::InvalidLimits,
        Error::InvalidUserId,
        Error::InvalidPassword,
        Error::InvalidInput,
        Error::MalformedHash,
        Error::InvalidProfile,
        Error::RandomUnavailable,
        Error::StaleKeyRecord,
    ];

    /// The error of a code, or `None` for a code this library does not have.
    pub fn from_code(code: &str) -> Option<Error> {
        Error::ALL.into_iter().find(|e| e.code() == code)
    }
}

impl Error {
    /// The message for operators and admins: what went wrong and what to do.
    /// It never contains a secret. [`fmt::Display`] writes it.
    pub const fn message(self) -> &'static str {
        match self {
            Error::MissingCredentials => "no credentials: send `Authorization: Basic base64(API_Key_ID:API_Key_Secret)`",
            Error::UnsupportedScheme => "unsupported authorization scheme: use `Basic`",
            Error::MalformedCredentials => "malformed credentials: expected base64 of `API_Key_ID:API_Key_Secret`",
            Error::UnknownKey => "unknown API key",
            Error::InvalidSecret => "the API key secret does not match",
            Error::ReadOnlyKey => "this API key is read-only: it may only GET, HEAD or OPTIONS",
            Error::DailyLimitExceeded => "the account's daily API call limit is used up; it resets at 00:00 UTC",
            Error::ConcurrencyLimitExceeded => "this application already has its maximum of concurrent connections",
            Error::InvalidMethod => "the HTTP method is not a valid token",
            Error::InvalidTime => "`now` must be a whole, non-negative epoch time in milliseconds",
            Error::NotAdmin => "only an admin may create, view, reset or delete API keys",
            Error::ApplicationLimitReached => "this account already has its maximum of API key applications: delete an existing application first",
            Error::InvalidName => "the name is required: 1 to 100 characters, without control characters",
            Error::InvalidDescription => "the description may have at most 500 characters and no control characters but newlines and tabs",
            Error::InvalidState => "the state record is not a valid account state",
            Error::InvalidLimits => "the limits are out of range",
            Error::InvalidUserId => "the user-id may not contain a colon or control characters (RFC 7617)",
            Error::InvalidPassword => "the password may not contain control characters (RFC 7617)",
            Error::InvalidInput => "an argument has the wrong type or an unknown field",
            Error::MalformedHash => "not an argon2 PHC hash string with accepted parameters",
            Error::InvalidProfile => "hash parameters out of range",
            Error::RandomUnavailable => "the platform's random number generator is unavailable",
            Error::StaleKeyRecord => "the cached key record has changed: refresh it and decide again",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;
