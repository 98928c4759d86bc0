/* File-descriptor plumbing between the launcher and the supervisor it forks: one-byte messages with an optional
 * passed fd (SCM_RIGHTS), and closing everything the supervisor must not keep open. */
#ifndef VT_FDUTIL_H
#define VT_FDUTIL_H

/* Sends the one-byte message `tag`, with `fd` attached when fd >= 0. 0 on success. */
int vt_send_fd(int sock, char tag, int fd);
/* Receives a one-byte message into *tag; returns the attached fd, -1 when none, -2 on error or EOF. */
int vt_recv_fd(int sock, char *tag);
/* Reads one byte; 0 on success, -1 on error or EOF. */
int vt_read_byte(int fd, char *out);
/* Closes every fd from 3 up except `a` and `b`. */
void vt_close_all_except(int a, int b);

#endif
