/* Formatted printing for the hypervisor, guests' runtime and host tests alike (no libc, no floats). */
#include <tessera/format.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* what the whole output would need */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
};

/* One integer conversion with its flags, width and precision, as C's printf does it. */
static void out_number(struct out *o, uint64_t v, bool negative, unsigned int base, bool upper, int flags,
		       int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";
	bool nonzero = v != 0;

	if (prec >= 0)
		flags &= ~F_ZERO;
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (prec < 0 && n == 0)
		tmp[n++] = '0';
	if (negative)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	int zeros = prec > n ? prec - n : 0;
	if (flags & F_ALT) {
		/* 0x only for a non-zero value; for octal, '#' makes sure the first digit printed is a zero,
		 * which includes printing "0" for the value 0 at precision 0. */
		if (base == 16 && nonzero)
			prefix = upper ? "0X" : "0x";
		else if (base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
			prefix = "0";
	}
	int plen = 0;
	while (prefix[plen])
		plen++;
	int pad = width - plen - zeros - n;

	if (!(flags & (F_LEFT | F_ZERO)))
		out_repeat(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (flags & F_ZERO)
		out_repeat(o, '0', pad);
	out_repeat(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_string(struct out *o, const char *s, int flags, int width, int prec)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (prec < 0 || n < prec))
		n++;
	if (!(flags & F_LEFT))
		out_repeat(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (flags & F_LEFT)
		out_repeat(o, ' ', width - n);
}

static int parse_int(const char **p)
{
	int v = 0;
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p++;
		int flags = 0;
		for (;; p++) {
			if (*p == '-')
				flags |= F_LEFT;
			else if (*p == '0')
				flags |= F_ZERO;
			else if (*p == '+')
				flags |= F_PLUS;
			else if (*p == ' ')
				flags |= F_SPACE;
			else if (*p == '#')
				flags |= F_ALT;
			else
				break;
		}
		int width = 0;
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			p++;
		} else {
			width = parse_int(&p);
		}
		int prec = -1;
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				prec = parse_int(&p);
			}
		}
		int len =
			0; /* 0 int, 1 long, 2 long long, 3 size_t, 4 ptrdiff_t, 5 intmax_t, -1 short, -2 char */
		for (;; p++) {
			if (*p == 'l')
				len = len == 1 ? 2 : 1;
			else if (*p == 'h')
				len = len == -1 ? -2 : -1;
			else if (*p == 'z')
				len = 3;
			else if (*p == 't')
				len = 4;
			else if (*p == 'j')
				len = 5;
			else
				break;
		}
		if (flags & F_LEFT)
			flags &= ~F_ZERO;

		uint64_t u;
		int64_t s;
		switch (*p) {
		case 'd':
		case 'i':
			switch (len) {
			case 1: s = va_arg(ap, long); break;
			case 2: s = va_arg(ap, long long); break;
			case 3: s = (int64_t)va_arg(ap, size_t); break;
			case 4: s = va_arg(ap, ptrdiff_t); break;
			case 5: s = va_arg(ap, int64_t); break;
			case -1: s = (short)va_arg(ap, int); break;
			case -2: s = (signed char)va_arg(ap, int); break;
			default: s = va_arg(ap, int); break;
			}
			u = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
			out_number(&o, u, s < 0, 10, false, flags, width, prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			switch (len) {
			case 1: u = va_arg(ap, unsigned long); break;
			case 2: u = va_arg(ap, unsigned long long); break;
			case 3: u = va_arg(ap, size_t); break;
			case 4: u = (uint64_t)va_arg(ap, ptrdiff_t); break;
			case 5: u = va_arg(ap, uint64_t); break;
			case -1: u = (unsigned short)va_arg(ap, unsigned int); break;
			case -2: u = (unsigned char)va_arg(ap, unsigned int); break;
			default: u = va_arg(ap, unsigned int); break;
			}
			out_number(&o, u, false,
				   *p == 'u'   ? 10
				   : *p == 'o' ? 8
					       : 16,
				   *p == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			out_number(&o, u, false, 16, false, F_ALT | (flags & F_LEFT), width, prec);
			break;
		case 's': out_string(&o, va_arg(ap, const char *), flags, width, prec); break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!(flags & F_LEFT))
				out_repeat(&o, ' ', width - 1);
			out_char(&o, c);
			if (flags & F_LEFT)
				out_repeat(&o, ' ', width - 1);
			break;
		}
		case '%': out_char(&o, '%'); break;
		case '\0':
			p--; /* a lone '%' at the end: print nothing more */
			break;
		default:
			/* Unknown conversion: show it as written so that the mistake is visible. */
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = format_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
