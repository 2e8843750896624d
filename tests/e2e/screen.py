"""
tests/e2e/screen.py - reads the text back from a screenshot of yakvm's
framebuffer console (QEMU's `screendump`, a PPM), cell by cell, using the
same font yakvm draws with (build/<flavor>/gen/font.c). A cell whose pixels
match no glyph exactly reads as '\\x7f', so a damaged screen does not pass.
"""
import re


def load_font(font_c):
    """{16 row bytes: character} from the generated fbcon_font[256][16]."""
    glyphs = {}
    with open(font_c) as f:
        for line in f:
            m = re.match(r"\s*\{([^}]*)\}, /\* 0x([0-9a-f]{2}) \*/", line)
            if not m:
                continue
            rows = bytes(int(x, 16) for x in m.group(1).split(","))
            ch = chr(int(m.group(2), 16))
            # Where glyphs look alike (space and NUL, say), printable ASCII wins.
            if rows not in glyphs or (0x20 <= ord(ch) < 0x7f and
                                      not 0x20 <= ord(glyphs[rows]) < 0x7f):
                glyphs[rows] = ch
    return glyphs


def load_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(fields.group(1)), int(fields.group(2))
    return width, height, data[fields.end():]


def read_screen(ppm, font_c, cell_w=8, cell_h=16):
    glyphs = load_font(font_c)
    width, height, px = load_ppm(ppm)
    lines = []
    for row in range(height // cell_h):
        text = []
        for col in range(width // cell_w):
            cell = bytearray()
            for y in range(cell_h):
                bits = 0
                base = ((row * cell_h + y) * width + col * cell_w) * 3
                for x in range(cell_w):
                    if px[base + 3 * x] > 0x55:   # yakvm draws grey on black
                        bits |= 0x80 >> x
                cell.append(bits)
            text.append(glyphs.get(bytes(cell), "\x7f"))
        lines.append("".join(text).rstrip())
    return lines
