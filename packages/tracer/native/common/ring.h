/*
 * Appending records to the trace ring (layout in vt_abi.h). Lock-free: one fetch_add reserves space, so processes
 * of the traced tree and the supervisor can write concurrently without any syscall in the common case.
 */
#ifndef VT_RING_H
#define VT_RING_H

#include <stddef.h>

#include "vt_abi.h"

/* Appends one access. `from` (NULL for none) is the source of content moved to `path`: it is stored after the path
 * and sets VT_REC_MOVED. Returns the record (so the shim can downgrade it after a failed write) or NULL when the
 * ring is full (the header's OVERFLOW bit is then set). */
vt_record *vt_ring_append(vt_ring_header *h, const char *path, size_t len, const char *from, size_t from_len,
                          unsigned mode, unsigned flags);

/* Marks the trace incomplete, remembering the first reason. */
void vt_ring_fail(vt_ring_header *h, unsigned status_bit, const char *reason);

#endif
