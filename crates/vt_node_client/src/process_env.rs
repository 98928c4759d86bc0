//! Reading JavaScript's `process.env` rather than the OS environment.

use napi::{Env, JsObject, JsUnknown, Result, ValueType};

/// `process.env[name]` as seen by the calling JavaScript realm, `None` when absent or empty.
///
/// Worker threads can be started with their own `env`, and the wrapper reads `VP_RUN_NODE_CLIENT_PATH` from
/// `process.env` too; reading the same object keeps both variables consistent.
pub fn read(env: Env, name: &str) -> Result<Option<String>> {
    let process: JsObject = env.get_global()?.get_named_property("process")?;
    let vars: JsObject = process.get_named_property("env")?;
    let value: JsUnknown = vars.get_named_property(name)?;
    if value.get_type()? != ValueType::String {
        return Ok(None);
    }
    let text = value.coerce_to_string()?.into_utf8()?.into_owned()?;
    Ok(if text.is_empty() { None } else { Some(text) })
}
