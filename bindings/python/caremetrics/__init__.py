"""libcaremetrics for Python: service metrics and SLA clocks, computed by the C library.

Every formula runs in libcaremetrics (loaded through ctypes); this package
converts arguments and results. Errors raise subclasses of
:class:`CaremetricsError` carrying the library's status and message.

>>> import caremetrics as cm
>>> cm.rate(200, 250).value            # first contact resolution
0.8
>>> nps = cm.Nps().add_many([10, 9, 9, 7, 3])
>>> round(nps.result().score, 1)
40.0

``caremetrics.report(df, by="channel")`` gives the whole KPI report of a ticket
DataFrame, one row per group (docs/python.md).
"""

from .common import format_time, parse_time, version, version_number
from .errors import (
    STATUS,
    BufferTooSmallError,
    CaremetricsError,
    InvalidArgumentError,
    NoDataError,
    NotFoundError,
    OutOfMemoryError,
    OutOfRangeError,
    ParseError,
    ResultOverflowError,
    UnstableQueueError,
)
from . import backlog, contact, forecast, frames, qa, queue, sla, sla_policyset, spc, table, topk
from .backlog import Backlog
from .table import BadRow, BadRowError, ReportSpec, TableReport, report
from .frames import art_frame, ces_frame, csat_frame, frame_of, nps_frame, rate_frame, sketch_frame
from .qa import QaScores, Rubric
from .topk import TopK
from .calendar import Calendar, CalendarHistory, TimeZone, closed_dates_spec
from .sketch import Share, Sketch, Sketch2, Sketch2Result, SketchResult, quantile_exact, quantiles_exact, quantiles_exact_method, share_exact
from .kpi import (
    DEFAULT_CONFIDENCE,
    SCORE_NONE,
    Art,
    ArtResult,
    CostPerContact,
    CostResult,
    Ces,
    CesResult,
    Csat,
    CsatResult,
    Nps,
    NpsResult,
    Proportion,
    abandonment_rate,
    abandonment_rate_many,
    art_mean,
    cost_per_contact,
    rate,
)

__version__ = version()

__all__ = [
    "Backlog",
    "CostPerContact",
    "CostResult",
    "QaScores",
    "Rubric",
    "TopK",
    "backlog",
    "cost_per_contact",
    "qa",
    "topk",
    "Calendar",
    "CalendarHistory",
    "TimeZone",
    "closed_dates_spec",
    "Share",
    "Sketch",
    "Sketch2",
    "Sketch2Result",
    "SketchResult",
    "quantile_exact",
    "quantiles_exact",
    "quantiles_exact_method",
    "share_exact",
    "contact",
    "frames",
    "art_frame",
    "ces_frame",
    "csat_frame",
    "frame_of",
    "nps_frame",
    "rate_frame",
    "sketch_frame",
    "forecast",
    "table",
    "report",
    "ReportSpec",
    "TableReport",
    "BadRow",
    "BadRowError",
    "queue",
    "sla",
    "sla_policyset",
    "spc",
    "STATUS",
    "DEFAULT_CONFIDENCE",
    "SCORE_NONE",
    "Art",
    "ArtResult",
    "BufferTooSmallError",
    "CaremetricsError",
    "Ces",
    "CesResult",
    "Csat",
    "CsatResult",
    "InvalidArgumentError",
    "NoDataError",
    "NotFoundError",
    "Nps",
    "NpsResult",
    "OutOfMemoryError",
    "OutOfRangeError",
    "ParseError",
    "Proportion",
    "ResultOverflowError",
    "UnstableQueueError",
    "abandonment_rate",
    "abandonment_rate_many",
    "art_mean",
    "format_time",
    "parse_time",
    "rate",
    "version",
    "version_number",
]
