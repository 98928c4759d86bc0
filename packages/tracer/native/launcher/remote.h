/*
 * Decoding a syscall of another (stopped) process: reads its memory with process_vm_readv and resolves its cwd
 * and fds through /proc. Shared by the user-notification and the ptrace supervisors. Accesses are buffered
 * between decode and commit so the caller can first check that the process is still the one that stopped.
 */
#ifndef VT_REMOTE_H
#define VT_REMOTE_H

#include <stdint.h>
#include <sys/types.h>

#include "../common/vt_abi.h"

/* Decodes syscall `nr` (ABI `arch`, an AUDIT_ARCH_* value) made by `pid` into the pending buffer. */
void vt_remote_decode(pid_t pid, uint32_t arch, long nr, const uint64_t args[6]);
/* Appends the pending accesses (and any decoding failure) to the ring. */
void vt_remote_commit(vt_ring_header *ring);

#endif
