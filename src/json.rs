//! JSON in and out, for the few shapes the package exchanges: the account
//! state, limits, hash profiles, key records and `release`'s options.
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
//! package's structs have theirs in `json/shapes.rs`, each listing its fields
//! in declaration order, as the derives do (a field added to a struct must be
//! added there too: the oracle tests compare with the derives and fail until
//! it is).

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

mod shapes;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
