/* core/vm/startup.h - INIT and SIPI for vCPUs (see startup.c). */
#ifndef YAKVM_CORE_STARTUP_H
#define YAKVM_CORE_STARTUP_H

#include <stdbool.h>

struct vcpu;

/* Takes a pending INIT or SIPI; true if the vCPU's state changed. */
bool vcpu_check_startup(struct vcpu *v);

#endif
