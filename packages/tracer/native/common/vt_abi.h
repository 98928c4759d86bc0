/*
 * Shared layout of the trace ring: the one contract between the launcher/supervisor (C), the LD_PRELOAD shim (C)
 * and the Node addon (C++) that reads the result. Everything in the ring is written by processes of the traced
 * tree or by the supervisor and read once, after the tree has exited, by the addon.
 *
 * The ring is a sparse file (normally in /dev/shm) mapped MAP_SHARED by every writer. Writers reserve space with
 * one atomic fetch_add on `tail`, so the byte offset of a record is also its global sequence number: the order in
 * which the shim and the supervisor *attempted* accesses. That order is what lets the reader decide whether a path
 * was read before the tree first wrote it.
 */
#ifndef VT_ABI_H
#define VT_ABI_H

#include <stdint.h>

#define VT_RING_MAGIC 0x31474e4952545600ULL /* "\0VTRING1" little-endian */
#define VT_RING_VERSION 2u
#define VT_RING_DATA_OFFSET 4096u
/* Virtual size of the ring file. Only touched pages use memory; 256 MiB is roughly three million events. */
#define VT_RING_DEFAULT_CAPACITY (256ull << 20)
/* Writers back the file with real pages in chunks of this size before they touch it (MADV_POPULATE_WRITE), so a
 * full tmpfs turns into an "overflow" flag instead of a SIGBUS inside the traced program. */
#define VT_RING_POPULATE_CHUNK (64ull << 10)

/* Access modes, a bit set per record (spec: tracing.md section 2). */
#define VT_MODE_READ 0x01u      /* content read (or a failed attempt to read) */
#define VT_MODE_STAT 0x02u      /* metadata / existence check */
#define VT_MODE_READ_DIR 0x04u  /* directory listing */
#define VT_MODE_WRITE 0x08u     /* content or existence change of a non-directory */
#define VT_MODE_WRITE_DIR 0x10u /* directory created, removed or renamed */
#define VT_MODE_WRITES (VT_MODE_WRITE | VT_MODE_WRITE_DIR)

/* Record flags. */
#define VT_REC_EXISTED 0x01u   /* for write records: the path existed just before the write was attempted */
/* For write records: the path now holds content that was moved here (rename), so whether that content came from
 * the tree depends on where it came from. The source path follows the NUL that ends `path`, NUL-terminated; it is
 * empty when the source cannot be named (both sides of a RENAME_EXCHANGE), which the reader takes as content the
 * tree did not produce. */
#define VT_REC_MOVED 0x02u
/* For write records of a file that existed: the write kept its bytes (an open for writing without O_TRUNC, such as
 * an append; a chmod, chown or utime; a truncate to a non-zero length), so what the path holds afterwards still
 * contains what it held before, and a later read of it sees those bytes too. */
#define VT_REC_KEPT 0x04u
#define VT_REC_COMMITTED 0x80u /* set last (release store): the record is complete */

/* Header status bits. */
#define VT_STATUS_OVERFLOW 0x01u    /* the ring ran out of space: some events were not recorded */
#define VT_STATUS_UNTRACEABLE 0x02u /* some access could not be decoded, or tracing failed to start */
#define VT_STATUS_STARTED 0x04u     /* the supervisor took over the seccomp listener (or tracee) */
#define VT_STATUS_DONE 0x08u        /* the supervisor saw the whole tree exit and wrote its last record */

/* Tracing mechanism that ran, header field `mode`. */
#define VT_MECH_NONE 0u
#define VT_MECH_UNOTIFY 1u
#define VT_MECH_PTRACE 2u

#define VT_REASON_LEN 160

typedef struct vt_ring_header {
  uint64_t magic;
  uint32_t version;
  uint32_t mechanism;      /* VT_MECH_* */
  uint64_t capacity;       /* size of the file in bytes */
  uint64_t tail;           /* atomic: next free byte offset; starts at VT_RING_DATA_OFFSET */
  uint64_t populated;      /* atomic: bytes [0, populated) are backed by pages */
  uint32_t status;         /* atomic: VT_STATUS_* */
  uint32_t sync_wake_up;   /* 1 if the supervisor enabled SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
  uint64_t notifications;  /* atomic: syscalls that stopped at the supervisor */
  uint64_t shim_events;    /* atomic: records written by the preload shim */
  uint64_t supervisor_cpu_us; /* user+system CPU the supervisor process used, written when it is done */
  /* errno of the launcher's failed exec of the task's program (0: it did exec). The task never ran, and vt reports a
   * spawn error as for an untraced task; an exit status could not say this, since any program may exit 126/127. */
  int32_t exec_errno;
  uint32_t unused;
  char reason[VT_REASON_LEN]; /* first reason for VT_STATUS_UNTRACEABLE / OVERFLOW, NUL-terminated */
} vt_ring_header;

typedef struct vt_record {
  uint32_t size;  /* whole record in bytes, a multiple of 8; written first */
  uint8_t mode;   /* VT_MODE_* */
  uint8_t flags;  /* VT_REC_*; COMMITTED written last */
  uint16_t path_len;
  char path[];    /* absolute, not yet cleaned, NUL-terminated; with VT_REC_MOVED followed by the source path */
} vt_record;

/* Environment variable through which the launcher tells the shim where the ring is. */
#define VT_ENV_RING "VT_TRACER_RING"

/* Fixed address of the syscall gate page the shim maps; the seccomp filter lets watched syscalls whose instruction
 * pointer is the gate's post-syscall address through without stopping. */
#define VT_GATE_ADDR 0x3f0000000000ull

#endif
