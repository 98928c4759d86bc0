//! Validation of the JavaScript arguments. Wrong types throw a `TypeError` before anything is sent, because
//! the wrapper passes the tool's arguments through unchecked.

use std::path::PathBuf;

use napi::{Env, Error, JsObject, JsUnknown, Result, Status, ValueType};
use vt_ipc_client::EnvQuery;

/// Throws a `TypeError` and returns the error that tells napi-rs an exception is already pending.
fn type_error(env: Env, message: String) -> Error {
    match env.throw_type_error(&message, None) {
        Ok(()) => Error::from_status(Status::PendingException),
        Err(err) => err,
    }
}

fn type_name(value: &JsUnknown) -> Result<&'static str> {
    Ok(match value.get_type()? {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::Symbol => "symbol",
        ValueType::Object => "object",
        ValueType::Function => "function",
        ValueType::External => "external",
        _ => "unknown",
    })
}

/// A required string argument.
pub fn string(env: Env, method: &str, what: &str, value: JsUnknown) -> Result<String> {
    if value.get_type()? != ValueType::String {
        let got = type_name(&value)?;
        return Err(type_error(
            env,
            format!("{method}: {what} must be a string, got {got}"),
        ));
    }
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

/// A path argument, made absolute against the process's current directory (which is `process.cwd()`).
pub fn path(env: Env, method: &str, value: JsUnknown) -> Result<PathBuf> {
    let text = string(env, method, "path", value)?;
    let path = PathBuf::from(&text);
    if path.is_absolute() {
        return Ok(path);
    }
    let cwd = std::env::current_dir().map_err(|err| {
        Error::from_reason(format!(
            "{method}: cannot resolve relative path '{text}': current directory: {err}"
        ))
    })?;
    Ok(if text.is_empty() { cwd } else { cwd.join(path) })
}

/// `options?.tracked`, which counts as `true` unless it is exactly `false`. `options` may be `undefined`,
/// `null` or an object.
pub fn tracked(env: Env, method: &str, options: Option<JsUnknown>) -> Result<bool> {
    let Some(options) = options else {
        return Ok(true);
    };
    match options.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(true),
        ValueType::Object => {
            // SAFETY: the value was just checked to be an object.
            let object: JsObject = unsafe { options.cast() };
            let tracked: JsUnknown = object.get_named_property("tracked")?;
            let is_false = tracked.get_type()? == ValueType::Boolean
                && !tracked.coerce_to_bool()?.get_value()?;
            Ok(!is_false)
        }
        _ => {
            let got = type_name(&options)?;
            Err(type_error(
                env,
                format!("{method}: options must be an object, got {got}"),
            ))
        }
    }
}

/// A `getEnvs` query: a glob string or `{ prefix: string }`.
pub fn query(env: Env, value: JsUnknown) -> Result<EnvQuery> {
    match value.get_type()? {
        ValueType::String => Ok(EnvQuery::Glob(
            value.coerce_to_string()?.into_utf8()?.into_owned()?,
        )),
        ValueType::Object => {
            // SAFETY: the value was just checked to be an object.
            let object: JsObject = unsafe { value.cast() };
            let prefix: JsUnknown = object.get_named_property("prefix")?;
            Ok(EnvQuery::Prefix(string(
                env,
                "getEnvs",
                "query.prefix",
                prefix,
            )?))
        }
        _ => {
            let got = type_name(&value)?;
            Err(type_error(
                env,
                format!("getEnvs: query must be a glob string or {{ prefix: string }}, got {got}"),
            ))
        }
    }
}
