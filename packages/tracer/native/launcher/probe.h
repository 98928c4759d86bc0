/* `vt-trace-launcher --probe`: which tracing mechanism works here, printed as one line for vt to parse. */
#ifndef VT_PROBE_H
#define VT_PROBE_H
int vt_probe_main(void);
#endif
