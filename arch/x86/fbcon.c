/* arch/x86/fbcon.c - a text console on the framebuffer (see fbcon.h). */
#include "arch/x86/fbcon.h"
#include "lib/log.h"

#define GLYPH_W 8
#define GLYPH_H 16
/* Enough cells for 3840x2160; a larger screen uses its top left part. */
#define MAX_COLS 480
#define MAX_ROWS 135

static struct {
	bool on;
	uint8_t *base;         /* identity mapped: virtual == physical */
	uint32_t pitch;        /* bytes per scanline */
	uint32_t bytes_pp;     /* 2, 3 or 4 */
	uint32_t fg, bg;       /* pixel values */
	uint32_t cols, rows, col, row;
} fbc;

/*
 * What is on the screen, one byte per cell, and each row's length (cells
 * past it are blank). Scrolling redraws only the cells that change, so the
 * framebuffer is only ever written: reading video memory is slow on real
 * hardware (it is uncached or write-combining).
 */
static char text[MAX_ROWS][MAX_COLS];
static uint16_t row_len[MAX_ROWS];

/* An 8-bit colour component placed per the RGB field (spec 3.6.12). */
static uint32_t component(uint8_t v, uint8_t pos, uint8_t size)
{
	if (size == 0 || pos >= 32)
		return 0;
	if (size < 8)
		v >>= 8 - size;
	return (uint32_t)v << pos;
}

static uint32_t rgb(const struct boot_framebuffer *fb, uint8_t r, uint8_t g, uint8_t b)
{
	return component(r, fb->red_pos, fb->red_size) |
	       component(g, fb->green_pos, fb->green_size) |
	       component(b, fb->blue_pos, fb->blue_size);
}

static void put_pixel(uint8_t *p, uint32_t v)
{
	switch (fbc.bytes_pp) {
	case 4:
		*(volatile uint32_t *)p = v;
		break;
	case 3:
		((volatile uint8_t *)p)[0] = (uint8_t)v;
		((volatile uint8_t *)p)[1] = (uint8_t)(v >> 8);
		((volatile uint8_t *)p)[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static void draw_cell(uint32_t row, uint32_t col, char c)
{
	const uint8_t *glyph = fbcon_font[(uint8_t)c];
	uint8_t *line = fbc.base + (uint64_t)row * GLYPH_H * fbc.pitch +
			(uint64_t)col * GLYPH_W * fbc.bytes_pp;
	for (int y = 0; y < GLYPH_H; y++, line += fbc.pitch) {
		uint8_t bits = glyph[y];
		uint8_t *p = line;
		for (int x = 0; x < GLYPH_W; x++, p += fbc.bytes_pp)
			put_pixel(p, (bits & (0x80 >> x)) ? fbc.fg : fbc.bg);
	}
}

static void set_cell(uint32_t row, uint32_t col, char c)
{
	if (text[row][col] == c)
		return;
	text[row][col] = c;
	draw_cell(row, col, c);
}

/* Moves every row up by one and blanks the last. */
static void scroll(void)
{
	for (uint32_t r = 0; r + 1 < fbc.rows; r++) {
		uint32_t n = row_len[r] > row_len[r + 1] ? row_len[r] : row_len[r + 1];
		for (uint32_t c = 0; c < n; c++)
			set_cell(r, c, text[r + 1][c]);
		row_len[r] = row_len[r + 1];
	}
	uint32_t last = fbc.rows - 1;
	for (uint32_t c = 0; c < row_len[last]; c++)
		set_cell(last, c, ' ');
	row_len[last] = 0;
}

static void newline(void)
{
	fbc.col = 0;
	if (fbc.row + 1 < fbc.rows)
		fbc.row++;
	else
		scroll();
}

void fbcon_putc(char c)
{
	if (!fbc.on)
		return;
	switch (c) {
	case '\n':
		newline();
		return;
	case '\r':
		fbc.col = 0;
		return;
	case '\t':
		do
			fbcon_putc(' ');
		while (fbc.col % 8);
		return;
	}
	if ((uint8_t)c < 0x20 || c == 0x7f)
		return;
	if (fbc.col == fbc.cols)
		newline();
	set_cell(fbc.row, fbc.col, c);
	fbc.col++;
	if (row_len[fbc.row] < fbc.col)
		row_len[fbc.row] = (uint16_t)fbc.col;
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
	if (!fb->present) {
		log_info("framebuffer console: no framebuffer from the boot loader");
		return false;
	}
	uint64_t size = (uint64_t)fb->pitch * fb->height;
	if (fb->type != 1 || (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)) {
		log_info("framebuffer console: not used: type %u, %u bpp (need direct RGB, "
			 "16, 24 or 32 bpp)", fb->type, fb->bpp);
		return false;
	}
	/* paging_init maps the low 4 GiB (and RAM); MMIO above is not mapped. */
	if (fb->addr == 0 || fb->addr + size > 0x100000000ull) {
		log_info("framebuffer console: not used: at 0x%lx, not below 4 GiB", fb->addr);
		return false;
	}
	fbc.base = (uint8_t *)fb->addr;
	fbc.pitch = fb->pitch;
	fbc.bytes_pp = fb->bpp / 8;
	fbc.fg = rgb(fb, 0xaa, 0xaa, 0xaa);
	fbc.bg = rgb(fb, 0, 0, 0);
	fbc.cols = fb->width / GLYPH_W;
	fbc.rows = fb->height / GLYPH_H;
	if (fbc.cols > MAX_COLS)
		fbc.cols = MAX_COLS;
	if (fbc.rows > MAX_ROWS)
		fbc.rows = MAX_ROWS;
	if (fbc.cols == 0 || fbc.rows == 0 || (uint64_t)fb->width * fbc.bytes_pp > fb->pitch) {
		log_info("framebuffer console: not used: %ux%u, pitch %u", fb->width,
			 fb->height, fb->pitch);
		return false;
	}
	/* Clear the screen (GRUB's menu may still be there). */
	for (uint32_t y = 0; y < fb->height; y++) {
		uint8_t *p = fbc.base + (uint64_t)y * fbc.pitch;
		for (uint32_t x = 0; x < fb->width; x++, p += fbc.bytes_pp)
			put_pixel(p, fbc.bg);
	}
	for (uint32_t r = 0; r < fbc.rows; r++)
		for (uint32_t c = 0; c < fbc.cols; c++)
			text[r][c] = ' ';
	fbc.on = true;
	log_info("framebuffer console: %ux%ux%u at 0x%lx, %ux%u characters", fb->width,
		 fb->height, fb->bpp, fb->addr, fbc.cols, fbc.rows);
	return true;
}
