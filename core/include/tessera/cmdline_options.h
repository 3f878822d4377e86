/*
 * Every hypervisor command-line option, with the form of its value: one table (cmdline_options.c) that
 * host tools check a command line against before anything boots (`bench run`'s plan check, `tessera run
 * --append`), so that a typo is a bad input, not a boot that stops with "bad config". A module that reads
 * a new key with cmdline_get adds it here, with the same rule for its value.
 */
#ifndef TESSERA_CMDLINE_OPTIONS_H
#define TESSERA_CMDLINE_OPTIONS_H

#include <tessera/compiler.h>

enum cmdline_value {
	CMDLINE_FLAG, /* bare key, any value ignored */
	CMDLINE_WORD, /* a non-empty word */
	CMDLINE_SIZE, /* cmdline_parse_size: "4096", "16M" */
	CMDLINE_UINT, /* decimal min..max */
	CMDLINE_HEX,  /* hex mask, "0x" optional */
	CMDLINE_PORT, /* decimal or 0x-hex, 0..65535 */
};

struct cmdline_option {
	const char *key;
	enum cmdline_value value;
	uint64_t min, max; /* CMDLINE_UINT, CMDLINE_SIZE */
	const char *form;  /* what the value must be, for messages */
};

extern const struct cmdline_option cmdline_options[];
extern const unsigned int cmdline_options_count;

/* The first word of cmdline the hypervisor would not accept: its offset, length and why. */
struct cmdline_problem {
	size_t offset, len;
	const char *why; /* "unknown option", or the option's form */
};

/* True when every word is a known option with a well-formed value; else *p says where and why. */
bool cmdline_check(const char *cmdline, struct cmdline_problem *p);

#endif
