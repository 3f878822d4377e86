/* The few arch hooks that core library code calls, for core code built into host tools and tests. */
#include <sched.h>
#include <tessera/arch.h>

void arch_cpu_relax(void)
{
	sched_yield();
}
