/* QEMU's argv for a machine to boot (see qemu_cmdline.h and docs/qemu-facts.md for why each flag is there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_cmdline.h"

struct argv_builder {
	char **argv;
	size_t nr, cap;
	bool failed;
};

static void push(struct argv_builder *b, const char *s)
{
	if (b->failed)
		return;
	if (b->nr + 2 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		char **n = realloc(b->argv, cap * sizeof(*n));
		if (!n) {
			b->failed = true;
			return;
		}
		b->argv = n;
		b->cap = cap;
	}
	char *copy = strdup(s);
	if (!copy) {
		b->failed = true;
		return;
	}
	b->argv[b->nr++] = copy;
	b->argv[b->nr] = NULL;
}

static void push_pair(struct argv_builder *b, const char *flag, const char *value)
{
	push(b, flag);
	push(b, value);
}

/* -initrd takes one comma-separated list: QEMU hands each entry to the multiboot loader as a module. */
static char *join_modules(const struct machine *m)
{
	size_t len = 1;
	for (unsigned int i = 0; i < m->nr_modules; i++)
		len += strlen(m->modules[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (unsigned int i = 0; i < m->nr_modules; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, m->modules[i]);
	}
	return s;
}

char **qemu_cmdline_build(const struct machine *m)
{
	struct argv_builder b = {0};
	char num[16];

	if (!m->hv_image || !m->qemu)
		return NULL;
	push(&b, m->qemu);
	/* KVM cannot host a bare-metal hypervisor here; TCG emulates SVM with nested paging. */
	push_pair(&b, "-accel", "tcg");
	push_pair(&b, "-cpu", m->cpu);
	snprintf(num, sizeof(num), "%u", m->smp);
	push_pair(&b, "-smp", num);
	push_pair(&b, "-m", m->mem);
	push_pair(&b, "-display", "none");
	push_pair(&b, "-monitor", "none");
	/* A reset (triple fault) must end the run, not reboot into the same failure forever. */
	push(&b, "-no-reboot");
	if (m->console_path) {
		/* A regular file: QEMU's write never fails or waits, so the guest never sees a busy UART. */
		char dev[4200];
		if ((size_t)snprintf(dev, sizeof(dev), "file,id=con,path=%s", m->console_path) >=
			    sizeof(dev) ||
		    strchr(m->console_path, ','))
			b.failed = true;
		push_pair(&b, "-chardev", dev);
		push_pair(&b, "-serial", "chardev:con");
	} else {
		push_pair(&b, "-serial", "stdio");
	}
	/* The hypervisor reports how it ended through this port; QEMU exits with (code << 1) | 1. */
	push_pair(&b, "-device", "isa-debug-exit,iobase=0xf4,iosize=4");
	push_pair(&b, "-kernel", m->hv_image);
	if (m->cmdline)
		push_pair(&b, "-append", m->cmdline);
	if (m->nr_modules) {
		char *list = join_modules(m);
		if (!list)
			b.failed = true;
		else
			push_pair(&b, "-initrd", list);
		free(list);
	}
	if (m->shm_path) {
		/* share=on: the host's MAP_SHARED mapping of the same file sees what the hypervisor writes.
		 * ivshmem-plain is a PCI device (the default i440fx machine has PCI); its BAR2 is the file. */
		char obj[4200];
		if ((size_t)snprintf(obj, sizeof(obj),
				     "memory-backend-file,id=tshm,share=on,mem-path=%s,size=%uM", m->shm_path,
				     m->shm_mb) >= sizeof(obj) ||
		    strchr(m->shm_path, ','))
			b.failed = true;
		push_pair(&b, "-object", obj);
		push_pair(&b, "-device", "ivshmem-plain,memdev=tshm");
	}
	if (m->qmp_path) {
		char qmp[4200];
		if ((size_t)snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", m->qmp_path) >=
			    sizeof(qmp) ||
		    strchr(m->qmp_path, ','))
			b.failed = true;
		push_pair(&b, "-qmp", qmp);
	}
	for (int i = 0; i < m->nr_extra; i++)
		push(&b, m->extra_args[i]);
	if (b.failed) {
		qemu_cmdline_free(b.argv);
		return NULL;
	}
	return b.argv;
}

void qemu_cmdline_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-=/:@%", *s))
			return true;
	return false;
}

char *qemu_cmdline_format(char *const *argv)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			fputc(' ', f);
		if (!needs_quotes(*a)) {
			fputs(*a, f);
			continue;
		}
		/* Single quotes keep everything literal; a quote itself becomes '\'' */
		fputc('\'', f);
		for (const char *c = *a; *c; c++) {
			if (*c == '\'')
				fputs("'\\''", f);
			else
				fputc(*c, f);
		}
		fputc('\'', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
