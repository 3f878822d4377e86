/*
 * The corpus step: config is checked twice, so every bad config of tests/configs/bad that can be written
 * as a blob at all (`tessera config compile --no-check`) is booted, and the hypervisor must refuse it on
 * its own with the corpus file's expected message ("# expect: LINE:COL: message"), start no cell, and
 * stop as a bad config. The same judgement as tests/integration/corpus_hv_test.c, one case per file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runner.h"
#include "regress.h"

#define CORPUS "tests/configs/bad"
#define IMAGES "tests/configs/images"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The message of the first line "# expect: LINE:COL: message", or false. */
static bool expected_message(const char *path, char *msg, size_t size)
{
	char line[512] = "";
	FILE *f = fopen(path, "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	const char *p = strstr(line, "# expect: ");
	if (!p)
		return false;
	p += strlen("# expect: ");
	for (int colons = 0; *p && colons < 2; p++)
		colons += *p == ':';
	while (*p == ' ')
		p++;
	snprintf(msg, size, "%s", p);
	return *msg != '\0';
}

static void judge(const struct regress_ctx *ctx, struct regress_result *r, const char *file, const char *yaml)
{
	char msg[256], blob[1024], images[1024], initrd[6 * 1024], detail[512];
	struct regress_proc cp;

	if (!expected_message(yaml, msg, sizeof(msg))) {
		regress_add_case(r, false, "no '# expect:' line", "corpus/%s", file);
		return;
	}
	snprintf(blob, sizeof(blob), "%s/corpus.blob", ctx->tmp);
	snprintf(images, sizeof(images), "%s/%s", ctx->root, IMAGES);
	unlink(blob);
	regress_proc_run(&cp, 60,
			 (const char *const[]){ctx->tessera, "config", "compile", "--no-check", "--images",
					       images, yaml, "-o", blob, NULL});
	bool forced = cp.status == 0 && access(blob, R_OK) == 0;
	regress_proc_free(&cp);
	if (!forced)
		return; /* a YAML or schema error: nothing to force past the host, no case */
	snprintf(initrd, sizeof(initrd), "%s,%s/hello.elf,%s/probe.elf,%s/big.elf,%s/corrupt.elf", blob,
		 images, images, images, images);
	/* As `tessera run --no-config --smp 4 --mem 512M --timeout 40 -- -initrd BLOB,...` boots it. */
	char *qemu_args[] = {"-initrd", initrd};
	struct lab_system s = {.no_config = true,
			       .smp = 4,
			       .mem = "512M",
			       .timeout_s = 40,
			       .qemu_args = qemu_args,
			       .nr_qemu_args = 2};
	struct regress_console p;
	char head[256];
	snprintf(head, sizeof(head), "boot --no-config -initrd %s", file);
	regress_boot(ctx, r, head, &s, &p);
	const char *err = strstr(p.text, "ERROR: config: ");
	const char *eol = err ? strchr(err, '\n') : NULL;
	const char *said = err ? strstr(err, msg) : NULL;
	if (!err)
		snprintf(detail, sizeof(detail), "no config error from the hypervisor (exit status %d)",
			 p.status);
	else if (!said || (eol && said > eol))
		snprintf(detail, sizeof(detail), "said '%.*s', expected '%s'", (int)(eol ? eol - err : 200),
			 err, msg);
	else if (strstr(p.text, "started ("))
		snprintf(detail, sizeof(detail), "a cell was started from a bad blob");
	else if (p.status != 1 || !strstr(p.summary, "bad config"))
		snprintf(detail, sizeof(detail), "exit status %d (%s), not a bad-config stop", p.status,
			 p.summary);
	else
		detail[0] = '\0';
	regress_add_case(r, !detail[0], detail, "corpus/%s", file);
	if (p.timed_out)
		regress_incomplete(r, "%s: the boot timed out", file);
	regress_console_free(&p);
}

int regress_step_corpus(const struct regress_ctx *ctx, struct regress_result *r)
{
	char dir[4096], yaml[8192];
	char *names[512];
	size_t n = 0;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/%s", ctx->root, CORPUS);
	DIR *d = opendir(dir);
	if (!d) {
		regress_incomplete(r, "%s: cannot open the corpus", dir);
		return 0;
	}
	while ((e = readdir(d)) && n < 512) {
		size_t len = strlen(e->d_name);
		if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		if (!regress_stopping()) {
			snprintf(yaml, sizeof(yaml), "%s/%s", dir, names[i]);
			judge(ctx, r, names[i], yaml);
		}
		free(names[i]);
	}
	if (!r->nr_cases)
		regress_incomplete(r, "no bad config of the corpus could be forced into a blob");
	return 0;
}
