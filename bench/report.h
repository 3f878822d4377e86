/* `tessera bench report DB -o DIR`: index.html with gnuplot figures (SVG), the comparison tables, the run records. */
#ifndef TESSERA_BENCH_REPORT_H
#define TESSERA_BENCH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "results_db.h"

/* Text with &, <, >, " escaped for HTML. */
void report_html_text(FILE *f, const char *s);
/* A gnuplot single-quoted string's content (' doubled). */
void report_gp_text(FILE *f, const char *s);

/* The page's head (style, and a script that counts the figures that loaded into the title: "figures N/M
 * loaded", for headless checks); the fault-injection campaign report uses it too. */
extern const char report_html_head[];
/* gnuplot on DIR/figures.gp (its messages in DIR/gnuplot.log). Returns 0, or 1 with a message. */
int report_run_gnuplot(const char *dir);

/* Write DIR/index.html, the data files, DIR/figures.gp and run gnuplot on it. Returns an exit status. */
int report_write(struct results_db *db, int64_t run, const char *baseline, const char *dir,
		 const struct compare_options *o);

#endif
