"""Hour-of-day × weekday matrix (时段分布) of the filtered events (valid ones: the caption
says so, beside the event table's total that lists invalid ones too). The graph is created
once the first view is drawn (see lazy_graph)."""
from __future__ import annotations

from dashboard.analysis import lazy_graph
from dashboard.figures.hour_weekday import hour_weekday_figure
from store import analysis_reads as ar


def layout(ctx):
    return lazy_graph.layout("matrix", "时段分布（星期 × 小时）")


def register_callbacks(app, ctx) -> None:
    def draw(f):
        fig, total = ctx.cached(matrix_view, f)
        return fig, cohort_caption(f, total)

    lazy_graph.register(app, ctx, "matrix", empty=lambda: hour_weekday_figure([[0] * 24] * 7),
                        draw=draw)


def cohort_caption(f, total: int) -> str:
    """What the chart counts: valid events (the event list's total also lists invalid ones
    and says how many), or the invalid ones when the status filter asks for them."""
    if f.status == "invalid":
        return f"无效/重复事件 {total:,} 件"
    return f"有效事件 {total:,} 件（不含无效/重复）"


def matrix_view(store, settings, f) -> tuple[dict, int]:
    """The figure as a plain dict, cached whole: building a plotly figure costs more than
    reading its 168 numbers."""
    counts = ar.hour_weekday(store, settings, f)
    return hour_weekday_figure(counts).to_plotly_json(), int(counts.sum())
