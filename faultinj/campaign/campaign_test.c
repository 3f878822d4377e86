/* Unit tests of what a campaign does without booting: the file, the space, outcomes, statistics, the DB. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign_db.h"
#include "campaign_file.h"
#include "campaign_space.h"
#include "campaign_stats.h"
#include "outcome.h"

#define TINY TESSERA_SOURCE_ROOT "tests/campaigns/tiny.yaml"

Test(campaign_stats, wilson_and_clopper_pearson_match_published_values)
{
	struct proportion_ci w = stats_wilson(5, 10, 0.05), cp = stats_clopper_pearson(5, 10, 0.05);

	cr_expect_float_eq(w.lo, 0.2366, 1e-4);
	cr_expect_float_eq(w.hi, 0.7634, 1e-4);
	cr_expect_float_eq(cp.lo, 0.1871, 1e-4);
	cr_expect_float_eq(cp.hi, 0.8129, 1e-4);
	cp = stats_clopper_pearson(0, 20, 0.05); /* the rule of three's exact form: 1 - 0.025^(1/20) */
	cr_expect_float_eq(cp.lo, 0, 1e-12);
	cr_expect_float_eq(cp.hi, 0.1684, 1e-4);
	w = stats_wilson(20, 20, 0.05);
	cr_expect_float_eq(w.hi, 1, 1e-9);
	cr_expect_float_eq(w.lo, 0.8389, 1e-4);
}

Test(campaign_stats, leveugle_sample_size)
{
	/* Leveugle et al.: infinite population, e = 1 %, 95 %: 9604; N = 10,000: 4900. */
	cr_expect_eq(stats_leveugle_sample_size(1000000000ULL, 0.01, 0.05, 0.5), 9604);
	cr_expect_eq(stats_leveugle_sample_size(10000, 0.01, 0.05, 0.5), 4900);
	cr_expect_eq(stats_leveugle_sample_size(100, 0.05, 0.05, 0.5), 80);
}

static int load_text(const char *text, struct campaign *c, struct config_diag *d)
{
	char path[] = TESSERA_SOURCE_ROOT "tests/campaigns/.unit-XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int ret = campaign_load(path, c, d);
	unlink(path);
	return ret;
}

#define HEAD                                                                 \
	"name: t\nconfig: ../../configs/fi/selfcheck.yaml\ntarget: fiself\n" \
	"experiments: 10\n"

Test(campaign_file, the_tiny_campaign_loads)
{
	static struct campaign c;
	struct config_diag d;

	cr_assert_eq(campaign_load(TINY, &c, &d), 0, "%u:%u: %s", d.line, d.col, d.message);
	cr_expect_eq(c.space_size, 4 * 32 * 5);
	cr_expect_eq(c.experiments, 6);
	cr_expect(c.deterministic);
	cr_expect_eq(c.nr_canaries, 2);
	campaign_free(&c);
}

#define FAULT                                                                                 \
	"faults:\n  - model: register_flip\n    params:\n      - {key: reg, values: [rax]}\n" \
	"      - {key: bit, values: [1]}\n    trigger: {kind: icount, values: [1]}\n"

Test(campaign_file, errors_name_line_and_column)
{
	static struct campaign c;
	struct config_diag d;
	static const struct {
		const char *text;
		unsigned int line;
		const char *message;
	} bad[] = {
		{HEAD "faults:\n  - model: nosuch\n    trigger: {kind: icount, values: [1]}\n", 6,
		 "no fault model 'nosuch'"},
		{HEAD "faults:\n  - model: register_flip\n    params:\n      - {key: colour, values: [red]}\n"
		      "    trigger: {kind: icount, values: [1]}\n",
		 8, "has no parameter 'colour'"},
		{HEAD "faults:\n  - model: register_flip\n    params:\n      - {key: reg, values: [rax]}\n"
		      "      - {key: bit, range: \"0..64\"}\n    trigger: {kind: icount, values: [1]}\n",
		 6, "point"},
		{HEAD "faults:\n  - model: register_flip\n    params:\n      - {key: reg, values: [rax]}\n"
		      "      - {key: bit, values: [1]}\n    trigger: {kind: nth, values: [1]}\n",
		 10, "has no trigger 'nth'"},
		{HEAD "judge:\n  canaries: [nobody]\nfaults:\n  - model: register_flip\n"
		      "    params:\n      - {key: reg, values: [rax]}\n      - {key: bit, values: [1]}\n"
		      "    trigger: {kind: icount, values: [1]}\n",
		 6, "'nobody' is not a cell"},
		{HEAD "mode: fast\n" FAULT, 5, "expected deterministic or wallclock"},
		{"name: t\nconfig: nosuch.yaml\ntarget: fiself\n" FAULT, 2, "cannot read the system config"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(load_text(bad[i].text, &c, &d), 2, "case %zu", i);
		cr_expect_eq(d.line, bad[i].line, "case %zu: line %u (%s)", i, d.line, d.message);
		cr_expect(d.col >= 1, "case %zu", i);
		cr_expect(strstr(d.message, bad[i].message), "case %zu: '%s'", i, d.message);
	}
}

#define FAIL_FAULT                                                                                 \
	"faults:\n  - model: fail_point\n    params:\n      - {key: site, values: [page_alloc]}\n" \
	"    trigger: {kind: nth, values: [1]}\n"

#define HV_FLIP_FAULT                                                                                  \
	"faults:\n  - model: hv_data_flip\n    params:\n      - {key: field, values: [exit_status]}\n" \
	"      - {key: bit, values: [0]}\n    trigger: {kind: exit, values: [1]}\n"

Test(campaign_file, boots_default_to_shared_and_fresh_machine_faults_force_one_per_experiment)
{
	static struct campaign c;
	struct config_diag d;

	cr_assert_eq(load_text(HEAD FAULT, &c, &d), 0, "%u:%u: %s", d.line, d.col, d.message);
	cr_expect_eq(c.boots, CAMPAIGN_BOOTS_SHARED);
	campaign_free(&c);
	cr_assert_eq(load_text(HEAD "boots: per-experiment\n" FAULT, &c, &d), 0, "%s", d.message);
	cr_expect_eq(c.boots, CAMPAIGN_BOOTS_PER_EXPERIMENT);
	campaign_free(&c);
	/* a boot-time fail point needs a fresh machine: it forces one boot per experiment */
	cr_assert_eq(load_text(HEAD FAIL_FAULT, &c, &d), 0, "%s", d.message);
	cr_expect_eq(c.boots, CAMPAIGN_BOOTS_PER_EXPERIMENT);
	campaign_free(&c);
	/* ...a file that asks for shared boots with one tests the restart's path: allowed, shared */
	cr_assert_eq(load_text(HEAD "boots: shared\n" FAIL_FAULT, &c, &d), 0, "%s", d.message);
	cr_expect_eq(c.boots, CAMPAIGN_BOOTS_SHARED);
	campaign_free(&c);
	/* ...but a flip of the hypervisor's data outlives a restart: refused at its `boots` */
	cr_expect_eq(load_text(HEAD "boots: shared\n" HV_FLIP_FAULT, &c, &d), 2);
	cr_expect_eq(d.line, 5, "line %u: %s", d.line, d.message);
	cr_expect(strstr(d.message, "need a fresh machine"), "%s", d.message);
	cr_expect_eq(load_text(HEAD "boots: sometimes\n" FAULT, &c, &d), 2);
	cr_expect_eq(d.line, 5, "line %u: %s", d.line, d.message);
	cr_expect_eq(d.col, 8, "col %u: %s", d.col, d.message);
	cr_expect(strstr(d.message, "expected shared or per-experiment"), "%s", d.message);
}

#define EXIT_FAULT                                                                   \
	"  - model: register_flip\n    params:\n      - {key: reg, values: [rax]}\n" \
	"      - {key: bit, values: [1]}\n    trigger: {kind: exit, values: [1]}\n"

Test(campaign_file, deterministic_icount_points_boot_alone_unless_boots_shared_is_said)
{
	static struct campaign c;
	struct config_diag d;

	/* shared boots by default, but the icount entry's experiments boot alone; the exit one's share */
	cr_assert_eq(load_text(HEAD FAULT EXIT_FAULT, &c, &d), 0, "%u:%u: %s", d.line, d.col, d.message);
	cr_expect_eq(c.boots, CAMPAIGN_BOOTS_SHARED);
	cr_assert_eq(c.nr_entries, 2);
	cr_expect(c.entries[0].own_boot, "a deterministic icount point shares a boot");
	cr_expect_not(c.entries[1].own_boot, "an exit point boots alone");
	campaign_free(&c);
	/* wall clock: an instant is not repeatable in either mode, so it shares */
	cr_assert_eq(load_text(HEAD "mode: wallclock\n" FAULT, &c, &d), 0, "%s", d.message);
	cr_expect_not(c.entries[0].own_boot);
	campaign_free(&c);
	/* boots: shared said outright: the author chose throughput over exact points */
	cr_assert_eq(load_text(HEAD "boots: shared\n" FAULT, &c, &d), 0, "%s", d.message);
	cr_expect_not(c.entries[0].own_boot);
	campaign_free(&c);
}

Test(campaign_file, every_shipped_campaign_loads)
{
	static const char *const files[] = {
		"regflip-fiself",	"irq-timer",	       "irq-pingpong",
		"mce-fiself",		"failnth-cellstart",   "memflip-canaries",
		"ci/regflip-fiself",	"ci/irq-pingpong",     "ci/mce-fiself",
		"ci/failnth-cellstart", "ci/memflip-canaries",
	};
	static struct campaign c;
	struct config_diag d;
	char path[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%sconfigs/campaigns/%s.yaml", TESSERA_SOURCE_ROOT, files[i]);
		cr_expect_eq(campaign_load(path, &c, &d), 0, "%s:%u:%u: %s", path, d.line, d.col, d.message);
		campaign_free(&c);
	}
	/* the full form of campaign 1 has at least 1,000 experiments */
	snprintf(path, sizeof(path), "%sconfigs/campaigns/regflip-fiself.yaml", TESSERA_SOURCE_ROOT);
	cr_assert_eq(campaign_load(path, &c, &d), 0);
	cr_expect_geq(c.experiments, 1000);
	campaign_free(&c);
}

Test(campaign_space, random_sampling_is_seeded_distinct_and_weighted)
{
	static struct campaign c;
	struct config_diag d;
	size_t n1, n2;

	cr_assert_eq(campaign_load(TINY, &c, &d), 0);
	c.experiments = 300;
	struct campaign_experiment *a = campaign_plan_experiments(&c, &n1),
				   *b = campaign_plan_experiments(&c, &n2);
	cr_assert_eq(n1, 300);
	cr_assert_eq(n2, 300);
	for (size_t i = 0; i < n1; i++) {
		cr_expect_eq(a[i].point, b[i].point);
		cr_expect_str_eq(a[i].fault, b[i].fault);
		cr_expect_float_eq(a[i].weight, 640.0 / 300, 1e-9);
		for (size_t k = 0; k < i; k++)
			cr_expect_neq(a[i].point, a[k].point, "points %zu and %zu", i, k);
	}
	c.seed = 8;
	free(b);
	b = campaign_plan_experiments(&c, &n2);
	size_t same = 0;
	for (size_t i = 0; i < n1; i++)
		same += a[i].point == b[i].point;
	cr_expect_lt(same, 20, "another seed draws other points");
	free(a);
	free(b);
	campaign_free(&c);
}

Test(campaign_space, exhaustive_enumerates_every_point_once_as_plans)
{
	static struct campaign c;
	struct config_diag d;
	size_t n;
	char plan[4096];

	cr_assert_eq(campaign_load(TINY, &c, &d), 0);
	c.sampling = CAMPAIGN_EXHAUSTIVE;
	struct campaign_experiment *x = campaign_plan_experiments(&c, &n);
	cr_assert_eq(n, 640);
	cr_expect_str_eq(x[0].fault, "register_flip cell=fiself reg=rax bit=0 trigger.icount=20000000");
	cr_expect_str_eq(x[639].fault, "register_flip cell=fiself reg=rdx bit=31 trigger.icount=60000000");
	cr_expect_eq(x[639].inject_at, 60000000);
	cr_expect_float_eq(x[5].weight, 1, 1e-12);
	cr_assert(campaign_experiment_plan(&c, &x[6], plan, sizeof(plan)) > 0);
	cr_expect(strstr(plan, "reg: \"rax\"\n    bit: \"1\"\n    trigger:\n      icount: \"30000000\""),
		  "%s", plan);
	free(x);
	campaign_free(&c);
}

/* A console as the hypervisor prints it (configs/fi/selfcheck.yaml's, shortened). */
static const char *golden_lines[] = {
	"[cpu0] Tessera hypervisor starting (command line: \"\")",
	"[cpu0] cell 'fiself' started (1 CPUs, entry 0x100000)",
	"[cpu0] cell 'canary-a' started (1 CPUs, entry 0x100000)",
	"[fiself] FI round=0 result=0x4b4bc110 crc=ok sort=ok",
	"[canary-a] CANARY ok pass=0",
	"[fiself] FI result=0x1a0af77e check=ok rounds=1",
	"[cpu1] cell 'fiself' finished: exit status 0",
	"[canary-a] CANARY done passes=3 changed=0 bytes=1122304",
	"[cpu2] cell 'canary-a' finished: exit status 0",
	"[cpu0] shutdown: 2 cells finished, 0 failed",
};

static enum outcome judge_with(size_t replace, const char *line, int exit_status)
{
	const char *lines[16];
	const char *canaries[] = {"canary-a"};
	struct outcome_judge j = {.target = "fiself",
				  .output_prefix = "FI ",
				  .detected = "check=mismatch",
				  .canary_alarm = "CANARY changed",
				  .canaries = canaries,
				  .nr_canaries = 1};
	struct outcome_verdict v;
	size_t n = sizeof(golden_lines) / sizeof(golden_lines[0]);

	for (size_t i = 0; i < n; i++)
		lines[i] = i == replace ? line : golden_lines[i];
	outcome_classify(&j, &(struct outcome_console){golden_lines, n, 0},
			 &(struct outcome_console){lines, n, exit_status}, &v);
	return v.outcome;
}

Test(outcome, every_class_is_reached_by_its_definition)
{
	cr_expect_eq(judge_with(6, "[cpu0] ERROR: cell 'fiself': image load failed: out of memory", 0),
		     OUTCOME_DETECTED);
	cr_expect_eq(judge_with(99, NULL, 0), OUTCOME_BENIGN);
	cr_expect_eq(judge_with(5, "[fiself] FI result=0x1a0af77f check=ok rounds=1", 0), OUTCOME_SDC);
	cr_expect_eq(judge_with(5, "[fiself] FI result=0x1a0af77f check=mismatch rounds=1", 0),
		     OUTCOME_DETECTED);
	cr_expect_eq(
		judge_with(6,
			   "[cpu1] ERROR: cell 'fiself' failed: cpu 1: cannot set up the vCPU: out of memory",
			   0),
		OUTCOME_DETECTED);
	cr_expect_eq(judge_with(6,
				"[cpu1] ERROR: cell 'fiself' failed: cpu 1 crashed: triple fault (#GP while "
				"delivering #DF) at rip 0x1000",
				0),
		     OUTCOME_CELL_CRASH);
	cr_expect_eq(judge_with(6, "[cpu1] ERROR: cell 'fiself' failed: exit status 3", 0),
		     OUTCOME_CELL_CRASH);
	cr_expect_eq(judge_with(6, "[cpu1] VIOLATION cell 'fiself' cpu 1 rip 0x1: memory write denied", 0),
		     OUTCOME_CELL_CRASH);
	cr_expect_eq(judge_with(99, NULL, 124), OUTCOME_HANG);
	cr_expect_eq(judge_with(4, "[canary-a] CANARY changed addr=0x1000 was=0x0 now=0x1", 0),
		     OUTCOME_ISOLATION_BREAK);
	cr_expect_eq(judge_with(8, "[cpu2] ERROR: cell 'canary-a' failed: violation on cpu 2: x", 0),
		     OUTCOME_ISOLATION_BREAK);
	cr_expect_eq(judge_with(5, "[cpu1] PANIC: page pool corrupted", 0), OUTCOME_HV_PANIC);
	cr_expect_eq(judge_with(0, "qemu-system-x86_64: cannot set up guest memory", 1),
		     OUTCOME_INFRASTRUCTURE);
	cr_expect_eq(judge_with(99, NULL, 2), OUTCOME_INFRASTRUCTURE);
	/* precedence: a panic after a canary alarm is still a panic */
	cr_expect_eq(judge_with(9, "[cpu0] PANIC: x", 124), OUTCOME_HV_PANIC);
}

Test(outcome, peers_are_not_isolation_matters_and_a_regex_compares_only_what_it_matches)
{
	const char *g[] = {"[cpu0] Tessera hypervisor starting",
			   "[cpu0] cell 'ping' started (1 CPUs)",
			   "[cpu0] cell 'pong' started (1 CPUs)",
			   "[ping] pingpong: 10 messages received, 0 bad, 10 doorbell interrupts, 99 us",
			   "[cpu1] cell 'ping' finished: exit status 0",
			   "[cpu2] cell 'pong' finished: exit status 0"};
	const char *r[] = {"[cpu0] Tessera hypervisor starting",
			   "[cpu0] cell 'ping' started (1 CPUs)",
			   "[cpu0] cell 'pong' started (1 CPUs)",
			   "[ping] pingpong: 10 messages received, 0 bad, 11 doorbell interrupts, 98 us",
			   "[cpu1] cell 'ping' finished: exit status 0",
			   "[cpu2] ERROR: cell 'pong' failed: exit status 1"};
	const char *peers[] = {"pong"};
	regex_t re;
	struct outcome_verdict v;

	cr_assert_eq(regcomp(&re, "^pingpong: [0-9]+ messages received, [0-9]+ bad", REG_EXTENDED), 0);
	struct outcome_judge j = {
		.target = "ping", .output_prefix = "", .detected = "x", .canary_alarm = "x"};
	outcome_classify(&j, &(struct outcome_console){g, 6, 0}, &(struct outcome_console){r, 6, 0}, &v);
	cr_expect_eq(v.outcome, OUTCOME_ISOLATION_BREAK, "pong ended differently: %s", v.detail);
	j.peers = peers;
	j.nr_peers = 1;
	outcome_classify(&j, &(struct outcome_console){g, 6, 0}, &(struct outcome_console){r, 6, 0}, &v);
	cr_expect_eq(v.outcome, OUTCOME_SDC, "the whole line differs: %s", v.detail);
	j.output_re = &re;
	outcome_classify(&j, &(struct outcome_console){g, 6, 0}, &(struct outcome_console){r, 6, 0}, &v);
	cr_expect_eq(v.outcome, OUTCOME_BENIGN, "%s", v.detail);
	r[3] = "[ping] pingpong: 9 messages received, 0 bad, 9 doorbell interrupts, 98 us";
	outcome_classify(&j, &(struct outcome_console){g, 6, 0}, &(struct outcome_console){r, 6, 0}, &v);
	cr_expect_eq(v.outcome, OUTCOME_SDC, "a message lost: %s", v.detail);
	regfree(&re);
}

Test(campaign_db, a_new_database_has_the_campaign_schema_and_old_ones_migrate)
{
	char path[] = "/tmp/tessera-campaign-db-XXXXXX";
	int fd = mkstemp(path);
	static struct campaign c;
	struct config_diag d;
	struct results_db db;
	int64_t run;
	size_t n;

	close(fd);
	unlink(path);
	cr_assert_eq(campaign_load(TINY, &c, &d), 0);
	struct campaign_experiment *x = campaign_plan_experiments(&c, &n);
	cr_assert_eq(results_db_open(&db, path), 0);
	cr_assert_eq(campaign_db_create(&db, &c, "src", x, n, &run), 0);
	char status[32];
	cr_assert_eq(campaign_db_status(&db, run, 5, status, sizeof(status)), 0);
	cr_expect_str_eq(status, "planned");
	cr_assert_eq(campaign_db_start(&db, run, 5), 0);
	cr_expect_eq(results_db_resume(&db, run), 1);
	cr_assert_eq(campaign_db_start(&db, run, 5), 0); /* the rerun counts the interruption */
	struct campaign_result r = {.index = 5, .outcome = OUTCOME_SDC, .exit_status = 0};
	cr_assert_eq(campaign_db_finish(&db, run, &r), 0);
	cr_assert_eq(campaign_db_status(&db, run, 5, status, sizeof(status)), 0);
	cr_expect_str_eq(status, "done");
	cr_expect_eq(campaign_db_unfinished(&db, "tiny"), run);
	results_db_close(&db);
	free(x);
	campaign_free(&c);
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
}

Test(campaign, a_runs_source_keeps_its_append_and_gives_it_back)
{
	char append[64];
	char *s = campaign_run_source("name: x\n", "bench_exit_work=10");

	cr_assert_str_eq(s, "name: x\n\n# fi campaign run --append: bench_exit_work=10\n");
	cr_expect(campaign_run_source_matches(s, "name: x\n", append, sizeof(append)));
	cr_expect_str_eq(append, "bench_exit_work=10");
	cr_expect(!campaign_run_source_matches(s, "name: y\n", append, sizeof(append)), "another file");
	cr_expect(!campaign_run_source_matches(s, "name: x\n", append, 8), "an append that does not fit");
	free(s);
	s = campaign_run_source("name: x\n", "");
	cr_expect_str_eq(s, "name: x\n");
	cr_expect(campaign_run_source_matches(s, "name: x\n", append, sizeof(append)) && !append[0]);
	cr_expect(!campaign_run_source_matches("name: x\nmore\n", "name: x\n", append, sizeof(append)),
		  "a changed file is not an append");
	free(s);
}
