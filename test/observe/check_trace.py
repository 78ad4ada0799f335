#!/usr/bin/env python3
"""Checks what trace_sample wrote against the Chrome trace-event format and the run's metrics.

usage: check_trace.py <trace_sample binary> <scratch dir>

The format (the JSON Object Format of the Trace Event Format document): an object whose
`traceEvents` is a list of events; every event has `name` (string), `ph` (phase), `pid` and
`tid` (integers); complete events (`X`) have numeric `ts` and `dur` (microseconds, dur >= 0);
instant events (`i`) have `ts` and a scope `s` in g/p/t; metadata events (`M`) have
`args.name`. Beyond the format: the spans of one thread never overlap (a thread runs one
activation at a time), each unit has one span per activation with the records it took, and
the probe's frontier instants rise to "done".
"""
import json
import os
import subprocess
import sys
from collections import defaultdict


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def main():
    binary, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    subprocess.run([binary, scratch], check=True)
    with open(os.path.join(scratch, "trace.json"), encoding="utf-8") as f:
        trace = json.load(f)
    with open(os.path.join(scratch, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)

    events = trace.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("traceEvents is not a non-empty list")
    spans = defaultdict(list)
    per_unit = defaultdict(int)
    records = defaultdict(int)
    frontiers = []
    for e in events:
        for key, kind in (("name", str), ("ph", str), ("pid", int), ("tid", int)):
            if not isinstance(e.get(key), kind):
                fail(f"event without {key} ({kind.__name__}): {e}")
        ph = e["ph"]
        if ph == "X":
            if not number(e.get("ts")) or not number(e.get("dur")) or e["dur"] < 0:
                fail(f"complete event without ts/dur: {e}")
            spans[e["tid"]].append((e["ts"], e["ts"] + e["dur"], e["name"]))
            per_unit[e["name"]] += 1
            records[e["name"]] += e["args"]["records"]
        elif ph == "i":
            if not number(e.get("ts")) or e.get("s") not in ("g", "p", "t"):
                fail(f"instant event without ts or scope: {e}")
            frontiers.append(e["args"]["frontier"])
        elif ph == "M":
            if not isinstance(e.get("args", {}).get("name"), str):
                fail(f"metadata event without args.name: {e}")
        else:
            fail(f"unexpected phase {ph}: {e}")

    for tid, ss in spans.items():
        ss.sort()
        for (s0, e0, n0), (s1, e1, n1) in zip(ss, ss[1:]):
            if s1 < e0 - 0.002:  # the writer rounds to nanoseconds (3 decimals of a microsecond)
                fail(f"thread {tid}: span {n1} at {s1} starts inside {n0} [{s0}, {e0}]")
    if dict(per_unit) != expected["activations"]:
        fail(f"spans per unit {dict(per_unit)} != activations {expected['activations']}")
    if dict(records) != expected["records"]:
        fail(f"records per unit {dict(records)} != records in {expected['records']}")
    if not frontiers or frontiers[-1] != "done":
        fail(f"the probe's last frontier should be done: {frontiers[-5:]}")
    numeric = [f for f in frontiers if f != "done"]
    if numeric != sorted(numeric) or len(set(numeric)) != len(numeric):
        fail(f"probe frontiers should rise: {numeric}")
    if trace.get("otherData", {}).get("overwritten_spans") != 0:
        fail(f"nothing should be overwritten: {trace.get('otherData')}")
    print(f"ok: {sum(per_unit.values())} spans on {len(spans)} threads, {len(frontiers)} frontier events")


if __name__ == "__main__":
    main()
