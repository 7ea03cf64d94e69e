# The two commands of the README: `make run` and `make test`.
# Python 3.11, under whichever name this machine gives it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo messages worker bench bench-quick clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

## Embedded mode: SQLite, in-process tasks, console email, demo data.
run: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole suite; on CI (CI=true) against PostgreSQL, Redis and a Celery worker.
test: $(STAMP)
	$(BIN)/python -m pytest

## Recompile the catalogues after editing locale/*/LC_MESSAGES/django.po.
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages --locale ru --locale en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	msgen --no-wrap locale/en/LC_MESSAGES/django.po --output-file=locale/en/LC_MESSAGES/django.po
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

worker: $(STAMP)
	$(BIN)/celery -A ceems_portal worker --beat --loglevel INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

## The benchmark suite (docs/performance.md), in a database of its own:
## writes bench/results.json and the table in docs/performance.md.
bench: $(STAMP)
	$(BIN)/python -m bench

## Its small version, as CI runs it (under two minutes).
bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick
