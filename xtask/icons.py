#!/usr/bin/env python3
"""Draws the app icons once: a yellow five-pointed star in a yellow ring on
party red (a ring, so it reads as a badge rather than a national flag).

Run from the workspace root: `python3 xtask/icons.py`. The PNGs it writes to
public/icons/ are committed; this script is not part of the build. It uses
only the standard library (zlib, struct) and anti-aliases with exact
horizontal coverage over 8 sub-rows per pixel.
"""

import math
import struct
import zlib
from pathlib import Path

RED = (0xC8, 0x10, 0x2E)
YELLOW = (0xFF, 0xDE, 0x00)
SUBROWS = 8
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def star_polygon(cx, cy, outer):
    """A regular five-pointed star, point up, as ten (x, y) vertices."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def polygon_spans(polygon, y):
    """The x intervals inside the polygon on the horizontal line y (even-odd)."""
    xs = []
    count = len(polygon)
    for i in range(count):
        (x0, y0), (x1, y1) = polygon[i], polygon[(i + 1) % count]
        if (y0 <= y < y1) or (y1 <= y < y0):
            xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    return list(zip(xs[0::2], xs[1::2]))


def ring_spans(cx, cy, outer, inner, y):
    """The x intervals of an annulus on the line y."""
    def half_width(radius):
        dy = abs(y - cy)
        return math.sqrt(radius * radius - dy * dy) if dy < radius else None

    wo, wi = half_width(outer), half_width(inner)
    if wo is None:
        return []
    if wi is None:
        return [(cx - wo, cx + wo)]
    return [(cx - wo, cx - wi), (cx + wi, cx + wo)]


def rounded_rect_spans(size, radius, y):
    if radius <= 0:
        return [(0.0, float(size))]
    if y < radius:
        dy = radius - y
    elif y > size - radius:
        dy = y - (size - radius)
    else:
        return [(0.0, float(size))]
    if dy >= radius:
        return []
    dx = radius - math.sqrt(radius * radius - dy * dy)
    return [(dx, size - dx)]


def coverage(size, spans_at):
    """Per-pixel coverage (0..1) of a shape given its spans on any line y."""
    cover = [[0.0] * size for _ in range(size)]
    for py in range(size):
        row = cover[py]
        for sub in range(SUBROWS):
            y = py + (sub + 0.5) / SUBROWS
            for x0, x1 in spans_at(y):
                x0, x1 = max(0.0, x0), min(float(size), x1)
                if x1 <= x0:
                    continue
                first, last = int(x0), min(int(math.ceil(x1)) - 1, size - 1)
                for px in range(first, last + 1):
                    overlap = min(x1, px + 1) - max(x0, px)
                    if overlap > 0:
                        row[px] += overlap / SUBROWS
    return cover


def draw(size, ring_radius, corner_radius):
    cx = cy = size / 2
    ring_width = ring_radius * 0.13
    star_radius = (ring_radius - ring_width) * 0.78
    # The star's bounding box hangs below its centre; shift it to look centred.
    star_cy = cy + star_radius * (1 - math.cos(math.radians(36))) / 2
    star = star_polygon(cx, star_cy, star_radius)
    star_cover = coverage(
        size,
        lambda y: polygon_spans(star, y) + ring_spans(cx, cy, ring_radius, ring_radius - ring_width, y),
    )
    shape_cover = coverage(size, lambda y: rounded_rect_spans(size, corner_radius, y))
    rows = []
    for py in range(size):
        row = bytearray([1])  # PNG filter "sub" per row: flat areas compress well.
        previous = (0, 0, 0, 0)
        for px in range(size):
            s = min(1.0, star_cover[py][px])
            a = min(1.0, shape_cover[py][px])
            pixel = tuple(round(r * (1 - s) + y * s) for r, y in zip(RED, YELLOW)) + (round(a * 255),)
            row.extend((pixel[i] - previous[i]) & 0xFF for i in range(4))
            previous = pixel
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, filtered):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(filtered, 9))
        + chunk(b"IEND", b"")
    )


def svg(size, ring_radius, corner_radius):
    """The same badge as a few hundred bytes of SVG: the tab's icon, which a
    first visit fetches beside the app's own downloads."""
    cx = cy = size / 2
    ring_width = ring_radius * 0.13
    star_radius = (ring_radius - ring_width) * 0.78
    star_cy = cy + star_radius * (1 - math.cos(math.radians(36))) / 2
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in star_polygon(cx, star_cy, star_radius))
    red, yellow = ("#%02X%02X%02X" % RED), ("#%02X%02X%02X" % YELLOW)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" rx="{corner_radius:.1f}" fill="{red}"/>'
        f'<circle cx="{cx:g}" cy="{cy:g}" r="{ring_radius - ring_width / 2:.1f}" fill="none" '
        f'stroke="{yellow}" stroke-width="{ring_width:.1f}"/>'
        f'<polygon points="{points}" fill="{yellow}"/></svg>\n'
    ).encode()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    data = svg(192, 0.40 * 192, 0.18 * 192)
    (OUT / "icon.svg").write_bytes(data)
    print(f"icon.svg: {len(data)} bytes")
    icons = {
        # "any" icons: a rounded square, the badge large.
        "icon-192.png": (192, 0.40, 0.18),
        "icon-512.png": (512, 0.40, 0.18),
        # Maskable: full bleed, the badge inside the 80 % safe circle.
        "icon-maskable-512.png": (512, 0.31, 0.0),
        # iOS rounds the corners itself.
        "apple-touch-icon.png": (180, 0.38, 0.0),
    }
    for name, (size, ring, corner) in icons.items():
        data = draw(size, ring * size, corner * size)
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
