/*
 * Children of lab regress (regress.h): steps run `tessera` subcommands and read what they print, through
 * the lab's one spawn-and-capture (lab_capture_run, lab/host_files.h). A stop signal is passed on to the
 * running child (it stops its own QEMU) and no further child starts, so Ctrl-C or a kill of regress
 * leaves nothing running; a child past its time gets SIGTERM, then SIGKILL.
 */
#include <signal.h>
#include <stdlib.h>

#include "../host_files.h"
#include "regress.h"

static volatile sig_atomic_t stopping;

/* The running child sees the flag within 200 ms (lab_capture_run) and is sent SIGTERM. */
static void on_signal(int sig)
{
	stopping = sig;
}

void regress_signals_install(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int regress_stopping(void)
{
	return stopping;
}

void regress_proc_run(struct regress_proc *p, int timeout_s, const char *const *argv)
{
	struct lab_capture c;

	lab_capture_run(&c, (char *const *)argv, (unsigned int)timeout_s, &stopping);
	*p = (struct regress_proc){c.status, c.timed_out, c.out, c.err};
}

void regress_proc_free(struct regress_proc *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}
