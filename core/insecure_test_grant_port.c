/*
 * `insecure_test_grant_port=PORT`, TEST ONLY (insecure_test_grant_port.h): a planted isolation hole for the
 * regression suite's own test. It exists only when the option is given; without it nothing is registered
 * and no exit takes this path.
 */
#include <tessera/arch.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>
#include <tessera/insecure_test_grant_port.h>

static uint32_t granted_port;

/* A denied access that touches the port is skipped as if the I/O map had let it through. */
static enum hook_result grant_exit(struct vcpu *v, struct vcpu_exit *exit, void *ctx)
{
	(void)ctx;
	if (exit->reason != TESSERA_ER_PIO || granted_port < exit->pio.port ||
	    granted_port >= (uint32_t)exit->pio.port + exit->pio.size)
		return HOOK_CONTINUE;
	arch_vcpu_skip(v, exit);
	return HOOK_CONSUMED;
}

static const struct hook_client grant_client = {
	.name = "insecure_test_grant_port",
	.exit = grant_exit,
};

void insecure_test_grant_port_init(const char *cmdline)
{
	struct cmdline_arg a;

	/* Decimal or 0x-hex up to 0xffff by the table; a malformed PORT stopped the boot already. */
	if (!cmdline_option(cmdline, CMDLINE_INSECURE_TEST_GRANT_PORT, &a))
		return;
	uint32_t port = (uint32_t)a.num;
	granted_port = port;
	if (hooks_register(&grant_client)) {
		pr_err("insecure_test_grant_port: no room for its hook client");
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	pr_warn("insecure_test_grant_port=%#x: TEST ONLY, isolation is broken: every cell may access that "
		"port",
		port);
}
