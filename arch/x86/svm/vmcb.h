/*
 * arch/x86/svm/vmcb.h - the Virtual Machine Control Block, AMD APM vol. 2,
 * appendix B ("Layout of VMCB"). One 4 KiB page per vCPU: the control area
 * (offsets 0x000-0x3ff) says what to intercept and reports exits; the
 * state-save area (0x400-0xfff) holds the guest's registers. Offsets in the
 * comments are from the start of the VMCB, as in the APM's tables.
 */
#ifndef YAKVM_ARCH_X86_SVM_VMCB_H
#define YAKVM_ARCH_X86_SVM_VMCB_H

#include <stdint.h>
#include <stddef.h>
#include "arch/x86/seg.h"

/* Word 3 of the intercept vector (offset 0x00c), table B-1. */
#define INTERCEPT_INTR      (1u << 0)
#define INTERCEPT_NMI       (1u << 1)
#define INTERCEPT_SMI       (1u << 2)
#define INTERCEPT_INIT      (1u << 3)
#define INTERCEPT_VINTR     (1u << 4)
#define INTERCEPT_CR0_SEL   (1u << 5)   /* CR0 writes of bits other than TS, MP */
#define INTERCEPT_RDTSC     (1u << 14)
#define INTERCEPT_RDPMC     (1u << 15)
#define INTERCEPT_CPUID     (1u << 18)
#define INTERCEPT_IRET      (1u << 20)
#define INTERCEPT_SWINT     (1u << 21)
#define INTERCEPT_INVD      (1u << 22)
#define INTERCEPT_PAUSE     (1u << 23)
#define INTERCEPT_HLT       (1u << 24)
#define INTERCEPT_INVLPGA   (1u << 26)
#define INTERCEPT_IOIO_PROT (1u << 27)
#define INTERCEPT_MSR_PROT  (1u << 28)
#define INTERCEPT_SHUTDOWN  (1u << 31)
/* Word 4 (offset 0x010). */
#define INTERCEPT_VMRUN     (1u << 0)
#define INTERCEPT_VMMCALL   (1u << 1)
#define INTERCEPT_VMLOAD    (1u << 2)
#define INTERCEPT_VMSAVE    (1u << 3)
#define INTERCEPT_STGI      (1u << 4)
#define INTERCEPT_CLGI      (1u << 5)
#define INTERCEPT_SKINIT    (1u << 6)
#define INTERCEPT_RDTSCP    (1u << 7)
#define INTERCEPT_ICEBP     (1u << 8)
#define INTERCEPT_WBINVD    (1u << 9)
#define INTERCEPT_MONITOR   (1u << 10)
#define INTERCEPT_MWAIT     (1u << 11)
#define INTERCEPT_MWAIT_ARMED (1u << 12)
#define INTERCEPT_XSETBV    (1u << 13)
#define INTERCEPT_RDPRU     (1u << 14)
/* intercept_cr: reads of CRn at bit n, writes at bit 16 + n. */
#define INTERCEPT_CR_WRITE(n) (1u << (16 + (n)))

/* TLB_CONTROL (offset 0x05c), 15.16.1. */
#define TLB_CONTROL_NOTHING      0
#define TLB_CONTROL_FLUSH_ALL    1
#define TLB_CONTROL_FLUSH_ASID   3

/* V_INTR fields (offset 0x060), 15.21.4. */
#define V_TPR_MASK          0xffull
#define V_IRQ               (1ull << 8)
#define V_INTR_PRIO_SHIFT   16
#define V_IGN_TPR           (1ull << 20)
#define V_INTR_MASKING      (1ull << 24)
#define V_INTR_VECTOR_SHIFT 32

/* EVENTINJ / EXITINTINFO format (15.20). */
#define EVENT_VALID      (1ull << 31)
#define EVENT_ERR_VALID  (1ull << 11)
#define EVENT_TYPE_MASK  (7ull << 8)
#define EVENT_TYPE_INTR  (0ull << 8)
#define EVENT_TYPE_NMI   (2ull << 8)
#define EVENT_TYPE_EXC   (3ull << 8)
#define EVENT_TYPE_SOFT  (4ull << 8)

/* NP_ENABLE (offset 0x090). */
#define NP_ENABLE (1ull << 0)

/* A segment register in the save area: selector, attributes, limit, base;
 * the attributes as in struct x86_seg (arch/x86/seg.h). */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb_control {
	uint32_t intercept_cr;          /* 0x000: CR reads 0-15, writes 16-31 */
	uint32_t intercept_dr;          /* 0x004: DR reads 0-15, writes 16-31 */
	uint32_t intercept_exceptions;  /* 0x008: one bit per vector */
	uint32_t intercept_misc1;       /* 0x00c: INTR ... SHUTDOWN */
	uint32_t intercept_misc2;       /* 0x010: VMRUN ... XSETBV */
	uint32_t intercept_misc3;       /* 0x014: INVLPGB, INVPCID, ... */
	uint8_t  reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold;/* 0x03c */
	uint16_t pause_filter_count;    /* 0x03e */
	uint64_t iopm_base_pa;          /* 0x040 */
	uint64_t msrpm_base_pa;         /* 0x048 */
	uint64_t tsc_offset;            /* 0x050 */
	uint32_t guest_asid;            /* 0x058 */
	uint8_t  tlb_control;           /* 0x05c */
	uint8_t  reserved_05d[3];
	uint64_t v_intr;                /* 0x060: V_TPR, V_IRQ, V_INTR_* */
	uint64_t interrupt_shadow;      /* 0x068: bit 0 shadow, bit 1 GIF mask */
	uint64_t exitcode;              /* 0x070 */
	uint64_t exitinfo1;             /* 0x078 */
	uint64_t exitinfo2;             /* 0x080 */
	uint64_t exitintinfo;           /* 0x088 */
	uint64_t np_enable;             /* 0x090: bit 0 nested paging */
	uint64_t avic_apic_bar;         /* 0x098 */
	uint64_t ghcb_pa;               /* 0x0a0 */
	uint64_t eventinj;              /* 0x0a8 */
	uint64_t n_cr3;                 /* 0x0b0: nested page table root */
	uint64_t lbr_virt;              /* 0x0b8: bit 0 LBR virt., bit 1 VMLOAD virt. */
	uint32_t clean_bits;            /* 0x0c0 */
	uint32_t reserved_0c4;
	uint64_t next_rip;              /* 0x0c8: with nRIP-save */
	uint8_t  insn_len;              /* 0x0d0: with decode assists */
	uint8_t  insn_bytes[15];        /* 0x0d1 */
	uint64_t avic_backing_page;     /* 0x0e0 */
	uint8_t  reserved_0e8[8];
	uint64_t avic_logical_table;    /* 0x0f0 */
	uint64_t avic_physical_table;   /* 0x0f8 */
	uint8_t  reserved_100[8];
	uint64_t vmsa_pa;               /* 0x108 */
	uint8_t  reserved_110[0x400 - 0x110];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_seg es;             /* 0x400 */
	struct vmcb_seg cs;             /* 0x410 */
	struct vmcb_seg ss;             /* 0x420 */
	struct vmcb_seg ds;             /* 0x430 */
	struct vmcb_seg fs;             /* 0x440 */
	struct vmcb_seg gs;             /* 0x450 */
	struct vmcb_seg gdtr;           /* 0x460: limit and base only */
	struct vmcb_seg ldtr;           /* 0x470 */
	struct vmcb_seg idtr;           /* 0x480: limit and base only */
	struct vmcb_seg tr;             /* 0x490 */
	uint8_t  reserved_4a0[0x4cb - 0x4a0];
	uint8_t  cpl;                   /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer;                  /* 0x4d0 */
	uint8_t  reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;                   /* 0x548 */
	uint64_t cr3;                   /* 0x550 */
	uint64_t cr0;                   /* 0x558 */
	uint64_t dr7;                   /* 0x560 */
	uint64_t dr6;                   /* 0x568 */
	uint64_t rflags;                /* 0x570 */
	uint64_t rip;                   /* 0x578 */
	uint8_t  reserved_580[0x5d8 - 0x580];
	uint64_t rsp;                   /* 0x5d8 */
	uint64_t s_cet;                 /* 0x5e0 */
	uint64_t ssp;                   /* 0x5e8 */
	uint64_t isst_addr;             /* 0x5f0 */
	uint64_t rax;                   /* 0x5f8 */
	uint64_t star;                  /* 0x600 */
	uint64_t lstar;                 /* 0x608 */
	uint64_t cstar;                 /* 0x610 */
	uint64_t sfmask;                /* 0x618 */
	uint64_t kernel_gs_base;        /* 0x620 */
	uint64_t sysenter_cs;           /* 0x628 */
	uint64_t sysenter_esp;          /* 0x630 */
	uint64_t sysenter_eip;          /* 0x638 */
	uint64_t cr2;                   /* 0x640 */
	uint8_t  reserved_648[0x668 - 0x648];
	uint64_t g_pat;                 /* 0x668: guest PAT, with nested paging */
	uint64_t dbgctl;                /* 0x670 */
	uint64_t br_from;               /* 0x678 */
	uint64_t br_to;                 /* 0x680 */
	uint64_t last_excp_from;        /* 0x688 */
	uint64_t last_excp_to;          /* 0x690 */
	uint8_t  reserved_698[0x1000 - 0x698];
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed, aligned(4096)));

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 0x400 bytes");
_Static_assert(sizeof(struct vmcb) == 0x1000, "a VMCB is one 4 KiB page");
_Static_assert(offsetof(struct vmcb, control.exitcode) == 0x070, "EXITCODE");
_Static_assert(offsetof(struct vmcb, control.eventinj) == 0x0a8, "EVENTINJ");
_Static_assert(offsetof(struct vmcb, control.n_cr3) == 0x0b0, "N_CR3");
_Static_assert(offsetof(struct vmcb, control.next_rip) == 0x0c8, "nRIP");
_Static_assert(offsetof(struct vmcb, control.insn_len) == 0x0d0, "insn bytes");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4cb, "CPL");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4d0, "EFER");
_Static_assert(offsetof(struct vmcb, save.cr4) == 0x548, "CR4");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "RIP");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5d8, "RSP");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5f8, "RAX");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "CR2");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "G_PAT");

#endif
