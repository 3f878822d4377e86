/*
 * The catalog as data: one descriptor per event and field, generated from events.h, for code that walks
 * events generically (format generators, converters, reports). Arch-neutral (the hypervisor uses the hash).
 */
#ifndef TESSERA_TRACE_CATALOG_H
#define TESSERA_TRACE_CATALOG_H

#include <tessera/compiler.h>

#include "events.h"

enum trace_type { TRACE_T_u8, TRACE_T_u16, TRACE_T_u32, TRACE_T_u64, TRACE_T_s32, TRACE_T_s64, TRACE_T_str };
enum trace_disp {
	TRACE_D_DEC,
	TRACE_D_HEX,
	TRACE_D_BOOL,
	TRACE_D_EXIT_REASON,
	TRACE_D_HYPERCALL,
	TRACE_D_CELL_STATE,
	TRACE_D_STR,
	TRACE_D_IRQ_KIND,
	TRACE_D_WD_ACTION,
	TRACE_D_MCE_SEVERITY,
	TRACE_D_MCE_ACTION,
	TRACE_D_IRQ_SOURCE
};

struct trace_field_desc {
	const char *name;
	const char *doc;
	uint16_t offset; /* from the start of the payload (the ftrace common fields) */
	uint16_t size;
	uint8_t type; /* enum trace_type */
	uint8_t disp; /* enum trace_disp */
	bool is_signed;
};

struct trace_event_desc {
	unsigned int id;
	const char *name;
	const char *doc;
	uint32_t record_size; /* header included */
	unsigned int nr_fields;
	const struct trace_field_desc *fields;
};

/* The events in id order (built on first use; the hypervisor calls trace_catalog_init() at boot). */
void trace_catalog_init(void);
unsigned int trace_event_count(void);
const struct trace_event_desc *trace_event_at(unsigned int i);

/* NULL for ids the catalog does not know. */
const struct trace_event_desc *trace_event_by_id(unsigned int id);
const struct trace_event_desc *trace_event_by_name(const char *name);
/* FNV-1a over every event's id, name, size and fields: changes whenever a layout changes. */
uint64_t trace_catalog_hash(void);
/* The name of `value` in a symbolic display (exit reason, hypercall, cell state, irq kind, watchdog
 * action, irq source), or NULL. A display is symbolic when trace_symbol_count() is not 0. */
const char *trace_symbol(enum trace_disp disp, uint64_t value);
/* Number of symbols of a symbolic display and the i-th (value, name); for format generators. */
unsigned int trace_symbol_count(enum trace_disp disp);
const char *trace_symbol_at(enum trace_disp disp, unsigned int i, uint64_t *value);
/* Reads field f of a payload as an unsigned or sign-extended 64-bit value (not for str fields). */
uint64_t trace_field_get(const struct trace_field_desc *f, const void *payload);

#endif
