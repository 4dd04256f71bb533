//! The binding layer as JS sees it: errors are `Error` objects named
//! `ApiKeyError` with a stable `code`, and results have the contract's shape.
//! Runs under wasm only (`wasm-pack test --node` and `--headless --chrome`).
#![cfg(target_arch = "wasm32")]

use apikeys::js::{self, JsAccount};
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test as test;

const T0_MS: f64 = 1_767_225_600_000.0;

fn t0() -> JsValue {
    JsValue::from_f64(T0_MS)
}

fn js_str(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

fn code_of(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "a JS Error");
    assert_eq!(
        get(&err, "name").as_string().as_deref(),
        Some("ApiKeyError")
    );
    get(&err, "code").as_string().unwrap()
}

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn admin() -> JsValue {
    obj(r#"{"role":"admin"}"#)
}

#[test]
fn free_functions_round_trip() {
    let h = js::encode_basic(&js_str("Aladdin"), &js_str("open sesame")).unwrap();
    assert_eq!(h, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    let c: JsValue = js::parse_basic(JsValue::from_str(&h).unchecked_ref())
        .unwrap()
        .into();
    assert_eq!(get(&c, "keyId").as_string().as_deref(), Some("Aladdin"));
    assert_eq!(
        get(&c, "secret").as_string().as_deref(),
        Some("open sesame")
    );
    let id = js::generate_key_id().unwrap();
    assert!(js::is_key_id(&JsValue::from_str(&id)));
    assert!(!js::is_key_id(&JsValue::from_f64(1.0)));
    let s = js::generate_secret().unwrap();
    assert!(js::is_secret(&JsValue::from_str(&s)));
    let phc = js::hash_secret(&js_str(&s), None).unwrap();
    assert!(js::verify_secret(&js_str(&s), &js_str(&phc)).unwrap());
    assert!(!js::needs_rehash(
        &js_str(&phc),
        Some(JsValue::from_str("default").unchecked_into())
    )
    .unwrap());
    assert!(js::needs_rehash(
        &js_str(&phc),
        Some(JsValue::from_str("strong").unchecked_into())
    )
    .unwrap());
    let custom = obj(r#"{"memoryKiB":128,"iterations":1,"parallelism":1}"#);
    let phc2 = js::hash_secret(&js_str(&s), Some(custom.unchecked_into())).unwrap();
    assert!(phc2.contains("m=128,t=1,p=1"));
}

#[test]
fn free_functions_throw_coded_errors() {
    let code = |r: Result<_, JsValue>| code_of(r.map(|_: JsValue| ()).unwrap_err());
    assert_eq!(
        code(js::parse_basic(JsValue::NULL.unchecked_ref()).map(Into::into)),
        "MISSING_CREDENTIALS"
    );
    assert_eq!(
        code(js::parse_basic(JsValue::from_str("Bearer x").unchecked_ref()).map(Into::into)),
        "UNSUPPORTED_SCHEME"
    );
    assert_eq!(
        code(js::parse_basic(JsValue::from_str("Basic !!").unchecked_ref()).map(Into::into)),
        "MALFORMED_CREDENTIALS"
    );
    assert_eq!(
        code(js::encode_basic(&js_str("a:b"), &js_str("x")).map(Into::into)),
        "INVALID_USER_ID"
    );
    assert_eq!(
        code(js::verify_secret(&js_str("x"), &js_str("nope")).map(Into::into)),
        "MALFORMED_HASH"
    );
    assert_eq!(
        code(
            js::hash_secret(
                &js_str("x"),
                Some(JsValue::from_str("weak").unchecked_into())
            )
            .map(Into::into)
        ),
        "INVALID_PROFILE"
    );
    let bad = obj(r#"{"memoryKiB":1,"iterations":1,"parallelism":1}"#);
    assert_eq!(
        code(js::hash_secret(&js_str("x"), Some(bad.unchecked_into())).map(Into::into)),
        "INVALID_PROFILE"
    );
}

#[test]
fn account_class_follows_the_contract() {
    let mut a = JsAccount::new(None).unwrap();
    let input = obj(r#"{"name":"Salesforce Integration","description":"sync","readOnly":true}"#);
    let created: JsValue = a
        .create_key(admin().unchecked_ref(), input.unchecked_ref(), &t0())
        .unwrap()
        .into();
    let keys = Object::keys(created.unchecked_ref::<Object>());
    let names: Vec<String> = keys.iter().filter_map(|k| k.as_string()).collect();
    assert_eq!(
        names,
        [
            "keyId",
            "secret",
            "name",
            "description",
            "access",
            "createdAt"
        ]
    );
    assert_eq!(
        get(&created, "access").as_string().as_deref(),
        Some("read-only")
    );
    let id = get(&created, "keyId").as_string().unwrap();
    let secret = get(&created, "secret").as_string().unwrap();
    let header = js::encode_basic(&js_str(&id), &js_str(&secret)).unwrap();

    let d: JsValue = a
        .authorize(
            JsValue::from_str(&header).unchecked_ref(),
            &"GET".into(),
            &t0(),
        )
        .into();
    assert_eq!(get(&d, "ok").as_bool(), Some(true));
    assert_eq!(get(&d, "status").as_f64(), Some(200.0));
    assert_eq!(get(&d, "code").as_string().as_deref(), Some("OK"));
    assert_eq!(get(&d, "remainingToday").as_f64(), Some(2499.0));
    let lease = get(&d, "leaseId");
    assert!(lease.is_string());
    let headers = get(&d, "headers");
    assert!(get(&headers, "RateLimit").is_string());
    assert!(a.release(&lease, &t0(), None).unwrap());

    let post: JsValue = a
        .authorize(
            JsValue::from_str(&header).unchecked_ref(),
            &"POST".into(),
            &t0(),
        )
        .into();
    assert_eq!(
        get(&post, "code").as_string().as_deref(),
        Some("READ_ONLY_KEY")
    );
    let none: JsValue = a
        .authorize(JsValue::NULL.unchecked_ref(), &"GET".into(), &t0())
        .into();
    assert_eq!(get(&none, "status").as_f64(), Some(401.0));
    assert!(get(&get(&none, "headers"), "WWW-Authenticate").is_string());
    let nan: JsValue = a
        .authorize(
            JsValue::from_str(&header).unchecked_ref(),
            &"GET".into(),
            &JsValue::from_f64(f64::NAN),
        )
        .into();
    assert_eq!(
        get(&nan, "code").as_string().as_deref(),
        Some("INVALID_TIME")
    );

    let list: JsValue = a.list_keys(admin().unchecked_ref(), &t0()).unwrap().into();
    assert_eq!(get(&list, "callsToday").as_f64(), Some(1.0));
    let row = js_sys::Array::from(&get(&list, "keys")).get(0);
    assert_eq!(get(&row, "callCount").as_f64(), Some(1.0));
    assert!(get(&row, "lastCallAt").as_f64().is_some());

    let user = obj(r#"{"role":"user"}"#);
    let e = a
        .list_keys(user.unchecked_ref(), &t0())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(code_of(e), "NOT_ADMIN");
    let e = a
        .create_key(
            admin().unchecked_ref(),
            obj(r#"{"name":"  "}"#).unchecked_ref(),
            &t0(),
        )
        .map(|_| ())
        .unwrap_err();
    assert_eq!(code_of(e), "INVALID_NAME");
    let e = a
        .create_key(
            admin().unchecked_ref(),
            obj(r#"{"name":"x","readonly":true}"#).unchecked_ref(),
            &t0(),
        )
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        code_of(e),
        "INVALID_INPUT",
        "a typo'd option is refused, not ignored"
    );

    // toJSON / fromJSON: plain data without the secret, exact round trip.
    let state: JsValue = a.to_json().unwrap().into();
    let text = JSON::stringify(&state).unwrap().as_string().unwrap();
    assert!(!text.contains(&secret[4..]));
    assert!(text.starts_with("{\"version\":2,"));
    let b = JsAccount::from_json(state.unchecked_ref()).unwrap();
    let again = JSON::stringify(&b.to_json().unwrap())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(again, text);
    let c = JsAccount::from_json(JsValue::from_str(&text).unchecked_ref()).unwrap();
    assert!(c.to_json().is_ok());
    for bad in ["[]", "null", "42", r#"{"version":2}"#] {
        let e = JsAccount::from_json(obj(bad).unchecked_ref())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(code_of(e), "INVALID_STATE", "{bad}");
    }

    let reset: JsValue = a
        .reset_secret(admin().unchecked_ref(), &JsValue::from_str(&id), &t0())
        .unwrap()
        .into();
    assert_eq!(get(&reset, "keyId").as_string(), Some(id.clone()));
    let old: JsValue = a
        .authorize(
            JsValue::from_str(&header).unchecked_ref(),
            &"GET".into(),
            &t0(),
        )
        .into();
    assert_eq!(
        get(&old, "code").as_string().as_deref(),
        Some("INVALID_SECRET")
    );
    a.delete_key(admin().unchecked_ref(), &JsValue::from_str(&id), &t0())
        .unwrap();
    let e = a
        .delete_key(admin().unchecked_ref(), &JsValue::from_str(&id), &t0())
        .unwrap_err();
    assert_eq!(code_of(e), "UNKNOWN_KEY");
}

#[test]
fn stateless_verify_from_js() {
    let s = js::generate_secret().unwrap();
    let id = js::generate_key_id().unwrap();
    let phc = js::hash_secret(&js_str(&s), None).unwrap();
    let rec = Object::new();
    Reflect::set(&rec, &"keyId".into(), &JsValue::from_str(&id)).unwrap();
    Reflect::set(&rec, &"secretHash".into(), &JsValue::from_str(&phc)).unwrap();
    Reflect::set(&rec, &"access".into(), &"read-only".into()).unwrap();
    let header = JsValue::from_str(&js::encode_basic(&js_str(&id), &js_str(&s)).unwrap());
    let d: JsValue = js::verify(header.unchecked_ref(), &"GET".into(), rec.unchecked_ref())
        .unwrap()
        .into();
    assert_eq!(get(&d, "ok").as_bool(), Some(true));
    assert!(get(&d, "leaseId").is_undefined());
    assert!(get(&d, "remainingToday").is_undefined());
    let d: JsValue = js::verify(header.unchecked_ref(), &"PUT".into(), rec.unchecked_ref())
        .unwrap()
        .into();
    assert_eq!(
        get(&d, "code").as_string().as_deref(),
        Some("READ_ONLY_KEY")
    );
    let d: JsValue = js::verify(
        header.unchecked_ref(),
        &"GET".into(),
        JsValue::NULL.unchecked_ref(),
    )
    .unwrap()
    .into();
    assert_eq!(get(&d, "code").as_string().as_deref(), Some("UNKNOWN_KEY"));
    let e = js::verify(
        header.unchecked_ref(),
        &"GET".into(),
        obj(r#"{"keyId":1}"#).unchecked_ref(),
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(code_of(e), "INVALID_STATE");
}

#[test]
fn history_audit_and_editing_from_js() {
    let mut a = JsAccount::new(None).unwrap();
    let alice = obj(r#"{"role":"admin","id":"alice"}"#);
    let created: JsValue = a
        .create_key(
            alice.unchecked_ref(),
            obj(r#"{"name":"App"}"#).unchecked_ref(),
            &t0(),
        )
        .unwrap()
        .into();
    let key_id = get(&created, "keyId");
    let edit = obj(r#"{"name":"Renamed","readOnly":true}"#);
    let row: JsValue = a
        .update_key(alice.unchecked_ref(), &key_id, edit.unchecked_ref(), &t0())
        .unwrap()
        .into();
    assert_eq!(get(&row, "name").as_string().as_deref(), Some("Renamed"));
    assert_eq!(
        get(&row, "access").as_string().as_deref(),
        Some("read-only")
    );
    for (input, code) in [
        (r#"{"readonly":true}"#, "INVALID_INPUT"),
        (r#"{"readOnly":null}"#, "INVALID_INPUT"),
        (r#"{"name":null}"#, "INVALID_NAME"),
        (r#"{"description":7}"#, "INVALID_DESCRIPTION"),
        ("[]", "INVALID_INPUT"),
    ] {
        let e = a
            .update_key(
                admin().unchecked_ref(),
                &key_id,
                obj(input).unchecked_ref(),
                &t0(),
            )
            .map(|_| ())
            .unwrap_err();
        assert_eq!(code_of(e), code, "{input}");
    }
    let user = obj(r#"{"role":"user"}"#);
    let e = a
        .update_key(
            user.unchecked_ref(),
            &key_id,
            obj("{}").unchecked_ref(),
            &t0(),
        )
        .map(|_| ())
        .unwrap_err();
    assert_eq!(code_of(e), "NOT_ADMIN");

    let header = js::encode_basic(&key_id, &get(&created, "secret")).unwrap();
    let d: JsValue = a
        .authorize(&js_str(&header).into(), &js_str("POST"), &t0())
        .into();
    assert_eq!(
        get(&d, "code").as_string().as_deref(),
        Some("READ_ONLY_KEY")
    );
    let usage: JsValue = a
        .usage(
            admin().unchecked_ref(),
            Some(obj(r#"{"days":2}"#).unchecked_into()),
            &t0(),
        )
        .unwrap()
        .into();
    let days = js_sys::Array::from(&get(&usage, "days"));
    assert_eq!(days.length(), 2);
    let today = days.get(1);
    assert_eq!(get(&today, "end").as_f64(), Some(T0_MS + 86_400_000.0));
    let key = js_sys::Array::from(&get(&today, "keys")).get(0);
    let refused = get(&key, "refused");
    assert_eq!(get(&refused, "READ_ONLY_KEY").as_f64(), Some(1.0));
    let default: JsValue = a
        .usage(admin().unchecked_ref(), None, &t0())
        .unwrap()
        .into();
    assert_eq!(js_sys::Array::from(&get(&default, "days")).length(), 30);
    for bad in [
        r#"{"days":0}"#,
        r#"{"days":91}"#,
        r#"{"days":2.5}"#,
        r#"{"weeks":1}"#,
        "7",
    ] {
        let e = a
            .usage(
                admin().unchecked_ref(),
                Some(obj(bad).unchecked_into()),
                &t0(),
            )
            .map(|_| ())
            .unwrap_err();
        assert_eq!(code_of(e), "INVALID_INPUT", "{bad}");
    }

    let log: JsValue = a.audit_log(admin().unchecked_ref(), &t0()).unwrap().into();
    let log = js_sys::Array::from(&log);
    assert_eq!(log.length(), 2);
    let newest = log.get(0);
    assert_eq!(
        get(&newest, "action").as_string().as_deref(),
        Some("key.updated")
    );
    let actor = get(&newest, "actor");
    assert_eq!(get(&actor, "id").as_string().as_deref(), Some("alice"));
    let text = JSON::stringify(&newest).unwrap().as_string().unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"at":{},"actor":{{"role":"admin","id":"alice"}},"action":"key.updated","keyId":"{}","name":"Renamed","changes":{{"name":{{"from":"App","to":"Renamed"}},"access":{{"from":"full","to":"read-only"}}}}}}"#,
            T0_MS as u64,
            key_id.as_string().unwrap()
        )
    );
    let e = a
        .audit_log(user.unchecked_ref(), &t0())
        .map(|_| ())
        .unwrap_err();
    assert_eq!(code_of(e), "NOT_ADMIN");
}
