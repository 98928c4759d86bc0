#include "content_origin.h"

#include <algorithm>

#include "../common/vt_abi.h"
#include "path_clean.h"

namespace vt {

void ContentOrigins::write(size_t entry, uint64_t seq, uint8_t flags, bool dir, const char *from, size_t from_len) {
  uint32_t f = kNotMoved;
  if (from) {
    f = static_cast<uint32_t>(froms_.size());
    if (from_len > 0 && from[0] == '/') {
      std::string cleaned;
      clean_absolute(from, from_len, cleaned);
      froms_.append(cleaned);
    }
    froms_.push_back('\0'); /* an empty source: content of unknown origin */
  }
  writes_.push_back(Write{seq, static_cast<uint32_t>(entry), f, flags, dir});
}

void ContentOrigins::read(size_t entry, uint64_t seq) { reads_.push_back(Read{seq, static_cast<uint32_t>(entry)}); }

/* The writes grouped per entry (in sequence order), and lookups of the latest or next write that decides what a
 * path holds: one of its own, or a directory write (create, remove, move) of one of its ancestors. */
class ContentOrigins::Resolver {
 public:
  Resolver(const ContentOrigins &o, const PathIndex &index, const std::string &paths, size_t count)
      : o_(o), index_(index), paths_(paths), begin_(count + 1, 0), has_dir_(count, 0) {
    for (const Write &w : o.writes_) begin_[w.entry + 1]++;
    for (size_t i = 0; i < count; i++) begin_[i + 1] += begin_[i];
    sorted_.resize(o.writes_.size());
    std::vector<uint32_t> next(begin_.begin(), begin_.end() - 1);
    for (const Write &w : o.writes_) sorted_[next[w.entry]++] = &w; /* stable: sequence order within an entry */
    offsets_.reserve(count);
    for (size_t off = 0; offsets_.size() < count; off = paths_.find('\0', off) + 1) offsets_.push_back(off);
    for (const Write &w : o.writes_) {
      if (!w.dir) continue;
      has_dir_[w.entry] = 1;
      size_t len = length(w.entry);
      if (dir_lens_.size() <= len) dir_lens_.resize(len + 1, 0);
      dir_lens_[len] = 1;
    }
  }

  /* Whether a write to the path of `entry` or to a directory above it can decide what a read of it saw. */
  bool touched(uint32_t entry) const {
    return begin_[entry] != begin_[entry + 1] || has_dir_ancestor(paths_.data() + offsets_[entry], length(entry));
  }

  /* Whether the content read of `entry` at sequence `r` saw bytes the tree had not produced. */
  bool read_saw_workspace_bytes(uint32_t entry, uint64_t r) const {
    return saw_workspace_bytes(paths_.data() + offsets_[entry], length(entry), r);
  }

 private:
  size_t length(uint32_t entry) const {
    size_t end = entry + 1 < offsets_.size() ? offsets_[entry + 1] - 1 : paths_.find('\0', offsets_[entry]);
    return end - offsets_[entry];
  }

  /* Entry of path p[0..len) if it has writes, else SIZE_MAX. */
  size_t written_entry(const char *p, size_t len) const {
    size_t e = index_.find(paths_, p, len);
    return e != SIZE_MAX && begin_[e] != begin_[e + 1] ? e : SIZE_MAX;
  }

  /* Calls f(entry, prefix_len) for each ancestor of p[0..len) that had a directory written. */
  template <class F>
  void each_dir_ancestor(const char *p, size_t len, F f) const {
    for (size_t k = std::min(len, dir_lens_.size()); k-- > 1;) {
      if (p[k] != '/' || !dir_lens_[k]) continue;
      size_t e = index_.find(paths_, p, k);
      if (e != SIZE_MAX && has_dir_[e]) f(e, k);
    }
  }

  bool has_dir_ancestor(const char *p, size_t len) const {
    bool found = false;
    each_dir_ancestor(p, len, [&](size_t, size_t) { found = true; });
    return found;
  }

  /* The last write of `entry` (directory writes only if `dirs_only`) before sequence `before`. */
  const Write *last_before(size_t entry, uint64_t before, bool dirs_only) const {
    auto b = sorted_.begin() + begin_[entry], e = sorted_.begin() + begin_[entry + 1];
    auto it = std::lower_bound(b, e, before, [](const Write *w, uint64_t s) { return w->seq < s; });
    while (it != b) {
      const Write *w = *--it;
      if (!dirs_only || w->dir) return w;
    }
    return nullptr;
  }

  const Write *first_from(size_t entry, uint64_t from, bool dirs_only) const {
    auto b = sorted_.begin() + begin_[entry], e = sorted_.begin() + begin_[entry + 1];
    for (auto it = std::lower_bound(b, e, from, [](const Write *w, uint64_t s) { return w->seq < s; }); it != e; ++it)
      if (!dirs_only || (*it)->dir) return *it;
    return nullptr;
  }

  /* The write that last decided what p[0..len) holds before `before`; *at is the length of the path it wrote (len
   * itself, or an ancestor's). */
  const Write *decisive(const char *p, size_t len, uint64_t before, size_t *at) const {
    const Write *best = nullptr;
    size_t own = written_entry(p, len);
    if (own != SIZE_MAX && (best = last_before(own, before, false))) *at = len;
    each_dir_ancestor(p, len, [&](size_t e, size_t k) {
      const Write *w = last_before(e, before, true);
      if (w && (!best || w->seq > best->seq)) best = w, *at = k;
    });
    return best;
  }

  /* Whether p[0..len) was missing at sequence r, as far as the next write to it or above it tells. */
  bool missing_at(const char *p, size_t len, uint64_t r) const {
    const Write *next = nullptr;
    size_t own = written_entry(p, len);
    if (own != SIZE_MAX) next = first_from(own, r, false);
    each_dir_ancestor(p, len, [&](size_t e, size_t) {
      const Write *w = first_from(e, r, true);
      if (w && (!next || w->seq < next->seq)) next = w;
    });
    return next && !(next->flags & VT_REC_EXISTED);
  }

  bool saw_workspace_bytes(const char *p, size_t len, uint64_t r) const {
    size_t at = 0;
    const Write *w = decisive(p, len, r, &at);
    if (!w) return !missing_at(p, len, r);
    /* Follow moves and writes that kept the bytes back: the path (or the directory above it at `at`) was the
     * destination of w, or still holds what it held before w. */
    std::string cur(p, len), src;
    for (;;) {
      if (w->from != kNotMoved) {
        const char *from = o_.froms_.data() + w->from;
        if (*from == 0) return true;
        src.assign(from);
        src.append(cur, at, std::string::npos);
        cur.swap(src);
      } else if (!(w->flags & VT_REC_KEPT)) {
        return false; /* the tree's own write */
      }
      w = decisive(cur.data(), cur.size(), w->seq, &at);
      if (!w) return true; /* content the path (or the move's source) held from before the run */
    }
  }

  const ContentOrigins &o_;
  const PathIndex &index_;
  const std::string &paths_;
  std::vector<uint32_t> begin_;      /* writes of entry i: sorted_[begin_[i], begin_[i + 1]) */
  std::vector<const Write *> sorted_;
  std::vector<size_t> offsets_;      /* entry i's path starts at paths_[offsets_[i]] */
  std::vector<uint8_t> has_dir_;     /* entry i has a directory write */
  std::vector<uint8_t> dir_lens_;    /* some path of that length has a directory write: cheap ancestor filter */
};

std::vector<uint8_t> ContentOrigins::resolve(const PathIndex &index, const std::string &paths, size_t count) const {
  std::vector<uint8_t> out(count, 0);
  if (writes_.empty()) {
    for (const Read &r : reads_) out[r.entry] = 1;
    return out;
  }
  Resolver resolver(*this, index, paths, count);
  enum : uint8_t { kUnknown, kTouched, kUntouched };
  std::vector<uint8_t> state(count, kUnknown);
  for (const Read &r : reads_) {
    if (out[r.entry]) continue; /* already known to have seen workspace bytes */
    uint8_t &st = state[r.entry];
    if (st == kUnknown) st = resolver.touched(r.entry) ? kTouched : kUntouched;
    if (st == kUntouched || resolver.read_saw_workspace_bytes(r.entry, r.seq)) out[r.entry] = 1;
  }
  return out;
}

}  // namespace vt
