/*
 * Filling in a run record (runner.h, struct lab_run_record) as a boot goes: the host and the tree when
 * it starts, the hashes of what boots, QEMU's version and command line, the end. Used by runner.c.
 */
#ifndef TESSERA_LAB_RUN_RECORD_H
#define TESSERA_LAB_RUN_RECORD_H

#include "machine.h"
#include "runner.h"

/* The seed, the mode, the host (CPU, kernel, load), the git revision of the tree the executable was built
 * in, the start time. */
void run_record_begin(struct lab_run_record *rec, const struct lab_system *s);
/* The git revision of the tree the executable was built in ("-dirty" when tracked files differ), or
 * "unknown"; asked once per process. What every record and the runs table say. */
void run_record_git_revision(char *buf, size_t size);
/* The first line of `QEMU --version`, or "unknown"; asked once per process and binary. */
void run_record_qemu_version(const char *qemu, char *buf, size_t size);
/* The SHA-256 of one file, in hex; 0 or -1 (errno set). */
int run_record_hash_file(const char *path, char hex[65]);
/* image_sha256 and images: the hypervisor image and every boot module of m, in order. 0 or -1. */
int run_record_hash_boot(struct lab_run_record *rec, const struct machine *m);
/* QEMU's version (asked once per process and binary) and its whole command line; the hypervisor's. */
void run_record_set_qemu(struct lab_run_record *rec, const char *qemu, char *const *argv,
			 const char *hv_cmdline);
/* repeat: the `tessera run` command line that boots s again (config: its real path, or NULL; timeout_s:
 * the machine's, 0 for none). */
void run_record_set_repeat(struct lab_run_record *rec, const struct lab_system *s, const char *config,
			   unsigned int timeout_s);
/* The end time and load. */
void run_record_end(struct lab_run_record *rec, int exit_status);

#endif
