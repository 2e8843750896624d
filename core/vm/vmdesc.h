/*
 * core/vm/vmdesc.h - the VM description language: one Multiboot2 module line
 * per guest image, in the manner of Xen's module2 lines (docs/vm-config.md).
 *
 *   module2 /guests/hello.elf name=hello mem=16M vcpus=2 -- guest args
 *   module2 /guests/extra.bin attach=hello -- module string
 *
 * A line with name= creates a VM from that image. A line with attach=NAME
 * adds its file to an earlier VM: a Multiboot1 module for kind=multiboot, the
 * initrd for kind=linux. A line with image=NAME makes its file a disk image
 * that VMs name in disk=module:NAME[,ro][,size=64M][,serial=TEXT]; host
 * disks are disk=gpt:NAME, disk=partuuid:GUID, disk=serial:SERIAL. Everything after a lone "--" is passed to the guest
 * unchanged (its command line, or the module's string).
 *
 * The line GRUB passes may start with the module's path; a first word that
 * has no '=' and is not "--" is skipped as that path.
 */
#ifndef YAKVM_CORE_VMDESC_H
#define YAKVM_CORE_VMDESC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define VM_NAME_MAX   15          /* [a-z0-9_-], starting with a letter */
#define VM_VCPUS_MAX  16
#define VM_MEM_MIN    (1ull << 20)
#define VM_MEM_MAX    (64ull << 30)
#define VM_MEM_DEFAULT (32ull << 20)
#define VM_ARGS_MAX   2048

#define VM_DISKS_MAX       4
#define VM_DISK_SERIAL_MAX 20               /* virtio-blk's GET_ID: 20 bytes */
#define VM_DISK_SIZE_MAX   (16ull << 30)

#define VM_DISK_HOST_MAX   36               /* a GPT name, a GUID: 36 characters */

/* Where a disk's sectors come from: an image= module (copied into yakvm's
 * memory) or a host disk (drivers/block/): a GPT partition by name or by
 * unique GUID, or a whole disk by its serial. */
enum disk_source { DISK_MODULE, DISK_GPT, DISK_PARTUUID, DISK_SERIAL };

/* disk=SOURCE[,ro][,size=SIZE][,serial=TEXT] (docs/vm-config.md). */
struct disk_desc {
	enum disk_source source;
	char image[VM_NAME_MAX + 1];        /* module: the image= line's NAME */
	char host[VM_DISK_HOST_MAX + 1];    /* gpt:, partuuid:, serial: its text */
	uint64_t size;                      /* size=: bytes, 512-aligned; 0: the image's */
	bool ro;
	char serial[VM_DISK_SERIAL_MAX + 1];/* serial=; default the image's name */
};

enum vm_kind { VM_KIND_AUTO, VM_KIND_MULTIBOOT, VM_KIND_LINUX };
enum vm_on_reset { VM_ON_RESET_STOP, VM_ON_RESET_REBOOT };

enum vm_kvm_pv { VM_KVM_PV_DEFAULT, VM_KVM_PV_ON, VM_KVM_PV_OFF };

struct vm_desc {
	char name[VM_NAME_MAX + 1];
	enum vm_kind kind;          /* kind=auto|multiboot|linux */
	uint64_t mem;               /* mem=SIZE: bytes, K/M/G/T suffix, 4K-aligned */
	unsigned vcpus;             /* vcpus=N, 1..VM_VCPUS_MAX (default 1) */
	uint64_t cpu_mask;          /* cpus=0,2-3: physical CPUs; default all ones */
	enum vm_on_reset on_reset;  /* on_reset=stop|reboot (default stop) */
	bool trace;                 /* trace=1|0 (default 0) */
	bool testdev;               /* testdev=1|0: the MMIO test device (default 0) */
	bool hpet;                  /* hpet=on|off: the HPET at 0xfed00000 (default HPET_DEFAULT) */
	bool rng;                   /* rng=on|off: a virtio-rng device (default off) */
	bool hvc;                   /* hvc=on|off: a virtio-console device (default off) */
	enum vm_kvm_pv kvm_pv;      /* kvm_pv=on|off: KVM's PV EOI in CPUID (default: on,
				     * off under QEMU's TCG; arch/x86/svm/svm.c) */
	bool npt_4k;                /* npt=4k|2m: nested page size for RAM (default 2m) */
	bool unmapped_stop;         /* unmapped=ones|stop: a touch where nothing is
				     * reads all ones (default) or stops the VM */
	uint16_t gdb_port;          /* gdb=com2|0x2f8[,nowait]: the gdb stub's UART, or 0 */
	bool gdb_nowait;            /* ",nowait": run before gdb attaches */
	bool net;                   /* net=on|mac=XX:..: a virtio-net port (default off) */
	uint8_t net_mac[6];         /* mac= given; all zeros: from the VM's name */
	bool net_no_offload;        /* net=...,offload=off: no checksum or TSO features */
	unsigned ndisks;            /* disk=, once per disk (vda, vdb, ...) */
	struct disk_desc disks[VM_DISKS_MAX];
};

/* hpet= when not given (docs/vm-config.md says why). */
#define HPET_DEFAULT  true

enum mod_role { MOD_VM, MOD_ATTACH, MOD_IMAGE };

struct mod_line {
	enum mod_role role;
	struct vm_desc vm;                /* for MOD_VM */
	char attach_to[VM_NAME_MAX + 1];  /* for MOD_ATTACH */
	char image[VM_NAME_MAX + 1];      /* for MOD_IMAGE */
	char args[VM_ARGS_MAX];           /* text after "--", or "" */
};

/*
 * Parses one module line. Returns 0, or -1 with a one-line reason in err,
 * naming the offending option, e.g. "mem=lots: not a size (use e.g. 64M)".
 * Unknown options, repeated options, both name= and attach= (or neither),
 * and out-of-range values are errors.
 */
int vmdesc_parse(const char *line, struct mod_line *out, char *err, size_t errlen);

/* Parses a size such as 4096, 0x1000, 64K, 16M, 2G, 1T: a decimal or 0x hex
 * number, then optionally K, M, G or T (either case), optionally followed
 * by B or iB ("0x10B" is hex 0x10b). Reads only s[0..len). Returns false if
 * malformed or if it overflows 64 bits. */
bool vmdesc_parse_size(const char *s, size_t len, uint64_t *out);

#endif
