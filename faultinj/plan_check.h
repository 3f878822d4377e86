/*
 * The one fault-plan checker (principle 2), run by the host when it compiles a plan and by the hypervisor
 * on the boot module and on every live injection. It works on the compiled form (abi/fault_plan.h)
 * against the compiled system config; an error names the fault, the field and the parameter slot, which
 * the host maps back to a YAML line:column and the hypervisor prints as it is.
 */
#ifndef TESSERA_FAULTINJ_PLAN_CHECK_H
#define TESSERA_FAULTINJ_PLAN_CHECK_H

#include <tessera/abi/config.h>
#include <tessera/abi/fault_plan.h>
#include <tessera/compiler.h>

enum fault_plan_field {
	FPF_HEADER, /* magic, version, size, checksum, catalog, offsets */
	FPF_MODEL,
	FPF_FLAGS,
	FPF_CELL,
	FPF_VCPU,
	FPF_TRIGGER, /* the trigger's kind or value */
	FPF_REASON,  /* the exit trigger's reason */
	FPF_TIMES,
	FPF_PARAM, /* fault_plan_error.param is the slot */
};

struct fault_plan_error {
	int code;  /* -HV_E* */
	int fault; /* index in the plan, -1 for the header */
	enum fault_plan_field field;
	int param; /* FPF_PARAM: the slot */
	char message[200];
};

/* The blob's checksum (the header's checksum field taken as zero). */
uint32_t fault_plan_checksum(const void *blob, size_t size);
/* 0, or -HV_E* with *err filled: the whole blob against the config. */
int fault_plan_check(const void *blob, size_t size, const struct tessera_config_header *cfg,
		     struct fault_plan_error *err);
/* 0, or -HV_E* with *err filled (err->fault = index): one fault against the config. */
int fault_check(const struct tessera_fault *f, int index, const struct tessera_config_header *cfg,
		struct fault_plan_error *err);

#endif
