/*
 * A client of QEMU's machine protocol (QMP) on a unix socket (QEMU's `-qmp unix:PATH,server=on,wait=off`):
 * connect, negotiate capabilities, run commands, and the human monitor's commands that QMP lacks (such
 * as `mce`) through `human-monitor-command`. Messages are JSON objects, one per line (jansson parses
 * them); asynchronous events that arrive between a command and its answer are skipped. Every read has
 * a time limit, so a QEMU that hangs or dies ends a call with an error instead of blocking it.
 */
#ifndef TESSERA_LAB_QMP_H
#define TESSERA_LAB_QMP_H

#include <stddef.h>
#include <stdint.h>

struct qmp {
	int fd;
	int timeout_ms; /* per read */
	char buf[8192]; /* bytes read and not yet parsed */
	size_t len;
	char error[256]; /* why the last call failed */
};

/*
 * Connect to the socket at `path`, waiting up to `wait_ms` for QEMU to create it, read the greeting and
 * enter command mode (qmp_capabilities). 0, or -1 with q->error set.
 */
int qmp_connect(struct qmp *q, const char *path, int wait_ms);
/*
 * Run one command: `json` is the whole request, e.g. {"execute":"query-status"}. On success 0 and, if
 * `reply` is not NULL, the text of the answer's "return" value (JSON) in reply[size]. -1 with q->error
 * set when QEMU answers with an error, the connection fails or the answer does not come in time.
 */
int qmp_execute(struct qmp *q, const char *json, char *reply, size_t size);
/* A human monitor command line (e.g. "info registers"): its output text in out[size]. 0 or -1. */
int qmp_hmp(struct qmp *q, const char *command_line, char *out, size_t size);
/*
 * QEMU's `mce CPU BANK STATUS MCGSTATUS ADDR MISC`: a machine check recorded in a bank of a CPU (and
 * signalled, if uncorrected). QEMU reports refusals ("Uncorrected error reporting disabled", ...) as
 * monitor output, not as errors: a non-empty output is returned as -1 with q->error set to it.
 */
int qmp_mce(struct qmp *q, unsigned int cpu, unsigned int bank, uint64_t status, uint64_t mcg_status,
	    uint64_t addr, uint64_t misc);
void qmp_close(struct qmp *q);

#endif
