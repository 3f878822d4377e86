/*
 * `lab regress --baseline REV` (docs/lab.md, "Regression baselines"): when the baseline is not a file but
 * a git revision of the source tree, that revision is checked out in a scratch clone (`git clone
 * --shared`: it borrows the objects and leaves the source repository as it was), built there
 * (./tessera builds its out/), and its own `tessera lab regress` runs once, with the steps of this run
 * that it knows, into out/regress-baselines/REV.db; later runs against the same revision reuse that file.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../host_files.h"
#include "regress.h"
#include "regress_compare.h"

#define PROG "tessera lab regress"

static void say_failure(const char *what, const struct regress_proc *p)
{
	fprintf(stderr, "%s: --baseline: %s failed (exit status %d%s)\n%s%s", PROG, what, p->status,
		p->timed_out ? ", timed out" : "", p->out, p->err);
}

/* The old tree's steps among `steps` (NULL: all it has), comma-separated into out. */
static void known_steps(const char *tessera, const char *steps, char *out, size_t size)
{
	struct regress_proc p;
	size_t n = 0;

	out[0] = '\0';
	regress_proc_run(&p, 60, (const char *const[]){tessera, "lab", "regress", "--list", NULL});
	for (char *line = p.out; line && *line;) {
		char *end = strchr(line, '\n');
		size_t len = strcspn(line, " \n");
		bool wanted = !steps;
		for (const char *s = steps; s && *s;) {
			size_t l = strcspn(s, ",");
			wanted = wanted || (l == len && !strncmp(s, line, len));
			s += l + (s[l] == ',');
		}
		if (wanted && len && n + len + 2 < size)
			n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? "," : "", (int)len, line);
		line = end ? end + 1 : NULL;
	}
	regress_proc_free(&p);
}

int regress_baseline_resolve(const char *root, const char *out_dir, const char *spec, const char *steps,
			     char *out, size_t size)
{
	char sha[64] = "", rev[PATH_MAX + 64], dir[PATH_MAX], wt[PATH_MAX], tool[PATH_MAX + 16], list[512];
	struct regress_proc p;

	if (!access(spec, F_OK)) {
		snprintf(out, size, "%s", spec);
		return 0;
	}
	snprintf(rev, sizeof(rev), "%s^{commit}", spec);
	regress_proc_run(&p, 60,
			 (const char *const[]){"/usr/bin/git", "-C", root, "rev-parse", "--verify", "--quiet",
					       rev, NULL});
	if (p.status == 0)
		snprintf(sha, sizeof(sha), "%.*s", (int)strcspn(p.out, "\n"), p.out);
	regress_proc_free(&p);
	if (strlen(sha) < 12) {
		fprintf(stderr,
			"tessera: --baseline %s: neither a results database nor a git revision of %s\n", spec,
			root);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/regress-baselines", out_dir);
	mkdir(dir, 0755);
	snprintf(out, size, "%s/%.12s.db", dir, sha);
	if (!access(out, F_OK)) {
		printf("lab regress: baseline of revision %.12s: %s (stored before)\n", sha, out);
		return 0;
	}
	if (lab_make_scratch_dir(wt, sizeof(wt), "tessera-regress-rev")) {
		perror(PROG ": scratch directory");
		return 1;
	}
	printf("lab regress: baseline of revision %.12s: building it in %s, then its suite once\n", sha, wt);
	fflush(stdout);
	int ret = 1;
	regress_proc_run(&p, 300,
			 (const char *const[]){"/usr/bin/git", "clone", "--quiet", "--shared",
					       "--no-checkout", root, wt, NULL});
	if (!p.status) {
		regress_proc_free(&p);
		regress_proc_run(&p, 300,
				 (const char *const[]){"/usr/bin/git", "-C", wt, "checkout", "--quiet",
						       "--detach", sha, NULL});
	}
	if (p.status) {
		say_failure("checking it out (git clone --shared, git checkout)", &p);
		regress_proc_free(&p);
		lab_remove_tree(wt);
		return 1;
	}
	regress_proc_free(&p);
	/* from inside the clone: `gn gen` takes the source tree from the working directory */
	regress_proc_run(
		&p, 1800,
		(const char *const[]){"/bin/sh", "-c", "cd \"$1\" && ./tessera --help", "sh", wt, NULL});
	if (p.status)
		say_failure("building it (./tessera --help)", &p);
	regress_proc_free(&p);
	snprintf(tool, sizeof(tool), "%s/out/tessera", wt);
	if (!access(tool, X_OK) && !regress_stopping()) {
		known_steps(tool, steps, list, sizeof(list));
		const char *argv[] = {tool, "lab", "regress", "-o", out, "--steps", list, NULL};
		regress_proc_run(&p, 4 * 3600, argv);
		/* 1: the baseline has failed cases, which are known failures then, not a failed run */
		if (p.status == 0 || p.status == 1) {
			printf("lab regress: baseline of revision %.12s (steps %s) stored in %s\n", sha, list,
			       out);
			ret = 0;
		} else {
			say_failure("its lab regress", &p);
			/* no half-made baseline for the next run to take */
			char side[PATH_MAX + 80];
			remove(out);
			snprintf(side, sizeof(side), "%s-wal", out);
			remove(side);
			snprintf(side, sizeof(side), "%s-shm", out);
			remove(side);
		}
		regress_proc_free(&p);
	}
	if (lab_remove_tree(wt))
		fprintf(stderr, "%s: cannot remove %s\n", PROG, wt);
	return regress_stopping() ? 1 : ret;
}
