#!/usr/bin/env python3
"""Renders what dot_sample wrote with Graphviz (dot -Tsvg) and checks the pictures.

usage: check_dot.py <dot_sample binary> <dot program> <scratch dir>

Fails when dot rejects a file or when the SVG lacks the expected nodes, clusters or edges.
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def render(dot, path):
    r = subprocess.run([dot, "-Tsvg", path], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        fail(f"dot -Tsvg {path}: exit {r.returncode}: {r.stderr}")
    return ET.fromstring(r.stdout)


def groups(svg, cls):
    return [g for g in svg.iter(SVG + "g") if g.get("class") == cls]


def texts(g):
    return [t.text or "" for t in g.iter(SVG + "text")]


def main():
    binary, dot, scratch = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(scratch, exist_ok=True)
    subprocess.run([binary, scratch], check=True)

    built = render(dot, os.path.join(scratch, "graph.dot"))
    nodes = groups(built, "node")
    labels = [" ".join(texts(n)) for n in nodes]
    for name in ("feed", "generic", "evens", "sink", "numbers", "tail", "tail_sink"):
        if not any(l.split(" ")[0] == name for l in labels):
            fail(f"graph.dot: no node {name}; have {labels}")
    if not any("x3" in l for l in labels if l.startswith("sink")):
        fail(f"graph.dot: the sink should say x3: {labels}")
    edge_labels = [" ".join(texts(e)) for e in groups(built, "edge")]
    if sum("exchange" in l for l in edge_labels) != 1:
        fail(f"graph.dot: one exchange edge expected: {edge_labels}")
    if sum("new chain" in l for l in edge_labels) != 1:
        fail(f"graph.dot: one new-chain edge expected: {edge_labels}")

    run = render(dot, os.path.join(scratch, "execution.dot"))
    clusters = groups(run, "cluster")
    # Two fused units: generic with the chain evens, and tail with its sink.
    heads = sorted(" ".join(texts(c)).split(" ")[1] for c in clusters)
    if heads != ["generic", "tail"]:
        fail(f"execution.dot: fused units headed by generic and tail expected, got {heads}")
    labels = [" ".join(texts(n)) for n in groups(run, "node")]
    sinks = [l for l in labels if l.startswith("sink #")]
    if len(sinks) != 3:
        fail(f"execution.dot: 3 sink instances expected: {labels}")
    if not any(l.startswith("feed (input)") and "sent 1000 records" in l for l in labels):
        fail(f"execution.dot: the input should have sent 1000 records: {labels}")
    if not any(l.startswith("evens #0") and "in 1000 / out 500 records" in l for l in labels):
        fail(f"execution.dot: evens should show in 1000 / out 500: {labels}")
    edges = [" ".join(texts(e)) for e in groups(run, "edge")]
    if sum("exchange" in l for l in edges) != 3:
        fail(f"execution.dot: the exchange connects evens to 3 sink instances: {edges}")
    if sum("fused" in l for l in edges) < 1:
        fail(f"execution.dot: a fused edge expected: {edges}")
    print(f"ok: graph.dot {len(nodes)} nodes; execution.dot {len(labels)} nodes, {len(edges)} edges")


if __name__ == "__main__":
    main()
