/*
 * devices/hpet.h - the High Precision Event Timer (IA-PC HPET specification
 * 1.0a) at MMIO 0xfed00000: a 64-bit main counter at 100 MHz and three
 * timers, each one-shot or periodic, 64- or 32-bit, edge or level, routed
 * to IOAPIC pins 20-23 or, in legacy replacement mode, timer 0 to IRQ 0 and
 * timer 1 to IRQ 8 (the PIT's and RTC's lines, which are then cut off).
 * No FSB (MSI) delivery. Present in VMs with hpet=on (docs/vm-config.md).
 */
#ifndef YAKVM_DEVICES_HPET_H
#define YAKVM_DEVICES_HPET_H

#include <stdint.h>

#define HPET_BASE       0xfed00000ull
#define HPET_LEN        0x1000ull
#define HPET_TIMERS     3
#define HPET_PERIOD_FS  10000000u     /* 10 ns per tick: 100 MHz */
#define HPET_NS_PER_TICK 10u
/* IOAPIC pins a timer may be routed to (Tn_INT_ROUTE_CAP): 20-23, as on
 * PC chipsets; pins 16-23 have no PIC input here (devices/irq.h). */
#define HPET_ROUTE_CAP  0x00f00000u
/* Interrupts of one timer never come less than this apart: a faster
 * periodic timer is coalesced (the comparator still advances exactly). */
#define HPET_MIN_IRQ_NS 100000ull
/* A periodic timer's missed periods are caught up, one interrupt per
 * HPET_MIN_IRQ_NS, for periods of at least HPET_CATCHUP_MIN_PERIOD_NS, and
 * at most HPET_CATCHUP_MAX of them after one stall (see devices/hpet.c). */
#define HPET_CATCHUP_MIN_PERIOD_NS (2 * HPET_MIN_IRQ_NS)
#define HPET_CATCHUP_MAX 100u

/* Register offsets (spec 2.3.1, table 2). */
#define HPET_GCAP_ID    0x000
#define HPET_GEN_CONF   0x010
#define HPET_GINTR_STA  0x020
#define HPET_MAIN_CNT   0x0f0
#define HPET_TN_CONF(n) (0x100 + 0x20 * (n))
#define HPET_TN_CMP(n)  (0x108 + 0x20 * (n))
#define HPET_TN_FSB(n)  (0x110 + 0x20 * (n))

/* GEN_CONF bits */
#define HPET_ENABLE_CNF  (1u << 0)
#define HPET_LEG_RT_CNF  (1u << 1)

/* Tn_CONF_CAP bits (2.3.8) */
#define HPET_TN_INT_TYPE_LEVEL (1u << 1)
#define HPET_TN_INT_ENB        (1u << 2)
#define HPET_TN_PERIODIC       (1u << 3)
#define HPET_TN_PER_INT_CAP    (1u << 4)
#define HPET_TN_SIZE_CAP       (1u << 5)
#define HPET_TN_VAL_SET        (1u << 6)
#define HPET_TN_32MODE         (1u << 8)
#define HPET_TN_ROUTE_SHIFT    9
#define HPET_TN_ROUTE_MASK     (0x1fu << HPET_TN_ROUTE_SHIFT)
#define HPET_TN_FSB_EN         (1u << 14)
#define HPET_TN_FSB_CAP        (1u << 15)

/* The low 32 bits of GCAP_ID: revision 1, 3 timers (NUM_TIM_CAP 2),
 * 64-bit counter, legacy replacement capable, vendor 0x1022. Also the
 * ACPI HPET table's Event Timer Block ID (guest/acpi.c). */
#define HPET_GCAP_LOW   (0x01u | (HPET_TIMERS - 1) << 8 | 1u << 13 | 1u << 15 | 0x1022u << 16)

extern const struct device_model hpet_model;

#endif
