//! JSON in and out, for the few shapes the package exchanges: the account
//! state (with its history and audit trail), limits, hash profiles, key
//! records, `release`'s options, `usage`'s answer and the audit events.
//!
//! A small reader and writer instead of `serde_json`, which with its float
//! parsing and formatting was half of the `.wasm` (bench/README.md, "Size").
//! The reader accepts exactly the text that `serde_json` accepted for these
//! types with their serde derives (objects or arrays for structs, unknown
//! keys refused where the type says so, integers only where integers go,
//! strings with checked escapes); the writer writes what `serde_json::to_string`
//! wrote. `src/json/tests.rs` holds both against `serde_json`, which stays
//! a dev-dependency, and the derives stay for Rust users.
//!
//! Readers return `None` for anything refused: every caller maps that to one
//! error code. A shape is read by [`FromJson`] and written by [`ToJson`]; the
//! structs' impls below list their fields in declaration order, as the
//! derives do (a field added to a struct must be added here too: the oracle
//! tests compare with the derives and fail until it is).

use crate::access::Access;
use crate::actor::Role;
use crate::application::{Application, KeyList, KeyView};
use crate::audit::{Action, AuditLog, Change, Changes, Event, Value, Who, CHANGE_FIELDS};
use crate::hashing::Profile;
use crate::history::{DayCounts, History, KeyHistory, KeyUsage, Usage, UsageDay};
use crate::key_id::KeyId;
use crate::lease::Lease;
use crate::limits::{Limits, LimitsPatch};
use crate::pipeline::KeyRecord;
use crate::quota::Quota;

/// A cursor over JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after whitespace, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// The next byte as it is (no whitespace skipped), consumed.
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes().get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// The byte right here, not consumed.
    fn here(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Consumes `b` after whitespace, or refuses.
    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// Nothing but whitespace is left.
    pub(crate) fn end(mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.peek()?;
        for &b in word {
            (self.next()? == b).then_some(())?;
        }
        Some(())
    }

    /// `null` (consumed: `true`), or something else (not consumed: `false`).
    pub(crate) fn null(&mut self) -> Option<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            Some(true)
        } else {
            Some(false)
        }
    }

    /// A non-negative integer: no sign, fraction, exponent or leading zero,
    /// at most `u64::MAX` (serde_json reads anything else as a float or a
    /// negative number, which no unsigned field takes).
    #[inline(never)]
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut n: u64 = match self.peek()? {
            b'0' => {
                self.at += 1;
                0
            }
            b @ b'1'..=b'9' => {
                self.at += 1;
                u64::from(b - b'0')
            }
            _ => return None,
        };
        if n > 0 {
            while let Some(b @ b'0'..=b'9') = self.here() {
                n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                self.at += 1;
            }
        }
        match self.here() {
            Some(b'0'..=b'9' | b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    /// `null` as `None`, or a number.
    pub(crate) fn option_u64(&mut self) -> Option<Option<u64>> {
        if self.null()? {
            Some(None)
        } else {
            self.u64().map(Some)
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes().get(self.at..self.at + 4)?;
        self.at += 4;
        digits
            .iter()
            .try_fold(0u32, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))
    }

    /// A string, its escapes decoded; a `\u` escape must not leave half of
    /// a surrogate pair.
    #[inline(never)]
    pub(crate) fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        let mut start = self.at;
        loop {
            let b = self.next()?;
            if b == b'"' || b == b'\\' {
                out.push_str(self.text.get(start..self.at - 1)?);
            }
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let n = self.hex4()?;
                            if (0xD800..0xDC00).contains(&n) {
                                (self.next()? == b'\\').then_some(())?;
                                (self.next()? == b'u').then_some(())?;
                                let low = self.hex4()?;
                                (0xDC00..0xE000).contains(&low).then_some(())?;
                                char::from_u32(0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00))?
                            } else {
                                char::from_u32(n)?
                            }
                        }
                        _ => return None,
                    };
                    out.push(c);
                    start = self.at;
                }
                0..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// Skips a string whose opening quote is consumed, as serde_json skips
    /// an ignored one: escapes are checked, surrogates are not paired.
    #[inline(never)]
    fn skip_string(&mut self) -> Option<()> {
        loop {
            match self.next()? {
                b'"' => return Some(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        self.hex4()?;
                    }
                    _ => return None,
                },
                0..=0x1f => return None,
                _ => {}
            }
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.at;
        while let Some(b'0'..=b'9') = self.here() {
            self.at += 1;
        }
        self.at - from
    }

    /// Skips a number (its syntax only; `-` may be consumed already).
    #[inline(never)]
    fn skip_number(&mut self) -> Option<()> {
        match self.next()? {
            b'0' => {
                if let Some(b'0'..=b'9') = self.here() {
                    return None;
                }
            }
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.here() == Some(b'.') {
            self.at += 1;
            (self.digits() > 0).then_some(())?;
        }
        if let Some(b'e' | b'E') = self.here() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.here() {
                self.at += 1;
            }
            (self.digits() > 0).then_some(())?;
        }
        Some(())
    }

    /// Skips a scalar value; `Some(Some(bracket))` when it is an array or
    /// an object, whose bracket is consumed.
    fn skip_scalar(&mut self) -> Option<Option<u8>> {
        match self.peek()? {
            b'n' => self.literal(b"null")?,
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'-' => {
                self.at += 1;
                self.skip_number()?;
            }
            b'0'..=b'9' => self.skip_number()?,
            b'"' => {
                self.at += 1;
                self.skip_string()?;
            }
            b @ (b'[' | b'{') => {
                self.at += 1;
                return Some(Some(b));
            }
            _ => return None,
        }
        Some(None)
    }

    /// Skips any value, as serde_json ignores an unknown field's value (no
    /// depth limit: the open brackets are a list here, not a recursion).
    #[inline(never)]
    pub(crate) fn skip(&mut self) -> Option<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            let mut after_value = true;
            if let Some(bracket) = self.skip_scalar()? {
                open.push(bracket);
                after_value = false;
            }
            // Close what ends here; stop at a comma or at a first element.
            loop {
                let Some(&frame) = open.last() else {
                    return Some(());
                };
                let b = self.peek()?;
                if after_value && b == b',' {
                    self.at += 1;
                    break;
                }
                if b == frame + 2 {
                    // `]` follows `[`, `}` follows `{`.
                    self.at += 1;
                    open.pop();
                    after_value = true;
                    continue;
                }
                if after_value {
                    return None;
                }
                break;
            }
            if open.last() == Some(&b'{') {
                self.eat(b'"')?;
                self.skip_string()?;
                self.eat(b':')?;
            }
        }
    }

    /// An array, `item` reading each element.
    fn items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        let mut first = true;
        loop {
            let b = self.peek()?;
            if b == b']' {
                self.at += 1;
                return Some(());
            }
            // A comma right before `]` is refused by `item`, which finds no value.
            if !first {
                (b == b',').then_some(())?;
                self.at += 1;
            }
            first = false;
            item(self)?;
        }
    }

    /// A sequence as serde's derive reads a `Vec<T>`.
    pub(crate) fn vec<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::new();
        self.items(|r| {
            out.push(item(r)?);
            Some(())
        })?;
        Some(out)
    }

    /// An object, `entry` reading each value after its key (keys may repeat).
    fn entries(&mut self, mut entry: impl FnMut(&mut Self, String) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        let mut first = true;
        loop {
            let b = self.peek()?;
            if b == b'}' {
                self.at += 1;
                return Some(());
            }
            if !first {
                (b == b',').then_some(())?;
                self.at += 1;
            }
            first = false;
            let key = self.string()?;
            self.eat(b':')?;
            entry(self, key)?;
        }
    }

    /// A struct as serde's derive reads one from serde_json: an object whose
    /// keys are among `fields`, each at most once (other keys are skipped
    /// with `skip_unknown`, refused without), or an array of the values in
    /// field order. `read(reader, i)` reads field `i`'s value.
    ///
    /// Returns the fields that were present, as a bit set, after checking
    /// that each absent one may be: fields in `defaults` may always be
    /// absent, fields in `optional` (the `Option`s) only from an object.
    #[inline(never)]
    pub(crate) fn fields(
        &mut self,
        fields: &[&str],
        skip_unknown: bool,
        defaults: u32,
        optional: u32,
        read: &mut dyn FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<u32> {
        let all = (1u32 << fields.len()) - 1;
        let mut seen = 0u32;
        let absent_ok = if self.peek()? == b'[' {
            self.at += 1;
            for i in 0..fields.len() {
                let b = self.peek()?;
                if b == b']' {
                    break;
                }
                if i > 0 {
                    (b == b',').then_some(())?;
                    self.at += 1;
                }
                read(self, i)?;
                seen |= 1 << i;
            }
            self.eat(b']')?;
            defaults
        } else {
            self.entries(|r, key| match fields.iter().position(|f| *f == key) {
                Some(i) if seen & (1 << i) == 0 => {
                    seen |= 1 << i;
                    read(r, i)
                }
                None if skip_unknown => r.skip(),
                _ => None,
            })?;
            defaults | optional
        };
        (all & !seen & !absent_ok == 0).then_some(seen)
    }
}

/// Reads a whole text with `read`: nothing but whitespace may follow.
pub(crate) fn read_all<'a, T>(
    text: &'a str,
    read: impl FnOnce(&mut Reader<'a>) -> Option<T>,
) -> Option<T> {
    let mut r = Reader::new(text);
    let value = read(&mut r)?;
    r.end()?;
    Some(value)
}

/// Appends `n` in decimal (instead of `format!`/`to_string`, whose
/// formatting machinery and panics cost more in the `.wasm` than this).
#[inline(never)]
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    while i > 0 {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits.iter().skip(i).map(|&b| char::from(b)));
}

/// `first`, `n` in decimal, then `rest`.
pub(crate) fn text_with(first: &str, n: u64, rest: &str) -> String {
    let mut out = String::with_capacity(first.len() + 20 + rest.len());
    out.push_str(first);
    push_decimal(&mut out, n);
    out.push_str(rest);
    out
}

/// Writes compact JSON, as `serde_json::to_string` does.
#[derive(Default)]
pub(crate) struct Writer {
    out: String,
}

impl Writer {
    pub(crate) fn new() -> Writer {
        Writer::default()
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// A comma, unless this value opens its container or follows its key.
    fn comma(&mut self) {
        if !matches!(self.out.bytes().last(), None | Some(b'{' | b'[' | b':')) {
            self.out.push(',');
        }
    }

    /// `{` (or `[`), then `body`, then `}` (or `]`).
    pub(crate) fn open(&mut self, bracket: u8, body: impl FnOnce(&mut Self)) {
        self.comma();
        self.out.push(char::from(bracket));
        body(self);
        self.out.push(char::from(bracket + 2));
    }

    /// An object's key: a value must follow.
    pub(crate) fn key(&mut self, name: &str) {
        self.string(name);
        self.out.push(':');
    }

    pub(crate) fn u64(&mut self, n: u64) {
        self.comma();
        push_decimal(&mut self.out, n);
    }

    pub(crate) fn null(&mut self) {
        self.comma();
        self.out.push_str("null");
    }

    /// A string, escaped as serde_json escapes: `"`, `\` and the control
    /// characters (short forms where JSON has them, else `\u00xx`).
    #[inline(never)]
    pub(crate) fn string(&mut self, s: &str) {
        self.comma();
        self.out.push('"');
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let short = match b {
                b'"' => '"',
                b'\\' => '\\',
                b'\n' => 'n',
                b'\r' => 'r',
                b'\t' => 't',
                0x08 => 'b',
                0x0c => 'f',
                0..=0x1f => 'u',
                _ => continue,
            };
            self.out.push_str(s.get(start..i).unwrap_or_default());
            self.out.push('\\');
            self.out.push(short);
            if short == 'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("00");
                self.out.push(char::from(HEX[usize::from(b >> 4)]));
                self.out.push(char::from(HEX[usize::from(b & 15)]));
            }
            start = i + 1;
        }
        self.out.push_str(s.get(start..).unwrap_or_default());
        self.out.push('"');
    }
}

/// A shape read from JSON as serde_json with the shape's `Deserialize` read it.
pub(crate) trait FromJson: Sized {
    /// The value at the reader, or `None`.
    fn read(r: &mut Reader<'_>) -> Option<Self>;

    /// A whole text holding one such value.
    fn from_json(text: &str) -> Option<Self> {
        read_all(text, Self::read)
    }
}

/// A shape written as JSON as `serde_json::to_string` wrote it.
pub(crate) trait ToJson {
    /// Writes the value.
    fn write(&self, w: &mut Writer);

    /// The value as JSON text.
    fn to_json(&self) -> String {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }
}

impl Writer {
    /// `"name":value` in an object.
    pub(crate) fn field(&mut self, name: &str, value: &impl ToJson) {
        self.key(name);
        value.write(self);
    }

    /// `"name":value` when there is a value; nothing for `None` (serde's
    /// `skip_serializing_if = "Option::is_none"`).
    pub(crate) fn some_field(&mut self, name: &str, value: &Option<impl ToJson>) {
        if let Some(v) = value {
            self.field(name, v);
        }
    }

    /// `"name":[…]` unless the list is empty (`skip_serializing_if = "Vec::is_empty"`).
    pub(crate) fn list_field(&mut self, name: &str, value: &[u32]) {
        if !value.is_empty() {
            self.key(name);
            self.open(b'[', |w| value.iter().for_each(|v| w.u64(u64::from(*v))));
        }
    }

    /// An object: `{`, what `body` writes, `}`.
    pub(crate) fn object(&mut self, body: impl FnOnce(&mut Self)) {
        self.open(b'{', body);
    }
}

impl FromJson for u64 {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.u64()
    }
}

impl ToJson for u64 {
    fn write(&self, w: &mut Writer) {
        w.u64(*self);
    }
}

impl FromJson for u32 {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.u32()
    }
}

impl ToJson for u32 {
    fn write(&self, w: &mut Writer) {
        w.u64(u64::from(*self));
    }
}

impl FromJson for bool {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        match r.peek()? {
            b't' => r.literal(b"true").map(|()| true),
            b'f' => r.literal(b"false").map(|()| false),
            _ => None,
        }
    }
}

impl FromJson for String {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.string()
    }
}

impl ToJson for String {
    fn write(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        if r.null()? {
            Some(None)
        } else {
            T::read(r).map(Some)
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write(&self, w: &mut Writer) {
        match self {
            Some(v) => v.write(w),
            None => w.null(),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write(&self, w: &mut Writer) {
        (**self).write(w);
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.vec(T::read)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write(&self, w: &mut Writer) {
        w.open(b'[', |w| self.iter().for_each(|v| v.write(w)));
    }
}

impl Reader<'_> {
    /// A unit variant of an enum, as serde_json reads one: its name, or an
    /// object with the name as its only key and a `null` value. Returns the
    /// name's index in `names`.
    #[inline(never)]
    pub(crate) fn variant(&mut self, names: &[&str]) -> Option<usize> {
        let braced = self.peek()? == b'{';
        if braced {
            self.at += 1;
        }
        let name = self.string()?;
        let i = names.iter().position(|n| *n == name)?;
        if braced {
            self.eat(b':')?;
            self.literal(b"null")?;
            self.eat(b'}')?;
        }
        Some(i)
    }
}

/// `"full"` or `"read-only"` (or `{"full":null}`, see [`Reader::variant`]).
impl FromJson for Access {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&["full", "read-only"])? {
            0 => Access::Full,
            _ => Access::ReadOnly,
        })
    }
}

impl ToJson for Access {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

impl FromJson for KeyId {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        KeyId::parse(&r.string()?).ok()
    }
}

impl ToJson for KeyId {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

impl FromJson for Profile {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut p = [0u32; 3];
        r.fields(
            &["memoryKiB", "iterations", "parallelism"],
            false,
            0,
            0,
            &mut |r, i| {
                p[i] = r.u32()?;
                Some(())
            },
        )?;
        Some(Profile {
            memory_kib: p[0],
            iterations: p[1],
            parallelism: p[2],
        })
    }
}

impl ToJson for Profile {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("memoryKiB", &self.memory_kib);
            w.field("iterations", &self.iterations);
            w.field("parallelism", &self.parallelism);
        });
    }
}

const LIMITS_FIELDS: [&str; 8] = [
    "dailyCalls",
    "maxApplications",
    "maxConnections",
    "quotaResetOffsetMs",
    "callCountResetOffsetMs",
    "leaseTtlMs",
    "realm",
    "hashProfile",
];

/// Any subset of the fields: the others keep their defaults.
impl FromJson for Limits {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut l = Limits::default();
        r.fields(&LIMITS_FIELDS, false, u32::MAX, 0, &mut |r, i| {
            match i {
                0 => l.daily_calls = r.u32()?,
                1 => l.max_applications = r.u32()?,
                2 => l.max_connections = r.u32()?,
                3 => l.quota_reset_offset_ms = r.u64()?,
                4 => l.call_count_reset_offset_ms = r.u64()?,
                5 => l.lease_ttl_ms = r.u64()?,
                6 => l.realm = r.string()?,
                _ => l.hash_profile = Profile::read(r)?,
            }
            Some(())
        })?;
        Some(l)
    }
}

impl ToJson for Limits {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(LIMITS_FIELDS[0], &self.daily_calls);
            w.field(LIMITS_FIELDS[1], &self.max_applications);
            w.field(LIMITS_FIELDS[2], &self.max_connections);
            w.field(LIMITS_FIELDS[3], &self.quota_reset_offset_ms);
            w.field(LIMITS_FIELDS[4], &self.call_count_reset_offset_ms);
            w.field(LIMITS_FIELDS[5], &self.lease_ttl_ms);
            w.field(LIMITS_FIELDS[6], &self.realm);
            w.field(LIMITS_FIELDS[7], &self.hash_profile);
        });
    }
}

/// Every field an `Option` (`null` or absent: unchanged).
impl FromJson for LimitsPatch {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut p = LimitsPatch::default();
        r.fields(&LIMITS_FIELDS, false, 0, u32::MAX, &mut |r, i| {
            match i {
                0 => p.daily_calls = FromJson::read(r)?,
                1 => p.max_applications = FromJson::read(r)?,
                2 => p.max_connections = FromJson::read(r)?,
                3 => p.quota_reset_offset_ms = FromJson::read(r)?,
                4 => p.call_count_reset_offset_ms = FromJson::read(r)?,
                5 => p.lease_ttl_ms = FromJson::read(r)?,
                6 => p.realm = FromJson::read(r)?,
                _ => p.hash_profile = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(p)
    }
}

impl FromJson for Quota {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut q = Quota::default();
        r.fields(&["day", "calls"], false, 0, 0, &mut |r, i| {
            match i {
                0 => q.day = r.u64()?,
                _ => q.calls = r.u32()?,
            }
            Some(())
        })?;
        Some(q)
    }
}

impl ToJson for Quota {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("day", &self.day);
            w.field("calls", &self.calls);
        });
    }
}

impl FromJson for Application {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let fields = [
            "keyId",
            "name",
            "description",
            "access",
            "secretHash",
            "createdAt",
            "secretSetAt",
            "callCount",
            "callCountDay",
            "lastCallAt",
        ];
        let (mut key_id, mut texts, mut access) = (
            None,
            [String::new(), String::new(), String::new()],
            Access::Full,
        );
        let (mut times, mut call_count, mut last_call_at) = ([0u64; 3], 0, None);
        r.fields(&fields, false, 0, 1 << 9, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                1 | 2 => texts[i - 1] = r.string()?,
                3 => access = Access::read(r)?,
                4 => texts[2] = r.string()?,
                5 | 6 => times[i - 5] = r.u64()?,
                7 => call_count = r.u32()?,
                8 => times[2] = r.u64()?,
                _ => last_call_at = r.option_u64()?,
            }
            Some(())
        })?;
        let [name, description, secret_hash] = texts;
        Some(Application {
            key_id: key_id?,
            name,
            description,
            access,
            secret_hash,
            created_at: times[0],
            secret_set_at: times[1],
            call_count,
            call_count_day: times[2],
            last_call_at,
        })
    }
}

impl ToJson for Application {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("keyId", &self.key_id);
            w.field("name", &self.name);
            w.field("description", &self.description);
            w.field("access", &self.access);
            w.field("secretHash", &self.secret_hash);
            w.field("createdAt", &self.created_at);
            w.field("secretSetAt", &self.secret_set_at);
            w.field("callCount", &self.call_count);
            w.field("callCountDay", &self.call_count_day);
            w.field("lastCallAt", &self.last_call_at);
        });
    }
}

impl FromJson for Lease {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut id, mut key_id, mut times) = (String::new(), None, [0u64; 2]);
        let fields = ["id", "keyId", "expiresAt", "admittedAt"];
        r.fields(&fields, false, 1 << 3, 0, &mut |r, i| {
            match i {
                0 => id = r.string()?,
                1 => key_id = Some(KeyId::read(r)?),
                _ => times[i - 2] = r.u64()?,
            }
            Some(())
        })?;
        Some(Lease {
            id,
            key_id: key_id?,
            expires_at: times[0],
            admitted_at: times[1],
        })
    }
}

impl ToJson for Lease {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("id", &self.id);
            w.field("keyId", &self.key_id);
            w.field("expiresAt", &self.expires_at);
            w.field("admittedAt", &self.admitted_at);
        });
    }
}

/// Other keys are skipped (a worker's record may carry its own).
impl FromJson for KeyRecord {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut key_id, mut secret_hash, mut access) = (None, String::new(), Access::Full);
        let fields = ["keyId", "secretHash", "access"];
        r.fields(&fields, true, 1 << 2, 0, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                1 => secret_hash = r.string()?,
                _ => access = Access::read(r)?,
            }
            Some(())
        })?;
        Some(KeyRecord {
            key_id: key_id?,
            secret_hash,
            access,
        })
    }
}

impl ToJson for KeyView {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("name", &self.name);
            w.field("description", &self.description);
            w.field("keyId", &self.key_id);
            w.field("access", &self.access);
            w.field("callCount", &self.call_count);
            w.field("callCountResetsAt", &self.call_count_resets_at);
            w.field("lastCallAt", &self.last_call_at);
            w.field("createdAt", &self.created_at);
            w.field("secretSetAt", &self.secret_set_at);
            w.field("activeConnections", &self.active_connections);
        });
    }
}

impl ToJson for KeyList {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("callsToday", &self.calls_today);
            w.field("remainingToday", &self.remaining_today);
            w.field("dailyLimit", &self.daily_limit);
            w.field("resetsAt", &self.resets_at);
            w.field("applicationLimit", &self.application_limit);
            w.field("connectionLimit", &self.connection_limit);
            w.field("keys", &self.keys);
        });
    }
}

// Issue 12: the history, the audit trail and `usage`'s answer.

const KEY_HISTORY_FIELDS: [&str; 5] = ["keyId", "calls", "readOnly", "dailyLimit", "concurrency"];

/// The series are `#[serde(default)]`, and left out when empty.
impl FromJson for KeyHistory {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut key_id, mut series) = (None, <[Vec<u32>; 4]>::default());
        r.fields(&KEY_HISTORY_FIELDS, false, 0b11110, 0, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                _ => *series.get_mut(i - 1)? = r.vec(Reader::u32)?,
            }
            Some(())
        })?;
        let [calls, read_only, daily_limit, concurrency] = series;
        Some(KeyHistory {
            key_id: key_id?,
            calls,
            read_only,
            daily_limit,
            concurrency,
        })
    }
}

impl ToJson for KeyHistory {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(KEY_HISTORY_FIELDS[0], &self.key_id);
            for (name, s) in KEY_HISTORY_FIELDS[1..].iter().zip(self.series()) {
                w.list_field(name, s);
            }
        });
    }
}

/// `deleted` and `keys` are `#[serde(default)]`, and left out when empty.
impl FromJson for History {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut h = History::default();
        r.fields(&["day", "deleted", "keys"], false, 0b110, 0, &mut |r, i| {
            match i {
                0 => h.day = r.u64()?,
                1 => h.deleted = r.vec(Reader::u32)?,
                _ => h.keys = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(h)
    }
}

impl ToJson for History {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("day", &self.day);
            w.list_field("deleted", &self.deleted);
            if !self.keys.is_empty() {
                w.field("keys", &self.keys);
            }
        });
    }
}

/// A whole number or a string (serde_json's `deserialize_any`: a negative
/// or fractional number, `null`, a boolean, an array or an object is refused).
impl FromJson for Value {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        if r.peek()? == b'"' {
            r.string().map(Value::Text)
        } else {
            r.u64().map(Value::Number)
        }
    }
}

impl ToJson for Value {
    fn write(&self, w: &mut Writer) {
        match self {
            Value::Number(n) => w.u64(*n),
            Value::Text(t) => w.string(t),
        }
    }
}

/// `from` and `to` are `Option`s without `#[serde(default)]`: absent from an
/// object, not from an array; left out when `None`.
impl FromJson for Change {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut c = Change::default();
        r.fields(&["from", "to"], false, 0, 0b11, &mut |r, i| {
            let value = FromJson::read(r)?;
            match i {
                0 => c.from = value,
                _ => c.to = value,
            }
            Some(())
        })?;
        Some(c)
    }
}

impl ToJson for Change {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.some_field("from", &self.from);
            w.some_field("to", &self.to);
        });
    }
}

/// Every field `#[serde(default)]`, left out when `None`.
impl FromJson for Changes {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut c = Changes::default();
        r.fields(&CHANGE_FIELDS, false, u32::MAX, 0, &mut |r, i| {
            let value = FromJson::read(r)?;
            **c.slots_mut().get_mut(i)? = value;
            Some(())
        })?;
        Some(c)
    }
}

impl ToJson for Changes {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            for (name, c) in CHANGE_FIELDS.iter().zip(self.slots()) {
                w.some_field(name, c);
            }
        });
    }
}

const ROLES: [&str; 2] = ["admin", "user"];

impl FromJson for Role {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&ROLES)? {
            0 => Role::Admin,
            _ => Role::User,
        })
    }
}

impl ToJson for Role {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

/// `id` is `#[serde(default)]`, left out when `None`. (`fields` refuses a
/// required field's absence: the placeholders of those never stay.)
impl FromJson for Who {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut who = Who {
            role: Role::User,
            id: None,
        };
        r.fields(&["role", "id"], false, 0b10, 0, &mut |r, i| {
            match i {
                0 => who.role = Role::read(r)?,
                _ => who.id = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(who)
    }
}

impl ToJson for Who {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("role", &self.role);
            w.some_field("id", &self.id);
        });
    }
}

const ACTIONS: [&str; 5] = [
    "key.created",
    "secret.reset",
    "key.deleted",
    "key.updated",
    "limits.changed",
];

impl FromJson for Action {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&ACTIONS)? {
            0 => Action::KeyCreated,
            1 => Action::SecretReset,
            2 => Action::KeyDeleted,
            3 => Action::KeyUpdated,
            _ => Action::LimitsChanged,
        })
    }
}

impl ToJson for Action {
    fn write(&self, w: &mut Writer) {
        w.string(ACTIONS.get(*self as usize).copied().unwrap_or_default());
    }
}

const EVENT_FIELDS: [&str; 6] = ["at", "actor", "action", "keyId", "name", "changes"];

/// `keyId`, `name` and `changes` are `#[serde(default)]`, left out when `None`.
impl FromJson for Event {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        // (Placeholders for the required fields, as in `Who`.)
        let mut e = Event {
            at: 0,
            actor: Who {
                role: Role::User,
                id: None,
            },
            action: Action::KeyCreated,
            key_id: None,
            name: None,
            changes: None,
        };
        r.fields(&EVENT_FIELDS, false, 0b111000, 0, &mut |r, i| {
            match i {
                0 => e.at = r.u64()?,
                1 => e.actor = Who::read(r)?,
                2 => e.action = Action::read(r)?,
                3 => e.key_id = FromJson::read(r)?,
                4 => e.name = FromJson::read(r)?,
                _ => e.changes = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(e)
    }
}

impl ToJson for Event {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(EVENT_FIELDS[0], &self.at);
            w.field(EVENT_FIELDS[1], &self.actor);
            w.field(EVENT_FIELDS[2], &self.action);
            w.some_field(EVENT_FIELDS[3], &self.key_id);
            w.some_field(EVENT_FIELDS[4], &self.name);
            w.some_field(EVENT_FIELDS[5], &self.changes);
        });
    }
}

/// `#[serde(transparent)]`: the list of events.
impl FromJson for AuditLog {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(AuditLog {
            events: FromJson::read(r)?,
        })
    }
}

impl ToJson for AuditLog {
    fn write(&self, w: &mut Writer) {
        self.events.write(w);
    }
}

impl ToJson for DayCounts {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("READ_ONLY_KEY", &self.read_only);
            w.field("DAILY_LIMIT_EXCEEDED", &self.daily_limit);
            w.field("CONCURRENCY_LIMIT_EXCEEDED", &self.concurrency);
        });
    }
}

impl ToJson for KeyUsage {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("keyId", &self.key_id);
            w.field("name", &self.name);
            w.field("calls", &self.calls);
            w.field("refused", &self.refused);
        });
    }
}

impl ToJson for UsageDay {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("start", &self.start);
            w.field("end", &self.end);
            w.field("total", &self.total);
            w.field("keys", &self.keys);
            w.field("deletedCalls", &self.deleted_calls);
        });
    }
}

impl ToJson for Usage {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("dailyLimit", &self.daily_limit);
            w.field("days", &self.days);
        });
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
