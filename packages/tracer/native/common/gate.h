/*
 * The syscall gate: a few bytes of code at a fixed address (VT_GATE_ADDR) that the shim calls like a function,
 * `long gate(long nr, long a0, ..., long a5)`, to make a syscall. The seccomp filter lets watched syscalls made
 * from the gate's syscall instruction through without stopping, which is what makes the shim's fast path fast.
 * The launcher needs the same byte offset to build the filter, so both take it from here.
 */
#ifndef VT_GATE_H
#define VT_GATE_H

#include <stddef.h>
#include <stdint.h>

typedef long (*vt_gate_fn)(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Template bytes and the offset of the instruction right after `syscall` (what seccomp reports as the IP). */
const unsigned char *vt_gate_code(size_t *len);
size_t vt_gate_ip_offset(void);

/* Maps the gate at VT_GATE_ADDR in the current process. Returns the callable gate, or NULL when the address is
 * taken (the shim then stays on the slow, supervised path). Uses only raw syscalls. */
vt_gate_fn vt_gate_map(void);

#endif
