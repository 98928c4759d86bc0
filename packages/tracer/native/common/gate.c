#include "gate.h"

#include <string.h>
#include <sys/mman.h>

#include "raw_syscall.h"
#include "syscalls.h"
#include "vt_abi.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#if defined(__x86_64__)
/* SysV call (nr, a0..a5 in rdi, rsi, rdx, rcx, r8, r9, [rsp+8]) -> syscall convention. Lives in .rodata: it is
 * only ever executed from the copy at VT_GATE_ADDR. */
__asm__(".pushsection .rodata\n"
        ".balign 16\n"
        "vt_gate_template:\n"
        "  mov %rdi, %rax\n"
        "  mov %rsi, %rdi\n"
        "  mov %rdx, %rsi\n"
        "  mov %rcx, %rdx\n"
        "  mov %r8, %r10\n"
        "  mov %r9, %r8\n"
        "  mov 8(%rsp), %r9\n"
        "  syscall\n"
        "vt_gate_template_after_syscall:\n"
        "  ret\n"
        "vt_gate_template_end:\n"
        ".popsection\n");
#endif

extern const unsigned char vt_gate_template[], vt_gate_template_after_syscall[], vt_gate_template_end[];

const unsigned char *vt_gate_code(size_t *len) {
  *len = (size_t)(vt_gate_template_end - vt_gate_template);
  return vt_gate_template;
}

size_t vt_gate_ip_offset(void) { return (size_t)(vt_gate_template_after_syscall - vt_gate_template); }

vt_gate_fn vt_gate_map(void) {
  long p = vt_raw6(VT_NR_mmap, (long)VT_GATE_ADDR, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  /* EEXIST: the address is taken (by the program itself, or by a second copy of the shim): stay slow. */
  if (p < 0 && p > -4096) return NULL;
  if ((unsigned long)p != VT_GATE_ADDR) {
    /* Kernels before 4.17 treat the flag as a hint and may place the mapping elsewhere. */
    vt_raw2(VT_NR_munmap, p, 4096);
    return NULL;
  }
  size_t len;
  const unsigned char *code = vt_gate_code(&len);
  memcpy((void *)p, code, len);
  if (vt_raw3(VT_NR_mprotect, p, 4096, PROT_READ | PROT_EXEC) != 0) {
    vt_raw2(VT_NR_munmap, p, 4096);
    return NULL;
  }
  return (vt_gate_fn)p;
}
