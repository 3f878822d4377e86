/* Parsing `tessera run` options (see run_options.h). Hand-written rather than getopt so that every bad
 * value gets a message naming the option and the value, and so that the parser keeps no global state. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/batch.h>

#include "run_options.h"

#define TIMEOUT_MAX_S (24 * 3600)

const char run_usage[] =
	"usage: tessera run [options] [-- QEMU-ARGS...]\n"
	"\n"
	"Boot the hypervisor in QEMU (TCG) and stream its console to stdout.\n"
	"\n"
	"  --smp N          CPUs, 1..16 (default: the config's count, 4 without a config); at least\n"
	"                   what the config needs, extra CPUs stay parked\n"
	"  --mem SIZE       memory, e.g. 256M or 1G (default: the config's RAM, 256M without a config);\n"
	"                   at least what the config needs, extra RAM stays unused\n"
	"  --cpu MODEL      QEMU CPU model and flags (default EPYC)\n"
	"  --append ARGS    hypervisor command line, e.g. \"loglevel=debug\"\n"
	"  --timeout S      stop after S seconds, 0 for never (default 120)\n"
	"  --config FILE    boot the system described by a YAML config (default: configs/default.yaml;\n"
	"                   its machine: cpus and ram are the minimum --smp and --mem)\n"
	"  --no-config      boot the hypervisor alone, with no cells (bring-up tests)\n"
	"  --faults PLAN    inject the faults of a YAML fault plan (docs/faultinj.md), checked against\n"
	"                   the config before anything boots\n"
	"  --batch FILE     hand the hypervisor an experiment batch (a file named batch.blob, written by\n"
	"                   tessera fi campaign replay; docs/fault-campaigns.md) to run with no host\n"
	"  --channel FILE   share a host channel at FILE (created, removed after the run) so that\n"
	"                   `tessera fi inject` and `tessera cell` can send commands while it runs\n"
	"  --record FILE    write the run record (config and image hashes, QEMU version and command\n"
	"                   line, git revision, host, times: docs/lab-runner.md) to FILE as JSON\n"
	"  --bundle         pass the config blob and the images as one boot bundle (docs/lab.md), as a\n"
	"                   LAVA job does, instead of one boot module per file\n"
	"  -v, --verbose    print the QEMU command line and QEMU's own warnings\n"
	"  -h, --help       this text\n"
	"  -- QEMU-ARGS     passed to QEMU unchanged, after the generated arguments\n"
	"\n"
	"Exit status: 0 orderly hypervisor shutdown, 1 hypervisor panic/fault/unsupported CPU/bad\n"
	"config or QEMU failure, 2 bad options, 124 timeout, 130 interrupted (Ctrl-C).\n";

static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v >= min && *v <= max;
}

/* At least 16 MiB (the hypervisor needs room for its page pool), at most 1 TiB. */
static bool valid_mem(const char *s)
{
	uint64_t bytes;

	return !machine_parse_mem(s, &bytes) && bytes >= (16ULL << 20) && bytes <= (1ULL << 40);
}

/* "--name=value" or "--name value"; *i is advanced past what is used. NULL when the value is missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t len = strlen(name);

	if (a[len] == '=')
		return a + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool option_is(const char *arg, const char *name)
{
	size_t len = strlen(name);
	return !strncmp(arg, name, len) && (arg[len] == '\0' || arg[len] == '=');
}

int run_options_parse(int argc, char **argv, struct run_options *o, char *err, size_t size)
{
	static const char *const with_value[] = {"--smp",    "--mem",	 "--cpu",     "--append", "--timeout",
						 "--config", "--faults", "--channel", "--record", "--batch"};
	unsigned long n;

	memset(o, 0, sizeof(*o));
	machine_init_defaults(&o->machine);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name = NULL, *v = NULL;

		if (!strcmp(a, "--")) {
			o->machine.extra_args = argv + i + 1;
			o->machine.nr_extra = argc - i - 1;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
			continue;
		}
		if (!strcmp(a, "--no-config")) {
			o->no_config = true;
			continue;
		}
		if (!strcmp(a, "--bundle")) {
			o->bundle = true;
			continue;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->machine.verbose = true;
			continue;
		}
		for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
			if (option_is(a, with_value[k]))
				name = with_value[k];
		if (!name) {
			if (a[0] == '-')
				snprintf(err, size, "unknown option '%s' (see tessera run --help)", a);
			else
				snprintf(err, size, "unexpected argument '%s' (QEMU arguments go after --)",
					 a);
			return -1;
		}
		v = option_value(argc, argv, &i, name);
		if (!v) {
			snprintf(err, size, "%s: missing value", name);
			return -1;
		}
		if (!strcmp(name, "--smp")) {
			if (!parse_uint(v, 1, MACHINE_MAX_SMP, &n)) {
				snprintf(err, size, "--smp: expected a number 1..%d, got '%s'",
					 MACHINE_MAX_SMP, v);
				return -1;
			}
			o->machine.smp = (unsigned int)n;
			o->machine.smp_set = true;
		} else if (!strcmp(name, "--mem")) {
			if (!valid_mem(v)) {
				snprintf(err, size,
					 "--mem: expected a size from 16M to 1T such as 256M or 1G, got '%s'",
					 v);
				return -1;
			}
			o->machine.mem = v;
			o->machine.mem_set = true;
		} else if (!strcmp(name, "--timeout")) {
			if (!parse_uint(v, 0, TIMEOUT_MAX_S, &n)) {
				snprintf(err, size, "--timeout: expected seconds 0..%d (0 = none), got '%s'",
					 TIMEOUT_MAX_S, v);
				return -1;
			}
			o->machine.timeout_s = (unsigned int)n;
		} else if (!strcmp(name, "--cpu")) {
			if (!v[0] || strpbrk(v, " \t")) {
				snprintf(err, size, "--cpu: expected a QEMU CPU model such as EPYC, got '%s'",
					 v);
				return -1;
			}
			o->machine.cpu = v;
		} else if (!strcmp(name, "--append")) {
			o->machine.cmdline = v;
		} else if (!strcmp(name, "--config")) {
			if (!v[0]) {
				snprintf(err, size, "--config: expected a file name");
				return -1;
			}
			o->config = v;
		} else if (!strcmp(name, "--faults")) {
			if (!v[0]) {
				snprintf(err, size, "--faults: expected a file name");
				return -1;
			}
			o->faults = v;
		} else if (!strcmp(name, "--batch")) {
			const char *base = strrchr(v, '/') ? strrchr(v, '/') + 1 : v;
			if (strcmp(base, TESSERA_BATCH_MODULE) || strchr(v, ',')) {
				snprintf(err, size,
					 "--batch: expected a file named %s (the hypervisor finds the module "
					 "by that name), without ',', got '%s'",
					 TESSERA_BATCH_MODULE, v);
				return -1;
			}
			o->batch = v;
		} else if (!strcmp(name, "--channel")) {
			if (!v[0] || strchr(v, ',')) {
				snprintf(err, size, "--channel: expected a file name without ',', got '%s'",
					 v);
				return -1;
			}
			o->channel = v;
		} else if (!strcmp(name, "--record")) {
			if (!v[0]) {
				snprintf(err, size, "--record: expected a file name");
				return -1;
			}
			o->record = v;
		}
	}
	if (o->config && o->no_config) {
		snprintf(err, size, "--config and --no-config exclude each other");
		return -1;
	}
	if (o->faults && o->no_config) {
		snprintf(err, size, "--faults needs a config: --no-config boots no cells to inject into");
		return -1;
	}
	if (o->batch && o->no_config) {
		snprintf(err, size, "--batch needs a config: --no-config boots no cells to run it in");
		return -1;
	}
	if (o->bundle && o->no_config) {
		snprintf(err, size, "--bundle needs a config: --no-config boots no modules to bundle");
		return -1;
	}
	return 0;
}
