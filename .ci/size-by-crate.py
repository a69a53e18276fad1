#!/usr/bin/env python3
"""Flash per crate of a linked image, by symbol name (not run by CI; for size work).

    .ci/size-by-crate.py transport-embassy/firmware/target/thumbv7em-none-eabihf/release/tencentcloud-firmware-example

Sums `nm -C -S` sizes of .text/.rodata symbols by the first path segment of each demangled
name (`<A as B>::f` counts for A's crate). With LTO, code inlined into a caller counts for
the caller's crate (an async state machine's poll function carries everything it inlined;
a task's poll is `embassy_executor`), so compare images built the same way.
"""
import collections
import re
import subprocess
import sys

elf = sys.argv[1]
out = subprocess.run(["nm", "-C", "-S", "--size-sort", elf], capture_output=True, text=True, check=True).stdout
sizes = collections.Counter()
for line in out.splitlines():
    parts = line.split(None, 3)
    if len(parts) < 4 or parts[2] not in "tTrR":
        continue
    name = re.sub(r"^(mut |const |dyn |impl )+", "", parts[3].lstrip("<&*[( "))
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)", name)
    sizes[m.group(1) if m and "::" in name else "(no path)"] += int(parts[1], 16)
sections = {}
for line in subprocess.run(["size", "-A", elf], capture_output=True, text=True, check=True).stdout.splitlines():
    p = line.split()
    if len(p) >= 2 and p[0] in (".text", ".rodata"):
        sections[p[0]] = int(p[1])
for crate, size in sizes.most_common():
    print(f"{size:8d}  {crate}")
total = sections.get(".text", 0) + sections.get(".rodata", 0)
print(f"{sum(sizes.values()):8d}  named (.text + .rodata: {total}; not in a symbol: {total - sum(sizes.values())})")
