/* core/main.h - yakvm's start and its idle policy. */
#ifndef YAKVM_CORE_MAIN_H
#define YAKVM_CORE_MAIN_H

#include <stdint.h>
#include "core/options.h"

extern struct yakvm_options yakvm_opts;

void yakvm_main(uint32_t magic, uint64_t info_pa) __attribute__((noreturn));
/* Every VM has ended: halt, or with on_idle=exit end the emulator run. */
void yakvm_idle(void);

#endif
