/*
 * Stat stamps of many files in one call. vt stamps every input of a task before it starts and on every warm
 * run; through fs.statSync 20,000 inputs took ~100-150 ms here (a BigIntStats object with four Dates around
 * each system call). Here it is the system calls, relative to one directory fd and split over two threads
 * for long lists, a few bytes of formatting and one string per file.
 *
 * The stamp must equal what packages/vt/src/cache/fingerprint.ts builds from Node's bigint stats, because
 * both kinds are compared with each other and stored: libuv fills those from statx, combines the device
 * numbers with makedev, and Node keeps every field in a signed 64-bit slot; so do we.
 */
#include <napi.h>

#include <cinttypes>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

int64_t ns_of(const struct statx_timestamp &t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000LL + static_cast<int64_t>(t.tv_nsec);
}

struct Result {
  bool file = false;
  int64_t dev = 0, ino = 0, size = 0, mtime = 0, ctime = 0;
};

/** Stats `rels[from, to)` relative to `root` (a directory fd): fewer path components to walk per call. */
void stat_range(int root, const std::vector<std::string> &rels, std::vector<Result> &out, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) {
    const char *rel = rels[i].c_str();
    while (*rel == '/') rel++;  // `${root}/${rel}` in JavaScript: a leading slash does not make it absolute
    struct statx st;
    const int flags = AT_STATX_SYNC_AS_STAT | (*rel == '\0' ? AT_EMPTY_PATH : 0);
    if (statx(root, rel, flags, STATX_BASIC_STATS, &st) != 0 || !S_ISREG(st.stx_mode)) continue;
    Result &r = out[i];
    r.file = true;
    r.dev = static_cast<int64_t>(makedev(st.stx_dev_major, st.stx_dev_minor));
    r.ino = static_cast<int64_t>(st.stx_ino);
    r.size = static_cast<int64_t>(st.stx_size);
    r.mtime = ns_of(st.stx_mtime);
    r.ctime = ns_of(st.stx_ctime);
  }
}

/** Above this many paths the system calls (~2 µs each on our VMs) are split over two threads. */
constexpr size_t kThreadedFrom = 4096;

Napi::Value StampFiles(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsBigInt())
    throw Napi::TypeError::New(env, "stampFiles(root: string, rels: string[], racyFromNs: bigint)");
  const std::string root_path = info[0].As<Napi::String>().Utf8Value();
  Napi::Array list = info[1].As<Napi::Array>();
  bool lossless = false;
  const int64_t racy_from = info[2].As<Napi::BigInt>().Int64Value(&lossless);
  const uint32_t n = list.Length();
  std::vector<std::string> rels(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value rel = list[i];
    if (!rel.IsString()) throw Napi::TypeError::New(env, "stampFiles: every path must be a string");
    rels[i] = rel.As<Napi::String>().Utf8Value();
  }

  std::vector<Result> results(n);
  const int root = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root >= 0) {
    if (n >= kThreadedFrom) {
      std::thread other(stat_range, root, std::cref(rels), std::ref(results), n / 2, n);
      stat_range(root, rels, results, 0, n / 2);
      other.join();
    } else {
      stat_range(root, rels, results, 0, n);
    }
    close(root);
  }

  Napi::Array stamps = Napi::Array::New(env, n);
  Napi::Uint8Array racy = Napi::Uint8Array::New(env, n);
  char buf[128];
  for (uint32_t i = 0; i < n; i++) {
    const Result &r = results[i];
    racy[i] = 0;
    if (!r.file) {
      stamps[i] = env.Undefined();
      continue;
    }
    const int len = snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 ":%" PRId64 ":%" PRId64 ":%" PRId64, r.dev, r.ino,
                             r.size, r.mtime, r.ctime);
    stamps[i] = Napi::String::New(env, buf, static_cast<size_t>(len));
    racy[i] = (r.mtime >= racy_from || r.ctime >= racy_from) ? 1 : 0;
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out[0u] = stamps;
  out[1u] = racy;
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("stampFiles", Napi::Function::New(env, StampFiles, "stampFiles"));
  return exports;
}

}  // namespace

NODE_API_MODULE(vt_file_stamps, Init)
