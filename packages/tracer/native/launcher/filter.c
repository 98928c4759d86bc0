#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include "../common/syscalls.h"

#define AT_EMPTY_PATH_BIT 0x1000u
#define X32_SYSCALL_BIT 0x40000000u

/* Offsets into struct seccomp_data (little-endian: low word first). */
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_IP_LO 8
#define OFF_IP_HI 12
#define OFF_ARG_LO(i) (16 + 8 * (i))

enum { L_NONE = -1, L_WATCH = 0, L_ALLOW, L_ALLOW_FD, L_ENOSYS, L_GATE, L_EMPTY_FDCWD, L_COUNT };

typedef struct asm_ctx {
  struct sock_filter *out;
  size_t cap, n;
  int label_pos[L_COUNT];
  /* pending jumps: instruction index, label for jt, label for jf */
  struct { size_t at; int jt, jf; } fix[VT_FILTER_MAX];
  size_t nfix;
  int overflow;
} asm_ctx;

static void emit(asm_ctx *a, uint16_t code, uint32_t k) {
  if (a->n >= a->cap) { a->overflow = 1; return; }
  a->out[a->n++] = (struct sock_filter){code, 0, 0, k};
}

/* Conditional jump whose targets are labels (L_NONE = fall through to the next instruction). */
static void jump(asm_ctx *a, uint16_t code, uint32_t k, int jt, int jf) {
  if (a->nfix >= VT_FILTER_MAX) { a->overflow = 1; return; }
  a->fix[a->nfix].at = a->n;
  a->fix[a->nfix].jt = jt;
  a->fix[a->nfix].jf = jf;
  a->nfix++;
  emit(a, code, k);
}

static void label(asm_ctx *a, int l) { a->label_pos[l] = (int)a->n; }

int vt_filter_build(struct sock_filter *out, size_t cap, uint32_t watched_action, uint64_t gate_ip) {
  asm_ctx a = {.out = out, .cap = cap};
  unsigned count;
  const vt_sysdesc *tab = vt_sys_table(&count);

  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH);
  /* Another ABI (i386 via int 0x80): different numbers, so stop everything; the supervisor reports it. */
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, L_NONE, L_WATCH);
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_NR);
  jump(&a, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, L_WATCH, L_NONE);
  /* io_uring would let file operations bypass the filter; ENOSYS makes libuv and friends fall back. */
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, VT_NR_io_uring_setup, L_ENOSYS, L_NONE);
  /* fstat() is newfstatat/statx(fd, "", AT_EMPTY_PATH): an fd, not a path. Only cwd-relative empty paths
   * (a stat of the cwd) still need to stop. A non-empty path combined with AT_EMPTY_PATH on a real fd is
   * an access this lets through unseen: a known, documented gap (no libc or runtime we know emits it). */
  size_t newfstatat_jump = a.n;
  emit(&a, BPF_JMP | BPF_JEQ | BPF_K, VT_NR_newfstatat);
  size_t statx_jump = a.n;
  emit(&a, BPF_JMP | BPF_JEQ | BPF_K, VT_NR_statx);
  for (unsigned i = 0; i < count; i++) {
    if (tab[i].nr == VT_NR_newfstatat || tab[i].nr == VT_NR_statx) continue;
    jump(&a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)tab[i].nr, L_GATE, L_NONE);
  }
  /* seccomp(2) itself: under the ptrace fallback, a filter with its own listener installed by the task would take
   * precedence over our TRACE action and hide accesses; the supervisor must see such calls to report it. */
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, VT_NR_seccomp, L_WATCH, L_NONE);
  /* open_by_handle_at opens a file without naming it: the supervisor reports the trace as incomplete. */
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, VT_NR_open_by_handle_at, L_WATCH, L_NONE);
  label(&a, L_ALLOW);
  emit(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

  /* newfstatat: flags in args[3] */
  size_t newfstatat_block = a.n;
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_ARG_LO(3));
  jump(&a, BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH_BIT, L_EMPTY_FDCWD, L_GATE);
  /* statx: flags in args[2] */
  size_t statx_block = a.n;
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_ARG_LO(2));
  jump(&a, BPF_JMP | BPF_JSET | BPF_K, AT_EMPTY_PATH_BIT, L_EMPTY_FDCWD, L_GATE);
  label(&a, L_EMPTY_FDCWD);
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_ARG_LO(0));
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)-100, L_GATE, L_ALLOW_FD);
  label(&a, L_GATE);
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_IP_HI);
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(gate_ip >> 32), L_NONE, L_WATCH);
  emit(&a, BPF_LD | BPF_W | BPF_ABS, OFF_IP_LO);
  jump(&a, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)gate_ip, L_ALLOW_FD, L_WATCH);
  label(&a, L_WATCH);
  emit(&a, BPF_RET | BPF_K, watched_action);
  label(&a, L_ENOSYS);
  emit(&a, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
  label(&a, L_ALLOW_FD);
  emit(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  if (a.overflow) return -1;

  if (newfstatat_block - newfstatat_jump - 1 > 255 || statx_block - statx_jump - 1 > 255) return -1;
  a.out[newfstatat_jump].jt = (uint8_t)(newfstatat_block - newfstatat_jump - 1);
  a.out[statx_jump].jt = (uint8_t)(statx_block - statx_jump - 1);
  for (size_t i = 0; i < a.nfix; i++) {
    size_t at = a.fix[i].at;
    int targets[2] = {a.fix[i].jt, a.fix[i].jf};
    uint8_t *fields[2] = {&a.out[at].jt, &a.out[at].jf};
    for (int j = 0; j < 2; j++) {
      if (targets[j] == L_NONE) { *fields[j] = 0; continue; }
      long dist = (long)a.label_pos[targets[j]] - (long)at - 1;
      if (dist < 0 || dist > 255) return -1;
      *fields[j] = (uint8_t)dist;
    }
  }
  return (int)a.n;
}
