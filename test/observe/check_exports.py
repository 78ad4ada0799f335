#!/usr/bin/env python3
"""Parses what export_sample wrote with real parsers and checks the values.

usage: check_exports.py <export_sample binary> <scratch dir>

Prometheus: prometheus_client.parser (Debian's python3-prometheus-client), which rejects
malformed exposition text. JSON: Python's json module. Exits non-zero with a message on any
failure.
"""
import json
import math
import os
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

FIRST = 'quote" backslash\\ newline\n end'


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    binary, scratch = sys.argv[1], sys.argv[2]
    os.makedirs(scratch, exist_ok=True)
    subprocess.run([binary, scratch], check=True)
    with open(os.path.join(scratch, "metrics.prom"), encoding="utf-8") as f:
        text = f.read()

    families = {}
    for fam in text_string_to_metric_families(text):  # raises on malformed text
        if fam.name in families:
            fail(f"family {fam.name} appears twice")
        families[fam.name] = fam
        if not fam.name.startswith("streamweave_"):
            fail(f"family {fam.name} lacks the streamweave_ prefix")
        if not fam.documentation:
            fail(f"family {fam.name} has no HELP")

    def samples(family, **labels):
        fam = families.get(family)
        if fam is None:
            fail(f"no family {family}; have {sorted(families)}")
        return [s for s in fam.samples if all(s.labels.get(k) == v for k, v in labels.items())]

    def total(family, **labels):
        found = samples(family, **labels)
        if not found:
            fail(f"no sample of {family} with {labels}")
        return sum(s.value for s in found)

    # The parser folds counters' _total into the family name.
    for fam in families.values():
        for s in fam.samples:
            if "graph" not in s.labels:
                fail(f"{s.name} has no graph label")
    if total("streamweave_records_out", graph=FIRST, node="numbers") != 1000:
        fail("numbers should have emitted 1000 records")
    if total("streamweave_records_in", graph=FIRST, node="keep") != 1000:
        fail("keep should have received 1000 records")
    if total("streamweave_records_out", graph=FIRST, node="keep") != 500:
        fail("keep should have emitted 500 records")
    sink = samples("streamweave_records_in", graph=FIRST, node="sink")
    if sorted(s.labels["instance"] for s in sink) != ["0", "1"]:
        fail(f"sink should have instances 0 and 1, got {sink}")
    if sum(s.value for s in sink) != 500:
        fail("the sink should have received 500 records")
    for s in samples("streamweave_input_frontier", graph=FIRST):
        if not math.isinf(s.value):
            fail(f"a completed run's frontier should be +Inf: {s}")
    if total("streamweave_input_frontier", graph="open", node="drain") != 3:
        fail("the open graph's drain should be at frontier 3")
    if total("streamweave_input_records_sent", graph="open", node="feed") != 7:
        fail("feed sent 7 records")
    if total("streamweave_input_time", graph="open", node="feed") != 3:
        fail("feed is at time 3")
    if total("streamweave_input_closed", graph="open", node="feed") != 0:
        fail("feed is open")
    if total("streamweave_busy_seconds", graph=FIRST, node="keep") <= 0:
        fail("keep was busy for some time")
    probe = families.get("streamweave_epoch_latency_seconds")
    if probe is None or probe.type != "summary":
        fail("no epoch latency summary")
    count = [s.value for s in probe.samples
             if s.name == "streamweave_epoch_latency_seconds_count" and s.labels.get("node") == "watched"]
    if count != [1]:
        fail(f"the probe saw one epoch close: {count}")
    q = {s.labels["quantile"]: s.value for s in samples("streamweave_epoch_latency_seconds", graph="open")
         if s.name == "streamweave_epoch_latency_seconds" and "quantile" in s.labels}
    if sorted(q) != ["0.5", "0.9", "0.99", "0.999"] or not all(0 < v < 10 for v in q.values()):
        fail(f"epoch latency quantiles: {q}")
    if total("streamweave_probe_frontier", graph="open", node="watched") != 3:
        fail("the probe's frontier is 3")
    if total("streamweave_capabilities_held", graph="open", node="holder", port="0") != 2:
        fail("holder holds two capabilities")
    if total("streamweave_capability_earliest_time", graph="open", node="holder", port="0") != 10:
        fail("holder's capabilities are at time 10")
    if total("streamweave_capabilities_held", graph=FIRST) != 0:
        fail("a completed run holds no capability")
    for s in samples("streamweave_capability_earliest_time", graph=FIRST):
        if not math.isinf(s.value):
            fail(f"a completed run's earliest capability should be +Inf: {s}")
    up = total("streamweave_uptime_seconds", graph=FIRST)
    parts = sum(total(f, graph=FIRST, node="keep")
                for f in ("streamweave_busy_seconds", "streamweave_backpressured_seconds", "streamweave_idle_seconds"))
    if abs(parts - up) > 2e-9:
        fail(f"busy + backpressured + idle = {parts}, uptime = {up}")

    with open(os.path.join(scratch, "metrics.json"), encoding="utf-8") as f:
        snap = json.load(f)  # raises on malformed JSON
    if snap["graph"] != FIRST:
        fail(f"JSON graph name: {snap['graph']!r}")
    keep = [m for m in snap["instances"] if m["node"] == "keep"]
    if len(keep) != 1 or keep[0]["records_in"] != 1000 or keep[0]["records_out"] != 500:
        fail(f"JSON keep: {keep}")
    if any(p["frontier"] is not None for m in snap["instances"] for p in m["inputs"]):
        fail("JSON: a completed run's frontiers should be null")
    if any(o["capabilities"] != 0 or o["earliest"] is not None or o["held"] for m in snap["instances"]
           for o in m["outputs"]):
        fail("JSON: a completed run holds no capability")
    with open(os.path.join(scratch, "metrics-open.json"), encoding="utf-8") as f:
        open_snap = json.load(f)
    holder = [m["outputs"] for m in open_snap["instances"] if m["node"] == "holder"]
    want = [[{"port": 0, "capabilities": 2, "times": 1, "earliest": 10, "held": [{"time": 10, "count": 2}]}]]
    if holder != want:
        fail(f"JSON holder outputs: {holder}, want {want}")
    print(f"ok: {len(families)} families, {sum(len(f.samples) for f in families.values())} samples")


if __name__ == "__main__":
    main()
