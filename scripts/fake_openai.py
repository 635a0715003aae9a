#!/usr/bin/env python3
"""Deterministic, stdlib-only fake of the OpenAI chat-completions API.

Used to capture *real* instrumentation output (OpenInference, OTel GenAI,
OpenLLMetry, LangSmith, Braintrust, ...) without network access or an API key.
It only ever binds to 127.0.0.1.

In-process::

    from fake_openai import FakeOpenAI

    server = FakeOpenAI()            # port 0 = pick a free port
    with server as base_url:         # "http://127.0.0.1:PORT/v1"
        client = openai.OpenAI(base_url=base_url, api_key="sk-fake")
        ...
    server.requests                  # every parsed request body, in order

Standalone::

    python scripts/fake_openai.py --port 8765     # Ctrl-C / SIGTERM to stop

Endpoints
    POST /v1/chat/completions   non-streaming, or ``stream: true`` as SSE
                                (``stream_options.include_usage`` adds a final
                                usage chunk with ``choices: []``)
    POST /v1/responses          the Responses API, non-streaming: ``input`` items
                                (messages, ``function_call``,
                                ``function_call_output``) and ``instructions`` are
                                read as the chat messages they stand for
    GET  /v1/models             the models listed in ``MODEL_SNAPSHOTS``
    GET  /health                ``{"status": "ok"}``

Scripted behaviour (a pure function of the request, so identical requests get
identical responses; only ``created`` follows the clock unless fixed):

* last message is a user message and the request offers a matching tool:
    - mentions "weather" -> ``get_weather(city)`` for each city named
      (two cities -> two *parallel* tool calls in one response);
    - mentions currency/convert/exchange (or "<amount> <CODE> to <CODE>")
      -> ``convert_currency(amount, from_currency, to_currency)``;
    - both -> all of those calls in one response.
  ``finish_reason`` is ``tool_calls``.
* last message(s) are tool results -> a final text answer built from them
  (results starting with "Error" produce an apology that quotes the error).
* anything else -> a plain text answer; ``finish_reason`` is ``stop``.
* ``tool_choice: "none"`` or no ``tools`` -> never calls tools.
* a tool named ``final_answer`` is offered (smolagents' ``ToolCallingAgent``
  ends a run only through it) -> every text answer comes as a
  ``final_answer(answer)`` tool call instead. smolagents' tool turns (its
  ``Calling tools:`` text, ``Observation:`` and ``Error:`` user messages) are
  read as the tool calls and results they stand for, so a failed tool gets an
  apology through ``final_answer`` instead of the same call again.

Tool-call ids are ``call_`` + 24 characters derived from a hash of the
conversation and the call's position, so they are stable across runs.
``usage`` is a crude word count: ``prompt_tokens`` counts words of all
messages and tool schemas (+4 per message), ``completion_tokens`` the words of
the answer or tool-call arguments. ``prompt_tokens_details.cached_tokens`` is
the prompt prefix that an earlier call of the same conversation already sent
(everything before the last assistant message), rounded down to 16, so
follow-up calls show cache hits; ``reasoning_tokens`` is always 0.

Error injection: a request header ``X-Fake-Status: 429`` (or any 4xx/5xx)
returns an OpenAI-style error body with that status. Note the ``openai``
client retries 429/5xx twice by default (use ``max_retries=0``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import re
import signal
import string
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

HOST = "127.0.0.1"

MODEL_SNAPSHOTS: dict[str, str] = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1": "gpt-4.1-2025-04-14",
}

KNOWN_CITIES: tuple[str, ...] = (
    "New York",
    "San Francisco",
    "Los Angeles",
    "Rio de Janeiro",
    "Hong Kong",
    "Paris",
    "London",
    "Tokyo",
    "Berlin",
    "Lisbon",
    "Madrid",
    "Rome",
    "Sydney",
    "Amsterdam",
    "Barcelona",
    "Vienna",
    "Prague",
    "Dublin",
    "Singapore",
    "Seoul",
    "Toronto",
    "Chicago",
    "Boston",
    "Oslo",
    "Zurich",
)

CURRENCY_WORDS: dict[str, str] = {
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "jpy": "JPY",
    "franc": "CHF",
    "francs": "CHF",
    "chf": "CHF",
}

_ALPHABET = string.ascii_letters + string.digits
_WORD_RE = re.compile(r"\w+|[^\w\s]")


# --------------------------------------------------------------------------
# Scripted model
# --------------------------------------------------------------------------


def _digest(*parts: Any) -> bytes:
    """Stable sha256 over JSON-encoded parts."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).digest()


def _token_id(prefix: str, *parts: Any, length: int = 24) -> str:
    """OpenAI-looking id (``call_Ab3...``) derived from a hash of ``parts``."""
    raw = _digest(*parts)
    return prefix + "".join(_ALPHABET[b % len(_ALPHABET)] for b in raw[:length])


def _text_of(content: Any) -> str:
    """Flatten OpenAI message content (str or list of parts) to text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def count_tokens(text: str) -> int:
    """Crude token estimate: words and punctuation marks."""
    return len(_WORD_RE.findall(text))


def _message_tokens(msg: dict[str, Any]) -> int:
    n = 4 + count_tokens(_text_of(msg.get("content")))
    for call in msg.get("tool_calls") or []:
        fn = call.get("function") or {}
        n += count_tokens(str(fn.get("name", ""))) + count_tokens(str(fn.get("arguments", "")))
    return n


def _offered_tools(body: dict[str, Any]) -> set[str]:
    if body.get("tool_choice") == "none":
        return set()
    names: set[str] = set()
    for tool in body.get("tools") or []:
        fn = tool.get("function") or tool  # the Responses API puts the name on the tool itself
        if fn.get("name"):
            names.add(str(fn["name"]))
    return names


def find_cities(text: str) -> list[str]:
    """Cities in order of appearance: known names first, else 'in <Capitalised>'."""
    hits: list[tuple[int, str]] = []
    for city in KNOWN_CITIES:
        for m in re.finditer(rf"\b{re.escape(city)}\b", text):
            if not any(s <= m.start() < s + len(c) for s, c in hits):
                hits.append((m.start(), city))
    if not hits:
        for m in re.finditer(r"\b(?:in|for|at)\s+([A-Z][a-zA-Z-]+(?:\s[A-Z][a-zA-Z-]+)?)", text):
            hits.append((m.start(1), m.group(1)))
    seen: list[str] = []
    for _, city in sorted(hits):
        if city not in seen:
            seen.append(city)
    return seen[:4]


def find_conversion(text: str) -> dict[str, Any] | None:
    """Parse '<amount> <currency> to/in/into <currency>' (codes or words)."""
    amount_m = re.search(r"(\d+(?:[.,]\d+)?)", text)
    codes: list[str] = []
    for tok in re.findall(r"[A-Za-z]+", text):
        code = CURRENCY_WORDS.get(tok.lower())
        if code is None and re.fullmatch(r"[A-Z]{3}", tok):
            code = tok
        if code and code not in codes:
            codes.append(code)
    lowered = text.lower()
    mentioned = any(w in lowered for w in ("currency", "convert", "exchange")) or (
        amount_m is not None and len(codes) >= 2
    )
    if not mentioned:
        return None
    amount: float | int = float(amount_m.group(1).replace(",", ".")) if amount_m else 100.0
    if float(amount).is_integer():
        amount = int(amount)
    from_cur = codes[0] if codes else "USD"
    to_cur = codes[1] if len(codes) > 1 else ("EUR" if from_cur != "EUR" else "USD")
    return {"amount": amount, "from_currency": from_cur, "to_currency": to_cur}


def _plain_answer(text: str) -> str:
    """Deterministic canned answer for a user turn that needs no tool."""
    low = text.lower()
    if any(w in low for w in ("thank", "that's all", "bye")):
        return "You're welcome! Have a great trip."
    if "pack" in low:
        return (
            "For a rainy weekend, pack a light waterproof jacket, an umbrella, "
            "quick-dry layers and shoes with good grip."
        )
    if any(w in low for w in ("hello", "hi ", "hey")):
        return "Hello! I can check the weather or convert currencies for your trip."
    snippet = " ".join(text.split()[:12])
    return f'Here is what I can tell you about "{snippet}": plan ahead and check local advice.'


def _answer_from_tool_results(results: list[tuple[str, dict[str, Any], str]]) -> str:
    """Compose a final answer from (tool name, args, result text) triples."""
    sentences: list[str] = []
    for name, args, content in results:
        if content.strip().lower().startswith("error"):
            what = args.get("city") or name
            sentences.append(
                f"Sorry, I couldn't get that information for {what} right now "
                f"({content.strip()}). Please try again in a moment."
            )
            continue
        try:
            data = json.loads(content)
        except (TypeError, ValueError):
            data = None
        if name == "get_weather" and isinstance(data, dict):
            sentences.append(
                f"In {data.get('city', args.get('city', '?'))} it is "
                f"{data.get('temp_c', '?')}°C and {data.get('conditions', 'unknown')}."
            )
        elif name == "convert_currency" and isinstance(data, dict):
            sentences.append(
                f"{args.get('amount', '?')} {args.get('from_currency', '?')} is about "
                f"{data.get('converted', data.get('result', '?'))} "
                f"{args.get('to_currency', '?')}."
            )
        elif isinstance(data, dict):
            pairs = ", ".join(f"{k}: {v}" for k, v in data.items())
            sentences.append(f"{name} returned {pairs}.")
        else:
            sentences.append(f"{name} returned: {content.strip()}")
    return " ".join(sentences)


def _answer(messages: list[dict[str, Any]], tools: set[str], text: str) -> dict[str, Any]:
    """A final text answer, or a ``final_answer`` tool call carrying it when that tool is offered."""
    if "final_answer" not in tools:
        return {"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    args = {"answer": text}
    call = {
        "id": _token_id("call_", messages, 0, "final_answer", args),
        "type": "function",
        "function": {"name": "final_answer", "arguments": json.dumps(args)},
    }
    return {
        "message": {"role": "assistant", "content": None, "tool_calls": [call]},
        "finish_reason": "tool_calls",
    }


_SMOL_CALLS = re.compile(r"Calling tools:\s*\n(\[.*\])\s*$", re.S)
_SMOL_OBSERVATION = re.compile(r"(?:^|\n)Observation:\s*\n(.*)$", re.S)
_SMOL_ERROR = re.compile(
    r"(?:^|\n)Error:\s*\nError executing tool '([^']+)' with arguments (\{.*?\}):\s*(.*?)(?:\n|$)", re.S
)


def _smolagents_calls(text: str) -> list[dict[str, Any]] | None:
    """The tool calls of smolagents' ``Calling tools:\n[{...}]`` assistant text (a Python repr)."""
    match = _SMOL_CALLS.match(text)
    if match is None:
        return None
    try:
        calls = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return None
    out = []
    for call in calls if isinstance(calls, list) else []:
        fn = call.get("function") if isinstance(call, dict) else None
        if isinstance(fn, dict) and call.get("id"):
            args = fn.get("arguments")
            out.append(
                {
                    "id": str(call["id"]),
                    "type": "function",
                    "function": {
                        "name": str(fn.get("name")),
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
            )
    return out or None


def _tool_results_as_chat(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """smolagents' tool turns as the assistant tool calls and tool messages they stand for.

    smolagents (``ToolCallingAgent``) writes the model's tool calls as assistant text
    ``Calling tools:\n[{...}]`` and their results as user text: ``Observation:\n<one result a
    line>``, or, when the tool raised, ``Error:\nError executing tool '<name>' with arguments
    {...}: <exception>`` with no calling message before it (joined to the user message before it).
    Older releases wrote ``Call id: <id>\nObservation: ...``.
    """
    out: list[dict[str, Any]] = []
    for msg in messages:
        text = _text_of(msg.get("content"))
        role = msg.get("role")
        match = re.match(r"Call id: (call_\w+)\s*\n?Observation:\s*(.*)", text, re.S)
        if role in ("user", "tool-response") and match:
            out.append({"role": "tool", "tool_call_id": match.group(1), "content": match.group(2).strip()})
            continue
        calls = _smolagents_calls(text) if role in ("assistant", "tool-call") else None
        if calls is not None:
            out.append({"role": "assistant", "content": None, "tool_calls": calls})
            continue
        observed = _SMOL_OBSERVATION.search(text) if role in ("user", "tool-response") else None
        asked = out[-1].get("tool_calls") if out and out[-1].get("role") == "assistant" else None
        if observed is not None and asked:
            lines = [line for line in observed.group(1).strip().split("\n") if line.strip()]
            results = lines if len(lines) == len(asked) else [observed.group(1).strip()]
            out += [
                {"role": "tool", "tool_call_id": call["id"], "content": result}
                for call, result in zip(asked, results, strict=False)
            ]
            continue
        failed = _SMOL_ERROR.search(text) if role in ("user", "tool-response") else None
        if failed is not None:
            before = text[: failed.start()].strip()
            if before:
                out.append({"role": role, "content": before})
            name, raw_args, error = failed.groups()
            try:
                args = ast.literal_eval(raw_args)
            except (ValueError, SyntaxError):
                args = {}
            call_id = _token_id("call_", out, name, raw_args)
            call = {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            out.append({"role": "assistant", "content": None, "tool_calls": [call]})
            out.append({"role": "tool", "tool_call_id": call_id, "content": f"Error: {error.strip()}"})
            continue
        out.append(msg)
    return out


def respond(body: dict[str, Any]) -> dict[str, Any]:
    """Return the scripted assistant message and finish reason for a request.

    Result keys: ``message`` (OpenAI assistant message dict) and
    ``finish_reason``.
    """
    messages: list[dict[str, Any]] = _tool_results_as_chat(list(body.get("messages") or []))
    tools = _offered_tools(body)
    last = messages[-1] if messages else {"role": "user", "content": ""}

    if last.get("role") == "tool":
        # Trailing tool results answer the most recent assistant tool_calls.
        calls: dict[str, tuple[str, dict[str, Any]]] = {}
        for msg in messages:
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                calls[str(call.get("id"))] = (str(fn.get("name", "tool")), args)
        results: list[tuple[str, dict[str, Any], str]] = []
        for msg in reversed(messages):
            if msg.get("role") != "tool":
                break
            name, args = calls.get(str(msg.get("tool_call_id")), ("tool", {}))
            results.append((name, args, _text_of(msg.get("content"))))
        results.reverse()
        return _answer(messages, tools, _answer_from_tool_results(results))

    text = _text_of(last.get("content"))
    planned: list[tuple[str, dict[str, Any]]] = []
    if "get_weather" in tools and "weather" in text.lower():
        cities = find_cities(text) or ["Paris"]
        planned += [("get_weather", {"city": c}) for c in cities]
    if "convert_currency" in tools:
        conv = find_conversion(text)
        if conv is not None:
            planned.append(("convert_currency", conv))
    if not planned:
        return _answer(messages, tools, _plain_answer(text))
    tool_calls = [
        {
            "id": _token_id("call_", messages, i, name, args),
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(planned)
    ]
    return {
        "message": {"role": "assistant", "content": None, "tool_calls": tool_calls},
        "finish_reason": "tool_calls",
    }


def usage_for(body: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """Crude but internally consistent OpenAI ``usage`` block."""
    messages: list[dict[str, Any]] = list(body.get("messages") or [])
    tool_tokens = sum(count_tokens(json.dumps(t)) for t in body.get("tools") or [])
    per_msg = [_message_tokens(m) for m in messages]
    prompt = sum(per_msg) + tool_tokens + 3
    last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    cached = 0
    if last_assistant >= 0:
        cached = (sum(per_msg[:last_assistant]) + tool_tokens) // 16 * 16
    completion = _message_tokens(message) - 4 + 1
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def build_completion(body: dict[str, Any], created: int) -> dict[str, Any]:
    """Full non-streaming ``chat.completion`` object for a request body."""
    scripted = respond(body)
    message = {"refusal": None, "annotations": [], **scripted["message"]}
    if "content" not in message:
        message["content"] = None
    requested = str(body.get("model") or "gpt-4o-mini")
    model = MODEL_SNAPSHOTS.get(requested, requested)
    return {
        "id": _token_id("chatcmpl-", body.get("messages"), requested, length=29),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": scripted["finish_reason"],
            }
        ],
        "usage": usage_for(body, scripted["message"]),
        "service_tier": "default",
        "system_fingerprint": "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10],
    }


def stream_chunks(completion: dict[str, Any], include_usage: bool) -> Iterator[dict[str, Any]]:
    """Split a completion into ``chat.completion.chunk`` objects."""
    base = {k: completion[k] for k in ("id", "created", "model", "service_tier", "system_fingerprint")}
    base["object"] = "chat.completion.chunk"
    choice = completion["choices"][0]
    message = choice["message"]

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        out = {
            **base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            out["usage"] = None
        return out

    yield chunk({"role": "assistant", "content": "" if message.get("content") else None, "refusal": None})
    if message.get("content"):
        words = re.findall(r"\S+\s*", message["content"])
        for i in range(0, len(words), 3):
            yield chunk({"content": "".join(words[i : i + 3])})
    for idx, call in enumerate(message.get("tool_calls") or []):
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": idx,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ]
            }
        )
        args = call["function"]["arguments"]
        for i in range(0, len(args), 12):
            yield chunk({"tool_calls": [{"index": idx, "function": {"arguments": args[i : i + 12]}}]})
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        yield {**base, "choices": [], "usage": completion["usage"]}


def responses_to_chat(body: dict[str, Any]) -> dict[str, Any]:
    """A Responses API request as the chat-completions request it stands for."""
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": str(body["instructions"])})
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    for item in items or []:
        kind = item.get("type")
        if kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
            }
            if messages and messages[-1].get("role") == "assistant" and messages[-1].get("tool_calls"):
                messages[-1]["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else json.dumps(output)
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": text})
        elif "role" in item:
            role = "system" if item["role"] == "developer" else item["role"]
            messages.append({"role": role, "content": _text_of(item.get("content"))})
    tools = [
        {"type": "function", "function": {k: t.get(k) for k in ("name", "description", "parameters")}}
        for t in body.get("tools") or []
        if t.get("type") == "function"
    ]
    return {
        "model": body.get("model"),
        "messages": messages,
        "tools": tools,
        "tool_choice": body.get("tool_choice"),
    }


def build_response(body: dict[str, Any], created: int) -> dict[str, Any]:
    """A full non-streaming Responses API ``response`` object for a request body."""
    chat = responses_to_chat(body)
    completion = build_completion(chat, created)
    message = completion["choices"][0]["message"]
    output: list[dict[str, Any]] = []
    if message.get("content"):
        output.append(
            {
                "type": "message",
                "id": _token_id("msg_", chat["messages"], length=32),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": message["content"], "annotations": []}],
            }
        )
    for call in message.get("tool_calls") or []:
        output.append(
            {
                "type": "function_call",
                "id": "fc_" + call["id"].removeprefix("call_"),
                "call_id": call["id"],
                "name": call["function"]["name"],
                "arguments": call["function"]["arguments"],
                "status": "completed",
            }
        )
    usage = completion["usage"]
    return {
        "id": _token_id("resp_", chat["messages"], length=32),
        "object": "response",
        "created_at": created,
        "status": "completed",
        "model": completion["model"],
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": body.get("tools") or [],
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "max_output_tokens": body.get("max_output_tokens"),
        "instructions": body.get("instructions"),
        "metadata": {},
        "error": None,
        "incomplete_details": None,
        "usage": {
            "input_tokens": usage["prompt_tokens"],
            "output_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
            "input_tokens_details": {"cached_tokens": usage["prompt_tokens_details"]["cached_tokens"]},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


# --------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", "req_" + hashlib.sha256(data).hexdigest()[:24])
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        self._send_json(
            status,
            {
                "error": {
                    "message": message,
                    "type": "invalid_request_error" if status < 500 else "server_error",
                    "param": None,
                    "code": code,
                }
            },
        )

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/health":
            self._send_json(200, {"status": "ok"})
        elif path == "/v1/models":
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "system"}
                        for m in sorted({*MODEL_SNAPSHOTS, *MODEL_SNAPSHOTS.values()})
                    ],
                },
            )
        else:
            self._error(404, f"Unknown path {path}", "not_found")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path not in ("/v1/chat/completions", "/v1/responses"):
            self._error(404, f"Unknown path {path}", "not_found")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._error(400, "Request body is not valid JSON")
            return
        if path == "/v1/responses":
            with self.server.lock:
                self.server.requests.append(body)
            if not isinstance(body, dict) or not body.get("input"):
                self._error(400, "'input' is required", "missing_required_parameter")
                return
            created = self.server.created if self.server.created is not None else int(time.time())
            self._send_json(200, build_response(body, created))
            return
        if not isinstance(body, dict) or not body.get("messages"):
            self._error(400, "'messages' is required", "missing_required_parameter")
            return
        with self.server.lock:
            self.server.requests.append(body)
        forced = self.headers.get("X-Fake-Status")
        if forced and forced.isdigit() and int(forced) >= 400:
            self._error(int(forced), f"Injected error with status {forced}", "fake_error")
            return
        created = self.server.created if self.server.created is not None else int(time.time())
        completion = build_completion(body, created)
        if not body.get("stream"):
            self._send_json(200, completion)
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for part in stream_chunks(completion, include_usage):
            self.wfile.write(f"data: {json.dumps(part)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, created: int | None, verbose: bool) -> None:
        super().__init__((HOST, port), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.created = created
        self.verbose = verbose


class FakeOpenAI:
    """Fake OpenAI server on 127.0.0.1; use as ``with FakeOpenAI() as base_url``.

    ``port=0`` picks a free port. ``created`` fixes the ``created`` timestamp
    of every response (default: the clock). ``requests`` lists the parsed
    request bodies received so far.
    """

    def __init__(self, port: int = 0, *, created: int | None = None, verbose: bool = False) -> None:
        self._port = port
        self._created = created
        self._verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._last_requests: list[dict[str, Any]] = []

    @property
    def port(self) -> int:
        """Bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("server is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """OpenAI ``base_url`` for clients, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Request bodies received (a copy)."""
        if self._server is None:
            return list(self._last_requests)
        with self._server.lock:
            return list(self._server.requests)

    def start(self) -> str:
        """Start serving in a daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("already running")
        self._server = _Server(self._port, self._created, self._verbose)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the socket."""
        if self._server is None:
            return
        self._last_requests = list(self._server.requests)
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    """Run the fake server until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free)")
    parser.add_argument("--created", type=int, default=None, help="fixed 'created' timestamp")
    parser.add_argument("--verbose", action="store_true", help="log each request")
    args = parser.parse_args()

    server = FakeOpenAI(args.port, created=args.created, verbose=args.verbose)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server as base_url:
        print(f"fake OpenAI listening on {base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    print("fake OpenAI stopped", flush=True)


if __name__ == "__main__":
    main()
