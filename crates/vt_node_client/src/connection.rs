//! The connection state of a [`RunnerClient`](crate::RunnerClient).

use napi::Error;
use vt_ipc_client::{Client, ClientError};

/// Live until the first transport failure, then gone for good: a server that vanished or answered garbage
/// once is not retried, and every later call is a silent no-op (ipc.md §3).
pub enum Connection {
    Live(Client),
    Gone,
}

impl Connection {
    /// Runs one call. `Ok(None)` when there is no live connection (any more), and when vt refused the request
    /// (an invalid glob): tools call these methods without try/catch (ipc.md §3), and vt has already recorded
    /// the refusal, so the run is not stored. The connection stays usable after a refusal. Only a request too
    /// large to send throws: vt never saw it, and a silent no-op could leave an env read untracked.
    pub fn call<T>(
        &mut self,
        call: impl FnOnce(&mut Client) -> Result<T, ClientError>,
    ) -> napi::Result<Option<T>> {
        let Self::Live(client) = self else {
            return Ok(None);
        };
        match call(client) {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.is_transport() => {
                *self = Self::Gone;
                Ok(None)
            }
            Err(ClientError::Rejected(_)) => Ok(None),
            Err(err) => Err(Error::from_reason(err.to_string())),
        }
    }
}
