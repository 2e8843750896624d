/*
 * arch/x86/fbcon.h - a text console on the boot loader's framebuffer.
 *
 * GRUB sets up a linear framebuffer when yakvm's Multiboot2 header asks for
 * one (spec 3.1.10) and describes it in the framebuffer info tag (3.6.12),
 * which boot/multiboot2.c copies into boot_info.fb. fbcon draws yakvm's
 * console output there as 8x16 glyphs, light grey on black. Serial stays
 * the primary console; the screen is a copy.
 */
#ifndef YAKVM_ARCH_X86_FBCON_H
#define YAKVM_ARCH_X86_FBCON_H

#include <stdint.h>
#include <stdbool.h>
#include "boot/bootinfo.h"

/*
 * Takes the framebuffer if it is direct RGB with 16, 24 or 32 bits per
 * pixel and lies below 4 GiB (what paging_init maps); call it after
 * paging_init, before the other CPUs start. Logs what it did either way.
 * Returns whether fbcon is now on.
 */
bool fbcon_init(const struct boot_framebuffer *fb);

/* Draws one byte ('\n', '\r' and '\t' move the cursor; other control bytes
 * are dropped). Does nothing before fbcon_init. The caller serializes
 * (core/console/console.c calls it under the console lock). */
void fbcon_putc(char c);

/* The font: one glyph per byte value (Latin-1), 16 rows of 8 pixels, the
 * most significant bit leftmost. Generated at build time by scripts/psf2c.py
 * from a PSF font of Debian's console-setup-linux. */
extern const uint8_t fbcon_font[256][16];

#endif
