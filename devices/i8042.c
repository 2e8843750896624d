/*
 * devices/i8042.c - the PC's 8042 keyboard controller (IBM PS/2 Technical
 * Reference, "Keyboard/Auxiliary Device Controller"; command set as in the
 * Intel 8042-compatible controllers of PC chipsets), enough for OS probes,
 * the A20 gate and the reset line.
 *
 * Ports: 0x60 data (read: output buffer; write: data for the last command,
 * else a byte for the keyboard), 0x64 status (read) / command (write).
 *
 * There is no keyboard and no mouse behind it. The controller itself answers
 * (self test 0x55, interface tests 0). A byte sent to the keyboard gets the
 * answer of a controller whose keyboard never clocks: 0xfe in the output
 * buffer with the time-out bit (status bit 6) set, which OS drivers take as
 * "no device". Aux-port bytes (command 0xd4) are swallowed unanswered.
 *
 * The IRQ line (IRQ 1) is high while the output buffer is full and command
 * byte bit 0 (keyboard interrupt) is set, as the PS/2 reference describes;
 * so the only interrupts are for replies the guest asked for. IRQ 12 (aux)
 * is never raised: nothing ever comes from the aux port.
 */
#include <stdbool.h>
#include "devices/device.h"
#include "devices/i8042.h"
#include "devices/irq.h"

#define PORT_DATA    0x60
#define PORT_CMD     0x64

/* Status register */
#define ST_OBF       0x01   /* output buffer full */
#define ST_IBF       0x02   /* input buffer full: never, writes are handled at once */
#define ST_SYS       0x04   /* system flag (command byte bit 2) */
#define ST_CMD       0x08   /* last write was to 0x64 */
#define ST_UNLOCKED  0x10   /* keyboard inhibit switch: not inhibited */
#define ST_TIMEOUT   0x40   /* general time-out: the device did not answer */

/* Command byte (controller RAM byte 0) */
#define CB_KBD_INT   0x01
#define CB_SYS       0x04
#define CB_KBD_OFF   0x10
#define CB_AUX_OFF   0x20
#define CB_XLATE     0x40

/* Output port */
#define OP_RESET_N   0x01   /* 0 asserts the CPU reset line */
#define OP_A20       0x02

#define NO_KBD_REPLY 0xfe
#define RAM_SIZE     32

enum pending { PEND_NONE, PEND_RAM, PEND_OUTPORT, PEND_KBD_OBUF, PEND_AUX_OBUF, PEND_AUX };

struct i8042 {
	uint8_t ram[RAM_SIZE];  /* ram[0] is the command byte */
	uint8_t status;
	uint8_t out;            /* output buffer (last value stays readable) */
	uint8_t outport;
	uint8_t pending;        /* enum pending: what the next 0x60 byte is */
	uint8_t pending_addr;   /* RAM index for PEND_RAM */
	bool irq_high;
};

bool i8042_a20(struct device *d)
{
	struct i8042 *k = d->state;
	return k->outport & OP_A20;
}

static void update_irq(struct device *d)
{
	struct i8042 *k = d->state;
	bool high = (k->status & ST_OBF) && (k->ram[0] & CB_KBD_INT);
	if (high != k->irq_high) {
		k->irq_high = high;
		vm_irq_set(d->vm, d->decl->irq, high);
	}
}

static void i8042_reset(struct device *d)
{
	struct i8042 *k = d->state;
	bool was_high = k->irq_high;
	*k = (struct i8042){ .irq_high = was_high };
	/* As left by firmware after POST: translated, keyboard interrupt on. */
	k->ram[0] = CB_XLATE | CB_SYS | CB_KBD_INT;
	k->status = ST_SYS | ST_UNLOCKED;
	k->outport = OP_RESET_N | OP_A20;
	update_irq(d);
}

static void put_output(struct i8042 *k, uint8_t v, uint8_t flags)
{
	k->out = v;
	k->status = (uint8_t)((k->status & ~ST_TIMEOUT) | ST_OBF | flags);
}

static void write_outport(struct device *d, uint8_t v)
{
	struct i8042 *k = d->state;
	k->outport = v | OP_RESET_N;   /* the reset line is a pulse */
	if (!(v & OP_RESET_N))
		vm_request_reset(d->vm);
}

static void set_command_byte(struct i8042 *k, uint8_t v)
{
	k->ram[0] = v;
	k->status = (uint8_t)((k->status & ~ST_SYS) | (v & CB_SYS ? ST_SYS : 0));
}

static void command(struct device *d, uint8_t cmd)
{
	struct i8042 *k = d->state;
	k->pending = PEND_NONE;
	if (cmd >= 0x20 && cmd <= 0x3f) {          /* read RAM byte (0x20: command byte) */
		put_output(k, k->ram[cmd & 0x1f], 0);
		return;
	}
	if (cmd >= 0x60 && cmd <= 0x7f) {          /* write RAM byte: data follows */
		k->pending = PEND_RAM;
		k->pending_addr = cmd & 0x1f;
		return;
	}
	if (cmd >= 0xf0) {                         /* pulse output port bits 3:0 that are 0 */
		if (!(cmd & OP_RESET_N))
			vm_request_reset(d->vm);
		return;
	}
	switch (cmd) {
	case 0xa7: k->ram[0] |= CB_AUX_OFF; break;
	case 0xa8: k->ram[0] &= ~CB_AUX_OFF; break;
	case 0xa9: put_output(k, 0x00, 0); break;            /* aux interface test: OK */
	case 0xaa:                                           /* self test: OK */
		k->status |= ST_SYS;
		k->ram[0] |= CB_SYS;
		put_output(k, 0x55, 0);
		break;
	case 0xab: put_output(k, 0x00, 0); break;            /* keyboard interface test: OK */
	case 0xad: k->ram[0] |= CB_KBD_OFF; break;
	case 0xae: k->ram[0] &= ~CB_KBD_OFF; break;
	case 0xc0: put_output(k, 0x00, 0); break;            /* input port */
	case 0xd0: put_output(k, k->outport, 0); break;
	case 0xd1: k->pending = PEND_OUTPORT; break;
	case 0xd2: k->pending = PEND_KBD_OBUF; break;
	case 0xd3: k->pending = PEND_AUX_OBUF; break;
	case 0xd4: k->pending = PEND_AUX; break;
	case 0xdd: k->outport &= ~OP_A20; break;
	case 0xdf: k->outport |= OP_A20; break;
	default: break;                                      /* unknown: ignored */
	}
}

static void data(struct device *d, uint8_t v)
{
	struct i8042 *k = d->state;
	enum pending p = k->pending;
	k->pending = PEND_NONE;
	switch (p) {
	case PEND_RAM:
		if (k->pending_addr == 0)
			set_command_byte(k, v);
		else
			k->ram[k->pending_addr] = v;
		break;
	case PEND_OUTPORT:
		write_outport(d, v);
		break;
	case PEND_KBD_OBUF:
	case PEND_AUX_OBUF:   /* "as if received": no aux data bit, there is no mouse */
		put_output(k, v, 0);
		break;
	case PEND_AUX:
		break;        /* no mouse: nothing answers */
	case PEND_NONE:
		put_output(k, NO_KBD_REPLY, ST_TIMEOUT);   /* no keyboard */
		break;
	}
}

static uint32_t i8042_read(struct device *d, uint16_t port, unsigned size)
{
	struct i8042 *k = d->state;
	if (port == PORT_CMD)
		return k->status;
	k->status &= ~(ST_OBF | ST_TIMEOUT);
	update_irq(d);
	return k->out;
}

static void i8042_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct i8042 *k = d->state;
	if (port == PORT_CMD) {
		k->status |= ST_CMD;
		command(d, (uint8_t)val);
	} else {
		k->status &= ~ST_CMD;
		data(d, (uint8_t)val);
	}
	update_irq(d);
}

const struct device_model i8042_model = {
	.name = "i8042",
	.state_size = sizeof(struct i8042),
	.reset = i8042_reset,
	.pio_read = i8042_read,
	.pio_write = i8042_write,
};
