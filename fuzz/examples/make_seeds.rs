//! Writes the seed corpora in `fuzz/seeds/<target>/`: real headers, IDs,
//! secrets, PHC strings, state records and authorize scripts. Run from
//! `fuzz/` with `cargo +nightly run --example make_seeds`; the files are
//! committed, so this only needs re-running when the formats change.

use std::fs;
use std::path::Path;

use apikeys::hashing::hash_secret;
use apikeys::{encode_basic, Account, Actor, KeyId, KeyUpdate, Limits, NewKey, Profile, Secret};
use apikeys_fuzz::{known_secret, KNOWN_IDS, TINY};

fn write(target: &str, name: &str, content: &str) {
    let dir = Path::new("seeds").join(target);
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join(name), content).expect("write seed");
}

fn main() {
    let id = KeyId::generate().expect("rng").to_string();
    let secret = Secret::generate().expect("rng").expose().to_owned();
    let basic = encode_basic(&id, &secret).expect("valid");
    let token = basic.trim_start_matches("Basic ");

    // parse_basic: real headers and their near misses.
    for (name, h) in [
        ("rfc7617", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ("pfk", basic.as_str()),
        ("pfk-lowercase-scheme", &format!("basic {token}")),
        ("pfk-tabs", &format!("\tBASIC\t\t{token} ")),
        ("pfk-unpadded", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"),
        ("colon-in-password", "Basic dXNlcjpwYTpzcw=="),
        ("no-colon", "Basic QWxhZGRpbg=="),
        ("bearer", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"),
        ("scheme-only", "Basic"),
        ("empty", ""),
        ("utf8", "Basic dGVzdDoxMjPCow=="),
        ("split-pair", &format!("{id}:{secret}")),
    ] {
        write("parse_basic", name, h);
    }

    // key_id.
    write("key_id", "valid", &id);
    write("key_id", "uppercase", &id.to_uppercase());
    write("key_id", "version1", &id.replacen("-4", "-1", 1));
    write("key_id", "bytes", "0123456789abcdef\x05z");

    // secret.
    write("secret", "valid", &secret);
    write("secret", "known", &known_secret(0));
    let mut typo = secret.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    write("secret", "typo", &String::from_utf8(typo).expect("ASCII"));
    write("secret", "seed-bytes", &"z".repeat(45));

    // phc_verify: `secret \n phc`, real hashes under each profile.
    let tiny = hash_secret(&secret, TINY).expect("hash");
    let default = hash_secret(&secret, Profile::DEFAULT).expect("hash");
    write("phc_verify", "tiny", &format!("{secret}\n{tiny}"));
    write(
        "phc_verify",
        "default-wrong",
        &format!("pfs_wrong\n{default}"),
    );
    write("phc_verify", "strong-params", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    write(
        "phc_verify",
        "argon2i-v16",
        "$argon2i$v=16$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    );
    write(
        "phc_verify",
        "no-version",
        "$argon2d$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    );
    write(
        "phc_verify",
        "huge-m",
        "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    );
    write("phc_verify", "hash-me", "!pfs_whatever");

    // from_json: records whose keys have the fixed known secrets.
    let limits = Limits {
        daily_calls: 5,
        hash_profile: TINY,
        ..Limits::default()
    };
    let t0 = 1_767_225_000_000u64;
    let mut a = Account::new(limits).expect("limits");
    for (i, name) in ["one", "two"].iter().enumerate() {
        let new = NewKey {
            name: (*name).into(),
            description: "seed".into(),
            read_only: i == 1,
        };
        a.create_key(Actor::Admin, new, t0).expect("create");
    }
    write("from_json", "empty", &Account::default().to_json());
    let known = swap_in_known(&a.to_json());
    write("from_json", "known-keys", &known);
    let mut b = Account::from_json(&known).expect("seed state");
    for (k, id) in KNOWN_IDS.iter().enumerate().take(2) {
        let h = encode_basic(id, &known_secret(k)).expect("valid");
        for step in 0..2 {
            let d = b.authorize(&h, "GET", t0 + step * 1000);
            assert!(d.ok(), "{d:?}");
        }
    }
    write("from_json", "known-keys-busy", &b.to_json());
    // Version 2: a refusal in the history, an edit and a deletion in the trail.
    let reader = encode_basic(KNOWN_IDS[1], &known_secret(1)).expect("valid");
    assert_eq!(
        b.authorize(&reader, "POST", t0 + 5000).code(),
        "READ_ONLY_KEY"
    );
    let seeder = Actor::Admin.with_id("seed").expect("actor id");
    let edit = KeyUpdate {
        name: Some("renamed".into()),
        ..KeyUpdate::default()
    };
    b.update_key(seeder, KNOWN_IDS[0], edit, t0 + 6000)
        .expect("edit");
    write("from_json", "known-keys-history", &b.to_json());
    write("from_json", "not-an-object", "[1, null, \"x\"]");

    // authorize: scripts.
    for (name, script) in [
        ("ok", "GET\t0\t{basic0}\n"),
        ("each-key", "GET\t+1\t{basic0}\nGET\t+1\t{basic1}\nPOST\t+1\t{basic1}\nDELETE\t+1\t{basic2}\n"),
        ("manual", "GET\t+0\tBasic {b64:{id0}:{secret0}}\nget\t+0\tbasic   {b64:{id2}:{secret2}}\n"),
        ("wrong-secret", "GET\t+0\tBasic {b64:{id0}:{secret1}}\n"),
        ("reset", "GET\t+0\t{basic0}\n!reset\t+1\t0\nGET\t+1\tBasic {b64:{id0}:{old0}}\nGET\t+1\t{basic0}\n"),
        ("delete-create", "!delete\t+0\t2\nGET\t+1\t{basic2}\n!create\t+1\tnew app\nGET\t+1\t{basic3}\n!create\t+1\tfull\n"),
        ("concurrency", "GET\t+0\t{basic0}\nGET\t+0\t{basic0}\nGET\t+0\t{basic0}\n!release\t+0\t{lease}\nGET\t+0\t{basic0}\n"),
        ("midnight", "GET\t+0\t{basic0}\nGET\t+600000\t{basic0}\nGET\t+1800000\t{basic0}\n!list\t+0\n!json\n"),
        ("garbage", "GET\t+0\tBasic !!!\nGET\t+0\tBearer x\nG E T\t+0\t{basic0}\nGET\t8640000000000001\t{basic0}\nGET\t+0\t\n"),
        ("rfc", "GET\t0\tBasic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n"),
    ] {
        write("authorize", name, script);
    }
    eprintln!("seeds written under fuzz/seeds/");
}

/// Replaces the generated key IDs and hashes with the known IDs and hashes of
/// the known secrets.
fn swap_in_known(json: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    for (i, key) in v["keys"]
        .as_array_mut()
        .expect("keys")
        .iter_mut()
        .enumerate()
    {
        key["keyId"] = KNOWN_IDS[i].into();
        key["secretHash"] = hash_secret(&known_secret(i), TINY).expect("hash").into();
    }
    v.to_string()
}
