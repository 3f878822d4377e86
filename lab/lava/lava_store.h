/*
 * `tessera lab lava store` (internal: lava_run.py and lava_instance.py call it after each job): one job's
 * verdict (results.json) and whole log (lava.log), as `run` and `submit` leave them in its directory, into
 * the results database's jobs and cases tables (docs/bench.md).
 */
#ifndef TESSERA_LAB_LAVA_STORE_H
#define TESSERA_LAB_LAVA_STORE_H

/* argv: "store" --db DB --source lava-run|lava-submit DIR. Exit status: 0, 1 (cannot store), 2. */
int lava_store_main(int argc, char **argv);

/* The whole of a file, NUL-terminated, on the heap (*len without the NUL); NULL when unreadable. */
char *lava_read_file(const char *path, size_t *len);

#endif
