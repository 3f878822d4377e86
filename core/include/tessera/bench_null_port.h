/*
 * The BENCH-ONLY hypervisor option `bench_null_port=PORT` (core/bench_null_port.c): the hypervisor answers
 * byte-sized IN and OUT on PORT itself, as a device with nothing behind it (a read returns 0xff, a write is
 * dropped), so that the benchmark lab can measure a port-I/O exit (exitloop's `pio_exit` metric). Without
 * the option every port access that exits is a violation (core/exit.c), as before.
 *
 * It breaks no isolation: the answer touches no device and no state, so nothing another cell can see
 * changes. A cell whose config grants PORT is not affected (its I/O map lets the access through to the
 * device, so it never exits). String I/O (INS/OUTS) and 16/32-bit accesses are not emulated and stay
 * violations: an INS would write guest memory the hypervisor would have to check page by page.
 */
#ifndef TESSERA_BENCH_NULL_PORT_H
#define TESSERA_BENCH_NULL_PORT_H

#include <tessera/compiler.h>
#include <tessera/abi/cell_boot.h>

struct vcpu;
struct vcpu_exit;

/* Before any cell starts: read the option and print what it does. A malformed PORT stopped the boot. */
void bench_null_port_init(const char *cmdline);

/* The port the hypervisor answers, or TESSERA_BOOT_NO_NULL_PORT (the boot info's null_port). */
uint32_t bench_null_port(void);

/* A port-I/O exit: answered (read completed, instruction skipped) if it is a byte access to the null port. */
bool bench_null_port_answer(struct vcpu *v, const struct vcpu_exit *exit);

#endif
