/*
 * The report's interrupt latency (report_irq.c): each irq_post paired with the target vCPU's next
 * injection of that vector and the entry that follows it, into the tables irq_post_inject,
 * irq_inject_resume and irq_post_resume (report_model.h), only where no record was lost between the post
 * and the entry on either CPU.
 */
#ifndef TESSERA_TRACE_REPORT_IRQ_H
#define TESSERA_TRACE_REPORT_IRQ_H

#include "report_model.h"

struct report_irq;

/* The pairing state for td, with every CPU's loss places read ahead (allocates). */
struct report_irq *report_irq_new(const struct trace_dir *td);
/* Each record in time order (those of known events). */
void report_irq_record(struct report_irq *q, struct report *rp, const struct trace_rec *r);
void report_irq_free(struct report_irq *q);

#endif
