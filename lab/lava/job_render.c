/* LAVA job definitions (job_render.h). YAML is written by hand: every scalar single-quoted. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/workload_format.h"
#include "job_render.h"

/* The arguments LAVA's qemu device type already gives (its -nographic puts the serial port on stdio). */
static const char *const provided[][2] = {
	{"-display", "none"},
	{"-monitor", "none"},
	{"-serial", "stdio"},
};

/* A YAML single-quoted scalar: '' stands for '. */
static void yq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static bool is_provided(const char *flag, const char *value)
{
	for (size_t i = 0; i < sizeof(provided) / sizeof(provided[0]); i++)
		if (!strcmp(flag, provided[i][0]) && value && !strcmp(value, provided[i][1]))
			return true;
	return false;
}

/*
 * LAVA joins the options with spaces and splits them again, honouring double quotes: an argument with a
 * space or quote would not survive, except the -append value, which the job puts in double quotes.
 */
static const char *unsplittable(char *const *argv)
{
	for (char *const *a = argv + 1; *a; a++) {
		bool append = a != argv + 1 && !strcmp(a[-1], "-append");
		if (strpbrk(*a, append ? "\t\n'\"\\{}" : " \t\n'\"\\{}") || (!append && !**a))
			return *a;
	}
	return NULL;
}

struct parts {
	const char *kernel, *append, *initrd, *mem;
};

static int split(char *const *argv, struct parts *p, char *err, size_t err_size)
{
	memset(p, 0, sizeof(*p));
	for (char *const *a = argv + 1; *a; a++) {
		const char *v = a[1] && a[1][0] != '-' ? a[1] : NULL;
		if (!strcmp(*a, "-kernel") && v)
			p->kernel = v;
		else if (!strcmp(*a, "-append") && v)
			p->append = v;
		else if (!strcmp(*a, "-initrd") && v)
			p->initrd = v;
		else if (!strcmp(*a, "-m") && v)
			p->mem = v;
		else
			continue;
		a++;
	}
	if (!p->kernel || !p->mem) {
		snprintf(err, err_size, "the QEMU command line has no -kernel or no -m");
		return 2;
	}
	if (p->initrd && strchr(p->initrd, ',')) {
		snprintf(err, err_size,
			 "LAVA passes one file per image: the boot modules must be one bundle, not '%s'",
			 p->initrd);
		return 2;
	}
	return 0;
}

char *lava_job_channel_arg(const char *arg)
{
	static const char file[] = "memory-backend-file,", memfd[] = "memory-backend-memfd";
	char *out;

	if (strncmp(arg, file, strlen(file)) || !(out = malloc(strlen(arg) + 8)))
		return NULL;
	strcpy(out, memfd);
	/* every property but mem-path, in order */
	for (const char *p = arg + strlen(file) - 1; *p == ',';) {
		const char *end = strchr(p + 1, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (strncmp(p, ",mem-path=", 10))
			strncat(out, p, n);
		p += n;
	}
	return out;
}

static void write_context(FILE *f, char *const *argv, const char *mem)
{
	fprintf(f, "context:\n  arch: 'amd64'\n  # TCG with the project's -cpu, never LAVA's '-enable-kvm "
		   "-cpu host'\n"
		   "  no_kvm: true\n  memory: ");
	yq(f, mem);
	fprintf(f, "\n  extra_options:\n");
	for (char *const *a = argv + 1; *a; a++) {
		const char *v = a[1] && a[1][0] != '-' ? a[1] : NULL;
		if (v && (!strcmp(*a, "-kernel") || !strcmp(*a, "-append") || !strcmp(*a, "-initrd") ||
			  !strcmp(*a, "-m") || is_provided(*a, v))) {
			a++;
			continue;
		}
		char *channel = v && !strcmp(*a, "-object") ? lava_job_channel_arg(v) : NULL;
		fprintf(f, "  - '%s%s%s'\n", *a, v ? " " : "", channel ? channel : v ? v : "");
		free(channel);
		if (v)
			a++;
	}
}

static void write_timeouts(FILE *f, unsigned int s)
{
	unsigned int t = s ? s : 3600;

	fprintf(f, "timeouts:\n  job: {seconds: %u}\n  action: {seconds: %u}\n  connection: {seconds: %u}\n",
		t + 120, t, t);
}

static void write_deploy(FILE *f, const struct lava_job *j, const struct parts *p)
{
	fprintf(f, "- deploy:\n    to: tmpfs\n    images:\n      kernel:\n        image_arg: ");
	/* No quote, backslash or brace in append (unsplittable()): it can go between the quotes as it is. */
	if (p->append)
		fprintf(f, "'-kernel {kernel} -append \"%s\"'\n", p->append);
	else
		fprintf(f, "'-kernel {kernel}'\n");
	fprintf(f, "        url: ");
	yq(f, j->kernel_url);
	if (p->initrd) {
		fprintf(f, "\n      initrd:\n        image_arg: '-initrd {initrd}'\n        url: ");
		yq(f, j->initrd_url);
	}
	fputc('\n', f);
}

static void write_test(FILE *f, const char *name)
{
	fprintf(f, "- boot:\n    method: qemu\n    media: tmpfs\n");
	fprintf(f, "- test:\n    monitors:\n    - name: ");
	yq(f, name);
	fprintf(f, "\n      start: ");
	yq(f, LAVA_START_MARKER);
	fprintf(f, "\n      end: ");
	yq(f, LAVA_END_REGEX);
	fprintf(f, "\n      pattern: ");
	char pattern[512];
	lava_monitor_pattern(pattern, sizeof(pattern));
	yq(f, pattern);
	fprintf(f, "\n      fixupdict: {PASS: pass, FAIL: fail");
	for (unsigned int u = 0; u < WORKLOAD_NR_UNITS; u++)
		fprintf(f, ", %s: pass", workload_unit_name(u));
	fprintf(f, "}\n");
}

size_t lava_monitor_pattern(char *buf, size_t size)
{
	char units[256] = "";
	size_t n = 0;

	for (unsigned int u = 0; u < WORKLOAD_NR_UNITS; u++)
		n += (size_t)snprintf(units + n, sizeof(units) - n, "%s%s", u ? "|" : "",
				      workload_unit_name(u));
	/* tcase says which of the two lines matched; the conditionals (?(tcase)...) pick each part's form. */
	int len = snprintf(buf, size,
			   "\\[(?P<test_case_id>[\\w.-]+\\] (?:(?P<tcase>TEST) [\\w.-]+|" WORKLOAD_TAG
			   " [a-z0-9_]+ [a-z0-9_]+))(?(tcase):) (?P<result>(?P<units>(?(tcase)|(?:%s)))"
			   "(?(tcase)(?:PASS|FAIL)|))(?(tcase)| [0-9]+ (?P<measurement>[0-9]+)\\s)",
			   units);
	return len < 0 ? 0 : (size_t)len;
}

int lava_job_write(FILE *f, const struct lava_job *j, char *err, size_t err_size)
{
	struct parts p;
	const char *bad = unsplittable(j->argv);

	if (bad) {
		snprintf(err, err_size,
			 "QEMU argument '%s' holds a space, quote, backslash or brace, which a LAVA job "
			 "cannot "
			 "pass",
			 bad);
		return 2;
	}
	if (split(j->argv, &p, err, err_size))
		return 2;
	fprintf(f, "# Rendered by `tessera lab lava render` (docs/lab.md): boots as `tessera run` does.\n");
	fprintf(f, "job_name: ");
	yq(f, j->name);
	fprintf(f, "\ndevice_type: qemu\nvisibility: public\npriority: medium\n");
	if (j->metadata && j->metadata[0]) {
		fprintf(f, "metadata:\n");
		for (const char *const *m = j->metadata; m[0] && m[1]; m += 2) {
			fprintf(f, "  %s: ", m[0]);
			yq(f, m[1]);
			fputc('\n', f);
		}
	}
	write_timeouts(f, j->timeout_s);
	write_context(f, j->argv, p.mem);
	fprintf(f, "actions:\n");
	write_deploy(f, j, &p);
	write_test(f, "tessera");
	return ferror(f) ? 1 : 0;
}
