#include "ring_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "../common/vt_abi.h"
#include "path_clean.h"

namespace vt {

namespace {

std::runtime_error sys_error(const std::string &what, const std::string &file) {
  return std::runtime_error(what + " " + file + ": " + std::strerror(errno));
}

struct Agg {
  size_t index;
  uint64_t first_read = UINT64_MAX;
  uint64_t first_write = UINT64_MAX;
  bool existed_at_first_write = false;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) close(fd_); }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class Mapping {
 public:
  Mapping(void *p, size_t n) : p_(p), n_(n) {}
  ~Mapping() { if (p_ != MAP_FAILED) munmap(p_, n_); }
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  const char *data() const { return static_cast<const char *>(p_); }

 private:
  void *p_;
  size_t n_;
};

}  // namespace

void create_ring(const std::string &file, uint64_t capacity) {
  if (capacity < VT_RING_DATA_OFFSET * 2) throw std::runtime_error("trace ring capacity too small");
  Fd fd(open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw sys_error("cannot create trace ring", file);
  if (ftruncate(fd.get(), static_cast<off_t>(capacity)) != 0) throw sys_error("cannot size trace ring", file);
  vt_ring_header h;
  std::memset(&h, 0, sizeof h);
  h.magic = VT_RING_MAGIC;
  h.version = VT_RING_VERSION;
  h.capacity = capacity;
  h.tail = VT_RING_DATA_OFFSET;
  h.populated = 0;
  if (pwrite(fd.get(), &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) throw sys_error("cannot write trace ring", file);
}

RingSummary read_ring(const std::string &file, uint64_t limit) {
  Fd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw sys_error("cannot open trace ring", file);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) throw sys_error("cannot stat trace ring", file);
  if (st.st_size < static_cast<off_t>(VT_RING_DATA_OFFSET)) throw std::runtime_error("not a trace ring: " + file);
  size_t size = static_cast<size_t>(st.st_size);
  Mapping map(mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0), size);
  if (map.data() == MAP_FAILED) throw sys_error("cannot map trace ring", file);
  auto *h = reinterpret_cast<const vt_ring_header *>(map.data());
  if (h->magic != VT_RING_MAGIC || h->version != VT_RING_VERSION || h->capacity != size)
    throw std::runtime_error("not a trace ring: " + file);

  RingSummary s;
  s.status = __atomic_load_n(&h->status, __ATOMIC_ACQUIRE);
  s.mechanism = h->mechanism;
  s.sync_wake_up = h->sync_wake_up != 0;
  s.notifications = __atomic_load_n(&h->notifications, __ATOMIC_RELAXED);
  s.shim_events = __atomic_load_n(&h->shim_events, __ATOMIC_RELAXED);
  s.supervisor_cpu_us = h->supervisor_cpu_us;
  s.reason.assign(h->reason, strnlen(h->reason, VT_REASON_LEN));
  uint64_t end = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
  if (end > size) end = size;

  std::unordered_map<std::string, Agg> index;
  std::string cleaned;
  uint64_t off = VT_RING_DATA_OFFSET;
  while (off + sizeof(vt_record) <= end) {
    auto *r = reinterpret_cast<const vt_record *>(map.data() + off);
    uint32_t rsize = __atomic_load_n(&r->size, __ATOMIC_ACQUIRE);
    if (rsize < sizeof(vt_record) || off + rsize > end) {
      /* Reserved but never written: after an overflow that is the space the failed reservations left; otherwise a
       * writer died before even writing the size. Either way nothing after it can be read. */
      if (!(s.status & VT_STATUS_OVERFLOW)) s.torn = true;
      break;
    }
    uint8_t flags = __atomic_load_n(&r->flags, __ATOMIC_ACQUIRE);
    uint64_t seq = off;
    off += rsize;
    if (!(flags & VT_REC_COMMITTED)) {
      s.torn = true;
      continue;
    }
    size_t plen = r->path_len;
    if (plen + sizeof(vt_record) + 1 > rsize || plen == 0 || r->path[0] != '/') continue;
    s.records++;
    if (!valid_utf8(r->path, plen)) {
      s.dropped_non_utf8++;
      continue;
    }
    clean_absolute(r->path, plen, cleaned);
    auto it = index.find(cleaned);
    if (it == index.end()) {
      if (limit != 0 && s.entries.size() >= limit) {
        s.truncated = true;
        continue;
      }
      Agg a;
      a.index = s.entries.size();
      s.entries.push_back(PathEntry{cleaned, 0, false});
      it = index.emplace(cleaned, a).first;
    }
    Agg &a = it->second;
    uint8_t mode = r->mode;
    s.entries[a.index].modes |= mode;
    if ((mode & VT_MODE_READ) && a.first_read == UINT64_MAX) a.first_read = seq;
    if ((mode & VT_MODE_WRITES) && a.first_write == UINT64_MAX) {
      a.first_write = seq;
      a.existed_at_first_write = (flags & VT_REC_EXISTED) != 0;
    }
  }
  for (auto &kv : index) {
    const Agg &a = kv.second;
    if (a.first_read == UINT64_MAX) continue;
    /* The tree's own writes are outputs; a read counts as reading pre-existing content only if it came first and
     * the path was there when the tree first wrote it (so the read saw content the tree did not produce). */
    s.entries[a.index].read_before_write =
        a.first_write == UINT64_MAX || (a.first_read <= a.first_write && a.existed_at_first_write);
  }
  return s;
}

}  // namespace vt
