/*
 * Compiling a YAML system config into the blob the hypervisor reads (abi/config.h), with every error
 * placed at a file position. Used by `tessera config` and by `tessera run --config FILE`.
 */
#ifndef TESSERA_CLI_CONFIG_COMPILE_H
#define TESSERA_CLI_CONFIG_COMPILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_options {
	bool no_check;		       /* test-only: write the blob even if the checker refuses it */
	bool no_images;		       /* do not look for the cells' images (and skip the image checks) */
	const char *const *image_dirs; /* extra directories searched for images, before the defaults */
	size_t nr_image_dirs;
	uint16_t machine; /* ELF machine of the images; 0 = EM_X86_64 */
};

struct config_compiled {
	void *blob;
	size_t size;
	char **images; /* per cell: the resolved path of its image (NULL when not looked up or not found) */
	unsigned int nr_images;
};

/* Where and what: line 0 means the error concerns the file as a whole (unreadable, for example). */
struct config_diag {
	unsigned int line, col;
	char message[320];
};

/*
 * Compile the YAML file at `path`. Returns 0 with *out filled (free it with config_compiled_free), or 2
 * (bad input) with *diag filled.
 */
int config_compile(const char *path, const struct config_options *opt, struct config_compiled *out,
		   struct config_diag *diag);
void config_compiled_free(struct config_compiled *out);
/* The platform reservations the host checks against (the architectural addresses). */
const struct config_platform *config_host_platform(void);
/*
 * The same, plus what the firmware of the machine `tessera run` starts for `ram_size` bytes of RAM
 * reserves (x86: QEMU's pc machine, x86_config_platform_add_qemu_pc_ram). Valid until the next call.
 */
const struct config_platform *config_host_platform_for(uint64_t ram_size);

/* The markdown table of every device, MSR and range the hypervisor keeps, with why (malloc'd). */
char *config_platform_markdown(void);

struct yaml_marks;
/* Fill *diag with the position of the node at `path` (or its nearest ancestor) and the message; returns 2. */
int config_diag_vset(struct config_diag *diag, const struct yaml_marks *marks, const char *path,
		     const char *fmt, va_list ap);

/* Print a diagnostic the way every Tessera tool does: `tessera: FILE:LINE:COL: message`. */
void config_diag_print(const char *path, const struct config_diag *diag);

/*
 * Parse a number: decimal (leading zeros allowed, never octal), or 0x hex, 0o octal, 0b binary, optionally
 * followed by K, M or G (powers of 1024). Returns 0, CONFIG_NUMBER_INVALID or CONFIG_NUMBER_TOO_LARGE
 * (does not fit in 64 bits).
 */
#define CONFIG_NUMBER_INVALID	(-1)
#define CONFIG_NUMBER_TOO_LARGE (-2)
int config_parse_number(const char *s, uint64_t *value);

/* A whole file, NUL-terminated (malloc'd), or NULL with errno set. */
char *config_read_file(const char *path, size_t *size);

#endif
