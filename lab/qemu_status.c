/* QEMU exit status -> `tessera run` exit status (see qemu_status.h). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <tessera/abi/exit_status.h>

#include "qemu_status.h"

static const char *exit_code_name(int code)
{
	switch (code) {
	case TESSERA_EXIT_PANIC: return "hypervisor panic";
	case TESSERA_EXIT_FAULT: return "hypervisor fault";
	case TESSERA_EXIT_UNSUPPORTED: return "unsupported CPU";
	case TESSERA_EXIT_BAD_CONFIG: return "bad config";
	default: return "unknown hypervisor exit code";
	}
}

int qemu_status_classify(int wait_status, char *what, size_t size)
{
	if (WIFSIGNALED(wait_status)) {
		snprintf(what, size, "QEMU killed by signal %d (%s)", WTERMSIG(wait_status),
			 strsignal(WTERMSIG(wait_status)));
		return 1;
	}
	if (!WIFEXITED(wait_status)) {
		snprintf(what, size, "QEMU ended in an unexpected state (wait status 0x%x)", wait_status);
		return 1;
	}
	int status = WEXITSTATUS(wait_status);
	if (status == TESSERA_QEMU_STATUS(TESSERA_EXIT_OK)) {
		snprintf(what, size, "hypervisor shut down (status 0x%x)", TESSERA_EXIT_OK);
		return 0;
	}
	/* With -no-reboot a guest reset (a triple fault, most often) ends QEMU with status 0. */
	if (status == 0) {
		snprintf(what, size, "machine reset (triple fault?) before the hypervisor reported an end");
		return 1;
	}
	if (status == 1) {
		snprintf(what, size, "QEMU failed (exit status 1)");
		return 1;
	}
	if (status & 1) {
		int code = status >> 1;
		snprintf(what, size, "%s (status 0x%x)", exit_code_name(code), code);
		return 1;
	}
	snprintf(what, size, "QEMU exited with status %d", status);
	return 1;
}
