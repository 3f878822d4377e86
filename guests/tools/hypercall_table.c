/*
 * Prints the hypercall table of docs/hypercalls.md (Markdown) from the TESSERA_HYPERCALLS X-macro, so that
 * the docs never carry a second, hand-written list of numbers.
 */
#include <stdio.h>
#include <tessera/abi/hypercall.h>

int main(void)
{
	printf("| Number | Name | Constant | Who may call | What it does |\n");
	printf("|-------:|------|----------|--------------|--------------|\n");
#define ROW(num, NAME, name, who, desc) \
	printf("| %d | `%s` | `TESSERA_HC_%s` | %s | %s |\n", num, name, #NAME, who, desc);
	TESSERA_HYPERCALLS(ROW)
#undef ROW
	printf("\nHypercall ABI version %d; %d hypercalls.\n", TESSERA_HYPERCALL_ABI_VERSION,
	       TESSERA_HC_COUNT);
	return 0;
}
