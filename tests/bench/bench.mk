# Benchmark targets, included from the top-level Makefile
# (`-include tests/bench/bench.mk`).  See tests/bench/README.md.
#   make bench              time pop3mon vs tcpdump vs tshark, then truth check
#   make bench-gen          only generate the captures (tests/bench/data/)
#   make bench-check-small  each shape's small capture, fixed seed, truth check only
#   make bench-profile      instructions per frame by path and per shape (callgrind)
# Knobs: BENCH_SHAPES, BENCH_SIZES, BENCH_REPS, BENCH_SEED, BENCH_TSHARK_MAX, BENCH_LIVE (environment
# or make variables), see tests/bench/bench.sh.
CC ?= cc
BENCH_DIR := tests/bench
BENCH_GEN := $(BENCH_DIR)/gen_pop3_pcap
BENCH_SYSCALL := $(BENCH_DIR)/syscall_cost
BENCH_GEN_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow \
                    -Wstrict-prototypes -Wformat=2 -Wvla $(CFLAGS) -O2
BENCH_ENV := $(if $(BENCH_SIZES),BENCH_SIZES='$(BENCH_SIZES)') \
             $(if $(BENCH_REPS),BENCH_REPS='$(BENCH_REPS)') \
             $(if $(BENCH_SEED),BENCH_SEED='$(BENCH_SEED)') \
             $(if $(BENCH_TSHARK_MAX),BENCH_TSHARK_MAX='$(BENCH_TSHARK_MAX)') \
             $(if $(BENCH_LIVE),BENCH_LIVE='$(BENCH_LIVE)') \
             $(if $(BENCH_SHAPES),BENCH_SHAPES='$(BENCH_SHAPES)') \
             $(if $(BENCH_IDLE),BENCH_IDLE='$(BENCH_IDLE)') \
             $(if $(BENCH_RAMP),BENCH_RAMP='$(BENCH_RAMP)')

.PHONY: bench bench-gen bench-check-small soak bench-profile

$(BENCH_GEN): $(BENCH_DIR)/gen_pop3_pcap.c
	$(CC) $(BENCH_GEN_CFLAGS) -o $@ $<

$(BENCH_SYSCALL): $(BENCH_DIR)/syscall_cost.c
	$(CC) $(BENCH_GEN_CFLAGS) -o $@ $<

bench-gen: $(BENCH_GEN)
	@$(BENCH_ENV) bash $(BENCH_DIR)/bench.sh gen

# pop3mon is built if it can be; without it only tcpdump/tshark are timed.
bench: $(BENCH_GEN) $(BENCH_SYSCALL)
	@$(MAKE) --no-print-directory pop3mon || \
	  echo "bench: pop3mon did not build; timing tcpdump/tshark only" >&2
	@$(BENCH_ENV) bash $(BENCH_DIR)/bench.sh

bench-check-small: $(BENCH_GEN) pop3mon
	@bash $(BENCH_DIR)/bench.sh check-small

bench-profile: $(BENCH_GEN) pop3mon
	@$(BENCH_ENV) $(if $(BENCH_PROFILE_MB),BENCH_PROFILE_MB='$(BENCH_PROFILE_MB)') \
	  bash $(BENCH_DIR)/bench.sh profile

SOAK_SECONDS ?= 180
soak: $(BENCH_GEN) pop3mon
	@bash $(BENCH_DIR)/soak.sh $(SOAK_SECONDS)
