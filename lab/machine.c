/* Defaults and boot module list of a machine to boot (see machine.h). */
#include <string.h>

#include "machine.h"

void machine_init_defaults(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	m->qemu = "qemu-system-x86_64";
	m->smp = 4;
	m->mem = "256M";
	m->cpu = "EPYC";
	m->timeout_s = 120;
}

int machine_add_module(struct machine *m, const char *path)
{
	if (m->nr_modules >= MACHINE_MAX_MODULES || !path[0] || strchr(path, ','))
		return -1;
	m->modules[m->nr_modules++] = path;
	return 0;
}
