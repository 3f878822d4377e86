/*
 * `bench_exit_work=N`: an exit hook client that adds a fixed, exactly known amount of work to every exit
 * (bench_exit_work.h), for the benchmark lab's known-effect plans and a planted slow exit path. It exists
 * only when the option is given, so without it no point is armed and the exit path is unchanged.
 */
#include <tessera/arch.h>
#include <tessera/bench_exit_work.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>

static uint64_t work_rounds;

/*
 * 2 * N instructions (dec, jnz per round) plus a constant: the count is in a register, so neither the
 * compiler nor the loop's length depends on anything but N. The exit goes on to the core unchanged.
 */
static enum hook_result work_exit(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	uint64_t n = work_rounds;

	(void)v;
	(void)exit;
	(void)ctx;
	__asm__ volatile("test %0, %0\n\t"
			 "jz 2f\n\t"
			 "1: dec %0\n\t"
			 "jnz 1b\n\t"
			 "2:"
			 : "+r"(n)
			 :
			 : "cc");
	return HOOK_CONTINUE;
}

static const struct hook_client work_client = {
	.name = "bench_exit_work",
	.exit = work_exit,
};

void bench_exit_work_init(const char *cmdline)
{
	struct cmdline_arg a;

	/* The table bounds it to 0..BENCH_EXIT_WORK_MAX; a malformed value stopped the boot already. */
	if (!cmdline_option(cmdline, CMDLINE_BENCH_EXIT_WORK, &a))
		return;
	uint64_t n = a.num;
	work_rounds = n;
	if (hooks_register(&work_client)) {
		pr_err("bench_exit_work: no room for its hook client");
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	pr_info("bench_exit_work=%llu: every exit does %llu instructions more (+%u fixed; bench only)",
		(unsigned long long)n, (unsigned long long)(2 * n), BENCH_EXIT_WORK_FIXED);
}
