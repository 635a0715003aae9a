"""JUnit XML: one test case per requirement per target, so CI test widgets show readiness.

A case fails when its requirement is below the level it must reach or regressed (the reason and the
criteria are the message); a waived one that would fail is ``skipped`` with the waiver's reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from traceready.regressions import Assessment, Outcome


def _criteria(outcome: Outcome) -> str:
    lines = []
    for c in outcome.finding.criteria:
        if c.value is None:
            continue
        bar = f" (bar {c.threshold:.2f})" if c.threshold is not None else " (informational)"
        lines.append(f"{c.metric}: {c.numerator} of {c.denominator} {c.label} = {c.value:.2f}{bar}")
    if outcome.finding.gaps:
        lines.append("gaps: " + ", ".join(outcome.finding.gaps))
    return "\n".join(lines)


def _case(suite: ET.Element, outcome: Outcome) -> bool:
    """Add one case; True when it failed."""
    finding = outcome.finding
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{finding.requirement}) {finding.title}",
        classname=f"traceready.{outcome.target}",
        time="0",
    )
    would_fail = not outcome.meets_bar or bool(outcome.regressions)
    if outcome.waived and would_fail:
        ET.SubElement(case, "skipped", message=outcome.why())
    elif outcome.failed:
        kind = "regression" if outcome.regressions else "below_bar"
        failure = ET.SubElement(case, "failure", message=outcome.why(), type=kind)
        failure.text = _criteria(outcome)
    ET.SubElement(
        case, "system-out"
    ).text = f"{finding.status.value} score {finding.score:.2f}\n{outcome.why()}\n{_criteria(outcome)}"
    return outcome.failed


def render_junit(assessments: list[Assessment]) -> str:
    """The assessments as a JUnit XML document (``<testsuites>``, one suite per target)."""
    root = ET.Element("testsuites", name="traceready")
    total = failed = skipped = 0
    for assessment in assessments:
        record = assessment.record
        suite = ET.SubElement(
            root,
            "testsuite",
            name=record.target,
            timestamp=record.audited_at.isoformat(timespec="seconds"),
            hostname="traceready",
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("source", record.source),
            ("window", record.window),
            ("records_pulled", str(record.pulled)),
            ("spans_mapped", str(record.mapped)),
            ("records_rejected", str(record.rejected)),
            ("overall_score", f"{record.score:.4f}"),
            ("tool_version", record.tool_version),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        fails = sum(_case(suite, o) for o in assessment.outcomes)
        skips = sum(o.waived and (not o.meets_bar or bool(o.regressions)) for o in assessment.outcomes)
        suite.set("tests", str(len(assessment.outcomes)))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        suite.set("skipped", str(skips))
        suite.set("time", "0")
        total += len(assessment.outcomes)
        failed += fails
        skipped += skips
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
