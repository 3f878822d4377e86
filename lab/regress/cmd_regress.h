/* `tessera lab regress` (cmd_regress.c); cmd_lab.c dispatches to it with the build directory (out/). */
#ifndef TESSERA_LAB_CMD_REGRESS_H
#define TESSERA_LAB_CMD_REGRESS_H

int cmd_regress(int argc, char **argv, const char *out_dir);

#endif
