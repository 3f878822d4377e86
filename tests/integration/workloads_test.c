/*
 * The benchmark workloads and the fault-injection inmates, end to end (docs/workloads.md): each test
 * boots a config of configs/bench/ or configs/fi/ once, with fewer iterations than the shipped config
 * (a copy with its args rewritten), reads the console with bench/workload_parse.c and checks counts and
 * plausibility; under -icount two boots of one workload must give identical samples, and fiself's result
 * must be the one the host computes for the same seed.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bench/workload_parse.h"
#include "harness.h"

#define ROOT	TESSERA_SOURCE_ROOT
#define LIMIT_S 100
#define ICOUNT	"shift=0,sleep=off"

/* Copy `config` to a scratch file with each edits[i] = "from", edits[i + 1] = "to" replaced (each
 * `from` must occur). Images are still found: beside out/tessera, not beside the config. */
static void config_copy(char *path, const char *config, const char *const *edits)
{
	FILE *f = fopen(config, "r");
	char *text = NULL, *s;
	size_t size = 0;

	cr_assert_not_null(f, "%s", config);
	cr_assert_eq(getdelim(&text, &size, '\0', f) > 0, true);
	fclose(f);
	for (; edits && edits[0]; edits += 2) {
		cr_assert_not_null(s = strstr(text, edits[0]), "%s: no '%s'", config, edits[0]);
		size_t from = strlen(edits[0]), to = strlen(edits[1]), len = strlen(text);
		char *n = malloc(len - from + to + 1);
		memcpy(n, text, (size_t)(s - text));
		memcpy(n + (s - text), edits[1], to);
		strcpy(n + (s - text) + to, s + from);
		free(text);
		text = n;
	}
	strcpy(path, "/tmp/tessera-wl-XXXXXX.yaml");
	int fd = mkstemps(path, 5);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(text);
}

/* Start the edited config (under icount if asked); its copy goes when the run is done. */
static void boot_start(struct tessera_proc *p, char *path, const char *config, const char *const *edits,
		       bool icount)
{
	config_copy(path, config, edits);
	if (icount)
		tessera_start(p, (const char *const[]){"run", "--config", path, "--timeout", "90", "--",
						       "-icount", ICOUNT, NULL});
	else
		tessera_start(p, (const char *const[]){"run", "--config", path, "--timeout", "90", NULL});
}

/* Wait for it; the hypervisor must have shut down in order. */
static void boot_wait(struct tessera_proc *p, const char *path)
{
	tessera_wait(p, LIMIT_S);
	unlink(path);
	cr_assert_eq(p->status, 0, "exit status %d\nstdout:\n%s\nstderr:\n%s", p->status, p->out, p->err);
}

static void boot(struct tessera_proc *p, const char *config, const char *const *edits, bool icount)
{
	char path[64];

	boot_start(p, path, config, edits, icount);
	boot_wait(p, path);
}

static void parse(const struct tessera_proc *p, struct workload_results *r)
{
	char err[512];

	memset(r, 0, sizeof(*r));
	cr_assert_eq(workload_parse_text(p->out, "console", r, err, sizeof(err)), 0, "%s\nin:\n%s", err,
		     p->out);
}

static uint64_t param(const struct workload_results *r, const char *cell, const char *wl, const char *key)
{
	uint64_t v = 0;

	cr_assert(workload_get_param(r, cell, wl, key, &v), "no param %s of %s in cell %s", key, wl, cell);
	return v;
}

/* Exactly n samples of a metric, each in [lo, hi]; returns them in v. */
static void samples(const struct workload_results *r, const char *cell, const char *wl, const char *metric,
		    uint64_t *v, size_t n, uint64_t lo, uint64_t hi)
{
	size_t got = workload_get_samples(r, cell, wl, metric, v, n);

	cr_assert_eq(got, n, "%s/%s: %zu samples, want %zu", wl, metric, got, n);
	for (size_t i = 0; i < n; i++)
		cr_expect(v[i] >= lo && v[i] <= hi, "%s/%s[%zu] = %lu, want %lu..%lu", wl, metric, i, v[i],
			  lo, hi);
}

static uint64_t median(const uint64_t *v, size_t n)
{
	uint64_t s[64];

	cr_assert_leq(n, 64);
	memcpy(s, v, n * sizeof(*v));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
			uint64_t t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return s[n / 2];
}

/* Every shipped config passes the checker (the tests below boot all but membw-alone.yaml). */
Test(workloads, every_bench_and_fi_config_passes_config_check, .timeout = 60)
{
	glob_t g;

	cr_assert_eq(glob(ROOT "/configs/bench/*.yaml", 0, NULL, &g), 0);
	cr_assert_eq(glob(ROOT "/configs/fi/*.yaml", GLOB_APPEND, NULL, &g), 0);
	cr_expect_geq(g.gl_pathc, 12, "%zu configs", g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct tessera_proc p;
		tessera_run(&p, 30, (const char *const[]){"config", "check", g.gl_pathv[i], NULL});
		cr_expect_eq(p.status, 0, "%s: exit %d\n%s", g.gl_pathv[i], p.status, p.err);
		tessera_free(&p);
	}
	globfree(&g);
}

Test(workloads, cpuint_samples_and_a_correct_sieve, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t v[5];

	boot(&p, ROOT "/configs/bench/cpuint.yaml", (const char *const[]){"iters=20", "iters=5", NULL},
	     false);
	parse(&p, &r);
	cr_expect_eq(param(&r, "cpuint", "cpuint", "primes"), 9592, "primes below 100000");
	samples(&r, "cpuint", "cpuint", "sieve", v, 5, 1, UINT64_MAX);
	samples(&r, "cpuint", "cpuint", "hash", v, 5, 1, UINT64_MAX);
	cr_expect_eq(workload_find_run(&r, "cpuint", "cpuint")->samples, 10);
	workload_results_free(&r);
	tessera_free(&p);
}

/* Under icount the TSC counts instructions: two boots give the same samples, sample by sample. */
Test(workloads, cpuint_is_deterministic_under_icount, .timeout = 200)
{
	static const char *const edits[] = {"iters=20 n=100000 words=16384", "iters=4 n=20000 words=4096",
					    NULL};
	struct tessera_proc p[2];
	struct workload_results r[2];
	uint64_t v[2][4], h[2][4];

	char path[2][64];

	/* Both at once: an icount boot runs on one host thread, and most of its time is the boot itself. */
	for (int k = 0; k < 2; k++)
		boot_start(&p[k], path[k], ROOT "/configs/bench/cpuint.yaml", edits, true);
	for (int k = 0; k < 2; k++) {
		boot_wait(&p[k], path[k]);
		parse(&p[k], &r[k]);
		samples(&r[k], "cpuint", "cpuint", "sieve", v[k], 4, 1, UINT64_MAX);
		samples(&r[k], "cpuint", "cpuint", "hash", h[k], 4, 1, UINT64_MAX);
	}
	cr_expect_eq(param(&r[0], "cpuint", "cpuint", "primes"), 2262, "primes below 20000");
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(v[0][i], v[1][i], "sieve[%d]: %lu, then %lu", i, v[0][i], v[1][i]);
		cr_expect_eq(h[0][i], h[1][i], "hash[%d]: %lu, then %lu", i, h[0][i], h[1][i]);
	}
	for (int k = 0; k < 2; k++) {
		workload_results_free(&r[k]);
		tessera_free(&p[k]);
	}
}

Test(workloads, membw_four_kernels_and_their_bytes, .timeout = 120)
{
	static const char *const kernels[] = {"copy", "scale", "add", "triad"};
	struct tessera_proc p;
	struct workload_results r;
	uint64_t v[3];

	boot(&p, ROOT "/configs/bench/membw.yaml",
	     (const char *const[]){"iters=10 size=2M", "iters=3 size=256K", NULL}, false);
	parse(&p, &r);
	cr_expect_eq(param(&r, "membw", "membw", "array_bytes"), 256 << 10);
	cr_expect_eq(param(&r, "membw", "membw", "bytes_copy"), 2 * (256 << 10));
	cr_expect_eq(param(&r, "membw", "membw", "bytes_triad"), 3 * (256 << 10));
	for (int k = 0; k < 4; k++)
		samples(&r, "membw", "membw", kernels[k], v, 3, 256 << 10 >> 3,
			UINT64_MAX); /* >= 1 tick a word */
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, memlat_one_cycle_over_the_buffer, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t v[3];

	boot(&p, ROOT "/configs/bench/memlat.yaml",
	     (const char *const[]){"iters=10 size=4M steps=100000", "iters=3 size=1M steps=20000", NULL},
	     false);
	parse(&p, &r);
	cr_expect_eq(param(&r, "memlat", "memlat", "nodes"), (1 << 20) / 64);
	cr_expect_eq(param(&r, "memlat", "memlat", "steps"), 20000);
	cr_expect_lt(param(&r, "memlat", "memlat", "end_node"), (1 << 20) / 64);
	samples(&r, "memlat", "memlat", "chase", v, 3, 20000, UINT64_MAX); /* at least a tick a load */
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, irqlat_never_early_and_bounded_by_the_arming_exit, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t halt[10], spin[10], arm[10], tsc_hz;

	boot(&p, ROOT "/configs/bench/irqlat.yaml", (const char *const[]){"iters=100", "iters=10", NULL},
	     false);
	parse(&p, &r);
	cr_expect_eq(param(&r, "irqlat", "irqlat", "early"), 0);
	tsc_hz = param(&r, "irqlat", "irqlat", "tsc_hz");
	cr_expect_eq(param(&r, "irqlat", "irqlat", "deadline_ticks"), tsc_hz / 5000, "200 us of TSC ticks");
	/* An interrupt takes some ticks to arrive; the upper bound only catches garbage: a vCPU thread of
	 * a loaded host can wait long for a core, so it is 10 s, not the microseconds it usually takes. */
	samples(&r, "irqlat", "irqlat", "halt", halt, 10, 1, 10 * tsc_hz);
	samples(&r, "irqlat", "irqlat", "spin", spin, 10, 1, 10 * tsc_hz);
	samples(&r, "irqlat", "irqlat", "arm", arm, 10, 1, 10 * tsc_hz);
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, exitloop_each_operation_costs_its_exit, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t empty[50], v[50];

	boot(&p, ROOT "/configs/bench/exitloop.yaml", (const char *const[]){"iters=1000", "iters=50", NULL},
	     false);
	parse(&p, &r);
	/* one exit per operation, of the right reason, and none for the granted port */
	cr_expect_eq(param(&r, "exitloop", "exitloop", "exits_cpuid"), 50);
	cr_expect_eq(param(&r, "exitloop", "exitloop", "exits_hypercall"), 50);
	cr_expect_eq(param(&r, "exitloop", "exitloop", "exits_mmio"), 50);
	cr_expect_eq(param(&r, "exitloop", "exitloop", "exits_pio"), 0);
	samples(&r, "exitloop", "exitloop", "empty", empty, 50, 1, UINT64_MAX);
	/* an exit costs more than the two time stamps alone */
	samples(&r, "exitloop", "exitloop", "cpuid", v, 50, 1, UINT64_MAX);
	cr_expect_gt(median(v, 50), median(empty, 50));
	samples(&r, "exitloop", "exitloop", "hypercall", v, 50, 1, UINT64_MAX);
	cr_expect_gt(median(v, 50), median(empty, 50));
	samples(&r, "exitloop", "exitloop", "vlapic_read", v, 50, 1, UINT64_MAX);
	cr_expect_gt(median(v, 50), median(empty, 50));
	samples(&r, "exitloop", "exitloop", "pio_granted", v, 50, 1, UINT64_MAX);
	/* without bench_null_port= the hypervisor answers no port: no port-exit metric */
	cr_expect_eq(workload_get_samples(&r, "exitloop", "exitloop", "pio_exit", v, 50), 0);
	cr_expect(!workload_get_param(&r, "exitloop", "exitloop", "null_port", &v[0]));
	workload_results_free(&r);
	tessera_free(&p);
}

/*
 * bench_null_port=0x80 (core/bench_null_port.c): the hypervisor answers the port, so exitloop measures a
 * port-I/O exit: one IOIO exit a sample (not a violation: the cell finishes), read back as 0xff (the
 * inmate fails otherwise), costing more than the two time stamps and more than a granted port's IN.
 * Under icount, so that "more" is instructions, not scheduling luck.
 */
Test(workloads, exitloop_null_port_costs_one_port_exit, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t empty[50], granted[50], v[50], violations = 1;
	char path[64];

	config_copy(path, ROOT "/configs/bench/exitloop.yaml",
		    (const char *const[]){"iters=1000", "iters=50", NULL});
	tessera_start(&p, (const char *const[]){"run", "--config", path, "--timeout", "90", "--append",
						"bench_null_port=0x80", "--", "-icount", ICOUNT, NULL});
	boot_wait(&p, path);
	parse(&p, &r);
	cr_expect_eq(param(&r, "exitloop", "exitloop", "null_port"), 0x80);
	cr_expect_eq(param(&r, "exitloop", "exitloop", "exits_pio"), 50);
	samples(&r, "exitloop", "exitloop", "empty", empty, 50, 1, UINT64_MAX);
	samples(&r, "exitloop", "exitloop", "pio_granted", granted, 50, 1, UINT64_MAX);
	samples(&r, "exitloop", "exitloop", "pio_exit", v, 50, 1, UINT64_MAX);
	cr_expect_gt(median(v, 50), median(empty, 50));
	cr_expect_gt(median(v, 50), median(granted, 50));
	const char *s = strstr(p.out, "stats: cell 'exitloop'");
	cr_assert_not_null(s, "%s", p.out);
	cr_expect_eq(sscanf(s, "stats: cell 'exitloop' (finished: exit status 0): %*u exits, %lu violations",
			    &violations),
		     1, "%s", s);
	cr_expect_eq(violations, 0, "%s", p.out);
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, msg_round_trips_and_bursts_between_cells, .timeout = 120)
{
	static const char *const edits[] = {"role=client peer=server iters=200 burst=64",
					    "role=client peer=server iters=20 burst=40",
					    "role=server peer=client iters=200 burst=64",
					    "role=server peer=client iters=20 burst=40", NULL};
	struct tessera_proc p;
	struct workload_results r;
	uint64_t rtt[20], stream[20];

	/* Under icount: in wall-clock time a loaded host descheduled a vCPU mid round trip and a single
	 * round trip's median came out above that of a 40-message burst. */
	boot(&p, ROOT "/configs/bench/msg.yaml", edits, true);
	parse(&p, &r);
	samples(&r, "client", "msg", "rtt", rtt, 20, 1, UINT64_MAX);
	samples(&r, "client", "msg", "stream", stream, 20, 1, UINT64_MAX);
	/* 40 messages through a 16-slot queue cost more than one round trip */
	cr_expect_gt(median(stream, 20), median(rtt, 20));
	/* every round trip and every burst ends in a doorbell from the server */
	cr_expect_geq(param(&r, "client", "msg", "doorbells"), 40);
	expect_line(&p, "[server] msg: server answered 20 round trips and 20 bursts");
	expect_line(&p, "shutdown: 2 cells finished, 0 failed");
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, noisy_memory_hog_outlasts_membw, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t v[3], passes;

	boot(&p, ROOT "/configs/bench/membw-noisy.yaml",
	     (const char *const[]){"iters=10 size=2M", "iters=3 size=512K", NULL}, false);
	parse(&p, &r);
	samples(&r, "membw", "membw", "triad", v, 3, 1, UINT64_MAX);
	cr_expect_eq(param(&r, "noisy", "noisy", "victim_ended"), 1);
	cr_expect_eq(param(&r, "noisy", "noisy", "mem"), 1);
	/* its 16 MiB less the 1 MiB below the image, the image and the boot area */
	cr_expect_gt(param(&r, "noisy", "noisy", "bytes_per_pass"), 14 << 20);
	passes = param(&r, "noisy", "noisy", "passes");
	cr_expect_geq(passes, 1);
	cr_expect_eq(workload_find_run(&r, "noisy", "noisy")->samples, passes);
	expect_line(&p, "shutdown: 2 cells finished, 0 failed");
	workload_results_free(&r);
	tessera_free(&p);
}

Test(workloads, noisy_interrupt_storm_beside_irqlat, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_results r;
	uint64_t v[10], ticks, periods, windows;

	boot(&p, ROOT "/configs/bench/irqlat-noisy.yaml",
	     (const char *const[]){"iters=100", "iters=10", NULL}, false);
	parse(&p, &r);
	samples(&r, "irqlat", "irqlat", "halt", v, 10, 1, UINT64_MAX);
	cr_expect_eq(param(&r, "noisy", "noisy", "irq_hz"), 2000);
	ticks = param(&r, "noisy", "noisy", "ticks");
	periods = param(&r, "noisy", "noisy", "periods");
	windows = param(&r, "noisy", "noisy", "windows");
	/* It took interrupts, and never more than the periods that came due (plus the one in flight). */
	cr_expect_gt(ticks, 0);
	cr_expect_leq(ticks, periods + 1, "%lu ticks in %lu periods", ticks, periods);
	cr_expect_eq(workload_find_run(&r, "noisy", "noisy")->samples, windows);
	workload_results_free(&r);
	tessera_free(&p);
}

/* --- fault-injection inmates --- */

/* fiself's computation, done again on the host (guests/fiself/fiself.c): splitmix64, CRC-32, a sort. */
static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t crc32_host(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static uint32_t fiself_expected(uint64_t rounds, size_t size, size_t sortn, uint64_t seed)
{
	uint8_t *buf = malloc(size);
	uint32_t *arr = malloc(sortn * sizeof(*arr)), result = 0;

	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t st = seed * 0x9e3779b97f4a7c15ULL + r;
		for (size_t i = 0; i < size; i++)
			buf[i] = (uint8_t)splitmix(&st);
		uint32_t crc = crc32_host(0, buf, size);
		for (size_t i = 0; i < sortn; i++)
			arr[i] = (uint32_t)splitmix(&st);
		qsort(arr, sortn, sizeof(*arr), cmp_u32);
		uint32_t round = crc ^ crc32_host(0, arr, sortn * sizeof(*arr));
		result = crc32_host(result, &round, sizeof(round));
	}
	free(buf);
	free(arr);
	return result;
}

static void parse_fi(const struct tessera_proc *p, struct workload_fi_results *r)
{
	char err[512];

	memset(r, 0, sizeof(*r));
	cr_assert_eq(workload_parse_fi_text(p->out, "console", r, err, sizeof(err)), 0, "%s\nin:\n%s", err,
		     p->out);
}

Test(workloads, fiself_result_is_the_hosts_and_canaries_stay_ok, .timeout = 120)
{
	static const char *const edits[] = {"rounds=8 size=64K sortn=4096", "rounds=3 size=16K sortn=1000",
					    NULL};
	static const char *const canaries[] = {"canary-a", "canary-b"};
	struct tessera_proc p;
	struct workload_fi_results r;
	uint32_t want = fiself_expected(3, 16 << 10, 1000, 1);

	boot(&p, ROOT "/configs/fi/selfcheck.yaml", edits, false);
	parse_fi(&p, &r);
	const struct workload_fi *fi = workload_find_fi(&r, "fiself");
	cr_assert(fi && fi->done, "no FI result line in:\n%s", p.out);
	cr_expect_eq(fi->result, want, "FI result 0x%08x, the host's 0x%08x", fi->result, want);
	cr_expect(fi->check_ok, "check=mismatch without a fault:\n%s", p.out);
	cr_expect_eq(fi->rounds, 3);
	cr_expect_eq(fi->rounds_mismatched, 0);
	for (int i = 0; i < 2; i++) {
		const struct workload_canary *c = workload_find_canary(&r, canaries[i]);
		cr_assert(c && c->done, "%s did not finish:\n%s", canaries[i], p.out);
		cr_expect_eq(c->changes_seen, 0, "%s saw a change:\n%s", canaries[i], p.out);
		cr_expect_eq(c->changed, 0);
		cr_expect_geq(c->passes_ok, 3);
		cr_expect_eq(c->passes, c->passes_ok);
		cr_expect_gt(c->bytes, 1 << 20, "the 1 MiB pattern and its text");
	}
	expect_line(&p, "shutdown: 3 cells finished, 0 failed");
	workload_fi_results_free(&r);
	tessera_free(&p);
}

/* The checkers catch what they are for: a flipped buffer bit in fiself, a stray write in a canary. */
Test(workloads, fiself_and_canary_checks_catch_a_planted_error, .timeout = 120)
{
	static const char *const edits[] = {"rounds=8 size=64K sortn=4096 seed=1",
					    "rounds=3 size=16K sortn=1000 seed=1 flip=1", "seed=2 until=0",
					    "seed=2 until=0 poke=4096", NULL};
	struct tessera_proc p;
	struct workload_fi_results r;

	boot(&p, ROOT "/configs/fi/selfcheck.yaml", edits, false);
	parse_fi(&p, &r);
	const struct workload_fi *fi = workload_find_fi(&r, "fiself");
	cr_assert(fi && fi->done, "no FI result line in:\n%s", p.out);
	/* the flip comes after the CRC that goes into the result: caught, yet the result is unchanged */
	cr_expect_eq(fi->result, fiself_expected(3, 16 << 10, 1000, 1));
	cr_expect_not(fi->check_ok, "the flipped bit was not caught:\n%s", p.out);
	cr_expect_eq(fi->rounds_mismatched, 1);
	expect_line(&p, "[fiself] FI round=1 result=");
	expect_line(&p, "crc=mismatch sort=ok");
	expect_line(&p, "cell 'fiself' failed: exit status 1");
	const struct workload_canary *a = workload_find_canary(&r, "canary-a");
	cr_assert(a && a->done, "canary-a did not finish:\n%s", p.out);
	cr_assert_eq(a->changes_seen, 1, "the poked word, reported once:\n%s", p.out);
	cr_expect_eq(a->changed, 1);
	cr_expect_not(a->changes[0].page);
	cr_expect_eq(a->changes[0].pass, 1, "reported in pass %lu, poked after pass 0", a->changes[0].pass);
	cr_expect_eq(__builtin_popcountl(a->changes[0].was ^ a->changes[0].now), 1, "was %#lx now %#lx",
		     a->changes[0].was, a->changes[0].now);
	cr_expect_eq(a->changes[0].addr % 4096, 0,
		     "poke=4096 is a page into the pattern, which starts on a page");
	expect_line(&p, "cell 'canary-a' failed: exit status 1");
	const struct workload_canary *b = workload_find_canary(&r, "canary-b");
	cr_assert(b && b->done);
	cr_expect_eq(b->changes_seen, 0);
	workload_fi_results_free(&r);
	tessera_free(&p);
}

Test(workloads, canary_sees_a_writer_through_a_shared_region, .timeout = 120)
{
	struct tessera_proc p;
	struct workload_fi_results r;

	boot(&p, ROOT "/configs/fi/canary-selftest.yaml", NULL, false);
	parse_fi(&p, &r);
	const struct workload_canary *c = workload_find_canary(&r, "canary");
	cr_assert(c && c->done, "the canary did not finish:\n%s", p.out);
	/* the writer rewrites all 16 pages of the region in every pass; every change is in them */
	cr_expect_geq(c->changes_seen, 16);
	cr_expect_geq(c->changed, c->changes_seen);
	for (uint64_t i = 0; i < c->changes_seen && i < WORKLOAD_CANARY_KEPT; i++) {
		cr_expect(c->changes[i].page, "change %lu is not a checksummed page", i);
		cr_expect(c->changes[i].addr >= 0x1000000 && c->changes[i].addr < 0x1010000,
			  "a change at %#lx, outside the shared region", c->changes[i].addr);
	}
	expect_line(&p, "[canary] CANARY changed addr=0x1000000 pass=");
	expect_line(&p, "cell 'canary' failed: exit status 1");
	expect_line(&p, "cell 'writer' finished: exit status 0");
	workload_fi_results_free(&r);
	tessera_free(&p);
}

/* A bad argument is refused by the inmate with its name and range, and the cell fails with status 2. */
Test(workloads, bad_argument_names_key_and_range, .timeout = 120)
{
	struct tessera_proc p;

	boot(&p, ROOT "/configs/bench/cpuint.yaml", (const char *const[]){"iters=20", "iters=0", NULL},
	     false);
	expect_line(&p, "[cpuint] cpuint: bad argument iters=0: want a number 1..4096");
	expect_line(&p, "cell 'cpuint' failed: exit status 2");
	cr_expect(!has_line_with(p.out, "BENCH cpuint"), "samples despite the bad argument:\n%s", p.out);
	tessera_free(&p);
}
