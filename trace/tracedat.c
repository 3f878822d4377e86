/*
 * trace.dat (version 6, as trace-cmd.dat.v6(5) describes it) writer. The event formats are the catalog's
 * ftrace `format` texts under the system "tessera"; the CPU data are ftrace ring-buffer pages: a 16-byte
 * page header (time stamp, commit), then events with a 32-bit header (type_len:5, time_delta:27), whose
 * data are our records' payloads (ftrace common fields + event fields) unchanged. Cells appear as
 * processes: pid = cell id + 1, comm = the cell's name.
 *
 * Why not libtracecmd's writer: Debian's libtracecmd 3.1.6 exports tracecmd_output_* but its public
 * header declares only the reading API, and its writer reads tracefs for the headers. libtracecmd's
 * reader (tracecmd_open) and trace-cmd report check what we write (trace/convert_test.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "formats.h"

#define DAT_PAGE_SIZE	 4096
#define PAGE_HDR	 16
#define TYPE_TIME_EXTEND 30
#define MAX_DELTA	 ((1u << 27) - 1)
#define MAX_SMALL_DATA	 (28 * 4)

static const char header_page[] = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
				  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
				  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
				  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";
static const char header_event[] = "# compressed entry header\n"
				   "\ttype_len    :    5 bits\n"
				   "\ttime_delta  :   27 bits\n"
				   "\tarray       :   32 bits\n\n"
				   "\tpadding     : type == 29\n"
				   "\ttime_extend : type == 30\n"
				   "\ttime_stamp : type == 31\n"
				   "\tdata max type_len  == 28\n";

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static void w(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void w32(FILE *f, uint32_t v)
{
	w(f, &v, 4);
}

static void w64(FILE *f, uint64_t v)
{
	w(f, &v, 8);
}

static void w_section(FILE *f, const char *name, const char *text, size_t len)
{
	w(f, name, strlen(name) + 1);
	w64(f, len);
	w(f, text, len);
}

/* The pages of one CPU, built in memory. */
struct pages {
	uint8_t *p;
	size_t nr;	  /* pages started */
	size_t used;	  /* bytes used in the current page, header included */
	uint64_t last_ns; /* time of the previous event in the current page */
};

static uint8_t *pages_cur(struct pages *pg)
{
	return pg->p + (pg->nr - 1) * DAT_PAGE_SIZE;
}

static void pages_close(struct pages *pg)
{
	if (pg->nr) {
		uint64_t commit = pg->used - PAGE_HDR;
		memcpy(pages_cur(pg) + 8, &commit, 8);
	}
}

static void pages_new(struct pages *pg, uint64_t ns)
{
	pages_close(pg);
	pg->p = realloc(pg->p, ++pg->nr * DAT_PAGE_SIZE);
	memset(pages_cur(pg), 0, DAT_PAGE_SIZE);
	memcpy(pages_cur(pg), &ns, 8);
	pg->used = PAGE_HDR;
	pg->last_ns = ns;
}

static int add_record(const struct trace_rec *r, void *arg)
{
	struct pages *pg = arg;
	uint32_t len = r->hdr->size - sizeof(*r->hdr);
	uint32_t need = len + 4 + (len > MAX_SMALL_DATA ? 4 : 0);
	uint64_t delta;

	if (!pg->nr || pg->used + need + 8 > DAT_PAGE_SIZE)
		pages_new(pg, r->ns);
	delta = r->ns - pg->last_ns;
	if (delta > MAX_DELTA) {
		uint32_t ext[2] = {TYPE_TIME_EXTEND | (uint32_t)(delta & MAX_DELTA) << 5,
				   (uint32_t)(delta >> 27)};
		memcpy(pages_cur(pg) + pg->used, ext, 8);
		pg->used += 8;
		delta = 0;
	}
	uint8_t *at = pages_cur(pg) + pg->used;
	uint32_t hdr;
	if (len <= MAX_SMALL_DATA) {
		hdr = (len / 4) | (uint32_t)delta << 5;
		memcpy(at, &hdr, 4);
		memcpy(at + 4, r->payload, len);
	} else {
		uint32_t array0 = len + 4; /* as the kernel stores it: data length plus this word */
		hdr = (uint32_t)delta << 5;
		memcpy(at, &hdr, 4);
		memcpy(at + 4, &array0, 4);
		memcpy(at + 8, r->payload, len);
	}
	pg->used += need;
	pg->last_ns = r->ns;
	return 0;
}

static void write_formats(FILE *f)
{
	w32(f, 0); /* no ftrace-internal event formats */
	w32(f, 1); /* one event system */
	w(f, TRACE_FTRACE_SYSTEM, sizeof(TRACE_FTRACE_SYSTEM));
	w32(f, trace_event_count());
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		trace_format_ftrace(m, trace_event_at(i));
		fclose(m);
		w64(f, len);
		w(f, text, len);
		free(text);
	}
}

static void write_cmdlines(FILE *f, const struct trace_dir *td)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	for (unsigned int c = 0; c < td->nr_cells; c++)
		fprintf(m, "%u %s\n", c + 1, td->cell_names[c][0] ? td->cell_names[c] : "cell");
	fclose(m);
	w64(f, len);
	w(f, text, len);
	free(text);
}

int trace_convert_tracedat(const struct trace_dir *td, const char *out_file, char *err, size_t err_len)
{
	struct pages pg[TESSERA_TRACE_MAX_CPUS] = {0};
	FILE *f = fopen(out_file, "wb");
	int ret = 0;

	if (!f)
		return fail(err, err_len, "%s: %s", out_file, strerror(errno));
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		trace_dir_for_each_cpu(td, c, add_record, &pg[c]);
		pages_close(&pg[c]);
	}
	w(f, "\x17\x08\x44tracing6", 11);
	w(f, "", 1);
	w(f, "\0\x08", 2); /* little endian, 8-byte long */
	w32(f, DAT_PAGE_SIZE);
	w_section(f, "header_page", header_page, sizeof(header_page) - 1);
	w_section(f, "header_event", header_event, sizeof(header_event) - 1);
	write_formats(f);
	w32(f, 0); /* kallsyms */
	w32(f, 0); /* printk formats */
	write_cmdlines(f, td);
	w32(f, td->nr_cpus);
	w(f, "options  ", 10);
	uint16_t end_of_options = 0;
	w(f, &end_of_options, 2);
	w(f, "flyrecord", 10);
	/* The data follow the CPU table, page-aligned. */
	uint64_t off = ftell(f) + td->nr_cpus * 16;
	off = (off + DAT_PAGE_SIZE - 1) & ~(uint64_t)(DAT_PAGE_SIZE - 1);
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		w64(f, off);
		w64(f, pg[c].nr * DAT_PAGE_SIZE);
		off += pg[c].nr * DAT_PAGE_SIZE;
	}
	long pad = (long)((ftell(f) + DAT_PAGE_SIZE - 1) & ~(long)(DAT_PAGE_SIZE - 1)) - ftell(f);
	for (long i = 0; i < pad; i++)
		fputc(0, f);
	for (unsigned int c = 0; c < td->nr_cpus; c++) {
		w(f, pg[c].p, pg[c].nr * DAT_PAGE_SIZE);
		free(pg[c].p);
	}
	if (ferror(f))
		ret = fail(err, err_len, "%s: write error", out_file);
	if (fclose(f) && !ret)
		ret = fail(err, err_len, "%s: %s", out_file, strerror(errno));
	return ret;
}
