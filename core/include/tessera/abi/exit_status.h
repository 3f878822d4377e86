/*
 * How the hypervisor tells the host how a run ended (ABI version 1).
 *
 * On QEMU the hypervisor writes one of these values to the isa-debug-exit port (0xf4); QEMU then exits with
 * status (value << 1) | 1. The values start at 0x10 so that no status can be mistaken for QEMU's own exit
 * codes (0 after a reset with -no-reboot, 1 on a QEMU error). `tessera run` maps them to its own exit status.
 */
#ifndef TESSERA_ABI_EXIT_STATUS_H
#define TESSERA_ABI_EXIT_STATUS_H

enum tessera_exit_code {
	TESSERA_EXIT_OK = 0x10,		 /* orderly shutdown, every cell finished or was stopped */
	TESSERA_EXIT_PANIC = 0x11,	 /* the hypervisor hit an internal error (panic()) */
	TESSERA_EXIT_FAULT = 0x12,	 /* an unexpected CPU exception in the hypervisor */
	TESSERA_EXIT_UNSUPPORTED = 0x13, /* the CPU lacks a required feature (e.g. SVM, nested paging) */
	TESSERA_EXIT_BAD_CONFIG = 0x14,	 /* the config blob or a boot module failed its checks */
};

/* The QEMU process status that a given exit code produces. */
#define TESSERA_QEMU_STATUS(code) ((((int)(code)) << 1) | 1)

#endif
