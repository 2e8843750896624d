/* lib/crc32.h - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the
 * checksum of GPT headers and partition arrays (UEFI 2.x, 5.3.2) and of
 * zlib's crc32(): crc32_update(0, buf, n) is zlib's crc32(0, buf, n). */
#ifndef YAKVM_LIB_CRC32_H
#define YAKVM_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over n more bytes. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t n);

#endif
