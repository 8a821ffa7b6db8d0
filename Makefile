# make run | test | bench | images | compose-up | compose-down | sample-config | sample-policy | clean
# (see README.md and docs/deploy.md)
SHELL := /bin/bash
VENV := .venv
RESULTS := var/test-results
# One pytest run per suite, in this order; a missing folder is skipped.
SUITES := shared/contracts/tests shared/nameko/tests shared/testing/tests services/storage/tests services/function/tests \
          runtimes/tests runtimes/python3/tests services/execution/tests services/trigger/tests services/api/tests tests tests/compose

.PHONY: bootstrap run test bench images compose-up compose-down sample-config sample-policy clean

bootstrap:
	@scripts/bootstrap

run: bootstrap
	$(VENV)/bin/honcho start

# pytest exit 5 (no tests collected) is not a failure; a suite that dies without writing its
# report counts as one failure in the summary.
test: bootstrap
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS); failed=; crashed=0; \
	for suite in $(SUITES); do \
	    if [ ! -d "$$suite" ]; then echo "==> $$suite: no such folder, skipped"; continue; fi; \
	    report="$(RESULTS)/$${suite//\//-}.xml"; \
	    echo "==> pytest $$suite"; \
	    $(VENV)/bin/pytest "$$suite" -q --junitxml="$$report"; rc=$$?; \
	    if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then \
	        failed="$$failed $$suite"; [ -f "$$report" ] || crashed=$$((crashed + 1)); \
	    fi; \
	done; \
	echo "==> summary$${failed:+ (failed:$$failed)}"; \
	scripts/summarize --crashed $$crashed $(RESULTS)/*.xml; \
	[ -z "$$failed" ]

bench: bootstrap
	$(VENV)/bin/python bench/run.py

# every container image (scripts/images; docs/deploy.md), then the platform under Compose
images: bootstrap
	@scripts/images

compose-up: images
	docker compose up -d --wait

compose-down:
	@scripts/docker-engine
	docker compose down --volumes --remove-orphans

sample-config: bootstrap
	$(VENV)/bin/oslo-config-generator --config-file etc/oslo-config-generator/qinling.conf

sample-policy: bootstrap
	$(VENV)/bin/oslopolicy-sample-generator --config-file etc/oslo-policy-generator/qinling.conf

clean:
	rm -rf var/
