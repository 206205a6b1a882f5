# ecsim — discrete-event simulator of Amazon ECS clusters.
#
#   make            build ./ecsim
#   make run        install missing packages, build, run scenarios/default.json
#   make test       install missing packages, build, run every CUnit suite and
#                   the end-to-end runs of the shipped scenarios
#   make asan       the whole suite under AddressSanitizer + UBSan
#   make valgrind   the unit suites under valgrind --leak-check=full
#   make bench      speed of the hot paths (printed, never asserted)
#   make check-cycles  include cycles among models/ (not yet in make test)
#   make fuzz TARGET=cql SECONDS=60   a libFuzzer campaign (clang); targets:
#                   taskdef scenario trace cql gen google2011 alibaba2018
#   make clean
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
OPT := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
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

CFLAGS := $(CSTD) $(WARN) $(OPT)
CPPFLAGS := -I. -I$(B)/gen $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lcsv -lm

LIB_SRCS := $(filter-out sim/main.c,$(wildcard sim/*.c models/*.c models/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/catalog_data.o
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(B)/tests/%)
TEST_SUPPORT := $(patsubst %.c,$(B)/%.o,tests/cu_main.c $(wildcard tests/oracle/*.c tests/helpers/*.c))
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/bench/%)

# Fuzzing harnesses (fuzz/fz_<target>.c; README.md, "Fuzzing").
FUZZ_TARGETS := taskdef scenario trace cql gen google2011 alibaba2018
TARGET ?= cql
SECONDS ?= 60

.PHONY: all run test check unit e2e asan valgrind bench deps clean check-layers check-cycles \
	fuzz fuzz-run fuzz-replay fuzz-replay-run

all: ecsim

ecsim: $(B)/ecsim
	cp $< $@

$(B)/ecsim: $(B)/sim/main.o $(LIB_OBJS)
	$(CC) $(LDOPT) -o $@ $^ $(LDLIBS)

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
	@$(CC) $(LDOPT) -o $@ $^ $(LDLIBS) -lcunit

$(B)/bench/%: $(B)/tests/bench/%.o $(TEST_SUPPORT) $(LIB_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDOPT) -o $@ $(filter-out $(B)/tests/cu_main.o,$^) $(LDLIBS) -lcunit

deps:
	@sh scripts/setup-deps.sh

run: deps
	@$(MAKE) --no-print-directory ecsim
	./ecsim run scenarios/default.json
	@gnuplot -e "dir='results/default'" plots/timeseries.gp && echo "ecsim: plot in results/default/timeseries.png"

test: deps
	@$(MAKE) --no-print-directory check

check: check-layers unit e2e fuzz-replay

unit: $(TEST_BINS) ecsim
	@sh tests/run-unit.sh $(TEST_BINS)

e2e: ecsim
	@sh tests/e2e.sh ./ecsim

asan: deps
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(MAKE) --no-print-directory VARIANT=asan unit-asan

unit-asan: $(TEST_BINS) $(B)/ecsim
	@sh tests/run-unit.sh $(TEST_BINS)
	@sh tests/e2e.sh $(B)/ecsim

valgrind: deps
	@$(MAKE) --no-print-directory $(TEST_BINS)
	@VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1" \
		sh tests/run-unit.sh $(TEST_BINS)

bench: deps
	@$(MAKE) --no-print-directory ecsim $(BENCH_BINS)
	@sh tests/bench/run.sh $(BENCH_BINS)
	@sh tests/bench/run-ecsim.sh ./ecsim
	@sh tests/bench/bench-gen.sh ./ecsim

# fuzz-replay: every input of fuzz/regress/<target>/ through its harness,
# under ASan + UBSan (a plain main, fuzz/replay.c: no libFuzzer needed).
# fuzz: a libFuzzer campaign of SECONDS on TARGET, its corpus kept in
# build/fuzz/corpus/TARGET, seeded from fuzz/seeds/TARGET.
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
	$(B)/fuzz/fuzz-$(TARGET) -max_total_time=$(SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-dict=fuzz/dict/$(TARGET).dict -artifact_prefix=$(B)/$(TARGET)- -print_final_stats=1 \
		$(B)/corpus/$(TARGET) fuzz/seeds/$(TARGET) fuzz/regress/$(TARGET)

# Which layer may include which (scripts/check-layers.sh says the rules):
# sim/ only sim/, models/ only sim/ and models/, nothing else the command layer
# (cli/; for now sim/main.c, sim/cmd_*.c, sim/cmd.h).  The script's own
# self-test runs with it.  Include cycles among models/ are reported by
# check-cycles, not yet part of check: some remain.
check-layers:
	@sh scripts/check-layers.sh
	@sh tests/check-layers-selftest.sh

check-cycles:
	@CHECK_CYCLES=1 sh scripts/check-layers.sh

clean:
	rm -rf build ecsim results/*/ plots/*.png

-include $(shell find build -name '*.d' 2>/dev/null)
