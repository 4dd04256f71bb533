//! The least a package could ship that verifies argon2id PHC strings and
//! makes secrets: one export that base64-decodes and verifies, one that makes
//! random bytes. Not a product (no checks beyond what the size needs): it
//! only measures what argon2, base64, getrandom and wasm-bindgen weigh.
use argon2::{Algorithm, Argon2, Params, Version};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use wasm_bindgen::prelude::*;

/// Verifies `secret` against `$argon2id$v=19$m=..,t=..,p=..$salt$hash`.
#[wasm_bindgen]
pub fn verify(secret: &str, phc: &str) -> bool {
    let parts: Vec<&str> = phc.split('$').collect();
    if parts.len() != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
        return false;
    }
    let (mut m, mut t, mut p) = (0u32, 0u32, 0u32);
    for kv in parts[3].split(',') {
        let (k, v) = kv.split_once('=').unwrap_or(("", ""));
        let Ok(v) = v.parse() else { return false };
        match k {
            "m" => m = v,
            "t" => t = v,
            "p" => p = v,
            _ => return false,
        }
    }
    let (Ok(salt), Ok(hash)) = (
        STANDARD_NO_PAD.decode(parts[4]),
        STANDARD_NO_PAD.decode(parts[5]),
    ) else {
        return false;
    };
    let Ok(params) = Params::new(m, t, p, Some(hash.len())) else {
        return false;
    };
    let mut out = vec![0u8; hash.len()];
    if Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret.as_bytes(), &salt, &mut out)
        .is_err()
    {
        return false;
    }
    out.iter().zip(&hash).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

/// `n` bytes from the platform CSPRNG (`crypto.getRandomValues`).
#[wasm_bindgen(js_name = randomBytes)]
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    getrandom::getrandom(&mut out).expect("getrandom");
    out
}
