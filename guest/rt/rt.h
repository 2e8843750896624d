/*
 * guest/rt/rt.h - the tiny runtime of yakvm's own guests: port I/O, the
 * serial port, printf, CPUID and MSRs (with fault recovery), and ending the
 * VM through its debug-exit port with a status.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));

struct mb1_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct rt_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error, eip, cs, eflags;
};

/* Each guest defines this; its return value is the VM's exit status. */
int guest_main(uint32_t magic, struct mb1_info *info);

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void putc(char c);
void puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A test guest's check: "TAG: ok NAME", or "TAG: FAIL NAME (details)" and
 * one more in rt_failures. */
extern volatile int rt_failures;
void rt_check(const char *tag, bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
size_t strlen(const char *s);
int memcmp(const void *a, const void *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
/* Whether text (a command line) contains word anywhere. */
bool str_contains(const char *text, const char *word);
/* The number after the first "key" (e.g. "count=") in a command line, or def. */
int rt_option(const char *cmdline, const char *key, int def);

/* A vendor or hypervisor signature: EBX, ECX, EDX of `leaf` as 12
 * characters (leaf 0x40000000: the hypervisor's). Returns EAX. */
static inline uint32_t cpuid_signature(uint32_t leaf, char sig[13])
{
	uint32_t r[4];
	cpuid(leaf, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	return r[0];
}

/* Ends this VM with `status` through the debug-exit port 0xf4. */
void __attribute__((noreturn)) rt_exit(int status);

/* The last exception taken through a fault-recovery point (see rt_try). */
extern volatile int rt_last_vector;
extern volatile uint32_t rt_last_error;
/* The next faulting instruction resumes at this address instead. */
extern volatile uint32_t rt_fixup;

/* RDMSR/WRMSR that return the exception vector (0 if none). */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);

/* Interrupts (vectors 32-255, or an exception with a handler): each one is
 * counted in rt_irq_count[vector], then its handler (if any) runs. */
typedef void (*rt_irq_handler)(struct rt_frame *f);
void rt_set_irq_handler(unsigned vector, rt_irq_handler h);
extern volatile uint32_t rt_irq_count[256];
/* The IRET that ends every handler (guest/rt/start.S). */
extern const char rt_iret[];
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }

static inline uint32_t mmio_read32(uint32_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uint32_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }

/* Busy-wait for about n iterations (no timer needed). */
void rt_delay(uint32_t n);

#endif
