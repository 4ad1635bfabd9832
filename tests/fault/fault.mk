# tests/fault/fault.mk: the reliability suite's long runs (issue 5). make check already runs the
# short versions: tests/integration/test_crash_points.py, test_crash_random.py (20 kills),
# test_faults_store.py, test_faults_disk.py, test_faults_modem.py and test_fuzz_smoke.sh.
#   make torture     500 random kill -9 rounds, the crash-point loop x3, storage and modem faults
#                    (TORTURE_ROUNDS, TORTURE_REPEAT)
#   make soak        30 minutes of mixed load with 1% modem faults; RSS and fds sampled every
#                    minute must stay flat (SOAK_MINUTES, SOAK_SAMPLE_S, SOAK_FAULT_RATE)
#   make valgrind    integration tests with every daemon under valgrind (VALGRIND_TESTS)
torture: programs
	$(Q)BUILD=$(BUILD) tools/torture.sh
soak: programs
	$(Q)BUILD=$(BUILD) tools/soak.sh
valgrind: programs $(TEST_BINS)
	$(Q)BUILD=$(BUILD) tests/fault/valgrind.sh
