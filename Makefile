# odca-harness: one non-recursive GNU Makefile.
#
#   make                 build ./odca-harness
#   make demo            install packages if missing, build, grade the embedded default
#   make check           unit, end-to-end, QEMU-lab and vendor-endpoint tests (root;
#                        one summary line at the end)
#   make unit            unit tests only (the fast inner loop)
#   make install         PREFIX=/usr/local DESTDIR=
#   make deps            apt-get the Debian 12 packages the build, tests and runs need
#   make guest           build the probe guest image (build/guest/)
#   make demo-lab        grade two QEMU "clouds" of a local lab (real guests)
#   make check-lab       the integration suite on the lab
#   make demo-vendors    the catalogue on a loopback OpenStack, vcsim and a QEMU lab
#   make bench           OVF export/import memory and OVA packing vs tar
#   make clean
# Variables: DEVELOPER=1 adds -Werror; SANITIZE=address,undefined builds a
# sanitizer variant; O=dir keeps a variant's objects and binaries apart;
# VALGRIND=1 runs the unit tests under valgrind.

O ?= .
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/odca-harness
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKG_CONFIG ?= pkg-config
PKGS := libvirt libcurl json-c libxml-2.0 libcrypto libarchive yaml-0.1
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wmissing-prototypes \
	-Wstrict-prototypes -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) \
	-Iharness -Idrivers -Ireports -Iovf \
	-DODCA_VERSION='"$(VERSION)"' -DODCA_DATADIR='"$(DATADIR)"' \
	-DODCA_SRCDIR='"$(CURDIR)"' \
	$(DEP_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := -pthread $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRCS := $(filter-out harness/main.c,$(wildcard harness/*.c)) \
	$(wildcard drivers/*.c) $(wildcard reports/*.c) $(wildcard ovf/*.c)
LIB_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ := $(O)/obj/harness/main.o
LIB := $(O)/obj/libodca.a
BIN := $(O)/odca-harness

# Unit test programs: every tests/check_*.c except the integration ones.
INTEGRATION_SRCS := tests/check_e2e.c tests/check_html.c tests/check_lab.c \
	tests/check_openstack.c tests/check_vsphere.c
LAB_BINS := $(patsubst tests/%.c,$(O)/obj/tests/%,$(wildcard tests/check_lab.c))
# The vendor endpoints' tests: each brings its real endpoint up and down.
VENDOR_BINS := $(patsubst tests/%.c,$(O)/obj/tests/%,$(wildcard tests/check_openstack.c \
	tests/check_vsphere.c))
UNIT_SRCS := $(filter-out $(INTEGRATION_SRCS),$(wildcard tests/check_*.c))
UNIT_BINS := $(patsubst tests/%.c,$(O)/obj/tests/%,$(UNIT_SRCS))
INTEGRATION_BINS := $(patsubst tests/%.c,$(O)/obj/tests/%,$(wildcard tests/check_e2e.c \
	tests/check_html.c))

DEPFILES := $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

.PHONY: all demo check unit integration install uninstall deps clean \
	deps-lab guest lab-up lab-down demo-lab check-lab bench deps-vendors \
	check-vendors demo-vendors

all: $(BIN)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/obj/tests/%: tests/%.c tests/check_common.h tests/run_util.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests \
		-o $@ $< $(LIB) $(CHECK_LIBS) $(DEP_LIBS)

# The Debian 12 packages: build, tests and runs.  Idempotent: installs only
# what is missing and says what.
DEB_PKGS := make gcc pkg-config libc6-dev libvirt-dev libvirt0 libvirt-clients libvirt-daemon \
	libcurl4-openssl-dev libjson-c-dev libxml2-dev libxml2-utils check \
	libsubunit-dev libssl-dev libarchive-dev libyaml-dev qemu-utils valgrind ca-certificates \
	python3 openssl perl python3-yaml chromium
deps:
	@sh tests/install-deps.sh $(DEB_PKGS)

# What the probe guest and the QEMU lab need on top (lists kept beside them).
LAB_PKGS = $(shell cat guest/deps.txt tests/lab/deps.txt 2>/dev/null)
deps-lab: deps
	@sh tests/install-deps.sh $(LAB_PKGS)

# The probe guest image, rebuilt only when its recipe changes.
GUEST_DIR := $(O)/build/guest
GUEST_IMAGE := $(GUEST_DIR)/odca-guest.raw
guest: deps-lab
	@sh guest/build-guest.sh $(GUEST_DIR)

# A two-cloud QEMU lab (tests/lab/README.md); LAB=dir keeps it elsewhere.
LAB ?= $(O)/build/lab
lab-up: deps-lab
	@tests/lab/odca-lab up $(LAB) 2
lab-down:
	@tests/lab/odca-lab down $(LAB)

# Real verdicts on real QEMU guests: a lab up, the whole catalogue on it,
# the scorecard under results/lab/, the lab down again whatever happened.
demo-lab: all guest
	@tests/lab/odca-lab up $(LAB) 2 >/dev/null
	@ODCA_PROBE_IMAGE=$(abspath $(GUEST_IMAGE)) $(BIN) run \
		--config $(LAB)/endpoints.json --out results/lab; rc=$$?; \
		tests/lab/odca-lab down $(LAB); \
		echo "scorecard: results/lab/scorecard.html (summary.txt, summary.md, report.json, junit.xml, report.tap)"; \
		exit $$rc

# The vendor drivers against the vendors' own implementations on loopback:
# a real OpenStack (tests/openstack/) and VMware's vCenter simulator built
# from Debian's govmomi source (tests/vmware/, into build/vmware/).  Root;
# installs their packages once (about 3 min), then about 7 min.
# Portability between them and a QEMU lab needs the lab and the probe guest
# too.  Part of `make check`.
VENDOR_ENV = ODCA_OPENSTACK=$(abspath tests/openstack/odca-openstack) \
	ODCA_VCSIM=$(abspath tests/vmware/odca-vcsim) \
	ODCA_VCSIM_BIN=$(abspath $(O)/build/vmware/bin) \
	ODCA_LAB=$(abspath tests/lab/odca-lab) ODCA_PROBE_IMAGE=$(abspath $(GUEST_IMAGE))
deps-vendors: deps
	@sh tests/install-deps.sh $(shell cat tests/vmware/deps.txt)
	@tests/openstack/odca-openstack install
check-vendors: deps-lab deps-vendors all guest $(VENDOR_BINS)
	@ODCA_HARNESS=$(abspath $(BIN)) $(VENDOR_ENV) sh tests/run-tests.sh $(VENDOR_BINS)

# The whole catalogue on the vendors' own implementations on loopback (a
# real OpenStack, VMware's vCenter simulator) and a one-cloud QEMU lab
# beside them (for the pairs): everything is brought up, graded into
# results/vendors/ and brought down again whatever happened.  The run goes
# through `odca-vcsim with-ca`: libvirt's vpx driver trusts only the system
# store, and this puts vcsim's CA there for the run alone.
VENDORS ?= $(O)/build/vendors
VCSIM_BIN := $(O)/build/vmware/bin
demo-vendors: deps-lab deps-vendors all guest
	@mkdir -p $(VENDORS)/openstack $(VENDORS)/lab $(VENDORS)/vmware
	@tests/vmware/build-vcsim.sh $(VCSIM_BIN) >$(VENDORS)/build-vcsim.log 2>&1 || \
		{ tail -20 $(VENDORS)/build-vcsim.log; exit 2; }
	@rc=3; echo "bringing up OpenStack, vcsim and a QEMU lab under $(VENDORS)"; \
	if tests/openstack/odca-openstack up $(VENDORS)/openstack >/dev/null && \
		tests/vmware/odca-vcsim up $(VENDORS)/vmware $(abspath $(VCSIM_BIN)) >/dev/null && \
		tests/lab/odca-lab up $(VENDORS)/lab 1 >/dev/null; then \
		ODCA_PROBE_IMAGE=$(abspath $(GUEST_IMAGE)) tests/vmware/odca-vcsim with-ca \
			$(VENDORS)/vmware $(abspath $(BIN)) run \
			--config $(VENDORS)/lab/endpoints.json \
			--config $(VENDORS)/openstack/endpoints.json \
			--config $(VENDORS)/vmware/endpoints.json --out results/vendors; rc=$$?; \
	fi; \
	tests/lab/odca-lab down $(VENDORS)/lab >/dev/null 2>&1; \
	tests/vmware/odca-vcsim down $(VENDORS)/vmware >/dev/null 2>&1; \
	tests/openstack/odca-openstack down $(VENDORS)/openstack >/dev/null 2>&1; \
	echo "scorecard: results/vendors/scorecard.html (summary.txt, summary.md, report.json, junit.xml, report.tap)"; \
	[ $$rc -le 1 ]

# The integration suite on the lab alone.
check-lab: all guest $(LAB_BINS)
	@ODCA_HARNESS=$(abspath $(BIN)) ODCA_PROBE_IMAGE=$(abspath $(GUEST_IMAGE)) \
		ODCA_LAB=$(abspath tests/lab/odca-lab) sh tests/run-tests.sh $(LAB_BINS)

# A FAIL is a grade, not a broken demo: run's exit 1 (some case failed)
# passes, 2 and above (bad input, harness errors) do not.
demo: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) run --out results/demo; rc=$$?; \
		if [ $$rc -eq 1 ]; then echo "(some cases failed: see the scorecard)"; fi; \
		[ $$rc -le 1 ]

unit: $(UNIT_BINS)
	@sh tests/run-tests.sh $(if $(VALGRIND),--valgrind) $(UNIT_BINS)

integration: $(BIN) $(INTEGRATION_BINS)
	@ODCA_HARNESS=$(abspath $(BIN)) sh tests/run-tests.sh $(INTEGRATION_BINS)

# Everything: unit tests, the end-to-end tests on libvirt's test driver,
# the integration suite on a QEMU lab and the vendor drivers on their real
# endpoints (root; installs QEMU and OpenStack, builds the guest).
check: deps-lab deps-vendors
	@$(MAKE) --no-print-directory all guest $(UNIT_BINS) $(INTEGRATION_BINS) $(LAB_BINS) \
		$(VENDOR_BINS)
	@ODCA_HARNESS=$(abspath $(BIN)) $(VENDOR_ENV) sh tests/run-tests.sh \
		$(if $(VALGRIND),--valgrind) $(UNIT_BINS) $(INTEGRATION_BINS) $(LAB_BINS) \
		$(VENDOR_BINS)

# The OVF benchmark (tests/bench/): a 1 GiB disk by default.  BENCH_MIB,
# BENCH_RUNS and BENCH_DIR are read from the environment; the numbers also
# go to BENCH_JSON.  Exit 1 when a phase's memory grows with the disk.
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BIN := $(O)/obj/bench/bench_ovf
BENCH_JSON ?= $(O)/results/bench/ovf.json
BENCH_VALGRIND := valgrind --quiet --error-exitcode=97 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect

$(BENCH_BIN): $(BENCH_SRCS) $(wildcard tests/bench/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/bench $(ALL_LDFLAGS) -o $@ $(BENCH_SRCS) \
		$(LIB) $(DEP_LIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BIN)
	@mkdir -p $(dir $(BENCH_JSON))
	$(if $(VALGRIND),$(BENCH_VALGRIND)) $(BENCH_BIN) --json $(BENCH_JSON)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/suites \
		$(DESTDIR)$(DATADIR)/testnode $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/odca-harness
	install -m 0644 suites/*.json $(DESTDIR)$(DATADIR)/suites/
	install -m 0644 drivers/testnode/*.xml $(DESTDIR)$(DATADIR)/testnode/
	install -m 0644 odca-harness.1 $(DESTDIR)$(MANDIR)/man1/odca-harness.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/odca-harness $(DESTDIR)$(MANDIR)/man1/odca-harness.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(O)/obj $(BIN) tests/out

-include $(DEPFILES)
