/*
 * Where the bytes a content read saw came from: the traced tree itself, or the workspace as it was before the run.
 * A path the tree writes is its output and a cache hit restores it, so reading it is harmless as long as what was
 * read is the tree's own product; reading content that was there before the tree wrote the path (read-modify-write)
 * makes the run unstorable. The answer follows the order of the ring's records (a record's offset is its sequence
 * number):
 *  - after the tree wrote the path (created, truncated, deleted it, or a directory above it), the bytes are its own,
 *    unless that write kept the bytes already there (VT_REC_KEPT: an append, a chmod): then they are also whatever
 *    the path held before it;
 *  - after a rename moved content there (to the path, or to a directory above it), they are whatever the source
 *    held just before the move, followed back through earlier moves: renaming does not make content the tree's;
 *  - with no earlier write they are the workspace's, unless the path was missing then, which the next write shows
 *    (to the path or a directory above it) by finding nothing there.
 */
#ifndef VT_CONTENT_ORIGIN_H
#define VT_CONTENT_ORIGIN_H

#include <cstdint>
#include <string>
#include <vector>

#include "path_index.h"

namespace vt {

class ContentOrigins {
 public:
  /* A write record (its mode has WRITE or WRITE_DIR) of entry `entry` at sequence `seq`. `from` is the raw source
   * path of a VT_REC_MOVED record ("" when the source is unknown), NULL for any other write. */
  void write(size_t entry, uint64_t seq, uint8_t flags, bool dir, const char *from, size_t from_len);
  /* A content read (VT_MODE_READ) of entry `entry` at sequence `seq`. */
  void read(size_t entry, uint64_t seq);
  /* For each of the `count` entries whose paths are the NUL-terminated strings of `paths` (in entry order, indexed
   * by `index`): 1 if some content read of it saw bytes the tree had not produced, else 0. */
  std::vector<uint8_t> resolve(const PathIndex &index, const std::string &paths, size_t count) const;

 private:
  struct Write {
    uint64_t seq;
    uint32_t entry;
    uint32_t from; /* offset of the cleaned source in froms_, or kNotMoved */
    uint8_t flags;
    bool dir;
  };
  struct Read {
    uint64_t seq;
    uint32_t entry;
  };
  class Resolver;
  static constexpr uint32_t kNotMoved = UINT32_MAX;

  std::vector<Write> writes_;
  std::vector<Read> reads_;
  std::string froms_;
};

}  // namespace vt

#endif
