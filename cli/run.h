/* `tessera run` pieces that other commands (bench, fi, run records) reuse. */
#ifndef TESSERA_CLI_RUN_H
#define TESSERA_CLI_RUN_H

#include <stddef.h>

#include "../lab/machine.h"

/* The QEMU command line of the last run started by this process, shell-quoted; NULL before any. */
const char *run_qemu_cmdline(void);
/* The hypervisor image beside this executable: <dir of /proc/self/exe>/x86_64_hv/tessera-hv.elf.
 * Returns 0, or -1 when the executable's own path cannot be read or does not fit. */
int run_find_hv_image(char *path, size_t size);

/* What a command built on `tessera run` adds around the boot (tessera trace record does). */
struct run_hooks {
	/* After the options are parsed and the config compiled into `workdir` (a scratch directory removed
	 * after the run), before QEMU starts: change the machine. Non-zero: the run's exit status, no boot. */
	int (*before)(struct machine *m, const char *workdir, void *ctx);
	/* After QEMU has been reaped (or could not start), with the run's exit status. */
	void (*after)(int status, void *ctx);
	void *ctx;
};

struct run_options;
struct lab_system;
/* What the options describe, as the lab runner takes it (strings point into o). */
void run_options_to_system(const struct run_options *o, struct lab_system *s);

/*
 * `tessera run` with argv as it takes them (argv[0] = "run"), messages prefixed with `prog`, and the
 * hooks (NULL for none). Returns the exit status of `tessera run`.
 */
int run_system(int argc, char **argv, const char *prog, const struct run_hooks *h);

#endif
