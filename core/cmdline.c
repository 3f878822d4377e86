/* The hypervisor command line: space-separated key=value words (multiboot's, or QEMU's -append). */
#include <tessera/cmdline.h>
#include <tessera/string.h>

bool cmdline_get(const char *cmdline, const char *key, const char **value, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen >= klen && !strncmp(word, key, klen) && (wlen == klen || word[klen] == '=')) {
			*value = wlen == klen ? word + klen : word + klen + 1;
			*len = wlen == klen ? 0 : wlen - klen - 1;
			return true;
		}
	}
	return false;
}

bool cmdline_is(const char *value, size_t len, const char *expected)
{
	return strlen(expected) == len && !strncmp(value, expected, len);
}

uint64_t cmdline_parse_size(const char *value, size_t len, bool *ok)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned int shift = 0;

	*ok = len > 0;
	for (; i < len && value[i] >= '0' && value[i] <= '9'; i++) {
		unsigned int digit = (unsigned int)(value[i] - '0');
		if (v > (UINT64_MAX - digit) / 10)
			*ok = false; /* does not fit in 64 bits */
		v = v * 10 + digit;
	}
	if (i == 0)
		*ok = false;
	if (i < len) {
		switch (value[i]) {
		case 'K':
		case 'k': shift = 10; break;
		case 'M':
		case 'm': shift = 20; break;
		case 'G':
		case 'g': shift = 30; break;
		default: *ok = false; break;
		}
		if (i + 1 != len)
			*ok = false;
	}
	if (shift && v > (UINT64_MAX >> shift))
		*ok = false;
	return v << shift;
}
