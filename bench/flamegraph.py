#!/usr/bin/env python3
"""Flame graph of a perf recording: bench/flamegraph.py DATA.perf.data [--comm NAME]

Writes DATA.folded (one "frame;frame;frame count" line per distinct stack, the format every
flame graph viewer reads, e.g. speedscope.app) and DATA.svg (a flame graph to open in a
browser; hover a frame for its name and share). Written here because Debian 12 packages
neither Brendan Gregg's FlameGraph scripts nor the d3 template `perf script report
flamegraph` needs; this does only what those do for one recording: fold, then draw.
"""
import argparse
import collections
import html
import subprocess
import sys
import zlib


def fold(data, comm):
    """Reads `perf script` output: a header line per sample, then its frames, innermost first."""
    cmd = ["perf", "script", "-i", data, "-F", "comm,ip,sym,dso"]
    if comm:
        cmd += ["--comms", comm]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=True).stdout
    stacks = collections.Counter()
    sample_comm, frames = None, []

    def flush():
        if sample_comm is not None:
            stacks[";".join([sample_comm] + frames[::-1])] += 1

    for line in out.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():  # a sample's header: its command
            flush()
            sample_comm, frames = line.strip().split(" ")[0], []
            continue
        # "ADDRESS SYMBOL+OFFSET (DSO)": a frame without a symbol is named by its library.
        rest = line.strip().split(" ", 1)[1] if " " in line.strip() else ""
        dso = ""
        if rest.endswith(")") and " (" in rest:
            rest, dso = rest.rsplit(" (", 1)
            dso = dso[:-1].rsplit("/", 1)[-1]
        sym = rest.split("+0x")[0].strip()
        if sym in ("[unknown]", ""):
            sym = f"[{dso}]" if dso and dso != "unknown" else "[unknown]"
        frames.append(sym.replace(";", ":"))
    flush()
    return stacks


def color(name):
    h = zlib.crc32(name.encode())
    return f"rgb({205 + h % 50},{(h >> 8) % 180 + 40},{(h >> 16) % 50})"


def draw(stacks, title, width=1600, frame_h=16):
    root = {"n": 0, "kids": {}}
    for stack, count in stacks.items():
        node = root
        node["n"] += count
        for frame in stack.split(";"):
            node = node["kids"].setdefault(frame, {"n": 0, "kids": {}})
            node["n"] += count
    total = root["n"] or 1

    def depth(node):
        return 1 + max((depth(k) for k in node["kids"].values()), default=0)

    levels = depth(root)
    height = (levels + 2) * frame_h + 30
    rects = []

    def walk(node, name, x, level):
        w = node["n"] / total * width
        if w < 0.3:
            return
        y = height - (level + 1) * frame_h - 10
        label = html.escape(name)
        share = 100.0 * node["n"] / total
        text = label if w > 60 else ""
        if text and len(text) * 7 > w:
            text = text[: max(0, int(w / 7) - 2)] + ".."
        rects.append(
            f'<g><title>{label} ({node["n"]} samples, {share:.2f}%)</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{frame_h - 1}" fill="{color(name)}"/>'
            f'<text x="{x + 3:.1f}" y="{y + frame_h - 4}">{text}</text></g>'
        )
        for kid_name, kid in sorted(node["kids"].items()):
            walk(kid, kid_name, x, level + 1)
            x += kid["n"] / total * width

    x = 0.0
    for name, kid in sorted(root["kids"].items()):
        walk(kid, name, x, 0)
        x += kid["n"] / total * width
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="monospace" font-size="11">'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<text x="4" y="16" font-size="14">{html.escape(title)} ({total} samples)</text>'
        + "".join(rects)
        + "</svg>\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--comm", help="only samples of this command (e.g. herald)")
    args = parser.parse_args()
    stacks = fold(args.data, args.comm)
    if not stacks:
        sys.exit(f"no samples in {args.data}")
    base = args.data[: -len(".perf.data")] if args.data.endswith(".perf.data") else args.data
    with open(base + ".folded", "w") as f:
        for stack, count in sorted(stacks.items()):
            f.write(f"{stack} {count}\n")
    with open(base + ".svg", "w") as f:
        f.write(draw(stacks, base.rsplit("/", 1)[-1]))
    print(f"flame graph: {base}.svg (folded stacks: {base}.folded)")


if __name__ == "__main__":
    main()
