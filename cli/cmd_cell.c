/*
 * `tessera cell start|stop|restart --channel FILE CELL`: the control ABI's cell commands, sent to a
 * running system (`tessera run --channel FILE`) through its mailbox, as a manager cell sends them by
 * hypercall.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "control_client.h"

static const char cell_usage[] =
	"usage: tessera cell start|stop|restart --channel FILE CELL\\n"
	"\\n"
	"Start a stopped cell, stop a running one (its memory is cleared) or restart one, in a system\\n"
	"running with `tessera run --channel FILE`. CELL is its name in the config.\\n"
	"Exit status: 0 done, 1 refused or no answer, 2 bad input.\\n";

#define CELL_TIMEOUT_MS 5000

int cmd_cell(int argc, char **argv)
{
	static const struct {
		const char *verb;
		uint32_t op;
	} verbs[] = {
		{"start", TESSERA_CTL_CELL_START},
		{"stop", TESSERA_CTL_CELL_STOP},
		{"restart", TESSERA_CTL_CELL_RESTART},
	};
	const char *channel = NULL, *name = NULL;
	uint32_t op = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(cell_usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--channel") && i + 1 < argc) {
			channel = argv[++i];
			continue;
		}
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]) && !op && i == 1; k++)
			if (!strcmp(argv[i], verbs[k].verb))
				op = verbs[k].op;
		if (i > 1 && !name && argv[i][0] != '-')
			name = argv[i];
		else if (i > 1 || !op)
			return fprintf(stderr, "tessera cell: unexpected '%s'\\n%s", argv[i], cell_usage), 2;
	}
	if (!op || !channel || !name)
		return fputs(cell_usage, stderr), 2;
	struct control_channel ch;
	struct tessera_control_request req = {0};
	char why[300];
	int32_t result = 0;
	int ret = 1;
	if (control_open(channel, CELL_TIMEOUT_MS, &ch, why, sizeof(why))) {
		fprintf(stderr, "tessera cell: %s\\n", why);
		return 1;
	}
	int id = control_cell_id(&ch, name);
	if (id < 0) {
		fprintf(stderr, "tessera cell: no cell '%s' in the running system\\n", name);
		ret = 2;
	} else {
		req.args[0] = (uint64_t)id;
		if (control_send(&ch, op, &req, CELL_TIMEOUT_MS, &result, why, sizeof(why)))
			fprintf(stderr, "tessera cell: %s\\n", why);
		else if (result < 0)
			fprintf(stderr, "tessera cell %s %s: refused (error %d)\\n", argv[1], name, result);
		else
			ret = 0;
	}
	control_close(&ch);
	return ret;
}
