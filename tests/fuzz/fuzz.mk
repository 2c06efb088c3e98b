# fuzz.mk -- fuzz harnesses for the code that reads untrusted or
# operator input (tests/fuzz/fuzz_NAME.c, each with its seed corpus in
# tests/fuzz/corpus/NAME/ and maybe a dictionary NAME.dict), for inclusion
# by the top-level Makefile, whose variables it uses.  Every fuzz_*.c is a
# harness: a new one is built, run and replayed without a change here.
# Run from the top of the tree: the form and page harnesses read htdocs/,
# the audit harness etc/audit.xsd.
#
#   make fuzz           build each harness with clang, libFuzzer, ASan and
#                       UBSan, and run them one after the other (one core)
#                       on a copy of tests/fuzz/corpus/NAME, each for
#                       FUZZ_SECONDS (30); or share FUZZ_TOTAL_SECONDS
#                       and/or FUZZ_TOTAL_RUNS among them (tests/fuzz/
#                       run.sh).  Prints each one's executions and
#                       coverage; a crash, leak or failed invariant fails,
#                       its input saved in tests/fuzz/build/crashes/
#   make fuzz-merge     make fuzz, then replace each corpus by a minimised
#                       one (-merge=1) of what it and the run found, keeping
#                       the hand-written seed-* files
#   make fuzz-regress   replay every corpus file through the same harnesses
#                       built with $(CC) and the project's flags (SANITIZE=1
#                       applies); a few seconds, no clang needed
#   make fuzz-clean     remove tests/fuzz/build
#
# FUZZ_NAMES=page (say) limits any of these to some harnesses.
#
# Debian packages `make fuzz` needs, beyond those of `make check`:
#   clang-14 libclang-rt-14-dev

FUZZ_NAMES	?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS	?= 30
FUZZ_TOTAL_SECONDS ?=
FUZZ_TOTAL_RUNS	?=
FUZZ_MAX_LEN	?= 20000
FUZZ_CORPUS_MAX	?= 200
FUZZ_CC		?= clang-14
FUZZ_CXX	?= clang++-14
FUZZ_CFLAGS	?= -O1 -g
FUZZ_DIR	 = tests/fuzz
FUZZ_B		 = $(FUZZ_DIR)/build
# UBSan must abort, not print and carry on, for libFuzzer to see a finding.
FUZZ_SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CC_FLAGS	 = -std=c11 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		   $(PF_CPPFLAGS) $(FUZZ_CFLAGS)
FUZZ_CXX_FLAGS	 = -std=c++17 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		   $(PF_CPPFLAGS) $(FUZZ_CFLAGS)
FUZZ_LIB_OBJ	 = $(patsubst lib/%.c,$(FUZZ_B)/lib/%.o,$(LIB_C)) \
		   $(patsubst lib/%.cc,$(FUZZ_B)/lib/%.o,$(LIB_CXX))
FUZZ_PROGS	 = $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)
FUZZ_REGRESS	 = $(FUZZ_NAMES:%=$(FUZZ_B)/regress/fuzz_%)

.PHONY: fuzz fuzz-merge fuzz-regress fuzz-clean
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(FUZZ_B)/obj/fuzz_%.o) \
	    $(FUZZ_NAMES:%=$(FUZZ_B)/regress/obj/fuzz_%.o) \
	    $(FUZZ_B)/regress/obj/replay.o

# libFuzzer builds: the library compiled again, with coverage and sanitizers.

$(FUZZ_B)/lib/%.o: lib/%.c lib/*.h lib/*.def $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CC_FLAGS) -c -o $@ $<

$(FUZZ_B)/lib/%.o: lib/%.cc lib/*.h $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXX_FLAGS) -c -o $@ $<

$(FUZZ_B)/libprivforms.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/obj/%.o: $(FUZZ_DIR)/%.c $(FUZZ_DIR)/fuzz.h tests/mem_stream.h lib/*.h lib/*.def $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CC_FLAGS) -c -o $@ $<

# phone.cc linked in, not opened as a module (phone_module.h), so that its
# code is instrumented too.
$(FUZZ_B)/lib/phone_load.o: PF_CPPFLAGS += \
    -DPF_PHONE_MODULE='"$(CURDIR)/$(PHONE_MODULE)"'
$(FUZZ_B)/lib/pg_load.o: PF_CPPFLAGS += \
    -DPF_PG_MODULE='"$(CURDIR)/$(PG_MODULE)"'

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/fuzz_%.o $(FUZZ_B)/libprivforms.a \
    $(FUZZ_B)/lib/phone.o
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_B)/lib/phone.o $(FUZZ_B)/libprivforms.a $(PF_LIBS) \
	    $(PHONE_LIBS)

# Each harness on a copy of its corpus, so that the run's finds stay out of
# git until fuzz-merge minimises them.  libFuzzer's chatter goes to
# build/NAME.log, shown only when it finds something.
fuzz: $(FUZZ_PROGS)
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_MAX_LEN='$(FUZZ_MAX_LEN)' \
	    FUZZ_TOTAL_SECONDS='$(FUZZ_TOTAL_SECONDS)' \
	    FUZZ_TOTAL_RUNS='$(FUZZ_TOTAL_RUNS)' \
	    sh $(FUZZ_DIR)/run.sh $(FUZZ_B) $(FUZZ_NAMES)

# -merge=1 keeps what is in its first directory (the seeds) and adds the
# fewest inputs that reach every feature (edge and hit-count bucket) of the
# rest.  If that is more than FUZZ_CORPUS_MAX files, hit counts are dropped
# and only edges are covered: fewer files, the same lines and branches.
fuzz-merge: fuzz
	@for n in $(FUZZ_NAMES); do \
	    for counters in 1 0; do \
	        rm -rf $(FUZZ_B)/merge/$$n && mkdir -p $(FUZZ_B)/merge/$$n && \
	        cp $(FUZZ_DIR)/corpus/$$n/seed-* $(FUZZ_B)/merge/$$n/ && \
	        $(FUZZ_B)/fuzz_$$n -merge=1 -use_counters=$$counters \
	            -max_len=$(FUZZ_MAX_LEN) $(FUZZ_B)/merge/$$n \
	            $(FUZZ_DIR)/corpus/$$n $(FUZZ_B)/run/$$n \
	            > $(FUZZ_B)/$$n-merge.log 2>&1 || exit 1; \
	        [ $$(ls $(FUZZ_B)/merge/$$n | wc -l) -le $(FUZZ_CORPUS_MAX) ] && \
	            break; \
	    done; \
	    rm -f $(FUZZ_DIR)/corpus/$$n/* && \
	    cp $(FUZZ_B)/merge/$$n/* $(FUZZ_DIR)/corpus/$$n/ || exit 1; \
	    echo "corpus/$$n: $$(ls $(FUZZ_DIR)/corpus/$$n | wc -l) files"; \
	done

# Regression builds: the harnesses with the project's compiler and flags,
# against lib/libprivforms.a, and a main() that replays the corpus.

$(FUZZ_B)/regress/obj/%.o: $(FUZZ_DIR)/%.c $(FUZZ_DIR)/fuzz.h tests/mem_stream.h lib/*.h lib/*.def $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(PF_CFLAGS) -c -o $@ $<

$(FUZZ_B)/regress/fuzz_%: $(FUZZ_B)/regress/obj/fuzz_%.o \
    $(FUZZ_B)/regress/obj/replay.o lib/libprivforms.a $(PHONE_MODULE)
	$(CXX) $(PF_LDFLAGS) -o $@ $< $(FUZZ_B)/regress/obj/replay.o \
	    lib/libprivforms.a $(PF_LIBS)

fuzz-regress: $(FUZZ_REGRESS)
	@for n in $(FUZZ_NAMES); do \
	    $(FUZZ_B)/regress/fuzz_$$n $(FUZZ_DIR)/corpus/$$n || exit 1; \
	done

fuzz-clean:
	rm -rf $(FUZZ_B)
