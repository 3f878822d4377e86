/* `tessera run`: boot the hypervisor in one QEMU machine (lab/) and report how the run ended. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../faultinj/plan/prepare_boot.h"
#include "../lab/qemu_cmdline.h"
#include "../lab/lava/bundle_write.h"
#include "../lab/qemu_run.h"
#include "../trace/probes.h"
#include "commands.h"
#include "run.h"
#include "run_config.h"
#include "run_options.h"

#define HV_IMAGE_REL "x86_64_hv/tessera-hv.elf"
/* The build directory sits in the source tree (./tessera builds into out/), so the shipped configs are here: */
#define DEFAULT_CONFIG_REL "../configs/default.yaml"

static char *last_cmdline;

const char *run_qemu_cmdline(void)
{
	return last_cmdline;
}

/* A file relative to the directory of our own executable. */
static int path_beside_exe(char *path, size_t size, const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(path, size, "%s/%s", exe, rel) >= size)
		return -1;
	return 0;
}

int run_find_hv_image(char *path, size_t size)
{
	return path_beside_exe(path, size, HV_IMAGE_REL);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* The run's scratch directory (compiled config, host channel file), removed after the run. */
static int make_workdir(char *workdir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(workdir, size, "%s/tessera-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		perror("tessera: cannot create a scratch directory");
		workdir[0] = '\0';
		return 1;
	}
	return 0;
}

/* --bundle: the config's modules, in their order, as one boot bundle in the scratch directory. */
static int bundle_modules(struct machine *m, const char *workdir, const char *prog)
{
	char path[PATH_MAX], err[PATH_MAX + 128];
	int ret;

	snprintf(path, sizeof(path), "%s/system.bundle", workdir);
	ret = bundle_machine_modules(m, path, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s: --bundle: %s\n", prog, err);
	return ret;
}

#define CHANNEL_MB 4

/*
 * --channel FILE: the host channel at a path other tools know. Tracing stays off unless the command line
 * asks for events (a channel turns every event on by default, for trace record).
 */
static int channel_create(struct run_options *o, const char *prog)
{
	static char cmdline[1024];
	char tmp[PATH_MAX];

	/* Sized under another name, then renamed: a tool started beside the run (tessera fi inject) sees
	 * no file or the whole channel, never an empty one. */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", o->channel, (int)getpid());
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)CHANNEL_MB << 20) || rename(tmp, o->channel)) {
		fprintf(stderr, "%s: --channel %s: %s\n", prog, o->channel, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return 1;
	}
	close(fd);
	o->machine.shm_path = o->channel;
	o->machine.shm_mb = CHANNEL_MB;
	const char *c = o->machine.cmdline;
	if (!c || !strstr(c, "trace_events=")) {
		snprintf(cmdline, sizeof(cmdline), "%s%strace_events=0", c ? c : "", c ? " " : "");
		o->machine.cmdline = cmdline;
	}
	return 0;
}

static int boot(struct run_options *o, const char *prog, const struct run_hooks *h)
{
	struct qemu_run_result r;
	char **argv = qemu_cmdline_build(&o->machine);

	if (!argv) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	free(last_cmdline);
	last_cmdline = qemu_cmdline_format(argv);
	if (o->machine.verbose && last_cmdline)
		fprintf(stderr, "%s: %s\n", prog, last_cmdline);
	fflush(stdout);
	fflush(stderr);
	probe_run_start(o->config, o->machine.hv_image);
	int ret = qemu_run(argv, &o->machine, &r);
	probe_run_stop(ret ? 1 : r.exit_status, r.wait_status);
	qemu_cmdline_free(argv);
	if (h && h->after)
		h->after(ret ? 1 : r.exit_status, h->ctx);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, r.summary);
		return 1;
	}
	if (r.exit_status || o->machine.verbose)
		fprintf(stderr, "%s: %s\n", prog, r.summary);
	return r.exit_status;
}

int run_system(int argc, char **argv, const char *prog, const struct run_hooks *h)
{
	struct run_options o;
	char err[256], hv[PATH_MAX], workdir[PATH_MAX] = "", default_config[PATH_MAX];
	int ret;

	if (run_options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (o.help) {
		fputs(run_usage, stdout);
		return 0;
	}
	if (run_find_hv_image(hv, sizeof(hv))) {
		fprintf(stderr, "%s: cannot find my own executable in /proc/self/exe\n", prog);
		return 1;
	}
	if (access(hv, R_OK)) {
		fprintf(stderr, "%s: hypervisor image %s is missing (build it: ninja -C out)\n", prog, hv);
		return 1;
	}
	o.machine.hv_image = hv;
	if (!o.config && !o.no_config) {
		if (path_beside_exe(default_config, sizeof(default_config), DEFAULT_CONFIG_REL) ||
		    access(default_config, R_OK)) {
			fprintf(stderr, "%s: no --config given and the default config %s is missing\n", prog,
				default_config);
			return 2;
		}
		/* Messages name it as a user would: /src/tessera/configs/default.yaml, not .../out/../configs. */
		char *real = realpath(default_config, NULL);
		if (real && strlen(real) < sizeof(default_config))
			strcpy(default_config, real);
		free(real);
		o.config = default_config;
	}
	/* A closed stdout must not kill us before QEMU is stopped; writes then simply fail. */
	signal(SIGPIPE, SIG_IGN);

	ret = o.config || h ? make_workdir(workdir, sizeof(workdir)) : 0;
	if (!ret && o.config)
		ret = config_prepare_boot(o.config, workdir, &o.machine);
	if (!ret && o.faults)
		ret = fault_plan_prepare_boot(o.faults, workdir, &o.machine);
	if (!ret && o.channel)
		ret = channel_create(&o, prog);
	if (!ret && o.bundle)
		ret = bundle_modules(&o.machine, workdir, prog);
	if (!ret && h && h->before)
		ret = h->before(&o.machine, workdir, h->ctx);
	if (!ret)
		ret = boot(&o, prog, h);
	if (workdir[0])
		nftw(workdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (o.channel && o.machine.shm_path)
		unlink(o.channel);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	return run_system(argc, argv, "tessera run", NULL);
}
