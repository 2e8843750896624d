/*
 * arch/x86/seg.h - a segment register as the CPU holds it (its hidden part):
 * selector, attributes, limit, base. Neutral: the backend converts it to its
 * own layout (arch/x86/svm/vmcb.h for SVM).
 */
#ifndef YAKVM_ARCH_X86_SEG_H
#define YAKVM_ARCH_X86_SEG_H

#include <stdint.h>

/* The attributes are descriptor bits 40-47 and 52-55 packed together:
 * type(4) S DPL(2) P, then AVL L D/B G (APM vol. 2, 4.7-4.8). */
struct x86_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

#define SEG_ATTR_TYPE(t) ((t) & 0xf)
#define SEG_ATTR_S   (1u << 4)
#define SEG_ATTR_DPL(d) (((d) & 3) << 5)
#define SEG_ATTR_P   (1u << 7)
#define SEG_ATTR_AVL (1u << 8)
#define SEG_ATTR_L   (1u << 9)
#define SEG_ATTR_DB  (1u << 10)
#define SEG_ATTR_G   (1u << 11)

#endif
