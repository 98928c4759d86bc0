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

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <memory>
#include <mutex>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <time.h>
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

/** Appends `v` in decimal; snprintf's format parsing was a measurable share of stamping 20,000 files. */
char *put_int(char *p, int64_t v) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (v < 0) *p++ = '-';
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (n > 0) *p++ = digits[--n];
  return p;
}

/** The stamp `dev:ino:size:mtimeNs:ctimeNs` into `buf` (at least 128 bytes); returns its length. */
int format_stamp(char *buf, size_t, const Result &r) {
  char *p = buf;
  p = put_int(p, r.dev);
  *p++ = ':';
  p = put_int(p, r.ino);
  *p++ = ':';
  p = put_int(p, r.size);
  *p++ = ':';
  p = put_int(p, r.mtime);
  *p++ = ':';
  p = put_int(p, r.ctime);
  return static_cast<int>(p - buf);
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

/** `count` NUL-separated strings from `joined`; an empty vector if the count does not match. */
std::vector<std::string> split_joined(const std::string &joined, uint32_t count) {
  std::vector<std::string> parts;
  if (count == 0) return parts;
  parts.reserve(count);
  size_t from = 0;
  for (;;) {
    const size_t nul = joined.find('\0', from);
    parts.push_back(joined.substr(from, nul == std::string::npos ? std::string::npos : nul - from));
    if (nul == std::string::npos) break;
    from = nul + 1;
  }
  if (parts.size() != count) parts.clear();
  return parts;
}

/** A JavaScript string of `s`: ASCII (the usual case) is copied as Latin-1, without UTF-8 decoding. */
Napi::String js_string(Napi::Env env, const std::string &s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return Napi::String::New(env, s);
  }
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_string_latin1(env, s.data(), s.size(), &out), Napi::String());
  return Napi::String(env, out);
}

// Paths in and stamps out cross as one NUL-separated string each (a path cannot hold NUL): converting 40,000
// strings one by one through N-API, each way, cost as much as the system calls themselves.
Napi::Value StampFiles(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsBigInt())
    throw Napi::TypeError::New(env, "stampFiles(root: string, rels: string (NUL-separated), count: number, racyFromNs: bigint)");
  const std::string root_path = info[0].As<Napi::String>().Utf8Value();
  const uint32_t n = info[2].As<Napi::Number>().Uint32Value();
  bool lossless = false;
  const int64_t racy_from = info[3].As<Napi::BigInt>().Int64Value(&lossless);
  const std::vector<std::string> rels = split_joined(info[1].As<Napi::String>().Utf8Value(), n);
  if (rels.size() != n) throw Napi::TypeError::New(env, "stampFiles: `count` NUL-separated paths expected");

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

  Napi::Uint8Array racy = Napi::Uint8Array::New(env, n);
  Napi::Uint8Array kinds = Napi::Uint8Array::New(env, n);
  std::string stamps;
  char buf[128];
  for (uint32_t i = 0; i < n; i++) {
    const Result &r = results[i];
    if (i > 0) stamps.push_back('\0');
    racy[i] = 0;
    kinds[i] = r.kind;
    if (r.kind != kFile) continue;
    stamps.append(buf, static_cast<size_t>(format_stamp(buf, sizeof buf, r)));
    racy[i] = (r.mtime >= racy_from || r.ctime >= racy_from) ? 1 : 0;
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out[0u] = js_string(env, stamps);
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
 * SHA-256 (hex) of `root/rel` if the open file still has `stamp` after it was read, else empty. That one check
 * proves the bytes are the ones the file had when stamped: any write since then, before or during the read,
 * moves the stamp for good (the ctime never goes back), and another file renamed into place has another
 * inode. (FileHasher.hashAtStamp, the fallback, also checks before reading; here that was one system call of
 * five per file.) Opened non-blocking: a FIFO swapped in since the stamp must not hang the read. OpenSSL is
 * the one inside Node, whose symbols Node exports.
 */
std::string hash_at_stamp(int root, const std::string &rel_path, const std::string &stamp, EVP_MD_CTX *ctx, unsigned char *buf,
                          size_t buf_size) {
  const char *rel = rel_path.c_str();
  while (*rel == '/') rel++;
  const int fd = openat(root, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {};
  std::string hex;
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1) {
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


/*
 * walkFiles: a directory tree listed and its files stamped in one call. Globbed inputs are walked and stamped on
 * every run, hits included; in JavaScript that was a Dirent object per entry and a second pass of system
 * calls by full path. Here each directory is read once and its files are stamped relative to its fd, on two
 * threads once the tree turns out to be big. Glob matching stays in JavaScript (picomatch).
 */
struct WalkEntry {
  std::string name;
  bool dir = false;  // a real directory (not a symlink to one): walked, never stamped
  bool racy = false;
  uint8_t stamp_len = 0;  // 0 unless a regular file (after symlinks)
  int32_t child = -1;  // its job, once queued
  char stamp[112];  // formatted by the thread that stat'ed it; five int64 and four colons fit
};

struct WalkJob {
  std::string rel;  // root-relative; "" for the root itself
  bool follow = false;  // only the walk's base may be reached through a symlink, as readdir(path) would
  std::vector<WalkEntry> entries;
};

class Walk {
 public:
  Walk(int root, std::string skip, int64_t racy_from) : root_(root), skip_(std::move(skip)), racy_from_(racy_from) {}

  void Run(const std::string &base) {
    jobs_.push_back(WalkJob{base, true, {}});
    std::unique_ptr<std::thread> helper;
    for (;;) {
      WalkJob *job = Take(false);
      if (job == nullptr) break;
      Process(*job);
      Finish(*job);
      if (!helper && Big()) helper = std::make_unique<std::thread>([this] { Work(); });
    }
    if (helper) {
      Work();
      helper->join();
    }
  }

  /** Depth first from the base: every directory is followed by its own subtree. */
  template <typename F>
  void Visit(F &&emit) const {
    if (!jobs_.empty()) Visit(0, emit);
  }

 private:
  /** Worth a second thread: many directories still queued, or many files already seen. */
  bool Big() {
    std::lock_guard<std::mutex> lock(mu_);
    return jobs_.size() - next_ >= 8 || seen_ >= 512;
  }

  void Work() {
    while (WalkJob *job = Take(true)) {
      Process(*job);
      Finish(*job);
    }
  }

  /** The next queued directory; with `wait`, waits while another thread may still queue some. */
  WalkJob *Take(bool wait) {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait) cv_.wait(lock, [this] { return next_ < jobs_.size() || active_ == 0; });
    if (next_ == jobs_.size()) return nullptr;
    active_++;
    return &jobs_[next_++];  // a deque keeps references to its elements valid as it grows
  }

  void Finish(WalkJob &job) {
    std::lock_guard<std::mutex> lock(mu_);
    for (WalkEntry &e : job.entries) {
      if (!e.dir) continue;
      e.child = static_cast<int32_t>(jobs_.size());
      jobs_.push_back(WalkJob{Join(job.rel, e.name), false, {}});
    }
    seen_ += job.entries.size();
    active_--;
    cv_.notify_all();
  }

  static std::string Join(const std::string &dir, const std::string &name) { return dir.empty() ? name : dir + "/" + name; }

  void Process(WalkJob &job) {
    const char *rel = job.rel.empty() ? "." : job.rel.c_str();
    const int fd = openat(root_, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (job.follow ? 0 : O_NOFOLLOW));
    if (fd < 0) return;
    DIR *d = fdopendir(fd);
    if (d == nullptr) {
      close(fd);
      return;
    }
    while (struct dirent *de = readdir(d)) {
      const char *name = de->d_name;
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, ".git") == 0) continue;
      if (!skip_.empty() && Join(job.rel, name) == skip_) continue;
      WalkEntry e;
      e.name = name;
      unsigned char type = de->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        type = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
      }
      if (type == DT_DIR) {
        e.dir = true;
      } else {
        struct statx st;
        if (statx(fd, name, AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &st) == 0 && S_ISREG(st.stx_mode)) {
          const Result r = result_from(st);
          e.stamp_len = static_cast<uint8_t>(format_stamp(e.stamp, sizeof e.stamp, r));
          e.racy = r.mtime >= racy_from_ || r.ctime >= racy_from_;
        }
      }
      job.entries.push_back(std::move(e));
    }
    closedir(d);
  }

  template <typename F>
  void Visit(size_t index, F &emit) const {
    const WalkJob &job = jobs_[index];
    for (const WalkEntry &e : job.entries) {
      emit(job.rel, e);
      if (e.child >= 0) Visit(static_cast<size_t>(e.child), emit);
    }
  }

  const int root_;
  const std::string skip_;
  const int64_t racy_from_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WalkJob> jobs_;
  size_t next_ = 0;
  size_t active_ = 0;
  size_t seen_ = 0;
};

/** The code point starting at `s[i]`; U+FFFD for a malformed sequence (which is what Node makes of it). */
uint32_t decode_utf8(const std::string &s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0xFFFD;
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; k++) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (cc & 0x3F);
  }
  return cp;
}

/**
 * Whether `a` sorts before `b` as JavaScript's default sort orders the same strings: by UTF-16 code units. That
 * is code point order except that characters above U+FFFF (surrogate pairs, 0xD800-0xDBFF first) sort before
 * U+E000-U+FFFF.
 */
bool utf16_less(const std::string &a, const std::string &b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) i++;
  if (i == n) return a.size() < b.size();
  const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
  if (x < 0x80 && y < 0x80) return x < y;
  while (i > 0 && (static_cast<unsigned char>(a[i]) & 0xC0) == 0x80) i--;  // equal so far: one start for both
  const uint32_t ca = decode_utf8(a, i), cb = decode_utf8(b, i);
  const auto unit = [](uint32_t c) { return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : c; };
  if (unit(ca) != unit(cb)) return unit(ca) < unit(cb);
  return ca < cb;
}

Napi::Value WalkFiles(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString() || !info[3].IsBigInt() ||
      !info[4].IsBoolean())
    throw Napi::TypeError::New(env, "walkFiles(root: string, base: string, skip: string, racyFromNs: bigint, sorted: boolean)");
  const bool sorted = info[4].As<Napi::Boolean>().Value();
  const std::string root_path = info[0].As<Napi::String>().Utf8Value();
  const std::string base = info[1].As<Napi::String>().Utf8Value();
  const std::string skip = info[2].As<Napi::String>().Utf8Value();
  bool lossless = false;
  const int64_t racy_from = info[3].As<Napi::BigInt>().Int64Value(&lossless);

  const int root = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  Walk walk(root, skip, racy_from);
  if (root >= 0) {
    walk.Run(base);
    close(root);
  }
  struct Listed {
    std::string rel;
    const WalkEntry *entry;
  };
  std::vector<Listed> listed;
  walk.Visit([&listed](const std::string &dir, const WalkEntry &e) {
    listed.push_back(Listed{dir.empty() ? e.name : dir + "/" + e.name, &e});
  });
  if (sorted) std::sort(listed.begin(), listed.end(), [](const Listed &a, const Listed &b) { return utf16_less(a.rel, b.rel); });

  // Paths and stamps cross into JavaScript as one string each, NUL-separated (a path cannot hold NUL):
  // creating and storing 40,000 strings one by one through N-API cost as much as the walk itself.
  const size_t n = listed.size();
  Napi::Uint8Array dirs = Napi::Uint8Array::New(env, n);
  Napi::Uint8Array racy = Napi::Uint8Array::New(env, n);
  std::string rels, stamps;
  for (size_t i = 0; i < n; i++) {
    const WalkEntry &e = *listed[i].entry;
    if (i > 0) {
      rels.push_back('\0');
      stamps.push_back('\0');
    }
    rels.append(listed[i].rel);
    dirs[i] = e.dir ? 1 : 0;
    racy[i] = e.racy ? 1 : 0;
    stamps.append(e.stamp, e.stamp_len);
  }
  Napi::Array out = Napi::Array::New(env, 4);
  out[0u] = js_string(env, rels);
  out[1u] = dirs;
  out[2u] = js_string(env, stamps);
  out[3u] = racy;
  return out;
}

/**
 * CLOCK_REALTIME_COARSE, in ns: the clock Linux stamps file times from (a multigrain file system may stamp a
 * finer time, never an earlier one). Any change made after this call gets a ctime at or after what it
 * returns, which Date.now() (the fine clock, up to a tick ahead) cannot promise.
 */
Napi::Value CoarseClockNs(const Napi::CallbackInfo &info) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) != 0) return info.Env().Undefined();
  return Napi::BigInt::New(info.Env(), static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("coarseClockNs", Napi::Function::New(env, CoarseClockNs, "coarseClockNs"));
  exports.Set("stampFiles", Napi::Function::New(env, StampFiles, "stampFiles"));
  exports.Set("hashFiles", Napi::Function::New(env, HashFiles, "hashFiles"));
  exports.Set("walkFiles", Napi::Function::New(env, WalkFiles, "walkFiles"));
  return exports;
}

}  // namespace

NODE_API_MODULE(vt_file_stamps, Init)
