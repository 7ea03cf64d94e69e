"""The optimum: a maximum-score assignment of needs to offers under the
offers' capacities, each need served at most once, solved as a min-cost
flow by OR-tools (`ortools.graph.python.min_cost_flow.SimpleMinCostFlow`,
Google's C++ cost-scaling push-relabel solver).

The network: the source gives one unit to each need; a need passes it to an
offer the rules allow (capacity 1, cost minus the pair's score) or back
through one bypass arc straight to the sink (cost 0, "not served"); each
offer passes at most its capacity on to the sink. Every unit reaches the
sink, so a minimum cost flow is an assignment of maximum total score, and
since arcs have integer capacities the solver's optimum is integral: every
pair is either taken or not.

Why a min-cost flow and not a mixed-integer solver: the problem is a
transportation problem (an assignment with capacities), whose constraint
matrix is totally unimodular, so the flow solver is exact, needs no integer
branching, and runs in a fraction of a second on hundreds of thousands of
pairs; a MIP solver would solve the same LP with far more machinery.

Ties: of two assignments with the same total score, the one that serves
needs of lower ids wins (an earlier-entered need goes first). Each pair's
cost is its score times a point worth more than every tie bonus together,
plus a bonus for its need's rank; so the bonus only ever decides between
equal totals, and costs stay far inside 64-bit integers (a component of
20,000 needs: about 2·10⁸ per point, 10¹¹ per pair).

Determinism: the solver is deterministic for a given graph, and the graph
is built in an order that depends only on the ids (the engine sorts needs,
offers and pairs by `data.id_key`); so the same input, in any order, gives
the same assignment (which of two equal offers serves a need, too).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortools.graph.python import min_cost_flow


# The largest cost times node count the solver takes in 64-bit integers,
# with room to spare.
_COST_LIMIT = 2**62


class SolverError(RuntimeError):
    """The flow solver did not report an optimum (it always should)."""


def solve(
    *,
    capacities: np.ndarray,
    pair_needs: np.ndarray,
    pair_offers: np.ndarray,
    pair_scores: np.ndarray,
) -> np.ndarray:
    """Pick the pairs of a maximum-score assignment.

    Pair k joins need number `pair_needs[k]` to offer number `pair_offers[k]`
    and scores `pair_scores[k]` (a positive integer); offer j has
    `capacities[j]` places. Returns the indexes of the chosen pairs,
    ascending: each need is in at most one of them and offer j in at most
    `capacities[j]`. Only the needs and offers the pairs name enter the
    network.
    """
    pairs = len(pair_needs)
    if pairs == 0:
        return np.empty(0, dtype=np.int64)
    need_numbers, local_needs = np.unique(pair_needs, return_inverse=True)
    offer_numbers, local_offers = np.unique(pair_offers, return_inverse=True)
    needs, offers = len(need_numbers), len(offer_numbers)
    source, sink = 0, 1
    need_node = 2
    offer_node = 2 + needs
    flow = min_cost_flow.SimpleMinCostFlow()
    # The pairs first, so arc k is pair k.
    tails = np.concatenate([
        need_node + local_needs.astype(np.int32),
        np.full(needs, source, dtype=np.int32),
        offer_node + np.arange(offers, dtype=np.int32),
        np.array([source], dtype=np.int32),
    ])
    heads = np.concatenate([
        offer_node + local_offers.astype(np.int32),
        need_node + np.arange(needs, dtype=np.int32),
        np.full(offers, sink, dtype=np.int32),
        np.array([sink], dtype=np.int32),
    ])
    arc_capacities = np.concatenate([
        np.ones(pairs + needs, dtype=np.int64),
        np.asarray(capacities, dtype=np.int64)[offer_numbers],
        np.array([needs], dtype=np.int64),
    ])
    # Ties: among assignments of the same total score, the one serving the
    # needs of lower ids. Each pair also earns its need's rank bonus
    # (needs - rank: the lowest id earns most), and a score point is worth
    # more than all bonuses together, so the bonus never outweighs a point.
    bonus = needs - local_needs.astype(np.int64)
    point = needs * (needs + 1) // 2 + 1
    nodes = 2 + needs + offers
    if point * (int(np.max(pair_scores)) + 1) * (nodes + 1) >= _COST_LIMIT:
        # Far beyond any year's size: the solver scales costs by the node
        # count, so the bonus would overflow; ties fall to the graph's order.
        bonus, point = np.zeros(pairs, dtype=np.int64), 1
    costs = np.concatenate([
        -(np.asarray(pair_scores, dtype=np.int64) * point + bonus),
        np.zeros(needs + offers + 1, dtype=np.int64),
    ])
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, arc_capacities, costs)
    flow.set_node_supply(source, needs)
    flow.set_node_supply(sink, -needs)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"The min-cost flow solver answered {status!r}, not OPTIMAL.")
    flows = flow.flows(np.arange(pairs, dtype=np.int32))
    return np.flatnonzero(flows > 0)
