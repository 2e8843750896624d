/*
 * core/options.c - parse yakvm's own command line, the multiboot2 line in
 * grub.cfg (core/options.h). Never fails: a bad option becomes a one-line
 * warning and is otherwise ignored, so yakvm always boots.
 */
#include <stdbool.h>
#include "core/options.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/token.h"
#include "lib/number.h"

/* How much of an offending token a warning quotes. */
#define TOKEN_QUOTE_MAX 60


/* Collects warnings, one per line, always terminated. */
struct warnings {
	char *buf;
	size_t size, len;
	int count;
};




static void warn(struct warnings *w, struct token t, const char *why)
{
	w->count++;
	if (!w->buf || w->size == 0 || w->len + 1 >= w->size)
		return;
	int quoted = (int)(t.len < TOKEN_QUOTE_MAX ? t.len : TOKEN_QUOTE_MAX);
	int n = snprintf(w->buf + w->len, w->size - w->len, "%s%.*s: %s, ignored",
			 w->len ? "\n" : "", quoted, t.s, why);
	if (n < 0)
		return;
	w->len += (size_t)n;
	if (w->len > w->size - 1)
		w->len = w->size - 1;
}

/* A comma list of ports and "fb"; the first port is the console. "fb" is
 * accepted: the framebuffer console is on whenever there is a framebuffer. */
static bool parse_console(const char *s, size_t len, uint16_t *port)
{
	bool have_port = false;
	uint16_t first = 0;
	size_t i = 0;
	for (;;) {
		size_t end = i;
		while (end < len && s[end] != ',')
			end++;
		uint16_t p;
		if (token_is(s + i, end - i, "fb")) {
			/* fbcon is on whenever GRUB gives a framebuffer */
		} else if (parse_io_port(s + i, end - i, &p)) {
			if (!have_port)
				first = p;
			have_port = true;
		} else {
			return false;
		}
		if (end == len)
			break;
		i = end + 1;
	}
	if (have_port)
		*port = first;
	return true;
}

static bool known_option(const char *key, size_t key_len)
{
	return token_is(key, key_len, "loglevel") ||
	       token_is(key, key_len, "console") ||
	       token_is(key, key_len, "on_idle") ||
	       token_is(key, key_len, "x2apic") ||
	       token_is(key, key_len, "tcg_virq") ||
	       token_is(key, key_len, "idle_poll") ||
	       token_is(key, key_len, "disk_selftest") ||
	       token_is(key, key_len, "net_selftest") ||
	       token_is(key, key_len, "uplink");
}

/* Applies key=value; returns why it is bad, or NULL. */
static const char *apply_option(const char *key, size_t key_len,
				const char *v, size_t len,
				struct yakvm_options *opts)
{
	static const char *const levels[] = {
		[LOG_ERROR] = "error", [LOG_WARN] = "warn",
		[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	if (token_is(key, key_len, "loglevel")) {
		for (unsigned l = LOG_ERROR; l <= LOG_DEBUG; l++) {
			if (token_is(v, len, levels[l])) {
				opts->loglevel = (enum log_level)l;
				return NULL;
			}
		}
		return "must be error, warn, info or debug";
	}
	if (token_is(key, key_len, "console")) {
		if (!parse_console(v, len, &opts->console_port))
			return "must be com1-com4 or a port 0x1-0xffff, "
			       "optionally followed by ,fb";
		return NULL;
	}
	if (token_is(key, key_len, "on_idle")) {
		if (token_is(v, len, "halt"))
			opts->on_idle = ON_IDLE_HALT;
		else if (token_is(v, len, "exit"))
			opts->on_idle = ON_IDLE_EXIT;
		else
			return "must be halt or exit";
		return NULL;
	}
	if (token_is(key, key_len, "x2apic"))
		return token_switch(v, len, "1", "0", &opts->x2apic) ? NULL : "must be 0 or 1";
	if (token_is(key, key_len, "tcg_virq"))
		return token_switch(v, len, "1", "0", &opts->tcg_virq) ? NULL : "must be 0 or 1";
	if (token_is(key, key_len, "idle_poll"))
		return token_switch(v, len, "on", "off", &opts->idle_poll) ? NULL :
		       "must be on or off";
	if (token_is(key, key_len, "disk_selftest")) {
		if (len == 0 || len >= sizeof(opts->disk_selftest))
			return "must be a partition name of 1 to 39 characters";
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
				return "must be a partition name in printable ASCII";
		memcpy(opts->disk_selftest, v, len);
		opts->disk_selftest[len] = 0;
		return NULL;
	}
	if (token_is(key, key_len, "net_selftest")) {
		if (len >= sizeof(opts->net_selftest))
			return "must be a network card's name (net0...)";
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
				return "must be a network card's name (net0...)";
		memcpy(opts->net_selftest, v, len);
		opts->net_selftest[len] = 0;
		return NULL;
	}
	if (token_is(key, key_len, "uplink")) {
		if (len == 0 || len >= sizeof(opts->uplink))
			return "must be a network card's name (net0...) or none";
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
				return "must be a network card's name (net0...) or none";
		memcpy(opts->uplink, v, len);
		opts->uplink[len] = 0;
		return NULL;
	}
	return "unknown option";
}

void options_defaults(struct yakvm_options *opts)
{
	opts->loglevel = LOG_INFO;
	opts->console_port = 0x3f8;
	opts->on_idle = ON_IDLE_HALT;
	opts->x2apic = false;
	opts->tcg_virq = false;
	opts->idle_poll = true;
	opts->disk_selftest[0] = 0;
	opts->net_selftest[0] = 0;
	memcpy(opts->uplink, "net0", 5);
}

int options_parse(const char *cmdline, struct yakvm_options *opts,
		  char *warn_buf, size_t warnlen)
{
	struct warnings w = { .buf = warn_buf, .size = warnlen };
	const char *p = cmdline ? cmdline : "";
	struct token t;
	bool first = true;

	if (warn_buf && warnlen)
		warn_buf[0] = '\0';
	while (next_token(&p, &t)) {
		bool is_first = first;
		first = false;
		size_t key_len = 0;
		while (key_len < t.len && t.s[key_len] != '=')
			key_len++;
		if (key_len == t.len) {
			if (!is_first) /* a first word without '=' is the path */
				warn(&w, t, "expected option=value");
			continue;
		}
		const char *value = t.s + key_len + 1;
		size_t value_len = t.len - key_len - 1;
		const char *why;
		if (!known_option(t.s, key_len))
			why = "unknown option";
		else if (value_len == 0)
			why = "empty value";
		else
			why = apply_option(t.s, key_len, value, value_len, opts);
		if (why)
			warn(&w, t, why);
	}
	return w.count;
}
