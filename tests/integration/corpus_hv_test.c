/*
 * Config is checked twice, on the host and in the hypervisor: every bad config of the corpus that can be written as a
 * blob at all (`tessera config compile --no-check`, which skips the host checker) is booted, and the
 * hypervisor must refuse it on its own, with the corpus's expected message, and start no cell. Configs
 * that cannot become a blob (YAML or schema errors) are skipped: there is nothing to force past the host.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define CORPUS		 "tests/configs/bad"
#define IMAGES		 "tests/configs/images"
#define MIN_FORCED_BLOBS 30
#define MAX_CASES	 256 /* more than the corpus holds */

struct corpus_case {
	char name[96];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct corpus_case *)a)->name, ((const struct corpus_case *)b)->name);
}

static size_t corpus_scan(struct corpus_case *cases, size_t max)
{
	DIR *d = opendir(TESSERA_SOURCE_ROOT "/" CORPUS);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml") && len < sizeof(cases[0].name))
			strcpy(cases[n++].name, e->d_name);
	}
	closedir(d);
	qsort(cases, n, sizeof(cases[0]), by_name);
	return n;
}

/* The message of the corpus file's first line, "# expect: LINE:COL: message". */
static void expected_message(const char *path, char *msg, size_t size)
{
	char line[512] = "";
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	const char *p = strstr(line, "# expect: ");
	cr_assert_not_null(p, "%s: no '# expect:' line", path);
	p += strlen("# expect: ");
	for (int colons = 0; *p && colons < 2; p++)
		colons += *p == ':';
	while (*p == ' ')
		p++;
	snprintf(msg, size, "%s", p);
}

/*
 * The hypervisor's error line must be "ERROR: config: MSG" or "ERROR: config: cell 'NAME': MSG", the
 * message once: a second prefix ("cell 'a': image 'x': image 'x' ...") repeated what MSG says.
 */
static bool error_line_is_plain(const char *out, const char *msg)
{
	const char *p = strstr(out, "ERROR: config: ");
	const char *eol, *at;

	if (!p)
		return false;
	p += strlen("ERROR: config: ");
	eol = strchr(p, '\n');
	at = strstr(p, msg);
	if (!at || (eol && at > eol))
		return false;
	if (at == p)
		return true;
	if (strncmp(p, "cell '", 6) != 0)
		return false;
	const char *q = strchr(p + 6, '\'');
	return q && q + 3 == at && !strncmp(q, "': ", 3);
}

/* Compile with --no-check; true when a blob was written. */
static bool force_blob(const char *yaml, const char *blob)
{
	struct tessera_proc p;

	tessera_run(&p, 30,
		    (const char *const[]){"config", "compile", "--no-check", "--images",
					  TESSERA_SOURCE_ROOT "/" IMAGES, yaml, "-o", blob, NULL});
	bool ok = p.status == 0 && access(blob, R_OK) == 0;
	tessera_free(&p);
	return ok;
}

ParameterizedTestParameters(corpus, hypervisor_refuses_forced_blob)
{
	static struct corpus_case cases[MAX_CASES];
	size_t n = corpus_scan(cases, MAX_CASES);
	return cr_make_param_array(struct corpus_case, cases, n);
}

ParameterizedTest(struct corpus_case *c, corpus, hypervisor_refuses_forced_blob, .timeout = 90)
{
	char yaml[512], dir[] = "/tmp/tessera-corpus.XXXXXX", blob[256], initrd[2048], msg[256];
	struct tessera_proc p;

	snprintf(yaml, sizeof(yaml), "%s/%s/%.95s", TESSERA_SOURCE_ROOT, CORPUS, c->name);
	expected_message(yaml, msg, sizeof(msg));
	cr_assert_not_null(mkdtemp(dir));
	snprintf(blob, sizeof(blob), "%s/config.blob", dir);
	if (!force_blob(yaml, blob)) {
		rmdir(dir);
		cr_skip_test(
			"%s: no blob can be written (a YAML or schema error), nothing to force past the host",
			c->name);
	}
	/* Every test image goes along: the blob names the ones its cells use. */
	snprintf(initrd, sizeof(initrd), "%s,%s/%s/hello.elf,%s/%s/probe.elf,%s/%s/big.elf,%s/%s/corrupt.elf",
		 blob, TESSERA_SOURCE_ROOT, IMAGES, TESSERA_SOURCE_ROOT, IMAGES, TESSERA_SOURCE_ROOT, IMAGES,
		 TESSERA_SOURCE_ROOT, IMAGES);
	tessera_run(&p, 60,
		    (const char *const[]){"run", "--no-config", "--smp", "4", "--mem", "512M", "--timeout",
					  "40", "--", "-initrd", initrd, NULL});
	cr_expect(has_line_with(p.out, "ERROR: config: "), "%s: no config error from the hypervisor:\n%s",
		  c->name, p.out);
	cr_expect(has_line_with(p.out, msg), "%s: the hypervisor did not say \"%s\":\n%s", c->name, msg,
		  p.out);
	cr_expect(error_line_is_plain(p.out, msg), "%s: the error line is not 'config: [cell 'x': ]%s':\n%s",
		  c->name, msg, p.out);
	cr_expect(!strstr(p.out, "started ("), "%s: a cell was started from a bad blob:\n%s", c->name, p.out);
	cr_expect(has_line_with(p.err, "bad config (status 0x14)"), "%s: status %d, stderr:\n%s", c->name,
		  p.status, p.err);
	cr_expect_eq(p.status, 1, "%s: exit status %d", c->name, p.status);
	tessera_free(&p);
	unlink(blob);
	rmdir(dir);
}

Test(corpus, enough_bad_configs_reach_the_hypervisor, .timeout = 120)
{
	static struct corpus_case cases[MAX_CASES];
	size_t n = corpus_scan(cases, MAX_CASES), forced = 0;
	char dir[] = "/tmp/tessera-corpus.XXXXXX", yaml[512], blob[256];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(blob, sizeof(blob), "%s/config.blob", dir);
	for (size_t i = 0; i < n; i++) {
		snprintf(yaml, sizeof(yaml), "%s/%s/%.95s", TESSERA_SOURCE_ROOT, CORPUS, cases[i].name);
		unlink(blob);
		forced += force_blob(yaml, blob);
	}
	unlink(blob);
	rmdir(dir);
	cr_expect_geq(forced, MIN_FORCED_BLOBS, "only %zu of %zu bad configs could be forced into a blob",
		      forced, n);
}

/*
 * Images are found by base name: two boot modules of the same base name (another directory, another
 * file) leave the hypervisor unable to tell which one a cell wants, so it refuses rather than boot one.
 * The host refuses such a config (corpus 112); here the blob is good and only the modules collide.
 */
Test(corpus, two_modules_with_one_base_name_are_refused, .timeout = 90)
{
	char dir[] = "/tmp/tessera-corpus.XXXXXX", blob[256], initrd[1024];
	struct tessera_proc p;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(blob, sizeof(blob), "%s/config.blob", dir);
	tessera_run(&p, 30,
		    (const char *const[]){"config", "compile", "--images", TESSERA_SOURCE_ROOT "/" IMAGES,
					  TESSERA_SOURCE_ROOT "/tests/configs/good/minimal.yaml", "-o", blob,
					  NULL});
	cr_assert_eq(p.status, 0, "%s", p.err);
	tessera_free(&p);
	snprintf(initrd, sizeof(initrd), "%s,%s/%s/hello.elf,%s/%s/other/hello.elf", blob,
		 TESSERA_SOURCE_ROOT, IMAGES, TESSERA_SOURCE_ROOT, IMAGES);
	tessera_run(&p, 60,
		    (const char *const[]){"run", "--no-config", "--smp", "2", "--mem", "128M", "--timeout",
					  "40", "--", "-initrd", initrd, NULL});
	cr_expect(has_line_with(p.out, "ERROR: config: cell 'only': image 'hello.elf' names 2 boot modules"),
		  "%s", p.out);
	cr_expect(!strstr(p.out, "started ("), "a cell was started:\n%s", p.out);
	cr_expect_eq(p.status, 1, "exit status %d", p.status);
	tessera_free(&p);
	unlink(blob);
	rmdir(dir);
}
