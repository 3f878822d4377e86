/*
 * Building QEMU's command line for a machine to boot. Pure: no processes, no files, so that unit tests
 * can check every argument. The runner (qemu_run.h) executes what this builds.
 */
#ifndef TESSERA_LAB_QEMU_CMDLINE_H
#define TESSERA_LAB_QEMU_CMDLINE_H

#include "machine.h"

/* A NULL-terminated argv for execvp; every string is heap-allocated. NULL when out of memory or when
 * the machine lacks a hypervisor image. Free with qemu_cmdline_free(). */
char **qemu_cmdline_build(const struct machine *m);
void qemu_cmdline_free(char **argv);
/* The command line as one string a shell would run unchanged (arguments quoted where needed), for the
 * verbose output and for run records. Heap-allocated; NULL when out of memory. */
char *qemu_cmdline_format(char *const *argv);

#endif
