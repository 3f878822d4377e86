/*
 * Many experiments per boot (docs/fault-campaigns.md, "Boots"): QEMU boots the campaign's system once,
 * the host holds the machine up through the control mailbox (SYS_HOLD) and, for each experiment, starts
 * the target again from its pristine image with the experiment's one fault armed just before
 * (CELL_RESTART_FAULT), with every other cell (canaries, peers) in the same command, in the config's
 * order and from cleared shared memory as at boot, waits until each has ended and
 * judges the experiment from its slice of the console with outcome.c. An experiment that panics or hangs
 * the hypervisor, or reaches its time limit, ends the boot; the caller goes on in a new one.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_SHARED_H
#define TESSERA_FAULTINJ_CAMPAIGN_SHARED_H

#include "campaign_boot.h"

/* What `repeat` of a many-per-boot experiment's row starts with (replay tells the modes apart by it). */
#define CAMPAIGN_SHARED_REPEAT "many-per-boot: "

struct campaign_shared_ops {
	/* The index (in x) of the next experiment for this boot, or -1: none, shut the machine down. */
	int (*next)(void *ctx);
	/* An experiment's result (the callee copies what it keeps). */
	void (*done)(const struct campaign_result *r, void *ctx);
	void *ctx;
};

/*
 * Boot c's system once and run experiment x[first], then those ops->next names, each against the golden
 * console, until next says -1 or the boot ends. Every experiment started gets exactly one ops->done.
 * Returns the number of experiments done in this boot.
 */
unsigned int campaign_shared_boot(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				  size_t first, const struct campaign_console *golden, unsigned int timeout_s,
				  const struct campaign_shared_ops *ops);

/*
 * An experiment batch (docs/fault-campaigns.md, "Batches"): boot c's system once with no host attached,
 * the experiments x[batch[0..nr_batch)] compiled into the boot module batch.blob, which the hypervisor
 * runs one after another (abi/batch.h); each is judged from its slice of the console between the
 * hypervisor's markers, as a many-per-boot experiment is. ops->next is not called: the batch is fixed
 * before the boot. Every experiment gets one ops->done, in the batch's order, until the boot ends; the
 * last result handed on (the batch's last, or the one whose boot ended) says boot_ended. batch.blob is
 * written into keep_dir and left there (a replay's, for a boot by hand), or into a scratch directory
 * (NULL). Returns the number of experiments done.
 */
unsigned int campaign_batch_boot(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				 const size_t *batch, size_t nr_batch, const struct campaign_console *golden,
				 unsigned int timeout_s, const char *keep_dir,
				 const struct campaign_shared_ops *ops);

/* The batch.blob of x[batch[0..nr_batch)] written into dir (a LAVA job's bundle carries it). 0, or -1 with
 * why. */
int campaign_batch_write(const struct campaign *c, const struct campaign_experiment *x, const size_t *batch,
			 size_t nr_batch, unsigned int timeout_s, const char *dir, char *why, size_t n);

/*
 * A batch's whole console, from a boot elsewhere (a LAVA job's log), judged as campaign_batch_boot judges
 * its own boot's, with `status` how that boot ended (0 the hypervisor's end marker, 124 a time limit, 1
 * otherwise). ops->done as there; returns the number of experiments done.
 */
unsigned int campaign_batch_judge(const struct campaign *c, const struct campaign_experiment *x, size_t nr,
				  const size_t *batch, size_t nr_batch, const struct campaign_console *golden,
				  unsigned int timeout_s, const char *console, int status,
				  const struct campaign_shared_ops *ops);

#endif
