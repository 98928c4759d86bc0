/*
 * Stat stamps and content hashes of many files in one call. vt stamps every input of a task before it starts and on every warm
 * run; through fs.statSync 20,000 inputs took ~100-150 ms here (a BigIntStats object with four Dates around
 * each system call). Here it is the system calls, relative to one directory fd and split over two threads
 * for long lists, a few bytes of formatting and one string per file.
 *
 * The stamp must equal what packages/vt/src/cache/fingerprint.ts builds from Node's bigint stats, because
 * both kinds are compared with each other and stored: libuv fills those from statx, combines the device
 * numbers with makedev, and Node keeps every field in a signed 64-bit slot; so do we.
 *
 * Hashing (hashFiles) is the same story for reading: open, stat, read, stat, close of a small file cost ~25
 * µs from JavaScript here and ~7 µs from C, and two threads halve that again. A task that read 20,000 files
 * under the tracer had them all hashed after it ended, ~0.5 s one by one in JavaScript.
 */
#include <napi.h>
#include <openssl/evp.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
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

/** What a path is, after symlinks: the third array of stampFiles. */
enum Kind : uint8_t { kMissing = 0, kFile = 1, kDir = 2, kOther = 3 };

struct Result {
  Kind kind = kMissing;
  int64_t dev = 0, ino = 0, size = 0, mtime = 0, ctime = 0;
};

int format_stamp(char *buf, size_t size, const Result &r) {
  return snprintf(buf, size, "%" PRId64 ":%" PRId64 ":%" PRId64 ":%" PRId64 ":%" PRId64, r.dev, r.ino, r.size, r.mtime,
                  r.ctime);
}

Result result_from(const struct statx &st) {
  Result r;
  r.kind = S_ISREG(st.stx_mode) ? kFile : S_ISDIR(st.stx_mode) ? kDir : kOther;
  r.dev = static_cast<int64_t>(makedev(st.stx_dev_major, st.stx_dev_minor));
  r.ino = static_cast<int64_t>(st.stx_ino);
  r.size = static_cast<int64_t>(st.stx_size);
  r.mtime = ns_of(st.stx_mtime);
  r.ctime = ns_of(st.stx_ctime);
  return r;
}

/** Stats `rels[from, to)` relative to `root` (a directory fd): fewer path components to walk per call. */
void stat_range(int root, const std::vector<std::string> &rels, std::vector<Result> &out, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) {
    const char *rel = rels[i].c_str();
    while (*rel == '/') rel++;  // `${root}/${rel}` in JavaScript: a leading slash does not make it absolute
    struct statx st;
    const int flags = AT_STATX_SYNC_AS_STAT | (*rel == '\0' ? AT_EMPTY_PATH : 0);
    if (statx(root, rel, flags, STATX_BASIC_STATS, &st) == 0) out[i] = result_from(st);
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
  Napi::Uint8Array kinds = Napi::Uint8Array::New(env, n);
  char buf[128];
  for (uint32_t i = 0; i < n; i++) {
    const Result &r = results[i];
    racy[i] = 0;
    kinds[i] = r.kind;
    if (r.kind != kFile) {
      stamps[i] = env.Undefined();
      continue;
    }
    const int len = format_stamp(buf, sizeof buf, r);
    stamps[i] = Napi::String::New(env, buf, static_cast<size_t>(len));
    racy[i] = (r.mtime >= racy_from || r.ctime >= racy_from) ? 1 : 0;
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out[0u] = stamps;
  out[1u] = racy;
  out[2u] = kinds;
  return out;
}

/** Whether the open file's stamp is `expected`. */
bool has_stamp(int fd, const std::string &expected) {
  struct statx st;
  if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &st) != 0 || !S_ISREG(st.stx_mode)) return false;
  char buf[128];
  const int len = format_stamp(buf, sizeof buf, result_from(st));
  return expected.size() == static_cast<size_t>(len) && memcmp(expected.data(), buf, expected.size()) == 0;
}

/**
 * SHA-256 (hex) of `root/rel` if the open file has `stamp` before and after it is read (the same proof as
 * FileHasher.hashAtStamp), else empty. OpenSSL is the one inside Node, whose symbols Node exports.
 */
std::string hash_at_stamp(int root, const std::string &rel_path, const std::string &stamp, EVP_MD_CTX *ctx, unsigned char *buf,
                          size_t buf_size) {
  const char *rel = rel_path.c_str();
  while (*rel == '/') rel++;
  const int fd = openat(root, rel, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string hex;
  if (has_stamp(fd, stamp) && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1) {
    bool ok = true;
    for (;;) {
      const ssize_t n = read(fd, buf, buf_size);
      if (n < 0) ok = false;
      if (n <= 0) break;
      if (EVP_DigestUpdate(ctx, buf, static_cast<size_t>(n)) != 1) ok = false;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && ok && has_stamp(fd, stamp)) {
      static const char digits[] = "0123456789abcdef";
      hex.resize(md_len * 2);
      for (unsigned int k = 0; k < md_len; k++) {
        hex[2 * k] = digits[md[k] >> 4];
        hex[2 * k + 1] = digits[md[k] & 15];
      }
    }
  }
  close(fd);
  return hex;
}

void hash_range(int root, const std::vector<std::string> &rels, const std::vector<std::string> &stamps,
                std::vector<std::string> &out, size_t from, size_t to) {
  constexpr size_t kBuf = 1 << 20;
  std::unique_ptr<unsigned char[]> buf(new unsigned char[kBuf]);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return;
  for (size_t i = from; i < to; i++) out[i] = hash_at_stamp(root, rels[i], stamps[i], ctx, buf.get(), kBuf);
  EVP_MD_CTX_free(ctx);
}

/** Above this many files hashing is split over two threads. */
constexpr size_t kHashThreadedFrom = 16;

Napi::Value HashFiles(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsBoolean())
    throw Napi::TypeError::New(env, "hashFiles(root: string, rels: string[], stamps: string[], parallel: boolean)");
  const bool parallel = info[3].As<Napi::Boolean>().Value();
  const std::string root_path = info[0].As<Napi::String>().Utf8Value();
  Napi::Array rel_list = info[1].As<Napi::Array>();
  Napi::Array stamp_list = info[2].As<Napi::Array>();
  const uint32_t n = rel_list.Length();
  if (stamp_list.Length() != n) throw Napi::TypeError::New(env, "hashFiles: one stamp per path");
  std::vector<std::string> rels(n), stamps(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value rel = rel_list[i];
    Napi::Value stamp = stamp_list[i];
    if (!rel.IsString() || !stamp.IsString()) throw Napi::TypeError::New(env, "hashFiles: paths and stamps must be strings");
    rels[i] = rel.As<Napi::String>().Utf8Value();
    stamps[i] = stamp.As<Napi::String>().Utf8Value();
  }
  std::vector<std::string> hashes(n);
  const int root = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root >= 0) {
    if (parallel && n >= kHashThreadedFrom) {
      std::thread other(hash_range, root, std::cref(rels), std::cref(stamps), std::ref(hashes), n / 2, n);
      hash_range(root, rels, stamps, hashes, 0, n / 2);
      other.join();
    } else {
      hash_range(root, rels, stamps, hashes, 0, n);
    }
    close(root);
  }
  Napi::Array out = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) out[i] = hashes[i].empty() ? env.Undefined() : Napi::String::New(env, hashes[i]);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("stampFiles", Napi::Function::New(env, StampFiles, "stampFiles"));
  exports.Set("hashFiles", Napi::Function::New(env, HashFiles, "hashFiles"));
  return exports;
}

}  // namespace

NODE_API_MODULE(vt_file_stamps, Init)
