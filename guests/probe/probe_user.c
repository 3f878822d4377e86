/*
 * User mode (CPL 3, guest/user.h): what a process of the cell's OS tries. Every hypercall must be refused
 * with -EPERM before it does anything (only CPL 0 may call, docs/hypercalls.md), whatever the cell's
 * flags: the probe runs as a manager too (tests/integration/configs/probe-manager.yaml), where a CPL-3
 * cell_stop of another cell would otherwise stop it. Privileged instructions at CPL 3 must get the CPU's
 * own #GP, not an exit the hypervisor acts on: no violation may be counted for them.
 */
#include <tessera/abi/control.h>

#include "probe.h"
#include <guest/hypercall.h>
#include <guest/print.h>
#include <guest/test.h>
#include <guest/user.h>
#include <tessera/string.h>

struct user_hc {
	uint64_t nr, a0, a1, a2;
};

static uint64_t user_hypercall(void *arg)
{
	const struct user_hc *h = arg;
	return (uint64_t)hypercall(h->nr, h->a0, h->a1, h->a2, 0);
}

static bool violations(const struct probe *p, uint64_t *count)
{
	struct tessera_cell_stats stats;

	if (hypercall_cell_stats((uint64_t)p->cell_id, &stats, sizeof(stats)) < 0)
		return false;
	*count = stats.violations;
	return true;
}

static void user_hc_refused(const char *name, const struct user_hc *h)
{
	struct fault_info fi;

	if (user_try(user_hypercall, (void *)h, &fi)) {
		test_report(name, false, "raised %s error %#lx at %#lx", fault_name(fi.vector), fi.error,
			    fi.rip);
		return;
	}
	test_report(name, (int64_t)fi.value == -HV_EPERM, "returned %ld, want %d", (long)fi.value, -HV_EPERM);
}

/* Each attempt is one privileged instruction, run at CPL 3. */
#define USER_PRIVILEGED(X)                                                                 \
	X(hlt, "hlt")                                                                      \
	X(cli, "cli")                                                                      \
	X(port_in, "inb $0x80, %%al")                                                      \
	X(port_out_exit, "movb $0x10, %%al; outb %%al, $0xf4")                             \
	X(rdmsr_efer, "mov $0xc0000080, %%ecx; rdmsr")                                     \
	X(wrmsr_star, "mov $0xc0000081, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr") \
	X(mov_cr0, "mov %%cr0, %%rax; mov %%rax, %%cr0")                                   \
	X(mov_cr4, "mov %%cr4, %%rax; mov %%rax, %%cr4")                                   \
	X(mov_cr3, "mov %%cr3, %%rax; mov %%rax, %%cr3")                                   \
	X(mov_dr7, "xor %%eax, %%eax; mov %%rax, %%dr7")                                   \
	X(lidt, "sub $16, %%rsp; sidt (%%rsp); lidt (%%rsp); add $16, %%rsp")              \
	X(invlpg, "invlpg (%%rsp)")                                                        \
	X(wbinvd, "wbinvd")                                                                \
	X(invd, "invd")                                                                    \
	X(rdpmc, "xor %%ecx, %%ecx; rdpmc")                                                \
	X(xsetbv, "xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; xsetbv")             \
	X(vmrun, "xor %%eax, %%eax; vmrun")                                                \
	X(vmload, "xor %%eax, %%eax; vmload")                                              \
	X(vmsave, "xor %%eax, %%eax; vmsave")                                              \
	X(stgi, "stgi")                                                                    \
	X(clgi, "clgi")                                                                    \
	X(invlpga, "xor %%eax, %%eax; xor %%ecx, %%ecx; invlpga")

#define USER_FN(name, insn)                                               \
	static uint64_t user_##name(void *arg)                            \
	{                                                                 \
		(void)arg;                                                \
		__asm__ volatile(insn ::: "rax", "rcx", "rdx", "memory"); \
		return 0;                                                 \
	}
USER_PRIVILEGED(USER_FN)
#undef USER_FN

static void user_privileged(const struct probe *p, const char *name, fault_fn fn)
{
	struct fault_info fi;
	uint64_t before = 0, after = 0;
	bool counted = violations(p, &before);
	bool faulted = user_try(fn, NULL, &fi);

	counted = counted && violations(p, &after) && after > before;
	/* XSETBV with CR4.OSXSAVE clear is #UD at any CPL; everything else here is the CPL check's #GP. */
	bool right = faulted && (fi.vector == VEC_GP || (fi.vector == VEC_UD && fn == user_xsetbv));
	test_report(name, right && !counted, "%s%s%s", faulted ? "raised " : "did not fault",
		    faulted ? fault_name(fi.vector) : "",
		    counted ? ", and the hypervisor counted a violation" : "");
}

void probe_user(struct probe *p)
{
	/* Another cell as the target of the manager calls, when there is one. */
	uint64_t other = p->nr_cells > 1 ? (uint64_t)((p->cell_id + 1) % p->nr_cells) : (uint64_t)p->cell_id;
	uint64_t buf = (uint64_t)(uintptr_t)p->scratch;
	const struct user_hc calls[TESSERA_HC_COUNT] = {
		[TESSERA_HC_NOP] = {TESSERA_HC_NOP, 0, 0, 0},
		[TESSERA_HC_CONSOLE_WRITE] = {TESSERA_HC_CONSOLE_WRITE, buf, 8, 0},
		[TESSERA_HC_CELL_EXIT] = {TESSERA_HC_CELL_EXIT, 0x55, 0, 0},
		[TESSERA_HC_CELL_INFO] = {TESSERA_HC_CELL_INFO, 0, 0, 0},
		[TESSERA_HC_CELL_STATS] = {TESSERA_HC_CELL_STATS, (uint64_t)p->cell_id, buf,
					   sizeof(struct tessera_cell_stats)},
		[TESSERA_HC_CELL_START] = {TESSERA_HC_CELL_START, other, 0, 0},
		[TESSERA_HC_CELL_STOP] = {TESSERA_HC_CELL_STOP, other, 0, 0},
		[TESSERA_HC_CELL_RESTART] = {TESSERA_HC_CELL_RESTART, other, 0, 0},
		[TESSERA_HC_CELL_STATE] = {TESSERA_HC_CELL_STATE, other, 0, 0},
		[TESSERA_HC_DOORBELL_RING] = {TESSERA_HC_DOORBELL_RING, other, 0, 0},
		[TESSERA_HC_TRACE_CONTROL] = {TESSERA_HC_TRACE_CONTROL, 2, ~0ULL, ~0ULL},
		[TESSERA_HC_CELL_SHUTDOWN] = {TESSERA_HC_CELL_SHUTDOWN, other, 0, 0},
		[TESSERA_HC_CONTROL] = {TESSERA_HC_CONTROL, TESSERA_CTL_CELL_STOP, buf, 0},
		[TESSERA_HC_RESULTS_WRITE] = {TESSERA_HC_RESULTS_WRITE, buf, 8, 0},
	};

	memcpy(p->scratch, "user hc\n", 8);
	/* One attempt per hypercall of the ABI's table: a new hypercall gets its attempt by being added.
	 * cell_exit goes last, so that the manager calls are tried even where it would get through. */
#define USER_HC(num, NAME, name, who, desc) \
	if (num != TESSERA_HC_CELL_EXIT)    \
		user_hc_refused("user_hc_" name, &calls[num]);
	TESSERA_HYPERCALLS(USER_HC)
#undef USER_HC
	{
		struct user_hc unknown = {TESSERA_HC_COUNT, 0, 0, 0};
		user_hc_refused("user_hc_unknown_number", &unknown);
	}
	user_hc_refused("user_hc_cell_exit", &calls[TESSERA_HC_CELL_EXIT]);
#define USER_ATTEMPT(name, insn) user_privileged(p, "user_" #name, user_##name);
	USER_PRIVILEGED(USER_ATTEMPT)
#undef USER_ATTEMPT
}
