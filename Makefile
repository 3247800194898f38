# pop3mon - see README.md. `make` builds ./pop3mon; `make check` runs every test.
CC      ?= cc
PKGS    := libpcap ncursesw jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lncursesw -ljansson)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
CFLAGS  ?= -O3 -g
# pop3mon itself is linked with link-time optimisation: each packet goes
# through a chain of calls across files (flow table, reassembly, session,
# dissector, checks, event packing) that only the linker can inline; on
# the 50 MB bench capture the main thread runs 12% fewer instructions.
# The objects are fat, so the unit tests link them as plain objects. A
# compiler without these options (clang, here) builds without.
ifndef LTO
LTO := $(shell $(CC) -flto=auto -ffat-lto-objects -Werror -x c -c -o /dev/null /dev/null \
	 2>/dev/null && echo -flto=auto -ffat-lto-objects)
endif
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) -Iinclude $(PKG_CFLAGS)
# hiredis (--publish, --from redis://): its pkg-config cflags define
# _XOPEN_SOURCE, which would change every file's view of libc; the header
# is included as <hiredis/hiredis.h>, so only the library is taken.
HIREDIS_LIBS := $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)
LDLIBS  := $(PKG_LIBS) $(HIREDIS_LIBS) -pthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(sort $(wildcard src/util/*.c src/capture/*.c src/flow/*.c src/pop3/*.c \
                   src/session/*.c src/output/*.c src/ui/*.c \
                   src/cli/*.c src/events/*.c src/pipeline/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=build/obj/%.o)
ASAN_OBJ := $(LIB_SRC:src/%.c=build/asan/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/unit/%)
UNIT_ASAN := $(UNIT_SRC:tests/unit/%.c=build/unit-asan/%)
UNIT_HELPERS := $(wildcard tests/unit/helpers/*.c)

.PHONY: all deps run check test unit unit-asan e2e clean install golden
all: pop3mon

pop3mon: build/obj/main.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LTO) -o $@ $^ $(LDLIBS)

pop3mon-asan: build/asan/main.o $(ASAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

HDRS := $(wildcard include/*.h include/*.def src/*/*.h src/*/*.def)

build/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LTO) -c -o $@ $<

build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

build/unit/%: tests/unit/%.c $(UNIT_HELPERS) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(UNIT_HELPERS) $(LIB_OBJ) $(LDLIBS) -lcmocka

build/unit-asan/%: tests/unit/%.c $(UNIT_HELPERS) $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/unit -o $@ $< $(UNIT_HELPERS) $(ASAN_OBJ) $(LDLIBS) -lcmocka

# Installs what is missing (apt-get as root; otherwise prints the command).
deps:
	@sh .ci/deps.sh

# The main job: the dashboard on a bundled capture (a report when not a TTY).
# pop3mon exits 1 when it found contradictions (the demo capture has one):
# that is the job done, so only 2 (usage or input error) or worse fails make.
RUN_ARGS ?= -r pcaps/bad/intermail.pcap
run: deps
	@$(MAKE) --no-print-directory pop3mon
	@./pop3mon $(RUN_ARGS); st=$$?; \
	 if [ $$st -eq 1 ]; then echo "pop3mon: exit status 1: contradictions found (see README, Exit status)"; fi; \
	 [ $$st -le 1 ]

unit: $(UNIT_BIN)
	@sh tests/run_unit.sh $(UNIT_BIN)

unit-asan: $(UNIT_ASAN)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh tests/run_unit.sh $(UNIT_ASAN)

e2e: pop3mon pop3mon-asan
	@sh tests/e2e/run.sh

# Every test: unit tests plain and under ASan+UBSan, then end-to-end.
check test: deps
	@$(MAKE) --no-print-directory unit unit-asan e2e

# Rewrite the golden report/JSON files (review the diff before committing).
golden: pop3mon
	sh tests/e2e/golden.sh ./pop3mon --update

clean:
	rm -rf build pop3mon pop3mon-asan

-include tests/bench/bench.mk
-include tests/fuzz/fuzz.mk
