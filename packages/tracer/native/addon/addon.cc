/*
 * Node binding: creates trace rings and turns a finished ring into path lists. Tracing itself happens in the
 * launcher, the supervisor process and the shim; nothing here runs while the task does.
 */
#include <napi.h>

#include <stdexcept>

#include "../common/vt_abi.h"
#include "ring_reader.h"

namespace {

Napi::Value CreateRing(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "createRing(path: string, capacity: number)");
  try {
    vt::create_ring(info[0].As<Napi::String>().Utf8Value(), static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()));
  } catch (const std::exception &e) {
    throw Napi::Error::New(env, e.what());
  }
  return env.Undefined();
}

Napi::Value ReadRing(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "readRing(path: string, limit: number)");
  vt::RingSummary s;
  try {
    s = vt::read_ring(info[0].As<Napi::String>().Utf8Value(), static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()));
  } catch (const std::exception &e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("status", Napi::Number::New(env, s.status));
  out.Set("mechanism", Napi::Number::New(env, s.mechanism));
  out.Set("syncWakeUp", Napi::Boolean::New(env, s.sync_wake_up));
  out.Set("notifications", Napi::Number::New(env, static_cast<double>(s.notifications)));
  out.Set("shimEvents", Napi::Number::New(env, static_cast<double>(s.shim_events)));
  out.Set("supervisorCpuMs", Napi::Number::New(env, static_cast<double>(s.supervisor_cpu_us) / 1000.0));
  out.Set("records", Napi::Number::New(env, static_cast<double>(s.records)));
  out.Set("droppedNonUtf8", Napi::Number::New(env, static_cast<double>(s.dropped_non_utf8)));
  out.Set("torn", Napi::Boolean::New(env, s.torn));
  out.Set("truncated", Napi::Boolean::New(env, s.truncated));
  out.Set("reason", Napi::String::New(env, s.reason));
  out.Set("execErrno", Napi::Number::New(env, s.exec_errno));
  size_t n = s.entries.size();
  Napi::Uint8Array modes = Napi::Uint8Array::New(env, n);
  Napi::Uint8Array rbw = Napi::Uint8Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    modes[i] = s.entries[i].modes;
    rbw[i] = s.entries[i].read_before_write ? 1 : 0;
  }
  /* One string for all paths (NUL-separated, NUL-terminated): tens of thousands of N-API string creations cost
   * more than the whole ring walk. */
  out.Set("paths", Napi::String::New(env, s.paths.data(), s.paths.size()));
  out.Set("modes", modes);
  out.Set("readBeforeWrite", rbw);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("createRing", Napi::Function::New(env, CreateRing));
  exports.Set("readRing", Napi::Function::New(env, ReadRing));
  Napi::Object c = Napi::Object::New(env);
  c.Set("READ", VT_MODE_READ);
  c.Set("STAT", VT_MODE_STAT);
  c.Set("READ_DIR", VT_MODE_READ_DIR);
  c.Set("WRITE", VT_MODE_WRITE);
  c.Set("WRITE_DIR", VT_MODE_WRITE_DIR);
  c.Set("STATUS_OVERFLOW", VT_STATUS_OVERFLOW);
  c.Set("STATUS_UNTRACEABLE", VT_STATUS_UNTRACEABLE);
  c.Set("STATUS_STARTED", VT_STATUS_STARTED);
  c.Set("STATUS_DONE", VT_STATUS_DONE);
  c.Set("MECH_UNOTIFY", VT_MECH_UNOTIFY);
  c.Set("MECH_PTRACE", VT_MECH_PTRACE);
  c.Set("DEFAULT_CAPACITY", static_cast<double>(VT_RING_DEFAULT_CAPACITY));
  exports.Set("constants", c);
  return exports;
}

}  // namespace

NODE_API_MODULE(vt_tracer, Init)
