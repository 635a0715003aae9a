"""Write a large OTLP/JSON Lines file of fat agent traces: every model call carries the whole history.

Real agent traces are dominated by their model calls' message histories: an agent loop of N tool
rounds makes N+1 model calls, and call k records the system prompt, the user's request and every
earlier tool call and result again (OpenInference also repeats them in ``input.value``). This file
has that shape, in four dialects mixed by weight, each built on the first trace of the real sample
of that dialect (``src/traceready/samples/otel``, ``.../frameworks``), whose other attributes
(model, usage, tools offered, prompt template, session) are kept as the instrumentation wrote them:

- OpenInference (``openinference_full``): flattened ``llm.input_messages.<i>.message.*`` plus the
  request and response JSON in ``input.value`` / ``output.value``;
- OTel GenAI, current conventions (``otel_genai``): ``gen_ai.input.messages`` / ``output.messages``
  JSON with typed parts;
- OpenLLMetry, legacy attributes (``openllmetry_legacy``): ``gen_ai.prompt.<i>.*`` /
  ``gen_ai.completion.<i>.*``;
- LangGraph's prebuilt ReAct agent through OpenInference's LangChain instrumentation
  (``langgraph_openinference``, a framework trace of issue 14): per round the ``agent`` node with
  ``call_model``, ``RunnableSequence`` > ``Prompt`` + ``ChatOpenAI``, ``should_continue``, then the
  ``tools`` node > the tool; every chain span carries the graph state (the whole history so far,
  as LangChain serialises it) in ``input.value``.

A trace: one agent root, 3 to 8 tool rounds (a model call asking for ``get_weather``, then the tool
span; LangGraph: the node spans above), and a final model call answering; spans written children
first, one trace a line, as the collector's ``file`` exporter does. About 5.2 KB a span on average
(the sidecar ``.meta.json`` has the exact counts).

```bash
.venv/bin/python benchmarks/make_fat_otlp.py      # 1,000,000 spans -> benchmarks/data/fat.otlp.jsonl
```
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "traceready" / "samples" / "otel"
FRAMEWORKS = ROOT / "src" / "traceready" / "samples" / "frameworks"
FRAMEWORK_SAMPLES = frozenset({"langgraph_openinference"})
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "fat.otlp.jsonl"
MIX = {"openinference_full": 37, "otel_genai": 32, "openllmetry_legacy": 23, "langgraph_openinference": 8}
"""Relative weight of each dialect (per trace)."""

CITIES = ("Paris", "Lisbon", "Oslo", "Kyoto", "Lima", "Cairo", "Hanoi", "Quito", "Perth", "Tunis")
CONDITIONS = ("sunny", "partly cloudy", "light rain", "overcast", "windy", "fog in the morning")
REQUEST = (
    "I'm planning a two-week trip next month and I keep changing my mind about the route. Could you "
    "check the weather in each city I mention, compare them, and tell me which ones look best for "
    "walking tours and outdoor markets? I'd also like a short note on what to pack. The cities: {}."
)
ANSWER = (
    "Here is the comparison you asked for. {} look best for walking tours: mild temperatures and "
    "little rain in the forecast. Pack layers, a light rain jacket and comfortable shoes; the "
    "evenings can be cool. Markets are busiest on weekend mornings, so plan those days first."
)


def _attrs(span: dict[str, Any]) -> list[dict[str, Any]]:
    attributes: list[dict[str, Any]] = span["attributes"]
    return attributes


def _s(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class Turn:
    """One tool round of the conversation: the model's call and the tool's result."""

    def __init__(self, call_id: str, city: str, result: str) -> None:
        self.call_id, self.city, self.result = call_id, city, result

    @property
    def arguments(self) -> str:
        return _json({"city": self.city})


class Dialect:
    """Writes a conversation's messages into a model span and a tool span in one dialect."""

    drop: tuple[str, ...] = ()

    def __init__(self, template: list[dict[str, Any]], system: str) -> None:
        llm = [s for s in template if s["name"] == template[1]["name"]]
        self.llm, self.tool, self.root = llm[-1], template[-2], template[-1]
        self.system = system

    def model_attributes(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        kept = [a for a in _attrs(self.llm) if not a["key"].startswith(self.drop)]
        return kept + self.messages(user, done, reply)

    def messages(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def tool_attributes(self, turn: Turn) -> list[dict[str, Any]]:
        replaced = {"tool_call.id": turn.call_id, "gen_ai.tool.call.id": turn.call_id}
        replaced |= dict.fromkeys(("gen_ai.tool.call.arguments",), turn.arguments)
        replaced |= dict.fromkeys(("gen_ai.tool.call.result",), turn.result)
        out = []
        for attribute in _attrs(self.tool):
            if attribute["key"] in replaced:
                attribute = _s(attribute["key"], replaced[attribute["key"]])
            out.append(attribute)
        return out


def _openai_history(system: str, user: str, done: list[Turn]) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    for turn in done:
        call = {
            "id": turn.call_id,
            "type": "function",
            "function": {"name": "get_weather", "arguments": turn.arguments},
        }
        history.append({"role": "assistant", "content": None, "tool_calls": [call]})
        history.append({"role": "tool", "tool_call_id": turn.call_id, "content": turn.result})
    return history


def _flat_history(
    history: list[dict[str, Any]], message: str, *, call: str = "", function: str = ""
) -> list[dict[str, Any]]:
    """A history as flattened attributes: ``message`` is the key prefix with ``{}`` for the index,
    ``call`` and ``function`` what a dialect puts between ``tool_calls.<j>.`` and ``id`` / ``name``."""
    out = []
    for i, entry in enumerate(history):
        prefix = message.format(i)
        out.append(_s(prefix + "role", entry["role"]))
        if entry.get("content") is not None:
            out.append(_s(prefix + "content", entry["content"]))
        if "tool_call_id" in entry:
            out.append(_s(prefix + "tool_call_id", entry["tool_call_id"]))
        for j, tool_call in enumerate(entry.get("tool_calls", ())):
            call_prefix = f"{prefix}tool_calls.{j}.{call}"
            out.append(_s(call_prefix + "id", tool_call["id"]))
            out.append(_s(call_prefix + function + "name", tool_call["function"]["name"]))
            out.append(_s(call_prefix + function + "arguments", tool_call["function"]["arguments"]))
    return out


class OpenInference(Dialect):
    drop = ("llm.input_messages.", "llm.output_messages.", "input.value", "output.value", "llm.finish_reason")

    def messages(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        return _openinference_messages(self.system, user, done, reply)


def _openinference_messages(
    system: str, user: str, done: list[Turn], reply: Turn | str
) -> list[dict[str, Any]]:
    """OpenInference's flattened messages and its request and response JSON, for one model call."""
    history = _openai_history(system, user, done)
    out = _flat_history(history, "llm.input_messages.{}.message.", call="tool_call.", function="function.")
    out.append(_s("input.value", _json({"messages": history, "model": "gpt-4o-mini", "temperature": 0})))
    out.append(_s("llm.output_messages.0.message.role", "assistant"))
    if isinstance(reply, str):
        out.append(_s("llm.output_messages.0.message.content", reply))
        message: dict[str, Any] = {"role": "assistant", "content": reply}
        finish = "stop"
    else:
        prefix = "llm.output_messages.0.message.tool_calls.0.tool_call."
        out += [
            _s(prefix + "id", reply.call_id),
            _s(prefix + "function.name", "get_weather"),
            _s(prefix + "function.arguments", reply.arguments),
        ]
        call = {
            "id": reply.call_id,
            "type": "function",
            "function": {"name": "get_weather", "arguments": reply.arguments},
        }
        message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    out.append(
        _s(
            "output.value",
            _json({"choices": [{"finish_reason": finish, "index": 0, "message": message}]}),
        )
    )
    out.append(_s("llm.finish_reason", finish))
    return out


class GenAi(Dialect):
    drop = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.response.finish_reasons")

    def messages(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        history: list[dict[str, Any]] = [
            {"role": "system", "parts": [{"content": self.system, "type": "text"}]},
            {"role": "user", "parts": [{"content": user, "type": "text"}]},
        ]
        for turn in done:
            part = {
                "arguments": {"city": turn.city},
                "name": "get_weather",
                "id": turn.call_id,
                "type": "tool_call",
            }
            history.append({"role": "assistant", "parts": [part]})
            response = {"response": turn.result, "id": turn.call_id, "type": "tool_call_response"}
            history.append({"role": "tool", "parts": [response]})
        if isinstance(reply, str):
            output = {
                "role": "assistant",
                "parts": [{"content": reply, "type": "text"}],
                "finish_reason": "stop",
            }
        else:
            part = {
                "arguments": {"city": reply.city},
                "name": "get_weather",
                "id": reply.call_id,
                "type": "tool_call",
            }
            output = {"role": "assistant", "parts": [part], "finish_reason": "tool_calls"}
        finish = {"arrayValue": {"values": [{"stringValue": output["finish_reason"]}]}}
        return [
            _s("gen_ai.input.messages", _json(history)),
            _s("gen_ai.output.messages", _json([output])),
            {"key": "gen_ai.response.finish_reasons", "value": finish},
        ]


class OpenLlmetry(Dialect):
    drop = ("gen_ai.prompt.", "gen_ai.completion.")

    def messages(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        out = _flat_history(_openai_history(self.system, user, done), "gen_ai.prompt.{}.")
        if isinstance(reply, str):
            out += [
                _s("gen_ai.completion.0.finish_reason", "stop"),
                _s("gen_ai.completion.0.role", "assistant"),
            ]
            out.append(_s("gen_ai.completion.0.content", reply))
        else:
            out += [
                _s("gen_ai.completion.0.finish_reason", "tool_calls"),
                _s("gen_ai.completion.0.role", "assistant"),
            ]
            out += [
                _s("gen_ai.completion.0.tool_calls.0.id", reply.call_id),
                _s("gen_ai.completion.0.tool_calls.0.name", "get_weather"),
                _s("gen_ai.completion.0.tool_calls.0.arguments", reply.arguments),
            ]
        return out


def _lc_usage(prompt: int, completion: int) -> dict[str, Any]:
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}


class LangGraph(Dialect):
    """LangGraph's prebuilt ReAct agent through OpenInference's LangChain instrumentation.

    Built on the real sample (``samples/frameworks/langgraph_openinference``): per tool round the
    ``agent`` node (an AGENT span) with ``call_model``, a ``RunnableSequence`` around ``Prompt`` and
    the ``ChatOpenAI`` model call, and ``should_continue``; then the ``tools`` node around the tool.
    Every chain span carries the graph state, the whole message history so far, in ``input.value``
    as LangChain serialises it; the model call also has it flattened in ``llm.input_messages``.
    """

    drop = OpenInference.drop

    def __init__(self, template: list[dict[str, Any]], system: str) -> None:
        named: dict[str, dict[str, Any]] = {}
        for span in template:
            named.setdefault(span["name"], span)  # the first of each name
        self.named, self.root, self.system = named, template[-1], system

    def _ai(self, k: int, reply: Turn | str) -> dict[str, Any]:
        calls = (
            []
            if isinstance(reply, str)
            else [
                {
                    "name": "get_weather",
                    "args": {"city": reply.city},
                    "id": reply.call_id,
                    "type": "tool_call",
                }
            ]
        )
        prompt, completion = 320 + 160 * k, 12 if calls else 64
        return {
            "content": reply if isinstance(reply, str) else "",
            "additional_kwargs": {"refusal": None},
            "response_metadata": {
                "token_usage": {"completion_tokens": completion, "prompt_tokens": prompt},
                "model_provider": "openai",
                "model_name": "gpt-4o-mini-2024-07-18",
                "system_fingerprint": "fp_27bebe765c",
                "id": f"chatcmpl-{k:04d}",
                "finish_reason": "tool_calls" if calls else "stop",
                "logprobs": None,
            },
            "type": "ai",
            "name": "travel-agent",
            "id": f"lc_run--{k:04d}",
            "tool_calls": calls,
            "invalid_tool_calls": [],
            "usage_metadata": _lc_usage(prompt, completion),
        }

    @staticmethod
    def _tool_message(turn: Turn) -> dict[str, Any]:
        return {
            "content": turn.result,
            "additional_kwargs": {},
            "response_metadata": {},
            "type": "tool",
            "name": "get_weather",
            "id": None,
            "tool_call_id": turn.call_id,
            "artifact": None,
            "status": "success",
        }

    def _state(self, user: str, done: list[Turn]) -> list[dict[str, Any]]:
        human = {"content": user, "additional_kwargs": {}, "response_metadata": {}, "type": "human"}
        state = [{"type": "human", "data": {**human, "name": None, "id": "3145c2cb"}}]
        for k, turn in enumerate(done):
            state.append({"type": "ai", "data": self._ai(k, turn)})
            state.append({"type": "tool", "data": self._tool_message(turn)})
        return state

    def _attributes(self, name: str, inputs: Any, outputs: Any, user: str) -> list[dict[str, Any]]:
        kept = [a for a in _attrs(self.named[name]) if not a["key"].startswith(self.drop)]
        first = [
            _s("llm.input_messages.0.message.role", "user"),
            _s("llm.input_messages.0.message.content", user),
        ]
        out = outputs if isinstance(outputs, str) else _json(outputs)
        return [_s("input.value", _json(inputs)), _s("output.value", out), *first, *kept]

    def round_spans(
        self, user: str, done: list[Turn], reply: Turn | str
    ) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """One round's spans, children first: (template name, parent's template name, attributes)."""
        k = len(done)
        state = {"messages": self._state(user, done), "remaining_steps": 10006 - 2 * k}
        ai = {"type": "ai", "data": self._ai(k, reply)}
        spans = [
            ("Prompt", "RunnableSequence", self._attributes("Prompt", state, [{"type": "system"}], user)),
            ("ChatOpenAI", "RunnableSequence", self.model_attributes(user, done, reply)),
            ("RunnableSequence", "agent", self._attributes("RunnableSequence", state, ai, user)),
            ("call_model", "agent", self._attributes("call_model", state, {"messages": [ai]}, user)),
            ("should_continue", "agent", self._attributes("should_continue", state, "__end__", user)),
            ("agent", "", self._attributes("agent", state, {"messages": [ai]}, user)),
        ]
        if isinstance(reply, Turn):
            call = ai["data"]["tool_calls"][0]
            context = {"__type": "tool_call_with_context", "tool_call": call, "state": state}
            message = {"type": "tool", "data": self._tool_message(reply)}
            spans[4] = (
                "should_continue",
                "agent",
                self._attributes("should_continue", state, ["Send(node='tools')"], user),
            )
            tool = [
                a
                for a in self._attributes("get_weather", reply.city, message, user)
                if a["key"] != "input.value"
            ]
            spans += [
                ("get_weather", "tools", [_s("input.value", reply.city), *tool]),
                ("tools", "", self._attributes("tools", context, {"messages": [message]}, user)),
            ]
        return spans

    def model_attributes(self, user: str, done: list[Turn], reply: Turn | str) -> list[dict[str, Any]]:
        kept = [a for a in _attrs(self.named["ChatOpenAI"]) if not a["key"].startswith(self.drop)]
        return kept + _openinference_messages(self.system, user, done, reply)


DIALECTS: dict[str, type[Dialect]] = {
    "openinference_full": OpenInference,
    "otel_genai": GenAi,
    "openllmetry_legacy": OpenLlmetry,
    "langgraph_openinference": LangGraph,
}


def _first_trace(name: str) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """The first request line of a sample file, its spans, and the system prompt it used."""
    folder = FRAMEWORKS if name in FRAMEWORK_SAMPLES else SAMPLES
    request = orjson.loads((folder / f"{name}.otlp.jsonl").read_bytes().splitlines()[0])
    spans = [s for block in request["resourceSpans"] for scope in block["scopeSpans"] for s in scope["spans"]]
    system = (
        "You are a concise travel assistant helping Alice. Today is 2026-06-01. Use get_weather for "
        "weather questions and convert_currency for money questions; if a tool fails, say so honestly."
    )
    return request, spans, system


class Writer:
    """Fat traces with fresh ids and times, one OTLP request line each."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.cursor = 1_795_610_000_000_000_000
        self.templates = {}
        for name in MIX:
            request, spans, system = _first_trace(name)
            self.templates[name] = (request, DIALECTS[name](spans, system))

    def _hex(self, nbytes: int) -> str:
        return f"{self.rng.getrandbits(nbytes * 8) | 1:0{nbytes * 2}x}"

    def trace(self, name: str) -> tuple[bytes, int]:
        request, dialect = self.templates[name]
        rng = self.rng
        rounds = rng.randint(3, 8)
        cities = rng.sample(CITIES, rounds)
        user = REQUEST.format(", ".join(cities))
        turns = [
            Turn(
                f"call_{self._hex(12)}",
                city,
                _json(
                    {
                        "city": city,
                        "temp_c": rng.randint(4, 31),
                        "conditions": rng.choice(CONDITIONS),
                        "forecast": [
                            {"day": d, "high_c": rng.randint(8, 33), "conditions": rng.choice(CONDITIONS)}
                            for d in range(1, 6)
                        ],
                        "source": "weather-api v2",
                    }
                ),
            )
            for city in cities
        ]
        trace_id, root_id = self._hex(16), self._hex(8)
        start = self.cursor
        self.cursor += rng.randint(20_000_000, 400_000_000)
        t = start + 1_000_000
        spans: list[dict[str, Any]] = []

        def span(template: dict[str, Any], attributes: list[dict[str, Any]], took: int) -> None:
            nonlocal t
            made = {k: v for k, v in template.items() if k != "attributes"}
            made.update(traceId=trace_id, spanId=self._hex(8), parentSpanId=root_id, attributes=attributes)
            made.update(startTimeUnixNano=str(t), endTimeUnixNano=str(t + took))
            spans.append(made)
            t += took + 200_000

        for k in range(rounds + 1):
            reply: Turn | str = turns[k] if k < rounds else ANSWER.format(" and ".join(cities[:2]))
            if isinstance(dialect, LangGraph):
                t = self._graph_round(dialect, spans, trace_id, root_id, t, user, turns[:k], reply)
                continue
            span(
                dialect.llm,
                dialect.model_attributes(user, turns[:k], reply),
                rng.randint(300, 2_000) * 1_000_000,
            )
            if k < rounds:
                span(dialect.tool, dialect.tool_attributes(turns[k]), rng.randint(5, 80) * 1_000_000)
        root = {k: v for k, v in dialect.root.items() if k != "parentSpanId"}
        root.update(traceId=trace_id, spanId=root_id, startTimeUnixNano=str(start), endTimeUnixNano=str(t))
        spans.append(root)
        block = request["resourceSpans"][0]
        scope = block["scopeSpans"][0]
        line = {"resourceSpans": [{**block, "scopeSpans": [{**scope, "spans": spans}]}]}
        return orjson.dumps(line), len(spans)

    def _graph_round(
        self,
        dialect: LangGraph,
        spans: list[dict[str, Any]],
        trace_id: str,
        root_id: str,
        t: int,
        user: str,
        done: list[Turn],
        reply: Turn | str,
    ) -> int:
        """Append one LangGraph round's spans (children first, nested times); the time after it."""
        made = dialect.round_spans(user, done, reply)
        ids = {name: self._hex(8) for name, _, _ in made}
        model_took = self.rng.randint(300, 2_000) * 1_000_000
        tool_took = self.rng.randint(5, 80) * 1_000_000
        tools_start = t + model_took + 1_000_000
        for name, parent, attributes in made:
            depth = _GRAPH_DEPTH[name]
            begin, took = (
                (t, model_took) if name not in ("tools", "get_weather") else (tools_start, tool_took)
            )
            template = {k: v for k, v in dialect.named[name].items() if k != "attributes"}
            template.update(traceId=trace_id, spanId=ids[name], parentSpanId=ids.get(parent, root_id))
            template.update(attributes=attributes, startTimeUnixNano=str(begin + depth * 100_000))
            template.update(endTimeUnixNano=str(begin + took + (3 - depth) * 100_000))
            spans.append(template)
        return (tools_start + tool_took if isinstance(reply, Turn) else t + model_took) + 1_000_000


_GRAPH_DEPTH = {
    "agent": 0,
    "RunnableSequence": 1,
    "call_model": 1,
    "should_continue": 1,
    "Prompt": 2,
    "ChatOpenAI": 2,
    "tools": 0,
    "get_weather": 1,
}
"""How deep each LangGraph span sits below the root's child, to nest their times."""


def write(out: Path, target_spans: int, seed: int) -> dict[str, Any]:
    """Stream fat traces into ``out`` until ``target_spans`` spans; returns the counts."""
    writer = Writer(seed)
    names, weights = list(MIX), list(MIX.values())
    counts = {"spans": 0, "traces": 0, "lines": 0, "bytes": 0}
    spans_by_dialect: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb", buffering=1 << 20) as fh:
        while counts["spans"] < target_spans:
            name = writer.rng.choices(names, weights)[0]
            line, spans = writer.trace(name)
            fh.write(line + b"\n")
            counts["lines"] += 1
            counts["traces"] += 1
            counts["bytes"] += len(line) + 1
            counts["spans"] += spans
            spans_by_dialect[name] += spans
    tmp.replace(out)
    return {
        **counts,
        "seed": seed,
        "mix_weights": MIX,
        "spans_by_source": dict(spans_by_dialect.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000, help="stop once this many spans are written")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    meta = write(args.out, args.spans, args.seed)
    meta["file"] = str(args.out)
    args.out.with_name(args.out.name + ".meta.json").write_bytes(
        orjson.dumps(meta, option=orjson.OPT_INDENT_2) + b"\n"
    )
    print(
        f"wrote {args.out}: {meta['spans']:,} spans, {meta['traces']:,} traces, "
        f"{meta['bytes'] / 1e6:,.1f} MB ({meta['bytes'] / meta['spans']:,.0f} bytes a span) "
        f"in {time.perf_counter() - began:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
