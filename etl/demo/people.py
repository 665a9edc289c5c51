"""Fake but plausible personal data (names, mobile numbers) for the demo, vectorised.

Surnames lean to those common in 嵊州/绍兴 (钱, 俞, 裘, 竺, 尹, 丁 …); given names are drawn from
a small list of common characters. None of it refers to a real person.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SURNAMES = np.array(list(
    "王张钱俞周金吕裘竺尹丁马袁李陈黄赵吴徐孙朱胡郭何高林郑梁谢宋许韩冯邓曹彭曾田董潘蒋蔡余杜叶"
    "程魏沈姚卢姜钟陆汪范石贾夏方邹邢商楼过喻应屠"))
_SUR_W = np.r_[np.full(14, 3.0), np.ones(len(SURNAMES) - 14)]
SURNAME_P = _SUR_W / _SUR_W.sum()
GIVEN = np.array(list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅文斌海燕飞雪鹏辉志峰丹亚琴"
    "晓晨宇浩佳颖婷俊林波云凤萍慧珍彬荣浙越嵊剑锋春新永祥"))

# Mobile prefixes in use in China (3 digits).
MOBILE_PREFIXES = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153,
                            155, 157, 158, 159, 166, 173, 177, 180, 181, 182, 183, 185, 186,
                            187, 188, 189, 191, 198, 199])


def names(n: int, rng: np.random.Generator) -> pa.Array:
    """n Chinese personal names (one surname + one or two given characters)."""
    s = pa.array(SURNAMES[rng.choice(len(SURNAMES), n, p=SURNAME_P)])
    g1 = pa.array(GIVEN[rng.integers(0, len(GIVEN), n)])
    two = rng.random(n) < 0.75
    g2 = pa.array(np.where(two, GIVEN[rng.integers(0, len(GIVEN), n)], ""))
    return pc.binary_join_element_wise(s, g1, g2, "")


def phones(n: int, rng: np.random.Generator) -> pa.Array:
    """n 11-digit mobile numbers as strings."""
    num = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)].astype(np.int64)
    num = num * 100_000_000 + rng.integers(0, 100_000_000, n)
    return pc.cast(pa.array(num), pa.string())
