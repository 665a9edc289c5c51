"""Mediation: monthly counts per township and dispute type, or case records aggregated
into that shape.

Table rows: missing_time / bad_time (month), unknown_township, bad_value (empty dispute
type; counts that are not whole non-negative numbers or exceed MAX_COUNT; succeeded > mediated or
mediated > received). Empty count cells are read as 0.
Case rows: missing_id, missing_time / bad_time, closed_before_reported, unknown_township,
bad_value (empty dispute type, unknown result), duplicate_conflict by case_id.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.aliases import norm
from etl.context import Context
from etl.events import fmt_detail
from etl.plausible import MAX_COUNT, amounts, flag_time_range, whole_counts
from etl.times import parse_months, parse_times
from etl.values import map_values

COLUMNS = ["township_code", "month", "dispute_type", "received", "mediated", "succeeded",
           "people_involved", "amount", "source_file", "load_id"]
COMPARED = ["received", "mediated", "succeeded", "people_involved", "amount"]


class Townships:
    """Township text (code or name) -> township_code, from the townships table."""

    def __init__(self, con):
        rows = con.execute("SELECT township_code, township_name FROM townships").fetchall()
        self.map: dict[str, str] = {}
        for code, name in rows:
            self.map[norm(code)] = code
        for code, name in rows:
            if name:
                self.map.setdefault(norm(name), code)

    def codes(self, text: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(text.astype(object), sort=False)
        mapped = np.array([self.map.get(norm(u)) for u in uniques] + [None], dtype=object)
        return mapped[codes]


_counts = whole_counts     # not a whole number, negative or past MAX_COUNT: bad_value
_amounts = amounts        # not a finite non-negative number: bad_value


def prepare_table(ctx: Context, r, towns: Townships) -> pd.DataFrame:
    rj = ctx.rejects_for(r)
    ctx.report_for(r)
    month_text = r.text_or_empty("month")
    month, empty, bad = parse_months(month_text)
    rj.flag(empty, "missing_time", "month is empty")
    rj.flag(bad, "bad_time", fmt_detail("month: ", month_text))
    flag_time_range(ctx, rj, month, "month", month_text)
    tw_text = r.text_or_empty("township")
    code = towns.codes(tw_text)
    rj.flag(np.equal(code, None), "unknown_township",
            fmt_detail("township matches no loaded township: ", tw_text))
    dtype, _ = map_values(r.text_or_empty("dispute_type"), r.src.values.get("dispute_type"))
    rj.flag(np.equal(dtype, None), "bad_value", "dispute_type is empty")
    vals = {}
    for f in ("received", "mediated", "succeeded", "people_involved"):
        text = r.text_or_empty(f)
        vals[f], b = _counts(text, empty_is_zero=f != "people_involved")
        rj.flag(b, "bad_value", fmt_detail(f"{f} is not a whole non-negative number "
                                           f"(at most {MAX_COUNT:,}): ", text))
    amount_text = r.text_or_empty("amount")
    amount, b = _amounts(amount_text)
    rj.flag(b, "bad_value", fmt_detail("amount is not a non-negative number: ", amount_text))
    rec, med, suc = vals["received"], vals["mediated"], vals["succeeded"]
    rj.flag((suc > med) | (med > rec), "bad_value",
            lambda idx: [f"succeeded {suc[i]:.0f} > mediated {med[i]:.0f}" if suc[i] > med[i]
                         else f"mediated {med[i]:.0f} > received {rec[i]:.0f}" for i in idx])
    idx = np.flatnonzero(rj.ok)
    ctx.tick(r.n, f"{r.src.path}: checked")
    return pd.DataFrame({
        "township_code": code[idx], "month": month.iloc[idx].dt.date.to_numpy(),
        "dispute_type": dtype[idx],
        "received": rec[idx].astype("int64"), "mediated": med[idx].astype("int64"),
        "succeeded": suc[idx].astype("int64"),
        "people_involved": pd.array(vals["people_involved"][idx], dtype="Int64"),
        "amount": amount[idx], "source_file": r.src.path,
        "__src": np.full(len(idx), r.index, dtype=np.int64), "__pos": idx.astype(np.int64),
    })


def prepare_cases(ctx: Context, r, towns: Townships) -> pd.DataFrame:
    """Case rows (not yet aggregated), with case_id kept for duplicate checks."""
    src = r.src
    rj = ctx.rejects_for(r)
    ctx.report_for(r)
    cid = r.text_or_empty("case_id")
    rj.flag((cid == "").to_numpy(), "missing_id", "case_id is empty")
    tz = src.timezone or ctx.tz
    rec_text = r.text_or_empty("received_at")
    received, empty, bad = parse_times(rec_text, src.time_format, tz, ctx.tz)
    rj.flag(empty, "missing_time", "received_at is empty")
    rj.flag(bad, "bad_time", fmt_detail("received_at: ", rec_text))
    flag_time_range(ctx, rj, received, "received_at", rec_text)
    clo_text = r.text_or_empty("closed_at")
    closed, _, bad = parse_times(clo_text, src.time_format, tz, ctx.tz)
    rj.flag(bad, "bad_time", fmt_detail("closed_at: ", clo_text))
    flag_time_range(ctx, rj, closed, "closed_at", clo_text)
    rj.flag((closed < received).to_numpy(), "closed_before_reported",
            fmt_detail("closed_at is before received_at: ", clo_text))
    tw_text = r.text_or_empty("township")
    code = towns.codes(tw_text)
    rj.flag(np.equal(code, None), "unknown_township",
            fmt_detail("township matches no loaded township: ", tw_text))
    dtype, _ = map_values(r.text_or_empty("dispute_type"), src.values.get("dispute_type"))
    rj.flag(np.equal(dtype, None), "bad_value", "dispute_type is empty")
    res_text = r.text_or_empty("result")
    result, unknown = map_values(res_text, src.values.get("result"), "result")
    rj.flag(unknown, "bad_value", fmt_detail("result is not 成功/不成功: ", res_text))
    people, b = _counts(r.text_or_empty("people_involved"), empty_is_zero=False)
    rj.flag(b, "bad_value", "people_involved is not a whole non-negative number")
    amount, b = _amounts(r.text_or_empty("amount"))
    rj.flag(b, "bad_value", "amount is not a non-negative number")
    idx = np.flatnonzero(rj.ok)
    ctx.tick(r.n, f"{r.src.path}: checked")
    return pd.DataFrame({
        "case_id": cid.iloc[idx].astype(object).to_numpy(),
        "township_code": code[idx],
        "month": received.iloc[idx].dt.to_period("M").dt.start_time.dt.date.to_numpy(),
        "dispute_type": dtype[idx], "result": result[idx],
        "closed": closed.iloc[idx].notna().to_numpy(),
        "people_involved": people[idx], "amount": amount[idx],
        "source_file": src.path,
        "__src": np.full(len(idx), r.index, dtype=np.int64), "__pos": idx.astype(np.int64),
    })


def aggregate_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """Case rows -> monthly counts: received = cases, mediated = cases with a result or
    closed, succeeded = result success; people and amounts summed where given."""
    if cases.empty:
        return pd.DataFrame(columns=["township_code", "month", "dispute_type", "received",
                                     "mediated", "succeeded", "people_involved", "amount",
                                     "source_file", "__src", "__pos"])
    c = cases.assign(
        med=(cases["result"].notna() | cases["closed"]).astype("int64"),
        suc=(cases["result"] == "success").astype("int64"))
    g = c.groupby(["township_code", "month", "dispute_type"], sort=True)
    out = g.agg(received=("case_id", "size"), mediated=("med", "sum"),
                succeeded=("suc", "sum"),
                people_involved=("people_involved", lambda s: s.sum() if s.notna().any()
                                 else np.nan),
                amount=("amount", lambda s: s.sum() if s.notna().any() else np.nan),
                source_file=("source_file", "first"), __src=("__src", "min")).reset_index()
    out["people_involved"] = pd.array(out["people_involved"], dtype="Int64")
    out["__pos"] = -1
    return out
