/*
 * A fault-injection campaign (docs/fault-campaigns.md) as LAVA jobs (lava_campaign.h): the golden run's
 * job and one reboot-per-experiment job for each planned experiment, each booting exactly what `fi
 * campaign run` boots for it (the campaign's system, its mode and seed, the experiment's one-fault plan
 * handed to the engine as a boot module, all in the job's bundle), tagged with the experiment it stands
 * for; or, the batch form, the experiments that share a boot in batch jobs the hypervisor runs alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../faultinj/campaign/campaign_shared.h"
#include "../../faultinj/campaign/campaign_space.h"
#include "../host_files.h"
#include "../runner.h"
#include "lava_campaign.h"

#define PROG	 "tessera lab lava render"
#define PATH_LEN (PATH_MAX + 256)

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

int lava_campaign_render_batch(const struct campaign *c, const struct campaign_experiment *x,
			       const size_t *list, size_t n, unsigned int timeout_s, const char *dir,
			       const char *base, const char *scratch, char *job, size_t size)
{
	char name[128], why[600], first[16], count[16], seed[32];

	snprintf(name, sizeof(name), "%s.b%04u", c->name, x[list[0]].index);
	if (campaign_batch_write(c, x, list, n, timeout_s, scratch, why, sizeof(why))) {
		fprintf(stderr, "%s: %s: %s\n", PROG, name, why);
		return 1;
	}
	snprintf(first, sizeof(first), "%u", x[list[0]].index);
	snprintf(count, sizeof(count), "%zu", n);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)c->seed);
	const char *const meta[] = {"tessera_kind",
				    "campaign-batch",
				    "tessera_campaign",
				    c->path,
				    "tessera_first_experiment",
				    first,
				    "tessera_experiments",
				    count,
				    "tessera_seed",
				    seed,
				    NULL};
	char blob[PATH_LEN];
	snprintf(blob, sizeof(blob), "%s/batch.blob", scratch);
	unsigned long limit = (unsigned long)n * timeout_s * 3 + 300;
	struct lab_system s = {
		.config = c->config,
		.hv_cmdline = c->hv_append[0] ? c->hv_append : NULL,
		.batch = blob,
		.mode = c->deterministic ? LAB_MODE_DETERMINISTIC : LAB_MODE_WALLCLOCK,
		.seed = c->seed,
		.timeout_s = limit > LAVA_JOB_MAX_S ? LAVA_JOB_MAX_S : (unsigned int)limit,
	};
	return lava_render_system(&s, dir, base, name, meta, job, size);
}

/*
 * The batch form: the experiments that share a boot in batch jobs of at most `size`, each experiment's
 * limit the campaign's timeout_min_s (no golden run has measured one yet), cut so that a job's stays
 * under LAVA_JOB_MAX_S; one jobs.tsv row per experiment, naming its batch's job.
 */
static int render_batches(const struct campaign *c, const struct campaign_experiment *x, size_t n,
			  size_t size, const char *dir, const char *base, const char *scratch, FILE *tsv)
{
	size_t *list = calloc(n + 1, sizeof(*list)), k = 0,
	       fits = (LAVA_JOB_MAX_S - 300) / (3 * (size_t)(c->timeout_min_s ? c->timeout_min_s : 1));
	char job[PATH_LEN], sub[PATH_MAX + 32];
	int ret = 0;

	if (!list)
		return 1;
	if (size > fits)
		size = fits ? fits : 1;
	for (size_t i = 0; i < n; i++)
		if (!c->entries[x[i].entry].own_boot)
			list[k++] = i;
	for (size_t at = 0; at < k && !ret; at += size) {
		size_t m = k - at < size ? k - at : size;
		snprintf(sub, sizeof(sub), "%s/batch-%zu", scratch, at);
		if (mkdir(sub, 0755)) {
			fprintf(stderr, "%s: %s: %s\n", PROG, sub, strerror(errno));
			ret = 1;
			break;
		}
		if (lava_campaign_render_batch(c, x, &list[at], m, c->timeout_min_s, dir, base, sub, job,
					       sizeof(job))) {
			ret = 1;
			break;
		}
		for (size_t j = 0; j < m; j++)
			fprintf(tsv, "%s\t%u\t%s\n", job, x[list[at + j]].index, x[list[at + j]].fault);
		printf("%s\n", job);
	}
	free(list);
	return ret;
}

int lava_campaign_render_main(const char *campaign_path, const char *dir, const char *base_url,
			      size_t batch_size)
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
			/* the golden run first, then each experiment (batched: those that boot alone) */
			if (i && batch_size && !c->entries[x[i - 1].entry].own_boot)
				continue;
			ret = lava_campaign_render_one(c, i ? &x[i - 1] : NULL, real, base, scratch, tsv, job,
						       sizeof(job));
			if (!ret)
				printf("%s\n", job);
		}
		if (!ret && batch_size)
			ret = render_batches(c, x, n, batch_size, real, base, scratch, tsv);
		if (fclose(tsv) && !ret)
			ret = 1;
	}
	lab_remove_tree(scratch);
	free(x);
	campaign_free(c);
	free(c);
	return ret;
}
