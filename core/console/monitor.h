/*
 * core/console/monitor.h - yakvm's own console (see monitor.c): list, top, info vm,
 * pause, resume, reset, destroy, trace, mem, help.
 */
#ifndef YAKVM_CORE_MONITOR_H
#define YAKVM_CORE_MONITOR_H

/* The console's focus has moved to the monitor. */
void monitor_enter(void);
/* One typed byte. */
void monitor_input(char c);

#endif
