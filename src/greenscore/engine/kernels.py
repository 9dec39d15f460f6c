"""The scoring kernels, kept importable from their old place: each lives in its method's module."""

from greenscore.methods.bands import bands
from greenscore.methods.categorical import categorical
from greenscore.methods.checklist import checklist
from greenscore.methods.linear import linear
from greenscore.methods.minmax import minmax
from greenscore.methods.percentile import percentile
from greenscore.methods.target import target
from greenscore.methods.zscore import zscore

__all__ = [
    "bands",
    "categorical",
    "checklist",
    "linear",
    "minmax",
    "percentile",
    "target",
    "zscore",
]
