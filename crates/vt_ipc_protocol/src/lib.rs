//! The wire protocol between vt (the server, written in TypeScript) and the tools running inside a task
//! (through the Node addon in `vt_node_client`).
//!
//! Every message is one [frame](frame): a 4-byte little-endian payload length followed by that many bytes of
//! MessagePack, encoded as maps with named fields. The shapes live in [`message`]; the exact bytes are pinned
//! by the shared vectors in `fixtures/ipc-protocol-vectors/`, which the TypeScript server checks too.

pub mod frame;
pub mod message;
pub mod native_path;

pub use frame::{
    decode_payload, encode_frame, read_frame, DecodeError, EncodeError, ReadFrameError,
};
pub use message::{ClientHello, EnvQuery, HelloReply, Outcome, Request, RequestKind, Response};
pub use native_path::NativePath;
/// Re-exported so dependents use the same serde as the message types.
pub use serde;

/// Protocol version sent in the handshake. Bumped on any incompatible change of the messages below.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest payload either side accepts (1 MiB). A frame announcing more is a protocol error: the receiver
/// cannot resynchronise the stream, so it drops the connection instead of buffering unbounded data.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// Bytes of the length prefix in front of every payload.
pub const HEADER_LEN: usize = 4;
