/*
 * `bench_null_port=PORT`, bench only (bench_null_port.h): the one port the hypervisor answers for a cell.
 * It is reached from the port-I/O case of the core's exit handler, the slow path every other port exit
 * takes to become a violation, so no other exit pays for it and without the option nothing changes.
 */
#include <tessera/arch.h>
#include <tessera/bench_null_port.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/exit.h>

static uint32_t null_port = TESSERA_BOOT_NO_NULL_PORT;

void bench_null_port_init(const char *cmdline)
{
	struct cmdline_arg a;

	/* Decimal or 0x-hex up to 0xffff by the table; a malformed PORT stopped the boot already. */
	if (!cmdline_option(cmdline, CMDLINE_BENCH_NULL_PORT, &a))
		return;
	null_port = (uint32_t)a.num;
	pr_info("bench_null_port=%#x: the hypervisor answers byte IN/OUT on that port (reads 0xff, writes "
		"dropped; bench only)",
		null_port);
}

uint32_t bench_null_port(void)
{
	return null_port;
}

bool bench_null_port_answer(struct vcpu *v, const struct vcpu_exit *exit)
{
	if (exit->pio.port != null_port || exit->pio.size != 1 || exit->pio.string)
		return false;
	if (!exit->pio.write)
		arch_vcpu_complete_pio_read(v, exit, 0xff);
	arch_vcpu_skip(v, exit);
	return true;
}
