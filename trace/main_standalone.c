/* `tessera-trace ARGS` = `tessera trace ARGS`, for builds whose cli/ does not dispatch trace yet. */
int cmd_trace(int argc, char **argv);

int main(int argc, char **argv)
{
	argv[0] = "trace";
	return cmd_trace(argc, argv);
}
