/* arch/x86/tsc.h - the host's time base: the TSC, calibrated on the PIT. */
#ifndef YAKVM_ARCH_X86_TSC_H
#define YAKVM_ARCH_X86_TSC_H

#include <stdint.h>

void tsc_calibrate(void);
uint64_t tsc_khz(void);
uint64_t tsc_to_us(uint64_t ticks);
uint64_t time_us(void);            /* microseconds since calibration */
/* Busy-waits using PIT channel 2 (before the TSC is calibrated). */
void pit_wait_us(uint32_t us);
/* Masks and remaps the legacy 8259 PICs so they never interrupt yakvm. */
void legacy_pic_disable(void);

#endif
