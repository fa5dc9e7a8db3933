"""One reproduced claim: what the paper says, what the kit computes, and the verdict.

Verdicts
--------
``reproduced``
    The kit's number equals the paper's (integers, matrices) or lies within
    the stated tolerance of it (accuracies: :data:`ACCURACY_TOLERANCE_POINTS`,
    because the papers print them as "~91 %").
``trend reproduced``
    The qualitative statement holds in the kit (an ordering, a knee, a
    direction) but the numbers differ, for a stated reason (another network,
    data set or device).
``differs``
    Neither; the reason says why (a different data set, an error in the
    paper, a modelling difference).

Every claim carries its reason, also when reproduced (what was compared).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["REPRODUCED", "TREND", "DIFFERS", "VERDICTS", "ACCURACY_TOLERANCE_POINTS", "Claim",
           "accuracy_verdict", "pct"]

REPRODUCED = "reproduced"
TREND = "trend reproduced"
DIFFERS = "differs"
#: The allowed verdicts, from best to worst.
VERDICTS = (REPRODUCED, TREND, DIFFERS)

#: An accuracy within this many percentage points of a printed "~x %" counts as reproduced.
ACCURACY_TOLERANCE_POINTS = 2.0


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage string (``0.9573`` -> ``"95.7 %"``)."""
    return f"{100.0 * float(x):.{digits}f} %"


@dataclass(frozen=True)
class Claim:
    """One row of the reproductions table.

    Attributes
    ----------
    item : int
        Item of issue 13 (1-9).
    claim : str
        What the paper states, in a few words.
    source : str
        Paper and figure/table/equation.
    paper_value : str
        The paper's number or statement as printed.
    kit_value : str
        What the kit computed.
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        Why the verdict (what was compared, or why it differs).
    command : str
        The command that produced ``kit_value``.
    """

    item: int
    claim: str
    source: str
    paper_value: str
    kit_value: str
    verdict: str
    reason: str
    command: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"claim {self.claim!r}: verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if not self.reason.strip():
            raise ValueError(f"claim {self.claim!r}: a verdict needs its reason")
        if not isinstance(self.item, int) or not 1 <= self.item <= 9:
            raise ValueError(f"claim {self.claim!r}: item {self.item!r} is not one of 1..9")

    def to_dict(self) -> dict:
        """JSON-friendly form (what ``metrics.json`` holds)."""
        return asdict(self)


def accuracy_verdict(kit: float, paper_points: float, *, differs_reason: str) -> tuple[str, str]:
    """Verdict and reason for an accuracy (fraction) against a printed "~paper_points %".

    Reproduced within :data:`ACCURACY_TOLERANCE_POINTS`; otherwise ``differs``
    with ``differs_reason`` (which should name the cause).
    """
    delta = 100.0 * float(kit) - float(paper_points)
    if abs(delta) <= ACCURACY_TOLERANCE_POINTS:
        return REPRODUCED, (f"within {ACCURACY_TOLERANCE_POINTS:g} points of the printed ~{paper_points:g} % "
                            f"({delta:+.1f} points)")
    return DIFFERS, f"{delta:+.1f} points: {differs_reason}"
