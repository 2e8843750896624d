/* tests/unit/cpu_model_doc.h - docs/cpu-model.md from the CPU model table. */
#ifndef YAKVM_TESTS_CPU_MODEL_DOC_H
#define YAKVM_TESTS_CPU_MODEL_DOC_H
#include <stddef.h>
/* Renders into buf (at most len bytes, NUL-terminated when it fits);
 * returns the full length, as snprintf. */
size_t cpu_model_render_doc(char *buf, size_t len);
#endif
