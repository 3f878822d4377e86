/* Boot modules by name (see boot_modules.h). Pure C: unit-tested on the host. */
#include <tessera/boot_modules.h>
#include <tessera/cmdline.h>
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
	const char *v;
	size_t len;

	if (cmdline && cmdline_get(cmdline, "config", &v, &len)) {
		for (unsigned int i = 0; i < info->nr_modules; i++)
			if (name_is(info->modules[i].name, v, len))
				return &info->modules[i];
		return NULL;
	}
	return info->nr_modules ? &info->modules[0] : NULL;
}
