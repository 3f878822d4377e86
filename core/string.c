/*
 * The string functions freestanding code needs; compilers also emit calls to memcpy/memset on their own
 * (struct copies and initializers, page clears). memcpy and memset move 8-byte words while both ends
 * allow it and bytes only for the rest: a byte loop costs 3-4 instructions a byte, which made a 104-byte
 * memset a quarter of a null hypercall. (x86 permits unaligned words; other arches get the byte loop
 * unless both pointers are aligned.)
 */
#include <tessera/string.h>

typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint32_t __attribute__((may_alias)) half_t;
typedef uint16_t __attribute__((may_alias)) quarter_t;

static inline bool words_ok(const void *a, const void *b)
{
#if defined(__x86_64__)
	(void)a;
	(void)b;
	return true;
#else
	return (((uintptr_t)a | (uintptr_t)b) & (sizeof(word_t) - 1)) == 0;
#endif
}

void *memcpy(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;

	if (words_ok(d, s)) {
		for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t), s += sizeof(word_t))
			*(word_t *)d = *(const word_t *)s;
		/* The tail in at most three moves (4, 2, 1 bytes), not a byte loop. */
		if (n & 4) {
			*(half_t *)d = *(const half_t *)s;
			d += 4, s += 4;
		}
		if (n & 2) {
			*(quarter_t *)d = *(const quarter_t *)s;
			d += 2, s += 2;
		}
		if (n & 1)
			*d = *s;
		return dst;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = 0x0101010101010101ULL * (unsigned char)c;

	if (words_ok(d, d))
		for (; n >= sizeof(word_t); n -= sizeof(word_t), d += sizeof(word_t))
			*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
