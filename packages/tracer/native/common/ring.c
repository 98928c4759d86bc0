#include "ring.h"

#include <string.h>

#include "raw_syscall.h"
#include "syscalls.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void vt_ring_fail(vt_ring_header *h, unsigned status_bit, const char *reason) {
  unsigned old = __atomic_fetch_or(&h->status, status_bit, __ATOMIC_ACQ_REL);
  /* First failure wins the reason slot (racy only between two simultaneous first failures; any is fine). */
  if (!(old & (VT_STATUS_UNTRACEABLE | VT_STATUS_OVERFLOW)) && reason) {
    size_t n = strlen(reason);
    if (n >= VT_REASON_LEN) n = VT_REASON_LEN - 1;
    memcpy(h->reason, reason, n);
    h->reason[n] = 0;
  }
}

/* Makes sure [0, end) of the file is backed by pages before anyone stores to it: a store to a page that tmpfs
 * cannot allocate would raise SIGBUS in the traced program. */
static int ensure_populated(vt_ring_header *h, uint64_t end) {
  uint64_t pop = __atomic_load_n(&h->populated, __ATOMIC_ACQUIRE);
  while (end > pop) {
    uint64_t target = (end + VT_RING_POPULATE_CHUNK - 1) & ~(VT_RING_POPULATE_CHUNK - 1);
    if (target > h->capacity) target = h->capacity;
    long r = vt_raw3(VT_NR_madvise, (char *)h + pop, target - pop, MADV_POPULATE_WRITE);
    /* EINVAL: kernel older than 5.14 without MADV_POPULATE_WRITE; fall back to touching pages directly. */
    if (r != 0 && r != -22) return -1;
    if (__atomic_compare_exchange_n(&h->populated, &pop, target, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return 0;
  }
  return 0;
}

vt_record *vt_ring_append(vt_ring_header *h, const char *path, size_t len, const char *from, size_t from_len,
                          unsigned mode, unsigned flags) {
  size_t payload = len + 1 + (from ? from_len + 1 : 0);
  if (len > 0xfff0 || payload > 0x1fff0) {
    vt_ring_fail(h, VT_STATUS_UNTRACEABLE, "a path too long to record");
    return NULL;
  }
  uint32_t size = (uint32_t)((sizeof(vt_record) + payload + 7) & ~(size_t)7);
  uint64_t off = __atomic_fetch_add(&h->tail, size, __ATOMIC_ACQ_REL);
  if (off + size > h->capacity) {
    vt_ring_fail(h, VT_STATUS_OVERFLOW, "trace ring is full");
    return NULL;
  }
  if (ensure_populated(h, off + size) != 0) {
    vt_ring_fail(h, VT_STATUS_OVERFLOW, "no memory left for the trace ring");
    return NULL;
  }
  vt_record *r = (vt_record *)((char *)h + off);
  __atomic_store_n(&r->size, size, __ATOMIC_RELAXED);
  r->mode = (uint8_t)mode;
  r->path_len = (uint16_t)len;
  memcpy(r->path, path, len);
  r->path[len] = 0;
  if (from) {
    memcpy(r->path + len + 1, from, from_len);
    r->path[len + 1 + from_len] = 0;
    flags |= VT_REC_MOVED;
  }
  __atomic_store_n(&r->flags, (uint8_t)(flags | VT_REC_COMMITTED), __ATOMIC_RELEASE);
  return r;
}
