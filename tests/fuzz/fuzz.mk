# tests/fuzz/fuzz.mk - libFuzzer targets (included by the top-level Makefile).
#
#   make fuzz-build    the five targets, the seed maker and the seed corpora
#   make fuzz          each target for FUZZ_SECONDS (default 60) on its corpus
#   make fuzz-smoke    each target briefly on its seed corpus (the test command)
#   make fuzz-repro    replay tests/fuzz/crashes/* through their targets
#   make hostile[-quick], make valgrind   see tests/hostile/README.md
#
# The library is rebuilt with clang, ASan+UBSan and coverage into
# build/fuzz/obj (without src/ui and src/main.c: the targets wire the pipeline
# themselves); the seed maker uses a plain build in build/fuzz/plain.
# Crashes land in build/fuzz/artifacts/; copy the ones worth keeping to
# tests/fuzz/crashes/ and write a tests/unit/test_regress_*.c once fixed.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_TARGETS := decode reasm pop3 pipeline pcaprec from_json
FUZZ_DIR     := build/fuzz
FUZZ_WARN    := -Wall -Wextra -Wno-unused-parameter
FUZZ_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer -Iinclude $(PKG_CFLAGS) \
                $(FUZZ_WARN)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC := $(sort $(wildcard src/util/*.c src/capture/*.c src/flow/*.c src/pop3/*.c \
                        src/session/*.c src/output/*.c src/events/*.c))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_PLAIN_OBJ := $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_DIR)/plain/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_PCAPS    = $(shell find pcaps -name '*.pcap*' -type f 2>/dev/null | sort)
FUZZ_HDRS    := $(wildcard include/*.h include/*.def src/*/*.h)
# Longest input per target (libFuzzer -max_len).
FUZZ_MAXLEN_decode   := 4096
FUZZ_MAXLEN_reasm    := 8192
FUZZ_MAXLEN_pop3     := 65536
FUZZ_MAXLEN_pipeline := 1048576
FUZZ_MAXLEN_pcaprec  := 1048576
FUZZ_MAXLEN_from_json := 1048576

.PHONY: fuzz-build fuzz fuzz-smoke fuzz-seeds fuzz-repro fuzz-clean
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_PLAIN_OBJ)

$(FUZZ_DIR)/obj/%.o: src/%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/plain/%.o: src/%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -O2 -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

$(FUZZ_DIR)/make_seeds: tests/fuzz/make_seeds.c $(FUZZ_PLAIN_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -O2 -o $@ $< $(FUZZ_PLAIN_OBJ) $(LDLIBS)

$(FUZZ_DIR)/seeds/.stamp: $(FUZZ_DIR)/make_seeds $(FUZZ_PCAPS) $(wildcard tests/golden/*.json tests/fuzz/seeds_from_json/*)
	rm -rf $(FUZZ_DIR)/seeds
	$(FUZZ_DIR)/make_seeds $(FUZZ_DIR)/seeds $(FUZZ_PCAPS)
	ln -s pipeline $(FUZZ_DIR)/seeds/pcaprec # whole capture files for both
	mkdir -p $(FUZZ_DIR)/seeds/from_json # the golden JSON lines and the hand-made bad ones
	cp tests/golden/*.json tests/fuzz/seeds_from_json/* $(FUZZ_DIR)/seeds/from_json/
	@touch $@

fuzz-seeds: $(FUZZ_DIR)/seeds/.stamp

fuzz-build: $(FUZZ_BINS) fuzz-seeds

# Long runs: each target FUZZ_SECONDS on build/fuzz/corpus/T (grown), seeded.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
	    -max_len=$(FUZZ_MAXLEN_$$t) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	    $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t 2>&1 | tail -n 12; \
	done

# Short runs for the test command: the seed corpus plus mutations from a
# fixed seed (so a CI failure reproduces here), 50000 runs
# (at most 10 s) per target. Fails on any crash, leak, timeout or check.
fuzz-smoke: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz_$$t smoke"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(FUZZ_DIR)/fuzz_$$t -seed=1 -runs=50000 -max_total_time=10 -max_len=$(FUZZ_MAXLEN_$$t) \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/smoke-$$t- \
	    $(FUZZ_DIR)/seeds/$$t > $(FUZZ_DIR)/smoke-$$t.log 2>&1 \
	  || { tail -n 40 $(FUZZ_DIR)/smoke-$$t.log; echo "fuzz_$$t: FAIL"; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' $(FUZZ_DIR)/smoke-$$t.log \
	    | tr '\n' ' '; echo "fuzz_$$t: PASS"; \
	done

# Replay saved reproducers: tests/fuzz/crashes/TARGET-*.
fuzz-repro: $(FUZZ_BINS)
	@rc=0; for f in tests/fuzz/crashes/*-*; do \
	  [ -f "$$f" ] || continue; t=$$(basename "$$f" | cut -d- -f1); \
	  [ -x $(FUZZ_DIR)/fuzz_$$t ] || continue; \
	  if $(FUZZ_DIR)/fuzz_$$t "$$f" > $(FUZZ_DIR)/repro.log 2>&1; then echo "PASS $$f"; \
	  else echo "FAIL $$f"; rc=1; fi; \
	done; exit $$rc

fuzz-clean:
	rm -rf $(FUZZ_DIR)

# Hostile-input checks (tests/hostile/README.md) live here too, so the
# top-level Makefile needs no edit.
.PHONY: hostile hostile-quick valgrind
hostile: pop3mon
	sh tests/hostile/hostile.sh
hostile-quick: pop3mon
	sh tests/hostile/hostile.sh --quick
valgrind: pop3mon
	sh tests/hostile/valgrind.sh
