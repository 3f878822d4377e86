/* Writing boot bundles (bundle_write.h): lay out the table, then the payloads at 4 KiB boundaries. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/abi/boot_bundle.h>
#include <tessera/crc32.h>

#include "bundle_write.h"

struct payload {
	void *data;
	size_t size;
};

static int read_file(const char *path, struct payload *p, char *err, size_t err_size)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		snprintf(err, err_size, "%s: cannot read: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	p->size = (size_t)size;
	p->data = malloc(p->size ? p->size : 1);
	if (!p->data || fread(p->data, 1, p->size, f) != p->size) {
		snprintf(err, err_size, "%s: cannot read", path);
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The header and table for the payloads; offsets assigned in order. Returns the bundle's size. */
static uint64_t lay_out(struct tessera_bundle_header *h, struct tessera_bundle_entry *e,
			const char *const *paths, const struct payload *p, unsigned int n)
{
	uint64_t at = sizeof(*h) + n * sizeof(*e);

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, TESSERA_BUNDLE_MAGIC, sizeof(h->magic));
	h->version = TESSERA_BUNDLE_VERSION;
	h->nr_entries = n;
	for (unsigned int i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		strcpy(e[i].name, base_name(paths[i]));
		at = (at + TESSERA_BUNDLE_ALIGN - 1) & ~(uint64_t)(TESSERA_BUNDLE_ALIGN - 1);
		e[i].offset = at;
		e[i].size = p[i].size;
		e[i].crc32 = crc32_update(0, p[i].data, p[i].size);
		at += p[i].size;
	}
	h->size = at;
	h->header_crc = crc32_update(crc32_update(0, h, sizeof(*h)), e, n * sizeof(*e));
	return at;
}

static int check_names(const char *const *paths, unsigned int n, char *err, size_t err_size)
{
	if (!n || n > TESSERA_BUNDLE_MAX_ENTRY) {
		snprintf(err, err_size, "a bundle holds 1..%u files, not %u", TESSERA_BUNDLE_MAX_ENTRY, n);
		return 2;
	}
	for (unsigned int i = 0; i < n; i++) {
		const char *b = base_name(paths[i]);
		if (!*b || strlen(b) >= TESSERA_BUNDLE_NAME_LEN || strchr(b, ' ')) {
			snprintf(err, err_size, "%s: the file name must be 1..%d characters without spaces",
				 paths[i], TESSERA_BUNDLE_NAME_LEN - 1);
			return 2;
		}
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(b, base_name(paths[j]))) {
				snprintf(err, err_size,
					 "%s and %s have the same file name: the hypervisor could not tell "
					 "them "
					 "apart",
					 paths[j], paths[i]);
				return 2;
			}
	}
	return 0;
}

static int write_out(const char *out, const struct tessera_bundle_header *h,
		     const struct tessera_bundle_entry *e, const struct payload *p, char *err,
		     size_t err_size)
{
	static const char zeros[TESSERA_BUNDLE_ALIGN];
	FILE *f = fopen(out, "wb");
	uint64_t at = sizeof(*h) + h->nr_entries * sizeof(*e);
	bool ok = f && fwrite(h, sizeof(*h), 1, f) == 1 &&
		  fwrite(e, sizeof(*e), h->nr_entries, f) == h->nr_entries;

	for (unsigned int i = 0; ok && i < h->nr_entries; i++) {
		ok = fwrite(zeros, 1, e[i].offset - at, f) == e[i].offset - at &&
		     fwrite(p[i].data, 1, p[i].size, f) == p[i].size;
		at = e[i].offset + e[i].size;
	}
	if (f && fclose(f))
		ok = false;
	if (!ok) {
		snprintf(err, err_size, "%s: cannot write the bundle: %s", out, strerror(errno));
		return 1;
	}
	return 0;
}

int bundle_write(const char *out, const char *const *paths, unsigned int n, char *err, size_t err_size)
{
	struct tessera_bundle_header h;
	struct tessera_bundle_entry e[TESSERA_BUNDLE_MAX_ENTRY];
	struct payload p[TESSERA_BUNDLE_MAX_ENTRY] = {0};
	int ret = check_names(paths, n, err, err_size);

	for (unsigned int i = 0; !ret && i < n; i++)
		ret = read_file(paths[i], &p[i], err, err_size);
	if (!ret) {
		lay_out(&h, e, paths, p, n);
		ret = write_out(out, &h, e, p, err, err_size);
	}
	for (unsigned int i = 0; i < TESSERA_BUNDLE_MAX_ENTRY; i++)
		free(p[i].data);
	return ret;
}

int bundle_machine_modules(struct machine *m, const char *path, char *err, size_t err_size)
{
	char *copy = strdup(path);
	int ret = copy ? bundle_write(path, m->modules, m->nr_modules, err, err_size) : 1;

	if (!copy)
		snprintf(err, err_size, "out of memory");
	if (ret) {
		free(copy);
		return ret;
	}
	m->nr_modules = 0;
	machine_add_module(m, copy);
	return 0;
}
