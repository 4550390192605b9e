"""Exact repair of a cost-to-go table after some arc costs changed (dynamic shortest paths).

A table ``to_go`` holds, for every node, the least cost of a path to one destination, computed
in float arithmetic as Dijkstra computes it: the destination has 0 and a node's value is the
least ``to_go[head] + cost[arc]`` over the arcs leaving it (``scipy.sparse.csgraph.dijkstra``
on the reversed graph). When a few arc costs change, only the nodes whose least path used such
an arc, or can now use one, change. ``repair`` finds them as Ramalingam & Reps (1996, J.
Algorithms 21:267–305) do:

1. *Raised*: the tails of changed arcs that were tight under the old costs (``to_go[head] +
   old == to_go[tail]``), and every node with a tight arc into that set, lose their value.
2. Those nodes are re-seeded from their arcs to nodes outside the set; the tails of changed arcs
   that now offer a lower value are seeded too; a Dijkstra from these seeds settles the region,
   lowering any node that a lowered node offers a cheaper way.

With positive costs that each exceed the float spacing of the largest finite cost-to-go (so
``x + cost > x`` for every value ``x`` in the table; the caller checks), every value is again the
least float sum ``to_go[head] + cost``, the same number a full Dijkstra gives, bit for bit.
``repair`` gives up (returns None) when more than ``limit`` nodes would be touched: a full
search is then cheaper.
"""

from __future__ import annotations

import heapq

INF = float("inf")


def repair(to_go: list[float], old: list[float], new: list[float], changed: list[int], arc_from: list[int],
           arc_to: list[int], in_arcs: list[list[int]], out_arcs: list[list[int]],
           limit: int) -> dict[int, float] | None:
    """``{node: new cost-to-go}`` for the nodes whose value changes when the arc costs go from
    ``old`` to ``new`` (``changed``: the arcs where they differ); None above ``limit`` nodes.

    ``in_arcs[v]``: arcs whose head is ``v``; ``out_arcs[v]``: arcs whose tail is ``v``.
    """
    # 1. nodes that may lose their least path: tight over a changed arc, and upstream over tight arcs
    raised: set[int] = set()
    stack = [arc_from[a] for a in changed if to_go[arc_to[a]] + old[a] == to_go[arc_from[a]] != INF]
    while stack:
        y = stack.pop()
        if y in raised:
            continue
        raised.add(y)
        if len(raised) > limit:
            return None
        go_y = to_go[y]
        for a in in_arcs[y]:
            x = arc_from[a]
            if x not in raised and go_y + old[a] == to_go[x]:
                stack.append(x)
    # 2. seeds: the raised nodes from their arcs out of the set, and the tails of cheaper arcs
    best: dict[int, float] = {v: INF for v in raised}
    heap: list[tuple[float, int]] = []
    for v in raised:
        value = INF
        for a in out_arcs[v]:
            h = arc_to[a]
            if h not in raised:
                candidate = to_go[h] + new[a]
                if candidate < value:
                    value = candidate
        if value < INF:
            best[v] = value
            heap.append((value, v))
    for a in changed:
        h, x = arc_to[a], arc_from[a]
        if h in raised:
            continue
        candidate = to_go[h] + new[a]
        if candidate < best.get(x, to_go[x]):
            best[x] = candidate
            heap.append((candidate, x))
    heapq.heapify(heap)
    # 3. Dijkstra over the region, lowering what a lowered node offers a cheaper way
    done: set[int] = set()
    while heap:
        value, u = heapq.heappop(heap)
        if u in done or value != best[u]:
            continue
        done.add(u)
        if len(done) > limit:
            return None
        for a in in_arcs[u]:
            x = arc_from[a]
            candidate = value + new[a]
            if candidate < best.get(x, to_go[x]):
                best[x] = candidate
                heapq.heappush(heap, (candidate, x))
    return {v: value for v, value in best.items() if value != to_go[v]}
