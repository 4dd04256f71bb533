//! The reader and writer against the code they replaced: serde_json with the
//! serde derives, which stay in the crate (and serde_json a dev-dependency)
//! to be this oracle. The same texts must be accepted, the same values read
//! and the same text written.
//!
//! The texts are valid values written by serde_json, then rendered again with
//! random changes: structs as arrays (too short, too long), keys reordered,
//! repeated, dropped, added (with deep values) or escaped, whitespace (and
//! characters that are not), strings with `\u` escapes, surrogate pairs and
//! lone halves, raw control characters, numbers as floats, negative, with
//! leading zeros or too large, the access level as `{"full":null}`, trailing
//! commas, truncation and one-byte edits.

use serde::de::DeserializeOwned;

use super::*;
use crate::access::Access;
use crate::account::Account;
use crate::actor::Actor;
use crate::application::{Application, KeyUpdate, NewKey};
use crate::audit::{Action, AuditLog, Changes, Event, Value};
use crate::credentials::encode_basic;
use crate::error::Error;
use crate::hashing::Profile;
use crate::history::History;
use crate::lease::Lease;
use crate::limits::{Limits, LimitsPatch};
use crate::pipeline::KeyRecord;
use crate::quota::Quota;
use crate::window::DAY_MS;

/// A JSON tree that keeps the order of keys (serde_json's `Value` sorts them).
#[derive(Clone, Debug)]
enum J {
    Lit(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// Reads the compact, well-formed JSON that serde_json writes.
fn tree(text: &str) -> J {
    fn read(b: &[u8], i: &mut usize) -> J {
        match b[*i] {
            b'"' => {
                let mut r = Reader::new(std::str::from_utf8(&b[*i..]).unwrap());
                let s = r.string().unwrap();
                *i += r.at;
                J::Str(s)
            }
            b'[' => {
                *i += 1;
                let mut items = Vec::new();
                while b[*i] != b']' {
                    if b[*i] == b',' {
                        *i += 1;
                    }
                    items.push(read(b, i));
                }
                *i += 1;
                J::Arr(items)
            }
            b'{' => {
                *i += 1;
                let mut entries = Vec::new();
                while b[*i] != b'}' {
                    if b[*i] == b',' {
                        *i += 1;
                    }
                    let J::Str(k) = read(b, i) else {
                        unreachable!()
                    };
                    *i += 1; // ':'
                    entries.push((k, read(b, i)));
                }
                *i += 1;
                J::Obj(entries)
            }
            _ => {
                let from = *i;
                while *i < b.len() && !b",]}".contains(&b[*i]) {
                    *i += 1;
                }
                J::Lit(String::from_utf8(b[from..*i].to_vec()).unwrap())
            }
        }
    }
    read(text.as_bytes(), &mut 0)
}

/// xorshift64*: the tests are reproducible, and each failure prints its
/// text. Half the texts (`bad`) get changes that may make them invalid; the
/// other half only changes that keep them valid, so that most of those are
/// read (and their values compared).
struct Rng(u64, bool);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// `chance` for a change that may make the text invalid.
    fn harm(&mut self, percent: u64) -> bool {
        self.1 && self.chance(percent)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn space(r: &mut Rng, out: &mut String) {
    if r.chance(8) {
        out.push_str(r.pick(&[" ", "\n", "\t", "\r", "  \n "]));
    }
    if r.harm(2) {
        out.push_str(r.pick(&["\u{c}", "\u{a0}", "\u{0}"]));
    }
}

fn string(s: &str, r: &mut Rng, out: &mut String) {
    out.push('"');
    let escapy = r.chance(20);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 && !r.harm(5) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c if escapy && r.chance(30) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            '/' if r.chance(50) => out.push_str("\\/"),
            c => out.push(c),
        }
    }
    if r.harm(3) {
        out.push_str(r.pick(&[
            "\\ud800",
            "\\udc00",
            "\\ud83d\\ude00",
            "\\ud83d",
            "\\ud83dx",
            "\\ud83d\\u0041",
            "\\x",
            "\\u12",
            "\\u00e9",
            "\\b\\f\\n\\r\\t",
            "\u{1}",
            "\u{7f}",
            "é",
        ]));
    }
    out.push('"');
}

fn number(n: &str, r: &mut Rng, out: &mut String) {
    if n.bytes().all(|b| b.is_ascii_digit()) && r.harm(6) {
        let v = r.pick(&[
            "{}.0",
            "{}e0",
            "{}E+1",
            "-{}",
            "0{}",
            "{}0000000000000000000",
            "{}.",
            "-0",
            "1e400",
            "18446744073709551615",
            "18446744073709551616",
            "4294967295",
            "4294967296",
            "0.5",
            "{}x",
        ]);
        out.push_str(&v.replace("{}", n));
    } else {
        out.push_str(n);
    }
}

/// A value that no field of ours takes, for unknown keys and array tails.
fn junk(r: &mut Rng, out: &mut String, depth: usize) {
    match r.below(if depth > 40 { 6 } else { 9 }) {
        0 => out.push_str("null"),
        1 => out.push_str(r.pick(&["true", "false", "tru", "nul"])),
        2 => out.push_str(r.pick(&["0", "-1", "1.5e300", "-0.0", "1e999", "01", "1.", "2E-3"])),
        3 | 4 => string(r.pick(&["x", "", "full", "a\"b", "é\u{1F600}"]), r, out),
        5 => out.push_str(r.pick(&["\"\\ud800\"", "\"\\u00\"", "\"\u{2}\""])),
        6 => {
            out.push('[');
            for i in 0..r.below(3) {
                if i > 0 {
                    out.push(',');
                }
                junk(r, out, depth + 1);
            }
            out.push(']');
        }
        7 => {
            // Deep nesting: serde_json skips an unknown value at any depth.
            let d = r.below(200);
            out.push_str(&"[".repeat(d));
            out.push_str(&"]".repeat(d));
        }
        _ => {
            out.push('{');
            for i in 0..r.below(3) {
                if i > 0 {
                    out.push(',');
                }
                string(r.pick(&["k", "m", "\u{0}"]), r, out);
                out.push(':');
                junk(r, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn render(v: &J, r: &mut Rng, out: &mut String) {
    space(r, out);
    match v {
        J::Lit(n) => number(n, r, out),
        J::Str(s) if (s == "full" || s == "read-only") && r.chance(10) => {
            out.push('{');
            space(r, out);
            string(s, r, out);
            space(r, out);
            out.push(':');
            if r.harm(30) {
                out.push_str(r.pick(&["1", "{}", "nul", ""]));
            } else {
                out.push_str(r.pick(&["null", " null "]));
            }
            if r.harm(10) {
                out.push_str(",\"full\":null");
            }
            out.push('}');
        }
        J::Str(s) => string(s, r, out),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render(item, r, out);
            }
            if r.harm(3) {
                out.push(',');
            }
            space(r, out);
            out.push(']');
        }
        J::Obj(entries) if r.chance(12) => {
            // A struct as an array of its values, in field order.
            let keep = if r.harm(30) {
                r.below(entries.len() + 1)
            } else {
                entries.len()
            };
            let mut items: Vec<J> = entries[..keep].iter().map(|(_, v)| v.clone()).collect();
            if r.harm(10) {
                items.push(J::Lit("null".into()));
            }
            render(&J::Arr(items), r, out);
        }
        J::Obj(entries) => {
            let mut entries = entries.clone();
            if r.chance(20) {
                for i in (1..entries.len()).rev() {
                    entries.swap(i, r.below(i + 1));
                }
            }
            if !entries.is_empty() && r.harm(5) {
                entries.remove(r.below(entries.len()));
            }
            if !entries.is_empty() && r.harm(4) {
                let e = entries[r.below(entries.len())].clone();
                entries.insert(r.below(entries.len() + 1), e);
            }
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    space(r, out);
                }
                if r.harm(3) {
                    string(&k.to_uppercase(), r, out);
                } else {
                    string(k, r, out);
                }
                space(r, out);
                out.push(':');
                render(v, r, out);
            }
            if r.harm(6) {
                if !entries.is_empty() {
                    out.push(',');
                }
                string(r.pick(&["extra", "keyId", "version", ""]), r, out);
                out.push(':');
                junk(r, out, 0);
            }
            if r.harm(2) {
                out.push(',');
            }
            out.push('}');
        }
    }
    space(r, out);
}

/// One rendering of `v`, sometimes with a one-byte edit or cut short.
fn text_of(v: &J, r: &mut Rng) -> String {
    r.1 = r.chance(50);
    let mut out = String::new();
    render(v, r, &mut out);
    if r.harm(4) {
        let cut = r.below(out.len() + 1);
        if out.is_char_boundary(cut) {
            out.truncate(cut);
        }
    } else if r.harm(4) {
        let at = r.below(out.len() + 1);
        if out.is_char_boundary(at) {
            let c = r.pick(&["\"", ",", ":", "[", "]", "{", "}", "0", "-", "n", "\\", " "]);
            out.insert_str(at, c);
        }
    } else if r.harm(2) {
        out.push_str(r.pick(&[" x", "{}", "\n\n", "0"]));
    }
    out
}

/// Our reader and serde_json's agree on `text`.
fn agree<T: FromJson + DeserializeOwned + PartialEq + core::fmt::Debug>(text: &str) -> bool {
    let ours = T::from_json(text);
    let theirs = serde_json::from_str::<T>(text).ok();
    assert_eq!(ours, theirs, "{text:?}");
    ours.is_some()
}

/// Accounts with keys, calls, leases and other limits.
fn accounts() -> Vec<Account> {
    let mut out = vec![Account::default()];
    for (i, names) in [
        &["Salesforce Integration"][..],
        &["a", "B \"quoted\" \\ ok", "é\u{1F600} x/\u{2028}"][..],
        &["one", "two"][..],
    ]
    .iter()
    .enumerate()
    {
        let limits = Limits {
            daily_calls: 2 + i as u32,
            realm: ["apikeys", "r/x", "a b!"][i].to_owned(),
            hash_profile: Profile {
                memory_kib: 8,
                iterations: 1,
                parallelism: 1,
            },
            ..Limits::default()
        };
        let mut a = Account::new(limits).unwrap();
        let now = 1_700_000_000_000 + i as u64 * 3_600_000;
        let mut headers = Vec::new();
        for (j, name) in names.iter().enumerate() {
            let new = NewKey {
                name: (*name).to_owned(),
                description: if j == 1 {
                    "line\nnext\ttab".into()
                } else {
                    String::new()
                },
                read_only: j == 2,
            };
            let (issued, _) = a.create_key(admin(i), new, now).unwrap();
            let header = encode_basic(issued.key_id.as_str(), issued.secret.expose()).unwrap();
            for k in 0..=j {
                a.authorize(&header, "GET", now + k as u64);
            }
            // History: refusals after the secret verified.
            a.authorize(&header, "POST", now + 10);
            headers.push(header);
        }
        // And later windows, with gaps.
        for (d, header) in headers.iter().enumerate() {
            a.authorize(header, "GET", now + (2 * d as u64 + 1) * DAY_MS);
        }
        let now = now + 6 * DAY_MS;
        // The audit trail: edits, limits, a deletion (its calls stay as
        // deleted keys' calls).
        if i > 0 {
            let id = a.applications()[0].key_id.as_str().to_owned();
            let update = KeyUpdate {
                name: Some("renamed \"x\" é".into()),
                description: Some("d".into()),
                read_only: Some(true),
            };
            a.update_key(admin(i), &id, update, now + 30).unwrap();
            let patch = LimitsPatch {
                daily_calls: Some(5),
                lease_ttl_ms: Some(1_000),
                realm: Some("changed".into()),
                hash_profile: Some(Profile {
                    memory_kib: 16,
                    iterations: 1,
                    parallelism: 1,
                }),
                ..LimitsPatch::default()
            };
            a.set_limits(admin(i), patch, now + 40).unwrap();
            let last = a.applications().last().unwrap().key_id.as_str().to_owned();
            a.reset_secret(admin(i), &last, now + 45).unwrap();
            a.delete_key(admin(i), &last, now + 50).unwrap();
        }
        out.push(a);
    }
    out
}

/// An admin, named or not (IDs with characters JSON escapes are refused).
fn admin(i: usize) -> Actor {
    match i {
        0 => Actor::Admin,
        1 => Actor::Admin.with_id("alice@example.com").unwrap(),
        _ => Actor::Admin.with_id("josé/\u{1F600} x").unwrap(),
    }
}

#[test]
fn the_state_reads_as_serde_json_read_it() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15, false);
    let mut accepted = 0;
    for a in accounts() {
        let canonical = serde_json::to_string(&a).unwrap();
        let tree = tree(&canonical);
        assert!(agree::<Account>(&canonical));
        // (More than the 1,500 texts that sufficed before history and audit:
        // their left-out fields make more array renderings invalid.)
        for _ in 0..2200 {
            accepted += usize::from(agree::<Account>(&text_of(&tree, &mut r)));
        }
        // Each part on its own as well.
        let J::Obj(parts) = &tree else { unreachable!() };
        for (key, part) in parts {
            let items = match part {
                J::Arr(items) => items.clone(),
                other => vec![other.clone()],
            };
            for item in &items {
                for _ in 0..300 {
                    let text = text_of(item, &mut r);
                    match key.as_str() {
                        "limits" => agree::<Limits>(&text),
                        "quota" => agree::<Quota>(&text),
                        "keys" => agree::<Application>(&text),
                        "leases" => agree::<Lease>(&text),
                        "history" => agree::<History>(&text),
                        "audit" => agree::<Event>(&text),
                        _ => agree::<u64>(&text),
                    };
                }
            }
        }
    }
    // The history and the audit trail (version 2) are more text for a
    // mutation to break: fewer whole states survive one.
    assert!(accepted > 1500, "too few accepted: {accepted}");
}

#[test]
fn key_records_profiles_and_limit_patches_read_as_serde_json_read_them() {
    let mut r = Rng(42, false);
    for a in accounts().iter().skip(1) {
        for k in a.applications() {
            let record = format!(
                r#"{{"keyId":"{}","secretHash":"{}","access":"{}","extra":[1,{{"x":null}}]}}"#,
                k.key_id.as_str(),
                k.secret_hash,
                k.access.as_str()
            );
            let tree = tree(&record);
            for _ in 0..800 {
                agree::<KeyRecord>(&text_of(&tree, &mut r));
            }
        }
    }
    let patch = tree(
        r#"{"dailyCalls":10,"maxApplications":null,"maxConnections":2,"quotaResetOffsetMs":0,"callCountResetOffsetMs":5,"leaseTtlMs":null,"realm":"x","hashProfile":{"memoryKiB":64,"iterations":1,"parallelism":1}}"#,
    );
    let profile = tree(r#"{"memoryKiB":19456,"iterations":2,"parallelism":1}"#);
    for _ in 0..3000 {
        agree::<LimitsPatch>(&text_of(&patch, &mut r));
        agree::<Profile>(&text_of(&profile, &mut r));
        agree::<Option<bool>>(&text_of(&J::Lit("true".into()), &mut r));
        agree::<Access>(&text_of(&J::Str("read-only".into()), &mut r));
    }
}

/// Hand-picked corners, each once.
#[test]
fn corners_read_as_serde_json_read_them() {
    for text in [
        "",
        " ",
        "null",
        "{}",
        "[]",
        "1",
        "\"x\"",
        "{\"x\":1}",
        r#"{"memoryKiB":64,"iterations":1,"parallelism":1}"#,
        r#"[64,1,1]"#,
        r#"[64,1]"#,
        r#"[64,1,1,1]"#,
        r#"[64,1,1,]"#,
        r#"[,64,1,1]"#,
        r#" [ 64 , 1 , 1 ] "#,
        r#"{"memoryKiB":64,"iterations":1,"parallelism":1,}"#,
        r#"{,"memoryKiB":64,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":64,"iterations":1,"parallelism":1,"memoryKiB":64}"#,
        r#"{"memoryKiB":64 "iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB"64,"iterations":1,"parallelism":1}"#,
        r#"{"memory\u004BiB":64,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":64,"iterations":1,"parallelism":1}x"#,
        r#"{"memoryKiB":64,"iterations":1,"parallelism":1} {}"#,
        r#"{"memoryKiB":4294967295,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":4294967296,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":-0,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":0,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":00,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":6.4e1,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":64.0,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":64e0,"iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":"64","iterations":1,"parallelism":1}"#,
        r#"{"memoryKiB":null,"iterations":1,"parallelism":1}"#,
    ] {
        agree::<Profile>(text);
    }
    for text in [
        "null", "true", "false", " true ", "tru", "truex", "True", "1", "\"true\"", "nul", "null x",
    ] {
        agree::<Option<bool>>(text);
        agree::<Option<u64>>(text);
    }
    for text in [
        "\"full\"",
        "\"read-only\"",
        "\"Full\"",
        "{\"full\":null}",
        "{ \"read-only\" : null }",
        "{\"full\":null,}",
        "{\"full\":1}",
        "{\"full\"}",
        "{}",
        "[\"full\"]",
        "\"f\\u0075ll\"",
        "{\"full\":null,\"read-only\":null}",
        "{\"full\":nul}",
        "{\"full\":null",
        "{\"full\"",
        "{\"full\":null]",
        "[\"full\",]",
        "[]",
        "{,}",
    ] {
        agree::<Access>(text);
    }
    let u64s = [
        "0",
        "1",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999",
        "-1",
        "-0",
        "01",
        "1e2",
        "1E2",
        "1.5",
        "1.",
        ".5",
        "+1",
        " 7 ",
        "7 7",
        "0x1",
        "",
    ];
    for text in u64s {
        agree::<u64>(text);
        agree::<u32>(text);
    }
    for text in [
        r#""""#,
        r#""a\"b""#,
        r#""\/\b\f\n\r\t""#,
        r#""\u0000""#,
        r#""\uD83D\uDE00""#,
        r#""\ud83d\ude00""#,
        r#""\uD83D""#,
        r#""\uDE00""#,
        r#""\uD83D\u0041""#,
        r#""\uD83Dx""#,
        r#""\uD83D\""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\x""#,
        "\"a\u{1}b\"",
        "\"a\u{7f}b\"",
        "\"é😀\"",
        "\"unterminated",
        "\"a\"b",
    ] {
        agree::<String>(text);
    }
    // Unknown fields of a key record are skipped as serde_json skips them.
    let id = "PFK-0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    let hash = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR2YWx1ZQ$zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc";
    for extra in [
        "1",
        "-1",
        "1.5",
        "1e5",
        "1E+5",
        "1e-5",
        "-",
        "1.",
        "1e",
        "01",
        "-01",
        ".1",
        "\"\\ud800\"",
        "\"\\u00\"",
        "\"\\q\"",
        "\"\u{1}\"",
        "[]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:1}",
        "{\"a\":1 \"b\":2}",
        "[[[[[[[[]]]]]]]]",
        "[[[[[[[]]]]]]",
        "nul",
        "true",
        "[{\"a\":[{\"b\":[]}]}]",
        "[\"]\"]",
        "{\"}\":\"{\"}",
    ] {
        agree::<KeyRecord>(&format!(
            r#"{{"keyId":"{id}","x":{extra},"secretHash":"{hash}"}}"#
        ));
        agree::<KeyRecord>(&format!(
            r#"{{"keyId":"{id}","secretHash":"{hash}","x":{extra}}}"#
        ));
    }
    // Fields that may be absent, and those that may not.
    let app = format!(
        r#""keyId":"{id}","name":"n","description":"","access":"full","secretHash":"{hash}","createdAt":1,"secretSetAt":2,"callCount":0,"callCountDay":0"#
    );
    agree::<Application>(&format!("{{{app}}}"));
    agree::<Application>(&format!("{{{app},\"lastCallAt\":null}}"));
    agree::<Application>(&format!("{{{app},\"lastCallAt\":5}}"));
    agree::<Application>(&format!("{{{}}}", app.replace(",\"callCount\":0", "")));
    agree::<Application>(&format!(
        "[\"{id}\",\"n\",\"\",\"full\",\"{hash}\",1,2,0,0]"
    ));
    agree::<Application>(&format!(
        "[\"{id}\",\"n\",\"\",\"full\",\"{hash}\",1,2,0,0,null]"
    ));
    for text in [
        format!(r#"{{"id":"lease-1","keyId":"{id}","expiresAt":5}}"#),
        format!(r#"{{"id":"lease-1","keyId":"{id}","expiresAt":5,"admittedAt":3}}"#),
        format!(r#"{{"id":"lease-1","keyId":"{id}"}}"#),
        format!(r#"["lease-1","{id}",5]"#),
        format!(r#"["lease-1","{id}"]"#),
        format!(r#"["lease-1","{id}",5,3]"#),
        format!(r#"["lease-1","{id}",5,3,1]"#),
    ] {
        agree::<Lease>(&text);
    }
    agree::<KeyRecord>(&format!(r#"{{"keyId":"{id}","secretHash":"{hash}"}}"#));
    agree::<KeyRecord>(&format!(r#"{{"keyId":"{id}"}}"#));
    for text in [
        "{}",
        "[]",
        "{\"realm\":\"x\"}",
        "[1]",
        "[1,2,3,4,5,6,\"r\"]",
        "[1,2,3,4,5,6,\"r\",{\"memoryKiB\":8,\"iterations\":1,\"parallelism\":1}]",
        "[1,2,3,4,5,6,\"r\",[8,1,1]]",
        "[1,2,3,4,5,6,\"r\",[8,1,1],9]",
        "{\"dailyCalls\":null}",
        "{\"hashProfile\":null}",
        "{\"hashProfile\":[8,1,1]}",
        "[null,null,null,null,null,null,null,null]",
        "[null,null,null,null,null,null,null]",
    ] {
        agree::<Limits>(text);
        agree::<LimitsPatch>(text);
    }
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    agree::<KeyRecord>(&format!(
        r#"{{"keyId":"{id}","x":{deep},"secretHash":"{hash}"}}"#
    ));
    agree::<KeyRecord>(&format!(r#"["{id}","{hash}"]"#));
    agree::<KeyRecord>(&format!(r#"["{id}","{hash}","full","x"]"#));
    agree::<KeyRecord>(&format!(r#"["{id}"]"#));
}

#[test]
fn the_writer_writes_what_serde_json_wrote() {
    let mut r = Rng(7, false);
    for a in accounts() {
        assert_eq!(a.to_json(), serde_json::to_string(&a).unwrap());
        let list = a.list_keys(Actor::Admin, 1_700_000_100_000).unwrap();
        assert_eq!(list.to_json(), serde_json::to_string(&list).unwrap());
        let later = 1_700_000_000_000 + 7 * DAY_MS;
        for days in [1, 9, 90] {
            let usage = a.usage(Actor::Admin, days, later).unwrap();
            let text = serde_json::to_string(&usage).unwrap();
            assert_eq!(usage.to_json(), text);
            // The JS binding's path, written without building the rows.
            let view = a.usage_view(Actor::Admin, days, later).unwrap();
            assert_eq!(view.to_json(), text);
        }
        let events = a.audit_log(Actor::Admin, later).unwrap();
        let json = crate::audit::Events(events).to_json();
        assert_eq!(json, serde_json::to_string(&events).unwrap());
    }
    for _ in 0..500 {
        let tail = r.pick(&["", "\u{1F600}", "\u{2028}", "\\", "\""]);
        let mut realm: String = (0..r.below(12))
            .map(|_| char::from_u32(r.below(0x180) as u32).unwrap_or('x'))
            .collect();
        realm.push_str(tail);
        let limits = Limits {
            daily_calls: r.next() as u32,
            quota_reset_offset_ms: r.next(),
            realm,
            ..Limits::default()
        };
        assert_eq!(limits.to_json(), serde_json::to_string(&limits).unwrap());
    }
    assert_eq!(u64::MAX.to_json(), "18446744073709551615");
    assert_eq!(0u64.to_json(), "0");
}

#[test]
fn a_state_the_reader_refuses_is_invalid_state() {
    assert_eq!(Account::from_json("[]"), Err(Error::InvalidState));
}

/// The version-1 states of tests/fixtures, rendered as in the other tests.
#[test]
fn version_1_states_read_as_serde_json_read_them() {
    let mut r = Rng(1, false);
    let mut accepted = 0;
    for fixture in [
        include_str!("../../tests/fixtures/state-v1.json"),
        include_str!("../../tests/fixtures/state-v1-leases-admitted.json"),
    ] {
        assert!(agree::<Account>(fixture));
        let value: serde_json::Value = serde_json::from_str(fixture).unwrap();
        let tree = tree(&serde_json::to_string(&value).unwrap());
        for _ in 0..1000 {
            accepted += usize::from(agree::<Account>(&text_of(&tree, &mut r)));
        }
    }
    // (serde_json's Value sorts the keys: the array renderings are refused.)
    assert!(accepted > 300, "too few accepted: {accepted}");
}

/// Hand-picked corners of the history and the audit trail, each once.
#[test]
fn history_and_audit_corners_read_as_serde_json_read_them() {
    let id = "PFK-0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    for text in [
        "{\"day\":1}".to_owned(),
        "{\"day\":1,\"deleted\":[],\"keys\":[]}".into(),
        "{\"day\":1,\"deleted\":null}".into(),
        "{\"day\":1,\"deleted\":[-1]}".into(),
        "{\"day\":1,\"deleted\":[4294967295,0]}".into(),
        "{\"day\":1,\"deleted\":[4294967296]}".into(),
        "{\"day\":1,\"deleted\":[1.0]}".into(),
        "{\"deleted\":[1]}".into(),
        "{\"day\":1,\"other\":[]}".into(),
        "{\"day\":1,\"day\":1}".into(),
        "[1]".into(),
        "[1,[2]]".into(),
        "[1,[2],[],3]".into(),
        "[]".into(),
        format!("{{\"day\":1,\"keys\":[{{\"keyId\":\"{id}\"}}]}}"),
        format!(
            "{{\"day\":1,\"keys\":[{{\"keyId\":\"{id}\",\"calls\":[1,0,2],\"readOnly\":[0,1]}}]}}"
        ),
        format!("{{\"day\":1,\"keys\":[[\"{id}\",[1],[],[2],[3]]]}}"),
        format!("{{\"day\":1,\"keys\":[[\"{id}\",[1],[],[2],[3],[4]]]}}"),
        format!("{{\"day\":1,\"keys\":[[\"{id}\"]]}}"),
        format!("{{\"day\":1,\"keys\":[{{\"keyId\":\"{id}\",\"calls\":[1],\"x\":1}}]}}"),
        "{\"day\":1,\"keys\":[{\"keyId\":\"PFK-x\"}]}".into(),
        "{\"day\":1,\"keys\":[{\"calls\":[1]}]}".into(),
    ] {
        agree::<History>(&text);
    }
    for text in [
        "1",
        "0",
        "-1",
        "-0",
        "1.5",
        "1e3",
        "18446744073709551615",
        "18446744073709551616",
        "\"\"",
        "\"m=1,t=1,p=1\"",
        "\"\\ud800\"",
        "null",
        "true",
        "[]",
        "{}",
        "[1]",
    ] {
        agree::<Value>(text);
    }
    for text in [
        "{}",
        "{\"from\":1,\"to\":2}",
        "{\"to\":\"full\"}",
        "{\"from\":null,\"to\":null}",
        "{\"from\":1,\"from\":1}",
        "{\"from\":1,\"x\":1}",
        "{\"from\":-1}",
        "{\"from\":true}",
        "{\"from\":[1]}",
        "[]",
        "[1]",
        "[1,2]",
        "[1,null]",
        "[1,2,3]",
    ] {
        // (A change's values, under a field of the changes.)
        agree::<Changes>(&format!("{{\"dailyCalls\":{text}}}"));
        agree::<Changes>(&format!("{{\"name\":{{}},\"access\":{text}}}"));
    }
    for text in [
        "{}",
        "{\"name\":{}}",
        "{\"name\":null}",
        "{\"NAME\":{}}",
        "{\"name\":{},\"name\":{}}",
        "{\"hashProfile\":{\"from\":\"m=8,t=1,p=1\",\"to\":\"m=16,t=1,p=1\"}}",
        "{\"dailyCalls\":{\"from\":1,\"to\":2},\"realm\":{}}",
        "{\"other\":{}}",
        "[]",
        "[{}]",
        "[null,null,null,null,null,null,null,null,null,null,null]",
        "[null,null,null,null,null,null,null,null,null,null,null,null]",
        "{\"access\":{\"from\":\"full\"},\"name\":{}}",
        "{\"realm\":{},\"hashProfile\":{},\"realm\":{}}",
        "{\"name\":{},\"access\":{},\"description\":{},\"leaseTtlMs\":{\"to\":5}}",
        "{\"name\":[],\"description\":[1,2]}",
        "{\"name\":null}",
        "{\"\\u006eame\":{}}",
        "{\"name\":{}",
        "{\"name\":{},}",
    ] {
        agree::<Changes>(text);
    }
    for text in [
        "{\"role\":\"admin\"}",
        "{\"role\":\"user\",\"id\":\"x\"}",
        "{\"role\":\"admin\",\"id\":null}",
        "{\"role\":\"Admin\"}",
        "{\"role\":{\"admin\":null}}",
        "{\"role\":{\"admin\":1}}",
        "{\"role\":\"admin\",\"x\":1}",
        "{\"id\":\"x\"}",
        "[\"admin\"]",
        "[\"admin\",\"x\"]",
        "[\"admin\",null]",
        "[\"admin\",\"x\",1]",
        "[]",
        "{\"role\":\"admin\",\"id\":\" a\"}",
        "{\"role\":\"admin\",\"id\":\"a \"}",
        "{\"role\":\"admin\",\"id\":\"\"}",
        "{\"role\":\"admin\",\"id\":\"a\\\"b\"}",
        "{\"role\":\"admin\",\"id\":\"a\\\\b\"}",
        "{\"role\":\"admin\",\"id\":\"tab\\t\"}",
        "{\"role\":\"admin\",\"id\":\"jos\\u00e9\"}",
        "{\"role\":\"root\"}",
    ] {
        agree::<Actor>(text);
    }
    for n in [64, 65] {
        agree::<Actor>(&format!(
            "{{\"role\":\"admin\",\"id\":\"{}\"}}",
            "a".repeat(n)
        ));
    }
    for text in [
        "\"key.created\"",
        "\"limits.changed\"",
        "\"key.exploded\"",
        "\"KEY.CREATED\"",
        "{\"secret.reset\":null}",
        "{\"secret.reset\":null,\"key.deleted\":null}",
        "[\"key.created\"]",
        "1",
    ] {
        agree::<Action>(text);
        agree::<Actor>(&format!(
            "{{\"role\":{}}}",
            text.replace("key.created", "admin")
        ));
    }
    let events = [
        "{\"at\":1,\"actor\":{\"role\":\"admin\"},\"action\":\"limits.changed\"}".to_owned(),
        "{\"at\":1,\"actor\":{\"role\":\"admin\"}}".into(),
        "{\"at\":1,\"action\":\"limits.changed\"}".into(),
        "{\"at\":1,\"actor\":{\"role\":\"admin\"},\"action\":\"key.exploded\"}".into(),
        "{\"at\":1,\"actor\":{\"role\":\"admin\",\"hash\":\"x\"},\"action\":\"limits.changed\"}".into(),
        format!("{{\"at\":1,\"actor\":{{\"role\":\"admin\",\"id\":\"a\"}},\"action\":\"key.updated\",\"keyId\":\"{id}\",\"name\":\"n\",\"changes\":{{\"access\":{{\"from\":\"full\",\"to\":\"read-only\"}}}}}}"),
        format!("{{\"at\":1,\"actor\":{{\"role\":\"admin\"}},\"action\":\"key.deleted\",\"keyId\":\"{id}\",\"name\":null,\"changes\":null}}"),
        format!("[1,{{\"role\":\"admin\"}},\"key.deleted\",\"{id}\",\"n\"]"),
        format!("[1,[\"admin\"],\"key.deleted\",\"{id}\",\"n\",null]"),
        format!("[1,[\"admin\"],\"key.deleted\",\"{id}\",\"n\",null,1]"),
        "[1,{\"role\":\"admin\"},\"limits.changed\"]".into(),
        "[1,{\"role\":\"admin\"}]".into(),
    ];
    for text in &events {
        agree::<Event>(text);
        agree::<AuditLog>(&format!("[{text}]"));
    }
    agree::<AuditLog>("[]");
    agree::<AuditLog>("{}");
    agree::<AuditLog>("null");
}
