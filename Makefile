# System-wide install for distribution packagers (per-user: sh install/install.sh).
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [PYTHON=python3] [NATIVE_HOSTS_DIR=...] [PIP_FLAGS=...]
#   make uninstall (same variables)
#
# install: the package (pip --root DESTDIR --prefix PREFIX --no-deps: the
# packager provides the dependencies listed in pyproject.toml), then the
# native-messaging manifest in NATIVE_HOSTS_DIR (default
# /usr/lib/mozilla/native-messaging-hosts, read by Thunderbird on Linux;
# /usr/lib64/mozilla/native-messaging-hosts on some 64-bit distributions),
# bash/zsh/fish completions under PREFIX/share, and the add-on as
# PREFIX/share/trackless/trackless-<version>.xpi. See install/system_install.py.

PYTHON ?= python3
PREFIX ?= /usr/local
DESTDIR ?=
DATADIR ?= $(PREFIX)/share
NATIVE_HOSTS_DIR ?= /usr/lib/mozilla/native-messaging-hosts
PIP_FLAGS ?=

.PHONY: install uninstall

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --ignore-installed --no-warn-script-location \
		--root "$(or $(DESTDIR),/)" --prefix "$(PREFIX)" $(PIP_FLAGS) .
	$(PYTHON) install/system_install.py --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --datadir "$(DATADIR)" \
		--native-hosts-dir "$(NATIVE_HOSTS_DIR)"

uninstall:
	$(PYTHON) install/system_install.py --uninstall --prefix "$(PREFIX)" --destdir "$(DESTDIR)" --datadir "$(DATADIR)" \
		--native-hosts-dir "$(NATIVE_HOSTS_DIR)"
