#!/usr/bin/env python3
"""Whole-process A/B of generation: ours against progenitor, and optionally
against another build of ours, on the same inputs, in shuffled order each
round. Reports median wall time (clock around spawn and wait, nanoseconds) and
median CPU time (user + system, from wait4), and each side's ratio to the last
side.

    python3 scripts/bench-ab.py tests/corpus/oai-link-example.yaml
    python3 scripts/bench-ab.py --rounds 41 --old target/base/release/openapi-clientgen SPEC...
    python3 scripts/bench-ab.py --no-progenitor --old OLD_BINARY tests/corpus/openai.yaml \
        --overlay tests/corpus/overlays/openai.yml   # specs progenitor does not take
    TMPDIR=/dev/shm python3 scripts/bench-ab.py SPEC...   # outputs on tmpfs: the generators, not ext4
    python3 scripts/bench-ab.py --phases SPEC...   # and where the time goes, phase by phase
    python3 scripts/bench-ab.py --cargo-progenitor target/cargo-progenitor/bin/cargo-progenitor SPEC...
        # and progenitor as its users run it (`cargo progenitor`, formatting with rustfmt)

With --phases every side runs with OPENAPI_CLIENTGEN_TIMINGS set, prints
when its `main` began and how long each phase took on stderr (which then goes
to a file instead of /dev/null), and the median of each phase is reported:
loading (spawn to `main`), argument parsing, setup, analysis, generation,
writing and exit (last mark to the end of `wait4`).

The sides are spawned directly (no /usr/bin/time in between, which adds about
a millisecond to both sides of bench-progenitor.sh and pulls its ratios
towards 1). Peak memory is not measured here: a child spawned from Python
inherits Python's resident set in its high-water mark; bench-progenitor.sh
reports it with /usr/bin/time -v. Both binaries must be built in release
first (bench-progenitor.sh builds them). Not run by CI; nothing asserts on
timings.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("specs", nargs="+", help="spec files, each measured on its own")
    p.add_argument("--rounds", type=int, default=41)
    p.add_argument("--ours", default=os.path.join(TARGET, "release", "openapi-clientgen"))
    p.add_argument("--old", help="another build of openapi-clientgen to compare (e.g. the previous commit's)")
    p.add_argument("--no-progenitor", action="store_true", help="ours (and --old) only; ratios are to ours")
    p.add_argument("--overlay", action="append", default=[], help="an overlay for our sides (repeatable)")
    p.add_argument(
        "--phases",
        action="store_true",
        help="also report where each side's time goes (loading, argument parsing, analysis, "
        "generation, writing, exit), from the timings it prints with OPENAPI_CLIENTGEN_TIMINGS set",
    )
    p.add_argument(
        "--progenitor",
        default=os.path.join(TARGET, "progenitor-baseline", "release", "progenitor-baseline"),
    )
    p.add_argument(
        "--cargo-progenitor",
        metavar="BIN",
        help="also run progenitor's own command (`cargo progenitor`, which formats with rustfmt "
        "as a second process) on the same specs, with its defaults (the baseline's settings); "
        f"install it with: {CARGO_PROGENITOR_INSTALL}",
    )
    args = p.parse_args()
    if args.overlay and not args.no_progenitor:
        sys.exit("--overlay needs --no-progenitor: progenitor reads no overlays, so the inputs would differ")
    if args.cargo_progenitor and (args.no_progenitor or args.phases):
        sys.exit("--cargo-progenitor goes with the progenitor baseline and without --phases (it prints no timings)")
    sides = {"ours": args.ours}
    if args.old:
        sides = {"old": args.old, **sides}
    if args.cargo_progenitor:
        sides["cargo-progenitor"] = args.cargo_progenitor
    if not args.no_progenitor:
        sides["progenitor"] = args.progenitor
    for name, binary in sides.items():
        if not os.access(binary, os.X_OK):
            how = (
                CARGO_PROGENITOR_INSTALL
                if name == "cargo-progenitor"
                else "cargo build --release; see scripts/bench-progenitor.sh"
            )
            sys.exit(f"{name}: {binary} is not built ({how})")
    work = tempfile.mkdtemp(prefix="bench-ab-")
    # Each side runs from a fresh copy of its binary, as `cargo install` places
    # one. How a file got into the page cache changes how fast it starts: on
    # this machine's kernel (6.18, ext4) our binary as the linker wrote it ran
    # 5-13 % slower than a copy of it, and progenitor's took 57 % more CPU time
    # (BENCHMARKS.md, stop 28), so sides written differently are not comparable.
    for name, binary in list(sides.items()):
        copy = os.path.join(work, f"bin-{name}")
        shutil.copyfile(binary, copy)
        os.chmod(copy, 0o755)
        sides[name] = copy
    devnull = os.open(os.devnull, os.O_WRONLY)
    env = dict(os.environ)
    if args.phases:
        env[TIMINGS_VAR] = "1"
    print(f"cpus: {os.cpu_count()}; load: {os.getloadavg()[0]:.2f}; rounds: {args.rounds}")
    try:
        for spec in args.specs:
            wall = {s: [] for s in sides}
            cpu = {s: [] for s in sides}
            phases = {s: {} for s in sides}
            for _ in range(args.rounds):
                order = list(sides)
                random.shuffle(order)
                for side in order:
                    out = os.path.join(work, side)
                    shutil.rmtree(out, ignore_errors=True)
                    if side == "progenitor":
                        # It makes the directory itself, as ours does (both inside the timing).
                        argv = [sides[side], spec, out]
                    elif side == "cargo-progenitor":
                        argv = [sides[side], "progenitor", "-i", spec, "-o", out, "-n", "bench", "-v", "0.1.0"]
                    else:
                        argv = [sides[side], "generate", spec, "--out", out, "--crate-name", "bench"]
                        for overlay in args.overlay:
                            argv += ["--overlay", overlay]
                    # With --phases, stderr goes to a file to be read afterwards.
                    err = os.open(out + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if args.phases else devnull
                    spawned_unix_ns = time.time_ns()
                    start = time.perf_counter_ns()
                    pid = os.posix_spawn(
                        argv[0],
                        argv,
                        env,
                        file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, err, 2)],
                    )
                    _, status, usage = os.wait4(pid, 0)
                    elapsed = time.perf_counter_ns() - start
                    wall[side].append(elapsed / 1e6)
                    cpu[side].append((usage.ru_utime + usage.ru_stime) * 1e3)
                    code = os.waitstatus_to_exitcode(status)
                    if code != 0:
                        sys.exit(f"{side} exited with {code} on {spec} (progenitor: 2 when it refuses the spec)")
                    if args.phases:
                        os.close(err)
                        with open(out + ".err", encoding="utf-8", errors="replace") as f:
                            add_phases(phases[side], f.read(), spawned_unix_ns, elapsed, side)
            last = list(sides)[-1]
            w = {s: statistics.median(v) for s, v in wall.items()}
            c = {s: statistics.median(v) for s, v in cpu.items()}
            print(os.path.basename(spec))
            for s in sides:
                ratio = "" if s == last else f"   wall {w[s] / w[last]:.3f}   cpu {c[s] / c[last]:.3f} × {last}"
                print(f"  {s:<16} wall {w[s]:9.2f} ms   cpu {c[s]:9.2f} ms{ratio}")
            if args.phases:
                print("  median µs        " + "".join(f"{p:>10}" for p in PHASES))
                for s in sides:
                    row = "".join(f"{statistics.median(phases[s][p]):10.0f}" for p in PHASES)
                    print(f"  {s:<16} {row}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


TIMINGS_VAR = "OPENAPI_CLIENTGEN_TIMINGS"
# How --cargo-progenitor's binary is installed (the version the baseline uses).
CARGO_PROGENITOR_INSTALL = "cargo install cargo-progenitor --version 0.15.1 --locked --root target/cargo-progenitor"
# Each run's wall time in parts: from spawning to the first line of `main`
# (loading, relocating, the allocator's and std's start-up), the phases the
# program reports, and from its last mark to the end of `wait4` (exit and
# freeing its memory). A phase a side does not have (progenitor's baseline
# parses no options and has no setup) is 0.
PHASES = ["load", "args", "setup", "analyze", "generate", "write", "exit"]


def add_phases(acc, stderr, spawned_unix_ns, elapsed_ns, side):
    """Adds one run's phases (µs) from its `timings:` line to `acc`."""
    line = next((l for l in stderr.splitlines() if l.startswith("timings: ")), None)
    if line is None:
        sys.exit(f"{side} printed no timings line with {TIMINGS_VAR} set")
    fields = dict(kv.split("=", 1) for kv in line.split()[1:])
    load = (int(fields.pop("main_unix_ns")) - spawned_unix_ns) / 1e3
    main_us = int(fields.pop("main_us"))
    run = {p: 0.0 for p in PHASES}
    run["load"] = load
    for key, value in fields.items():
        name = key.removesuffix("_us")
        if name not in run:
            sys.exit(f"{side} reported an unknown phase {name!r}")
        run[name] = float(value)
    run["exit"] = elapsed_ns / 1e3 - load - main_us
    for p, v in run.items():
        acc.setdefault(p, []).append(v)


if __name__ == "__main__":
    main()
