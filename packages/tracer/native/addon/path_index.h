/*
 * Open-addressing map from a cleaned path to its entry number. Keys live in one growing buffer owned by the caller
 * (RingSummary::paths) and are referred to by offset, so no per-path allocation happens: building it is on the
 * critical path of every traced task.
 */
#ifndef VT_PATH_INDEX_H
#define VT_PATH_INDEX_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vt {

class PathIndex {
 public:
  explicit PathIndex(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }

  /* Returns the entry number of key[0..len), or SIZE_MAX when it is absent (then `hash` is filled for insert()).
   * `buf` is the buffer the inserted keys live in. */
  size_t find(const std::string &buf, const char *key, size_t len, uint64_t &hash) const {
    hash = fnv1a(key, len);
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot &s = slots_[i];
      if (s.len == 0) return SIZE_MAX;
      if (s.hash == hash && s.len == len + 1 && std::memcmp(buf.data() + s.offset, key, len) == 0) return s.entry;
    }
  }

  size_t find(const std::string &buf, const char *key, size_t len) const {
    uint64_t hash;
    return find(buf, key, len, hash);
  }

  /* Adds the key stored at buf[offset..offset+len) as entry number `entry`; `hash` comes from find(). */
  void insert(uint64_t hash, size_t offset, size_t len, size_t entry) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    place(Slot{hash, offset, len + 1, entry});
    count_++;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    size_t offset = 0;
    size_t len = 0; /* key length + 1; 0 = empty slot */
    size_t entry = 0;
  };

  static uint64_t fnv1a(const char *k, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ static_cast<unsigned char>(k[i])) * 1099511628211ull;
    return h ^ (h >> 29);
  }

  void place(const Slot &s) {
    size_t mask = slots_.size() - 1;
    size_t i = s.hash & mask;
    while (slots_[i].len != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    for (const Slot &s : old)
      if (s.len != 0) place(s);
  }

  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace vt

#endif
