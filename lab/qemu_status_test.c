#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include <tessera/abi/exit_status.h>

#include "qemu_status.h"

/* A waitpid() status as the kernel reports a normal exit or a death by signal. */
#define EXITED(code)  (((code)&0xff) << 8)
#define SIGNALED(sig) ((sig)&0x7f)

static char what[160];

Test(qemu_status, orderly_shutdown_is_success)
{
	cr_assert_eq(qemu_status_classify(EXITED(TESSERA_QEMU_STATUS(TESSERA_EXIT_OK)), what, sizeof(what)),
		     0);
	cr_assert_eq(TESSERA_QEMU_STATUS(TESSERA_EXIT_OK), 33);
}

Test(qemu_status, hypervisor_codes_are_named)
{
	static const struct {
		int code;
		const char *text;
	} cases[] = {
		{TESSERA_EXIT_PANIC, "hypervisor panic (status 0x11)"},
		{TESSERA_EXIT_FAULT, "hypervisor fault (status 0x12)"},
		{TESSERA_EXIT_UNSUPPORTED, "unsupported CPU (status 0x13)"},
		{TESSERA_EXIT_BAD_CONFIG, "bad config (status 0x14)"},
		{0x30, "unknown hypervisor exit code (status 0x30)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = EXITED(TESSERA_QEMU_STATUS(cases[i].code));
		cr_assert_eq(qemu_status_classify(status, what, sizeof(what)), 1);
		cr_assert_str_eq(what, cases[i].text);
	}
}

Test(qemu_status, qemu_own_statuses_fail)
{
	cr_assert_eq(qemu_status_classify(EXITED(0), what, sizeof(what)), 1);
	cr_assert(strstr(what, "reset"), "%s", what);
	cr_assert_eq(qemu_status_classify(EXITED(1), what, sizeof(what)), 1);
	cr_assert(strstr(what, "QEMU failed"), "%s", what);
	cr_assert_eq(qemu_status_classify(EXITED(2), what, sizeof(what)), 1);
	cr_assert_eq(qemu_status_classify(SIGNALED(SIGKILL), what, sizeof(what)), 1);
	cr_assert(strstr(what, "signal 9"), "%s", what);
}
