"""Google ADK's legacy telemetry (schema 1): ``LlmRequest`` / ``LlmResponse`` JSON on ``call_llm``.

Under ``ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN=1`` ADK records a model call's content only as JSON in
``gcp.vertex.agent.llm_request`` (``{"model", "config", "contents"}``: the request's
``GenerateContentConfig`` and ``Content`` list, dumped by pydantic with ``exclude_none``) and
``gcp.vertex.agent.llm_response`` (the ``LlmResponse``: ``content``, ``finish_reason``,
``usage_metadata``, ``model_version``, ``error_code`` ...). With its content switch off ADK writes
``{}`` in both. The shapes are google-genai's types::

    {"config": {"system_instruction": "...", "temperature": 0.0, "seed": 7,
                "tools": [{"function_declarations": [{"name": "get_weather", ...}]}]},
     "contents": [{"role": "user", "parts": [{"text": "..."}]},
                  {"role": "model", "parts": [{"function_call": {"id": "c1", "name": "...", "args": {}}}]},
                  {"role": "user", "parts": [{"function_response": {"id": "c1", "name": "...",
                                                                    "response": {"result": "..."}}}]}]}
"""

from __future__ import annotations

from typing import Any

import orjson

from traceready.mapping.messages._parts import Folded, tool_call
from traceready.mapping.transforms import as_json, as_str
from traceready.model import Message

_ROLES = {"model": "assistant", "function": "tool"}
"""google-genai roles in the shared vocabulary (``user`` stays ``user``)."""

_PARAMS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_output_tokens": "max_tokens",
    "seed": "seed",
    "stop_sequences": "stop",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "candidate_count": "n",
}
"""``GenerateContentConfig`` sampling fields, by the names ``llm.params`` uses."""

_PLACEHOLDERS = frozenset({"N/A", "<not serializable>"})
"""What ADK writes where content was not recorded (besides ``{}``)."""


_NO_RESPONSE = {"result": "<not specified>"}
"""ADK's ``tool_response`` for a tool that gave no response (it raised)."""


def content_json(value: Any) -> Any:
    """A schema-1 content attribute decoded, or None for ADK's placeholders (``{}``, ``N/A`` ...)."""
    if isinstance(value, str) and value.strip() in _PLACEHOLDERS:
        return None
    decoded = as_json(value)
    return None if decoded == {} or decoded == _NO_RESPONSE else decoded


def request_messages(value: Any) -> tuple[Message, ...] | None:
    """The system instruction and the request's contents, or None when it is no ``LlmRequest``."""
    request = as_json(value)
    if not isinstance(request, dict) or not isinstance(request.get("contents"), list):
        return None
    messages = []
    config = request.get("config")
    system = config.get("system_instruction") if isinstance(config, dict) else None
    if system is not None:  # a string, a Content or a part list; whatever its role, it is the system's
        messages.extend(_content_messages(system, "system", fixed=True))
    for content in request["contents"]:
        messages.extend(_content_messages(content, "user"))
    return tuple(messages)


def response_messages(value: Any) -> tuple[Message, ...] | None:
    """The response's content as messages, or None when it recorded none."""
    response = as_json(value)
    if not isinstance(response, dict) or response.get("content") is None:
        return None
    return tuple(_content_messages(response["content"], "assistant")) or None


def tool_names(value: Any) -> tuple[str, ...] | None:
    """Names of the tools the request offered: function declarations, and built-in tools by kind."""
    config = _config(value)
    tools = config.get("tools") if config else None
    if not isinstance(tools, list):
        return None
    names: list[str] = []
    for tool in tools:
        if not isinstance(tool, dict):
            continue
        for key, spec in tool.items():
            if key != "function_declarations":
                names.append(key)  # a built-in tool (google_search, code_execution ...)
                continue
            for declaration in spec if isinstance(spec, list) else ():
                if isinstance(declaration, dict) and (name := as_str(declaration.get("name"))):
                    names.append(name)
    return tuple(names) or None


def params(value: Any) -> dict[str, Any] | None:
    """The sampling parameters the request's config set, under ``llm.params`` names."""
    config = _config(value)
    if not config:
        return None
    found = {name: config[key] for key, name in _PARAMS.items() if config.get(key) is not None}
    return found or None


def finish_reasons(value: Any) -> list[str] | None:
    """The response's finish reason, lower-cased as ADK writes it to ``gen_ai.response.finish_reasons``."""
    response = as_json(value)
    reason = as_str(response.get("finish_reason")) if isinstance(response, dict) else None
    return [reason.lower()] if reason else None


def response_model(value: Any) -> str | None:
    """The model version that answered."""
    response = as_json(value)
    return as_str(response.get("model_version")) if isinstance(response, dict) else None


def usage(key: str) -> Any:
    """A transform reading one ``usage_metadata`` count of a response."""

    def count(value: Any) -> Any:
        response = as_json(value)
        metadata = response.get("usage_metadata") if isinstance(response, dict) else None
        return metadata.get(key) if isinstance(metadata, dict) else None

    return count


def _config(value: Any) -> dict[str, Any] | None:
    request = as_json(value)
    config = request.get("config") if isinstance(request, dict) else None
    return config if isinstance(config, dict) else None


def _content_messages(content: Any, default_role: str, *, fixed: bool = False) -> list[Message]:
    """One ``Content`` (or a bare string / part list, as a system instruction may be) as messages.

    Each ``function_response`` part becomes its own tool message, so every result keeps the id of
    the call it answers; the other parts fold into one message. ``fixed`` keeps ``default_role``
    whatever role the content names.
    """
    if isinstance(content, str):
        return [Message(role=default_role, content=content)] if content.strip() else []
    if isinstance(content, list):
        content = {"parts": content}
    if not isinstance(content, dict):
        return []
    role = None if fixed else as_str(content.get("role"))
    role = _ROLES.get(role, role) if role else default_role
    parts = content.get("parts")
    folded, answers = Folded(), []
    for part in parts if isinstance(parts, list) else ():
        if isinstance(part, str):
            folded.texts.append(part)
            continue
        if not isinstance(part, dict):
            continue
        if isinstance(call := part.get("function_call"), dict):
            folded.tool_calls.append(tool_call(call.get("id"), call.get("name"), call.get("args")))
        elif isinstance(answer := part.get("function_response"), dict):
            answers.append(_tool_message(answer))
        elif isinstance(text := part.get("text"), str):
            (folded.reasoning if part.get("thought") else folded.texts).append(text)
        elif isinstance(result := part.get("code_execution_result"), dict) and (
            output := as_str(result.get("output"))
        ):
            folded.texts.append(output)
    messages = []
    if folded.texts or folded.reasoning or folded.tool_calls:
        messages.append(folded.message(role))
    messages.extend(answers)
    return messages


def _tool_message(answer: dict[str, Any]) -> Message:
    response = answer.get("response")
    if response is None or isinstance(response, str):
        return Message(role="tool", content=response, tool_call_id=as_str(answer.get("id")))
    text = orjson.dumps(response, default=str).decode()
    return Message(role="tool", content=text, tool_call_id=as_str(answer.get("id")))
