# Shared by the interop scripts (sourced, not run): the Python virtualenv with a tool from PyPI, the scimlab binary,
# and stopping a background server. Each function exits with status 2 on a setup problem, naming it.

# interop_venv VENV PYTHON REQUIREMENT...: creates VENV with PYTHON if missing and pip-installs the requirements.
interop_venv() {
    local venv=$1 python=$2
    shift 2
    echo "== virtualenv $venv"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "$python is missing: install Python 3.10 or newer (or set PYTHON)" >&2
        exit 2
    fi
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"; then
        echo "pip could not install $*" >&2
        exit 2
    fi
}

# interop_scimlab ROOT: prints the scimlab binary to use: $SCIMLAB_BIN, or a debug build made with cargo.
interop_scimlab() {
    local root=$1 bin
    if [ -n "${SCIMLAB_BIN:-}" ]; then
        bin=$SCIMLAB_BIN
    else
        cargo build --quiet -p scimlab --bin scimlab >&2
        bin=${CARGO_TARGET_DIR:-$root/target}/debug/scimlab
    fi
    if [ ! -x "$bin" ]; then
        echo "no scimlab binary at $bin" >&2
        exit 2
    fi
    echo "$bin"
}

# interop_stop PID SIGNAL: sends SIGNAL to a background server, waits up to 5 s, then kills it.
interop_stop() {
    local pid=$1 signal=$2
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
