//! Checks the Rust side of the protocol against the shared vectors in `fixtures/ipc-protocol-vectors/`
//! (the TypeScript server checks the same file in `packages/vt/test/ipc-protocol.test.ts`).

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;
use vt_ipc_protocol::{
    decode_payload, encode_frame, read_frame, ClientHello, HelloReply, ReadFrameError, Request,
    Response, MAX_PAYLOAD, PROTOCOL_VERSION,
};

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ipc-protocol-vectors/vectors.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).expect("vectors.json is JSON")
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// A JSON meaning encoded generically as MessagePack: objects become maps in file order, `{"$bin": hex}`
/// becomes `bin`. Independent of the typed messages, so it can tell whether they decode to the same meaning.
struct Wire<'a>(&'a Value);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.0 {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) if n.is_u64() => serializer.serialize_u64(n.as_u64().unwrap()),
            Value::Number(n) if n.is_i64() => serializer.serialize_i64(n.as_i64().unwrap()),
            Value::Number(n) => serializer.serialize_f64(n.as_f64().unwrap()),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(_) => unreachable!("no arrays in the protocol"),
            Value::Object(map) => {
                if let (1, Some(Value::String(bin))) = (map.len(), map.get("$bin")) {
                    return serializer.serialize_bytes(&hex(bin));
                }
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    out.serialize_entry(key, &Wire(value))?;
                }
                out.end()
            }
        }
    }
}

fn payload_of(frame: &[u8]) -> Vec<u8> {
    read_frame(&mut &frame[..]).expect("frame is readable")
}

/// Decodes `frame` as `T`, re-encodes it, and compares with the vector's bytes and meaning.
fn check_valid<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    name: &str,
    frame: &[u8],
    message: &Value,
) {
    let typed: T = decode_payload(&payload_of(frame)).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(
        encode_frame(&typed).unwrap(),
        frame,
        "{name}: Rust encodes differently"
    );
    let generic = encode_frame(&Wire(message)).unwrap();
    assert_eq!(generic, frame, "{name}: frame and JSON meaning disagree");
    let from_meaning: T = decode_payload(&payload_of(&generic)).unwrap();
    assert_eq!(from_meaning, typed, "{name}");
}

fn decodes_as(kind: &str, payload: &[u8]) -> Result<(), String> {
    fn attempt<T: DeserializeOwned>(payload: &[u8]) -> Result<(), String> {
        decode_payload::<T>(payload)
            .map(drop)
            .map_err(|err| err.to_string())
    }
    match kind {
        "clientHello" => attempt::<ClientHello>(payload),
        "helloReply" => attempt::<HelloReply>(payload),
        "request" => attempt::<Request>(payload),
        "response" => attempt::<Response>(payload),
        other => panic!("unknown vector kind {other}"),
    }
}

#[test]
fn constants_match_the_vectors() {
    let vectors = vectors();
    assert_eq!(vectors["protocolVersion"], u64::from(PROTOCOL_VERSION));
    assert_eq!(vectors["maxPayload"], MAX_PAYLOAD as u64);
}

#[test]
fn valid_vectors_round_trip() {
    let vectors = vectors();
    let valid = vectors["valid"].as_array().unwrap();
    assert!(valid.len() >= 15);
    for vector in valid {
        let name = vector["name"].as_str().unwrap();
        let frame = hex(vector["frame"].as_str().unwrap());
        let message = &vector["message"];
        match vector["kind"].as_str().unwrap() {
            "clientHello" => check_valid::<ClientHello>(name, &frame, message),
            "helloReply" => check_valid::<HelloReply>(name, &frame, message),
            "request" => check_valid::<Request>(name, &frame, message),
            "response" => check_valid::<Response>(name, &frame, message),
            other => panic!("{name}: unknown kind {other}"),
        }
    }
}

#[test]
fn invalid_vectors_are_rejected() {
    let vectors = vectors();
    for vector in vectors["invalid"].as_array().unwrap() {
        let name = vector["name"].as_str().unwrap();
        let frame = hex(vector["frame"].as_str().unwrap());
        match (
            vector["error"].as_str().unwrap(),
            read_frame(&mut &frame[..]),
        ) {
            ("frameTooLarge", Err(ReadFrameError::TooLarge { len })) => {
                assert!(len as usize > MAX_PAYLOAD)
            }
            ("frameTooLarge", other) => panic!("{name}: expected an oversize frame, got {other:?}"),
            (_, Ok(payload)) => {
                let kind = vector["kind"].as_str().unwrap();
                assert!(
                    decodes_as(kind, &payload).is_err(),
                    "{name}: decoded although invalid"
                );
            }
            (_, Err(err)) => panic!("{name}: frame unreadable: {err}"),
        }
    }
}
