/*
 * A machine to boot: everything `tessera run` (and later bench, fi, lab) needs to start one QEMU machine
 * with the hypervisor. The command line builder (qemu_cmdline.c) turns it into an argv; the runner
 * (qemu_run.c) starts and watches the process. Other features fill it in: the config compiler adds its
 * blob and the cell images as boot modules, in the order the hypervisor expects them.
 *
 * The struct does not own its strings: they point into argv or into storage of the caller's.
 */
#ifndef TESSERA_LAB_MACHINE_H
#define TESSERA_LAB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qmp;

#define MACHINE_MAX_MODULES 32
#define MACHINE_MAX_SMP	    16

struct machine {
	const char *qemu;     /* the QEMU binary, "qemu-system-x86_64" unless overridden */
	const char *hv_image; /* -kernel: the hypervisor (ELF32 multiboot image) */
	const char *cmdline;  /* -append: the hypervisor command line, NULL for none */
	const char *modules[MACHINE_MAX_MODULES]; /* -initrd "a,b,c": boot modules, in order */
	unsigned int nr_modules;
	unsigned int smp;	/* CPUs, 1..MACHINE_MAX_SMP */
	bool smp_set, mem_set;	/* given explicitly by the user (a config sets the minimum) */
	const char *mem;	/* -m, as QEMU spells it: "256M", "1G" */
	const char *cpu;	/* -cpu model and flags: "EPYC", "qemu64,+svm,+npt" */
	unsigned int timeout_s; /* wall-clock limit for the whole run, 0 for none */
	char **extra_args;	/* appended as given (the user's arguments after `--`) */
	int nr_extra;
	bool verbose; /* print the QEMU command line and QEMU's own warnings */
	/* The host channel (principle 5, docs/architecture.md): a file QEMU shares with the host as an ivshmem-plain
	 * device's memory, NULL for none. shm_mb is its size in MiB, a power of two. */
	const char *shm_path;
	unsigned int shm_mb;
	/* Called around every line the runner writes out (console on stdout, QEMU's messages on stderr):
	 * before = true just before, false just after. `tessera trace record` erases its progress line on a
	 * terminal before and draws it again after, so the two never share a line. NULL for none. */
	void (*around_output)(bool before, void *ctx);
	void *around_output_ctx;
	/* Each console line (QEMU's stdout) without its line end ("\n", "\r\n"), instead of writing it to
	 * stdout. Non-zero: stop QEMU now (the run's exit status is then QEMU_RUN_STOPPED) and pass no
	 * further lines. NULL: lines go to stdout. */
	int (*on_line)(const char *line, void *ctx);
	void *on_line_ctx;
	bool quiet; /* QEMU's own messages (its stderr) are dropped, not copied to stderr */
	/* The guest's console as a regular file at this path (created empty by the runner) instead of
	 * QEMU's stdout. QEMU makes its stdout non-blocking, so a full pipe turns into a UART retry on the
	 * host's clock that a guest sees even under icount; a file never refuses a write. The runner
	 * follows the file as it grows. NULL: -serial stdio through a pipe, as before. */
	const char *console_path;
	/* QEMU's monitor (QMP) on a unix socket at this path, NULL for none. Once QEMU is up and the
	 * runner has connected, on_qmp gets the connection (valid until QEMU has been reaped: on_line may
	 * use it too). Non-zero from on_qmp: stop QEMU now (QEMU_RUN_STOPPED). */
	const char *qmp_path;
	int (*on_qmp)(struct qmp *q, void *ctx);
	void *on_qmp_ctx;
};

/* The defaults of `tessera run`: EPYC (SVM with nested paging under TCG), 4 CPUs, 256M, 120 s. */
void machine_init_defaults(struct machine *m);
/* Add a boot module; -1 (and nothing added) when the list is full or the path holds a ',' (QEMU's
 * -initrd separator, which cannot be escaped). */
int machine_add_module(struct machine *m, const char *path);

/*
 * QEMU's -m syntax: a number with an optional K/M/G/T suffix (none means MiB), in bytes. -1 when it is
 * not that, or does not fit in 64 bits.
 */
int machine_parse_mem(const char *s, uint64_t *bytes);

/*
 * A config describes the machine its cells need: nr_cpus CPUs and ram_size bytes of RAM. Without --smp or
 * --mem the machine gets exactly that (mem_buf holds the -m string then). More than that is allowed (the
 * hypervisor parks CPUs that no cell owns and leaves RAM outside the config unused); less is refused:
 * -1 with a message in err ("the config needs at least 4 CPUs, but --smp 2 was given").
 */
int machine_fit_config(struct machine *m, unsigned int nr_cpus, uint64_t ram_size, char *mem_buf,
		       size_t mem_size, char *err, size_t err_size);

#endif
