# ecsim — discrete-event simulator of Amazon ECS clusters.
#
#   make            build ./ecsim
#   make run        install missing packages, build, run scenarios/default.json
#                   and draw it (results/default/run.png, run.svg)
#   make test       install missing packages, build, run every CUnit suite and
#                   the end-to-end runs of the shipped scenarios
#   make asan       the whole suite under AddressSanitizer + UBSan
#   make valgrind   the unit suites under valgrind --leak-check=full
#   make bench      speed of the hot paths (printed, never asserted)
#   make check-cycles  include cycles among models/ only (also in make test)
#   make clang-check   every C file through clang's checks (also in make test)
#   make fuzz TARGET=cql SECONDS=60 [RUNS=1000000]   a libFuzzer campaign
#                   (clang); targets:
#                   taskdef scenario trace cql gen google2011 alibaba2018
#                   swf alibaba2017 openb
#   make clean      remove build outputs (never results/)
#
# Each variant builds in its own directory (build/release, build/asan), so
# changing flags never mixes objects.

VARIANT ?= release
B := build/$(VARIANT)
CC ?= cc

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags gsl libcjson 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs gsl libcjson 2>/dev/null || echo -lgsl -lgslcblas -lcjson)

ifeq ($(VARIANT),asan)
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DECSIM_CHECKS
LDOPT := -fsanitize=address,undefined
else ifeq ($(VARIANT),fuzz)
# libFuzzer (clang); FUZZ_CC=afl-clang-fast builds the same harnesses for AFL++
CC := $(or $(FUZZ_CC),clang)
OPT := -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer
LDOPT := -fsanitize=address,undefined,fuzzer
else
OPT := -O2 -g
LDOPT :=
endif

# Link-time optimisation for the program and the benchmarks (GCC; LTO=0
# turns it off): inlining across files (the engine's calls into the models
# and back) saves ~6 % of the instructions of a replay.  The objects carry
# their plain code too (fat), so the test binaries link as before, quickly
# (-fno-lto: GCC's linker plugin would optimise them whole again).
LTO ?= $(if $(filter release,$(VARIANT)),$(shell $(CC) -v 2>&1 | grep -q '^gcc version' && echo 1),)
ifeq ($(LTO),1)
OPT += -flto=auto -ffat-lto-objects
LTO_LINK := -flto=auto -O2
NO_LTO_LINK := -fno-lto
endif

CFLAGS := $(CSTD) $(WARN) $(OPT)
CPPFLAGS := -I. -I$(B)/gen $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lcsv -lm

LIB_SRCS := $(wildcard sim/*.c models/*.c models/*/*.c)
CLI_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard cli/*.c)) $(B)/gen/plot_scripts.o

# MPI for `ecsim sweep` / `compare` under mpirun: `make MPI=1`, detected when
# mpicc is on PATH (MPI=0 builds without).  Only cli/exp.c and the link use it.
MPI ?= $(shell command -v mpicc >/dev/null 2>&1 && echo 1 || echo 0)
ifeq ($(MPI),1)
MPI_CFLAGS := $(patsubst %,-isystem %,$(shell mpicc --showme:incdirs 2>/dev/null)) -DECSIM_MPI
MPI_LIBS := $(shell mpicc --showme:link 2>/dev/null)
endif
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/catalog_data.o
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
TEST_SUPPORT := $(patsubst %.c,$(B)/%.o,tests/cu_main.c $(wildcard tests/oracle/*.c tests/helpers/*.c))
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/bench/%)

# Fuzzing harnesses (fuzz/fz_<target>.c; README.md, "Fuzzing").
FUZZ_TARGETS := taskdef scenario trace cql gen google2011 alibaba2018 swf alibaba2017 openb
TARGET ?= cql
SECONDS ?= 60

.PHONY: all run test check unit e2e exp plan-check schema docs-check asan valgrind bench deps clean check-layers check-cycles clang-check \
	fuzz fuzz-run fuzz-replay fuzz-replay-run

all: ecsim

ecsim: $(B)/ecsim
	cp $< $@

$(B)/ecsim: $(CLI_OBJS) $(LIB_OBJS)
	$(CC) $(LDOPT) $(LTO_LINK) -o $@ $^ $(LDLIBS) $(MPI_LIBS)

# cli/exp.c is rebuilt when MPI changes (the stamp names the setting)
$(B)/cli/exp.o: CPPFLAGS += $(MPI_CFLAGS)
$(B)/cli/exp.o: $(B)/.mpi-$(MPI)
$(B)/.mpi-$(MPI):
	@mkdir -p $(@D)
	@rm -f $(B)/.mpi-*
	@touch $@

# The comparison and sweep plot scripts are compiled in (like the catalog),
# so `ecsim compare` / `sweep` draw their plots from any folder.
$(B)/gen/plot_scripts.c: plots/compare.gp plots/sweep.gp plots/plan.gp scripts/csv2c.sh
	@mkdir -p $(@D)
	{ sh scripts/csv2c.sh plot_compare_gp plots/compare.gp; \
	  sh scripts/csv2c.sh plot_sweep_gp plots/sweep.gp; \
	  sh scripts/csv2c.sh plot_plan_gp plots/plan.gp; } > $@

$(B)/gen/plot_scripts.o: $(B)/gen/plot_scripts.c
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

# The instance-type catalog is data (models/catalog.csv), compiled in so the
# binary needs no data files at run time.
$(B)/gen/catalog_data.c: models/catalog.csv scripts/csv2c.sh
	@mkdir -p $(@D)
	sh scripts/csv2c.sh catalog_csv $< > $@

$(B)/gen/catalog_data.o: $(B)/gen/catalog_data.c
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/tests/%: $(B)/tests/%.o $(TEST_SUPPORT) $(LIB_OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDOPT) $(NO_LTO_LINK) -o $@ $^ $(LDLIBS) -lcunit

$(B)/bench/%: $(B)/tests/bench/%.o $(TEST_SUPPORT) $(LIB_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDOPT) $(LTO_LINK) -o $@ $(filter-out $(B)/tests/cu_main.o,$^) $(LDLIBS) -lcunit

deps:
	@sh scripts/setup-deps.sh

run: deps
	@$(MAKE) --no-print-directory ecsim
	./ecsim run scenarios/default.json
	./ecsim plot results/default

test: deps
	@$(MAKE) --no-print-directory check

# every part runs even when an earlier one failed; one closing line over all
check: check-layers $(TEST_BINS) ecsim
	@sh tests/check.sh ./ecsim $(TEST_BINS)

unit: $(TEST_BINS) ecsim
	@sh tests/run-unit.sh $(TEST_BINS)

e2e: ecsim
	@sh tests/e2e.sh ./ecsim

# experiments: compare, sweep (local and mpirun -np 3 when built with MPI),
# check; the statistics' coverage and common-random-numbers tests
exp: ecsim
	@sh tests/exp.sh ./ecsim

# ecsim plan: the Erlang C minimum, determinism, bad plan files
plan-check: ecsim
	@sh tests/plan.sh ./ecsim

# the JSON Schema accepts what ecsim accepts (needs python3-jsonschema)
schema: ecsim
	@sh tests/schema.sh ./ecsim

# every C file compiles under clang with the same warnings (-fsyntax-only)
clang-check:
	@sh tests/clang.sh "$(CSTD) $(WARN) -I. -I$(B)/gen $(PKG_CFLAGS)"

# the docs cite only what the repository holds, and list what the code has;
# scripts/setup-deps.sh against stubs of apt-get and dpkg-query
docs-check: ecsim
	@sh tests/docs.sh ./ecsim
	@sh tests/setup.sh

asan: deps
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) --no-print-directory VARIANT=asan unit-asan

unit-asan: $(TEST_BINS) $(B)/ecsim
	@sh tests/check.sh $(B)/ecsim $(TEST_BINS)

valgrind: deps
	@$(MAKE) --no-print-directory $(TEST_BINS)
	@VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1" \
		sh tests/run-unit.sh $(TEST_BINS)

bench: deps
	@$(MAKE) --no-print-directory ecsim $(BENCH_BINS)
	@sh tests/bench/run.sh $(BENCH_BINS)
	@sh tests/bench/run-ecsim.sh ./ecsim
	@sh tests/bench/run-r1.sh ./ecsim $(B)/bench/bench_r1
	@sh tests/bench/bench-gen.sh ./ecsim
	@sh tests/bench/bench-services.sh ./ecsim
	@sh tests/bench/bench-churn.sh ./ecsim

# fuzz-replay: every input of fuzz/regress/<target>/ through its harness,
# under ASan + UBSan (a plain main, fuzz/replay.c: no libFuzzer needed).
# fuzz: a libFuzzer campaign of SECONDS (or RUNS executions, whichever
# ends first) on TARGET, its corpus kept in build/fuzz/corpus/TARGET, seeded
# from fuzz/seeds/TARGET; the harness's own output (warnings) is closed.
# FUZZ_FLAGS adds libFuzzer options (e.g. -max_len=16384).
$(B)/fuzz/replay-%: $(B)/fuzz/fz_%.o $(B)/fuzz/replay.o $(B)/fuzz/common.o $(LIB_OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDOPT) -o $@ $^ $(LDLIBS)

$(B)/fuzz/fuzz-%: $(B)/fuzz/fz_%.o $(B)/fuzz/common.o $(LIB_OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDOPT) -o $@ $^ $(LDLIBS)

.PRECIOUS: $(B)/fuzz/%.o

fuzz-replay:
	@$(MAKE) --no-print-directory VARIANT=asan fuzz-replay-run

fuzz-replay-run: $(FUZZ_TARGETS:%=$(B)/fuzz/replay-%)
	@sh fuzz/replay.sh $(B)/fuzz $(FUZZ_TARGETS)

fuzz:
	@$(MAKE) --no-print-directory VARIANT=fuzz fuzz-run

fuzz-run: $(B)/fuzz/fuzz-$(TARGET)
	@mkdir -p $(B)/corpus/$(TARGET)
	$(B)/fuzz/fuzz-$(TARGET) -max_total_time=$(SECONDS) $(if $(RUNS),-runs=$(RUNS)) -timeout=10 \
		-rss_limit_mb=2048 -close_fd_mask=3 $(FUZZ_FLAGS) -dict=fuzz/dict/$(TARGET).dict -artifact_prefix=$(B)/$(TARGET)- -print_final_stats=1 \
		$(B)/corpus/$(TARGET) fuzz/seeds/$(TARGET) fuzz/regress/$(TARGET)

# Which layer may include which (scripts/check-layers.sh says the rules):
# sim/ only sim/, models/ only sim/ and models/, nothing else the command layer
# (cli/), no include cycle among the files of models/, and no actor of the
# control plane includes another actor's header.  The script's own
# self-test runs with it.
check-layers:
	@sh scripts/check-layers.sh
	@sh tests/check-layers-selftest.sh

check-cycles:
	@CHECK_CYCLES=1 sh scripts/check-layers.sh

# build outputs only: results/ holds the users' runs (remove with rm -rf results)
clean:
	rm -rf build ecsim

-include $(shell find build -name '*.d' 2>/dev/null)
