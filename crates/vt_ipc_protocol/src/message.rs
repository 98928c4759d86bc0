//! Message shapes. Field names and nesting are the wire format (MessagePack maps with string keys), so renaming
//! anything here is a protocol change and must bump [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::NativePath;

/// First frame of every connection, client → server: `{t: "hello", v, pid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename = "hello", try_from = "RawClientHello")]
pub struct ClientHello {
    /// Protocol version the client speaks.
    pub v: u32,
    /// The client's process id, for vt's verbose log.
    pub pid: u32,
}

/// serde writes the `t` tag of a struct but does not check it when reading, so reading goes through this.
#[derive(Deserialize)]
struct RawClientHello {
    t: String,
    v: u32,
    pid: u32,
}

impl TryFrom<RawClientHello> for ClientHello {
    type Error = String;

    fn try_from(raw: RawClientHello) -> Result<Self, String> {
        if raw.t != "hello" {
            return Err(format!("expected a hello, got '{}'", raw.t));
        }
        Ok(Self {
            v: raw.v,
            pid: raw.pid,
        })
    }
}

/// The server's answer to [`ClientHello`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawHelloReply", into = "RawHelloReply")]
pub enum HelloReply {
    /// `{t: "hello", v}`: the server speaks version `v`; requests may follow.
    Accepted { v: u32 },
    /// `{ok: false, error}`: the server refuses (for example an unsupported version) and closes.
    Rejected { error: String },
}

#[derive(Clone, Serialize, Deserialize)]
struct RawHelloReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl TryFrom<RawHelloReply> for HelloReply {
    type Error = String;

    fn try_from(raw: RawHelloReply) -> Result<Self, String> {
        match raw {
            RawHelloReply {
                t: Some(t),
                v: Some(v),
                ok: None,
                error: None,
            } if t == "hello" => Ok(Self::Accepted { v }),
            RawHelloReply {
                t: None,
                v: None,
                ok: Some(false),
                error: Some(error),
            } => Ok(Self::Rejected { error }),
            _ => Err("expected {t: \"hello\", v} or {ok: false, error}".to_owned()),
        }
    }
}

impl From<HelloReply> for RawHelloReply {
    fn from(reply: HelloReply) -> Self {
        match reply {
            HelloReply::Accepted { v } => Self {
                t: Some("hello".to_owned()),
                v: Some(v),
                ok: None,
                error: None,
            },
            HelloReply::Rejected { error } => Self {
                t: None,
                v: None,
                ok: Some(false),
                error: Some(error),
            },
        }
    }
}

/// A request, client → server: `{id, t, …fields of the kind}`. Ids increase per connection so a reply can be
/// matched to its request.
///
/// Decoding is strict about the fields a kind needs (a `getEnvs` must name exactly one of `glob`/`prefix`) and
/// ignores keys it does not know, the same rules the TypeScript server applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRequest")]
pub struct Request {
    pub id: u64,
    #[serde(flatten)]
    pub kind: RequestKind,
}

/// What a request asks for; `t` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "t", rename_all = "camelCase")]
pub enum RequestKind {
    /// Reads at or under the absolute `path` are not inputs.
    IgnoreInput { path: NativePath },
    /// Writes at or under the absolute `path` are not outputs.
    IgnoreOutput { path: NativePath },
    /// Do not store this run.
    DisableCache {},
    /// The value of one variable of the task's context env.
    GetEnv { name: String, tracked: bool },
    /// All variables of the context env matched by `query`.
    GetEnvs {
        #[serde(flatten)]
        query: EnvQuery,
        tracked: bool,
    },
}

/// Which names a `getEnvs` request selects: `glob` or `prefix` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnvQuery {
    /// Names matching an env pattern (`*`, `?`, `[…]`, `{a,b}`; no negation).
    Glob(String),
    /// Names starting with a literal prefix.
    Prefix(String),
}

/// Every key a request may carry; which ones are required depends on `t`.
#[derive(Deserialize)]
struct RawRequest {
    id: u64,
    t: String,
    path: Option<NativePath>,
    name: Option<String>,
    tracked: Option<bool>,
    glob: Option<String>,
    prefix: Option<String>,
}

impl TryFrom<RawRequest> for Request {
    type Error = String;

    fn try_from(raw: RawRequest) -> Result<Self, String> {
        let missing = |field: &str| format!("{} request without `{field}`", raw.t);
        let kind = match raw.t.as_str() {
            "ignoreInput" => RequestKind::IgnoreInput {
                path: raw.path.ok_or_else(|| missing("path"))?,
            },
            "ignoreOutput" => RequestKind::IgnoreOutput {
                path: raw.path.ok_or_else(|| missing("path"))?,
            },
            "disableCache" => RequestKind::DisableCache {},
            "getEnv" => RequestKind::GetEnv {
                name: raw.name.ok_or_else(|| missing("name"))?,
                tracked: raw.tracked.ok_or_else(|| missing("tracked"))?,
            },
            "getEnvs" => {
                let query = match (raw.glob, raw.prefix) {
                    (Some(glob), None) => EnvQuery::Glob(glob),
                    (None, Some(prefix)) => EnvQuery::Prefix(prefix),
                    _ => {
                        return Err(
                            "getEnvs request needs exactly one of `glob` and `prefix`".to_owned()
                        )
                    }
                };
                RequestKind::GetEnvs {
                    query,
                    tracked: raw.tracked.ok_or_else(|| missing("tracked"))?,
                }
            }
            other => return Err(format!("unknown request kind '{other}'")),
        };
        Ok(Self { id: raw.id, kind })
    }
}

/// The answer to the [`Request`] with the same `id`, server → client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawResponse", into = "RawResponse")]
pub struct Response {
    pub id: u64,
    pub outcome: Outcome,
}

/// How a request went. Which success shape comes back depends on the request kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `{id, ok: true}` for `ignoreInput`, `ignoreOutput`, `disableCache`.
    Ack,
    /// `{id, ok: true, value}` for `getEnv`; `nil` when the variable is absent.
    Value(Option<String>),
    /// `{id, ok: true, entries}` for `getEnvs`, keys sorted.
    Entries(BTreeMap<String, String>),
    /// `{id, ok: false, error}`: the server rejected the request.
    Failed(String),
}

#[derive(Clone, Serialize, Deserialize)]
struct RawResponse {
    id: u64,
    ok: bool,
    /// Outer `None`: no `value` key; `Some(None)`: `value: nil`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    value: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entries: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Marks a key as present even when its value is `nil` (serde's default would fold `nil` into "absent").
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl TryFrom<RawResponse> for Response {
    type Error = String;

    fn try_from(raw: RawResponse) -> Result<Self, String> {
        let outcome =
            match raw {
                RawResponse {
                    ok: false,
                    value: None,
                    entries: None,
                    error: Some(error),
                    ..
                } => Outcome::Failed(error),
                RawResponse {
                    ok: true,
                    value: None,
                    entries: None,
                    error: None,
                    ..
                } => Outcome::Ack,
                RawResponse {
                    ok: true,
                    value: Some(value),
                    entries: None,
                    error: None,
                    ..
                } => Outcome::Value(value),
                RawResponse {
                    ok: true,
                    value: None,
                    entries: Some(entries),
                    error: None,
                    ..
                } => Outcome::Entries(entries),
                _ => return Err(
                    "expected ok: true with at most one of value/entries, or ok: false with error"
                        .to_owned(),
                ),
            };
        Ok(Self {
            id: raw.id,
            outcome,
        })
    }
}

impl From<Response> for RawResponse {
    fn from(response: Response) -> Self {
        let mut raw = Self {
            id: response.id,
            ok: true,
            value: None,
            entries: None,
            error: None,
        };
        match response.outcome {
            Outcome::Ack => {}
            Outcome::Value(value) => raw.value = Some(value),
            Outcome::Entries(entries) => raw.entries = Some(entries),
            Outcome::Failed(error) => {
                raw.ok = false;
                raw.error = Some(error);
            }
        }
        raw
    }
}
