/*
 * Reads a finished trace ring and merges its records per cleaned path: the mode bits, and whether some content
 * read of the path saw bytes the tree had not produced itself (content_origin.h), which makes a run that also
 * writes the path uncacheable.
 */
#ifndef VT_RING_READER_H
#define VT_RING_READER_H

#include <cstdint>
#include <string>
#include <vector>

namespace vt {

struct PathEntry {
  uint8_t modes = 0;
  /* some content read saw bytes the tree had not produced (it was there before, or moved here from such a path) */
  bool read_before_write = false;
};

struct RingSummary {
  uint32_t status = 0;
  uint32_t mechanism = 0;
  bool sync_wake_up = false;
  uint64_t notifications = 0;
  uint64_t shim_events = 0;
  uint64_t supervisor_cpu_us = 0;
  uint64_t records = 0;
  uint64_t dropped_non_utf8 = 0;
  int32_t exec_errno = 0; /* the launcher could not exec the task's program (vt_abi.h) */
  bool torn = false;      /* a record was reserved but never completed (a writer died mid-record) */
  bool truncated = false; /* more distinct paths than the limit */
  std::string reason;
  std::vector<PathEntry> entries;
  /* entries[i]'s path is the i-th NUL-terminated string in `paths` (one buffer: one JS string, split in JS) */
  std::string paths;
};

/* Throws std::runtime_error when the file is not a trace ring. `limit` = 0 means unlimited. */
RingSummary read_ring(const std::string &file, uint64_t limit);

/* Creates a fresh ring file (exclusive, mode 0600). Throws std::runtime_error. */
void create_ring(const std::string &file, uint64_t capacity);

}  // namespace vt

#endif
