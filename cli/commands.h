/*
 * The `tessera` host tool's subcommands. cli/main.c dispatches `tessera NAME ...` to cmd_NAME(argc, argv)
 * with argv[0] = NAME. Each returns the process exit status: 0 success, 1 failed run, 2 bad input,
 * 124 timeout.
 */
#ifndef TESSERA_CLI_COMMANDS_H
#define TESSERA_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_fi(int argc, char **argv);   /* faultinj/cmd_fi.c */
int cmd_cell(int argc, char **argv); /* cli/cmd_cell.c */

#endif
