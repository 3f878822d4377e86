/* SMP bring-up (smp.c): what the boot code hands over for arch_cpus_start(). */
#ifndef TESSERA_X86_SMP_H
#define TESSERA_X86_SMP_H

struct acpi_platform;
struct memmap;

void x86_smp_setup(const struct acpi_platform *plat, struct memmap *map, const char *cmdline);
__noreturn void x86_ap_main(unsigned int cpu);

#endif
