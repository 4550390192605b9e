"""The engine against queueing theory: a border crossing as an M/M/c customs queue."""

import math

import numpy as np
from scipy import stats

from beredskap_sim import simulate
from builders import build, freight, link, network, node


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue Wq of M/M/c (Erlang C): C(c, a) / (c·μ − λ), a = λ/μ."""
    a = arrival_rate / service_rate
    rho = a / servers
    top = a ** servers / math.factorial(servers) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(servers)) + top)
    return p_wait / (servers * service_rate - arrival_rate)


def test_customs_mean_wait_matches_erlang_c(tmp_path):
    lam, mu, c, q = 1.5, 1.0, 2, 10.0  # consignments/h, services/h per lane, lanes, tonnes
    border = node("x", kind="border", customs={"lanes": c, "tonnes_per_hour_per_lane": q * mu, "service": "exponential"})
    net = network([node("a"), border, node("b", country="SE")],
                  [link("ax", "a", "x", length_km=0.001, speed_kmh=1000, tph=1e12),
                   link("xb", "x", "b", length_km=0.001, speed_kmh=1000, tph=1e12)])
    flow = freight("f", "a", "b", q * lam * 24, deadline="300d", slot=1 / lam, arrivals="poisson")
    scenario = build(tmp_path, net, [flow], horizon="3000h")
    warmup = 100.0
    means = []
    for rep in range(20):
        rec = simulate(scenario, seed=123, replication=rep)
        steady = rec.delivery_release_h > warmup
        # delay = wait in queue + (service − mean service); the second term has mean zero.
        means.append(rec.delivery_delay_h[steady].mean())
    means = np.array(means)
    half = stats.t.ppf(0.975, len(means) - 1) * means.std(ddof=1) / np.sqrt(len(means))
    theory = erlang_c_wait(lam, mu, c)
    assert abs(theory - 1.2857) < 1e-3
    assert means.mean() - half <= theory <= means.mean() + half, (means.mean(), half, theory)
    assert half < 0.15 * theory  # the interval is tight enough to mean something


def test_poisson_arrivals_have_the_configured_rate(tmp_path):
    net = network([node("a"), node("b")], [link("ab", "a", "b", tph=1e9)])
    scenario = build(tmp_path, net, [freight("f", "a", "b", 240, slot="30m", arrivals="poisson", deadline="30d")], horizon="2000h")
    rec = simulate(scenario, seed=5)
    # 2 arrivals/h of 5 t over 2000 h: 4000 expected, Poisson sd 63; ±250 t is four sd.
    assert abs(rec.demanded_t.sum() - 20000) < 4 * 5 * math.sqrt(4000)
