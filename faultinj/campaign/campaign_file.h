/*
 * A fault-injection campaign file (docs/fault-campaigns.md): the system, the target cell, the fault
 * space, the sampling and how outcomes are judged. Loaded through libcyaml like the configs and plans;
 * every error is one `FILE:LINE:COL: message` (exit 2), found before anything boots: each fault entry's
 * first and last points are compiled as plans against the system config, so the engine's own checker
 * refuses what it would refuse at boot.
 */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_FILE_H
#define TESSERA_FAULTINJ_CAMPAIGN_FILE_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../cli/config/compile.h"

#define CAMPAIGN_MAX_DIMS     8	  /* parameters with more than one value, per fault entry */
#define CAMPAIGN_MAX_ENTRIES  16  /* fault entries */
#define CAMPAIGN_MAX_VALUES   256 /* words of one listed dimension */
#define CAMPAIGN_MAX_CANARIES 8

enum campaign_sampling { CAMPAIGN_EXHAUSTIVE, CAMPAIGN_RANDOM };
/* How experiments map to boots (docs/fault-campaigns.md, "Boots"). */
enum campaign_boots { CAMPAIGN_BOOTS_SHARED, CAMPAIGN_BOOTS_PER_EXPERIMENT };

/* One dimension of a fault entry: a parameter (or the trigger) with a list of words or a numeric range. */
struct campaign_dim {
	char key[32]; /* the plan key ("bit", "reg"; "trigger" for the trigger's value) */
	char *words[CAMPAIGN_MAX_VALUES];
	unsigned int nr_words; /* 0: a range */
	uint64_t lo, hi, step; /* the range lo, lo+step, ... <= hi */
};

struct campaign_entry {
	char model[32];
	char cell[64];
	char trigger_kind[16];	 /* "icount", "exit", "nth", ... */
	char trigger_reason[16]; /* for exit: the reason, "" for any */
	struct campaign_dim dims[CAMPAIGN_MAX_DIMS];
	unsigned int nr_dims;	/* the last one is the trigger's */
	uint64_t size;		/* points: the product of the dimensions' sizes */
	unsigned int line, col; /* of the entry in the campaign file */
	/*
	 * Its experiments boot alone even in a shared-boot campaign: an icount or tsc point of a
	 * deterministic campaign is exact only in a fresh machine (campaign_entry_needs_own_boot).
	 */
	bool own_boot;
};

struct campaign {
	char path[4096];   /* the campaign file as given */
	char config[4096]; /* the system config, resolved against the campaign file's folder */
	char name[64];
	char target[64];
	bool deterministic;
	uint64_t seed;
	enum campaign_sampling sampling;
	uint64_t experiments; /* random: how many; exhaustive: the space's size */
	double timeout_factor;
	unsigned int timeout_min_s;
	enum campaign_boots boots; /* shared unless the file or a fault's model asks for fresh machines */
	char output_prefix[64];	   /* the target's lines compared with the golden run's */
	char detected[64];	   /* a target line with this: the workload caught the error */
	char canary_alarm[64];	   /* a canary line with this: its memory changed */
	char canaries[CAMPAIGN_MAX_CANARIES][64];
	unsigned int nr_canaries;
	char peers[CAMPAIGN_MAX_CANARIES][64]; /* cells that talk with the target (judge.peers) */
	unsigned int nr_peers;
	bool has_output_re;
	regex_t output_re; /* judge.output_regex */
	struct campaign_entry entries[CAMPAIGN_MAX_ENTRIES];
	unsigned int nr_entries;
	uint64_t space_size; /* the sum of the entries' sizes */
	/* Not from the file: `fi campaign run --append OPTS`, more hypervisor command line for every boot
	 * (golden run and experiments), kept with the run (campaign_run_source). */
	char hv_append[512];
};

/* True when faults of `model` need a fresh machine per experiment (boots: per-experiment). */
bool campaign_model_needs_boot(const char *model);
/*
 * True when such faults may share boots all the same if the file says `boots: shared` outright: they are
 * then armed for each experiment's restart and test its path (fail points).
 */
bool campaign_model_restart_path(const char *model);
/* True when the experiments of entry e of c need a boot each even where the campaign's boots are shared. */
bool campaign_entry_needs_own_boot(const struct campaign *c, const struct campaign_entry *e);

/* Load and check path. 0, or 2 with *diag filled (print it with config_diag_print(path, diag)). */
int campaign_load(const char *path, struct campaign *c, struct config_diag *diag);

/* campaign_load() into a new campaign (free() it), its mistakes printed: *c, or NULL with the exit
 * status in *status (2 bad input, 1 out of memory). What every command that reads a campaign file does. */
struct campaign *campaign_load_reported(const char *path, int *status);
void campaign_free(struct campaign *c);

/* The size of a dimension (how many values it takes). */
uint64_t campaign_dim_size(const struct campaign_dim *d);
/* Value i of a dimension as the plan writes it, into buf. */
void campaign_dim_value(const struct campaign_dim *d, uint64_t i, char *buf, size_t size);

/*
 * The campaign source a run stores and resume and replay compare: the file's text, and a --append as a
 * last comment line (`# fi campaign run --append: OPTS`), so a run keeps what its boots were given.
 * Malloc'd, NULL when out of memory.
 */
char *campaign_run_source(const char *file_text, const char *append);
/* Whether a stored source is file_text's (with or without that line); its --append into append (or ""). */
bool campaign_run_source_matches(const char *stored, const char *file_text, char *append, size_t size);

#endif
