/* The batch module's checks: a blob the hypervisor would run, and each way one is refused. */
#include <criterion/criterion.h>
#include <string.h>
#include <tessera/abi/batch.h>
#include <tessera/batch.h>
#include <tessera/crc32.h>

struct blob {
	struct tessera_batch_header h;
	struct tessera_batch_experiment e[2];
};

/* Two experiments for cell 1 of a 3-cell config, cell 0 a canary. */
static void make(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->h.magic, TESSERA_BATCH_MAGIC, sizeof(b->h.magic));
	b->h.version = TESSERA_BATCH_VERSION;
	b->h.total_size = sizeof(*b);
	b->h.target = 1;
	b->h.limit_ms = 5000;
	b->h.others = 0x5;
	b->h.canaries = 0x1;
	b->h.nr_experiments = 2;
	b->h.experiments_offset = sizeof(b->h);
	b->e[0].index = 7;
	b->e[1].index = 8;
}

static const char *check(struct blob *b)
{
	b->h.checksum = 0;
	b->h.checksum = crc32_update(0, b, sizeof(*b));
	return batch_problem(b, sizeof(*b), 3);
}

Test(batch_check, a_good_batch_passes)
{
	struct blob b;
	make(&b);
	cr_expect_null(check(&b));
	cr_expect_eq(batch_experiments(&b.h)[1].index, 8);
}

Test(batch_check, each_bad_field_is_named)
{
	struct blob b;
	const char *why;

	make(&b);
	b.h.magic[0] = 'X';
	cr_expect(strstr(check(&b), "magic"));
	make(&b);
	b.h.version = 2;
	cr_expect(strstr(check(&b), "version"));
	make(&b);
	b.h.flags = 1;
	cr_expect(strstr(check(&b), "flags"));
	make(&b);
	b.h.nr_experiments = 3; /* one more than the blob holds */
	cr_expect(strstr(check(&b), "outside the blob"));
	make(&b);
	b.h.nr_experiments = 0;
	cr_expect(strstr(check(&b), "no experiments"));
	make(&b);
	b.h.target = 3;
	cr_expect(strstr(check(&b), "target"));
	make(&b);
	b.h.others = 0x7; /* the target among the others */
	cr_expect(strstr(check(&b), "target"));
	make(&b);
	b.h.others = 0xd; /* cell 3 of a 3-cell config */
	cr_expect(strstr(check(&b), "cells the config does not have"));
	make(&b);
	b.h.canaries = 0x2; /* the target as a canary */
	cr_expect(strstr(check(&b), "canary"));
	make(&b);
	b.h.limit_ms = 0;
	cr_expect(strstr(check(&b), "time limit"));

	make(&b);
	check(&b);
	b.e[1].seed = 1; /* after the checksum */
	why = batch_problem(&b, sizeof(b), 3);
	cr_expect(why && strstr(why, "checksum"), "%s", why ? why : "(passed)");
	make(&b);
	cr_expect(strstr(batch_problem(&b, sizeof(b) - 8, 3), "size"), "a module shorter than total_size");
	cr_expect(strstr(batch_problem(&b, 8, 3), "magic"), "a module shorter than the header");
}
