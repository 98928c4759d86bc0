//! The Node addon behind `VP_RUN_NODE_CLIENT_PATH`.
//!
//! The published wrapper `@voidzero-dev/vite-task-client` loads this file with CommonJS `require`, calls
//! [`load`] once and then calls the [`RunnerClient`] methods synchronously, passing the tool's arguments
//! through unchanged (ipc.md §3). So this module validates JavaScript arguments itself (`TypeError`, nothing
//! sent), resolves relative paths against the process cwd, and turns every transport failure into a
//! permanent no-op: tools call these methods without try/catch, and a vanished vt must not break them.

mod args;
mod connection;
mod process_env;

use std::path::Path;

use napi::bindgen_prelude::{Either, Undefined};
use napi::{Env, Error, JsObject, JsUnknown, Result};
use napi_derive::napi;
use vt_ipc_client::{Client, ANSWER_TIMEOUT};

use crate::connection::Connection;

/// Environment variable holding the socket address (ipc.md §2).
const IPC_NAME_VAR: &str = "VP_RUN_IPC_NAME";

/// Connects to the vt IPC server named by `process.env.VP_RUN_IPC_NAME` and performs the handshake.
///
/// `options` is reserved for negotiating a different client shape later; it is ignored today, whatever it is.
/// Throws when the variable is unset or the connection or handshake fails; the wrapper then treats the tool
/// as running outside vt.
#[napi]
pub fn load(env: Env, _options: Option<JsUnknown>) -> Result<RunnerClient> {
    let Some(address) = process_env::read(env, IPC_NAME_VAR)? else {
        return Err(Error::from_reason(format!(
            "{IPC_NAME_VAR} is not set: not running inside vt"
        )));
    };
    let client = Client::connect(Path::new(&address), ANSWER_TIMEOUT)
        .map_err(|err| Error::from_reason(format!("cannot connect to vt at {address}: {err}")))?;
    Ok(RunnerClient {
        connection: Connection::Live(client),
    })
}

/// One process's (or worker thread's) connection to vt. Every method blocks until vt has answered.
#[napi]
pub struct RunnerClient {
    connection: Connection,
}

#[napi]
impl RunnerClient {
    /// Reads at or under `path` are not inputs of this run.
    #[napi]
    pub fn ignore_input(&mut self, env: Env, path: JsUnknown) -> Result<()> {
        let path = args::path(env, "ignoreInput", path)?;
        self.connection
            .call(|client| client.ignore_input(&path))
            .map(drop)
    }

    /// Writes at or under `path` are not outputs of this run.
    #[napi]
    pub fn ignore_output(&mut self, env: Env, path: JsUnknown) -> Result<()> {
        let path = args::path(env, "ignoreOutput", path)?;
        self.connection
            .call(|client| client.ignore_output(&path))
            .map(drop)
    }

    /// This run must not be stored.
    #[napi]
    pub fn disable_cache(&mut self) -> Result<()> {
        self.connection.call(Client::disable_cache).map(drop)
    }

    /// The variable's value in the task's context env, or `undefined` (never `null`: callers assign the
    /// result to `process.env`, where `null` would turn into the string "null").
    #[napi(
        ts_args_type = "name: string, options?: { tracked?: boolean }",
        ts_return_type = "string | undefined"
    )]
    pub fn get_env(
        &mut self,
        env: Env,
        name: JsUnknown,
        options: Option<JsUnknown>,
    ) -> Result<Either<String, Undefined>> {
        let name = args::string(env, "getEnv", "name", name)?;
        let tracked = args::tracked(env, "getEnv", options)?;
        let value = self
            .connection
            .call(|client| client.get_env(&name, tracked))?
            .flatten();
        Ok(value.map_or(Either::B(()), Either::A))
    }

    /// The matching variables as a plain object with keys in sorted order; `{}` outside a working runner.
    #[napi(
        ts_args_type = "query: string | { prefix: string }, options?: { tracked?: boolean }",
        ts_return_type = "Record<string, string>"
    )]
    pub fn get_envs(
        &mut self,
        env: Env,
        query: JsUnknown,
        options: Option<JsUnknown>,
    ) -> Result<JsObject> {
        let query = args::query(env, query)?;
        let tracked = args::tracked(env, "getEnvs", options)?;
        let entries = self
            .connection
            .call(|client| client.get_envs(query, tracked))?
            .unwrap_or_default();
        let mut object = env.create_object()?;
        for (name, value) in entries {
            object.set_named_property(&name, env.create_string(&value)?)?;
        }
        Ok(object)
    }
}
