# Health code: build, run, test.  See README.md.
#
#   make            build the FastCGI responder and the operator CLI
#   make run        install missing packages, migrate, serve on 127.0.0.1:$(PORT)
#   make test       install missing packages, build, run every test, then
#                   again under -fsanitize=address,undefined
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS
#   make bench      a province's database, then wrk through lighttpd against
#                   a hello-world FastCGI ceiling (bench/run.sh)

BUILD	?= build
SAN	?=
PORT	?= 8080
DATA_DIR ?= var
FUZZ_SECONDS ?= 30

CC	?= cc
PKGS	= fcgi libcjson libjwt libqrencode libpng sqlite3 libcrypto libcurl
# Evaluated on first use, after "deps" may have installed the packages.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS_BASE = -std=c11 -D_DEFAULT_SOURCE -g $(WARN)
ifeq ($(SAN),1)
OPT	= -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=all
else
OPT	= -O2
endif
ALL_CFLAGS = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) -I$(BUILD) -Ifcgi $(CFLAGS)
ALL_LDFLAGS = $(OPT) $(LDFLAGS)

FCGI_SRC = fcgi/util.c fcgi/log.c fcgi/config.c fcgi/clock.c \
	   fcgi/request.c fcgi/router.c fcgi/response.c fcgi/validate.c \
	   fcgi/mapvfs.c fcgi/db.c fcgi/migrate.c fcgi/token.c fcgi/tmpl.c fcgi/server.c \
	   fcgi/qr.c fcgi/keyring.c fcgi/csv.c fcgi/chart.c fcgi/http.c \
	   fcgi/metrics.c fcgi/acl.c fcgi/seal.c
# handlers/: every file but the two programs (docs/architecture.md); a new
# feature's file joins by being there.
APP_SRC	 = $(filter-out handlers/main.c handlers/ctl.c,$(sort $(wildcard handlers/*.c)))
FCGI_OBJ = $(FCGI_SRC:%.c=$(BUILD)/%.o)
APP_OBJ	 = $(APP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o \
	   $(BUILD)/templates.o

MIGRATIONS = $(sort $(wildcard migrations/*.sql))
TEMPLATES  = $(sort $(wildcard templates/*.html templates/*.json))

UNIT_TESTS = test_request test_router test_validate test_clock test_tmpl \
	     test_util test_token test_valid test_rules test_ident test_qr \
	     test_venues test_db test_services test_keyring test_csv \
	     test_cases test_chart test_http test_wxparse test_metrics \
	     test_seal test_migrate
UNIT_BINS  = $(UNIT_TESTS:%=$(BUILD)/tests/%)

PROGS	= $(BUILD)/healthcode.fcgi $(BUILD)/healthcodectl \
	  $(BUILD)/hello.fcgi $(BUILD)/bench-gen

.PHONY: all deps run test test-suite fuzz bench clean install deb
all: $(PROGS)

# Debian packages: build, run, and test.  Installs only what is missing.
BUILD_PKGS = build-essential pkg-config libfcgi-dev libsqlite3-dev \
	   libcjson-dev libjwt-dev libqrencode-dev libpng-dev libssl-dev \
	   libcurl4-openssl-dev
DEB_PKGS = $(BUILD_PKGS) \
	   lighttpd spawn-fcgi sqlite3 tzdata curl jq openssl zbar-tools python3 \
	   apache2 libapache2-mod-fcgid nginx \
	   librsvg2-bin clang libclang-rt-14-dev chromium wrk \
	   fonts-wqy-microhei $(PACKAGE_PKGS)
# The oldest Node the browser test runs on: playwright-core's "engines" in
# tests/browser/package-lock.json.  Debian 12's nodejs is 18; a node on
# PATH that is merely present may be older, and playwright then prints
# only a complaint, so the version is checked, not just the command.
NODE_MIN = 18
deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	node_ok() { \
		command -v npm >/dev/null && v=$$(node --version 2>/dev/null) && \
		    v=$${v#v} && [ "$${v%%.*}" -ge $(NODE_MIN) ] 2>/dev/null; \
	}; \
	node_ok || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
		    --no-install-recommends $$missing || exit 1; \
	fi; \
	node_ok || { \
		n=$$(command -v node) && n="$$n $$(node --version 2>&1)" || n=none; \
		echo "deps: the browser test needs Node.js >= $(NODE_MIN) and npm;" \
		    "node on PATH: $$n," \
		    "npm: $$(command -v npm || echo none)," \
		    "package nodejs: $$(dpkg-query -W -f='$${Version}' nodejs \
			2>/dev/null || echo 'not installed')" >&2; \
		exit 1; \
	}

$(BUILD)/healthcode.fcgi: $(FCGI_OBJ) $(APP_OBJ) $(BUILD)/handlers/main.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/healthcodectl: $(FCGI_OBJ) $(APP_OBJ) $(BUILD)/handlers/ctl.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/hello.fcgi: bench/hello.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS) -lm

# The benchmark's data generator: the service's own keys, hash and tokens.
$(BUILD)/bench-gen: $(BUILD)/bench/gen.o $(FCGI_OBJ) $(APP_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The host tool that turns files into C arrays; never sanitised.
$(BUILD)/embed: fcgi/embed.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -O2 -o $@ $<

$(BUILD)/migrations.c: $(BUILD)/embed $(MIGRATIONS)
	$(BUILD)/embed migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/templates.c: $(BUILD)/embed $(TEMPLATES)
	$(BUILD)/embed templates $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: $(BUILD)/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC $<"; $(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/t.h $(FCGI_OBJ) $(APP_OBJ)
	@mkdir -p $(@D)
	@echo "  LD $@"; $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ \
	    $(filter-out %.h,$^) $(PKG_LIBS) -lm

-include $(wildcard $(BUILD)/*/*.d)

run: deps
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) DATA_DIR=$(DATA_DIR) PORT=$(PORT) ./conf/dev.sh

# The whole suite twice: as built, then under ASan+UBSan.
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all $(UNIT_BINS:$(BUILD)/%=build/asan/%)
	@$(MAKE) --no-print-directory $(FUZZERS:%=$(BUILD)/fuzz/%-replay)
	@tests/run.sh $(BUILD) build/asan

test-suite: all $(UNIT_BINS)
	@tests/run.sh $(BUILD)

# Each harness also builds as a plain program that replays its corpus
# (gcc, ASan+UBSan); make test runs those.
FUZZERS = fuzz_query fuzz_cookie fuzz_json fuzz_tmpl fuzz_token fuzz_csv \
	  fuzz_clock fuzz_wechat fuzz_jwks fuzz_code fuzz_route fuzz_ident \
	  fuzz_body fuzz_cases fuzz_addr fuzz_headers
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -g -O1 $(WARN) $(PKG_CFLAGS) -Ifcgi \
	      -I$(BUILD)/fuzz -fno-sanitize-recover=all
FUZZ_SRC = $(FCGI_SRC)
# WeChat's answers are parsed by a pure file of handlers/ (floor 0).
$(BUILD)/fuzz/fuzz_wechat $(BUILD)/fuzz/fuzz_wechat-replay: handlers/wxparse.c
# The path's parameters are checked by another (valid.c), against the
# route patterns of routes.c (one row a line).
$(BUILD)/fuzz/fuzz_route $(BUILD)/fuzz/fuzz_route-replay: handlers/valid.c \
	$(BUILD)/fuzz/routes.inc
# Identity and other fields: pure files of handlers/ too.
$(BUILD)/fuzz/fuzz_ident $(BUILD)/fuzz/fuzz_ident-replay: handlers/ident.c \
	handlers/valid.c handlers/rules.c
# Case lists are imported whole, into a real database, and addresses
# counted as rate limits count them: the product linked in.  The header
# checks are static functions: the harness includes their files, which are
# not linked again (FUZZ_OMIT).
FUZZ_APP = $(BUILD)/migrations.c $(BUILD)/templates.c
$(BUILD)/fuzz/fuzz_headers $(BUILD)/fuzz/fuzz_headers-replay: \
	FUZZ_OMIT = handlers/routes.c handlers/session.c
$(BUILD)/fuzz/fuzz_cases $(BUILD)/fuzz/fuzz_cases-replay \
$(BUILD)/fuzz/fuzz_addr $(BUILD)/fuzz/fuzz_addr-replay \
$(BUILD)/fuzz/fuzz_headers $(BUILD)/fuzz/fuzz_headers-replay: $(APP_SRC) \
	$(FUZZ_APP)
$(BUILD)/fuzz/routes.inc: handlers/routes.c
	@mkdir -p $(@D)
	sed -n 's/^\t\(GET\|POST\|PUT\|DELETE\)(\("[^"]*"\).*/{ METHOD_\1, \2 },/p' \
	    $< > $@.tmp && mv $@.tmp $@

$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ \
	    $(filter-out $(FUZZ_OMIT),$(filter %.c,$^)) $(PKG_LIBS) -lm

$(BUILD)/fuzz/%-replay: fuzz/%.c fuzz/replay.c $(FUZZ_SRC)
	@mkdir -p $(@D)
	$(CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined -o $@ \
	    $(filter-out $(FUZZ_OMIT),$(filter %.c,$^)) $(PKG_LIBS) -lm

fuzz: deps
	@for f in $(FUZZERS); do \
		$(MAKE) --no-print-directory $(BUILD)/fuzz/$$f || exit 1; \
		mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		$(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
		    -max_len=8192 -print_final_stats=0 \
		    $(BUILD)/fuzz/corpus-$$f fuzz/corpus/$${f#fuzz_} \
		    > $(BUILD)/fuzz/$$f.log 2>&1; rc=$$?; \
		tail -n 3 $(BUILD)/fuzz/$$f.log; \
		[ $$rc = 0 ] || { echo "fuzz: $$f failed (log: $(BUILD)/fuzz/$$f.log)"; exit 1; }; \
	done

bench: deps all
	./bench/run.sh $(BUILD)

clean:
	rm -rf build

# --- Installing, and the Debian package (docs/deploy.md) ------------------
# "make deb" builds build/deb/healthcode_VERSION_ARCH.deb from a copy of
# the tree (dpkg-buildpackage writes beside the tree it builds) and runs
# lintian on it; tests/e2e/deb.sh installs it.  Its tools, also needed by
# that test (so make test installs them too; systemd for systemd-analyze):
PACKAGE_PKGS = debhelper dpkg-dev fakeroot lintian logrotate systemd
DEB_DIR	?= $(BUILD)/deb
# The layout the units (conf/deploy/) and the packaged configuration name.
DESTDIR	?=
install: all
	install -d $(DESTDIR)/usr/bin $(DESTDIR)/usr/lib/healthcode \
	    $(DESTDIR)/usr/share/healthcode/static \
	    $(DESTDIR)/usr/share/healthcode/migrations \
	    $(DESTDIR)/usr/share/healthcode/conf $(DESTDIR)/etc/healthcode \
	    $(DESTDIR)/etc/logrotate.d $(DESTDIR)/lib/systemd/system
	install -m 0755 $(BUILD)/healthcodectl $(DESTDIR)/usr/bin/
	install -m 0755 $(BUILD)/healthcode.fcgi $(DESTDIR)/usr/lib/healthcode/
	install -m 0644 static/* $(DESTDIR)/usr/share/healthcode/static/
	install -m 0644 $(MIGRATIONS) $(DESTDIR)/usr/share/healthcode/migrations/
	for f in conf/*.conf; do \
		[ "$$f" = conf/healthcode.conf ] || \
		    install -m 0644 "$$f" $(DESTDIR)/usr/share/healthcode/conf/ || exit 1; \
	done
	install -m 0644 conf/deploy/healthcode.conf $(DESTDIR)/etc/healthcode/
	install -m 0644 conf/deploy/logrotate $(DESTDIR)/etc/logrotate.d/healthcode
	install -m 0644 conf/deploy/*.service conf/deploy/*.socket \
	    conf/deploy/*.target conf/deploy/*.timer $(DESTDIR)/lib/systemd/system/

deb:
	@missing=""; for p in $(BUILD_PKGS) $(PACKAGE_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deb: installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
		    --no-install-recommends $$missing || exit 1; \
	fi
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	tar -cf - --exclude=./build --exclude=./.git --exclude=./var \
	    --exclude=node_modules . | tar -C $(DEB_DIR)/src -xf -
	cd $(DEB_DIR)/src && DEB_BUILD_OPTIONS="parallel=2 nocheck" \
	    dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || \
	    { tail -40 ../build.log; exit 1; }
	@# Errors fail the build; warnings are listed (docs/deploy.md).
	lintian --fail-on error $(DEB_DIR)/*.changes > $(DEB_DIR)/lintian.log \
	    2>&1; rc=$$?; grep -v '^running with root' $(DEB_DIR)/lintian.log; \
	    exit $$rc
	@ls $(DEB_DIR)/*.deb
