# Shared helpers for the scripts in this folder. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export UV_PYTHON_DOWNLOADS=never

say() { printf '\n==> %s\n' "$*"; }

find_python() {
  # Python 3.12 (pyenv on these machines; .python-version pins 3.12.1), else any python3.12 on PATH.
  local candidate
  for candidate in "$(PYENV_VERSION="$(cat .python-version)" pyenv which python 2>/dev/null || true)" \
                   "$(command -v python3.12 || true)"; do
    if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.12 was not found (pyenv 3.12.1 or python3.12 on PATH)" >&2
  return 1
}

# ensure_venv LOCKFILE: create .venv with Python 3.12 and install the lock file plus the project itself.
# Skips the install when the lock file has not changed since the last install.
ensure_venv() {
  local lock="$1"
  local stamp; stamp=".venv/.installed-$(basename "$lock" .txt)"
  if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
    say "Creating the virtual environment (.venv)"
    rm -rf .venv
    "$(find_python)" -m venv .venv
  fi
  local want; want="$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    say "Installing Python packages from $lock"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$lock"
    .venv/bin/python -m pip install --quiet --no-deps -e .
    echo "$want" > "$stamp"
  fi
}

# WeasyPrint (governance minutes as PDF) needs Pango, HarfBuzz's subsetter and a font with Danish letters.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

missing_pdf_packages() {
  local pkg
  for pkg in "${PDF_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || echo "$pkg"
  done
}

# ensure_pdf_packages: only the PDF libraries (the demo needs them, not the browsers).
ensure_pdf_packages() {
  local missing=()
  mapfile -t missing < <(missing_pdf_packages)
  if ((${#missing[@]})); then
    say "Installing Debian packages: ${missing[*]}"
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_debian_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(postgresql-15)
  mapfile -t -O "${#missing[@]}" missing < <(missing_pdf_packages)
  if ((${#missing[@]})); then
    say "Installing Debian packages: ${missing[*]}"
    local sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# start_postgres: a throw-away PostgreSQL 15 cluster on a free port; exports DATABASE_URL_PG.
# Autovacuum is off: the reference data the migrations load made an autovacuum worker ANALYZE the test database
# just as the run ended, and DROP DATABASE then failed with "is being accessed by other users".
start_postgres() {
  local bindir=/usr/lib/postgresql/15/bin
  PGTMP="$(mktemp -d)"
  local port=55432
  while (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  local as=()
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PGTMP"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bindir/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w \
    -o "-p $port -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" \
    start >/dev/null
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres sektorbro
  export DATABASE_URL_PG="postgres://postgres@127.0.0.1:$port/sektorbro"
  trap stop_postgres EXIT
}

stop_postgres() {
  if [[ -n "${PGTMP:-}" && -d "$PGTMP/data" ]]; then
    local as=(); [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
    "${as[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
  fi
}

# ensure_node_tools: the npm packages the browser tests use (axe-core), from package-lock.json.
ensure_node_tools() {
  if [[ ! -f node_modules/axe-core/axe.min.js ]]; then
    say "Installing npm test tools (axe-core)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
