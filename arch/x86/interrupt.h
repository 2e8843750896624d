/* arch/x86/interrupt.h - the host's interrupt and exception dispatch. */
#ifndef YAKVM_ARCH_X86_INTERRUPT_H
#define YAKVM_ARCH_X86_INTERRUPT_H

#include <stdint.h>

struct intr_frame {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Host vectors. The legacy PIC is remapped to 0xe0-0xef and masked. */
#define VEC_NMI       0x02
#define VEC_TIMER     0x20
#define VEC_RESCHED   0x21
#define VEC_EXIT_NOW  0x22	/* a self-IPI whose only work is the #VMEXIT it causes */
#define VEC_PIC_BASE  0xe0
#define VEC_SPURIOUS  0xff

typedef void (*irq_handler_t)(struct intr_frame *f);
void irq_register(unsigned vector, irq_handler_t h);

#endif
