/*
 * exitloop: exit-heavy loops (docs/workloads.md). Each sample is one operation between two ordered
 * RDTSCs; `empty` is the two RDTSCs alone, to subtract. Metrics:
 *   empty        nothing
 *   cpuid        CPUID leaf 0 (always intercepted)
 *   hypercall    VMMCALL(NOP): the null hypercall
 *   vlapic_read  a 32-bit load of the local APIC's TPR (a nested page fault, decoded and emulated)
 *   pio_granted  IN from port `port`, which the config grants: no exit (the contrast to the three above)
 *   pio_exit     IN from the hypervisor's null port (only when it runs with bench_null_port=PORT: the boot
 *                info's null_port): one port-I/O exit, answered 0xff by the hypervisor
 * The cell's exit counters (cell_stats hypercall) are read right after the loops and printed as params
 * exits_<reason>, so the host can check that each operation cost the exits it should.
 *
 * Args: iters=N (default 1000), port=N (decimal; default 760 = 0x2f8, COM2's data port: a port the platform lets a cell have).
 */
#include <guest/bench.h>
#include <guest/hypercall.h>
#include <guest/irq.h>
#include <guest/runtime.h>

#define LAPIC_TPR 0x080

enum op { OP_EMPTY, OP_CPUID, OP_HYPERCALL, OP_VLAPIC_READ, OP_PIO, OP_PIO_EXIT, NR_OPS };

static const char *const op_names[NR_OPS] = {"empty",	    "cpuid",	   "hypercall",
					     "vlapic_read", "pio_granted", "pio_exit"};
static const char *const reason_names[] = {
#define EXITLOOP_REASON_NAME(NAME, name) name,
	TESSERA_EXIT_REASONS(EXITLOOP_REASON_NAME)
#undef EXITLOOP_REASON_NAME
};
static uint64_t ticks[NR_OPS][BENCH_MAX_SAMPLES];

static uint64_t once(enum op op, uint16_t port, uint16_t null_port)
{
	uint32_t a = 0, b, c = 0, d;
	uint8_t v = 0xff;
	uint64_t t0 = bench_tsc();

	switch (op) {
	case OP_EMPTY: break;
	case OP_CPUID: __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d)); break;
	case OP_HYPERCALL: hypercall_nop(); break;
	case OP_VLAPIC_READ: (void)lapic_read(LAPIC_TPR); break;
	case OP_PIO: __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); break;
	case OP_PIO_EXIT: __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(null_port)); break;
	case NR_OPS: break;
	}
	uint64_t t = bench_tsc() - t0;
	/* The null port is a device with nothing behind it: anything but all ones is a wrong emulation. */
	if (op == OP_PIO_EXIT && v != 0xff)
		bench_fail(1, "the null port read %#x, not 0xff", v);
	return t;
}

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("exitloop"); /* first: argument errors name the workload */
	uint64_t iters = bench_arg("iters", 1000, 1, BENCH_MAX_SAMPLES);
	uint16_t port = (uint16_t)bench_arg("port", 0x2f8, 0, 0xffff);
	bool null = info->version >= 3 && info->null_port <= 0xffff;
	uint16_t null_port = null ? (uint16_t)info->null_port : 0;
	int nr_ops = null ? NR_OPS : OP_PIO_EXIT;
	struct tessera_cell_stats before, after;

	if (hypercall_cell_stats(info->cell_id, &before, sizeof(before)) < 0)
		bench_fail(1, "cell_stats failed");
	for (int op = 0; op < nr_ops; op++)
		for (uint64_t it = 0; it < iters; it++)
			ticks[op][it] = once(op, port, null_port);
	if (hypercall_cell_stats(info->cell_id, &after, sizeof(after)) < 0)
		bench_fail(1, "cell_stats failed");
	bench_param("iters", iters);
	bench_param("port", port);
	if (null)
		bench_param("null_port", null_port);
	/* Exits the loops caused: the difference, less the one cell_stats hypercall that ended it. */
	for (uint32_t r = 0; r < after.nr_reasons && r < TESSERA_ER_COUNT; r++) {
		char key[WORKLOAD_NAME_MAX + 1] = "exits_";
		uint64_t n = after.exits[r] - before.exits[r] - (r == TESSERA_ER_HYPERCALL);
		for (int j = 0; reason_names[r][j] && j < WORKLOAD_NAME_MAX - 6; j++)
			key[6 + j] = reason_names[r][j];
		bench_param(key, n);
	}
	for (int op = 0; op < nr_ops; op++)
		bench_series(op_names[op], WORKLOAD_UNIT_TSC_TICKS, ticks[op], iters);
	return bench_done();
}
