/*
 * A fault-injection campaign (docs/fault-campaigns.md) as LAVA jobs (lava_plan.h): the golden run's job
 * and one reboot-per-experiment job for each planned experiment, each booting exactly what `fi campaign
 * run` boots for it (the campaign's system, its mode and seed, the experiment's one-fault plan handed to
 * the engine as a boot module, all in the job's bundle), tagged with the experiment it stands for.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../faultinj/campaign/campaign_space.h"
#include "../host_files.h"
#include "../runner.h"
#include "lava_plan.h"

#define PROG	 "tessera lab lava render"
#define PATH_LEN (PATH_MAX + 256)

int lava_campaign_render_one(const struct campaign *c, const struct campaign_experiment *e, const char *dir,
			     const char *base, const char *scratch, FILE *tsv, char *job, size_t size);

/* Experiment e (NULL: the golden run) as a job (its path into job); its line into tsv. */
int lava_campaign_render_one(const struct campaign *c, const struct campaign_experiment *e, const char *dir,
			     const char *base, const char *scratch, FILE *tsv, char *job, size_t size)
{
	char name[128], plan_path[PATH_LEN], plan[4096], idx[16], seed[32];

	if (e)
		snprintf(name, sizeof(name), "%s.e%04u", c->name, e->index);
	else
		snprintf(name, sizeof(name), "%s.golden", c->name);
	snprintf(idx, sizeof(idx), "%u", e ? e->index : 0);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)(e ? e->plan_seed : c->seed));
	snprintf(plan_path, sizeof(plan_path), "%s/fault-plan.yaml", scratch);
	if (e) {
		int len = campaign_experiment_plan(c, e, plan, sizeof(plan));
		FILE *f = len < 0 ? NULL : fopen(plan_path, "w");
		if (!f || fwrite(plan, 1, (size_t)len, f) != (size_t)len || fclose(f)) {
			fprintf(stderr, "%s: experiment %u: cannot write its fault plan\n", PROG, e->index);
			return 1;
		}
	}
	const char *const meta[] = {"tessera_kind",
				    e ? "campaign-experiment" : "campaign-golden",
				    "tessera_campaign",
				    c->path,
				    "tessera_experiment",
				    e ? idx : "golden",
				    "tessera_fault",
				    e ? e->fault : "none",
				    "tessera_seed",
				    seed,
				    NULL};
	struct lab_system s = {
		.config = c->config,
		.hv_cmdline = c->hv_append[0] ? c->hv_append : NULL,
		.faults = e ? plan_path : NULL,
		.mode = c->deterministic ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = e ? e->plan_seed : c->seed,
	};
	int ret = lava_render_system(&s, dir, base, name, meta, job, size);
	if (!ret) {
		fprintf(tsv, "%s\t%s\t%s\n", job, e ? idx : "golden", e ? e->fault : "none");
	}
	return ret;
}

int lava_campaign_render_main(const char *campaign_path, const char *dir, const char *base_url)
{
	struct campaign *c = calloc(1, sizeof(*c));
	struct config_diag diag;
	char real[PATH_MAX], base[PATH_LEN], tsv_path[PATH_LEN], scratch[PATH_MAX];
	size_t n = 0;
	int ret = 0;

	if (!c)
		return 1;
	if (campaign_load(campaign_path, c, &diag)) {
		config_diag_print(campaign_path, &diag);
		free(c);
		return 2;
	}
	struct campaign_experiment *x = campaign_plan_experiments(c, &n);
	if ((mkdir(dir, 0755) && errno != EEXIST) || !realpath(dir, real) ||
	    lab_make_scratch_dir(scratch, sizeof(scratch), "tessera-lava-campaign")) {
		fprintf(stderr, "%s: %s: %s\n", PROG, dir, strerror(errno));
		campaign_free(c);
		free(c);
		free(x);
		return 1;
	}
	lava_base_url(real, base_url, base, sizeof(base));
	snprintf(tsv_path, sizeof(tsv_path), "%s/jobs.tsv", real);
	FILE *tsv = x ? fopen(tsv_path, "w") : NULL;
	if (!tsv) {
		fprintf(stderr, "%s: %s: %s\n", PROG, tsv_path, x ? strerror(errno) : "out of memory");
		ret = 1;
	} else {
		fprintf(tsv, "job\texperiment\tfault\n");
		char job[PATH_LEN];
		for (size_t i = 0; i <= n && !ret; i++) {
			/* the golden run first, then each experiment */
			ret = lava_campaign_render_one(c, i ? &x[i - 1] : NULL, real, base, scratch, tsv, job,
						       sizeof(job));
			if (!ret)
				printf("%s\n", job);
		}
		if (fclose(tsv) && !ret)
			ret = 1;
	}
	lab_remove_tree(scratch);
	free(x);
	campaign_free(c);
	free(c);
	return ret;
}
