#!/usr/bin/env bash
# Rebuild cassettes/braintrust/ from the real braintrust SDK (see cassettes/braintrust/README.md).
#   1. build .venv-capture-bt/ from scripts/braintrust_capture/requirements.txt (PyPI only), if missing or stale;
#      and .venv-capture-bt-agents/ from requirements-openai-agents.txt (openai_agents: openai 3);
#   2. capture.py: run the agent / Eval under the SDK against a recorder and scripts/fake_openai.py,
#      both on 127.0.0.1, writing cassettes/braintrust/<scenario>/sdk_requests.json;
#   3. convert.py: turn those writes into /btql and REST read cassettes + MANIFEST.toml;
#   4. fail if any cassette file looks like it holds a secret.
# Options: --convert-only (skip 1-2, rebuild from the committed sdk_requests.json);
#          --scenario NAME (repeatable; capture only these).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python3.11}"
VENV=.venv-capture-bt
REQS=scripts/braintrust_capture/requirements.txt
STAMP="$VENV/.requirements.txt"

convert_only=0
capture_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --convert-only) convert_only=1 ;;
        --scenario) capture_args+=(--scenario "$2"); shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$REQS" "$STAMP"; then
    echo "building $VENV from $REQS" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQS"
    "$VENV/bin/python" -m pip check
    cp "$REQS" "$STAMP"
fi

# openai-agents needs openai 3; the other scenarios were made with openai 2: its own venv.
AGENTS_VENV=.venv-capture-bt-agents
AGENTS_REQS=scripts/braintrust_capture/requirements-openai-agents.txt
if [[ $convert_only -eq 0 ]] && { [[ ! -x "$AGENTS_VENV/bin/python" ]] || ! cmp -s "$AGENTS_REQS" "$AGENTS_VENV/.requirements.txt"; }; then
    echo "building $AGENTS_VENV from $AGENTS_REQS" >&2
    rm -rf "$AGENTS_VENV"
    "$PYTHON" -m venv "$AGENTS_VENV"
    "$AGENTS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$AGENTS_REQS"
    "$AGENTS_VENV/bin/python" -m pip check
    cp "$AGENTS_REQS" "$AGENTS_VENV/.requirements.txt"
fi

if [[ $convert_only -eq 0 ]]; then
    "$VENV/bin/python" scripts/braintrust_capture/capture.py "${capture_args[@]}"
fi
"$VENV/bin/python" scripts/braintrust_capture/convert.py

# Secret scan: API-key and bearer shapes (the recorder never stores Authorization headers).
if grep -rEn 'sk-[A-Za-z0-9]{20,}|Bearer [A-Za-z0-9._-]{12,}|lsv2_(pt|sk)_|phx_[A-Za-z0-9]{16,}|"[Aa]uthorization"|traceready-dummy-key|sk-fake-traceready' \
    cassettes/braintrust; then
    echo "possible secret in cassettes/braintrust (see above)" >&2
    exit 1
fi
du -sh cassettes/braintrust
