/* The catalog's generated tables agree with the record structs and keep the ABI's rules. */
#include <criterion/criterion.h>
#include <string.h>

#include <tessera/abi/cell_stats.h>

#include <stdio.h>
#include <stdlib.h>
#include <tessera/abi/hypercall.h>

#include "catalog.h"
#include "formats.h"

Test(trace_catalog, ids_unique_and_in_range)
{
	bool seen[TESSERA_TRACE_MAX_EVENTS] = {0};

	cr_assert_gt(trace_event_count(), 10);
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		cr_assert(e->id >= TESSERA_TRACE_FIRST_EVENT && e->id < TESSERA_TRACE_MAX_EVENTS);
		cr_assert_not(seen[e->id], "id %u used twice", e->id);
		seen[e->id] = true;
		cr_assert_eq(trace_event_by_id(e->id), e);
		cr_assert_eq(trace_event_by_name(e->name), e);
	}
}

Test(trace_catalog, fields_fit_do_not_overlap_and_are_aligned)
{
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		unsigned int end = sizeof(struct tessera_trace_common);

		cr_assert_eq(e->record_size % 8, 0);
		for (unsigned int j = 0; j < e->nr_fields; j++) {
			const struct trace_field_desc *f = &e->fields[j];
			cr_assert_geq(f->offset, end, "%s.%s overlaps", e->name, f->name);
			if (f->type != TRACE_T_str)
				cr_assert_eq(f->offset % f->size, 0, "%s.%s unaligned", e->name, f->name);
			end = f->offset + f->size;
		}
		cr_assert_leq(end + sizeof(struct tessera_trace_record_header), e->record_size);
	}
}

Test(trace_catalog, field_offsets_match_record_structs)
{
	const struct trace_event_desc *e = trace_event_by_name("hypercall");
	cr_assert_eq(e->fields[0].offset, offsetof(struct tessera_trace_ev_hypercall, nr) - 16);
	cr_assert_eq(e->fields[1].offset, offsetof(struct tessera_trace_ev_hypercall, result) - 16);
	cr_assert(e->fields[1].is_signed);
	cr_assert_eq(e->record_size, sizeof(struct tessera_trace_ev_hypercall));
}

Test(trace_catalog, symbols_come_from_the_abi_tables)
{
	cr_assert_str_eq(trace_symbol(TRACE_D_EXIT_REASON, TESSERA_ER_HYPERCALL), "hypercall");
	cr_assert_str_eq(trace_symbol(TRACE_D_HYPERCALL, 1), "console_write");
	cr_assert_null(trace_symbol(TRACE_D_HYPERCALL, 999));
	cr_assert_eq(trace_symbol_count(TRACE_D_EXIT_REASON), TESSERA_ER_COUNT);
}

Test(trace_catalog, hash_is_stable)
{
	cr_assert_eq(trace_catalog_hash(), trace_catalog_hash());
	cr_assert_neq(trace_catalog_hash(), 0);
}

/* A console string with a newline must not split its record's line in `trace report --timeline`. */
Test(trace_format, record_text_is_escaped_onto_one_line)
{
	struct tessera_trace_ev_console ev;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	memset(&ev, 0, sizeof(ev));
	ev.common.type = TESSERA_TRACE_EV_console;
	ev.len = 9;
	memcpy(ev.text, "a\nb\r\tc\\\"\x01\xff", 10);
	trace_format_record(out, trace_event_by_id(TESSERA_TRACE_EV_console), &ev.common);
	fclose(out);
	cr_assert_str_eq(text, "console len=9 text=\"a\\nb\\r\\tc\\\\\\\"\\x01\\xff\"");
	cr_assert_null(strchr(text, '\n'));
	free(text);
}

/* The symbolic displays added for irq_inject and watchdog print their names. */
Test(trace_format, irq_kind_and_watchdog_action_are_symbolic)
{
	cr_assert_str_eq(trace_symbol(TRACE_D_IRQ_KIND, TESSERA_TRACE_IRQ_REINJECT), "reinject");
	cr_assert_str_eq(trace_symbol(TRACE_D_WD_ACTION, TESSERA_TRACE_WD_STOP), "stop");
	cr_assert_str_eq(trace_symbol(TRACE_D_CELL_STATE, TESSERA_CELL_FAILED), "failed");
}
