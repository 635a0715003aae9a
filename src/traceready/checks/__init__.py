"""The ten requirement checks, in product order."""

from __future__ import annotations

from traceready.checks.a_reasoning import ReasoningCheck
from traceready.checks.b_tools import ToolsCheck
from traceready.checks.base import Check, Context, Trace
from traceready.checks.c_decisions import DecisionsCheck
from traceready.checks.d_structure import StructureCheck
from traceready.checks.e_replay import ReplayCheck
from traceready.checks.f_baselines import BaselinesCheck
from traceready.checks.g_failures import FailuresCheck
from traceready.checks.h_cost_latency import CostLatencyCheck
from traceready.checks.i_sandbox import SandboxCheck
from traceready.checks.j_eval_harness import EvalHarnessCheck

ALL_CHECKS: tuple[type[Check], ...] = (
    ReasoningCheck,
    ToolsCheck,
    DecisionsCheck,
    StructureCheck,
    ReplayCheck,
    BaselinesCheck,
    FailuresCheck,
    CostLatencyCheck,
    SandboxCheck,
    EvalHarnessCheck,
)

__all__ = ["ALL_CHECKS", "Check", "Context", "Trace"]
