/*
 * The config corpus: every tests/configs/bad/NN-name.yaml must be refused with the position and message
 * its first line expects (`# expect: LINE:COL: message`), and the blob it compiles to when forced past
 * the host checker (--no-check) must still be refused by the checker the hypervisor runs. Every good
 * config (tests/configs/good/, configs/) must pass.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/config_check.h>

#include "compile.h"

#define ROOT	   TESSERA_SOURCE_ROOT
#define IMAGES_DIR ROOT "/tests/configs/images"

static const char *const image_dirs[] = {IMAGES_DIR};

static struct config_options test_options(void)
{
	return (struct config_options){.image_dirs = image_dirs, .nr_image_dirs = 1};
}

static void expected_of(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512] = "";

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	cr_assert_eq(strncmp(line, "# expect: ", 10), 0, "%s: first line has no '# expect: '", path);
	snprintf(out, size, "%s", line + 10);
}

static void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];

	if (!f)
		return NULL;
	*size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* What the hypervisor does with a blob and its images: 0 if it would start the cells. */
static int hypervisor_verdict(const struct config_compiled *c)
{
	struct config_error err;
	size_t size;

	const struct tessera_config_header *h = c->blob;

	/* The hypervisor also refuses RAM its memory map says the firmware keeps (cell.c). */
	if (config_check(c->blob, c->size, config_host_platform_for(h->ram_size), &err))
		return -1;
	for (unsigned int i = 0; i < c->nr_images; i++) {
		void *elf = c->images[i] ? read_all(c->images[i], &size) : NULL;
		if (!elf || config_check_image(c->blob, i, elf, size, 62, &err))
			return -1;
	}
	return 0;
}

Test(config_corpus, bad_configs_are_refused_at_the_right_place)
{
	glob_t g;
	unsigned int forced = 0;

	cr_assert_eq(glob(ROOT "/tests/configs/bad/*.yaml", 0, NULL, &g), 0);
	cr_assert_geq(g.gl_pathc, 30, "the corpus should hold at least 30 bad configs");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct config_options opt = test_options();
		struct config_compiled out;
		struct config_diag diag;
		char want[512], got[512];
		int ret;

		expected_of(g.gl_pathv[i], want, sizeof(want));
		ret = config_compile(g.gl_pathv[i], &opt, &out, &diag);
		cr_assert_eq(ret, 2, "%s: accepted", g.gl_pathv[i]);
		snprintf(got, sizeof(got), "%u:%u: %s", diag.line, diag.col, diag.message);
		cr_expect_str_eq(got, want, "%s:\n  got  %s\n  want %s", g.gl_pathv[i], got, want);

		/* Forced past the host checker, the blob must still be refused. */
		opt.no_check = true;
		if (config_compile(g.gl_pathv[i], &opt, &out, &diag) == 0) {
			forced++;
			cr_expect_neq(hypervisor_verdict(&out), 0, "%s: forced blob accepted", g.gl_pathv[i]);
			config_compiled_free(&out);
		}
	}
	/* Most bad configs are semantic errors, which compile to a blob; schema errors do not. */
	cr_expect_geq(forced, 30, "only %u bad configs compiled to a blob with --no-check", forced);
	globfree(&g);
}

static void expect_good(const char *pattern)
{
	glob_t g;

	cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no files match %s", pattern);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct config_options opt = test_options();
		struct config_compiled out;
		struct config_diag diag;

		cr_expect_eq(config_compile(g.gl_pathv[i], &opt, &out, &diag), 0, "%s:%u:%u: %s",
			     g.gl_pathv[i], diag.line, diag.col, diag.message);
		if (out.blob) {
			cr_expect_eq(hypervisor_verdict(&out), 0, "%s: refused as a blob", g.gl_pathv[i]);
			config_compiled_free(&out);
		}
	}
	globfree(&g);
}

Test(config_corpus, good_configs_pass)
{
	expect_good(ROOT "/tests/configs/good/*.yaml");
	expect_good(ROOT "/configs/*.yaml");
}

Test(config_corpus, default_config_compiles_as_documented)
{
	struct config_options opt = test_options();
	struct config_compiled out;
	struct config_diag diag;
	const struct tessera_config_header *h;
	const struct tessera_config_cell *cells;

	cr_assert_eq(config_compile(ROOT "/configs/default.yaml", &opt, &out, &diag), 0, "%s", diag.message);
	h = out.blob;
	cells = config_cells(h);
	cr_assert_eq(h->nr_cpus, 4);
	cr_assert_eq(h->ram_size, 256ULL << 20);
	cr_assert_eq(h->nr_cells, 3);
	cr_assert_str_eq(cells[2].name, "probe");
	cr_assert_eq(cells[2].policy, TESSERA_POLICY_INJECT);
	cr_assert_eq(cells[0].cpus & cells[1].cpus, 0);
	cr_assert_str_eq(cells[0].image, "hello.elf");
	cr_assert_not_null(strstr(cells[2].args, "targets="));
	cr_assert_eq(out.nr_images, 3);
	config_compiled_free(&out);
}

Test(config_parse, numbers)
{
	uint64_t v;

	cr_assert_eq(config_parse_number("4K", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(config_parse_number("0x10M", &v), 0);
	cr_assert_eq(v, 16ULL << 20);
	cr_assert_eq(config_parse_number("1G", &v), 0);
	cr_assert_eq(v, 1ULL << 30);
	cr_assert_eq(config_parse_number("12", &v), 0);
	cr_assert_eq(v, 12);
	cr_assert_neq(config_parse_number("4X", &v), 0);
	cr_assert_neq(config_parse_number("-1", &v), 0);
	cr_assert_neq(config_parse_number("", &v), 0);
	cr_assert_neq(config_parse_number("4KK", &v), 0);
	cr_assert_eq(config_parse_number("0xffffffffffffffffK", &v), CONFIG_NUMBER_TOO_LARGE);
	cr_assert_eq(config_parse_number("99999999999999999999", &v), CONFIG_NUMBER_TOO_LARGE);
	cr_assert_eq(config_parse_number("18446744073709551615", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(config_parse_number("18446744073709551616", &v), CONFIG_NUMBER_TOO_LARGE);
}

/* A leading zero is not octal: numbers are decimal unless they say 0x, 0o or 0b. */
Test(config_parse, leading_zero_is_decimal)
{
	uint64_t v;

	cr_assert_eq(config_parse_number("017", &v), 0);
	cr_assert_eq(v, 17);
	cr_assert_eq(config_parse_number("0258M", &v), 0);
	cr_assert_eq(v, 258ULL << 20);
	cr_assert_eq(config_parse_number("08", &v), 0);
	cr_assert_eq(v, 8);
	cr_assert_eq(config_parse_number("0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(config_parse_number("0o17", &v), 0);
	cr_assert_eq(v, 15);
	cr_assert_eq(config_parse_number("0b101K", &v), 0);
	cr_assert_eq(v, 5 << 10);
	cr_assert_eq(config_parse_number("0X1F", &v), 0);
	cr_assert_eq(v, 31);
	cr_assert_eq(config_parse_number("0x", &v), CONFIG_NUMBER_INVALID);
	cr_assert_eq(config_parse_number("0b2", &v), CONFIG_NUMBER_INVALID);
	cr_assert_eq(config_parse_number("0o8", &v), CONFIG_NUMBER_INVALID);
	cr_assert_eq(config_parse_number("1_000", &v), CONFIG_NUMBER_INVALID);
}

/* docs/config.md shows configs/default.yaml whole between two markers; a stale copy fails here. */
Test(docs_example, matches_default_config)
{
	static char doc[1 << 17], yaml[1 << 16];
	FILE *f = fopen(ROOT "/docs/config.md", "r");
	cr_assert_not_null(f);
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = 0;
	f = fopen(ROOT "/configs/default.yaml", "r");
	cr_assert_not_null(f);
	n = fread(yaml, 1, sizeof(yaml) - 1, f);
	fclose(f);
	yaml[n] = 0;

	const char *begin = strstr(doc, "<!-- BEGIN configs/default.yaml -->\n```yaml\n");
	const char *end = strstr(doc, "```\n<!-- END configs/default.yaml -->");
	cr_assert(begin && end && end > begin, "docs/config.md lacks the configs/default.yaml markers");
	begin += strlen("<!-- BEGIN configs/default.yaml -->\n```yaml\n");
	cr_expect(strlen(yaml) == (size_t)(end - begin) && !strncmp(begin, yaml, strlen(yaml)),
		  "docs/config.md's example differs from configs/default.yaml: copy the file between the "
		  "markers");
}

/* docs/config.md's table of what the hypervisor keeps is the platform table's: a stale copy fails here. */
Test(docs_platform, matches_the_platform_table)
{
	static char doc[1 << 17];
	FILE *f = fopen(ROOT "/docs/config.md", "r");
	cr_assert_not_null(f);
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = 0;

	char *table = config_platform_markdown();
	cr_assert_not_null(table);
	const char *mark = "<!-- BEGIN tessera config platform -->\n";
	const char *begin = strstr(doc, mark);
	const char *end = strstr(doc, "<!-- END tessera config platform -->");
	cr_assert(begin && end && end > begin, "docs/config.md lacks the platform table markers");
	begin += strlen(mark);
	cr_expect(strlen(table) == (size_t)(end - begin) && !strncmp(begin, table, strlen(table)),
		  "docs/config.md's platform table differs from the table: paste `tessera config platform` "
		  "between the markers");
	free(table);
}

/* docs/config.md states how many bad configs the corpus holds; a new file without the docs fails here. */
Test(docs_corpus, count_is_true)
{
	static char doc[1 << 17];
	FILE *f = fopen(ROOT "/docs/config.md", "r");
	cr_assert_not_null(f);
	size_t n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = 0;

	const char *at = strstr(doc, "`tests/configs/bad/NN-name.yaml` (");
	cr_assert_not_null(at, "docs/config.md does not state the corpus count");
	unsigned int stated =
		(unsigned int)strtoul(at + strlen("`tests/configs/bad/NN-name.yaml` ("), NULL, 10);
	glob_t g;
	cr_assert_eq(glob(ROOT "/tests/configs/bad/*.yaml", 0, NULL, &g), 0);
	cr_expect_eq(stated, g.gl_pathc, "docs/config.md says %u bad configs, the corpus holds %zu", stated,
		     g.gl_pathc);
	globfree(&g);
}
