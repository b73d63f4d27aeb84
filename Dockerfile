# syntax=docker/dockerfile:1
# newsbrief: three stages so the runtime image holds only the virtualenv and
# the model weights, never compilers, caches or the source tree's tests.
# The base pinned by digest, so a rebuild gets the same bytes; the tag it
# was taken from: python:3.11-slim-bookworm. Refresh deliberately with
# `docker buildx imagetools inspect python:3.11-slim-bookworm`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# --- builder: the package and its dependencies in /opt/venv (CPU torch) ----
FROM ${PYTHON_IMAGE} AS builder
# requirements.lock pins every dependency with its hashes (make lock);
# torch==2.13.0 there matches 2.13.0+cpu on PyTorch's CPU index (below)
# instead of PyPI's multi-GB CUDA build.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml requirements.lock README.md ./
COPY service ./service
# tests/deploy/test_docker_install.py runs this same command in a fresh venv.
RUN pip install --require-hashes --no-deps -r requirements.lock && pip install --no-deps --no-build-isolation .

# --- model: fetch the pinned revision once, at build time ------------------
FROM builder AS model
ARG MODEL=distilbart-cnn-12-6
WORKDIR /app
COPY models/manifest.toml ./models/manifest.toml
RUN NEWSBRIEF_MODEL_DIR=/app/models newsbrief models fetch "${MODEL}"

# --- runtime: non-root, offline, read-only-root friendly --------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG MODEL=distilbart-cnn-12-6
RUN groupadd --system --gid 10001 newsbrief \
    && useradd --system --uid 10001 --gid newsbrief --home-dir /app --shell /usr/sbin/nologin newsbrief \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/newsbrief
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=model --chown=root:root /app/models /app/models
COPY seeds ./seeds
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/hf \
    NEWSBRIEF_HOST=0.0.0.0 \
    NEWSBRIEF_PORT=8000 \
    NEWSBRIEF_MODEL=${MODEL} \
    NEWSBRIEF_MODEL_DIR=/app/models \
    NEWSBRIEF_WARMUP_FILE=/app/seeds/000_8dc29571600dcd6e.txt \
    NEWSBRIEF_STATE_DIR=/var/lib/newsbrief
# Jobs, Idempotency-Key answers and replay protection without Redis: mount a
# volume here (docker run -v newsbrief-state:/var/lib/newsbrief) to keep queued
# jobs across container replacements.
VOLUME ["/var/lib/newsbrief"]
USER 10001:10001
EXPOSE 8000
# /livez needs no model; python is in the image, curl is not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=4)"]
# gunicorn handles SIGTERM gracefully: stop accepting, finish in-flight
# requests (graceful_timeout), exit. exec form so it is PID 1's child directly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["newsbrief"]
CMD ["serve"]
