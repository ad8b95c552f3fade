"""When an answer in the Draw and Photo tabs should not be trusted: its confidence falls
where the run's own test answers were right less than 90 % of the time (``Run.calibration``),
said in one line with why a letter still gets a digit."""

from __future__ import annotations

from ..words import Words, say


def unsure_line(run, confidence: float, lang: str = "en") -> str:
    """" " + the unsure sentence, or "" when the answer's confidence is one the run's test
    answers earned."""
    calibration = run.calibration
    if calibration is None or not calibration.unsure(confidence):
        return ""
    words = Words(lang)
    target = words.percent(calibration.target, 0)
    if calibration.unsure_below is None:
        return " " + say(lang, "unsure_always_answer", target=target)
    return " " + say(lang, "unsure_answer", p=words.percent(calibration.unsure_below, 0),
                     target=target)
