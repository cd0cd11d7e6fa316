#!/usr/bin/env python3
# Regenerates miniprogram/src/assets/tab/*.png: python3 scripts/tab-icons.py miniprogram/src/assets/tab
# Tab bar icons (81×81 PNG, WeChat's recommended size): drawn from simple shapes, 4× supersampled.
import math, struct, zlib, sys
N = 81; S = 4; M = N * S
def png(path, rgba):
    raw = b''.join(b'\x00' + bytes(rgba[y * N * 4:(y + 1) * N * 4]) for y in range(N))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', N, N, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
def ring(cx, cy, r, w): return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) <= w / 2
def disc(cx, cy, r): return lambda x, y: math.hypot(x - cx, y - cy) <= r
def seg(x1, y1, x2, y2, w):
    def f(x, y):
        dx, dy = x2 - x1, y2 - y1; t = max(0, min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        return math.hypot(x - x1 - t * dx, y - y1 - t * dy) <= w / 2
    return f
def rrect(x1, y1, x2, y2, r, w):
    # outline of a rounded rectangle
    def inside(x, y, shrink):
        a1, b1, a2, b2, rr = x1 + shrink, y1 + shrink, x2 - shrink, y2 - shrink, max(r - shrink, 0)
        if x < a1 or x > a2 or y < b1 or y > b2: return False
        cx = min(max(x, a1 + rr), a2 - rr); cy = min(max(y, b1 + rr), b2 - rr)
        return math.hypot(x - cx, y - cy) <= rr
    return lambda x, y: inside(x, y, 0) and not inside(x, y, w)
def arc_top(cx, cy, rx, ry, w):
    # upper half of an ellipse outline (shoulders)
    def f(x, y):
        if y > cy: return False
        v = math.hypot((x - cx) / rx, (y - cy) / ry)
        return abs(v - 1) * min(rx, ry) <= w / 2
    return f
W = 6
ICONS = {
    # 客户: a contact card: frame, head, shoulders, lines
    'customers': [rrect(8, 16, 73, 66, 8, W), ring(29, 36, 7, W), arc_top(29, 58, 12, 9, W), seg(46, 34, 62, 34, W), seg(46, 46, 58, 46, W)],
    # 待办: a checklist: box with a tick, two lines
    'todos': [rrect(10, 10, 71, 71, 10, W), seg(22, 40, 33, 51, W), seg(33, 51, 58, 26, W)],
    # 我的: a person
    'me': [ring(40.5, 27, 12, W), arc_top(40.5, 70, 24, 22, W), seg(16.5, 70, 64.5, 70, W)],
}
COLORS = {'': (0x66, 0x66, 0x66), '-active': (0xfa, 0x2c, 0x19)}
out = sys.argv[1]
for name, shapes in ICONS.items():
    cover = [0] * (N * N)
    for py in range(M):
        for px in range(M):
            x, y = (px + 0.5) / S, (py + 0.5) / S
            if any(f(x, y) for f in shapes): cover[(py // S) * N + px // S] += 1
    for suffix, (r, g, b) in COLORS.items():
        rgba = []
        for c in cover: rgba += [r, g, b, round(255 * c / (S * S))]
        png(f'{out}/{name}{suffix}.png', rgba)
