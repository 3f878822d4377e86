/* A stand-alone `tessera config` for tests, until cli/main.c dispatches to cmd_config. */
#include "../commands.h"

int main(int argc, char **argv)
{
	return cmd_config(argc - 1, argv + 1);
}
