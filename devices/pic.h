/*
 * devices/pic.h - the PC's 8259A programmable interrupt controller pair
 * (master 0x20/0x21, slave 0xa0/0xa1 cascaded on IRQ 2, ELCR 0x4d0/0x4d1).
 * Intel 8259A data sheet; the ELCR as on PIIX chipsets.
 * The exported functions take the PIC device's lock themselves.
 */
#ifndef YAKVM_DEVICES_PIC_H
#define YAKVM_DEVICES_PIC_H

#include <stdbool.h>

struct device;

/* The level of input line irq (0-15). Edge mode latches a rising edge;
 * level mode (ELCR) follows the line. */
void pic_set_irq(struct device *pic, unsigned irq, bool high);
/* The vector the INTR output would deliver now, or -1. No state change. */
int pic_pending_vector(struct device *pic);
/* The CPU's interrupt acknowledge: returns the vector and moves the request
 * from IRR to ISR (unless auto-EOI). A request that vanished gives the
 * spurious IRQ 7 (or 15) vector, as the hardware does. -1 if none at all
 * (the master's IRR is empty, or it is in the middle of its ICW sequence). */
int pic_ack(struct device *pic);

extern const struct device_model pic_model;

#endif
