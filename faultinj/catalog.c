/* The fault-model table as data (models.h), for the plan parser, the shared checker and the engine. */
#include <tessera/abi/hypercall.h>
#include <tessera/error.h>
#include <tessera/guest_reg.h>
#include <tessera/hooks.h>
#include <tessera/string.h>

#include "models.h"

#define FAULT_PARAM_DESC(model, pname, type, req, dflt, doc) {#pname, FPT_##type, req, dflt, doc},
#define FAULT_MODEL_PARAMS(id, NAME, name, triggers, desc)       \
	static const struct fault_param_desc params_##name[] = { \
		TESSERA_FAULT_PARAMS_##name(FAULT_PARAM_DESC)};
TESSERA_FAULT_MODELS(FAULT_MODEL_PARAMS)
#undef FAULT_MODEL_PARAMS
#undef FAULT_PARAM_DESC

#define FAULT_MODEL_DESC(id, NAME, name, triggers, desc) \
	{id, #name, triggers, desc, params_##name, ARRAY_SIZE(params_##name)},
static const struct fault_model_desc models[] = {TESSERA_FAULT_MODELS(FAULT_MODEL_DESC)};
#undef FAULT_MODEL_DESC

#define SLOTS_FIT(id, NAME, name, triggers, desc) \
	_Static_assert(FP_##name##_COUNT <= TESSERA_FAULT_PARAMS, #name ": too many parameters");
TESSERA_FAULT_MODELS(SLOTS_FIT)
#undef SLOTS_FIT

static const char *const trigger_names[] = {
#define FT_NAME(num, NAME, name, desc) [num] = name,
	TESSERA_FAULT_TRIGGERS(FT_NAME)
#undef FT_NAME
};

static const char *const type_what[] = {
#define FPT_WHAT(NAME, what) what,
	TESSERA_FAULT_PARAM_TYPES(FPT_WHAT)
#undef FPT_WHAT
};

/* The word lists, indexed by value. */
#define WORD(NAME, name) #name,
static const char *const site_words[] = {TESSERA_FAIL_SITES(WORD)};
static const char *const reg_words[] = {TESSERA_GUEST_REGS(WORD)};
static const char *const irq_action_words[] = {TESSERA_FAULT_IRQ_ACTIONS(WORD)};
static const char *const irq_source_words[] = {TESSERA_FAULT_IRQ_SOURCES(WORD)};
static const char *const hc_action_words[] = {TESSERA_FAULT_HC_ACTIONS(WORD)};
static const char *const mem_mode_words[] = {TESSERA_FAULT_MEM_MODES(WORD)};
static const char *const hv_field_words[] = {TESSERA_FAULT_HV_FIELDS(WORD)};
#undef WORD
static const char *const error_words[] = {
#define ERR_WORD(num, NAME, desc) [num] = #NAME,
	TESSERA_HV_ERRORS(ERR_WORD)
#undef ERR_WORD
};
static const char *const hypercall_words[] = {
#define HC_WORD(num, NAME, name, who, desc) [num] = name,
	TESSERA_HYPERCALLS(HC_WORD)
#undef HC_WORD
};

static const struct {
	const char *const *words;
	unsigned int count;
} word_lists[FPT_COUNT] = {
	[FPT_SITE] = {site_words, ARRAY_SIZE(site_words)},
	[FPT_ERROR] = {error_words, ARRAY_SIZE(error_words)},
	[FPT_REG] = {reg_words, ARRAY_SIZE(reg_words)},
	[FPT_HYPERCALL] = {hypercall_words, ARRAY_SIZE(hypercall_words)},
	[FPT_IRQ_ACTION] = {irq_action_words, ARRAY_SIZE(irq_action_words)},
	[FPT_IRQ_SOURCE] = {irq_source_words, ARRAY_SIZE(irq_source_words)},
	[FPT_HC_ACTION] = {hc_action_words, ARRAY_SIZE(hc_action_words)},
	[FPT_MEM_MODE] = {mem_mode_words, ARRAY_SIZE(mem_mode_words)},
	[FPT_HV_FIELD] = {hv_field_words, ARRAY_SIZE(hv_field_words)},
};

const struct fault_model_desc *fault_model_by_id(uint32_t id)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(models); i++)
		if (models[i].id == id)
			return &models[i];
	return NULL;
}

const struct fault_model_desc *fault_model_at(unsigned int i)
{
	return i < ARRAY_SIZE(models) ? &models[i] : NULL;
}

const char *fault_model_name(uint32_t id)
{
	const struct fault_model_desc *m = fault_model_by_id(id);
	return m ? m->name : "?";
}

const char *fault_trigger_name(uint32_t kind)
{
	return kind < ARRAY_SIZE(trigger_names) ? trigger_names[kind] : "?";
}

const char *fault_param_type_what(enum fault_param_type t)
{
	return (unsigned int)t < FPT_COUNT ? type_what[t] : "?";
}

int64_t fault_param_word_value(enum fault_param_type t, const char *word, size_t len)
{
	if ((unsigned int)t >= FPT_COUNT || !word_lists[t].words)
		return -1;
	for (unsigned int i = 0; i < word_lists[t].count; i++) {
		const char *w = word_lists[t].words[i];
		if (w && strlen(w) == len && !strncmp(w, word, len))
			return i;
	}
	return -1;
}

const char *fault_param_word(enum fault_param_type t, uint64_t value)
{
	if ((unsigned int)t >= FPT_COUNT || !word_lists[t].words || value >= word_lists[t].count)
		return NULL;
	return word_lists[t].words[value];
}

uint64_t fault_param_max(enum fault_param_type t)
{
	switch (t) {
	case FPT_BIT: return 63;
	case FPT_VECTOR: return 255;
	case FPT_NUM:
	case FPT_GPA: return ~0ULL;
	default: return word_lists[t].count ? word_lists[t].count - 1 : 0;
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

uint64_t fault_catalog_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (unsigned int i = 0; i < ARRAY_SIZE(models); i++) {
		const struct fault_model_desc *m = &models[i];
		h = fnv(h, &m->id, sizeof(m->id));
		h = fnv(h, m->name, strlen(m->name));
		for (unsigned int k = 0; k < m->nr_params; k++) {
			uint32_t type = m->params[k].type;
			h = fnv(h, m->params[k].name, strlen(m->params[k].name));
			h = fnv(h, &type, sizeof(type));
		}
	}
	return h;
}
