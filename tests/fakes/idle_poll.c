/*
 * tests/fakes/idle_poll.c - see idle_poll.h.
 */
#include "tests/fakes/idle_poll.h"
#include <stddef.h>

#define FAKE_IDLE_POLLS 8

bool fake_idle_cpu;
unsigned fake_idle_wakes;
static struct idle_poll *slots[FAKE_IDLE_POLLS];

void fake_idle_poll_reset(void)
{
	fake_idle_cpu = false;
	fake_idle_wakes = 0;
	for (unsigned i = 0; i < FAKE_IDLE_POLLS; i++)
		slots[i] = NULL;
}

bool idle_poll_add(struct idle_poll *ip)
{
	for (unsigned i = 0; i < FAKE_IDLE_POLLS; i++)
		if (!slots[i]) {
			slots[i] = ip;
			return true;
		}
	return false;
}

void idle_poll_remove(struct idle_poll *ip)
{
	for (unsigned i = 0; i < FAKE_IDLE_POLLS; i++)
		if (slots[i] == ip)
			slots[i] = NULL;
}

bool idle_poll_spare(void)
{
	return fake_idle_cpu;
}

void idle_poll_want(struct idle_poll *ip)
{
	ip->wanted = true;
	fake_idle_wakes++;
}

void fake_idle_cpu_round(void)
{
	if (!fake_idle_cpu)
		return;
	for (unsigned i = 0; i < FAKE_IDLE_POLLS; i++)
		if (slots[i] && slots[i]->wanted)
			slots[i]->poll(slots[i]);
}
