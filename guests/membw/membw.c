/*
 * membw: memory bandwidth, the four STREAM kernels on 64-bit integers (docs/workloads.md):
 *   copy  c = a		scale b = 3 c		add c = a + b		triad a = b + 3 c
 * over three arrays of `size` bytes each in the RAM after the image (guest/ram.h). Each iteration times
 * each kernel once; the bytes one kernel moves are params (STREAM's counting: 2 arrays for copy and
 * scale, 3 for add and triad), so the host turns ticks into bytes per second. At the end every element
 * is checked against the same recurrence done on one scalar, as STREAM does: a kernel the compiler or a
 * fault cut short fails the cell (status 1).
 *
 * Args: iters=N (default 10), size=BYTES per array (default 1M, a multiple of 4K; three must fit).
 */
#include <guest/bench.h>
#include <guest/ram.h>
#include <guest/runtime.h>

static uint64_t ticks[4][BENCH_MAX_SAMPLES];
static const char *const kernels[4] = {"copy", "scale", "add", "triad"};
static const unsigned int arrays_moved[4] = {2, 2, 3, 3};

int main(const struct tessera_cell_boot_info *info)
{
	bench_start("membw"); /* first: argument errors name the workload */
	struct ram_span ram = ram_free();
	uint64_t iters = bench_arg("iters", 10, 1, BENCH_MAX_SAMPLES);
	uint64_t size = bench_arg("size", 1 << 20, 4096, ram.size / 3 & ~4095ULL);
	uint64_t n = size / 8, ea = 1, eb = 2, ec = 0;
	uint64_t *a = (uint64_t *)(uintptr_t)ram.base, *b = a + n, *c = b + n;

	(void)info;
	if (size % 4096)
		bench_fail(2, "size=%lu is not a multiple of 4096", size);
	for (uint64_t i = 0; i < n; i++) {
		a[i] = 1;
		b[i] = 2;
		c[i] = 0;
	}
	for (uint64_t it = 0; it < iters; it++) {
		uint64_t t[5];

		t[0] = bench_tsc();
		for (uint64_t i = 0; i < n; i++)
			c[i] = a[i];
		t[1] = bench_tsc();
		for (uint64_t i = 0; i < n; i++)
			b[i] = 3 * c[i];
		t[2] = bench_tsc();
		for (uint64_t i = 0; i < n; i++)
			c[i] = a[i] + b[i];
		t[3] = bench_tsc();
		for (uint64_t i = 0; i < n; i++)
			a[i] = b[i] + 3 * c[i];
		t[4] = bench_tsc();
		for (int k = 0; k < 4; k++)
			ticks[k][it] = t[k + 1] - t[k];
		ec = ea;
		eb = 3 * ec;
		ec = ea + eb;
		ea = eb + 3 * ec;
	}
	for (uint64_t i = 0; i < n; i++)
		if (a[i] != ea || b[i] != eb || c[i] != ec)
			bench_fail(1, "element %lu is a=%#lx b=%#lx c=%#lx, want %#lx %#lx %#lx", i, a[i],
				   b[i], c[i], ea, eb, ec);
	bench_param("iters", iters);
	bench_param("array_bytes", size);
	for (int k = 0; k < 4; k++) {
		char key[WORKLOAD_NAME_MAX + 1] = "bytes_";
		for (int j = 0; kernels[k][j]; j++)
			key[6 + j] = kernels[k][j];
		bench_param(key, arrays_moved[k] * size);
	}
	for (int k = 0; k < 4; k++)
		bench_series(kernels[k], WORKLOAD_UNIT_TSC_TICKS, ticks[k], iters);
	return bench_done();
}
