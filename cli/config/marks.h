/*
 * Where things are in a YAML file. libcyaml reports no positions, so we parse the same bytes once more
 * with libyaml and keep (1) the mark of every event in order, so that an error libcyaml raises after its
 * Nth event can be placed at that event, and (2) the mark of every node by its path ("cells[1].memory[0]
 * .size"), so that errors found later, in the compiled blob, can be placed at the node they concern.
 */
#ifndef TESSERA_CLI_CONFIG_MARKS_H
#define TESSERA_CLI_CONFIG_MARKS_H

#include <stddef.h>

struct yaml_pos {
	unsigned int line, col; /* 1-based */
};

struct yaml_marks {
	struct yaml_pos *events; /* END events carry the mark of their START */
	size_t nr_events;
	struct yaml_mark_path {
		char *path;
		struct yaml_pos pos;
	} * paths;
	size_t nr_paths;
};

/*
 * Parse `size` bytes of YAML. Returns 0, or -1 with a syntax error message in `why` and its position in
 * *where (also used for constructs we refuse, such as aliases).
 */
int yaml_marks_build(const char *data, size_t size, struct yaml_marks *marks, struct yaml_pos *where,
		     char *why, size_t why_size);
void yaml_marks_free(struct yaml_marks *marks);

/* The position of the node at `path`, or of its nearest ancestor that exists; the root is 1:1. */
struct yaml_pos yaml_marks_find(const struct yaml_marks *marks, const char *path);

#endif
