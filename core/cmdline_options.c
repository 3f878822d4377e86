/* The hypervisor's command-line options and their value forms (cmdline_options.h). */
#include <tessera/bench_exit_work.h>
#include <tessera/cmdline.h>
#include <tessera/cmdline_options.h>
#include <tessera/string.h>

const struct cmdline_option cmdline_options[] = {
#define CMDLINE_ROW(id, key, value, min, max, choices, on_bad, form) \
	[CMDLINE_##id] = {key, CMDLINE_##value, min, max, choices, CMDLINE_##on_bad, form},
	CMDLINE_OPTIONS(CMDLINE_ROW)
#undef CMDLINE_ROW
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

static bool has_0x(const char *v, size_t len)
{
	return len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
}

/* CHOICE: the index of v among "a|b|c". */
static bool choice(const char *choices, const char *v, size_t len, uint64_t *n)
{
	*n = 0;
	for (const char *c = choices; c && *c; (*n)++) {
		size_t clen = 0;
		while (c[clen] && c[clen] != '|')
			clen++;
		if (clen == len && !strncmp(c, v, len))
			return true;
		c += clen + (c[clen] == '|');
	}
	return false;
}

static bool value_parse(const struct cmdline_option *o, const char *v, size_t len, bool has_value,
			uint64_t *n)
{
	bool ok;

	*n = 0;
	switch (o->value) {
	case CMDLINE_FLAG: return true;
	case CMDLINE_WORD: return has_value && len;
	case CMDLINE_CHOICE: return choice(o->choices, v, len, n);
	case CMDLINE_SIZE:
		*n = cmdline_parse_size(v, len, &ok);
		return ok && len && *n >= o->min && *n <= o->max;
	case CMDLINE_UINT: return digits(v, len, 10, n) && *n >= o->min && *n <= o->max;
	case CMDLINE_HEX: return has_0x(v, len) ? digits(v + 2, len - 2, 16, n) : digits(v, len, 16, n);
	case CMDLINE_PORT:
		ok = has_0x(v, len) ? digits(v + 2, len - 2, 16, n) : digits(v, len, 10, n);
		return ok && *n <= o->max;
	}
	return false;
}

/* One space-separated word from *pos: its start, length and key length (up to '='). */
static bool next_word(const char *cmdline, size_t *pos, const char **word, size_t *wlen, size_t *klen)
{
	const char *s = cmdline ? cmdline + *pos : NULL;

	if (!s)
		return false;
	while (*s == ' ')
		s++;
	*word = s;
	while (*s && *s != ' ')
		s++;
	*wlen = (size_t)(s - *word);
	*pos = (size_t)(s - cmdline);
	for (*klen = 0; *klen < *wlen && (*word)[*klen] != '='; (*klen)++)
		;
	return *wlen > 0;
}

static const struct cmdline_option *option_by_key(const char *key, size_t klen)
{
	for (unsigned int i = 0; i < cmdline_options_count; i++)
		if (strlen(cmdline_options[i].key) == klen && !strncmp(cmdline_options[i].key, key, klen))
			return &cmdline_options[i];
	return NULL;
}

enum cmdline_found cmdline_option_find(const char *cmdline, enum cmdline_id id, struct cmdline_arg *a)
{
	const struct cmdline_option *o = &cmdline_options[id];
	const char *word;
	size_t pos = 0, wlen, klen;

	*a = (struct cmdline_arg){.str = "", .len = 0, .num = 0};
	while (next_word(cmdline, &pos, &word, &wlen, &klen)) {
		if (klen != strlen(o->key) || strncmp(word, o->key, klen))
			continue;
		bool has_value = klen < wlen;
		a->str = word + klen + has_value;
		a->len = wlen - klen - has_value;
		return value_parse(o, a->str, a->len, has_value, &a->num) ? CMDLINE_GOOD : CMDLINE_MALFORMED;
	}
	return CMDLINE_ABSENT;
}

bool cmdline_next_problem(const char *cmdline, size_t *pos, struct cmdline_problem *p)
{
	const char *word;
	size_t wlen, klen;
	uint64_t n;

	while (next_word(cmdline, pos, &word, &wlen, &klen)) {
		const struct cmdline_option *o = option_by_key(word, klen);
		bool has_value = klen < wlen;
		*p = (struct cmdline_problem){
			.offset = (size_t)(word - cmdline),
			.len = wlen,
			.opt = o,
			.value = word + klen + has_value,
			.value_len = wlen - klen - has_value,
		};
		if (!o) {
			p->why = "unknown option";
			return true;
		}
		if (!value_parse(o, p->value, p->value_len, has_value, &n)) {
			p->why = o->form;
			return true;
		}
	}
	return false;
}

bool cmdline_check(const char *cmdline, struct cmdline_problem *p)
{
	size_t pos = 0;

	return !cmdline_next_problem(cmdline, &pos, p);
}
