# syntax=docker/dockerfile:1
# NTK Explorer image.
#   Build: docker build -t ntk-explorer .
#   Run:   docker run --rm -p 8501:8501 ntk-explorer   ->  http://localhost:8501
# tests/test_container.py parses ENV, COPY, CMD and HEALTHCHECK from this file and runs that CMD
# as uid 10001 against read-only app files, so keep those instructions in the exec/KEY=VALUE forms.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Streamlit reads STREAMLIT_<SECTION>_<OPTION>; these duplicate .streamlit/config.toml on
    # purpose (config.toml is only read from the working directory and ~/.streamlit).
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_CLIENT_TOOLBAR_MODE=viewer \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none \
    # one BLAS thread per request: kernels here are small; concurrent visitors share 2 cores
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1

# Unprivileged user with a home (Streamlit may write ~/.streamlit).
RUN groupadd --gid 10001 app \
 && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first: this layer is reused until requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# App code stays root-owned (read-only for the app user).
COPY app.py ./
COPY pages/ ./pages/
COPY ntk_app/ ./ntk_app/
COPY ntk_core/ ./ntk_core/
COPY .streamlit/ ./.streamlit/

# Numeric UID:GID so Kubernetes runAsNonRoot can verify it (hadolint DL3066).
USER 10001:10001
EXPOSE 8501

# python:*-slim has no curl/wget: probe Streamlit's health endpoint with the stdlib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"]

# Exec form: streamlit is PID 1 and gets SIGTERM from `docker stop` directly.
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
