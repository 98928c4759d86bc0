/*
 * The seccomp user-notification supervisor. Runs in a helper process forked (twice, so it is nobody's child in
 * the task tree) by the launcher before the filter exists, so it is itself never traced, and detached into its own
 * session so signals aimed at the task's process group don't take it down while the task still needs it.
 */
#ifndef VT_SUPERVISOR_H
#define VT_SUPERVISOR_H

#include "../common/vt_abi.h"

/* Serves notifications from `listener` until every process of the tree has exited (POLLHUP), recording into
 * `ring`. Returns 0, or -1 when the listener failed unexpectedly (the ring is then marked untraceable). */
int vt_supervise_unotify(int listener, vt_ring_header *ring);

#endif
