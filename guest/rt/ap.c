/* guest/rt/ap.c - the AP start-up trampoline (see ap.h). */
#include "ap.h"

#define TRAMP_PA 0x8000u
#define AP_STACK 8192

__asm__(
	"	.text\n"
	"	.code16\n"
	"rt_ap_tramp_start:\n"
	"	cli\n"
	"	cld\n"
	"	mov	%cs, %ax\n"
	"	mov	%ax, %ds\n"
	"	lgdtl	rt_ap_tramp_gdtr - rt_ap_tramp_start\n"
	"	mov	%cr0, %eax\n"
	"	or	$1, %eax\n"
	"	mov	%eax, %cr0\n"
	"	ljmpl	$0x08, $rt_ap_entry32\n"
	"	.balign 4\n"
	"	.short	0\n"
	"rt_ap_tramp_gdtr:\n"	/* filled in by rt_ap_prepare (SGDT) */
	"	.short	0\n"
	"	.long	0\n"
	"rt_ap_tramp_end:\n"
	"	.code32\n"
	"rt_ap_entry32:\n"
	"	mov	$0x10, %ax\n"
	"	mov	%ax, %ds\n"
	"	mov	%ax, %es\n"
	"	mov	%ax, %fs\n"
	"	mov	%ax, %gs\n"
	"	mov	%ax, %ss\n"
	"	lidt	rt_ap_idtr\n"
	"	mov	$1, %eax\n"
	"	cpuid\n"
	"	shr	$24, %ebx\n"
	"	and	$15, %ebx\n"		/* RT_AP_MAX - 1 */
	"	lock incl rt_ap_boots(,%ebx,4)\n"
	"	lea	1(%ebx), %eax\n"
	"	shl	$13, %eax\n"		/* AP_STACK */
	"	add	$rt_ap_stacks, %eax\n"
	"	mov	%eax, %esp\n"
	"	push	%ebx\n"
	"	call	*rt_ap_entry\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp	1b\n");

extern const char rt_ap_tramp_start[], rt_ap_tramp_end[], rt_ap_tramp_gdtr[];
struct __attribute__((packed)) rt_dtr { uint16_t limit; uint32_t base; };
struct rt_dtr rt_ap_idtr;
void (*rt_ap_entry)(uint32_t apic_id);
volatile uint32_t rt_ap_boots[RT_AP_MAX];
uint8_t rt_ap_stacks[RT_AP_MAX][AP_STACK] __attribute__((aligned(16)));

void rt_ap_prepare(void (*entry)(uint32_t apic_id))
{
	rt_ap_entry = entry;
	memcpy((void *)TRAMP_PA, rt_ap_tramp_start, (size_t)(rt_ap_tramp_end - rt_ap_tramp_start));
	__asm__ volatile("sgdt %0" : "=m"(*(struct rt_dtr *)(TRAMP_PA +
		(rt_ap_tramp_gdtr - rt_ap_tramp_start))));
	__asm__ volatile("sidt %0" : "=m"(rt_ap_idtr));
}

unsigned rt_ap_self(void)
{
	uint32_t sp = (uint32_t)__builtin_frame_address(0);
	uint32_t lo = (uint32_t)rt_ap_stacks;
	if (sp < lo || sp >= lo + sizeof(rt_ap_stacks))
		return 0;
	return (sp - lo) / AP_STACK;
}
