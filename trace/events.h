/*
 * The event catalog: the one declaration of every trace event (principle 4, docs/architecture.md).
 *
 * Each event is a line of TESSERA_TRACE_EVENTS(E): E(id, name, description), and its typed fields are the
 * macro TESSERA_TRACE_FIELDS_<name>(F) right above the list, one F(type, name, display, description) per
 * field. Everything else is generated from these two: the record structs and writers (trace/write.h),
 * the ftrace `format` text that libtraceevent parses, the CTF metadata, the text printer of reports and
 * the table in docs/trace-events.md. An event's print format is its fields in order, each printed as
 * `name=value` in its display style (so the ftrace print fmt, the CTF reader and our reports agree).
 *
 * Types: u8 u16 u32 u64 s32 s64, and str (a NUL-terminated char[TESSERA_TRACE_STR_LEN]).
 * Displays: DEC, HEX, BOOL, EXIT_REASON (enum tessera_exit_reason), HYPERCALL (enum tessera_hypercall),
 * CELL_STATE (enum tessera_cell_state), IRQ_KIND (enum tessera_trace_irq_kind), WD_ACTION
 * (enum tessera_trace_wd_action), MCE_SEVERITY, MCE_ACTION (enum tessera_trace_mce_*), IRQ_SOURCE (enum tessera_trace_irq_source), STR. The symbolic ones print their value's name everywhere (reports,
 * ftrace __print_symbolic, CTF enums), from the one table of each.
 *
 * Fields are laid out in declaration order with natural alignment (the generators read the offsets with
 * offsetof, so holes are allowed; writers zero them).
 *
 * Ids are part of the ABI: never reuse one. Changing a field changes the catalog hash that the control
 * block carries, so an old reader refuses a new trace instead of misreading it.
 */
#ifndef TESSERA_TRACE_EVENTS_H
#define TESSERA_TRACE_EVENTS_H

#include <tessera/abi/trace.h>

#define TESSERA_TRACE_STR_LEN 40

/* Why an irq_inject happened: X(value, NAME, name, meaning). */
#define TESSERA_TRACE_IRQ_KINDS(X)                                                              \
	X(0, INTERRUPT, "interrupt", "a virtual interrupt (vLAPIC: timer, doorbell, IPI)")      \
	X(1, NMI, "nmi", "a virtual NMI (an NMI IPI)")                                          \
	X(2, FAULT, "fault", "an exception the hypervisor raises for a refused access")         \
	X(3, REINJECT, "reinject", "an injection an exit cut short, injected again (any type)") \
	X(4, MCE, "mce", "a virtual machine check (on_machine_check: forward)")

enum tessera_trace_irq_kind {
#define TESSERA_TRACE_IRQ_KIND_ENUM(v, NAME, name, doc) TESSERA_TRACE_IRQ_##NAME = v,
	TESSERA_TRACE_IRQ_KINDS(TESSERA_TRACE_IRQ_KIND_ENUM)
#undef TESSERA_TRACE_IRQ_KIND_ENUM
};

/* Who posted a virtual interrupt (irq_post): X(value, NAME, name, meaning). */
#define TESSERA_TRACE_IRQ_SOURCES(X)                                                            \
	X(0, TIMER, "timer", "the vCPU's virtual LAPIC timer came due (posted on its own CPU)") \
	X(1, IPI, "ipi", "a fixed IPI from a CPU of the same cell (an ICR write)")              \
	X(2, DOORBELL, "doorbell", "a doorbell_ring hypercall of another cell")                 \
	X(3, NMI, "nmi", "an NMI IPI from a CPU of the same cell (vector 2)")                   \
	X(4, FAULT, "fault", "the fault-injection engine (a duplicated, delayed or spurious interrupt)")

enum tessera_trace_irq_source {
#define TESSERA_TRACE_IRQ_SOURCE_ENUM(v, NAME, name, doc) TESSERA_TRACE_IRQ_SRC_##NAME = v,
	TESSERA_TRACE_IRQ_SOURCES(TESSERA_TRACE_IRQ_SOURCE_ENUM)
#undef TESSERA_TRACE_IRQ_SOURCE_ENUM
};

/* What the watchdog did: X(value, NAME, name, meaning). */
#define TESSERA_TRACE_WD_ACTIONS(X)                                             \
	X(0, MISSED, "missed", "a heartbeat went unanswered (below the limit)") \
	X(1, STOP, "stop", "the limit was reached: the cell is stopped")        \
	X(2, RESTART, "restart", "the limit was reached: the cell is restarted")

enum tessera_trace_wd_action {
#define TESSERA_TRACE_WD_ACTION_ENUM(v, NAME, name, doc) TESSERA_TRACE_WD_##NAME = v,
	TESSERA_TRACE_WD_ACTIONS(TESSERA_TRACE_WD_ACTION_ENUM)
#undef TESSERA_TRACE_WD_ACTION_ENUM
};

/*
 * Machine checks (docs/machine-checks.md): the severity classes of the MCA rules and what the hypervisor
 * did, X(value, NAME, name, meaning). The hypervisor's console lines name them from these tables too.
 */
#define TESSERA_TRACE_MCE_SEVERITIES(X)                                                          \
	X(0, CORRECTED, "corrected", "corrected by the hardware (UC clear): logged and counted") \
	X(1, UCNA, "ucna", "uncorrected, no action required (UC, S clear): not consumed")        \
	X(2, AO, "action_optional", "uncorrected, action optional (UC, S, AR clear: SRAO)")      \
	X(3, AR, "action_required", "uncorrected, action required (UC, S, AR: SRAR)")            \
	X(4, FATAL, "fatal", "processor context corrupt (PCC), overflowed UC, or no restart IP")

enum tessera_trace_mce_severity {
#define TESSERA_TRACE_MCE_SEV_ENUM(v, NAME, name, doc) TESSERA_MCE_SEV_##NAME = v,
	TESSERA_TRACE_MCE_SEVERITIES(TESSERA_TRACE_MCE_SEV_ENUM)
#undef TESSERA_TRACE_MCE_SEV_ENUM
		TESSERA_MCE_SEV_COUNT
};

#define TESSERA_TRACE_MCE_ACTIONS(X)                                                            \
	X(0, LOG, "log", "logged and counted; the owner goes on")                               \
	X(1, FORWARD, "forward", "a virtual #MC injected into the owning cell with the record") \
	X(2, RESTART, "restart", "the owning cell is restarted from its image")                 \
	X(3, STOP, "stop", "the owning cell is stopped (failed)")                               \
	X(4, PANIC, "panic", "uncorrected in the hypervisor: the machine stops (exit 1)")

enum tessera_trace_mce_action {
#define TESSERA_TRACE_MCE_ACTION_ENUM(v, NAME, name, doc) TESSERA_MCE_ACT_##NAME = v,
	TESSERA_TRACE_MCE_ACTIONS(TESSERA_TRACE_MCE_ACTION_ENUM)
#undef TESSERA_TRACE_MCE_ACTION_ENUM
		TESSERA_MCE_ACT_COUNT
};

#define TESSERA_TRACE_FIELDS_exit(F)                                       \
	F(u16, reason, EXIT_REASON, "arch-neutral exit reason")            \
	F(u32, vector, DEC, "exception or interrupt vector, 0 if none")    \
	F(u64, pc, HEX, "guest instruction pointer at the exit")           \
	F(u64, code, HEX, "raw arch exit code (SVM: EXITCODE)")            \
	F(u64, info1, HEX, "raw arch exit information 1 (SVM: EXITINFO1)") \
	F(u64, info2, HEX, "raw arch exit information 2 (SVM: EXITINFO2)")

#define TESSERA_TRACE_FIELDS_entry(F) F(u64, pc, HEX, "guest instruction pointer at which the guest resumes")

#define TESSERA_TRACE_FIELDS_hypercall(F)                                 \
	F(u32, nr, HYPERCALL, "hypercall number")                         \
	F(s64, result, DEC, "result returned to the guest (< 0: -error)") \
	F(u64, a0, HEX, "argument 1")                                     \
	F(u64, a1, HEX, "argument 2")                                     \
	F(u64, a2, HEX, "argument 3")                                     \
	F(u64, a3, HEX, "argument 4")

#define TESSERA_TRACE_FIELDS_pio(F)                                    \
	F(u16, port, HEX, "I/O port")                                  \
	F(u8, size, DEC, "access size in bytes")                       \
	F(u8, write, BOOL, "1 for OUT, 0 for IN")                      \
	F(u8, string, BOOL, "1 for INS/OUTS")                          \
	F(u8, allowed, BOOL, "1 if the cell's config grants the port") \
	F(u32, value, HEX, "value written (OUT)")

#define TESSERA_TRACE_FIELDS_msr(F)                              \
	F(u32, index, HEX, "MSR number")                         \
	F(u8, write, BOOL, "1 for WRMSR, 0 for RDMSR")           \
	F(u8, allowed, BOOL, "1 if the cell's config grants it") \
	F(u64, value, HEX, "value written (WRMSR)")

#define TESSERA_TRACE_FIELDS_npf(F)                              \
	F(u64, gpa, HEX, "guest-physical address")               \
	F(u64, gla, HEX, "guest-linear address, 0 if unknown")   \
	F(u8, write, BOOL, "the access was a write")             \
	F(u8, exec, BOOL, "the access was an instruction fetch") \
	F(u8, in_walk, BOOL, "during the guest's own page-table walk")

#define TESSERA_TRACE_FIELDS_irq_inject(F)                                                        \
	F(u8, vector, DEC, "vector injected into the guest")                                      \
	F(u8, kind, IRQ_KIND, "why: interrupt, nmi, fault or reinject")                           \
	F(u8, type, DEC, "the arch's event type (SVM EVENTINJ: 0 interrupt, 2 NMI, 3 exception)") \
	F(u8, has_error, BOOL, "an error code is pushed")                                         \
	F(u32, error, HEX, "error code")

#define TESSERA_TRACE_FIELDS_irq_post(F)                             \
	F(u32, cell, DEC, "the target cell's id")                    \
	F(u16, vcpu, DEC, "the target vCPU's index in its cell")     \
	F(u16, cpu, DEC, "the physical CPU the target vCPU runs on") \
	F(u8, vector, DEC, "the vector posted (2 for an NMI)")       \
	F(u8, source, IRQ_SOURCE, "who posted it: timer, ipi, doorbell or nmi")

#define TESSERA_TRACE_FIELDS_violation(F)                                            \
	F(u16, reason, EXIT_REASON, "the exit that was refused")                     \
	F(u8, stopped, BOOL, "1 if the cell was stopped, 0 if a fault was injected") \
	F(u64, pc, HEX, "guest instruction pointer")                                 \
	F(u64, addr, HEX, "port, MSR or guest-physical address concerned")

#define TESSERA_TRACE_FIELDS_cell_state(F)                      \
	F(u32, cell, DEC, "cell id")                            \
	F(u32, state, CELL_STATE, "the cell's new state")       \
	F(s64, status, DEC, "exit status (cell_exit) or error") \
	F(str, name, STR, "the cell's name")

#define TESSERA_TRACE_FIELDS_watchdog(F)                                                  \
	F(u32, cell, DEC, "the watched cell's id")                                        \
	F(u32, missed, DEC, "heartbeats missed in a row (the limit when it acts)")        \
	F(u64, silent_ms, DEC, "ms since the cell's last answer (or its start)")          \
	F(u8, action, WD_ACTION, "missed (counted), stop or restart (the limit was hit)") \
	F(str, name, STR, "the cell's name")

#define TESSERA_TRACE_FIELDS_console(F)                       \
	F(u32, len, DEC, "bytes the cell wrote in this call") \
	F(str, text, STR, "the start of the text (truncated to 39 bytes)")

#define TESSERA_TRACE_FIELDS_mce(F)                                                      \
	F(u32, mc_cpu, DEC, "the CPU whose bank holds the error")                        \
	F(u32, bank, DEC, "machine-check bank")                                          \
	F(u64, status, HEX, "MCi_STATUS")                                                \
	F(u64, addr, HEX, "MCi_ADDR (0 unless ADDRV)")                                   \
	F(u64, misc, HEX, "MCi_MISC (0 unless MISCV)")                                   \
	F(u8, severity, MCE_SEVERITY, "the MCA severity class")                          \
	F(s32, owner, DEC, "the cell it was attributed to, -1 for the hypervisor")       \
	F(u8, action, MCE_ACTION, "what was done (the owner's on_machine_check policy)") \
	F(u8, software, BOOL, "1 if synthesized (a fault plan), 0 if from the hardware")

#define TESSERA_TRACE_FIELDS_fault_inject(F)                                                              \
	F(u32, model, DEC, "fault model id (faultinj/models.h)")                                          \
	F(u32, slot, DEC, "the fault's slot: its index in the plan, or a live injection's")               \
	F(u32, trigger, DEC, "trigger kind (abi/fault_plan.h: 0 now, 1 exit, 2 icount, 3 tsc, 4 nth...)") \
	F(u32, param, HEX, "the model's first parameter: site, action, register, field")                  \
	F(u64, target, HEX, "where: vector, hypercall, guest-physical address, bit mask")                 \
	F(u64, value, HEX, "what was injected: error, old or new value, delay")                           \
	F(u64, count, DEC, "the pass or exit of the target at which it fired")                            \
	F(u64, seed, HEX, "the plan's seed")

#define TESSERA_TRACE_FIELDS_trace_command(F)                       \
	F(u32, op, DEC, "mailbox or hypercall command carried out") \
	F(s32, result, DEC, "0 or -error")                          \
	F(u64, events, HEX, "event mask")                           \
	F(u64, cells, HEX, "cell mask")

/* E(id, name, description). Ids below 64; 0 is the ring's padding record. */
#define TESSERA_TRACE_EVENTS(E)                                                                        \
	E(1, exit, "Every VM exit, before any hook or handler: reason and the raw arch details.")      \
	E(2, entry, "The hypervisor resumes a guest CPU (handling ended).")                            \
	E(3, hypercall, "A hypercall after dispatch: number, arguments, result.")                      \
	E(4, pio, "A port I/O exit.")                                                                  \
	E(5, msr, "An MSR read or write exit.")                                                        \
	E(6, npf, "A nested page fault (MMIO or denied memory access).")                               \
	E(7, irq_inject, "An interrupt or exception injected into a guest CPU.")                       \
	E(8, violation, "A cell did something its config does not allow.")                             \
	E(9, cell_state, "Cell lifecycle: a cell starts, finishes, fails or is stopped.")              \
	E(10, watchdog, "A watched cell missed a heartbeat, or the watchdog stopped or restarted it.") \
	E(11, console, "A cell wrote to the console (console_write hypercall).")                       \
	E(12, mce, "A machine check was handled: the record, its class, owner and action.")            \
	E(13, fault_inject, "A fault was injected (faultinj/, docs/faultinj.md).")                     \
	E(14, trace_command, "A trace control command (enable/disable) was carried out.")              \
	E(15, irq_post, "A virtual interrupt was posted to a vCPU (written on the posting CPU).")

enum tessera_trace_event {
#define TESSERA_TRACE_EV_ENUM(id, name, desc) TESSERA_TRACE_EV_##name = id,
	TESSERA_TRACE_EVENTS(TESSERA_TRACE_EV_ENUM)
#undef TESSERA_TRACE_EV_ENUM
		TESSERA_TRACE_EV_END
};

/* C types of the field types. */
#define TESSERA_TRACE_CTYPE_u8	uint8_t
#define TESSERA_TRACE_CTYPE_u16 uint16_t
#define TESSERA_TRACE_CTYPE_u32 uint32_t
#define TESSERA_TRACE_CTYPE_u64 uint64_t
#define TESSERA_TRACE_CTYPE_s32 int32_t
#define TESSERA_TRACE_CTYPE_s64 int64_t

#define TESSERA_TRACE_DECL_u8(n)  uint8_t n;
#define TESSERA_TRACE_DECL_u16(n) uint16_t n;
#define TESSERA_TRACE_DECL_u32(n) uint32_t n;
#define TESSERA_TRACE_DECL_u64(n) uint64_t n;
#define TESSERA_TRACE_DECL_s32(n) int32_t n;
#define TESSERA_TRACE_DECL_s64(n) int64_t n;
#define TESSERA_TRACE_DECL_str(n) char n[TESSERA_TRACE_STR_LEN];

/* One record struct per event: header, ftrace common fields, the event's fields; 8-byte aligned. */
#define TESSERA_TRACE_FIELD_DECL(type, name, disp, doc) TESSERA_TRACE_DECL_##type(name)
#define TESSERA_TRACE_EV_STRUCT(id, name, desc)                       \
	struct tessera_trace_ev_##name {                              \
		struct tessera_trace_record_header hdr;               \
		struct tessera_trace_common common;                   \
		TESSERA_TRACE_FIELDS_##name(TESSERA_TRACE_FIELD_DECL) \
	} __attribute__((aligned(8)));
TESSERA_TRACE_EVENTS(TESSERA_TRACE_EV_STRUCT)
#undef TESSERA_TRACE_EV_STRUCT

#endif
