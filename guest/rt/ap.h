/*
 * guest/rt/ap.h - starting application processors: a real-mode trampoline
 * at 0x8000 (STARTUP vector 0x08, i.e. CS=0x0800, IP=0, as the MP
 * specification starts an AP) that enters protected mode on the runtime's
 * GDT and IDT, takes a stack by its initial APIC ID (CPUID.1:EBX[31:24]),
 * counts the start in rt_ap_boots[id] and calls the entry with the ID.
 * Every STARTUP that reaches a waiting AP runs it from the top again.
 */
#ifndef GUEST_RT_AP_H
#define GUEST_RT_AP_H

#include "rt.h"

#define RT_AP_MAX         16
#define RT_AP_SIPI_VECTOR 0x08     /* the trampoline's page: 0x8000 */

/* Copies the trampoline to 0x8000 and points it at entry (on the BSP, in
 * protected mode, before the first STARTUP). */
void rt_ap_prepare(void (*entry)(uint32_t apic_id));
/* How often each AP ran the trampoline. */
extern volatile uint32_t rt_ap_boots[RT_AP_MAX];
/* The APIC ID of the running CPU, from its stack (no exit): 0 on the BSP. */
unsigned rt_ap_self(void);

#endif
