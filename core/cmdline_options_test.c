#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <tessera/cmdline_options.h>

static const char *why(const char *cl, size_t *off)
{
	struct cmdline_problem p;
	if (cmdline_check(cl, &p))
		return NULL;
	*off = p.offset;
	return p.why;
}

Test(cmdline_options, good_lines_pass)
{
	size_t off;
	cr_expect_null(why("", &off));
	cr_expect_null(why("  loglevel=debug  pool=16M bench_exit_work=100 trace_events=0x3f", &off));
	cr_expect_null(why("test_pic_pending insecure_test_grant_port=0x80 trace_ring=4K", &off));
	cr_expect_null(why("bench_exit_work=10000000 test_smp_skip=1", &off));
}

Test(cmdline_options, the_first_bad_word_is_named)
{
	size_t off = 99;
	cr_expect_str_eq(why("loglevel=debug nosuch_option=3 bench_exit_work=abc", &off), "unknown option");
	cr_expect_eq(off, 15);
	const char *w = why("bench_exit_work=abc", &off);
	cr_assert_not_null(w);
	cr_expect(strstr(w, "rounds"), "%s", w);
	cr_expect_eq(off, 0);
	cr_expect_not_null(why("bench_exit_work=10000001", &off), "over BENCH_EXIT_WORK_MAX");
	cr_expect_not_null(why("bench_exit_work", &off), "no value");
	cr_expect_not_null(why("pool=4K", &off), "under two pages");
	cr_expect_not_null(why("trace_events=all", &off), "not hex");
	cr_expect_not_null(why("insecure_test_grant_port=65536", &off));
	cr_expect_not_null(why("test_smp_skip=0", &off));
	cr_expect_not_null(why("bench_exit_workx=1", &off), "a longer key is another key");
}

Test(cmdline_options, the_enum_indexes_the_table)
{
	cr_assert_eq(cmdline_options_count, CMDLINE_NR_OPTIONS);
	cr_expect_str_eq(cmdline_options[CMDLINE_IDLE].key, "idle");
	cr_expect_str_eq(cmdline_options[CMDLINE_TRACE_CELLS].key, "trace_cells");
	cr_expect_str_eq(cmdline_options[CMDLINE_CONFIG].key, "config");
	for (unsigned int i = 0; i < cmdline_options_count; i++)
		for (unsigned int j = i + 1; j < cmdline_options_count; j++)
			cr_expect_str_neq(cmdline_options[i].key, cmdline_options[j].key);
}

/* A bad value's message is the option's form: it must name every choice a user may give. */
Test(cmdline_options, a_choice_form_names_each_choice)
{
	for (unsigned int i = 0; i < cmdline_options_count; i++) {
		const struct cmdline_option *o = &cmdline_options[i];
		cr_expect_eq(o->value == CMDLINE_CHOICE, o->choices != NULL, "%s", o->key);
		for (const char *c = o->choices; c && *c;) {
			size_t n = strcspn(c, "|");
			char word[32];
			snprintf(word, sizeof(word), "%.*s", (int)n, c);
			cr_expect(strstr(o->form, word), "%s: form '%s' lacks '%s'", o->key, o->form, word);
			c += n + (c[n] == '|');
		}
	}
}

Test(cmdline_options, values_are_parsed_by_their_type)
{
	struct cmdline_arg a;
	const char *cl =
		"loglevel=debug pool=16M idle=poll trace_events=0x3f insecure_test_grant_port=0x80 "
		"bench_exit_work=1000 test_pic_pending config=probe.elf trace_ring=4K test_smp_skip=2";

	cr_assert(cmdline_option(cl, CMDLINE_LOGLEVEL, &a));
	cr_expect_eq(a.num, 3, "debug is the fourth level");
	cr_assert(cmdline_option(cl, CMDLINE_POOL, &a));
	cr_expect_eq(a.num, 16ULL << 20);
	cr_assert(cmdline_option(cl, CMDLINE_IDLE, &a));
	cr_expect_eq(a.num, 1);
	cr_assert(cmdline_option(cl, CMDLINE_TRACE_EVENTS, &a));
	cr_expect_eq(a.num, 0x3f);
	cr_assert(cmdline_option(cl, CMDLINE_INSECURE_TEST_GRANT_PORT, &a));
	cr_expect_eq(a.num, 0x80);
	cr_assert(cmdline_option(cl, CMDLINE_BENCH_EXIT_WORK, &a));
	cr_expect_eq(a.num, 1000);
	cr_expect(cmdline_option(cl, CMDLINE_TEST_PIC_PENDING, &a));
	cr_assert(cmdline_option(cl, CMDLINE_CONFIG, &a));
	cr_expect(a.len == 9 && !strncmp(a.str, "probe.elf", 9));
	cr_assert(cmdline_option(cl, CMDLINE_TRACE_RING, &a));
	cr_expect_eq(a.num, 4096);
	cr_assert(cmdline_option(cl, CMDLINE_TEST_SMP_SKIP, &a));
	cr_expect_eq(a.num, 2);
	cr_expect_eq(cmdline_option_find(cl, CMDLINE_TRACE_CELLS, &a), CMDLINE_ABSENT);
	cr_expect_eq(cmdline_option_find(NULL, CMDLINE_IDLE, &a), CMDLINE_ABSENT);
	cr_expect_eq(cmdline_option_find("idle=hlt", CMDLINE_IDLE, &a), CMDLINE_GOOD);
	cr_expect_eq(a.num, 0);
}

Test(cmdline_options, a_malformed_value_is_told_apart_from_an_absent_one)
{
	struct cmdline_arg a;

	cr_expect_eq(cmdline_option_find("idle=pol", CMDLINE_IDLE, &a), CMDLINE_MALFORMED);
	cr_expect(a.len == 3 && !strncmp(a.str, "pol", 3));
	cr_expect(!cmdline_option("idle=pol", CMDLINE_IDLE, &a));
	cr_expect_eq(cmdline_option_find("idle", CMDLINE_IDLE, &a), CMDLINE_MALFORMED);
	cr_expect_eq(cmdline_option_find("idle=polls", CMDLINE_IDLE, &a), CMDLINE_MALFORMED);
	cr_expect_eq(cmdline_option_find("loglevel=", CMDLINE_LOGLEVEL, &a), CMDLINE_MALFORMED);
	cr_expect_eq(cmdline_option_find("pool=16Q", CMDLINE_POOL, &a), CMDLINE_MALFORMED);
	cr_expect_eq(cmdline_option_find("trace_events=0x10000000000000000", CMDLINE_TRACE_EVENTS, &a),
		     CMDLINE_MALFORMED, "17 hex digits do not fit");
	cr_expect_eq(cmdline_option_find("idlex=poll", CMDLINE_IDLE, &a), CMDLINE_ABSENT);
	cr_expect_eq(cmdline_option_find("config=", CMDLINE_CONFIG, &a), CMDLINE_MALFORMED);
}

/* The hypervisor names every problem, not only the first (cmdline_report walks them all). */
Test(cmdline_options, every_problem_is_found)
{
	const char *cl = "nosuch=1 loglevel=loud pool=16M idle=pol trace_cells=zz";
	const char *want[][2] = {{"nosuch=1", NULL},
				 {"loglevel=loud", "loglevel"},
				 {"idle=pol", "idle"},
				 {"trace_cells=zz", "trace_cells"}};
	struct cmdline_problem p;
	size_t pos = 0;
	unsigned int n = 0;

	while (cmdline_next_problem(cl, &pos, &p)) {
		cr_assert_lt(n, 4, "more problems than words with one");
		cr_expect(p.len == strlen(want[n][0]) && !strncmp(cl + p.offset, want[n][0], p.len), "%s",
			  want[n][0]);
		if (want[n][1]) {
			cr_assert_not_null(p.opt);
			cr_expect_str_eq(p.opt->key, want[n][1]);
			cr_expect_str_eq(p.why, p.opt->form);
		} else {
			cr_expect_null(p.opt);
			cr_expect_str_eq(p.why, "unknown option");
		}
		n++;
	}
	cr_expect_eq(n, 4);
	cr_expect_eq(cmdline_options[CMDLINE_IDLE].on_bad, CMDLINE_STOP,
		     "documented: a bad idle= stops the boot");
	cr_expect_eq(cmdline_options[CMDLINE_LOGLEVEL].on_bad, CMDLINE_IGNORE,
		     "documented: warned and ignored");
}

/*
 * docs/architecture.md, "Hypervisor command line": one row per option of the table, no more, and each
 * row says whether a bad value stops the boot or is ignored as the table does.
 */
Test(cmdline_options, the_docs_table_is_the_code_table)
{
	FILE *f = fopen(TESSERA_SOURCE_ROOT "docs/architecture.md", "r");
	cr_assert_not_null(f);
	char line[2048];
	bool in_section = false, seen[CMDLINE_NR_OPTIONS] = {false};
	unsigned int rows = 0;

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_section = !strncmp(line, "## Hypervisor command line", 26);
		if (!in_section || strncmp(line, "| `", 3))
			continue;
		size_t klen = strcspn(line + 3, "=`");
		const struct cmdline_option *o = NULL;
		for (unsigned int i = 0; i < cmdline_options_count; i++)
			if (strlen(cmdline_options[i].key) == klen &&
			    !strncmp(cmdline_options[i].key, line + 3, klen)) {
				o = &cmdline_options[i];
				seen[i] = true;
			}
		cr_expect_not_null(o, "docs list an option the table lacks: %.*s", (int)klen, line + 3);
		rows++;
		if (!o)
			continue;
		const char *says = o->on_bad == CMDLINE_STOP ? "bad value stops" : "bad value is ignored";
		cr_expect(strstr(line, says), "docs row of %s must say '%s'", o->key, says);
	}
	fclose(f);
	for (unsigned int i = 0; i < cmdline_options_count; i++)
		cr_expect(seen[i], "docs/architecture.md lacks a row for %s", cmdline_options[i].key);
	cr_expect_eq(rows, cmdline_options_count);
}
