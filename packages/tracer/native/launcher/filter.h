/*
 * The seccomp BPF program installed by the launcher on the whole task tree. Watched syscalls stop at the
 * supervisor (USER_NOTIF, or TRACE for the ptrace fallback) unless they come from the shim's gate; everything else
 * is decided from the syscall number alone, so the kernel's per-syscall action cache keeps it free.
 */
#ifndef VT_FILTER_H
#define VT_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#define VT_FILTER_MAX 256

/* Builds the program into `out`; returns the instruction count, or -1 if it would not fit. */
int vt_filter_build(struct sock_filter *out, size_t cap, uint32_t watched_action, uint64_t gate_ip);

#endif
