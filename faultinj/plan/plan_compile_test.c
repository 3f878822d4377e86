/* The fault-plan compiler against configs/fi/selfcheck.yaml: names become numbers, errors get positions. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tessera/abi/cell_stats.h>
#include <tessera/abi/hypercall.h>
#include <tessera/error.h>
#include <tessera/guest_reg.h>
#include <tessera/hooks.h>

#include "../models.h"
#include "plan_compile.h"
#include "plan_schema.h"

static struct config_compiled cfg;

static void load_config(void)
{
	struct config_options opt = {.no_images = true};
	struct config_diag diag;

	cr_assert_eq(config_compile(TESSERA_SOURCE_ROOT "configs/fi/selfcheck.yaml", &opt, &cfg, &diag), 0,
		     "%s", diag.message);
}

static void free_config(void)
{
	config_compiled_free(&cfg);
}

/* Compile `text` as a plan; returns the status, *diag and *out filled. */
static int compile_text(const char *text, struct fault_plan_compiled *out, struct config_diag *diag)
{
	char path[] = "/tmp/tessera-plan-XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	int ret = fault_plan_compile(path, cfg.blob, out, diag);
	unlink(path);
	return ret;
}

static void expect_error(const char *text, unsigned int line, unsigned int col, const char *words)
{
	struct fault_plan_compiled out;
	struct config_diag diag;

	cr_assert_eq(compile_text(text, &out, &diag), 2, "accepted:\n%s", text);
	cr_expect_eq(diag.line, line, "line %u, not %u: %s", diag.line, line, diag.message);
	cr_expect_eq(diag.col, col, "col %u, not %u: %s", diag.col, col, diag.message);
	cr_expect(strstr(diag.message, words), "'%s' not in: %s", words, diag.message);
}

TestSuite(plan_compile, .init = load_config, .fini = free_config);

Test(plan_compile, names_become_numbers)
{
	struct fault_plan_compiled out;
	struct config_diag diag;
	const char *text = "seed: 42\n"
			   "faults:\n"
			   "  - model: fail_point\n"
			   "    cell: canary-a\n"
			   "    site: page_alloc\n"
			   "    trigger: {nth: 3, times: 2}\n"
			   "  - model: register_flip\n"
			   "    cell: fiself\n"
			   "    vcpu: 0\n"
			   "    reg: rbx\n"
			   "    bit: 5\n"
			   "    trigger: {exit: 100, reason: hypercall}\n"
			   "  - model: hypercall\n"
			   "    cell: fiself\n"
			   "    action: fail\n"
			   "    call: console_write\n"
			   "    error: EIO\n"
			   "    trigger: {probability: 25%}\n";

	cr_assert_eq(compile_text(text, &out, &diag), 0, "%u:%u: %s", diag.line, diag.col, diag.message);
	const struct tessera_fault_plan_header *h = out.blob;
	const struct tessera_fault *f = fault_plan_faults(h);
	cr_expect_eq(h->seed, 42);
	cr_expect_eq(h->nr_faults, 3);
	cr_expect_eq(f[0].model, FAULT_FAIL_POINT);
	cr_expect_eq(f[0].cell, 1);
	cr_expect_eq(f[0].vcpu, TESSERA_FAULT_ANY);
	cr_expect_eq(f[0].params[FP_fail_point_site], FAIL_PAGE_ALLOC);
	cr_expect_eq(f[0].params[FP_fail_point_error], HV_ENOMEM);
	cr_expect_eq(f[0].trigger.kind, TESSERA_FT_NTH);
	cr_expect_eq(f[0].trigger.value, 3);
	cr_expect_eq(f[0].trigger.times, 2);
	cr_expect_eq(f[1].params[FP_register_flip_reg], GUEST_REG_RBX);
	cr_expect_eq(f[1].trigger.reason, TESSERA_ER_HYPERCALL + 1);
	cr_expect_eq(f[2].params[FP_hypercall_call], TESSERA_HC_CONSOLE_WRITE);
	cr_expect_eq(f[2].params[FP_hypercall_error], HV_EIO);
	cr_expect_eq(f[2].trigger.value, TESSERA_FAULT_PROB_ONE / 4);
	fault_plan_compiled_free(&out);
}

Test(plan_compile, what_does_not_exist_is_refused_with_its_position)
{
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    cell: nosuch\n    site: page_alloc\n"
		     "    trigger: {nth: 1}\n",
		     4, 11, "no cell 'nosuch'");
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    site: page_frob\n    trigger: {nth: 1}\n",
		     4, 11, "unknown fail site 'page_frob'");
	expect_error(
		"seed: 1\nfaults:\n  - model: register_flip\n    cell: fiself\n    reg: xmm0\n    bit: 1\n",
		5, 10, "unknown register 'xmm0'");
	expect_error("seed: 1\nfaults:\n  - model: hypercall\n    cell: fiself\n    action: fail\n    call: "
		     "frob\n",
		     6, 11, "unknown hypercall 'frob'");
	expect_error(
		"seed: 1\nfaults:\n  - model: register_flip\n    cell: fiself\n    vcpu: 1\n    reg: rax\n"
		"    bit: 1\n",
		5, 11, "no vcpu 1");
	expect_error("seed: 1\nfaults:\n  - model: memory_flip\n    cell: fiself\n    addr: 0x800000\n    "
		     "bit: 1\n",
		     5, 11, "not in a writable RAM region");
	expect_error("seed: 1\nfaults:\n  - model: interrupt\n    cell: fiself\n    action: spurious\n    "
		     "vector: 7\n",
		     6, 13, "vector 32..255");
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    site: page_alloc\n    bit: 3\n    "
		     "trigger: {nth: 1}\n",
		     5, 10, "fail_point has no parameter 'bit'");
	expect_error("seed: 1\nfaults:\n  - model: frob\n", 3, 12, "unknown fault model 'frob'");
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    site: page_alloc\n", 3, 5,
		     "trigger 'now' is not one this model takes");
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    site: page_alloc\n    trigger: {nth: 1, "
		     "every: 2}\n",
		     5, 30, "one kind");
	expect_error("seed: 1\nfaults:\n  - model: fail_point\n    sight: page_alloc\n", 4, 5,
		     "unknown key 'sight'");
}

Test(plan_compile, every_parameter_name_is_a_key_of_the_schema)
{
	for (unsigned int i = 0; fault_model_at(i); i++)
		for (unsigned int k = 0; k < fault_model_at(i)->nr_params; k++) {
			bool found = false;
			for (unsigned int j = 0; plan_param_key(j); j++)
				found |= !strcmp(plan_param_key(j), fault_model_at(i)->params[k].name);
			cr_expect(found, "%s.%s", fault_model_at(i)->name, fault_model_at(i)->params[k].name);
		}
}
