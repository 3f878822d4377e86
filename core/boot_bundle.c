/*
 * Expanding a boot bundle into boot modules (boot_bundle.h, layout in abi/boot_bundle.h). Everything in a
 * bundle is checked before the module list changes: a bundle that fails any check boots no cell, as a
 * config blob that fails its checker does not.
 */
#include <tessera/abi/boot_bundle.h>
#include <tessera/boot_bundle.h>
#include <tessera/boot_modules.h>
#include <tessera/crc32.h>
#include <tessera/format.h>
#include <tessera/string.h>

#define SUFFIX ".bundle"

bool boot_bundle_is(const struct boot_module *m)
{
	size_t len, slen = sizeof(SUFFIX) - 1;
	const char *base = boot_module_basename(m->name, &len);

	if (m->size >= sizeof(TESSERA_BUNDLE_MAGIC) &&
	    !memcmp((const void *)(uintptr_t)m->start, TESSERA_BUNDLE_MAGIC, sizeof(TESSERA_BUNDLE_MAGIC)))
		return true;
	return len > slen && !strncmp(base + len - slen, SUFFIX, slen);
}

/* A usable module name: NUL-terminated inside the field, not empty, matched as itself by base name. */
static bool name_ok(const char *name)
{
	size_t n = 0;

	while (n < TESSERA_BUNDLE_NAME_LEN && name[n]) {
		if (name[n] == '/' || name[n] == ' ' || (unsigned char)name[n] < 0x20)
			return false;
		n++;
	}
	return n > 0 && n < TESSERA_BUNDLE_NAME_LEN;
}

static uint32_t header_crc(const struct tessera_bundle_header *h)
{
	struct tessera_bundle_header copy = *h;

	copy.header_crc = 0;
	uint32_t crc = crc32_update(0, &copy, sizeof(copy));
	return crc32_update(crc, h + 1, h->nr_entries * sizeof(struct tessera_bundle_entry));
}

/* The checks of one entry against the header and the entries before it; NULL when it is good. */
static const char *entry_problem(const struct tessera_bundle_header *h, unsigned int i, uint64_t table_end,
				 char *buf, size_t len)
{
	const struct tessera_bundle_entry *e = (const void *)(h + 1), *x = &e[i];
	const uint8_t *base = (const void *)h;

	if (!name_ok(x->name)) {
		format_snprintf(buf, len, "entry %u: the name is empty, too long or not a plain file name",
				i);
		return buf;
	}
	for (unsigned int j = 0; j < i; j++)
		if (!strncmp(e[j].name, x->name, TESSERA_BUNDLE_NAME_LEN)) {
			format_snprintf(buf, len, "entry '%s': two entries have this name", x->name);
			return buf;
		}
	if (!IS_ALIGNED(x->offset, TESSERA_BUNDLE_ALIGN) || x->reserved) {
		format_snprintf(buf, len, "entry '%s': offset %#llx is not %u-aligned (or reserved is set)",
				x->name, (unsigned long long)x->offset, TESSERA_BUNDLE_ALIGN);
		return buf;
	}
	if (x->offset > h->size || x->size > h->size - x->offset) {
		format_snprintf(buf, len, "entry '%s': %#llx+%#llx runs past the bundle's end %#llx", x->name,
				(unsigned long long)x->offset, (unsigned long long)x->size,
				(unsigned long long)h->size);
		return buf;
	}
	/* In entry order and disjoint: each payload starts at or after the end of the one before. */
	uint64_t prev_end = i ? e[i - 1].offset + e[i - 1].size : table_end;
	if (x->offset < prev_end) {
		format_snprintf(buf, len, "entry '%s' at %#llx overlaps %s (up to %#llx)", x->name,
				(unsigned long long)x->offset, i ? e[i - 1].name : "the entry table",
				(unsigned long long)prev_end);
		return buf;
	}
	uint32_t crc = crc32_update(0, base + x->offset, x->size);
	if (crc != x->crc32) {
		format_snprintf(buf, len, "entry '%s': checksum %#x, the table says %#x", x->name, crc,
				x->crc32);
		return buf;
	}
	return NULL;
}

/* All checks of one bundle module; NULL when it is good. */
static const char *bundle_problem(const struct boot_module *m, char *buf, size_t len)
{
	const struct tessera_bundle_header *h = (const void *)(uintptr_t)m->start;

	if (m->size < sizeof(*h)) {
		format_snprintf(buf, len, "truncated: %llu bytes, less than the %zu-byte header",
				(unsigned long long)m->size, sizeof(*h));
		return buf;
	}
	if (memcmp(h->magic, TESSERA_BUNDLE_MAGIC, sizeof(h->magic)))
		return "bad magic (not a Tessera boot bundle)";
	if (h->version != TESSERA_BUNDLE_VERSION) {
		format_snprintf(buf, len, "version %u, this hypervisor reads version %u", h->version,
				TESSERA_BUNDLE_VERSION);
		return buf;
	}
	if (h->size > m->size) {
		format_snprintf(buf, len, "truncated: the header says %llu bytes, the module has %llu",
				(unsigned long long)h->size, (unsigned long long)m->size);
		return buf;
	}
	if (!h->nr_entries || h->nr_entries > TESSERA_BUNDLE_MAX_ENTRY || h->reserved) {
		format_snprintf(buf, len, "%u entries, expected 1..%u (or reserved is set)", h->nr_entries,
				TESSERA_BUNDLE_MAX_ENTRY);
		return buf;
	}
	uint64_t table_end = sizeof(*h) + (uint64_t)h->nr_entries * sizeof(struct tessera_bundle_entry);
	if (table_end > h->size) {
		format_snprintf(buf, len,
				"truncated: the entry table ends at %llu, past the bundle's %llu bytes",
				(unsigned long long)table_end, (unsigned long long)h->size);
		return buf;
	}
	uint32_t crc = header_crc(h);
	if (crc != h->header_crc) {
		format_snprintf(buf, len, "header checksum %#x, the header says %#x", crc, h->header_crc);
		return buf;
	}
	for (unsigned int i = 0; i < h->nr_entries; i++)
		if (entry_problem(h, i, table_end, buf, len))
			return buf;
	return NULL;
}

/* Replace module `at` by the bundle's entries (checked), moving the modules after it up. */
static void expand_at(struct boot_info *info, unsigned int at)
{
	struct boot_module bundle = info->modules[at];
	const struct tessera_bundle_header *h = (const void *)(uintptr_t)bundle.start;
	const struct tessera_bundle_entry *e = (const void *)(h + 1);
	unsigned int n = h->nr_entries, tail = info->nr_modules - at - 1;

	memmove(&info->modules[at + n], &info->modules[at + 1], tail * sizeof(info->modules[0]));
	for (unsigned int i = 0; i < n; i++) {
		info->modules[at + i].start = bundle.start + e[i].offset;
		info->modules[at + i].size = e[i].size;
		info->modules[at + i].name = e[i].name;
	}
	info->nr_modules += n - 1;
}

int boot_bundle_expand(struct boot_info *info, char *why, size_t why_len)
{
	char buf[160];

	/* Check all first, so that a bad bundle leaves the list as the loader gave it. */
	for (unsigned int i = 0; i < info->nr_modules; i++) {
		const struct boot_module *m = &info->modules[i];
		if (!boot_bundle_is(m))
			continue;
		const char *problem = bundle_problem(m, buf, sizeof(buf));
		if (problem) {
			size_t len;
			const char *name = boot_module_basename(m->name, &len);
			format_snprintf(why, why_len, "module '%.*s': %s", (int)len, name, problem);
			return -1;
		}
	}
	unsigned int total = info->nr_modules;
	for (unsigned int i = 0; i < info->nr_modules; i++)
		if (boot_bundle_is(&info->modules[i]))
			total += ((const struct tessera_bundle_header *)(uintptr_t)info->modules[i].start)
					 ->nr_entries -
				 1;
	if (total > HV_MAX_BOOT_MODULES) {
		format_snprintf(why, why_len, "the bundles' entries make %u boot modules, at most %u fit",
				total, HV_MAX_BOOT_MODULES);
		return -1;
	}
	for (unsigned int i = 0; i < info->nr_modules; i++)
		if (boot_bundle_is(&info->modules[i])) {
			unsigned int n =
				((const struct tessera_bundle_header *)(uintptr_t)info->modules[i].start)
					->nr_entries;
			expand_at(info, i);
			i += n - 1; /* the entries themselves are never bundles to expand again */
		}
	return 0;
}
