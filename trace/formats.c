/* Generators of every textual description of the catalog (see formats.h). */
#include <inttypes.h>
#include <string.h>

#include "formats.h"

static const char *ftrace_ctype(const struct trace_field_desc *f)
{
	static const char *const names[] = {
		[TRACE_T_u8] = "unsigned char", [TRACE_T_u16] = "unsigned short",
		[TRACE_T_u32] = "unsigned int", [TRACE_T_u64] = "unsigned long long",
		[TRACE_T_s32] = "int",		[TRACE_T_s64] = "long long",
		[TRACE_T_str] = "char",
	};
	return names[f->type];
}

static bool is_symbolic(const struct trace_field_desc *f)
{
	return trace_symbol_count(f->disp) > 0;
}

static const char *ftrace_conv(const struct trace_field_desc *f)
{
	bool wide = f->size == 8;

	if (f->type == TRACE_T_str || is_symbolic(f))
		return "%s";
	if (f->disp == TRACE_D_HEX)
		return wide ? "0x%llx" : "0x%x";
	if (f->is_signed)
		return wide ? "%lld" : "%d";
	return wide ? "%llu" : "%u";
}

void trace_format_ftrace(FILE *out, const struct trace_event_desc *e)
{
	fprintf(out, "name: %s\nID: %u\nformat:\n", e->name, e->id);
	fprintf(out, "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		     "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		     "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		     "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n");
	for (unsigned int i = 0; i < e->nr_fields; i++) {
		const struct trace_field_desc *f = &e->fields[i];
		if (f->type == TRACE_T_str)
			fprintf(out, "\tfield:char %s[%u];", f->name, f->size);
		else
			fprintf(out, "\tfield:%s %s;", ftrace_ctype(f), f->name);
		fprintf(out, "\toffset:%u;\tsize:%u;\tsigned:%d;\n", f->offset, f->size, f->is_signed);
	}
	fprintf(out, "\nprint fmt: \"");
	for (unsigned int i = 0; i < e->nr_fields; i++)
		fprintf(out, "%s%s=%s", i ? " " : "", e->fields[i].name, ftrace_conv(&e->fields[i]));
	fprintf(out, "\"");
	for (unsigned int i = 0; i < e->nr_fields; i++) {
		const struct trace_field_desc *f = &e->fields[i];
		if (!is_symbolic(f)) {
			fprintf(out, ", REC->%s", f->name);
			continue;
		}
		fprintf(out, ", __print_symbolic(REC->%s", f->name);
		uint64_t v;
		const char *s;
		for (unsigned int j = 0; (s = trace_symbol_at(f->disp, j, &v)); j++)
			fprintf(out, ", { %" PRIu64 ", \"%s\" }", v, s);
		fprintf(out, ")");
	}
	fprintf(out, "\n");
}

static const char *ctf_int(const struct trace_field_desc *f)
{
	static const char *const names[] = {
		[TRACE_T_u8] = "uint8_t",   [TRACE_T_u16] = "uint16_t", [TRACE_T_u32] = "uint32_t",
		[TRACE_T_u64] = "uint64_t", [TRACE_T_s32] = "int32_t",	[TRACE_T_s64] = "int64_t",
	};
	return names[f->type];
}

/* Field names get a leading underscore, which CTF readers strip: our names may be CTF keywords ("string"). */
void trace_format_ctf_metadata(FILE *out, const struct trace_ctf_clock *clock)
{
	static const struct trace_ctf_clock placeholder = {
		.name = "tsc",
		.description = "hypervisor TSC (the conversion sets its frequency)",
		.freq = 1000000000};

	if (!clock)
		clock = &placeholder;
	fprintf(out, "/* CTF 1.8 */\n\n");
	static const struct {
		const char *name;
		int bits;
		bool is_signed;
	} ints[] = {{"uint8_t", 8, false},   {"uint16_t", 16, false}, {"uint32_t", 32, false},
		    {"uint64_t", 64, false}, {"int32_t", 32, true},   {"int64_t", 64, true}};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		fprintf(out, "typealias integer { size = %d; align = 8; signed = %s; } := %s;\n",
			ints[i].bits, ints[i].is_signed ? "true" : "false", ints[i].name);
		fprintf(out, "typealias integer { size = %d; align = 8; signed = %s; base = 16; } := x%s;\n",
			ints[i].bits, ints[i].is_signed ? "true" : "false", ints[i].name);
	}
	fprintf(out,
		"\ntrace {\n\tmajor = 1;\n\tminor = 8;\n\tbyte_order = le;\n"
		"\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint32_t stream_id;\n\t};\n};\n\n"
		"env {\n\tdomain = \"tessera\";\n\ttracer_name = \"tessera\";\n%s};\n\n",
		clock->env ? clock->env : "");
	fprintf(out, "clock {\n\tname = \"%s\";\n", clock->name);
	if (clock->uuid && clock->uuid[0])
		fprintf(out, "\tuuid = \"%s\";\n", clock->uuid);
	fprintf(out,
		"\tdescription = \"%s\";\n\tfreq = %" PRIu64 ";\n\tprecision = %" PRIu64
		";\n\toffset_s = %" PRId64 ";\n\toffset = %" PRIu64 ";\n\tabsolute = %s;\n};\n\n",
		clock->description, clock->freq, clock->precision, clock->offset_s, clock->offset,
		clock->absolute ? "true" : "false");
	fprintf(out,
		"typealias integer { size = 64; align = 8; signed = false; map = clock.%s.value; } := "
		"clock_t;\n\n"
		"stream {\n\tid = 0;\n"
		"\tpacket.context := struct {\n\t\tclock_t timestamp_begin;\n\t\tclock_t timestamp_end;\n"
		"\t\tuint64_t content_size;\n\t\tuint64_t packet_size;\n\t\tuint64_t events_discarded;\n"
		"\t\tuint32_t cpu_id;\n\t};\n"
		"\tevent.header := struct {\n\t\tuint32_t id;\n\t\tclock_t timestamp;\n\t};\n"
		"\tevent.context := struct {\n\t\tint32_t cell;\n\t};\n};\n\n",
		clock->name);
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		fprintf(out,
			"event {\n\tname = \"%s\";\n\tid = %u;\n\tstream_id = 0;\n\tfields := struct {\n",
			e->name, e->id);
		for (unsigned int j = 0; j < e->nr_fields; j++) {
			const struct trace_field_desc *f = &e->fields[j];
			if (f->type == TRACE_T_str) {
				fprintf(out, "\t\tstring _%s;\n", f->name);
			} else if (is_symbolic(f)) {
				uint64_t v;
				const char *s;
				fprintf(out, "\t\tenum : %s {", ctf_int(f));
				for (unsigned int k = 0; (s = trace_symbol_at(f->disp, k, &v)); k++)
					fprintf(out, "%s \"%s\" = %" PRIu64, k ? "," : "", s, v);
				fprintf(out, " } _%s;\n", f->name);
			} else {
				fprintf(out, "\t\t%s%s _%s;\n", f->disp == TRACE_D_HEX ? "x" : "", ctf_int(f),
					f->name);
			}
		}
		fprintf(out, "\t};\n};\n\n");
	}
}

static const char *type_name(const struct trace_field_desc *f)
{
	static const char *const names[] = {
		[TRACE_T_u8] = "u8",   [TRACE_T_u16] = "u16", [TRACE_T_u32] = "u32", [TRACE_T_u64] = "u64",
		[TRACE_T_s32] = "s32", [TRACE_T_s64] = "s64", [TRACE_T_str] = "str",
	};
	return names[f->type];
}

static const char *disp_name(const struct trace_field_desc *f)
{
	static const char *const names[] = {
		[TRACE_D_DEC] = "decimal",
		[TRACE_D_HEX] = "hex",
		[TRACE_D_BOOL] = "0/1",
		[TRACE_D_EXIT_REASON] = "exit reason",
		[TRACE_D_HYPERCALL] = "hypercall",
		[TRACE_D_CELL_STATE] = "cell state",
		[TRACE_D_STR] = "text",
		[TRACE_D_IRQ_KIND] = "irq kind",
		[TRACE_D_WD_ACTION] = "watchdog action",
		[TRACE_D_MCE_SEVERITY] = "mce severity",
		[TRACE_D_MCE_ACTION] = "mce action",
		[TRACE_D_IRQ_SOURCE] = "irq source",
	};
	return names[f->disp];
}

void trace_format_markdown(FILE *out)
{
	fprintf(out,
		"# Trace events\n\n"
		"<!-- Generated from trace/events.h by `tessera trace catalog --markdown`; do not edit. A "
		"unit test "
		"fails when this file is stale. -->\n\n"
		"Every event is declared once in `trace/events.h`. Records carry the TSC time stamp, the CPU "
		"(one "
		"ring per CPU) and the cell (`common_pid` = cell id + 1, 0 for the hypervisor itself). In "
		"trace.dat conversions the events are in the ftrace system `" TRACE_FTRACE_SYSTEM "`; in CTF "
		"the cell is the event context field `cell`.\n\n"
		"| id | event | fields | description |\n|---:|---|---|---|\n");
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		fprintf(out, "| %u | `%s` | ", e->id, e->name);
		for (unsigned int j = 0; j < e->nr_fields; j++)
			fprintf(out, "%s`%s`", j ? ", " : "", e->fields[j].name);
		fprintf(out, " | %s |\n", e->doc);
	}
	for (unsigned int i = 0; i < trace_event_count(); i++) {
		const struct trace_event_desc *e = trace_event_at(i);
		fprintf(out,
			"\n## `%s` (id %u, %u bytes)\n\n%s\n\n| field | type | offset | shown as | meaning "
			"|\n"
			"|---|---|---:|---|---|\n",
			e->name, e->id, e->record_size, e->doc);
		for (unsigned int j = 0; j < e->nr_fields; j++) {
			const struct trace_field_desc *f = &e->fields[j];
			fprintf(out, "| `%s` | %s | %u | %s | %s |\n", f->name, type_name(f), f->offset,
				disp_name(f), f->doc);
		}
	}
}

/* A text field in double quotes, escaped so that a record stays one line: \n \r \t \\ \" and \xNN for
 * anything else outside printable ASCII (a cell's console text is the cell's to choose). */
static void print_escaped(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\\': fputs("\\\\", out); break;
		case '"': fputs("\\\"", out); break;
		default:
			if (ch < 0x20 || ch >= 0x7f)
				fprintf(out, "\\x%02x", ch);
			else
				fputc(ch, out);
		}
	}
	fputc('"', out);
}

void trace_format_record(FILE *out, const struct trace_event_desc *e, const void *payload)
{
	fputs(e->name, out);
	for (unsigned int i = 0; i < e->nr_fields; i++) {
		const struct trace_field_desc *f = &e->fields[i];
		uint64_t v = trace_field_get(f, payload);
		const char *s;

		fprintf(out, " %s=", f->name);
		if (f->type == TRACE_T_str)
			print_escaped(out, (const char *)payload + f->offset,
				      strnlen((const char *)payload + f->offset, f->size));
		else if (is_symbolic(f) && (s = trace_symbol(f->disp, v)))
			fputs(s, out);
		else if (f->disp == TRACE_D_HEX)
			fprintf(out, "%#" PRIx64, v);
		else if (f->is_signed)
			fprintf(out, "%" PRId64, (int64_t)v);
		else
			fprintf(out, "%" PRIu64, v);
	}
}
