//! Framing: `u32` little-endian payload length, then the MessagePack payload.
//!
//! Framing is separate from message decoding on purpose: a reader must be able to skip or reject a payload
//! (oversize, not MessagePack) without understanding it, and the error kinds differ in what the peer can do
//! next — after an oversize header the stream is unusable, after a bad payload the framing is still intact.

use std::fmt;
use std::io::{self, Read};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{HEADER_LEN, MAX_PAYLOAD};

/// Why a message could not be turned into a frame.
#[derive(Debug)]
pub enum EncodeError {
    /// The serializer rejected the value (cannot happen for the crate's own message types).
    Serialize(rmp_serde::encode::Error),
    /// The encoded payload exceeds [`MAX_PAYLOAD`]; the peer would reject it.
    TooLarge { len: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serialize(err) => write!(f, "cannot encode message: {err}"),
            Self::TooLarge { len } => {
                write!(
                    f,
                    "message of {len} bytes exceeds the {MAX_PAYLOAD}-byte frame limit"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// Encodes `message` as MessagePack with named map keys and prefixes it with its length.
pub fn encode_frame<T: Serialize + ?Sized>(message: &T) -> Result<Vec<u8>, EncodeError> {
    let mut frame = vec![0u8; HEADER_LEN];
    rmp_serde::encode::write_named(&mut frame, message).map_err(EncodeError::Serialize)?;
    let len = frame.len() - HEADER_LEN;
    if len > MAX_PAYLOAD {
        return Err(EncodeError::TooLarge { len });
    }
    // `len <= MAX_PAYLOAD` fits in a u32.
    frame[..HEADER_LEN].copy_from_slice(&(len as u32).to_le_bytes());
    Ok(frame)
}

/// Why no frame could be read.
#[derive(Debug)]
pub enum ReadFrameError {
    /// The stream failed or ended (including in the middle of a frame) or timed out.
    Io(io::Error),
    /// The header announced more than [`MAX_PAYLOAD`] bytes; the rest of the stream cannot be trusted.
    TooLarge { len: u32 },
}

impl fmt::Display for ReadFrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "cannot read frame: {err}"),
            Self::TooLarge { len } => {
                write!(
                    f,
                    "frame of {len} bytes exceeds the {MAX_PAYLOAD}-byte limit"
                )
            }
        }
    }
}

impl std::error::Error for ReadFrameError {}

impl From<io::Error> for ReadFrameError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// Reads one frame and returns its payload. Blocks according to the reader's own timeouts.
pub fn read_frame<R: Read + ?Sized>(reader: &mut R) -> Result<Vec<u8>, ReadFrameError> {
    let mut header = [0u8; HEADER_LEN];
    reader.read_exact(&mut header)?;
    let len = u32::from_le_bytes(header);
    if len as usize > MAX_PAYLOAD {
        return Err(ReadFrameError::TooLarge { len });
    }
    let mut payload = vec![0u8; len as usize];
    reader.read_exact(&mut payload)?;
    Ok(payload)
}

/// A payload that is not exactly one MessagePack value of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a whole payload. Trailing bytes after the first value are an error, so both ends agree on what a
/// frame means (the TypeScript decoder rejects them as well).
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, DecodeError> {
    let mut deserializer = rmp_serde::Deserializer::new(payload);
    let value = T::deserialize(&mut deserializer).map_err(|err| DecodeError(err.to_string()))?;
    let rest = deserializer.into_inner();
    if !rest.is_empty() {
        return Err(DecodeError(format!(
            "{} unexpected bytes after the message",
            rest.len()
        )));
    }
    Ok(value)
}
