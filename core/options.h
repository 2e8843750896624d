/*
 * core/options.h - yakvm's own command line (the multiboot2 line in grub.cfg).
 *
 *   multiboot2 /boot/yakvm.elf loglevel=info console=com1 on_idle=halt
 */
#ifndef YAKVM_CORE_OPTIONS_H
#define YAKVM_CORE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "lib/log.h"

enum on_idle { ON_IDLE_HALT, ON_IDLE_EXIT };

struct yakvm_options {
	enum log_level loglevel;  /* loglevel=error|warn|info|debug (info) */
	/* console=com1|com2|com3|com4|0xNNNN (com1), optionally in a comma
	 * list with "fb" (console=com1,fb): the first port is used. "fb" is
	 * accepted; the screen (arch/x86/fbcon.c) is used anyway whenever the
	 * boot loader passes a framebuffer. */
	uint16_t console_port;
	/* on_idle=halt|exit: when every VM has ended, halt (the default), or
	 * end the emulator run (QEMU isa-debug-exit, Bochs port 0x8900). */
	enum on_idle on_idle;
	/* x2apic=1: switch the host LAPICs to x2APIC mode where the CPU has it
	 * (it is used anyway when the firmware left it on). */
	bool x2apic;
	/* tcg_virq=1: under QEMU's TCG, interrupt windows through V_IRQ as on
	 * hardware (exact), with a recovery from TCG's VMRUN race after each
	 * exit and the 100 us poll kept as a backstop (arch/x86/svm/intr.c). Default 0:
	 * no V_IRQ there, the poll alone (docs/status.md). */
	bool tcg_virq;
	/* idle_poll=on|off: a CPU with no vCPU to run polls the devices that
	 * ask for it (virtio-net's transmit queues) instead of halting, so
	 * their guests need not notify (core/run/idle_poll.c). off: idle CPUs
	 * always halt, and every frame a guest sends is notified. Default on. */
	bool idle_poll;
	/* disk_selftest=NAME: for tests only, destroys data: writes a known
	 * pattern over the first 64 KiB of the GPT partition NAME (which must
	 * be unambiguous), flushes, reads it back (drivers/block/disks.c,
	 * docs/storage.md). Empty: no disk is written. */
	char disk_selftest[40];
	/* net_selftest=NAME: for tests only: DHCP and ARP through the host
	 * network card NAME (net0...), the answers logged as parsed
	 * (drivers/net/selftest.c). Empty: no frame is sent. */
	char net_selftest[8];
	/* uplink=NAME|none: the host network card (net0...) joined to the
	 * VMs' switch as its uplink (net/uplink.c, docs/net.md), or none: the
	 * switch has VMs only. Default net0, the first card found. */
	char uplink[8];
};

/*
 * Parses the command line into opts (which the caller has filled with the
 * defaults). Unknown or malformed options are reported, one line each, into
 * warn[warnlen] (lines separated by '\n') and otherwise ignored, so yakvm
 * always boots. Returns the number of problems reported.
 */
int options_parse(const char *cmdline, struct yakvm_options *opts,
		  char *warn, size_t warnlen);

void options_defaults(struct yakvm_options *opts);

#endif
