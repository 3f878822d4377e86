/* The FI and CANARY lines: accepted logs, outcomes of cut-short runs, malformed and contradictory lines. */
#include <criterion/criterion.h>
#include <string.h>

#include "workload_parse.h"

static int parse(const char *text, struct workload_fi_results *r, char *err)
{
	memset(r, 0, sizeof(*r));
	return workload_parse_fi_text(text, "log", r, err, 256);
}

Test(workload_parse_fi, reads_fiself_and_canaries)
{
	static const char log[] =
		"[cpu0] cell 'fiself' started\n"
		"[fiself] FI round=0 result=0x4b4bc110 crc=ok sort=ok\n"
		"[canary-a] CANARY ok pass=0\n"
		"[fiself] FI round=1 result=0xc83d28be crc=mismatch sort=ok\n"
		"[canary-a] CANARY changed addr=0x177000 pass=1 was=0x27520ff28be9c053 now=0x2\n"
		"[canary-a] CANARY changed addr=0x1000000 pass=1 page\n"
		"[fiself] FI result=0x53371c9f check=mismatch rounds=2\n"
		"[canary-a] CANARY done passes=2 changed=2 bytes=1114112\r\n"
		"[canary-b] CANARY ok pass=0\n";
	struct workload_fi_results r;
	char err[256] = "";

	cr_assert_eq(parse(log, &r, err), 0, "%s", err);
	const struct workload_fi *fi = workload_find_fi(&r, "fiself");
	cr_assert_not_null(fi);
	cr_expect(fi->done && !fi->check_ok);
	cr_expect_eq(fi->result, 0x53371c9f);
	cr_expect_eq(fi->rounds, 2);
	cr_expect_eq(fi->rounds_mismatched, 1);
	const struct workload_canary *a = workload_find_canary(&r, "canary-a");
	cr_assert_not_null(a);
	cr_expect(a->done);
	cr_expect_eq(a->passes_ok, 1);
	cr_expect_eq(a->changes_seen, 2);
	cr_expect_eq(a->changes[0].addr, 0x177000);
	cr_expect_eq(a->changes[0].was, 0x27520ff28be9c053ULL);
	cr_expect_eq(a->changes[0].now, 2);
	cr_expect_not(a->changes[0].page);
	cr_expect(a->changes[1].page);
	cr_expect_eq(a->bytes, 1114112);
	/* cut short: an outcome, not an error */
	const struct workload_canary *b = workload_find_canary(&r, "canary-b");
	cr_assert_not_null(b);
	cr_expect_not(b->done);
	cr_expect_null(workload_find_fi(&r, "canary-b"));
	workload_fi_results_free(&r);
}

Test(workload_parse_fi, malformed_and_contradictory_lines)
{
	static const struct {
		const char *log, *error;
	} bad[] = {
		{"FI round=0 result=0x1 crc=ok sort=ok\nFI round=2 result=0x1 crc=ok sort=ok\n",
		 "log:2:10: round: 2, want 1"},
		{"FI round=0 result=0xG crc=ok sort=ok\n", "log:1:19: result: '0xG' is not 0x"},
		{"FI round=0 result=0x1 crc=fine sort=ok\n", "log:1:27: crc: 'fine' is not ok or mismatch"},
		{"FI round=0 result=0x1 crc=ok\n", "log:1:29: sort: missing"},
		{"FI round=0 result=0x1 crc=ok sort=ok extra\n", "log:1:38: line: too many fields"},
		{"FI round=0 result=0x1 crc=ok  sort=ok\n", "log:1:30: line: an empty field"},
		{"FI round=0 result=0x1 crc=mismatch sort=ok\nFI result=0x5 check=ok rounds=1\n",
		 "log:2:21: check: contradicts the round lines"},
		{"FI round=0 result=0x1 crc=ok sort=ok\nFI result=0x5 check=ok rounds=2\n",
		 "log:2:31: rounds: 2, but 1 round lines"},
		{"FI result=0x5 check=ok rounds=0\nFI result=0x5 check=ok rounds=0\n",
		 "log:2:4: FI: a line after the result line"},
		{"FI result=0x100000000 check=ok rounds=0\n", "log:1:11: result: more than 32 bits"},
		{"CANARY ok pass=1\nCANARY ok pass=0\n", "log:2:16: pass: 0 after pass 1"},
		{"CANARY maybe pass=1\n", "log:1:8: CANARY: 'maybe' is not ok, changed or done"},
		{"CANARY changed addr=0x10 pass=0 was=0x1\n", "log:1:40: now: missing"},
		{"CANARY changed addr=10 pass=0 page\n", "log:1:21: addr: '10' is not 0x"},
		{"CANARY changed addr=0x10 pass=0 page\nCANARY done passes=1 changed=0 bytes=8\n",
		 "log:2:30: changed: 0, but 1 changes"},
		{"CANARY ok pass=3\nCANARY done passes=3 changed=0 bytes=8\n",
		 "log:2:20: passes: 3, but pass 3"},
		{"CANARY done passes=0 changed=0 bytes=8\nCANARY ok pass=0\n",
		 "log:2:8: CANARY: a line after the done line"},
	};
	struct workload_fi_results r;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(parse(bad[i].log, &r, err), -1, "accepted:\n%s", bad[i].log);
		cr_expect(strncmp(err, bad[i].error, strlen(bad[i].error)) == 0, "'%s', want '%s...'", err,
			  bad[i].error);
		workload_fi_results_free(&r);
	}
}
