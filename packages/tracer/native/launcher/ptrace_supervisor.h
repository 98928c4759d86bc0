/*
 * Fallback supervisor for machines without seccomp user notification: the same filter with SECCOMP_RET_TRACE,
 * and this process as the ptrace tracer of the whole tree (children are attached automatically on fork, vfork
 * and clone). Slower per event than user notification, but the same recall.
 */
#ifndef VT_PTRACE_SUPERVISOR_H
#define VT_PTRACE_SUPERVISOR_H

#include <sys/types.h>

#include "../common/vt_abi.h"

/* Attaches to `root` (PTRACE_SEIZE) with the options the supervisor needs. Returns 0 or an errno. */
int vt_ptrace_attach(pid_t root);
/* Serves ptrace stops until no tracee is left, recording into `ring`. */
int vt_supervise_ptrace(vt_ring_header *ring);

#endif
