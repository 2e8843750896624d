/*
 * lib/log.h - yakvm's own messages. Each line goes to the console with the
 * prefix "yakvm: "; lines below the configured level are dropped.
 */
#ifndef YAKVM_LIB_LOG_H
#define YAKVM_LIB_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Where the lines go: the console (core/console/console.c), set by main()
 * before the first line. lib/ knows nothing of core/. */
struct log_sink {
	void (*write)(const char *s, size_t len);
	void (*urgent)(void);   /* before a panic: wait for nobody */
};
void log_set_sink(const struct log_sink *sink);
/* Before a report that must get out (an exception, a panic): the console
 * waits for nobody (the sink's urgent()). */
void log_urgent(void);

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints without the prefix or level filter (reports, tables). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* yakvm's own invariant is broken: report and stop this CPU. Never for
 * anything a guest did. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
