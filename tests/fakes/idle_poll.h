/*
 * tests/fakes/idle_poll.h - core/run/idle_poll.h for host tests: whether a
 * CPU is idle is set by the test, and fake_idle_cpu_round() is one round of
 * that idle CPU over the registered polls that are wanted.
 */
#ifndef YAKVM_TESTS_FAKES_IDLE_POLL_H
#define YAKVM_TESTS_FAKES_IDLE_POLL_H

#include "core/run/idle_poll.h"

extern bool fake_idle_cpu;          /* idle_poll_spare() */
extern unsigned fake_idle_wakes;    /* idle_poll_want() calls */
void fake_idle_poll_reset(void);
void fake_idle_cpu_round(void);

#endif
