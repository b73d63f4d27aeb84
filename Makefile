# Two commands on a fresh machine: `make run` (serve on 127.0.0.1:8000 with
# the embedded default engine) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(VENV)/bin/newsbrief serve

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/ruff format --check service tests bench
	$(VENV)/bin/mypy

# The image's hashed lock (Dockerfile: pip install --require-hashes); needs
# network for PyPI and PyTorch's CPU index.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	printf 'setuptools>=69\n' > .build-requirements.in
	$(VENV)/bin/uv pip compile pyproject.toml .build-requirements.in -c constraints.txt \
	  --generate-hashes --no-header --no-annotate --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --index-strategy unsafe-best-match \
	  --extra-index-url https://download.pytorch.org/whl/cpu -o .requirements.lock
	sed -i 's/^torch==2.13.0+cpu /torch==2.13.0 /' .requirements.lock
	{ head -6 requirements.lock; cat .requirements.lock; } > .lock.tmp && mv .lock.tmp requirements.lock
	rm -f .requirements.lock .build-requirements.in

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
