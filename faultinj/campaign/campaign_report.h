/* `tessera fi campaign report`: outcome counts, extrapolated with 95 % intervals (campaign_report.c). */
#ifndef TESSERA_FAULTINJ_CAMPAIGN_REPORT_H
#define TESSERA_FAULTINJ_CAMPAIGN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../../bench/results_db.h"

/* The report of run_id as text, or as one JSON object; margin: for the Leveugle sample size. 0 or 1. */
int campaign_report_text(struct results_db *db, int64_t run_id, FILE *f, double margin);
int campaign_report_json(struct results_db *db, int64_t run_id, FILE *f, double margin);

/* DIR/index.html with gnuplot figures (SVG) and the tables. 0 or 1. */
int campaign_report_html(struct results_db *db, int64_t run_id, const char *dir, double margin);

#endif
