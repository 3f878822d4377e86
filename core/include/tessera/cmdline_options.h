/*
 * Every hypervisor command-line option, with the form of its value: one table, the X-macro below, that
 * both sides read. Host tools check a command line against it before anything boots (`bench run`'s plan
 * check, `tessera run --append`), so that a typo is a bad input; the hypervisor warns about every word it
 * does not accept (cmdline_report.c) and its modules read their options only through
 * cmdline_option(), which parses each value once by the option's type. A new option is one line here.
 */
#ifndef TESSERA_CMDLINE_OPTIONS_H
#define TESSERA_CMDLINE_OPTIONS_H

#include <tessera/compiler.h>

enum cmdline_value {
	CMDLINE_FLAG,	/* bare key, any value ignored */
	CMDLINE_WORD,	/* a non-empty word */
	CMDLINE_CHOICE, /* one of the option's choices ("hlt|poll"); num is its index */
	CMDLINE_SIZE,	/* cmdline_parse_size: "4096", "16M" */
	CMDLINE_UINT,	/* decimal min..max */
	CMDLINE_HEX,	/* hex mask, "0x" optional */
	CMDLINE_PORT,	/* decimal or 0x-hex, 0..max */
};

/* What the hypervisor does with a malformed value (after naming it on the console). */
enum cmdline_on_bad {
	CMDLINE_STOP,	/* refuse to boot: exit status BAD_CONFIG */
	CMDLINE_IGNORE, /* warn and keep the default */
};

/*
 * X(ID, key, value type, min, max, choices, on a bad value, form). min/max bound UINT, SIZE and PORT;
 * choices are CHOICE's words separated by '|'; form says what the value must be, in messages and docs.
 * docs/architecture.md's option table is checked against this one (core/cmdline_options_test.c).
 */
#define CMDLINE_OPTIONS(X)                                                                                   \
	X(CONFIG, "config", WORD, 0, 0, NULL, STOP, "the name of a boot module")                             \
	X(LOGLEVEL, "loglevel", CHOICE, 0, 0, "error|warn|info|debug", IGNORE, "error, warn, info or debug") \
	X(POOL, "pool", SIZE, 8192, UINT64_MAX, NULL, STOP, "a page pool size of at least 8K (4096, 16M)")   \
	X(TEST_FAULT, "test_fault", WORD, 0, 0, NULL, STOP, "a fault kind")                                  \
	X(IDLE, "idle", CHOICE, 0, 0, "hlt|poll", STOP, "hlt or poll")                                       \
	X(TEST_PIC_PENDING, "test_pic_pending", FLAG, 0, 0, NULL, IGNORE, "no value")                        \
	X(TEST_SMP_SKIP, "test_smp_skip", UINT, 1, 4096, NULL, STOP, "a CPU index from 1")                   \
	X(BENCH_EXIT_WORK, "bench_exit_work", UINT, 0, BENCH_EXIT_WORK_MAX, NULL, STOP,                      \
	  "a number of rounds 0..10000000")                                                                  \
	X(BENCH_NULL_PORT, "bench_null_port", PORT, 0, 0xffff, NULL, STOP, "a port number 0..65535")         \
	X(INSECURE_TEST_GRANT_PORT, "insecure_test_grant_port", PORT, 0, 0xffff, NULL, STOP,                 \
	  "a port number 0..65535")                                                                          \
	X(TRACE_RING, "trace_ring", SIZE, 256, UINT64_MAX, NULL, IGNORE,                                     \
	  "a ring size of at least 256 bytes")                                                               \
	X(TRACE_EVENTS, "trace_events", HEX, 0, 0, NULL, IGNORE, "a hex event mask")                         \
	X(TRACE_CELLS, "trace_cells", HEX, 0, 0, NULL, IGNORE, "a hex cell mask")

enum cmdline_id {
#define CMDLINE_ID(id, ...) CMDLINE_##id,
	CMDLINE_OPTIONS(CMDLINE_ID)
#undef CMDLINE_ID
		CMDLINE_NR_OPTIONS
};

struct cmdline_option {
	const char *key;
	enum cmdline_value value;
	uint64_t min, max;
	const char *choices;
	enum cmdline_on_bad on_bad;
	const char *form;
};

/* Indexed by enum cmdline_id. */
extern const struct cmdline_option cmdline_options[];
extern const unsigned int cmdline_options_count;

/* A value as its type parses it: the text, and the number (or CHOICE's index) for the numeric types. */
struct cmdline_arg {
	const char *str;
	size_t len;
	uint64_t num;
};

enum cmdline_found {
	CMDLINE_ABSENT,
	CMDLINE_GOOD,
	CMDLINE_MALFORMED, /* a->str/len still give the text */
};

/* The first `key` or `key=value` word for option id, parsed by its type. */
enum cmdline_found cmdline_option_find(const char *cmdline, enum cmdline_id id, struct cmdline_arg *a);

/* True when the option is there with a well-formed value (a malformed one was reported at boot). */
static inline bool cmdline_option(const char *cmdline, enum cmdline_id id, struct cmdline_arg *a)
{
	return cmdline_option_find(cmdline, id, a) == CMDLINE_GOOD;
}

/* A word of the command line the hypervisor would not accept: where, why, and which option. */
struct cmdline_problem {
	size_t offset, len;
	const char *why;		  /* "unknown option", or the option's form */
	const struct cmdline_option *opt; /* NULL for an unknown option */
	const char *value;		  /* the value's text in the word (after '='), for messages */
	size_t value_len;
};

/* The next problem at or after *pos (start at 0); false when there is none left. */
bool cmdline_next_problem(const char *cmdline, size_t *pos, struct cmdline_problem *p);

/* True when every word is a known option with a well-formed value; else *p says where and why. */
bool cmdline_check(const char *cmdline, struct cmdline_problem *p);

/* Hypervisor only (cmdline_report.c): name every problem on the console; stop on a CMDLINE_STOP one. */
void cmdline_report(const char *cmdline);

#endif
