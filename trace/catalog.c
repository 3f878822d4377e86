/*
 * The catalog's descriptor tables, generated from events.h (see catalog.h). A field macro does not know
 * its event's name, so each event gets a small function whose local pointer gives the record type to
 * __builtin_offsetof; the tables are filled once.
 */
#include <tessera/string.h>
#include <tessera/abi/cell_stats.h>
#include <tessera/abi/hypercall.h>

#include "catalog.h"

#define SIGNED_u8  false
#define SIGNED_u16 false
#define SIGNED_u32 false
#define SIGNED_u64 false
#define SIGNED_s32 true
#define SIGNED_s64 true
#define SIGNED_str false

#define COUNT_FIELD(t, n, d, doc)   +1
#define COUNT_EVENT(id, name, desc) +1 TESSERA_TRACE_FIELDS_##name(COUNT_FIELD)
#define COUNT_ONE(id, name, desc)   +1
enum { NR_EVENTS = 0 TESSERA_TRACE_EVENTS(COUNT_ONE), NR_SLOTS = 0 TESSERA_TRACE_EVENTS(COUNT_EVENT) };

static struct trace_field_desc field_table[NR_SLOTS];
static struct trace_event_desc event_table[NR_EVENTS];
static bool catalog_ready;

#define FILL_FIELD(t, n, d, doc)                                         \
	fd[i++] = (struct trace_field_desc){                             \
		#n,                                                      \
		doc,                                                     \
		(uint16_t)(__builtin_offsetof(__typeof__(*ev), n) -      \
			   __builtin_offsetof(__typeof__(*ev), common)), \
		(uint16_t)sizeof(ev->n),                                 \
		TRACE_T_##t,                                             \
		TRACE_D_##d,                                             \
		SIGNED_##t,                                              \
	};
#define FILL_EVENT(evid, evname, desc)                                                             \
	static unsigned int fill_##evname(struct trace_event_desc *e, struct trace_field_desc *fd) \
	{                                                                                          \
		struct tessera_trace_ev_##evname *ev = NULL;                                       \
		unsigned int i = 0;                                                                \
                                                                                                   \
		(void)ev;                                                                          \
		TESSERA_TRACE_FIELDS_##evname(FILL_FIELD);                                         \
		*e = (struct trace_event_desc){evid, #evname, desc, sizeof(*ev), i, fd};           \
		return i;                                                                          \
	}
TESSERA_TRACE_EVENTS(FILL_EVENT)

void trace_catalog_init(void)
{
	unsigned int e = 0, f = 0;

	if (catalog_ready)
		return;
#define CALL_FILL(id, name, desc) f += fill_##name(&event_table[e++], &field_table[f]);
	TESSERA_TRACE_EVENTS(CALL_FILL)
#undef CALL_FILL
	catalog_ready = true;
}

#ifdef TESSERA_HOST
/* Built before main(), so that threads only ever read the tables. */
__attribute__((constructor)) static void catalog_constructor(void)
{
	trace_catalog_init();
}
#endif

unsigned int trace_event_count(void)
{
	return NR_EVENTS;
}

const struct trace_event_desc *trace_event_at(unsigned int i)
{
	trace_catalog_init();
	return i < NR_EVENTS ? &event_table[i] : NULL;
}

const struct trace_event_desc *trace_event_by_id(unsigned int id)
{
	trace_catalog_init();
	for (unsigned int i = 0; i < NR_EVENTS; i++)
		if (event_table[i].id == id)
			return &event_table[i];
	return NULL;
}

const struct trace_event_desc *trace_event_by_name(const char *name)
{
	trace_catalog_init();
	for (unsigned int i = 0; i < NR_EVENTS; i++)
		if (!strcmp(event_table[i].name, name))
			return &event_table[i];
	return NULL;
}

static uint64_t fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv_bytes(h, s, strlen(s) + 1);
}

uint64_t trace_catalog_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	trace_catalog_init();
	for (unsigned int i = 0; i < NR_EVENTS; i++) {
		const struct trace_event_desc *e = &event_table[i];
		uint32_t words[2] = {e->id, e->record_size};

		h = fnv_bytes(fnv_str(h, e->name), words, sizeof(words));
		for (unsigned int j = 0; j < e->nr_fields; j++) {
			const struct trace_field_desc *f = &e->fields[j];
			uint16_t fw[4] = {f->offset, f->size, f->type, f->disp};

			h = fnv_bytes(fnv_str(h, f->name), fw, sizeof(fw));
		}
	}
	return h;
}

struct symbol {
	uint64_t value;
	const char *name;
};

#define SYM_EXIT(NAME, name) {TESSERA_ER_##NAME, name},
static const struct symbol exit_symbols[] = {TESSERA_EXIT_REASONS(SYM_EXIT)};
#define SYM_HC(num, NAME, name, who, desc) {num, name},
static const struct symbol hc_symbols[] = {TESSERA_HYPERCALLS(SYM_HC)};
#define SYM_STATE(num, NAME, name, doc) {num, name},
static const struct symbol state_symbols[] = {TESSERA_CELL_STATES(SYM_STATE)};
#define SYM_TABLE(num, NAME, name, doc) {num, name},
static const struct symbol irq_kind_symbols[] = {TESSERA_TRACE_IRQ_KINDS(SYM_TABLE)};
static const struct symbol wd_action_symbols[] = {TESSERA_TRACE_WD_ACTIONS(SYM_TABLE)};
static const struct symbol mce_severity_symbols[] = {TESSERA_TRACE_MCE_SEVERITIES(SYM_TABLE)};
static const struct symbol mce_action_symbols[] = {TESSERA_TRACE_MCE_ACTIONS(SYM_TABLE)};
static const struct symbol irq_source_symbols[] = {TESSERA_TRACE_IRQ_SOURCES(SYM_TABLE)};

static const struct symbol *symbols_of(enum trace_disp disp, unsigned int *n)
{
	switch (disp) {
	case TRACE_D_EXIT_REASON: *n = ARRAY_SIZE(exit_symbols); return exit_symbols;
	case TRACE_D_HYPERCALL: *n = ARRAY_SIZE(hc_symbols); return hc_symbols;
	case TRACE_D_CELL_STATE: *n = ARRAY_SIZE(state_symbols); return state_symbols;
	case TRACE_D_IRQ_KIND: *n = ARRAY_SIZE(irq_kind_symbols); return irq_kind_symbols;
	case TRACE_D_WD_ACTION: *n = ARRAY_SIZE(wd_action_symbols); return wd_action_symbols;
	case TRACE_D_MCE_SEVERITY: *n = ARRAY_SIZE(mce_severity_symbols); return mce_severity_symbols;
	case TRACE_D_MCE_ACTION: *n = ARRAY_SIZE(mce_action_symbols); return mce_action_symbols;
	case TRACE_D_IRQ_SOURCE: *n = ARRAY_SIZE(irq_source_symbols); return irq_source_symbols;
	default: *n = 0; return NULL;
	}
}

unsigned int trace_symbol_count(enum trace_disp disp)
{
	unsigned int n;

	symbols_of(disp, &n);
	return n;
}

const char *trace_symbol_at(enum trace_disp disp, unsigned int i, uint64_t *value)
{
	unsigned int n;
	const struct symbol *s = symbols_of(disp, &n);

	if (i >= n)
		return NULL;
	*value = s[i].value;
	return s[i].name;
}

const char *trace_symbol(enum trace_disp disp, uint64_t value)
{
	unsigned int n;
	const struct symbol *s = symbols_of(disp, &n);

	for (unsigned int i = 0; i < n; i++)
		if (s[i].value == value)
			return s[i].name;
	return NULL;
}

uint64_t trace_field_get(const struct trace_field_desc *f, const void *payload)
{
	const uint8_t *p = (const uint8_t *)payload + f->offset;

	switch (f->type) {
	case TRACE_T_u8: return *p;
	case TRACE_T_u16: return *(const uint16_t *)p;
	case TRACE_T_u32: return *(const uint32_t *)p;
	case TRACE_T_s32: return (uint64_t)(int64_t) * (const int32_t *)p;
	case TRACE_T_u64:
	case TRACE_T_s64: return *(const uint64_t *)p;
	default: return 0;
	}
}
