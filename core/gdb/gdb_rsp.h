/*
 * core/gdb/gdb_rsp.h - the framing of the GDB remote serial protocol (the GDB
 * manual, "Remote Protocol": "Overview" and "Interrupts"): a packet is
 * "$payload#cc" with cc the payload's byte sum mod 256 in two hex digits,
 * acknowledged by '+' (or '-': send it again); a lone 0x03 byte asks a
 * running target to stop. Pure code: no I/O (core/gdb/gdbstub.c does that).
 */
#ifndef YAKVM_CORE_GDB_RSP_H
#define YAKVM_CORE_GDB_RSP_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest payload either side sends (our qSupported PacketSize). */
#define RSP_PACKET_MAX 1024

enum rsp_event {
	RSP_NONE,       /* nothing complete yet */
	RSP_PACKET,     /* rx->buf holds a payload with a good checksum */
	RSP_BAD,        /* a packet with a bad checksum, or too long: send '-' */
	RSP_INTERRUPT,  /* 0x03 outside a packet */
};

struct rsp_rx {
	enum { RX_IDLE, RX_DATA, RX_SUM_HI, RX_SUM_LO } state;
	char buf[RSP_PACKET_MAX + 1];   /* nul-terminated payload */
	size_t len;
	uint8_t sum, want;
	bool overflow;
};

/* Feeds one received byte; '+' and '-' outside packets are ignored. */
enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t c);

/* "$payload#cc" into out (with '#', '$', '}' and '*' escaped as '}' and
 * the byte xor 0x20); returns its length, or 0 if it does not fit. */
size_t rsp_frame(char *out, size_t cap, const char *payload, size_t len);

/* Two lowercase hex digits per byte; out gets 2n characters and a nul. */
void rsp_hex_encode(char *out, const void *bytes, size_t n);
/* 2n hex digits → n bytes; false on a non-hex digit. */
bool rsp_hex_decode(const char *in, void *bytes, size_t n);
/* A hex number at *p (at least one digit, at most 16); advances *p. */
bool rsp_parse_hex(const char **p, uint64_t *v);

#endif
