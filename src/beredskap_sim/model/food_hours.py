"""Several hours of shop sales at once: the stock path of every municipality × food group.

The hourly rule of ``model.food``: in hour j a store sells ``take_j = min(s_j, w_j)`` of what
its households want (``w_j`` tonnes) and keeps ``s_{j+1} = s_j − take_j``; a delivery adds its
tonnes to the stock between two hours. ``sell`` computes the whole path of a window of hours
with the deliveries that fall between them, with the same floating-point operations as the
loop, so the result is identical to stepping hour by hour (not merely close):

* while the stock lasts (``w_j ≤ s_j``), ``s_{j+1} = s_j − w_j`` and ``take_j = w_j``: the path
  is one cumulative sum of ``[s_0, −w_0, −w_1, +delivery, −w_2, …]``. ``numpy.add.accumulate`` adds in
  order, as the loop does (``a + (−w)`` is ``a − w`` exactly), and ``s_j − w_j ≥ 0`` holds
  exactly when ``w_j ≤ s_j`` (a rounded difference has the sign of the exact one);
* when some hour empties a shelf (the sum turns negative), the window is split at the
  deliveries: between two deliveries the stock is ``max(cumulative sum, 0)`` — once empty it
  stays at 0 (``0 − min(0, w) = 0``) until the next delivery — and ``take_j = min(s_j, w_j)``.
"""

from __future__ import annotations

import numpy as np


def sell(stock: np.ndarray, want: np.ndarray, adds: list[tuple[int, int, int, float]]):
    """The stock path of ``k`` hours.

    ``stock``: tonnes on the shelves before the first hour, shape (M, G); ``want``: tonnes
    wanted in each hour, shape (k, M, G), ``w ≥ 0``; ``adds``: deliveries ``(j, m, g, tonnes)``
    in the order they arrived, each before hour ``j`` (``0 ≤ j ≤ k``; ``j = k``: after the
    last hour), ``j`` non-decreasing.

    Returns ``(after, take, end)``: the stock after each hour (k, M, G), the tonnes sold in
    each hour (k, M, G; ``want`` itself while no shelf runs empty) and the stock after the
    window's last delivery (M, G).
    """
    k = want.shape[0]
    n = len(adds)
    steps = np.empty((k + n + 1,) + stock.shape)
    steps[0] = stock
    if n:
        # Row of hour j in the interleaved sequence: after the start and the deliveries before it.
        hour_rows, i = [], 0
        for j in range(k):
            while i < n and adds[i][0] <= j:
                i += 1
            hour_rows.append(1 + j + i)
        steps[1:] = 0.0
        steps[hour_rows] = -want
        for i, (j, m, g, tonnes) in enumerate(adds):
            steps[1 + j + i, m, g] = tonnes
    else:
        hour_rows = slice(1, None)
        np.negative(want, out=steps[1:])
    np.add.accumulate(steps, axis=0, out=steps)  # the cumulative sum, in order
    if np.minimum.reduce(steps, axis=None) >= 0.0:
        return steps[hour_rows], want, steps[-1].copy()
    return _sell_split(stock, want, adds)


def _sell_split(stock: np.ndarray, want: np.ndarray, adds):
    """``sell`` when a shelf runs empty: the window cut at its deliveries (see the module text)."""
    k = want.shape[0]
    after = np.empty_like(want)
    take = np.empty_like(want)
    level = stock.copy()
    start = 0
    for i in range(len(adds) + 1):
        cut = adds[i][0] if i < len(adds) else k
        if cut > start:
            part = want[start:cut]
            path = np.cumsum(np.concatenate((level[None], -part)), axis=0)
            np.maximum(path, 0.0, out=path)  # an empty shelf stays empty until the next delivery
            take[start:cut] = np.minimum(path[:-1], part)
            after[start:cut] = path[1:]
            level = path[-1].copy()
            start = cut
        if i < len(adds):
            _, m, g, tonnes = adds[i]
            level[m, g] += tonnes
    return after, take, level
