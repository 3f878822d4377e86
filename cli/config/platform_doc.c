/*
 * The table of what the hypervisor keeps, as docs/config.md shows it, generated from the platform table
 * (arch/x86_64/config_platform_table.h) so that the docs cannot drift: `tessera config platform` prints
 * it and the unit test docs_platform compares it with the docs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../arch/x86_64/config_platform.h"
#include "compile.h"

static const char *const kind_names[] = {
	[X86_KEEP_PORT] = "port",
	[X86_KEEP_MSR] = "MSR",
	[X86_KEEP_PHYS] = "memory/MMIO",
};

char *config_platform_markdown(void)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fprintf(f, "| kind | range | what | category | why |\n|---|---|---|---|---|\n");
	for (unsigned int i = 0; i < x86_nr_keeps; i++) {
		const struct x86_keep *k = &x86_keeps[i];
		fprintf(f, "| %s | 0x%llx", kind_names[k->kind], (unsigned long long)k->first);
		if (k->last != k->first)
			fprintf(f, "-0x%llx", (unsigned long long)k->last);
		fprintf(f, " | %s | %s | %s |\n", k->what, x86_keep_category_text(k->category), k->reason);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
