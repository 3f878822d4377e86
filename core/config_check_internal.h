/* What the parts of the config checker share (config_check.c, config_check_mem.c); not an API. */
#ifndef TESSERA_CONFIG_CHECK_INTERNAL_H
#define TESSERA_CONFIG_CHECK_INTERNAL_H

#include <tessera/config_check.h>

#define ADDR_LIMIT (1ULL << 48) /* no address at or beyond this is valid */
#define MEM_KNOWN_FLAGS \
	(TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC | TESSERA_MEM_SHARED | TESSERA_MEM_DEVICE)
#define MEM_ACCESS (TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC)

struct check {
	const struct tessera_config_header *hdr;
	const struct tessera_config_cell *cells;
	const struct tessera_config_memory *mem;
	const struct tessera_config_pio *pio;
	const struct tessera_config_msr *msr;
	const struct tessera_config_doorbell *db;
	const struct config_platform *plat; /* never NULL: an empty one when the caller gave none */
	struct config_error *err;
};

int __printf(7, 8) check_fail(struct config_error *err, int code, int cell, enum config_elem elem, int index,
			      enum config_field field, const char *fmt, ...);

#define SYS_FAIL(c, code, field, ...) check_fail((c)->err, code, -1, CONFIG_ELEM_NONE, -1, field, __VA_ARGS__)
#define CELL_FAIL(c, i, code, field, ...) \
	check_fail((c)->err, code, i, CONFIG_ELEM_NONE, -1, field, __VA_ARGS__)
#define ELEM_FAIL(c, i, elem, j, code, field, ...) check_fail((c)->err, code, i, elem, j, field, __VA_ARGS__)

static inline bool ranges_overlap(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/*
 * A fixed-size string field of cell i (element j of kind elem, or CONFIG_ELEM_NONE and -1): NUL-terminated,
 * only characters `allowed` accepts, nothing but zeros after the NUL. Invalid characters are reported by
 * value, never echoed raw.
 */
int check_text(struct check *c, int i, enum config_elem elem, int j, enum config_field field,
	       const char *what, const char *s, size_t len, bool (*allowed)(char), bool may_be_empty);
/* The characters of a cell name: a-z 0-9 _ - */
bool config_name_char(char ch);

int check_cell_memory(struct check *c, int i);
int check_cell_pio(struct check *c, int i);
int check_cell_msr(struct check *c, int i);
int check_cell_shares(struct check *c, int i);
/* config_check_ivc.c: share kinds, doorbells, comm region, watchdog */
int check_share_kind(struct check *c, int i, int j, const struct tessera_config_memory *m);
bool share_kinds_pair(uint32_t a, uint32_t b);
int check_cell_comm(struct check *c, int i);
int check_cell_doorbells(struct check *c, int i);
int check_watchdog_cpus(struct check *c, int i);
/*
 * Why the platform keeps a range, for a message: " (category: reason)", or "" when the table gives none.
 * Use as "%s%s%s%s%s" with RESERVED_WHY(r).
 */
#define RESERVED_WHY_FMT "%s%s%s%s%s"
#define RESERVED_WHY(r)                                                                   \
	(r)->category ? " (" : "", (r)->category ? (r)->category : "",                    \
		(r)->category && (r)->reason ? ": " : "", (r)->reason ? (r)->reason : "", \
		(r)->category ? ")" : ""

/* The platform range in `list` that [base, base+size) overlaps, or NULL. */
const struct config_reserved *platform_overlap(const struct config_reserved *list, unsigned int nr,
					       uint64_t base, uint64_t size);

#endif
