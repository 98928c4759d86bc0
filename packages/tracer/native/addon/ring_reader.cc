#include "ring_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "../common/vt_abi.h"
#include "content_origin.h"
#include "path_clean.h"
#include "path_index.h"

namespace vt {

namespace {

std::runtime_error sys_error(const std::string &what, const std::string &file) {
  return std::runtime_error(what + " " + file + ": " + std::strerror(errno));
}

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
  vt_ring_header hdr;
  if (pread(fd.get(), &hdr, sizeof hdr, 0) != static_cast<ssize_t>(sizeof hdr)) throw sys_error("cannot read trace ring", file);
  const vt_ring_header *h = &hdr;
  if (h->magic != VT_RING_MAGIC || h->version != VT_RING_VERSION || h->capacity != size)
    throw std::runtime_error("not a trace ring: " + file);
  uint64_t used = h->tail < size ? h->tail : size;
  /* One read of the used part: cheaper than faulting in a mapping page by page. */
  std::string data;
  data.resize(static_cast<size_t>(used));
  size_t got = VT_RING_DATA_OFFSET;
  while (got < used) {
    ssize_t r = pread(fd.get(), &data[got], static_cast<size_t>(used - got), static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw sys_error("cannot read trace ring", file);
    got += static_cast<size_t>(r);
  }
  const char *base = data.data();

  RingSummary s;
  s.status = h->status;
  s.mechanism = h->mechanism;
  s.sync_wake_up = h->sync_wake_up != 0;
  s.notifications = h->notifications;
  s.shim_events = h->shim_events;
  s.supervisor_cpu_us = h->supervisor_cpu_us;
  s.exec_errno = h->exec_errno;
  s.reason.assign(h->reason, strnlen(h->reason, VT_REASON_LEN));
  uint64_t end = used;

  /* ~2 records of ~60 bytes per path is typical; reserving avoids regrowing on big traces */
  size_t estimate = static_cast<size_t>((end - VT_RING_DATA_OFFSET) / 128);
  PathIndex index(estimate);
  ContentOrigins origins;
  s.entries.reserve(estimate);
  s.paths.reserve(static_cast<size_t>(end - VT_RING_DATA_OFFSET) / 2);
  std::string cleaned;
  uint64_t off = VT_RING_DATA_OFFSET;
  while (off + sizeof(vt_record) <= end) {
    auto *r = reinterpret_cast<const vt_record *>(base + off);
    uint32_t rsize = r->size;
    if (rsize < sizeof(vt_record) || off + rsize > end) {
      /* Reserved but never written: after an overflow that is the space the failed reservations left; otherwise a
       * writer died before even writing the size. Either way nothing after it can be read. */
      if (!(s.status & VT_STATUS_OVERFLOW)) s.torn = true;
      break;
    }
    uint8_t flags = r->flags;
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
    uint64_t hash;
    size_t idx = index.find(s.paths, cleaned.data(), cleaned.size(), hash);
    if (idx == SIZE_MAX) {
      if (limit != 0 && s.entries.size() >= limit) {
        s.truncated = true;
        continue;
      }
      idx = s.entries.size();
      index.insert(hash, s.paths.size(), cleaned.size(), idx);
      s.entries.push_back(PathEntry{});
      s.paths.append(cleaned);
      s.paths.push_back('\0');
    }
    uint8_t mode = r->mode;
    s.entries[idx].modes |= mode;
    if (mode & VT_MODE_READ) origins.read(idx, seq);
    if (mode & VT_MODE_WRITES) {
      const char *from = nullptr;
      size_t from_len = 0;
      if (flags & VT_REC_MOVED) {
        /* the source follows the path's NUL; a record too short to hold it names none (unknown origin) */
        from = r->path + plen + 1;
        size_t room = rsize - sizeof(vt_record) - plen - 1;
        const char *nul = static_cast<const char *>(std::memchr(from, 0, room));
        from_len = nul ? static_cast<size_t>(nul - from) : 0;
      }
      origins.write(idx, seq, flags, (mode & VT_MODE_WRITE_DIR) != 0, from, from_len);
    }
  }
  std::vector<uint8_t> saw_workspace_bytes = origins.resolve(index, s.paths, s.entries.size());
  for (size_t i = 0; i < s.entries.size(); i++) s.entries[i].read_before_write = saw_workspace_bytes[i] != 0;
  return s;
}

}  // namespace vt
