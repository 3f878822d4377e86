#include <tessera/arch.h>
#include <tessera/console.h>
#include <tessera/format.h>
#include <tessera/panic.h>

__noreturn void panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unsigned long flags = console_lock();
	console_printf_locked("[cpu%u] PANIC: %s\n", arch_cpu_id(), msg);
	console_unlock(flags);
	arch_dump_backtrace();
	arch_machine_stop(TESSERA_EXIT_PANIC);
}
