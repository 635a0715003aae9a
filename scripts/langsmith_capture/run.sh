#!/usr/bin/env bash
# Rebuild the LangSmith cassettes (cassettes/langsmith/) from scratch, offline.
#
#   scripts/langsmith_capture/run.sh                 # every default scenario + transport check
#   scripts/langsmith_capture/run.sh traceable_full  # only the named scenario(s)
#   scripts/langsmith_capture/run.sh workspace_config  # only configs, queues, prompts and rules
#
# 1. builds .venv-capture/ from scripts/langsmith_capture/requirements.txt when it is missing or
#    the requirements changed (the only network use: PyPI);
# 2. capture.py: runs the travel agent under the real langsmith SDK against the loopback capture
#    server and scripts/fake_openai.py, raw captures into build/langsmith_capture/ (with all
#    scenarios it also replays traceable_full over the other ingest transports and compares);
# 3. convert.py: normalises the captures and renders cassettes/langsmith/<scenario>/,
#    info.json and MANIFEST.toml; workspace_config.py: the SDK creates feedback configs, annotation
#    queues and a hub prompt on the capture server (and the rules are built from the schema);
# 4. check.py: rendered pages == replay answers, the real SDK reads them (v1 and v2), no secrets.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-capture
REQS=scripts/langsmith_capture/requirements.txt
STAMP="$VENV/.requirements.txt"

if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$REQS" "$STAMP"; then
    echo "building $VENV from $REQS" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQS"
    "$VENV/bin/python" -m pip check
    cp "$REQS" "$STAMP"
fi

if [[ $# -eq 1 && "$1" == workspace_config ]]; then
    # Feedback configs, annotation queues, prompts (SDK-captured) and rules (schema-built) only.
    "$VENV/bin/python" scripts/langsmith_capture/workspace_config.py
    exit 0
fi

RAW=build/langsmith_capture
args=()
for name in "$@"; do args+=(--scenario "$name"); done
if [[ $# -eq 0 ]]; then
    rm -rf "$RAW"
    "$VENV/bin/python" scripts/langsmith_capture/capture.py --raw-dir "$RAW" --transport-check
else
    "$VENV/bin/python" scripts/langsmith_capture/capture.py --raw-dir "$RAW" "${args[@]}"
fi
"$VENV/bin/python" scripts/langsmith_capture/convert.py --raw-dir "$RAW" "${args[@]}"
if [[ $# -eq 0 ]]; then
    "$VENV/bin/python" scripts/langsmith_capture/workspace_config.py
fi
"$VENV/bin/python" scripts/langsmith_capture/check.py
