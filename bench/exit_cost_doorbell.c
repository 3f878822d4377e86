/*
 * The doorbell rows of `tessera bench exit-cost`: a doorbell's cost is split between two CPUs (the
 * sender's hypercall, its post and kick; the receiver's wake-up from HLT and the injection), and under
 * icount both advance the one virtual clock that the guests' TSC reads, so the guest cannot time either
 * side. Instead the doorbell system (configs/bench-doorbell.yaml, exitbench mode=doorbell) is booted with
 * QEMU's instruction log (`-singlestep -d exec,nochain`: one line per instruction executed, with the CPU
 * and the SVM guest-mode flag) and each CPU's hypervisor instructions are counted exactly:
 *
 *   - a segment is a CPU's host-mode instructions up to and including its VMRUN;
 *   - the sender's figure is a CPU 0 segment that runs ivc_doorbell_ring (the whole doorbell_ring exit,
 *     as the exitbench rows count an exit);
 *   - the receiver's is the part of a CPU 1 segment after its last HLT that goes on to svm_inject: from
 *     the kick interrupt that ends the hypervisor's HLT wait to the VMRUN that delivers the doorbell;
 *   - the sender's null hypercalls (it makes `calls` of them first, in segments that run hc_NOP) are
 *     counted the same way, so the caller can check this count against the exitbench row's.
 *
 * The log leaves out what only boots or waits (the BIOS, the PIT calibration, x86_udelay,
 * arch_cpu_relax, memset), or it grows to gigabytes; none of them runs on these paths (the null
 * hypercall cross-check would show it). Each figure is the median over the doorbells.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lab/host_files.h"
#include "exit_cost_doorbell.h"
#include "exit_cost_run.h"

#define DOORBELL_CONFIG_REL "../configs/bench-doorbell.yaml"
#define HF_GUEST	    (1u << 21) /* QEMU's hflags: the CPU runs an SVM guest */
#define MAX_SITES	    64
#define MAX_SAMPLES	    1024

struct range {
	uint64_t lo, hi; /* [lo, hi) */
};

struct hv_symbols {
	struct range text, doorbell, inject, nop;
	struct range skip[8]; /* left out of the log */
	unsigned int nr_skip;
	uint64_t hlt[MAX_SITES], vmrun[MAX_SITES];
	unsigned int nr_hlt, nr_vmrun;
};

static const char *const skipped_fns[] = {"x86_timer_calibrate", "x86_udelay", "arch_cpu_relax", "memset"};

static bool in(const struct range *r, uint64_t pc)
{
	return pc >= r->lo && pc < r->hi;
}

static bool is_site(const uint64_t *sites, unsigned int n, uint64_t pc)
{
	for (unsigned int i = 0; i < n; i++)
		if (sites[i] == pc)
			return true;
	return false;
}

/* What a tool prints about elf, as a stream to read line by line (the text is freed with it: fclose). */
static FILE *tool_output(const char *tool, const char *flags[], const char *elf, char **text)
{
	char *argv[8];
	int n = 0;

	argv[n++] = (char *)tool;
	while (*flags && n < 6)
		argv[n++] = (char *)*flags++;
	argv[n++] = (char *)elf;
	argv[n] = NULL;
	if (lab_spawn_capture(argv, false, text) || !*text) {
		fprintf(stderr, "tessera bench exit-cost: %s %s failed\n", tool, elf);
		free(*text);
		return NULL;
	}
	FILE *f = fmemopen(*text, strlen(*text), "r");
	if (!f)
		free(*text);
	return f;
}

/* Function ranges from `nm`, HLT and VMRUN addresses from `objdump -d`. */
static int read_symbols(const char *elf, struct hv_symbols *s)
{
	char line[512], name[256], kind, *text;
	unsigned long long addr, size;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->text.lo = UINT64_MAX;
	if (!(f = tool_output("nm", (const char *[]){"-S", NULL}, elf, &text)))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %llx %c %255s", &addr, &size, &kind, name) != 4 ||
		    (kind != 'T' && kind != 't'))
			continue;
		struct range r = {addr, addr + size};
		s->text.lo = r.lo < s->text.lo ? r.lo : s->text.lo;
		s->text.hi = r.hi > s->text.hi ? r.hi : s->text.hi;
		if (!strcmp(name, "ivc_doorbell_ring"))
			s->doorbell = r;
		else if (!strcmp(name, "svm_inject"))
			s->inject = r;
		else if (!strcmp(name, "hc_NOP"))
			s->nop = r;
		for (unsigned int i = 0; i < sizeof(skipped_fns) / sizeof(skipped_fns[0]); i++)
			if (!strcmp(name, skipped_fns[i]) && s->nr_skip < 8)
				s->skip[s->nr_skip++] = r;
	}
	fclose(f);
	free(text);
	if (!(f = tool_output("objdump", (const char *[]){"-d", "--no-show-raw-insn", NULL}, elf, &text)))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char insn[32];
		if (sscanf(line, " %llx: %31s", &addr, insn) != 2)
			continue;
		if (!strcmp(insn, "hlt") && s->nr_hlt < MAX_SITES)
			s->hlt[s->nr_hlt++] = addr;
		else if (!strcmp(insn, "vmrun") && s->nr_vmrun < MAX_SITES)
			s->vmrun[s->nr_vmrun++] = addr;
	}
	fclose(f);
	free(text);
	if (!s->doorbell.hi || !s->inject.hi || !s->nop.hi || !s->nr_hlt || !s->nr_vmrun) {
		fprintf(stderr,
			"tessera bench exit-cost: %s lacks ivc_doorbell_ring, svm_inject, hc_NOP, "
			"a HLT or a VMRUN\n",
			elf);
		return -1;
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* QEMU's -dfilter: the hypervisor's text without the skipped functions. */
static void dfilter(struct hv_symbols *s, char *buf, size_t size)
{
	uint64_t from = s->text.lo;
	size_t len = 0;

	qsort(s->skip, s->nr_skip, sizeof(s->skip[0]), cmp_range);
	for (unsigned int i = 0; i < s->nr_skip; i++) {
		if (s->skip[i].lo > from)
			len += (size_t)snprintf(buf + len, size - len, "%s%#llx..%#llx", len ? "," : "",
						(unsigned long long)from,
						(unsigned long long)s->skip[i].lo - 1);
		from = s->skip[i].hi;
	}
	snprintf(buf + len, size - len, "%s%#llx..%#llx", len ? "," : "", (unsigned long long)from,
		 (unsigned long long)s->text.hi - 1);
}

/* Per CPU while the log is read: the segment so far. */
struct seg {
	uint64_t n, after_hlt;
	bool hlt, doorbell, inject, nop;
};

struct samples {
	uint64_t send[MAX_SAMPLES], recv[MAX_SAMPLES], nop[MAX_SAMPLES];
	unsigned int nr_send, nr_recv, nr_nop;
};

static void seg_end(struct seg *g, unsigned int cpu, struct samples *out)
{
	if (cpu == 0 && g->doorbell && out->nr_send < MAX_SAMPLES)
		out->send[out->nr_send++] = g->n;
	if (cpu == 0 && g->nop && !g->doorbell && out->nr_nop < MAX_SAMPLES)
		out->nop[out->nr_nop++] = g->n;
	if (cpu == 1 && g->hlt && g->inject && out->nr_recv < MAX_SAMPLES)
		out->recv[out->nr_recv++] = g->after_hlt;
	*g = (struct seg){0};
}

/* "Trace CPU: HOSTPTR [CSBASE/PC/FLAGS/CFLAGS] ..." lines into the three sample sets. */
static int read_log(const char *path, const struct hv_symbols *s, struct samples *out)
{
	FILE *f = fopen(path, "r");
	struct seg segs[2] = {{0}};
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned int cpu;
		unsigned long long pc, flags;
		if (strncmp(line, "Trace ", 6) ||
		    sscanf(line + 6, "%u: %*x [%*x/%llx/%llx/", &cpu, &pc, &flags) != 3 || cpu > 1 ||
		    (flags & HF_GUEST) || !in(&s->text, pc))
			continue;
		struct seg *g = &segs[cpu];
		g->n++;
		g->after_hlt++;
		if (is_site(s->hlt, s->nr_hlt, pc)) {
			g->hlt = true;
			g->after_hlt = 0; /* what the wake-up runs comes after the HLT */
		}
		g->doorbell |= in(&s->doorbell, pc);
		g->inject |= in(&s->inject, pc);
		g->nop |= in(&s->nop, pc);
		if (is_site(s->vmrun, s->nr_vmrun, pc))
			seg_end(g, cpu, out);
	}
	free(line);
	fclose(f);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static unsigned long long median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n ? v[(n - 1) / 2] : 0;
}

int exit_cost_doorbell_run(const char *dir, const char *config, unsigned int calls, bool record,
			   const char *append, struct exit_cost_doorbell *res)
{
	char elf[PATH_MAX + 32], src[PATH_MAX + 64], cfg[PATH_MAX], log[PATH_MAX], filter[1024];
	static struct hv_symbols syms;
	static struct samples smp;
	const char *tmp = getenv("TMPDIR");
	int bad = 1;

	snprintf(elf, sizeof(elf), "%s/x86_64_hv/tessera-hv.elf64", dir);
	snprintf(src, sizeof(src), "%s", config ? config : "");
	if (!config) {
		snprintf(src, sizeof(src), "%s/%s", dir, DOORBELL_CONFIG_REL);
		/* configs/..., not out/../configs/..., in what is printed and recorded */
		char *real = realpath(src, NULL);
		if (real)
			snprintf(src, sizeof(src), "%s", real);
		free(real);
	}
	if (read_symbols(elf, &syms) || exit_cost_write_config(src, calls, NULL, cfg, sizeof(cfg)))
		return 1;
	dfilter(&syms, filter, sizeof(filter));
	snprintf(log, sizeof(log), "%s/tessera-exit-cost-log.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(log);
	if (fd < 0) {
		unlink(cfg);
		return 1;
	}
	close(fd);
	/* -icount shift=0,sleep=off comes first, from the runner's deterministic mode. */
	const char *qemu[] = {"-singlestep", "-d", "exec,nochain", "-dfilter", filter, "-D", log, NULL};
	char *out = NULL;
	int st = exit_cost_boot(cfg, record, append, qemu, &out);
	char want[128];
	if (exit_cost_interrupted(st)) {
		bad = st;
		goto done;
	}
	snprintf(want, sizeof(want), "role=recv calls=%u taken=%u", calls, calls);
	if (st || !out || !strstr(out, want)) {
		fprintf(stderr,
			"tessera bench exit-cost: the doorbell boot (status %d) did not take %u "
			"doorbells; its output:\n%s\n",
			st, calls, out ? out : "(none)");
		goto done;
	}
	memset(&smp, 0, sizeof(smp));
	if (read_log(log, &syms, &smp)) {
		fprintf(stderr, "tessera bench exit-cost: cannot read QEMU's log %s\n", log);
		goto done;
	}
	if (smp.nr_send < calls || smp.nr_recv < calls || smp.nr_nop < calls) {
		fprintf(stderr,
			"tessera bench exit-cost: the log has %u sender, %u receiver and %u null hypercall "
			"segments for %u doorbells\n",
			smp.nr_send, smp.nr_recv, smp.nr_nop, calls);
		goto done;
	}
	res->send = median(smp.send, smp.nr_send);
	res->recv = median(smp.recv, smp.nr_recv);
	/* sorted by median(): the spread, which is none when every doorbell took the same path */
	res->send_min = smp.send[0];
	res->send_max = smp.send[smp.nr_send - 1];
	res->recv_min = smp.recv[0];
	res->recv_max = smp.recv[smp.nr_recv - 1];
	res->nop = median(smp.nop, smp.nr_nop);
	res->samples = smp.nr_send;
	bad = 0;
done:
	free(out);
	unlink(cfg);
	unlink(log);
	return bad;
}
