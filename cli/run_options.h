/* The options of `tessera run`, parsed without side effects so that unit tests can check every case. */
#ifndef TESSERA_CLI_RUN_OPTIONS_H
#define TESSERA_CLI_RUN_OPTIONS_H

#include <stddef.h>

#include "../lab/machine.h"

struct run_options {
	struct machine machine; /* defaults, then what the options say (hv_image is left to the caller) */
	const char *config;	/* --config FILE, NULL without */
	const char *faults;	/* --faults PLAN.yaml, NULL without */
	const char *batch; /* --batch DIR/batch.blob: an experiment batch as a boot module, NULL without */
	const char
		*channel;   /* --channel FILE: the host channel, for tessera fi inject / cell; NULL without */
	const char *record; /* --record FILE: the run record as JSON; NULL without */
	bool no_config;	    /* --no-config: boot the hypervisor alone, with no cells */
	bool bundle;	    /* --bundle: the boot modules as one boot bundle */
	bool help;
};

extern const char run_usage[];

/*
 * Parse argv (argv[0] = "run"). Returns 0, or -1 with a message such as
 * "--smp: expected a number 1..16, got 'x'" in err (without the "tessera run: " prefix).
 */
int run_options_parse(int argc, char **argv, struct run_options *o, char *err, size_t size);

#endif
