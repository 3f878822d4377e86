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
/*
 * The CPU's ring. Never NULL where a mask can be non-zero: trace points do not test it. The hypervisor
 * points every entry at a real ring or at a ring that is always full (trace/hv.c) before it sets a mask.
 */
extern struct trace_ring *trace_cpu_rings[TESSERA_TRACE_MAX_CPUS];
/*
 * The records' clock is the hypervisor's arch_timestamp(). On x86_64 that is the TSC
 * (arch/x86_64/timer.c), read here inline: a call would make every writer save and restore the
 * registers the call clobbers, about a quarter of a record's cost. Elsewhere (arm64, the host's tests and
 * benchmarks) it is a function the hypervisor or the program provides.
 */
#if !defined(TESSERA_HOST) && defined(__x86_64__)
#define TRACE_CLOCK_INLINE 1
static inline uint64_t trace_clock(void)
{
	return __builtin_ia32_rdtsc();
}
#else
uint64_t trace_clock(void);
#endif

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

/*
 * Each event has three inline parts, which trace_point strings together:
 *
 *	trace_reserve_<name>(ring)              room for the record on a CPU's ring, or NULL (lost)
 *	trace_fill_<name>(ring, rec, cell, ...) the fields, the clock, and the commit that publishes it
 *	trace_write_<name>(cpu, cell, ...)      both (for callers that have the field values already)
 *
 * A record then costs about 52 instructions with its hook call (docs/tracing.md). Why it is built
 * so: the reservation is inline and specialised on the record's constant size, with one comparison on
 * its fast path (ring.h); trace_ring_commit stamps the whole header; the common fields are one store and
 * the event's fields are cleared with __builtin_memset of a constant size, which the compiler turns into
 * word stores and then drops where a field overwrites them (only the holes stay zeroed; core/string.c's
 * out-of-line memset cleared byte by byte). trace_point reserves before it evaluates the fields: with the
 * fields as arguments of one writer, the compiler had to load them all before the (rare) out-of-line
 * slow path, which could change memory, and keep them in callee-saved registers that every record then
 * saved and restored. The clock is read last, after the fields are stored, for the same reason.
 */
#define TESSERA_TRACE_WRITER(id, name, desc)                                                               \
	_Static_assert(sizeof(struct tessera_trace_ev_##name) % 8 == 0 &&                                  \
			       sizeof(struct tessera_trace_ev_##name) >= TRACE_RING_MIN_RECORD &&          \
			       sizeof(struct tessera_trace_ev_##name) <= TRACE_RING_MAX_RECORD,            \
		       "record of " #name " has a size the ring cannot take");                             \
	static inline struct tessera_trace_ev_##name *trace_reserve_##name(struct trace_ring *ring_)       \
	{                                                                                                  \
		if (trace_ring_fits(ring_, sizeof(struct tessera_trace_ev_##name)))                        \
			return trace_ring_at(ring_);                                                       \
		return trace_ring_reserve_slow(ring_, sizeof(struct tessera_trace_ev_##name), id);         \
	}                                                                                                  \
	static inline void trace_fill_##name(                                                              \
		struct trace_ring *ring_, struct tessera_trace_ev_##name *e,                               \
		int trace_cell_ TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_PARAM))                          \
	{                                                                                                  \
		e->common = (struct tessera_trace_common){.type = id, .pid = trace_cell_ + 1};             \
		__builtin_memset(&e->common + 1, 0, sizeof(*e) - sizeof(e->hdr) - sizeof(e->common));      \
		TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_SET)                                             \
			trace_ring_commit(ring_, e, sizeof(*e), trace_clock());                            \
	}                                                                                                  \
	static inline void trace_write_##name(                                                             \
		unsigned int trace_cpu_, int trace_cell_ TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_PARAM)) \
	{                                                                                                  \
		struct trace_ring *ring_ = trace_cpu_rings[trace_cpu_];                                    \
		struct tessera_trace_ev_##name *e = trace_reserve_##name(ring_);                           \
                                                                                                           \
		if (e)                                                                                     \
			trace_fill_##name(ring_, e,                                                        \
					  trace_cell_ TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_ARG));     \
	}
#define TESSERA_TRACE_ARG(t, n, d, doc) , n
TESSERA_TRACE_EVENTS(TESSERA_TRACE_WRITER)
#undef TESSERA_TRACE_WRITER

/*
 * The trace point (see the top of this file). cpu and cell are evaluated once; the fields only when the
 * event is enabled for that cell and its record found room (a lost record evaluates none of them). The
 * fields must not hold a trace point of the same CPU (one reservation at a time).
 */
#define trace_point(name, cpu, cell, ...)                                                                 \
	do {                                                                                              \
		int trace_point_cell_ = (cell);                                                           \
		if (trace_is_enabled(TESSERA_TRACE_EV_##name, trace_point_cell_)) {                       \
			struct trace_ring *trace_point_ring_ = trace_cpu_rings[(cpu)];                    \
			struct tessera_trace_ev_##name *trace_point_rec_ =                                \
				trace_reserve_##name(trace_point_ring_);                                  \
			if (trace_point_rec_)                                                             \
				trace_fill_##name(trace_point_ring_, trace_point_rec_, trace_point_cell_, \
						  __VA_ARGS__);                                           \
		}                                                                                         \
	} while (0)

#endif
