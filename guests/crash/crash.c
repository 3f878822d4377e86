/*
 * crash: a cell that triple-faults on purpose, to show that a crashed cell is stopped and reported while
 * the others keep running. It drops its IDT (limit 0) and executes ud2: #UD cannot be delivered, neither
 * can the #DF that follows, and the CPU shuts down (SVM: a SHUTDOWN exit).
 */
#include <guest/print.h>
#include <guest/runtime.h>

int main(const struct tessera_cell_boot_info *info)
{
	static const struct __packed {
		uint16_t limit;
		uint64_t base;
	} no_idt = {0, 0};

	printf("crash: cell \"%s\" is about to triple-fault\n", info->name);
	print_flush();
	__asm__ volatile("lidt %0; ud2" : : "m"(no_idt));
	printf("crash: still alive after ud2 without an IDT\n");
	return 1;
}
