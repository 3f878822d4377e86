/*
 * The TEST-ONLY hypervisor option `insecure_test_grant_port=PORT` (core/insecure_test_grant_port.c): it
 * breaks isolation on purpose, letting every cell's access to one denied I/O port through, so that
 * `tessera lab regress` has a planted isolation regression to find (one probe attempt then succeeds).
 * Never use it outside tests: a cell given it can reach a port its config does not grant.
 */
#ifndef TESSERA_INSECURE_TEST_GRANT_PORT_H
#define TESSERA_INSECURE_TEST_GRANT_PORT_H

/*
 * Before any cell starts: with the option, register the exit hook client that lets accesses to PORT
 * through (skipped: a write is dropped, a read leaves the register as it was) and print a warning; without
 * it, register nothing. A malformed PORT stops the machine with TESSERA_EXIT_BAD_CONFIG.
 */
void insecure_test_grant_port_init(const char *cmdline);

#endif
