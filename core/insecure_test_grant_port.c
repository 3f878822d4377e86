/*
 * `insecure_test_grant_port=PORT`, TEST ONLY (insecure_test_grant_port.h): a planted isolation hole for the
 * regression suite's own test. It exists only when the option is given; without it nothing is registered
 * and no exit takes this path.
 */
#include <tessera/arch.h>
#include <tessera/cmdline.h>
#include <tessera/console.h>
#include <tessera/exit.h>
#include <tessera/hooks.h>
#include <tessera/insecure_test_grant_port.h>

static uint32_t granted_port;

/* Decimal or 0x-hex; false when malformed or above 0xffff. */
static bool parse_port(const char *v, size_t len, uint32_t *port)
{
	bool hex = len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
	uint32_t n = 0;

	for (size_t i = hex ? 2 : 0; i < len; i++) {
		char c = v[i];
		int d = c >= '0' && c <= '9'	      ? c - '0'
			: hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
			: hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
						      : -1;
		if (d < 0 || (n = n * (hex ? 16 : 10) + (uint32_t)d) > 0xffff)
			return false;
	}
	*port = n;
	return len > (hex ? 2u : 0u);
}

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
	const char *v;
	size_t len;
	uint32_t port;

	if (!cmdline_get(cmdline, "insecure_test_grant_port", &v, &len))
		return;
	if (!parse_port(v, len, &port)) {
		pr_err("insecure_test_grant_port='%.*s': expected a port number 0..65535", (int)len, v);
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	granted_port = port;
	if (hooks_register(&grant_client)) {
		pr_err("insecure_test_grant_port: no room for its hook client");
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
	}
	pr_warn("insecure_test_grant_port=%#x: TEST ONLY, isolation is broken: every cell may access that "
		"port",
		port);
}
