/*
 * The SVM VMCB (AMD APM vol. 2, appendix B) as offsets: one 4 KiB page, control area at 0, state-save
 * area at 0x400. Offsets instead of a struct so that each field's position is visible and checkable
 * against the manual.
 */
#ifndef TESSERA_X86_SVM_VMCB_H
#define TESSERA_X86_SVM_VMCB_H

#include <tessera/compiler.h>

/* Control area */
#define VMCB_INTERCEPT_CR_READ	0x000 /* u16 */
#define VMCB_INTERCEPT_CR_WRITE 0x002 /* u16 */
#define VMCB_INTERCEPT_EXC	0x008 /* u32, bit n = vector n */
#define VMCB_INTERCEPT_MISC1	0x00c /* u32 */
#define VMCB_INTERCEPT_MISC2	0x010 /* u32 */
#define VMCB_IOPM_BASE		0x040
#define VMCB_MSRPM_BASE		0x048
#define VMCB_TSC_OFFSET		0x050
#define VMCB_ASID		0x058 /* u32 */
#define VMCB_TLB_CONTROL	0x05c /* u8 */
#define VMCB_INT_CTL		0x060 /* u32 */
#define VMCB_INT_STATE		0x068
#define VMCB_EXIT_CODE		0x070
#define VMCB_EXIT_INFO1		0x078
#define VMCB_EXIT_INFO2		0x080
#define VMCB_EXIT_INT_INFO	0x088
#define VMCB_NP_ENABLE		0x090
#define VMCB_EVENT_INJ		0x0a8
#define VMCB_N_CR3		0x0b0
#define VMCB_CLEAN		0x0c0
#define VMCB_NEXT_RIP		0x0c8 /* never filled under TCG (no NRIPS) */

/* State-save area: segments are {u16 selector, u16 attrib, u32 limit, u64 base} */
#define VMCB_ES	    0x400
#define VMCB_CS	    0x410
#define VMCB_SS	    0x420
#define VMCB_DS	    0x430
#define VMCB_FS	    0x440
#define VMCB_GS	    0x450
#define VMCB_GDTR   0x460
#define VMCB_LDTR   0x470
#define VMCB_IDTR   0x480
#define VMCB_TR	    0x490
#define VMCB_CPL    0x4cb /* u8 */
#define VMCB_EFER   0x4d0
#define VMCB_CR4    0x548
#define VMCB_CR3    0x550
#define VMCB_CR0    0x558
#define VMCB_DR7    0x560
#define VMCB_DR6    0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP    0x578
#define VMCB_RSP    0x5d8
#define VMCB_RAX    0x5f8
#define VMCB_CR2    0x640
#define VMCB_G_PAT  0x668

/* VMCB_INTERCEPT_MISC1 bits */
#define SVM_INTERCEPT_INTR     (1u << 0)
#define SVM_INTERCEPT_NMI      (1u << 1)
#define SVM_INTERCEPT_INIT     (1u << 3)
#define SVM_INTERCEPT_CPUID    (1u << 18)
#define SVM_INTERCEPT_IRET     (1u << 20)
#define SVM_INTERCEPT_INVD     (1u << 22)
#define SVM_INTERCEPT_HLT      (1u << 24)
#define SVM_INTERCEPT_INVLPGA  (1u << 26)
#define SVM_INTERCEPT_IOIO     (1u << 27)
#define SVM_INTERCEPT_MSR      (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
/* VMCB_INTERCEPT_MISC2 bits */
#define SVM_INTERCEPT_VMRUN   (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD  (1u << 2)
#define SVM_INTERCEPT_VMSAVE  (1u << 3)
#define SVM_INTERCEPT_STGI    (1u << 4)
#define SVM_INTERCEPT_CLGI    (1u << 5)
#define SVM_INTERCEPT_SKINIT  (1u << 6)
#define SVM_INTERCEPT_WBINVD  (1u << 9)
#define SVM_INTERCEPT_XSETBV  (1u << 13)
/* VMCB_INTERCEPT_CR_READ / _WRITE bits */
#define SVM_INTERCEPT_CR0 (1u << 0)
#define SVM_INTERCEPT_CR4 (1u << 4)

#define SVM_V_INTR_MASKING (1u << 24)

/* Exit codes */
#define SVM_EXIT_READ_CR4  0x04
#define SVM_EXIT_WRITE_CR0 0x10
#define SVM_EXIT_WRITE_CR4 0x14
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR	   0x60
#define SVM_EXIT_NMI	   0x61
#define SVM_EXIT_VINTR	   0x64
#define SVM_EXIT_CPUID	   0x72
#define SVM_EXIT_IRET	   0x74
#define SVM_EXIT_INVD	   0x76
#define SVM_EXIT_HLT	   0x78
#define SVM_EXIT_INVLPGA   0x7a
#define SVM_EXIT_IOIO	   0x7b
#define SVM_EXIT_MSR	   0x7c
#define SVM_EXIT_SHUTDOWN  0x7f
#define SVM_EXIT_VMRUN	   0x80
#define SVM_EXIT_VMMCALL   0x81
#define SVM_EXIT_VMLOAD	   0x82
#define SVM_EXIT_VMSAVE	   0x83
#define SVM_EXIT_STGI	   0x84
#define SVM_EXIT_CLGI	   0x85
#define SVM_EXIT_SKINIT	   0x86
#define SVM_EXIT_WBINVD	   0x89
#define SVM_EXIT_XSETBV	   0x8d
#define SVM_EXIT_NPF	   0x400
#define SVM_EXIT_INVALID   0xffffffffu /* written as 32 bits only: compare the low half */

/* EVENTINJ */
#define SVM_EVTINJ_VALID     (1u << 31)
#define SVM_EVTINJ_VALID_ERR (1u << 11)
#define SVM_EVTINJ_TYPE_EXC  (3u << 8)
#define SVM_EVTINJ_TYPE_MASK (7u << 8)

/* MSRs */
#define MSR_EFER	0xc0000080
#define MSR_VM_CR	0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#ifndef MSR_APIC_BASE
#define MSR_APIC_BASE 0x1B /* as in cpu.h */
#endif
#define MSR_X2APIC_FIRST 0x00000800
#define MSR_X2APIC_LAST	 0x000008ff
#define EFER_SVME	 (1ULL << 12)
#define VM_CR_SVMDIS	 (1ULL << 4)

static inline uint64_t vmcb_read(const void *vmcb, unsigned int off, unsigned int size)
{
	const uint8_t *p = (const uint8_t *)vmcb + off;
	switch (size) {
	case 1: return *p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	}
	return *(const uint64_t *)p;
}

static inline void vmcb_write(void *vmcb, unsigned int off, unsigned int size, uint64_t v)
{
	uint8_t *p = (uint8_t *)vmcb + off;
	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

#define vmcb_get(vmcb, off)    vmcb_read(vmcb, off, 8)
#define vmcb_set(vmcb, off, v) vmcb_write(vmcb, off, 8, v)

static inline void vmcb_set_seg(void *vmcb, unsigned int off, uint16_t sel, uint16_t attrib, uint32_t limit,
				uint64_t base)
{
	vmcb_write(vmcb, off, 2, sel);
	vmcb_write(vmcb, off + 2, 2, attrib);
	vmcb_write(vmcb, off + 4, 4, limit);
	vmcb_write(vmcb, off + 8, 8, base);
}

#endif
