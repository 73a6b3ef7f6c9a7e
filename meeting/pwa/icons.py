"""Draw the app's PNG icons (the favicon's white V on the brick of the old house) into
`static/icons/`, with the standard library only: `python -m meeting.pwa.icons`.

The shapes are those of `static/icons/icon.svg` (a 32-unit square, corners of radius 6, the V
from (8, 8) to (24, 24)). Each pixel's coverage is computed exactly along every sub-row of a
scanline rasteriser (16 sub-rows per pixel), so edges are smooth without any imaging library.
"Any" icons keep the rounded corners on a transparent background; maskable ones fill the square
and keep the V inside the central safe circle (40 % of the size in radius) that platforms crop
to.
"""

import math
import struct
import zlib
from pathlib import Path

BRICK = (0x8A, 0x2B, 0x0E)
WHITE = (0xFF, 0xFF, 0xFF)
V_SHAPE = [(8, 8), (12.2, 8), (16, 20.4), (19.8, 8), (24, 8), (18, 24), (14, 24)]
SUB_ROWS = 16
ICONS = {
    # name: (size in pixels, corner radius in units of 32, scale of the V around the centre)
    "icon-192.png": (192, 6, 1.0),
    "icon-512.png": (512, 6, 1.0),
    "maskable-192.png": (192, 0, 0.9),
    "maskable-512.png": (512, 0, 0.9),
    "apple-touch-icon.png": (180, 0, 1.0),  # iOS rounds the corners itself
}


def _polygon_spans(points, y):
    """The [x0, x1) spans of a polygon on the horizontal line `y` (even-odd rule)."""
    xs = []
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
        if (y1 <= y < y2) or (y2 <= y < y1):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    xs.sort()
    return list(zip(xs[::2], xs[1::2]))


def _rounded_square_span(size, radius, y):
    """The span of a square `size` wide with rounded corners on the line `y`, or None."""
    if not 0 <= y < size:
        return None
    if radius <= 0:
        return (0.0, float(size))
    dy = max(radius - y, y - (size - radius), 0.0)
    if dy >= radius:
        return None
    inset = radius - math.sqrt(radius * radius - dy * dy)
    return (inset, size - inset)


def _add_span(row, x0, x1, weight):
    """Add `weight` times the covered length of each pixel of `row` between x0 and x1."""
    x0, x1 = max(x0, 0.0), min(x1, float(len(row)))
    if x1 <= x0:
        return
    first, last = int(x0), min(int(x1), len(row) - 1)
    if first == last:
        row[first] += (x1 - x0) * weight
        return
    row[first] += (first + 1 - x0) * weight
    for x in range(first + 1, last):
        row[x] += weight
    row[last] += (x1 - last) * weight


def draw(size, corner, v_scale):
    """RGBA rows of one icon."""
    unit = size / 32
    centre = 16
    v_points = [
        ((centre + (x - centre) * v_scale) * unit, (centre + (y - centre) * v_scale) * unit)
        for x, y in V_SHAPE
    ]
    radius = corner * unit
    rows = []
    for py in range(size):
        back = [0.0] * size
        mark = [0.0] * size
        for sub in range(SUB_ROWS):
            y = py + (sub + 0.5) / SUB_ROWS
            span = _rounded_square_span(size, radius, y)
            if span:
                _add_span(back, span[0], span[1], 1 / SUB_ROWS)
            for x0, x1 in _polygon_spans(v_points, y):
                _add_span(mark, x0, x1, 1 / SUB_ROWS)
        row = bytearray()
        for b, m in zip(back, mark):
            b, m = min(b, 1.0), min(m, b, 1.0)  # the V lies inside the square
            alpha = b
            if alpha <= 0:
                row += b"\0\0\0\0"
                continue
            # White over brick, by the share of the covered area that is the V.
            share = m / alpha
            colour = [round(c1 * (1 - share) + c2 * share) for c1, c2 in zip(BRICK, WHITE)]
            row += bytes(colour + [round(alpha * 255)])
        rows.append(bytes(row))
    return rows


def png(rows, size):
    """A PNG file (8-bit RGBA, no filter) from rows of RGBA bytes."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + row for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main(folder=None):
    folder = Path(folder or Path(__file__).resolve().parents[2] / "static" / "icons")
    folder.mkdir(parents=True, exist_ok=True)
    for name, (size, corner, v_scale) in ICONS.items():
        (folder / name).write_bytes(png(draw(size, corner, v_scale), size))
        print(folder / name)


if __name__ == "__main__":
    main()
