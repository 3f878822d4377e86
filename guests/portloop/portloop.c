/*
 * portloop: a cell that keeps writing to an I/O port its config does not grant (port 0x80 unless
 * `port=N` is in its args). Under the `stop` policy the first write ends the cell; under `inject` each
 * write raises #GP, which the runtime reports as the cell's exit status.
 */
#include <guest/print.h>
#include <guest/runtime.h>
#include <tessera/cmdline.h>

int main(const struct tessera_cell_boot_info *info)
{
	uint16_t port = 0x80;
	const char *v;
	size_t len;

	if (args_get("port", &v, &len)) {
		bool ok;
		uint64_t p = cmdline_parse_size(v, len, &ok);
		if (ok && p <= 0xffff)
			port = (uint16_t)p;
	}
	printf("portloop: cell \"%s\" writes port %#x in a loop\n", info->name, port);
	print_flush();
	for (uint64_t i = 0;; i++)
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)i), "Nd"(port));
	return 0;
}
