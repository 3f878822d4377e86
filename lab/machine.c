/* Defaults, boot module list, memory sizes and the config rule of a machine to boot (see machine.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

int machine_parse_mem(const char *s, uint64_t *bytes)
{
	unsigned int shift;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; break;
	case '\0':
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	/* refuse what the shift would overflow instead of wrapping round to a small, "valid" size */
	if (n > UINT64_MAX >> shift)
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}

int machine_fit_config(struct machine *m, unsigned int nr_cpus, uint64_t ram_size, char *mem_buf,
		       size_t mem_size, char *err, size_t err_size)
{
	uint64_t mem;

	if (m->smp_set && m->smp < nr_cpus) {
		snprintf(err, err_size, "the config needs at least %u CPUs, but --smp %u was given", nr_cpus,
			 m->smp);
		return -1;
	}
	if (m->mem_set && (machine_parse_mem(m->mem, &mem) || mem < ram_size)) {
		snprintf(err, err_size,
			 "the config needs at least %" PRIu64 "M of RAM, but --mem %s was given",
			 ram_size >> 20, m->mem);
		return -1;
	}
	if (!m->smp_set)
		m->smp = nr_cpus;
	if (!m->mem_set) {
		snprintf(mem_buf, mem_size, "%" PRIu64 "M", ram_size >> 20);
		m->mem = mem_buf;
	}
	return 0;
}
