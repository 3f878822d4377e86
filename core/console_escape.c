/*
 * Escaping a console line (console.h): one line of the hypervisor's log must stay one line of printable
 * text, whatever strings went into it. A cell name, image name or guest-chosen text with a newline could
 * otherwise forge a line of the hypervisor's own ("[cpu0] shutdown: ..."), and an ESC could rewrite the
 * terminal. The config checker refuses such strings; this is the second line of defence on output.
 */
#include <tessera/console.h>

size_t console_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (!size)
		return 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char ch = (unsigned char)src[k];
		if (ch >= 0x20 && ch < 0x7f) {
			if (n + 1 >= size)
				break;
			dst[n++] = (char)ch;
			continue;
		}
		if (n + 4 >= size) /* an escape is never cut in half */
			break;
		dst[n++] = '\\';
		dst[n++] = 'x';
		dst[n++] = hex[ch >> 4];
		dst[n++] = hex[ch & 15];
	}
	dst[n] = 0;
	return n;
}
