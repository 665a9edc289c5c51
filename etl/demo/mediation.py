"""Demo monthly mediation table (矛盾纠纷调解月报): township x month x dispute type.

About 300–400 major cases a year county-wide (the seeds: "300+ major disputes mediated a
year"), wage disputes before the Spring Festival, land disputes in the hills, property disputes
in the city, and success rates of 85–98 % that differ by township. A row for every township,
month and type, zeros included, as such tables are kept.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo import vocab
from etl.demo.events import Calendar, Planted
from etl.demo.territory import Territory

PER_YEAR = 340
# share of each dispute type, and its tilt to the city (+) or the hills (-)
TYPE_MIX = {"婚姻家庭": (0.15, 0.0), "邻里纠纷": (0.24, 0.0), "山林土地": (0.12, -1.0),
            "劳资纠纷": (0.12, 0.6), "征地拆迁": (0.06, 0.3), "物业管理": (0.06, 1.5),
            "交通事故": (0.1, 0.2), "医患纠纷": (0.03, 0.5), "消费纠纷": (0.05, 0.8),
            "其他": (0.07, 0.0)}


def build_mediation(terr: Territory, cal: Calendar, planted: list[Planted],
                    rng: np.random.Generator) -> pd.DataFrame:
    """One row per township, month and dispute type, with 受理数 >= 调解数 >= 成功数."""
    g = terr.grids
    towns = terr.townships
    pop = g.groupby("township_code")["population"].sum().reindex(towns["code"]).to_numpy(float)
    urban = (g.assign(u=g["urban"] * g["population"]).groupby("township_code")["u"].sum()
             .reindex(towns["code"]).to_numpy() / pop)
    months = np.unique(cal.days.astype("datetime64[M]"))
    pre = pd.Series(cal.pre_festival, index=cal.days.astype("datetime64[M]")).groupby(level=0).mean()
    success = rng.uniform(0.86, 0.97, len(towns))
    rows = []
    types = vocab.DISPUTE_TYPES
    for ti, code in enumerate(towns["code"]):
        for m in months:
            for ty in types:
                share, tilt = TYPE_MIX[ty]
                lam = PER_YEAR / 12 * share * pop[ti] / pop.sum() * np.exp(tilt * (urban[ti] - 0.3))
                if ty == "劳资纠纷":
                    lam *= 1 + 2.5 * float(pre.get(m, 0.0))
                if ty == "征地拆迁" and any(p.township_code == code and
                                        p.last_day[:7] == str(m) for p in planted):
                    lam += 4.0  # the planted demolition dispute reaches the mediation centre
                received = int(rng.poisson(lam))
                mediated = int(rng.binomial(received, 0.97))
                succeeded = int(rng.binomial(mediated, success[ti]))
                people = received * 2 + int(rng.poisson(received * 0.6)) if received else 0
                rows.append((towns.at[ti, "name"], str(m), ty, received, mediated, succeeded,
                             people))
    return pd.DataFrame(rows, columns=["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数",
                                       "涉及人数"])
