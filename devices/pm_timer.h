/*
 * devices/pm_timer.h - the ACPI power-management timer's port (the FADT's
 * PM_TMR_BLK / X_PM_TMR_BLK points at it; ACPI 6.x section 4.8.3.3).
 */
#ifndef YAKVM_DEVICES_PM_TIMER_H
#define YAKVM_DEVICES_PM_TIMER_H

#define PM_TIMER_PORT   0xb008
#define PM_TIMER_LEN    4
#define PM_TIMER_HZ     3579545u
#define PM_TIMER_BITS   24      /* FADT flags: TMR_VAL_EXT = 0 */

#endif
