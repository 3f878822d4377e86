/* Boot modules by name (see boot_modules.h). Pure C: unit-tested on the host. */
#include <tessera/boot_modules.h>
#include <tessera/cmdline_options.h>
#include <tessera/format.h>
#include <tessera/string.h>

const char *boot_module_basename(const char *name, size_t *len)
{
	const char *end = name, *base = name;

	while (*end && *end != ' ')
		end++;
	for (const char *p = name; p < end; p++)
		if (*p == '/')
			base = p + 1;
	*len = (size_t)(end - base);
	return base;
}

static bool name_is(const char *module_name, const char *name, size_t name_len)
{
	size_t len;
	const char *base = boot_module_basename(module_name, &len);

	return len == name_len && !strncmp(base, name, len);
}

const struct boot_module *boot_module_find(const struct boot_info *info, const char *name)
{
	size_t len = strlen(name);

	for (unsigned int i = 0; i < info->nr_modules; i++)
		if (len && name_is(info->modules[i].name, name, len))
			return &info->modules[i];
	return NULL;
}

const struct boot_module *boot_module_config(const struct boot_info *info, const char *cmdline)
{
	struct cmdline_arg a;

	if (cmdline_option_find(cmdline, CMDLINE_CONFIG, &a) != CMDLINE_ABSENT) {
		for (unsigned int i = 0; i < info->nr_modules; i++)
			if (a.len && name_is(info->modules[i].name, a.str, a.len))
				return &info->modules[i];
		return NULL;
	}
	return info->nr_modules ? &info->modules[0] : NULL;
}

static bool inside(uint64_t start, uint64_t len, uint64_t base, uint64_t size)
{
	return start >= base && len <= size && start - base <= size - len;
}

const char *boot_payload_outside(const struct boot_info *info, uint64_t base, uint64_t size, char *why,
				 size_t why_len)
{
	if (info->hv_end > info->hv_start &&
	    !inside(info->hv_start, info->hv_end - info->hv_start, base, size)) {
		format_snprintf(why, why_len, "the hypervisor image %#llx-%#llx",
				(unsigned long long)info->hv_start, (unsigned long long)(info->hv_end - 1));
		return why;
	}
	for (unsigned int i = 0; i < info->nr_modules; i++) {
		const struct boot_module *m = &info->modules[i];
		if (!inside(m->start, m->size, base, size)) {
			size_t len;
			const char *name = boot_module_basename(m->name, &len);
			format_snprintf(why, why_len, "boot module '%.*s' at %#llx+%#llx", (int)len, name,
					(unsigned long long)m->start, (unsigned long long)m->size);
			return why;
		}
	}
	return NULL;
}
