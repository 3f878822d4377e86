/*
 * The test-report protocol (see guests/README.md): one console line per test,
 *   TEST <name>: PASS
 *   TEST <name>: FAIL (<detail>)
 * and a closing line
 *   TESTS: <N> passed, <M> failed
 * Names are [a-z0-9_.-]; a name appears once per run.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <tessera/compiler.h>

/* Reports one test; fmt (may be NULL) describes a failure. Returns pass. */
bool test_report(const char *name, bool pass, const char *fmt, ...) __printf(3, 4);
/* Prints the TESTS line; returns the number of failures. */
unsigned int test_summary(void);

#endif
