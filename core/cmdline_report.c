/*
 * The hypervisor names every word of its command line that it does not accept, once, before any module
 * reads an option: an unknown key or a malformed value used to be ignored without a word (a typo such as
 * "idel=poll" booted as if it were not there). The options table says, per option, whether a bad value
 * stops the boot or is ignored with the default kept.
 */
#include <tessera/arch.h>
#include <tessera/cmdline_options.h>
#include <tessera/console.h>
#include <tessera/string.h>

/* "config, loglevel, ...": every key, for the unknown-option warning. */
static void keys_list(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < cmdline_options_count; i++) {
		const char *k = cmdline_options[i].key;
		size_t klen = strlen(k);
		if (n + klen + 3 > size)
			break;
		if (n) {
			buf[n++] = ',';
			buf[n++] = ' ';
		}
		memcpy(buf + n, k, klen);
		n += klen;
		buf[n] = '\0';
	}
}

/*
 * A multiboot loader puts the image's own path first ("/path/tessera-hv.elf loglevel=debug": QEMU's
 * -kernel, GRUB's multiboot line): the first word, when it holds a '/', is that path, not an option (no
 * option's key holds one).
 */
static bool image_path(const char *cmdline, const struct cmdline_problem *p)
{
	for (size_t i = 0; i < p->offset; i++)
		if (cmdline[i] != ' ')
			return false;
	for (size_t i = 0; i < p->len; i++)
		if (cmdline[p->offset + i] == '/')
			return true;
	return false;
}

void cmdline_report(const char *cmdline)
{
	struct cmdline_problem p;
	size_t pos = 0;
	bool stop = false;
	char keys[320];

	while (cmdline_next_problem(cmdline, &pos, &p)) {
		const struct cmdline_option *o = p.opt;
		if (!o && image_path(cmdline, &p))
			continue;
		if (!o) {
			keys_list(keys, sizeof(keys));
			pr_warn("cmdline: unknown option '%.*s' ignored (known: %s)", (int)p.len,
				cmdline + p.offset, keys);
		} else if (o->on_bad == CMDLINE_STOP) {
			pr_err("%s='%.*s': expected %s", o->key, (int)p.value_len, p.value, o->form);
			stop = true;
		} else {
			pr_warn("%s='%.*s': expected %s; ignored, the default is kept", o->key,
				(int)p.value_len, p.value, o->form);
		}
	}
	if (stop)
		arch_machine_stop(TESSERA_EXIT_BAD_CONFIG);
}
