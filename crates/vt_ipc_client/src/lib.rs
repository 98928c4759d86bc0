//! A blocking client for vt's runner-aware tool IPC.
//!
//! Tools call into it synchronously from JavaScript (`getEnv` must return a value right away), so every call
//! writes one request frame and blocks until the matching answer arrives or the answer timeout expires. There
//! is no event loop and no background thread: the socket is used only while a call is in progress.

mod error;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use vt_ipc_protocol::{
    decode_payload, encode_frame, read_frame, ClientHello, EncodeError, HelloReply, NativePath,
    Outcome, ReadFrameError, Request, RequestKind, Response, PROTOCOL_VERSION,
};

pub use error::ClientError;
/// The query of [`Client::get_envs`].
pub use vt_ipc_protocol::EnvQuery;

/// How long a call waits for the server before giving up (ipc.md §6).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(unix)]
type Stream = std::os::unix::net::UnixStream;

/// One connection to vt's IPC server, past the handshake.
pub struct Client {
    stream: Stream,
    next_id: u64,
}

impl Client {
    /// Connects to the socket at `address` and performs the handshake. `answer_timeout` bounds every wait
    /// for the server, the handshake included.
    #[cfg(unix)]
    pub fn connect(address: &Path, answer_timeout: Duration) -> Result<Self, ClientError> {
        let stream = Stream::connect(address)?;
        stream.set_read_timeout(Some(answer_timeout))?;
        stream.set_write_timeout(Some(answer_timeout))?;
        let mut client = Self { stream, next_id: 1 };
        client.handshake()?;
        Ok(client)
    }

    /// Named-pipe transport is not implemented: on these platforms `load()` fails and tools see no runner.
    #[cfg(not(unix))]
    pub fn connect(_address: &Path, _answer_timeout: Duration) -> Result<Self, ClientError> {
        Err(ClientError::Io(io::Error::new(
            io::ErrorKind::Unsupported,
            "the vt IPC client supports Unix domain sockets only",
        )))
    }

    fn handshake(&mut self) -> Result<(), ClientError> {
        self.send(&ClientHello {
            v: PROTOCOL_VERSION,
            pid: std::process::id(),
        })?;
        match self.receive::<HelloReply>()? {
            HelloReply::Accepted { v } if v == PROTOCOL_VERSION => Ok(()),
            HelloReply::Accepted { v } => Err(ClientError::Protocol(format!(
                "server answered the handshake with protocol version {v}"
            ))),
            HelloReply::Rejected { error } => Err(ClientError::Rejected(error)),
        }
    }

    /// Asks vt not to treat reads at or under `path` (absolute) as inputs.
    pub fn ignore_input(&mut self, path: &Path) -> Result<(), ClientError> {
        self.expect_ack(RequestKind::IgnoreInput {
            path: NativePath::from_path(path),
        })
    }

    /// Asks vt not to treat writes at or under `path` (absolute) as outputs.
    pub fn ignore_output(&mut self, path: &Path) -> Result<(), ClientError> {
        self.expect_ack(RequestKind::IgnoreOutput {
            path: NativePath::from_path(path),
        })
    }

    /// Asks vt not to store this run.
    pub fn disable_cache(&mut self) -> Result<(), ClientError> {
        self.expect_ack(RequestKind::DisableCache {})
    }

    /// The value of `name` in the task's context env, `None` when unset.
    pub fn get_env(&mut self, name: &str, tracked: bool) -> Result<Option<String>, ClientError> {
        match self.call(RequestKind::GetEnv {
            name: name.to_owned(),
            tracked,
        })? {
            Outcome::Value(value) => Ok(value),
            other => Err(unexpected("getEnv", &other)),
        }
    }

    /// All context-env variables selected by `query`, sorted by name.
    pub fn get_envs(
        &mut self,
        query: EnvQuery,
        tracked: bool,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        match self.call(RequestKind::GetEnvs { query, tracked })? {
            Outcome::Entries(entries) => Ok(entries),
            other => Err(unexpected("getEnvs", &other)),
        }
    }

    fn expect_ack(&mut self, kind: RequestKind) -> Result<(), ClientError> {
        let name = kind_name(&kind);
        match self.call(kind)? {
            Outcome::Ack => Ok(()),
            other => Err(unexpected(name, &other)),
        }
    }

    /// Sends one request and waits for its answer. Answers come back in order, so the next frame must carry
    /// this request's id; anything else means the stream is out of step.
    fn call(&mut self, kind: RequestKind) -> Result<Outcome, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&Request { id, kind })?;
        let response: Response = self.receive()?;
        if response.id != id {
            return Err(ClientError::Protocol(format!(
                "expected the answer to request {id}, got one for request {}",
                response.id
            )));
        }
        match response.outcome {
            Outcome::Failed(error) => Err(ClientError::Rejected(error)),
            outcome => Ok(outcome),
        }
    }

    fn send<T: serde_like::Serialize>(&mut self, message: &T) -> Result<(), ClientError> {
        let frame = encode_frame(message).map_err(|err| match err {
            too_large @ EncodeError::TooLarge { .. } => {
                ClientError::Unsendable(too_large.to_string())
            }
            other => ClientError::Protocol(other.to_string()),
        })?;
        self.stream.write_all(&frame)?;
        Ok(())
    }

    fn receive<T: serde_like::DeserializeOwned>(&mut self) -> Result<T, ClientError> {
        let payload = read_frame(&mut self.stream).map_err(|err| match err {
            ReadFrameError::Io(err) => ClientError::Io(err),
            too_large @ ReadFrameError::TooLarge { .. } => {
                ClientError::Protocol(too_large.to_string())
            }
        })?;
        decode_payload(&payload).map_err(|err| ClientError::Protocol(err.to_string()))
    }
}

/// serde's traits, reached through the protocol crate so this crate does not pin its own serde.
mod serde_like {
    pub use vt_ipc_protocol::serde::de::DeserializeOwned;
    pub use vt_ipc_protocol::serde::Serialize;
}

fn kind_name(kind: &RequestKind) -> &'static str {
    match kind {
        RequestKind::IgnoreInput { .. } => "ignoreInput",
        RequestKind::IgnoreOutput { .. } => "ignoreOutput",
        RequestKind::DisableCache {} => "disableCache",
        RequestKind::GetEnv { .. } => "getEnv",
        RequestKind::GetEnvs { .. } => "getEnvs",
    }
}

fn unexpected(request: &str, outcome: &Outcome) -> ClientError {
    ClientError::Protocol(format!("unexpected answer shape to {request}: {outcome:?}"))
}

impl From<io::Error> for ClientError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}
