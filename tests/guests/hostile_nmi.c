/*
 * tests/guests/hostile_nmi.c - an NMI flood and INIT/SIPI at random times
 * between the vCPUs of one VM (vcpus=3).
 *
 * The boot vCPU sends NMIs to AP 1 as fast as it can, NMIs to itself (self
 * shorthand) and now and then to AP 2; at pseudo-random moments it sends AP 2
 * an INIT, waits a random while and sends a SIPI, and AP 2 restarts from the
 * SIPI page and reports its boot count; stray SIPIs go to AP 2 while it runs.
 * The architecture says (APM vol. 2, 16.5; Intel SDM vol. 3, 6.7.1 and
 * 8.4): an NMI handler is not entered again before its IRET has
 * completed; NMIs that arrive meanwhile collapse into one; INIT puts an AP
 * into wait-for-SIPI, and only a SIPI after the INIT starts it, once.
 * Then AP 1 halts with IF=0 and an NMI from the boot vCPU must wake it.
 *
 * Output: "nmi: ok NAME" / "nmi: FAIL NAME (...)", then "nmi: N failures";
 * the exit status is N.
 */
#include "rt.h"
#include "hw.h"
#include "ap.h"

#define NCPUS 3
#define AP_FLOOD   1
#define AP_RESTART 2
#define FLOOD 3000

#define ICR_NMI     0x0400u
#define ICR_INIT    0x0500u
#define ICR_STARTUP 0x0600u
#define ICR_ASSERT  (1u << 14)
#define SH_SELF     (1u << 18)

static volatile uint32_t nmis[NCPUS], nested[NCPUS], early[NCPUS], in_nmi[NCPUS];
static volatile uint32_t beat[NCPUS], booted[NCPUS];
static volatile uint32_t halt_cmd, halting, woke;
static uint64_t tpm;

#define check(...) rt_check("nmi", __VA_ARGS__)

static void send(uint32_t dest, uint32_t lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo | ICR_ASSERT);
}

static bool wait_ge(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	uint64_t end = rdtsc() + tpm * ms;
	while (*p < want)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Counts the NMI on the vCPU it came to; a second entry before the first
 * one's IRET, or an entry at the IRET itself (the IRET had not completed),
 * is counted as such. The pause widens the window for both. On AP 1 the
 * handler ends with STI, so it reaches its IRET with IF=1. */
static void nmi_handler(struct rt_frame *f)
{
	unsigned id = rt_ap_self();
	if (in_nmi[id])
		nested[id]++;
	in_nmi[id] = 1;
	if (f->eip == (uint32_t)rt_iret)
		early[id]++;
	nmis[id]++;
	for (int i = 0; i < 200; i++)
		__builtin_ia32_pause();
	in_nmi[id] = 0;
	if (id == AP_FLOOD)
		sti();	/* IF=1 at the IRET: NMIs must still wait for it */
}

static void ap_main(uint32_t id)
{
	in_nmi[id] = 0;	/* an INIT may have cut its last handler short */
	booted[id] = rt_ap_boots[id];
	sti();
	for (;;) {
		if (id == AP_FLOOD && halt_cmd) {
			halt_cmd = 0;
			cli();
			halting = 1;
			__asm__ volatile("hlt");	/* only an NMI ends it */
			woke = 1;
			sti();
		}
		beat[id]++;
		__builtin_ia32_pause();
	}
}

static uint32_t lcg(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 16;
}

static bool start(uint32_t ap, uint32_t want_boots)
{
	send(ap, ICR_INIT);
	tsc_delay_ms(tpm, 10);
	send(ap, ICR_STARTUP | RT_AP_SIPI_VECTOR);
	tsc_delay_ms(tpm, 1);
	send(ap, ICR_STARTUP | RT_AP_SIPI_VECTOR);
	return wait_ge(&booted[ap], want_boots, 3000);
}

static void flood(void)
{
	uint32_t seed = 20261121, sent[NCPUS] = { 0 }, pairs = 0, strays = 0, late = 0;
	for (unsigned i = 0; i < FLOOD; i++) {
		send(AP_FLOOD, ICR_NMI);
		sent[AP_FLOOD]++;
		if (i % 16 == 0) {
			send(0, ICR_NMI | SH_SELF);
			sent[0]++;
		}
		uint32_t r = lcg(&seed) & 0xff;
		if (r < 4) {	/* INIT, a random gap, SIPI: one restart */
			uint32_t want = rt_ap_boots[AP_RESTART] + 1;
			send(AP_RESTART, ICR_INIT);
			for (uint32_t n = lcg(&seed) & 0x3fff; n; n--)
				__builtin_ia32_pause();
			send(AP_RESTART, ICR_STARTUP | RT_AP_SIPI_VECTOR);
			pairs++;
			if (!wait_ge(&booted[AP_RESTART], want, 3000))
				late++;
		} else if (r < 8) {	/* a SIPI with no INIT before it */
			send(AP_RESTART, ICR_STARTUP | RT_AP_SIPI_VECTOR);
			strays++;
		} else if (r < 24) {
			send(AP_RESTART, ICR_NMI);
			sent[AP_RESTART]++;
		}
	}
	tsc_delay_ms(tpm, 50);
	printf("nmi: flood: %u NMIs sent to cpu 1, %u to itself, %u to cpu 2; %u INIT+SIPI "
	       "pairs, %u stray SIPIs\n", sent[1], sent[0], sent[2], pairs, strays);
	printf("nmi: received: cpu 0 %u, cpu 1 %u, cpu 2 %u\n",
	       nmis[0], nmis[1], nmis[2]);
	uint32_t boots = rt_ap_boots[AP_RESTART];
	check(pairs > 0 && late == 0 && boots == 1 + pairs && booted[AP_RESTART] == boots,
	      "every INIT+SIPI pair restarted AP 2 exactly once", "%u pairs, %u boots, %u late",
	      pairs, boots, late);
	check(strays > 0 && boots == 1 + pairs, "stray SIPIs to a running AP are ignored",
	      "%u strays, %u boots", strays, boots);
	check(nmis[1] > 0 && nmis[1] <= sent[1], "NMIs to cpu 1: received > 0 and <= sent",
	      "%u of %u", nmis[1], sent[1]);
	check(nmis[0] > 0 && nmis[0] <= sent[0], "self NMIs: received > 0 and <= sent",
	      "%u of %u", nmis[0], sent[0]);
	check(nested[0] + nested[1] + nested[2] == 0,
	      "no NMI handler entered while another ran (NMIs blocked until IRET)",
	      "%u %u %u", nested[0], nested[1], nested[2]);
	check(early[0] + early[1] + early[2] == 0,
	      "no NMI taken before the handler's IRET completed",
	      "%u %u %u", early[0], early[1], early[2]);
	check(rt_ap_boots[AP_FLOOD] == 1, "AP 1 never restarted", "%u boots",
	      rt_ap_boots[AP_FLOOD]);
}

static void init_alone(void)
{
	send(AP_RESTART, ICR_STARTUP | RT_AP_SIPI_VECTOR);	/* stray: ignored */
	tsc_delay_ms(tpm, 5);
	uint32_t boots = rt_ap_boots[AP_RESTART];
	send(AP_RESTART, ICR_INIT);
	tsc_delay_ms(tpm, 10);
	uint32_t b0 = beat[AP_RESTART];
	tsc_delay_ms(tpm, 20);
	check(rt_ap_boots[AP_RESTART] == boots && beat[AP_RESTART] == b0,
	      "after INIT alone the AP waits for a SIPI (an earlier stray SIPI does not start it)",
	      "boots %u -> %u", boots, rt_ap_boots[AP_RESTART]);
	send(AP_RESTART, ICR_STARTUP | RT_AP_SIPI_VECTOR);
	bool up = wait_ge(&booted[AP_RESTART], boots + 1, 3000);
	send(AP_RESTART, ICR_STARTUP | RT_AP_SIPI_VECTOR);
	tsc_delay_ms(tpm, 20);
	check(up && rt_ap_boots[AP_RESTART] == boots + 1,
	      "the SIPI after it starts the AP once (a second SIPI is ignored)",
	      "boots %u -> %u", boots, rt_ap_boots[AP_RESTART]);
	uint32_t n = nmis[AP_RESTART];
	send(AP_RESTART, ICR_NMI);
	check(wait_ge(&nmis[AP_RESTART], n + 1, 2000), "the restarted AP takes NMIs",
	      "%u", nmis[AP_RESTART]);
}

static void halt_if0(void)
{
	halt_cmd = 1;
	bool halted = wait_ge(&halting, 1, 3000);
	tsc_delay_ms(tpm, 20);
	check(halted && !woke, "AP 1 halted with IF=0 stays halted", "halting %u woke %u",
	      halting, woke);
	uint32_t n = nmis[AP_FLOOD];
	send(AP_FLOOD, ICR_NMI);
	check(wait_ge(&woke, 1, 3000) && nmis[AP_FLOOD] == n + 1,
	      "an NMI from another vCPU wakes a vCPU halted with IF=0", "woke %u", woke);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	tpm = tsc_per_ms();
	rt_set_irq_handler(2, nmi_handler);
	sti();	/* Bochs 2.7 does not preempt a guest with IF=0 (docs/status.md) */
	lapic_write(LAPIC_SVR, 0x1ff);
	rt_ap_prepare(ap_main);
	bool up = start(AP_FLOOD, 1) && start(AP_RESTART, 1);
	tsc_delay_ms(tpm, 20);
	check(up && rt_ap_boots[1] == 1 && rt_ap_boots[2] == 1,
	      "both APs start with INIT-SIPI-SIPI, each once", "boots %u %u",
	      rt_ap_boots[1], rt_ap_boots[2]);
	if (up) {
		flood();
		init_alone();
		halt_if0();
	}
	printf("nmi: %d failures\n", rt_failures);
	return rt_failures;
}
