/*
 * The record writers, one per catalog event, and the one way to call them: the trace point
 *
 *	trace_point(name, cpu, cell, fields...);
 *
 * tests the event's enable bit for that cell first and evaluates the fields only when it is set, so a
 * disabled trace point costs the mask load, a bit test and a predictable branch, and nothing else (the
 * fields are not computed: with the writer a plain inline function called behind its own test, the
 * compiler hoisted the arguments' loads and arithmetic above the test). An enabled one calls
 * trace_write_<name>(cpu, cell, fields...), which reads the clock, reserves a record on the CPU's ring
 * (or counts it lost), fills it and publishes it. Arch-neutral: the hypervisor provides the rings, the
 * enable masks and trace_clock() (trace/hv.c); the unit tests provide their own.
 */
#ifndef TESSERA_TRACE_WRITE_H
#define TESSERA_TRACE_WRITE_H

#include <tessera/compiler.h>
#include <tessera/string.h>

#include "events.h"
#include "ring.h"

/* Field names must not be e, ring_, tsc_, trace_cpu_ or trace_cell_ (the writers' own names). */

/* trace_enabled[cell + 1] bit n: event n is recorded for that cell; index 0 is the hypervisor itself. */
extern uint64_t trace_enabled[TESSERA_TRACE_MAX_CELLS + 1];
/* The CPU's ring, NULL before tracing is set up (all masks are 0 then). */
extern struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS];
uint64_t trace_clock(void);

static inline void trace_copy_str(char *dst, const char *src)
{
	unsigned int i = 0;

	if (src)
		for (; i < TESSERA_TRACE_STR_LEN - 1 && src[i]; i++)
			dst[i] = src[i];
	for (; i < TESSERA_TRACE_STR_LEN; i++)
		dst[i] = 0;
}

#define TESSERA_TRACE_PARAM_u8(n)	  , uint8_t n
#define TESSERA_TRACE_PARAM_u16(n)	  , uint16_t n
#define TESSERA_TRACE_PARAM_u32(n)	  , uint32_t n
#define TESSERA_TRACE_PARAM_u64(n)	  , uint64_t n
#define TESSERA_TRACE_PARAM_s32(n)	  , int32_t n
#define TESSERA_TRACE_PARAM_s64(n)	  , int64_t n
#define TESSERA_TRACE_PARAM_str(n)	  , const char *n
#define TESSERA_TRACE_SET_u8(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_u16(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_u32(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_u64(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_s32(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_s64(e, n)	  e->n = n;
#define TESSERA_TRACE_SET_str(e, n)	  trace_copy_str(e->n, n);
#define TESSERA_TRACE_PARAM(t, n, d, doc) TESSERA_TRACE_PARAM_##t(n)
#define TESSERA_TRACE_SET(t, n, d, doc)	  TESSERA_TRACE_SET_##t(e, n)

static inline bool trace_is_enabled(unsigned int id, int cell)
{
	return __builtin_expect((trace_enabled[cell + 1] >> id) & 1, 0);
}

/* A writer assumes its caller tested the enable bit (trace_point does). */
#define TESSERA_TRACE_WRITER(id, name, desc)                                                               \
	static inline void trace_write_##name(                                                             \
		unsigned int trace_cpu_, int trace_cell_ TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_PARAM)) \
	{                                                                                                  \
		struct tessera_trace_ev_##name *e;                                                         \
		struct trace_ring *ring_;                                                                  \
		uint64_t tsc_;                                                                             \
                                                                                                           \
		tsc_ = trace_clock();                                                                      \
		ring_ = trace_cpu_rings[trace_cpu_];                                                       \
		e = ring_ ? trace_ring_reserve(ring_, sizeof(*e), id) : NULL;                              \
		if (!e)                                                                                    \
			return;                                                                            \
		memset(e, 0, sizeof(*e));                                                                  \
		e->hdr.size = sizeof(*e);                                                                  \
		e->common.type = id;                                                                       \
		e->common.pid = trace_cell_ + 1;                                                           \
		TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_SET) trace_ring_commit(ring_, e, tsc_);          \
	}
TESSERA_TRACE_EVENTS(TESSERA_TRACE_WRITER)
#undef TESSERA_TRACE_WRITER

/* The trace point (see the top of this file). cpu and cell are evaluated once, the fields only when the
 * event is enabled for that cell. */
#define trace_point(name, cpu, cell, ...)                                          \
	do {                                                                       \
		int trace_point_cell_ = (cell);                                    \
		if (trace_is_enabled(TESSERA_TRACE_EV_##name, trace_point_cell_))  \
			trace_write_##name((cpu), trace_point_cell_, __VA_ARGS__); \
	} while (0)

#endif
