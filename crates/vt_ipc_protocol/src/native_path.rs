//! Paths as they travel on the wire.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A path as sent over IPC: a MessagePack `str` when it is valid UTF-8, otherwise the raw OS bytes as `bin`.
///
/// Unix paths are arbitrary bytes; forcing them through UTF-8 would make vt record a different path than
/// the one the tool meant, so invalid UTF-8 is carried verbatim instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NativePath {
    Str(String),
    Bin(Vec<u8>),
}

impl NativePath {
    /// The wire form of `path`.
    pub fn from_path(path: &Path) -> Self {
        match path.to_str() {
            Some(text) => Self::Str(text.to_owned()),
            None => Self::Bin(os_bytes(path)),
        }
    }

    /// The path this wire form denotes on this platform.
    pub fn to_path_buf(&self) -> PathBuf {
        match self {
            Self::Str(text) => PathBuf::from(text),
            Self::Bin(bytes) => path_from_bytes(bytes),
        }
    }
}

#[cfg(unix)]
fn os_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(path: &Path) -> Vec<u8> {
    // Non-Unix paths that are not Unicode (unpaired UTF-16 surrogates) have no portable byte form; WTF-8 via
    // the lossy conversion keeps everything else intact.
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

impl Serialize for NativePath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Str(text) => serializer.serialize_str(text),
            Self::Bin(bytes) => serializer.serialize_bytes(bytes),
        }
    }
}

impl<'de> Deserialize<'de> for NativePath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NativePathVisitor)
    }
}

struct NativePathVisitor;

impl<'de> Visitor<'de> for NativePathVisitor {
    type Value = NativePath;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a path as a string or binary")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(NativePath::Str(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(NativePath::Str(text))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        Ok(NativePath::Bin(bytes.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
        Ok(NativePath::Bin(bytes))
    }
}
