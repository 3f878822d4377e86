/* The hypervisor's command-line options and their value forms (cmdline_options.h). */
#include <tessera/bench_exit_work.h>
#include <tessera/cmdline.h>
#include <tessera/cmdline_options.h>
#include <tessera/string.h>

const struct cmdline_option cmdline_options[] = {
	{"config", CMDLINE_WORD, 0, 0, "the name of a boot module"},
	{"loglevel", CMDLINE_WORD, 0, 0, "a log level name"},
	{"pool", CMDLINE_SIZE, 8192, UINT64_MAX, "a page pool size of at least 8K (4096, 16M)"},
	{"test_fault", CMDLINE_WORD, 0, 0, "a fault kind"},
	{"idle", CMDLINE_WORD, 0, 0, "hlt or poll"},
	{"test_pic_pending", CMDLINE_FLAG, 0, 0, ""},
	{"test_smp_skip", CMDLINE_UINT, 1, 4096, "a CPU index from 1"},
	{"bench_exit_work", CMDLINE_UINT, 0, BENCH_EXIT_WORK_MAX, "a number of rounds 0..10000000"},
	{"insecure_test_grant_port", CMDLINE_PORT, 0, 0xffff, "a port number 0..65535"},
	{"trace_ring", CMDLINE_SIZE, 256, UINT64_MAX, "a ring size of at least 256 bytes"},
	{"trace_events", CMDLINE_HEX, 0, 0, "a hex event mask"},
	{"trace_cells", CMDLINE_HEX, 0, 0, "a hex cell mask"},
};
const unsigned int cmdline_options_count = ARRAY_SIZE(cmdline_options);

static bool digits(const char *v, size_t len, unsigned int base, uint64_t *n)
{
	*n = 0;
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		unsigned int d = c >= '0' && c <= '9'	? (unsigned int)(c - '0')
				 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
				 : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10)
							: 16;
		if (d >= base || *n > (UINT64_MAX - d) / base)
			return false;
		*n = *n * base + d;
	}
	return true;
}

static bool hex(const char *v, size_t len, uint64_t *n)
{
	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return digits(v + 2, len - 2, 16, n);
	return digits(v, len, 16, n);
}

static bool value_ok(const struct cmdline_option *o, const char *v, size_t len, bool has_value)
{
	uint64_t n;
	bool ok;

	switch (o->value) {
	case CMDLINE_FLAG: return true;
	case CMDLINE_WORD: return has_value && len;
	case CMDLINE_SIZE:
		n = cmdline_parse_size(v, len, &ok);
		return ok && len && n >= o->min && n <= o->max;
	case CMDLINE_UINT: return digits(v, len, 10, &n) && n >= o->min && n <= o->max;
	case CMDLINE_HEX: return hex(v, len, &n);
	case CMDLINE_PORT:
		if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
			ok = digits(v + 2, len - 2, 16, &n);
		else
			ok = digits(v, len, 10, &n);
		return ok && n <= o->max;
	}
	return false;
}

bool cmdline_check(const char *cmdline, struct cmdline_problem *p)
{
	for (const char *s = cmdline; s && *s;) {
		while (*s == ' ')
			s++;
		const char *word = s;
		while (*s && *s != ' ')
			s++;
		size_t wlen = (size_t)(s - word), klen = 0;
		if (!wlen)
			break;
		while (klen < wlen && word[klen] != '=')
			klen++;
		const struct cmdline_option *o = NULL;
		for (unsigned int i = 0; i < cmdline_options_count && !o; i++)
			if (strlen(cmdline_options[i].key) == klen &&
			    !strncmp(cmdline_options[i].key, word, klen))
				o = &cmdline_options[i];
		*p = (struct cmdline_problem){.offset = (size_t)(word - cmdline), .len = wlen};
		if (!o) {
			p->why = "unknown option";
			return false;
		}
		bool has_value = klen < wlen;
		if (!value_ok(o, word + klen + has_value, wlen - klen - has_value, has_value)) {
			p->why = o->form;
			return false;
		}
	}
	return true;
}
