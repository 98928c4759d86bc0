//! What can go wrong on a call, split by what the caller should do next.

use std::fmt;
use std::io;

/// A failed call.
#[derive(Debug)]
pub enum ClientError {
    /// The socket failed, was closed, or the answer timeout expired. The connection is unusable.
    Io(io::Error),
    /// The server sent something that does not fit the protocol. The connection is unusable.
    Protocol(String),
    /// The server understood the request and refused it (`ok: false`). The connection stays usable.
    Rejected(String),
    /// The request does not fit in a frame (a name or path over 1 MiB), so nothing was sent. The connection
    /// stays usable.
    Unsendable(String),
}

impl ClientError {
    /// Whether the connection can no longer be used (everything except a refusal).
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Io(_) | Self::Protocol(_))
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "connection to vt failed: {err}"),
            Self::Protocol(message) => write!(f, "vt sent an invalid answer: {message}"),
            Self::Rejected(message) => write!(f, "vt rejected the request: {message}"),
            Self::Unsendable(message) => write!(f, "request not sent: {message}"),
        }
    }
}

impl std::error::Error for ClientError {}
